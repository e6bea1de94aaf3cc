"""Full rebuild behind an alias: new versioned index, streaming bulk load, count check, atomic swap.

A failure at any step leaves the live alias untouched and removes the half-built index.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from elasticsearch import ApiError, Elasticsearch, helpers

from indexer.hsds import Converter, Rejection
from linkage.resource import MAPPINGS, STEMMING_CHOICES, index_settings


class LoadError(RuntimeError):
    """The load did not complete; the live alias was not changed."""


@dataclass
class Report:
    """Counts that must reconcile: read = indexed + rejected (records); documents per location."""

    read: int = 0
    indexed: int = 0
    rejected: int = 0
    documents: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    warnings: list[Rejection] = field(default_factory=list)
    index: str | None = None
    analysis: str | None = None
    seconds: float = 0.0

    def reconciles(self) -> bool:
        return self.read == self.indexed + self.rejected

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "indexed": self.indexed,
            "rejected": self.rejected,
            "documents": self.documents,
            "index": self.index,
            "analysis": self.analysis,
            "seconds": round(self.seconds, 2),
            "rejections": [r.as_dict() for r in self.rejections],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def choose_stemming(client: Elasticsearch) -> tuple[str, dict] | None:
    """The richest English stemming the cluster supports (probed, never assumed)."""
    for name, definition in STEMMING_CHOICES:
        try:
            client.indices.analyze(tokenizer="standard", filter=[definition], text="pantries")
            return name, definition
        except ApiError:
            continue
    return None


def new_index_name(alias: str) -> str:
    return f"{alias}-{datetime.now(UTC).strftime('%Y%m%d%H%M%S%f')}"


def _actions(
    records: Iterable[dict], converter: Converter, report: Report, index: str
) -> Iterator[dict]:
    for position, record in enumerate(records, start=1):
        report.read += 1
        converted = converter.convert(position, record)
        report.warnings.extend(converted.warnings)
        if converted.rejections:
            report.rejected += 1
            report.rejections.extend(converted.rejections)
            continue
        report.indexed += 1
        for doc in converted.documents:
            report.documents += 1
            yield {"_index": index, "_id": doc["id"], "_source": doc}


def rebuild(
    client: Elasticsearch,
    alias: str,
    records: Iterable[dict],
    converter: Converter,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 1000,
) -> Report:
    """Load `records` into a fresh index and point `alias` at it; raises LoadError on failure."""
    started = time.monotonic()
    report = Report(index=new_index_name(alias))
    stemming = choose_stemming(client)
    report.analysis = stemming[0] if stemming else "standard"
    settings = index_settings(stemming)
    # No refreshes while loading: much faster bulk indexing; one refresh at the end.
    settings["refresh_interval"] = "-1"
    client.indices.create(index=report.index, settings=settings, mappings=MAPPINGS)
    try:
        failed: list[Rejection] = []
        for ok, item in helpers.streaming_bulk(
            client,
            _actions(records, converter, report, report.index),
            chunk_size=chunk_size,
            max_retries=5,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            if not ok:
                result = next(iter(item.values()))
                failed.append(
                    Rejection(f"document {result.get('_id')}", "-", str(result.get("error")))
                )
            if progress:
                progress(1)
        if failed:
            report.rejections.extend(failed)
            raise LoadError(f"{len(failed)} documents were refused by Elasticsearch")
        client.indices.put_settings(index=report.index, settings={"refresh_interval": "1s"})
        client.indices.refresh(index=report.index)
        count = client.count(index=report.index)["count"]
        if count != report.documents or not report.reconciles():
            raise LoadError(
                f"count check failed: {count} documents in the index, {report.documents} sent; "
                f"{report.read} records read, {report.indexed} indexed, {report.rejected} rejected"
            )
        tz_agg = client.search(
            index=report.index,
            size=0,
            aggs={"tz": {"terms": {"field": "timezone", "size": 500}}},
        )
        timezones = {b["key"] for b in tz_agg["aggregations"]["tz"]["buckets"]}
        # Open-now queries need the time zones present; keep them with the index.
        client.indices.put_mapping(
            index=report.index,
            meta={
                "timezones": sorted(timezones),
                "source": converter.source,
                "loaded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "documents": report.documents,
                "analysis": report.analysis,
            },
        )
        swap_alias(client, alias, report.index)
    except BaseException:
        client.options(ignore_status=404).indices.delete(index=report.index)
        raise
    report.seconds = time.monotonic() - started
    return report


def swap_alias(client: Elasticsearch, alias: str, index: str) -> None:
    """Point the alias at `index` in one atomic step, then delete what it pointed at before."""
    old = []
    if client.indices.exists_alias(name=alias):
        old = [name for name in client.indices.get_alias(name=alias) if name != index]
    actions = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": index, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    for name in old:
        client.options(ignore_status=404).indices.delete(index=name)
