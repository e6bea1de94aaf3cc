"""Search facets: the counts beside a page of results, as aggregations and as the response's
`facets`. Pure functions.

The narrowings that have a facet of their own (linkage.search.filters.facet_filters, and the
reaches) are post filters: each such facet counts under every narrowing but its own, so it
lists every value a client may switch to (the page's tabs and check boxes), while the other
facets (categories, needs, languages) count what is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from linkage import hours
from linkage.search import reach
from linkage.search.phrases import Phrases, phrases
from linkage.taxonomy import Taxonomy

# Facets that count what is shown: name → the field counted.
SHOWN_FACETS = {"categories": "category_tree", "needs": "needs", "languages": "languages"}
# Facets of a narrowing, each counted under the other narrowings: name → the field counted
# (`open_on` counts by weekday and `reach` by reach, apart).
NARROWING_FACETS = {
    "serves": "eligibility.tags",
    "fees": "fees",
    "delivery": "delivery",
    "accessibility": "accessibility",
    "taxonomy": "codes_211",
}
SHOWN = "reached"  # the aggregation holding the shown facets when post filters narrow the page
COUNTS = "counts"  # a narrowing's facet under the other narrowings
SIZE = 100


def _terms(field: str) -> dict:
    return {"terms": {"field": field, "size": SIZE}}


def all_of(filters: Iterable[dict]) -> dict:
    """One filter that all of `filters` pass (the one itself, when there is one)."""
    filters = list(filters)
    return filters[0] if len(filters) == 1 else {"bool": {"filter": filters}}


def weekday_aggregation() -> dict:
    """Counts by the weekdays a service is open (some time that day, local time). An index
    loaded before `open_days` existed counts none until its next load."""
    return {"terms": {"field": "open_days", "size": len(hours.DAYS)}}


def aggregations(post: dict[str, dict], by_reach: dict[str, dict]) -> dict:
    """The facets' aggregations. `post`: the post filters by facet name (the reaches' as
    "reach"); `by_reach`: reach.filters of the place searched (empty without one)."""
    shown = {name: _terms(f) for name, f in SHOWN_FACETS.items()}
    aggs: dict = {SHOWN: {"filter": all_of(post.values()), "aggs": shown}} if post else shown
    own = {name: _terms(f) for name, f in NARROWING_FACETS.items()}
    own["open_on"] = weekday_aggregation()
    if by_reach:
        own["reach"] = reach.facet_aggregation(by_reach)
    for name, agg in own.items():
        others = [f for n, f in post.items() if n != name]
        aggs[name] = {"filter": all_of(others), "aggs": {COUNTS: agg}} if others else agg
    return aggs


def _own(aggregations: dict, name: str) -> dict | None:
    agg = aggregations.get(name)
    return agg.get(COUNTS, agg) if agg else None


def _entries(agg: dict | None) -> list[dict]:
    return [{"value": b["key"], "count": b["doc_count"]} for b in (agg or {}).get("buckets", [])]


def shape(aggregations: dict | None, taxonomy: Taxonomy, words: Phrases | None = None) -> dict:
    """The response's `facets` (SearchOut's FacetsOut), with the names of categories,
    languages, eligibility tags, fees, delivery, reaches and weekdays, in the display
    language of `words` (English by default)."""
    words = words or phrases()
    aggregations = aggregations or {}
    shown = aggregations.get(SHOWN, aggregations)
    facets: dict = {"reach": _named(reach.shape_facet(_own(aggregations, "reach")), "reach", words)}
    for name in SHOWN_FACETS:
        entries = _entries(shown.get(name))
        for e in entries:
            if name == "categories" and e["value"] in taxonomy:
                e["name"] = words.category(taxonomy, e["value"])
            if name == "languages":
                e["name"] = words.language(e["value"])
        facets[name] = entries
    for name in NARROWING_FACETS:
        facets[name] = _entries(_own(aggregations, name))
    for e in facets["serves"]:
        if tag := words.tag(taxonomy, e["value"]):
            e["name"] = tag
    _named(facets["fees"], "fees", words)
    _named(facets["delivery"], "delivery", words)
    days = {e["value"]: e["count"] for e in _entries(_own(aggregations, "open_on"))}
    facets["open_on"] = [
        {"value": d, "name": words.name("days", d), "count": days[d]}
        for d in hours.DAYS
        if d in days
    ]
    return facets


def _named(entries: list[dict], kind: str, words: Phrases) -> list[dict]:
    """`entries` with the names of their values (data/result-words.json)."""
    for e in entries:
        e["name"] = words.name(kind, e["value"])
    return entries
