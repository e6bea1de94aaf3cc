"""The sources behind the search alias: what each holds, and taking one out of search.

A source's indices are named and found by `ResourceIndex` (`<alias>--<source>--<time>`); each
keeps in its `_meta` the source name, when it was loaded and in which mode (`IndexMeta`,
written by indexer.load). Records are services, counted exactly by composite aggregation over
their ids (documents are services at locations), so memory stays flat.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from linkage.search.index import MATCH_ALL, ResourceIndex

SERVICE_IDS = [{"service": {"terms": {"field": "source_ids.service"}}}]


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
        return asdict(self)


def list_sources(resources: ResourceIndex) -> list[Source]:
    """Every source behind the alias, by name."""
    if not resources.indices():
        return []
    found = []
    for index, meta in resources.metas().items():
        one = ResourceIndex.on(resources.es, index)
        found.append(
            Source(
                name=resources.source_of(index, meta),
                index=index,
                records=one.count_groups(MATCH_ALL, SERVICE_IDS),
                documents=one.count(),
                loaded_at=meta.loaded_at,
                mode=meta.mode,
            )
        )
    return sorted(found, key=lambda s: (s.name, s.index))


def remove_source(resources: ResourceIndex, source: str) -> list[str]:
    """Take the source out of the alias and delete all its indices (live and left over);
    returns the indices deleted. UnknownSource when the alias has none of its indices.
    (Callers hold the source's lock, linkage.jobs, so no load runs meanwhile.)"""
    live = resources.source_indices(source)
    if not live:
        raise UnknownSource(f"no source {source!r} behind {resources.alias!r}")
    es = resources.es
    es.indices.update_aliases(
        actions=[{"remove": {"index": i, "alias": resources.alias}} for i in live]
    )
    gone = sorted(set(resources.built_indices(source)) | set(live))
    for name in gone:
        es.options(ignore_status=404).indices.delete(index=name)
    return gone
