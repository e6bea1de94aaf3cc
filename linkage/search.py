"""Search: a validated request → an Elasticsearch query body, and hits → results. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from linkage import eligibility, hours
from linkage.geo import METERS_PER_MILE, Place, miles_between
from linkage.languages import language_name
from linkage.resource import INTERNAL_FIELDS
from linkage.taxonomy import Taxonomy, TermMatch

TEXT_FIELDS = [
    "service_name^3",
    "organization_name^1.5",
    "category_names^2",
    "location_name",
    "description",
    "eligibility.description^0.5",
]
# Kept out of responses: search-only fields, and notes meant for directory maintainers.
SOURCE_EXCLUDES = list(INTERNAL_FIELDS)
FACETS = {"categories": "category_tree", "needs": "needs", "languages": "languages"}
AREA_LABELS = {"zip": "your ZIP code", "county": "your county", "state": "your state"}


@dataclass(frozen=True)
class SearchRequest:
    """A search, already validated and with its place resolved."""

    q: str | None = None
    place: Place | None = None
    radius_miles: float = 10.0
    categories: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    language: str | None = None
    age: int | None = None
    open_now: bool = False
    free: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    recognised: tuple[TermMatch, ...] = field(default=())


def radius_in_miles(radius: float | None, unit: str, default_miles: float) -> float:
    if radius is None:
        return default_miles
    return radius * 1000 / METERS_PER_MILE if unit == "km" else radius


def request_from_args(
    args: dict, place: Place | None, taxonomy: Taxonomy, default_radius_miles: float
) -> SearchRequest:
    """A SearchRequest from validated API parameters and the place `near` resolved to."""
    radius = radius_in_miles(args.get("radius"), args.get("unit", "mi"), default_radius_miles)
    return SearchRequest(
        q=(args.get("q") or "").strip() or None,
        place=place,
        radius_miles=round(radius, 3),
        categories=tuple(args.get("category") or ()),
        needs=tuple(args.get("need") or ()),
        language=args.get("language"),
        age=args.get("age"),
        open_now=args.get("open_now", False),
        free=args.get("free", False),
        sort=args.get("sort", "relevance"),
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
        recognised=tuple(taxonomy.recognise(args.get("q") or "")),
    )


def within_radius(place: Place, radius_miles: float) -> dict:
    return {
        "geo_distance": {
            "distance": f"{radius_miles}mi",
            "location": {"lat": place.lat, "lon": place.lon},
        }
    }


def place_filter(place: Place, radius_miles: float) -> dict:
    """Within the radius, or serving an area that contains the place (as 211 search does):
    statewide, phone and online services count wherever their office is."""
    return {
        "bool": {
            "should": [
                within_radius(place, radius_miles),
                {"terms": {"service_areas": place.area_keys()}},
            ],
            "minimum_should_match": 1,
        }
    }


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


def build_filters(req: SearchRequest, now: datetime, timezones: list[str]) -> list[dict]:
    filters: list[dict] = [{"term": {"status": "active"}}]
    if req.categories:
        filters.append({"terms": {"category_tree": list(req.categories)}})
    if req.needs:
        filters.append({"terms": {"needs": list(req.needs)}})
    if req.language:
        match = {"term": {"languages": req.language}}
        if req.language == "en":
            # A directory that lists no language is taken to serve in English.
            match = {
                "bool": {
                    "should": [match, {"bool": {"must_not": {"exists": {"field": "languages"}}}}]
                }
            }
        filters.append(match)
    if req.age is not None:
        filters.append({"bool": {"must_not": eligibility.age_limits_exclude(req.age)}})
    if req.free:
        filters.append({"term": {"fees": "free"}})
    if req.open_now:
        filters.append(open_now_filter(now, timezones))
    if req.place is not None:
        filters.append(place_filter(req.place, req.radius_miles))
    return filters


def text_query(req: SearchRequest) -> dict:
    """Typo-tolerant text match, or any category recognised in the words used."""
    if not req.q:
        return {"match_all": {}}
    should: list[dict] = [
        {
            "multi_match": {
                "query": req.q,
                "fields": TEXT_FIELDS,
                "fuzziness": "AUTO",
                "prefix_length": 1,
                "minimum_should_match": "2<75%",
            }
        }
    ]
    recognised = sorted({m.category for m in req.recognised})
    if recognised:
        # A category named in the words used is the strongest signal: a flat score above
        # what a text match alone reaches, so "food bank" puts food pantries first.
        should.append(
            {"constant_score": {"filter": {"terms": {"category_tree": recognised}}, "boost": 20.0}}
        )
    return {"bool": {"should": should, "minimum_should_match": 1}}


def build_query(req: SearchRequest, now: datetime, timezones: list[str]) -> dict:
    """The whole search body for Elasticsearch."""
    query: dict = {
        "bool": {"must": [text_query(req)], "filter": build_filters(req, now, timezones)}
    }
    sort: list = ["_score", {"service_name.raw": "asc"}]
    if req.place is not None:
        origin = {"lat": req.place.lat, "lon": req.place.lon}
        if req.sort == "distance":
            sort = [
                {"_geo_distance": {"location": origin, "order": "asc", "unit": "mi"}},
                {"service_name.raw": "asc"},
            ]
        else:
            scale = max(req.radius_miles / 2, 0.5)
            query = {
                "function_score": {
                    "query": query,
                    "functions": [
                        {
                            "filter": within_radius(req.place, req.radius_miles),
                            "gauss": {
                                "location": {
                                    "origin": origin,
                                    "scale": f"{scale}mi",
                                    "offset": "0.5mi",
                                    "decay": 0.5,
                                }
                            },
                        },
                        # Services that reach the place from elsewhere (phone, online, statewide)
                        # rank as if at the edge of the scale: relevant, not beating nearby doors.
                        {"weight": 0.5},
                    ],
                    "score_mode": "first",
                    "boost_mode": "multiply",
                }
            }
    elif req.sort == "distance":
        sort = [{"service_name.raw": "asc"}]
    return {
        "query": query,
        "sort": sort,
        "from": (req.page - 1) * req.per_page,
        "size": req.per_page,
        "track_total_hits": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
        "aggs": {name: {"terms": {"field": f, "size": 100}} for name, f in FACETS.items()},
    }


def _area_served(
    doc: dict, place: Place | None, distance: dict | None, radius_miles: float
) -> str | None:
    """Which of the place's areas a service serves, when it is not simply within the radius."""
    if place is None or (distance is not None and distance["miles"] <= radius_miles):
        return None
    keys = set(place.area_keys())
    for area in doc.get("service_areas") or ():
        if area in keys:
            kind = area.split(":")[0]
            return "nationwide" if kind == "nationwide" else AREA_LABELS[kind]
    return None


