"""What a full load changed against the source's live index, counted by service.

Services are paged by a composite aggregation over their ids (with each one's document
fingerprints and verification date; `ResourceIndex.iter_groups`), both indices side by side in
id order, so memory stays flat however large the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from elasticsearch import Elasticsearch

from linkage.search.index import MATCH_ALL, ResourceIndex

PAGE = 5000  # composite buckets per request
STALE_AFTER_DAYS = 365


# One group per (service, document fingerprint, verification date); a date's key is epoch ms.
SERVICE_CONTENT = [
    {"service": {"terms": {"field": "source_ids.service"}}},
    {"fingerprint": {"terms": {"field": "fingerprint", "missing_bucket": True}}},
    {"verified": {"terms": {"field": "last_verified", "missing_bucket": True}}},
]


def services(client: Elasticsearch, index: str) -> Iterator[tuple[str, frozenset, int | None]]:
    """(service id, its documents' fingerprints, its last_verified date in epoch ms), in id
    order, paged."""
    current, prints, verified = None, set(), None
    groups = ResourceIndex.on(client, index).iter_groups(MATCH_ALL, SERVICE_CONTENT, chunk=PAGE)
    for bucket in groups:
        key = bucket["key"]
        if key["service"] != current:
            if current is not None:
                yield current, frozenset(prints), verified
            current, prints, verified = key["service"], set(), None
        prints.add(key["fingerprint"])
        verified = verified or key["verified"]
    if current is not None:
        yield current, frozenset(prints), verified


def changes(client: Elasticsearch, new: str, live: str | None, loaded: date) -> dict:
    """What a full load changes, counted by service: added, removed, changed (any document
    added, gone or different), unchanged; and how many services in `new` were last verified
    over a year before `loaded`, or never. Both indices are paged side by side in service id
    order (keyword order is byte order, as Python's for UTF-8 text)."""
    out = {"added": 0, "removed": 0, "changed": 0, "unchanged": 0}
    stale = {"verified_over_a_year_ago": 0, "no_verified_date": 0}
    cutoff = datetime.combine(loaded - timedelta(days=STALE_AFTER_DAYS), time(), UTC)
    cutoff_ms = int(cutoff.timestamp() * 1000)
    olds = services(client, live) if live else iter(())
    old = next(olds, None)
    for sid, prints, verified in services(client, new):
        if verified is None:
            stale["no_verified_date"] += 1
        elif verified < cutoff_ms:
            stale["verified_over_a_year_ago"] += 1
        while old is not None and old[0] < sid:
            out["removed"] += 1
            old = next(olds, None)
        if old is not None and old[0] == sid:
            out["unchanged" if old[1] == prints else "changed"] += 1
            old = next(olds, None)
        else:
            out["added"] += 1
    while old is not None:
        out["removed"] += 1
        old = next(olds, None)
    return {"changes": out, **stale}
