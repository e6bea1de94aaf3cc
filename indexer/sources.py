"""The sources behind the search alias: what each holds, and removing one.

Each source's index keeps in its `_meta` the source name, when it was loaded and in which
mode (indexer.load). Records are services, counted exactly by paging their ids
(indexer.changes.services; documents are services at locations), so memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass

from elasticsearch import Elasticsearch

from indexer.changes import services
from indexer.load import index_prefix, source_indices


class UnknownSource(LookupError):
    """No index of this source is behind the alias."""


@dataclass(frozen=True)
class Source:
    name: str
    index: str
    records: int  # services
    documents: int  # services at locations
    loaded_at: str | None
    mode: str | None  # of the last load: full or incremental

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "index": self.index,
            "records": self.records,
            "documents": self.documents,
            "loaded_at": self.loaded_at,
            "mode": self.mode,
        }


def _source_of(alias: str, index: str, meta: dict) -> str:
    """The source an index belongs to: its `_meta`, else its name (`<alias>--<source>--<time>`)."""
    if meta.get("source"):
        return meta["source"]
    return index.removeprefix(f"{alias}--").rsplit("--", 1)[0]


def list_sources(client: Elasticsearch, alias: str) -> list[Source]:
    """Every source behind `alias`, by name."""
    if not client.indices.exists_alias(name=alias):
        return []
    indices = sorted(client.indices.get_alias(name=alias))
    mappings = client.indices.get_mapping(index=",".join(indices)) if indices else {}
    found = []
    for index in indices:
        meta = mappings[index]["mappings"].get("_meta", {})
        found.append(
            Source(
                name=_source_of(alias, index, meta),
                index=index,
                records=count_records(client, index),
                documents=client.count(index=index)["count"],
                loaded_at=meta.get("loaded_at"),
                mode=meta.get("mode"),
            )
        )
    return sorted(found, key=lambda s: (s.name, s.index))


def count_records(client: Elasticsearch, index: str) -> int:
    """Services in an index (exact)."""
    return sum(1 for _ in services(client, index))


def remove_source(client: Elasticsearch, alias: str, source: str) -> list[str]:
    """Take the source out of the alias and delete all its indices (live and left over);
    returns the indices deleted. UnknownSource when the alias has none of its indices.
    (Callers hold the source's import lock, linkage.imports, so no load runs meanwhile.)"""
    live = source_indices(client, alias, source)
    if not live:
        raise UnknownSource(f"no source {source!r} behind {alias!r}")
    client.indices.update_aliases(actions=[{"remove": {"index": i, "alias": alias}} for i in live])
    built = client.options(ignore_status=404).indices.get(
        index=index_prefix(alias, source) + "*", expand_wildcards="all"
    )
    gone = sorted(set(built) | set(live))
    for name in gone:
        client.options(ignore_status=404).indices.delete(index=name)
    return gone
