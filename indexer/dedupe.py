"""Duplicates: the same service twice in one source, or in two sources, found after loading.

Two documents are the same service when all of these hold:
- their `dedupe_key`s are equal: organization and service names, normalised (case,
  punctuation, 'Inc.'). An organization with no name is keyed by its id and source, so
  nameless organizations of one source are told apart by id and never match across sources
  (ids mean nothing there); names are what match across sources;
- within one source, they do not name two different organization ids (two organizations,
  however alike their names);
- they are not locations of one record;
- they are at one place: both placed within DISTANCE_MILES of each other, or neither placed,
  or one placed and one not sharing a phone number. Two placed documents further apart are
  distinct even if they share a phone (a central line answers for many sites).

Elasticsearch finds the keys more than one document has (a terms aggregation, in
partitions), then their documents are fetched a page at a time, so memory stays flat however
large the import; within a key, each document is compared only with those near it or sharing
a phone with it, so a chain with thousands of sites is no slower.

One of each set of duplicates is kept (`_rank`): an active document over one of any other
status (inactive, defunct, temporarily closed: search shows only active ones); then one
already live in another source over the one being loaded; then, within the load, the first
one read. Only documents of the load are dropped: a live one of another source ranked below
a new one stays in its own index.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers

from indexer.records import row_number
from linkage.places import miles_between

DISTANCE_MILES = 0.1
KEYS_PER_PARTITION = 20_000
KEYS_PER_REQUEST = 1_000  # shared keys whose documents are fetched in one paged search
PAGE_SIZE = 2_000
# Latitude bands a little wider than DISTANCE_MILES (1 degree of latitude is 69 miles):
# documents within DISTANCE_MILES of each other are in the same band or neighbouring ones.
BAND_DEGREES = 0.002


@dataclass(frozen=True)
class Duplicate:
    doc_id: str  # the document dropped from the index being loaded
    origin: dict  # its file, row and how many documents its record has
    service_id: str
    kept_id: str
    kept_source: str
    kept_service_id: str


def _same_service(a: dict, b: dict) -> bool:
    """Two listings of one service, given equal dedupe keys (see the module docstring)."""
    if a["source"] == b["source"]:
        ids_a, ids_b = a["source_ids"], b["source_ids"]
        if ids_a["service"] == ids_b["service"]:
            return False  # the locations of one record
        org_a, org_b = _organization_id(a), _organization_id(b)
        if org_a and org_b and org_a != org_b:
            return False
    return _same_place(a, b)


def _organization_id(doc: dict) -> str:
    return str(doc["source_ids"].get("organization") or "").strip()


def _same_place(a: dict, b: dict) -> bool:
    pa, pb = a.get("location"), b.get("location")
    if pa and pb:
        return miles_between((pa["lat"], pa["lon"]), (pb["lat"], pb["lon"])) <= DISTANCE_MILES
    if not pa and not pb:
        return True
    phones_a = {p["number"] for p in a.get("phones") or ()}
    return bool(phones_a & {p["number"] for p in b.get("phones") or ()})


def _rank(hit: dict, loading: str) -> tuple:
    """Keep order: active documents first; then live documents of other sources; then the
    first read in this load."""
    doc = hit["_source"]
    origin = doc.get("origin") or {}
    number = row_number(origin.get("row", ""))
    inactive = (doc.get("status") or "active") != "active"
    return (inactive, hit["_index"] == loading, origin.get("file", ""), number, hit["_id"])


def _shared_keys(client: Elasticsearch, indices: str, keys: int) -> Iterator[list[str]]:
    """The dedupe keys more than one document has, a partition at a time.

    A terms aggregation with no sub-aggregation only counts (fast, from doc values); fetching
    the documents is left to _groups, for the few keys that need it.
    """
    partitions = max(1, keys // KEYS_PER_PARTITION)
    for partition in range(partitions):
        response = client.search(
            index=indices,
            size=0,
            aggs={
                "keys": {
                    "terms": {
                        "field": "dedupe_key",
                        "min_doc_count": 2,
                        "size": KEYS_PER_PARTITION,
                        "include": {"partition": partition, "num_partitions": partitions},
                    }
                }
            },
        )
        shared = [b["key"] for b in response["aggregations"]["keys"]["buckets"]]
        for start in range(0, len(shared), KEYS_PER_REQUEST):
            yield shared[start : start + KEYS_PER_REQUEST]


def _groups(client: Elasticsearch, indices: str, keys: list[str]) -> Iterator[list[dict]]:
    """The documents of each of `keys`, a key at a time, paged in key order."""
    fields = ["id", "source", "source_ids", "location", "phones", "origin", "dedupe_key", "status"]
    group: list[dict] = []
    after = None
    while True:
        page = client.search(
            index=indices,
            query={"terms": {"dedupe_key": keys}},
            sort=[{"dedupe_key": "asc"}, {"id": "asc"}],
            source=fields,
            size=PAGE_SIZE,
            search_after=after,
        )["hits"]["hits"]
        for hit in page:
            if group and group[0]["_source"]["dedupe_key"] != hit["_source"]["dedupe_key"]:
                yield group
                group = []
            group.append(hit)
        if len(page) < PAGE_SIZE:
            break
        after = page[-1]["sort"]
    if group:
        yield group


class _Kept:
    """The documents of one key kept so far, indexed by where they are and their phones, so
    a key with thousands of documents is not compared pairwise."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}
        self.by_band: dict[int, list[dict]] = {}
        self.unplaced: list[dict] = []
        # Phones count between a placed and an unplaced document only: kept apart by kind,
        # so a placed document is never compared with every placed site of a central line.
        self.placed_by_phone: dict[str, list[dict]] = {}
        self.unplaced_by_phone: dict[str, list[dict]] = {}

    @staticmethod
    def _band(lat: float) -> int:
        return int(lat // BAND_DEGREES)

    def twin_of(self, hit: dict) -> dict | None:
        doc = hit["_source"]
        candidates: dict[str, dict] = {}  # by id: a document found twice is compared once
        if point := doc.get("location"):
            band = self._band(point["lat"])
            for near in (band - 1, band, band + 1):
                candidates.update((k["_id"], k) for k in self.by_band.get(near, ()))
            by_phone = self.unplaced_by_phone
        else:
            candidates.update((k["_id"], k) for k in self.unplaced)
            by_phone = self.placed_by_phone
        for phone in doc.get("phones") or ():
            candidates.update((k["_id"], k) for k in by_phone.get(phone["number"], ()))
        in_order = sorted(candidates.values(), key=lambda k: self.order[k["_id"]])
        return next((k for k in in_order if _same_service(k["_source"], doc)), None)

    def add(self, hit: dict) -> None:
        doc = hit["_source"]
        self.order[hit["_id"]] = len(self.order)
        if point := doc.get("location"):
            self.by_band.setdefault(self._band(point["lat"]), []).append(hit)
            by_phone = self.placed_by_phone
        else:
            self.unplaced.append(hit)
            by_phone = self.unplaced_by_phone
        for phone in doc.get("phones") or ():
            by_phone.setdefault(phone["number"], []).append(hit)


def find(client: Elasticsearch, loading: str, others: list[str]) -> list[Duplicate]:
    """Duplicates among the documents of index `loading` (against themselves and `others`)."""
    indices = ",".join([loading, *others])
    found: list[Duplicate] = []
    # Partitions sized on every index searched: other sources add keys of their own.
    for keys in _shared_keys(client, indices, client.count(index=indices)["count"]):
        for group in _groups(client, indices, keys):
            kept = _Kept()
            for hit in sorted(group, key=lambda h: _rank(h, loading)):
                twin = kept.twin_of(hit)
                if twin is None:
                    kept.add(hit)
                elif hit["_index"] == loading:
                    doc = hit["_source"]
                    found.append(
                        Duplicate(
                            doc_id=hit["_id"],
                            origin=doc.get("origin") or {},
                            service_id=doc["source_ids"]["service"],
                            kept_id=twin["_id"],
                            kept_source=twin["_source"]["source"],
                            kept_service_id=twin["_source"]["source_ids"]["service"],
                        )
                    )
    return found


def drop(client: Elasticsearch, index: str, duplicates: list[Duplicate]) -> None:
    actions = ({"_op_type": "delete", "_index": index, "_id": d.doc_id} for d in duplicates)
    for _ok, _item in helpers.streaming_bulk(client, actions, raise_on_error=True):
        pass
    client.indices.refresh(index=index)
