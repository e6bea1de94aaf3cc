"""The resource index, read: every search of the alias `Settings.index_alias` goes through here.

It also owns the names of the indices behind the alias, `<alias>--<source>--<UTC time>` (one
per source, replaced by a newer one at each full load), and what the indexer keeps in each
one's mapping `_meta` (`IndexMeta`): the indexer writes them, searches and listings read them.

`ResourceIndex` owns the alias and takes its client from the one factory
(`linkage.search.client.get_client`); the views, referrals and the HSDS API read through it
and never name the alias. (The indexer writes the indices behind the alias; import jobs and
locks live in indices of their own, in `linkage.jobs`.)

Reading at any depth, in memory that stays flat:

- a page within Elasticsearch's result window (`MAX_RESULT_WINDOW`) is from/size; a deeper
  one searches after the value a composite aggregation skips to, counting only on the way;
- a whole stream reads `search_after`, a batch at a time, in a point in time when it must
  be one snapshot (long exports);
- distinct groups (a source's services, organizations) are composite aggregation buckets,
  counted exactly, and only the page asked for travels with its keys.

A service is the documents of one source service (same `source` and `source_ids.service`):
one document per location.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime

from elasticsearch import Elasticsearch

from linkage.config import Settings
from linkage.search.client import SearchFailed, get_client

# Elasticsearch's index.max_result_window: from + size beyond it fails.
MAX_RESULT_WINDOW = 10_000
COUNT_CHUNK = 50_000  # composite buckets a request counts (under search.max_buckets)
GROUP_CHUNK = 10_000  # composite buckets a request returns with their keys
# Services with several documents one request lists per source; beyond, counted by groups.
MULTI_LOCATION_BUCKETS = 10_000
MAX_SOURCES = 10_000  # sources one terms aggregation lists (far more than any directory has)
PIT_KEEP_ALIVE = "5m"  # between two batches of a stream (a slow reader)
TIMEZONE_CACHE_SECONDS = 60.0

# Documents of one service are contiguous in this order (`id` makes it total).
DOCUMENT_ORDER = [{"source": "asc"}, {"source_ids.service": "asc"}, {"id": "asc"}]
# Whole streams read in this order with a point in time: no sorting cost.
SNAPSHOT_ORDER = [{"_shard_doc": "asc"}]
SERVICE_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"service": {"terms": {"field": "source_ids.service"}}},
]

# (query, composite sources, sub-aggregations): one run of groups of a paged listing.
Partition = tuple[dict, list[dict], dict | None]

MATCH_ALL = {"match_all": {}}
NAME_SEPARATOR = "--"  # in `<alias>--<source>--<time>`; source names never hold two dashes running
NAME_TIME_FORMAT = "%Y%m%d%H%M%S%f"  # UTC: a source's indices sort oldest first


@dataclass(frozen=True)
class IndexMeta:
    """What a load keeps in its index's mapping `_meta` (indexer.load writes it at the end)."""

    source: str | None = None
    loaded_at: str | None = None  # ISO 8601, seconds
    mode: str | None = None  # of the last load: full or incremental
    analysis: str | None = None  # the stemming the index was built with
    timezones: tuple[str, ...] = ()  # present in it: open-now queries need them

    def as_dict(self) -> dict:
        return asdict(self) | {"timezones": list(self.timezones)}

    @classmethod
    def of(cls, mapping: dict) -> IndexMeta:
        """The `_meta` of one index's entry in a get_mapping response (empty: an index no load
        finished, or of an older version)."""
        meta = mapping["mappings"].get("_meta", {})
        known = {f.name: meta[f.name] for f in fields(cls) if meta.get(f.name) is not None}
        return cls(**(known | {"timezones": tuple(known.get("timezones", ()))}))


def _and(query: dict, *filters: dict) -> dict:
    return {"bool": {"filter": [query, *filters]}}


def _source(excludes: Sequence[str]) -> dict | bool:
    return {"excludes": list(excludes)} if excludes else True