def shape_result(doc: dict, req: SearchRequest, taxonomy: Taxonomy, now: datetime) -> dict:
    """One search result: what a case manager needs to refer, and why it matched."""
    why: list[str] = []
    doc_tree = set(doc.get("category_tree") or ())
    for match in req.recognised:
        if match.category in doc_tree:
            why.append(
                f"category: {taxonomy.categories[match.category].name} (from '{match.term}')"
            )
    for code in req.categories:
        if code in doc_tree:
            why.append(f"category: {taxonomy.categories[code].name}")
    for need in req.needs:
        if need in (doc.get("needs") or ()):
            why.append(f"addresses need: {need}")
    if why and doc.get("category_source") == "inferred":
        # The source gave no category: the match rests on the record's words (indexer.infer).
        why.append(f"inferred from its {doc.get('category_inferred_from') or 'description'}")
    confidential = bool(doc.get("confidential"))
    distance = None
    if confidential:
        # Distance from several places would give the address away.
        why.append("location kept confidential")
    elif req.place is not None and doc.get("location"):
        miles = miles_between(
            (req.place.lat, req.place.lon), (doc["location"]["lat"], doc["location"]["lon"])
        )
        distance = {"miles": round(miles, 1), "km": round(miles * METERS_PER_MILE / 1000, 1)}
        why.append(f"{distance['miles']} mi away")
    served = _area_served(doc, req.place, distance, req.radius_miles)
    if served:
        why.append("serves nationwide" if served == "nationwide" else f"serves {served}")
    tz = doc.get("timezone")
    schedule = doc.get("schedule") or []
    open_now = hours.is_open(doc.get("open_minutes") or [], tz, now) if (tz and schedule) else None
    if open_now:
        why.append("open now")
    if req.language and req.language in (doc.get("languages") or ()):
        why.append(f"speaks {language_name(req.language)}")
    if req.age is not None:
        why.append(f"serves age {req.age}")
    if req.free and doc.get("fees") == "free":
        why.append("free")
    return {
        "id": doc["id"],
        "service_name": doc["service_name"],
        "organization_name": doc.get("organization_name"),
        "description": doc.get("description"),
        "categories": [
            {"code": c, "name": taxonomy.categories[c].name}
            for c in doc.get("categories") or ()
            if c in taxonomy
        ],
        "needs": doc.get("needs") or [],
        "distance": distance,
        "address": None if confidential else doc.get("address"),
        "confidential_address": confidential,
        "serves_area": served,
        "delivery": doc.get("delivery") or [],
        "phones": doc.get("phones") or [],
        "hours_today": hours.hours_today(schedule, tz, now) if tz else None,
        "open_now": open_now,
        "timezone": tz,
        "languages": doc.get("languages") or [],
        "languages_text": doc.get("languages_text"),
        "interpretation": bool(doc.get("interpretation")),
        "hours_text": doc.get("hours_text"),
        "service_area_text": doc.get("service_area_text"),
        "fees": doc.get("fees"),
        "eligibility": {
            k: v for k, v in (doc.get("eligibility") or {}).items() if k != "description"
        },
        "url": doc.get("url"),
        "application_process": doc.get("application_process"),
        "required_documents": doc.get("required_documents") or [],
        "accessibility": doc.get("accessibility") or [],
        "notice": current_notice(doc.get("notice"), tz, now),
        "why": why,
    }


def current_notice(notice: dict | None, tz: str | None, now: datetime) -> str | None:
    """A dated notice's text while it is current (from `starts` to `ends`, both days included,
    in the service's own time zone); None before, after, or without one."""
    if not notice or not notice.get("text"):
        return None
    today = (now.astimezone(ZoneInfo(tz)) if tz else now).date().isoformat()
    if (notice.get("starts") or today) <= today <= (notice.get("ends") or today):
        return notice["text"]
    return None


def shape_facets(aggregations: dict, taxonomy: Taxonomy) -> dict:
    facets = {}
    for name in FACETS:
        buckets = (aggregations or {}).get(name, {}).get("buckets", [])
        entries = []
        for b in buckets:
            entry = {"value": b["key"], "count": b["doc_count"]}
            if name == "categories" and b["key"] in taxonomy:
                entry["name"] = taxonomy.categories[b["key"]].name
            if name == "languages":
                entry["name"] = language_name(b["key"])
            entries.append(entry)
        facets[name] = entries
    return facets


def strip_confidential(doc: dict) -> dict:
    """A full record as returned by the API: never the address of a confidential location."""
    doc = {k: v for k, v in doc.items() if k != "open_minutes"}
    if doc.get("confidential"):
        doc["address"] = None
        doc["location"] = None
    return doc
