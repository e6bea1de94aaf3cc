"""What a full load changed against the source's live index, counted by service.

Services are paged by a composite aggregation over their ids (with each one's document
fingerprints and verification date), both indices side by side in id order, so memory stays
flat however large the source.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from elasticsearch import Elasticsearch

PAGE = 5000  # composite buckets per request
STALE_AFTER_DAYS = 365


def services(
    client: Elasticsearch, index: str, with_content: bool = False
) -> Iterator[tuple[str, frozenset, int | None]]:
    """(service id, its documents' fingerprints, its last_verified date in epoch ms), in id
    order, paged; fingerprints and dates only `with_content`."""
    sources = [{"service": {"terms": {"field": "source_ids.service"}}}]
    if with_content:
        sources += [
            {"fingerprint": {"terms": {"field": "fingerprint", "missing_bucket": True}}},
            {"verified": {"terms": {"field": "last_verified", "missing_bucket": True}}},
        ]  # a date's key: epoch milliseconds
    after = None
    current, prints, verified = None, set(), None
    while True:
        composite = {"size": PAGE, "sources": sources} | ({"after": after} if after else {})
        found = client.search(
            index=index, size=0, aggs={"s": {"composite": composite}}, filter_path="aggregations"
        )
        page = (found.get("aggregations") or {}).get("s") or {}
        for bucket in page.get("buckets", ()):
            key = bucket["key"]
            if key["service"] != current:
                if current is not None:
                    yield current, frozenset(prints), verified
                current, prints, verified = key["service"], set(), None
            if with_content:
                prints.add(key["fingerprint"])
                verified = verified or key["verified"]
        after = page.get("after_key")
        if not after or not page.get("buckets"):
            break
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
    olds = services(client, live, True) if live else iter(())
    old = next(olds, None)
    for sid, prints, verified in services(client, new, True):
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