class ResourceIndex:
    """The resource documents behind the alias: searches, counts, streams and pages."""

    def __init__(self, settings: Settings, client: Elasticsearch | None = None):
        self.settings = settings
        self.alias = settings.index_alias
        self._client = client  # a given client (a test's); else the process's, per fork
        self._timezones: tuple[float, list[str]] | None = None

    @classmethod
    def on(cls, client: Elasticsearch, alias: str) -> ResourceIndex:
        """The indices behind `alias` (or the one index so named), read with `client`: for
        the indexer, which holds a client and an alias rather than the app's Settings."""
        return cls(Settings(index_alias=alias), client)

    @property
    def es(self) -> Elasticsearch:
        return self._client or get_client(self.settings)

    # -----------------------------------------------------------------------------------
    # One request

    def search(self, **body) -> dict:
        """One _search of the index (NotFoundError when no index is loaded)."""
        return self.es.search(index=self.alias, **body)

    def msearch(self, searches: list[dict]) -> list[dict]:
        """The responses of one _msearch (header, body, header, body, ...), in order; a
        search that failed inside Elasticsearch fails them all (SearchFailed)."""
        responses = self.es.msearch(index=self.alias, searches=searches)["responses"]
        for response in responses:
            if "error" in response:
                raise SearchFailed(str(response["error"].get("type", "error")))
        return responses

    def count(self, query: dict | None = None) -> int:
        return self.es.count(index=self.alias, query=query)["count"]

    def document(
        self, doc_id: str, excludes: Sequence[str] = (), missing_index_ok: bool = False
    ) -> dict | None:
        """One document by id, or None; with `missing_index_ok`, None too when no index is
        loaded (rather than NotFoundError)."""
        return self.first({"ids": {"values": [doc_id]}}, excludes, missing_index_ok)

    def first(
        self, query: dict, excludes: Sequence[str] = (), missing_index_ok: bool = False
    ) -> dict | None:
        """The first document `query` finds, or None (as `document`)."""
        es = self.es.options(ignore_status=404) if missing_index_ok else self.es
        found = es.search(index=self.alias, query=query, size=1, _source=_source(excludes))
        hits = (found.get("hits") or {}).get("hits") or []
        return hits[0]["_source"] if hits else None

    def indices(self) -> list[str]:
        """The indices behind the alias (one per source); none before the first load."""
        if not self.es.indices.exists_alias(name=self.alias):
            return []
        return list(self.es.indices.get_alias(name=self.alias))

    def mapping(self) -> dict:
        """The mapping of each index behind the alias, by index name."""
        return dict(self.es.indices.get_mapping(index=self.alias))

    def metas(self) -> dict[str, IndexMeta]:
        """What each index behind the alias keeps in its `_meta`, by index name."""
        return {index: IndexMeta.of(mapping) for index, mapping in self.mapping().items()}

    # -----------------------------------------------------------------------------------
    # The names of the indices behind the alias: `<alias>--<source>--<time>`

    def index_prefix(self, source: str) -> str:
        """What the names of all the source's indices start with."""
        return f"{self.alias}{NAME_SEPARATOR}{source}{NAME_SEPARATOR}"

    def new_index_name(self, source: str) -> str:
        """A name for the source's next index, later than any before it."""
        return self.index_prefix(source) + datetime.now(UTC).strftime(NAME_TIME_FORMAT)

    def source_of(self, index: str, meta: IndexMeta) -> str:
        """The source an index belongs to: its `_meta`, else its name."""
        if meta.source:
            return meta.source
        return index.removeprefix(f"{self.alias}{NAME_SEPARATOR}").rsplit(NAME_SEPARATOR, 1)[0]

    def source_indices(self, source: str) -> list[str]:
        """The source's indices behind the alias now, oldest first (the last is the live one)."""
        prefix = self.index_prefix(source)
        return sorted(name for name in self.indices() if name.startswith(prefix))

    def built_indices(self, source: str) -> list[str]:
        """Every index of the source, behind the alias or not (one a failed load left)."""
        found = self.es.options(ignore_status=404).indices.get(
            index=self.index_prefix(source) + "*", expand_wildcards="all"
        )
        return sorted(found) if found.meta.status == 200 else []

    def timezones(self) -> list[str]:
        """Time zones present in the live index (kept in its mapping _meta by the indexer);
        read again at most once a minute."""
        cached = self._timezones
        if cached and time.monotonic() - cached[0] < TIMEZONE_CACHE_SECONDS:
            return cached[1]
        zones = sorted({tz for meta in self.metas().values() for tz in meta.timezones})
        self._timezones = (time.monotonic(), zones)
        return zones

    # -----------------------------------------------------------------------------------
    # Streams

    def iter_documents(
        self,
        query: dict,
        sort: list | None = None,
        batch: int = 1000,
        point_in_time: bool = False,
        excludes: Sequence[str] = (),
    ) -> Iterator[dict]:
        """Every matching document in `sort` order (default DOCUMENT_ORDER), `batch` at a
        time (search_after), so memory stays flat whatever the size; in a point-in-time
        snapshot when asked (long exports)."""
        es = self.es
        pit = None
        if point_in_time:
            pit = es.open_point_in_time(index=self.alias, keep_alive=PIT_KEEP_ALIVE)["id"]
        try:
            after = None
            while True:
                body: dict = {
                    "query": query,
                    "sort": sort or DOCUMENT_ORDER,
                    "size": batch,
                    "_source": _source(excludes),
                    "track_total_hits": False,
                }
                if after is not None:
                    body["search_after"] = after
                if pit is not None:
                    response = es.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
                    pit = response.get("pit_id", pit)
                else:
                    response = es.search(index=self.alias, **body)
                hits = response["hits"]["hits"]
                for hit in hits:
                    yield hit["_source"]
                if len(hits) < batch:
                    return
                after = hits[-1]["sort"]
        finally:
            if pit is not None:
                es.options(ignore_status=404).close_point_in_time(id=pit)

    def documents_of_services(
        self, keys: list[tuple[str, str]], excludes: Sequence[str] = ()
    ) -> Iterator[dict]:
        """All documents of these services (source, source service id), in DOCUMENT_ORDER."""
        if not keys:
            return iter(())
        by_source: dict[str, list[str]] = {}
        for source, sid in keys:
            by_source.setdefault(source, []).append(sid)
        query = {
            "bool": {
                "should": [
                    _and({"term": {"source": source}}, {"terms": {"source_ids.service": sids}})
                    for source, sids in by_source.items()
                ],
                "minimum_should_match": 1,
            }
        }
        return self.iter_documents(query, excludes=excludes)

    # -----------------------------------------------------------------------------------
    # Groups (composite aggregations)

    def composite_page(
        self,
        query: dict,
        sources: list[dict],
        size: int,
        after: dict | None,
        keys: bool,
        sub: dict | None = None,
    ) -> tuple[list[dict], dict | None]:
        """One composite aggregation page: its buckets (with keys and `sub`, or only their
        counts) and its after_key."""
        composite: dict = {"size": size, "sources": sources}
        if after is not None:
            composite["after"] = after
        agg: dict = {"composite": composite}
        paths = ["aggregations.g.after_key"]
        if keys:
            paths += ["aggregations.g.buckets.key", "aggregations.g.buckets.doc_count"]
            if sub:
                agg["aggs"] = sub
                paths += [f"aggregations.g.buckets.{name}" for name in sub]
        else:
            paths.append("aggregations.g.buckets.doc_count")
        response = self.search(query=query, size=0, aggs={"g": agg}, filter_path=",".join(paths))
        found = (response.get("aggregations") or {}).get("g") or {}
        return found.get("buckets") or [], found.get("after_key")

    def iter_groups(
        self, query: dict, sources: list[dict], sub: dict | None = None, chunk: int = GROUP_CHUNK
    ) -> Iterator[dict]:
        """Every distinct group (composite bucket, with its key), a chunk at a time."""
        after = None
        while True:
            buckets, after = self.composite_page(query, sources, chunk, after, True, sub)
            yield from buckets
            if len(buckets) < chunk or after is None:
                return

    def count_groups(self, query: dict, sources: list[dict], chunk: int | None = None) -> int:
        """The exact number of distinct groups (counts only travel; no keys)."""
        chunk = chunk or COUNT_CHUNK
        total, after = 0, None
        while True:
            buckets, after = self.composite_page(query, sources, chunk, after, False)
            total += len(buckets)
            if len(buckets) < chunk or after is None:
                return total

    def value_at(self, query: dict, field: str, offset: int, chunk: int | None = None):
        """The `offset`-th value of `field` in ascending order (to search_after it), through
        composite aggregations that return only their after_key: deep pages without walking
        every hit before them. None when there are not that many values."""
        chunk = chunk or COUNT_CHUNK
        after, skipped = None, 0
        while skipped < offset:
            size = min(chunk, offset - skipped)
            buckets, after = self.composite_page(
                query, [{"v": {"terms": {"field": field}}}], size, after, False
            )
            skipped += len(buckets)
            if len(buckets) < size or after is None:
                return None
        return after["v"] if after else None

    # -----------------------------------------------------------------------------------
    # Pages, counted exactly, at any depth

    def service_counts(self, query: dict) -> list[tuple[str, int]]:
        """Distinct matching services per source, in source order, counted exactly.

        Most services have one document: a source's services are its documents less the
        extra documents of the services with several (found with a terms aggregation, exact
        because a source's documents live in one single-shard index). Should a source have
        more such services than one request returns, its services are counted group by
        group instead.
        """
        response = self.search(
            query=query,
            size=0,
            aggs={
                "s": {"terms": {"field": "source", "size": MAX_SOURCES, "order": {"_key": "asc"}}}
            },
            filter_path="aggregations.s.buckets.key,aggregations.s.buckets.doc_count",
        )
        counts = []
        for bucket in ((response.get("aggregations") or {}).get("s") or {}).get("buckets") or []:
            source, documents = bucket["key"], bucket["doc_count"]
            scoped = _and(query, {"term": {"source": source}})
            multi = self.search(
                query=scoped,
                size=0,
                aggs={
                    "m": {
                        "terms": {
                            "field": "source_ids.service",
                            "min_doc_count": 2,
                            "size": MULTI_LOCATION_BUCKETS,
                        }
                    }
                },
                filter_path="aggregations.m.buckets.doc_count",
            )
            several = ((multi.get("aggregations") or {}).get("m") or {}).get("buckets") or []
            if len(several) < MULTI_LOCATION_BUCKETS:
                counts.append((source, documents - sum(b["doc_count"] - 1 for b in several)))
            else:
                counts.append((source, self.count_groups(scoped, SERVICE_GROUP)))
        return counts

    def page_of_services(
        self, query: dict, offset: int, limit: int
    ) -> tuple[int, list[tuple[str, str]]]:
        """Exact number of matching services, and the keys of the window [offset, offset +
        limit) in (source, service id) order: per source, a collapsed search (from/size, or
        search_after a composite skip for deep pages)."""
        counts = self.service_counts(query)
        keys: list[tuple[str, str]] = []
        start = 0
        for source, count in counts:
            if len(keys) >= limit:
                break
            if start + count > offset:
                local, size = max(offset - start, 0), limit - len(keys)
                scoped = _and(query, {"term": {"source": source}})
                body: dict = {
                    "query": scoped,
                    "collapse": {"field": "source_ids.service"},
                    "sort": [{"source_ids.service": "asc"}],
                    "size": size,
                    "_source": False,
                    "track_total_hits": False,
                    "filter_path": "hits.hits.sort",
                }
                if local == 0 or local + size <= MAX_RESULT_WINDOW:
                    body["from_"] = local
                else:
                    after = self.value_at(scoped, "source_ids.service", local)
                    if after is None:
                        start += count
                        continue
                    body["search_after"] = [after]
                hits = (self.search(**body).get("hits") or {}).get("hits") or []
                keys += [(source, h["sort"][0]) for h in hits]
            start += count
        return sum(c for _, c in counts), keys

    def page_of_groups(
        self, partitions: list[Partition], offset: int, limit: int, chunk: int | None = None
    ) -> tuple[int, list[dict]]:
        """Distinct groups (organizations) counted exactly, and the buckets of the window
        [offset, offset + limit), through composite aggregations in key order.

        `partitions` are (query, composite sources, sub-aggregations) listed one after
        another. Only the window travels with keys; before and after it, counts only.
        """
        chunk = chunk or COUNT_CHUNK
        total = 0
        window: list[dict] = []
        for query, sources, sub in partitions:
            after = None
            while True:
                if total < offset:
                    size, keys = min(chunk, offset - total), False
                elif len(window) < limit:
                    size, keys = limit - len(window), True
                else:
                    size, keys = chunk, False
                buckets, after = self.composite_page(query, sources, size, after, keys, sub)
                if keys:
                    window.extend(buckets)
                total += len(buckets)
                if len(buckets) < size or after is None:
                    break
        return total, window

    def page_of_documents(
        self, query: dict, offset: int, limit: int, excludes: Sequence[str] = ()
    ) -> tuple[int, list[dict]]:
        """Exact total and one page of documents in id order, at any depth (beyond the
        result window, search_after a composite skip)."""
        total = self.count(query)
        if offset >= total or limit == 0:
            return total, []
        body: dict = {
            "query": query,
            "sort": [{"id": "asc"}],
            "size": limit,
            "_source": _source(excludes),
            "track_total_hits": False,
        }
        if offset == 0 or offset + limit <= MAX_RESULT_WINDOW:
            body["from_"] = offset
        else:
            after = self.value_at(query, "id", offset)
            if after is None:
                return total, []
            body["search_after"] = [after]
        response = self.search(**body)
        return total, [h["_source"] for h in response["hits"]["hits"]]
