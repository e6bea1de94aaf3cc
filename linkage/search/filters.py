"""What every search or match result must pass: Elasticsearch filters. Pure functions.

Needs and categories are not filters here: they match by meaning too, and score
(linkage.search.hybrid). What a client qualifies for is linkage.search.eligibility's, beside
the plain-words judgement that encodes the same rules; where a service reaches is
linkage.search.reach's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from linkage import hours
from linkage.places import Place
from linkage.search import eligibility
from linkage.search.document import ACTIVE
from linkage.search.reach import place_filter

# Never an inactive, defunct or temporarily closed service.
ACTIVE_ONLY = {"term": {"status": ACTIVE}}
FREE = {"term": {"fees": "free"}}


def open_now_filter(now: datetime, timezones: list[str], within_minutes: int = 0) -> dict:
    """Open at `now` (or opening within the next `within_minutes`), in each resource's own
    time zone: one check per zone present."""

    def at(tz: str) -> dict:
        minute = hours.minute_of_week(now, tz)
        if not within_minutes:
            return {"term": {"open_minutes": minute}}
        window = {"gte": minute, "lte": minute + within_minutes, "relation": "intersects"}
        return {"range": {"open_minutes": window}}

    return {
        "bool": {
            "should": [
                {"bool": {"filter": [{"term": {"timezone": tz}}, at(tz)]}} for tz in timezones
            ],
            "minimum_should_match": 1,
        }
    }


def language_filter(language: str) -> dict:
    """Serves in `language`; a directory that lists no language is taken to serve in English."""
    speaks = {"term": {"languages": language}}
    if language != "en":
        return speaks
    unlisted = {"bool": {"must_not": {"exists": {"field": "languages"}}}}
    return {"bool": {"should": [speaks, unlisted]}}


def age_filter(age: int) -> dict:
    """No stated minimum or maximum age that `age` falls outside."""
    return {"bool": {"must_not": eligibility.age_limits_exclude(age)}}


def serves_filter(tags: Sequence[str]) -> dict:
    """For any of these groups of people (the eligibility tags a service states)."""
    return {"terms": {"eligibility.tags": list(tags)}}


def fees_filter(fees: Sequence[str]) -> dict:
    """Charging any of these ways (document.FEES)."""
    return {"terms": {"fees": list(fees)}}


def delivery_filter(modes: Sequence[str]) -> dict:
    """Reached in any of these ways (document.DELIVERY)."""
    return {"terms": {"delivery": list(modes)}}


def accessibility_filter(features: Sequence[str]) -> dict:
    """Every one of these accessibility features: a client needs all they ask for."""
    return {"bool": {"filter": [{"term": {"accessibility": f}} for f in features]}}


def open_on_filter(day: str, minute: int | None = None) -> dict:
    """Open some time on `day` (MO..SU), or at `minute` after its midnight, in the service's
    own local time (the hours a directory gives are local)."""
    start = hours.DAYS.index(day) * hours.MINUTES_PER_DAY
    if minute is not None:
        return {"term": {"open_minutes": start + minute}}
    window = {"gte": start, "lt": start + hours.MINUTES_PER_DAY, "relation": "intersects"}
    return {"range": {"open_minutes": window}}


def taxonomy_filter(prefixes: Sequence[str]) -> dict:
    """Carrying a 211 code that starts with any of `prefixes` ("BD-1800" holds
    "BD-1800.2000")."""
    should = [{"prefix": {"codes_211": p.upper()}} for p in prefixes]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def facet_filters(
    *,
    serves: Sequence[str] = (),
    fees: Sequence[str] = (),
    delivery: Sequence[str] = (),
    accessibility: Sequence[str] = (),
    open_on: str | None = None,
    open_at: int | None = None,
    taxonomy: Sequence[str] = (),
) -> dict[str, dict]:
    """The narrowings that have a facet, by facet name, only those asked for: applied as a
    post filter, so each facet can count every value of its own (linkage.search.facets)."""
    built = {
        "serves": serves_filter(serves) if serves else None,
        "fees": fees_filter(fees) if fees else None,
        "delivery": delivery_filter(delivery) if delivery else None,
        "accessibility": accessibility_filter(accessibility) if accessibility else None,
        "open_on": open_on_filter(open_on, open_at) if open_on else None,
        "taxonomy": taxonomy_filter(taxonomy) if taxonomy else None,
    }
    return {name: f for name, f in built.items() if f is not None}


def build_filters(
    now: datetime,
    timezones: list[str],
    *,
    place: Place | None = None,
    radius_miles: float = 0.0,
    language: str | None = None,
    age: int | None = None,
    free: bool = False,
    open_now: bool = False,
) -> list[dict]:
    """What every result must pass: active, and each narrowing asked for (`timezones`: those
    present in the index, for `open_now`; `radius_miles` goes with `place`)."""
    filters: list[dict] = [ACTIVE_ONLY]
    if language:
        filters.append(language_filter(language))
    if age is not None:
        filters.append(age_filter(age))
    if free:
        filters.append(FREE)
    if open_now:
        filters.append(open_now_filter(now, timezones))
    if place is not None:
        filters.append(place_filter(place, radius_miles))
    return filters
