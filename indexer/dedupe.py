"""Duplicates: the same service twice in one source, or in two sources, found after loading.

Two documents are the same service when their organization and service names match once
normalised (`dedupe_key`) and they are at the same place (within DISTANCE_MILES) or share a
phone number, or neither has a place. The search runs in Elasticsearch (a terms aggregation
over the keys, in partitions), so memory stays flat however large the import.

One is kept and the others are reported: a document already live in another source is kept
over the one being loaded; within the load, the first one read is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch, helpers

from linkage.geo import miles_between

DISTANCE_MILES = 0.1
KEYS_PER_PARTITION = 20_000
GROUP_SIZE = 50  # documents looked at per duplicate key


@dataclass(frozen=True)
class Duplicate:
    doc_id: str  # the document dropped from the index being loaded
    origin: dict  # its file, row and how many documents its record has
    service_id: str
    kept_id: str
    kept_source: str
    kept_service_id: str


def _same_service(a: dict, b: dict) -> bool:
    """Two listings of one service (the locations of one record are not duplicates)."""
    one_record = (
        a["source"] == b["source"] and a["source_ids"]["service"] == b["source_ids"]["service"]
    )
    return not one_record and _same_place(a, b)


def _same_place(a: dict, b: dict) -> bool:
    if a.get("location") and b.get("location"):
        pa, pb = a["location"], b["location"]
        if miles_between((pa["lat"], pa["lon"]), (pb["lat"], pb["lon"])) <= DISTANCE_MILES:
            return True
    elif not a.get("location") and not b.get("location"):
        return True
    phones_a = {p["number"] for p in a.get("phones") or ()}
    return bool(phones_a & {p["number"] for p in b.get("phones") or ()})


def _rank(hit: dict, loading: str) -> tuple:
    """Keep order: live documents of other sources first, then the first read in this load."""
    origin = hit["_source"].get("origin") or {}
    row = origin.get("row", "")
    number = int("".join(ch for ch in row if ch.isdigit()) or 0)
    return (hit["_index"] == loading, origin.get("file", ""), number, hit["_id"])


def find(client: Elasticsearch, loading: str, others: list[str]) -> list[Duplicate]:
    """Duplicates among the documents of index `loading` (against themselves and `others`)."""
    indices = ",".join([loading, *others])
    keys = client.count(index=loading)["count"]
    partitions = max(1, keys // KEYS_PER_PARTITION)
    found: list[Duplicate] = []
    fields = ["id", "source", "source_ids", "location", "phones", "origin"]
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
                    },
                    "aggs": {"docs": {"top_hits": {"size": GROUP_SIZE, "_source": fields}}},
                }
            },
        )
        for bucket in response["aggregations"]["keys"]["buckets"]:
            hits = sorted(bucket["docs"]["hits"]["hits"], key=lambda h: _rank(h, loading))
            kept: list[dict] = []
            for hit in hits:
                doc = hit["_source"]
                twin = next((k for k in kept if _same_service(k["_source"], doc)), None)
                if twin is None:
                    kept.append(hit)
                elif hit["_index"] == loading:
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
