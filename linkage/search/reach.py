"""Reach: how a service reaches the person searching — from a place near them, by serving their
area, or from anywhere by phone or online. One vocabulary for search, its ranking and match.

- `local`: it has an in-person place within the radius.
- `area`: not local; it has an in-person place elsewhere, and its service area holds the
  person's ZIP code, county or state (a city's service area is read as its ZIP codes).
- `remote`: anything else that reaches them: no in-person place (phone, online or virtual
  only), or an in-person place elsewhere that serves them only as part of `nationwide`.

Pure functions: the classification of one document (`of`) and the same three sets as
Elasticsearch filters (`filters`) agree, so a result's `reach` is what ranked and filtered it.
"""

from __future__ import annotations

import math

from linkage.places import NATIONWIDE, Place

REACHES = ("local", "area", "remote")

# Factors on a result's relevance: at comparable relevance local before area before remote.
# A local service's factor falls with distance from LOCAL_WEIGHT (at the place) to
# LOCAL_WEIGHT * LOCAL_EDGE_DECAY at the radius, never below area's.
LOCAL_WEIGHT = 2.0
LOCAL_EDGE_DECAY = 0.5
AREA_WEIGHT = 0.6
# A remote service serving the person's own ZIP code, county or state (a state's hotline)
# before one that serves them as part of the nation.
REMOTE_SERVING_WEIGHT = 0.4
REMOTE_WEIGHT = 0.3

# "Nearest outside the radius" looks no further than this (and at the services serving the
# area); a wider radius is suggested up to the API's largest.
WIDEST_RADIUS_MILES = 500.0
_SUGGESTED_STEPS = (5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400, 500)


def area_keys(place: Place) -> list[str]:
    """The service-area keys of the place itself (ZIP code, county, state), without
    `nationwide`: what `area` means."""
    return [k for k in place.area_keys() if k != NATIONWIDE]


def of(doc: dict, place: Place | None, radius_miles: float, miles: float | None) -> str | None:
    """The reach of one document for a search around `place` (`miles`: its distance, None
    without a location); None without a place."""
    if place is None:
        return None
    in_person = "in_person" in (doc.get("delivery") or ())
    if in_person and miles is not None and miles <= radius_miles:
        return "local"
    if in_person and set(doc.get("service_areas") or ()) & set(area_keys(place)):
        return "area"
    return "remote"


def within_radius(place: Place, radius_miles: float) -> dict:
    return {
        "geo_distance": {
            "distance": f"{radius_miles}mi",
            "location": {"lat": place.lat, "lon": place.lon},
        }
    }


# The nation's services are the same in every search: a clause of their own, which the node's
# query cache keeps, where a clause naming them beside the place's own keys differs from place
# to place and is read afresh (at a million services, a fifth of a search's time).
SERVES_NATION = {"term": {"service_areas": NATIONWIDE}}


def serves_area(place: Place) -> dict:
    """Records whose service areas hold the place's ZIP code, county or state."""
    return {"terms": {"service_areas": area_keys(place)}}


def serving(place: Place) -> dict:
    """Records whose service areas hold the place: its ZIP code, county, state, or nationwide."""
    return {"bool": {"should": [serves_area(place), SERVES_NATION], "minimum_should_match": 1}}


def place_filter(place: Place, radius_miles: float) -> dict:
    """Within the radius, or serving an area that contains the place (as 211 search does):
    statewide, phone and online services count wherever their office is."""
    return {
        "bool": {
            "should": [within_radius(place, radius_miles), serves_area(place), SERVES_NATION],
            "minimum_should_match": 1,
        }
    }


def filters(place: Place, radius_miles: float) -> dict[str, dict]:
    """Each reach as an Elasticsearch filter (the sets `of` tells apart)."""
    in_person = {"term": {"delivery": "in_person"}}
    near = within_radius(place, radius_miles)
    serves = serves_area(place)
    return {
        "local": {"bool": {"filter": [in_person, near]}},
        "area": {"bool": {"filter": [in_person, serves], "must_not": [near]}},
        # Not local and not area: no in-person place, or neither near nor serving the area.
        "remote": {
            "bool": {
                "should": [
                    {"bool": {"must_not": [in_person]}},
                    {"bool": {"must_not": [near, serves]}},
                ],
                "minimum_should_match": 1,
            }
        },
    }


def any_of(by_reach: dict[str, dict], reaches: tuple[str, ...]) -> dict:
    """Only the reaches asked for (any of them), of the filters `filters` built."""
    return {"bool": {"should": [by_reach[r] for r in reaches], "minimum_should_match": 1}}


def request_filter(place: Place, radius_miles: float, reaches: tuple[str, ...]) -> dict:
    """Only the reaches asked for (any of them), around `place`."""
    return any_of(filters(place, radius_miles), reaches)


def score_functions(place: Place, radius_miles: float) -> list[dict]:
    """function_score functions (score_mode `first`: the first whose filter matches) giving each
    result its reach's factor. In this order the filters need not exclude each other, so each
    document's distance is computed once."""
    in_person = {"term": {"delivery": "in_person"}}
    serves = serves_area(place)
    offset = min(0.5, radius_miles / 2)
    return [
        {
            "filter": {"bool": {"filter": [in_person, within_radius(place, radius_miles)]}},
            "gauss": {
                "location": {
                    "origin": {"lat": place.lat, "lon": place.lon},
                    "scale": f"{radius_miles - offset}mi",
                    "offset": f"{offset}mi",
                    "decay": LOCAL_EDGE_DECAY,
                }
            },
            "weight": LOCAL_WEIGHT,
        },
        {"filter": {"bool": {"filter": [in_person, serves]}}, "weight": AREA_WEIGHT},
        {"filter": serves, "weight": REMOTE_SERVING_WEIGHT},
        {"weight": REMOTE_WEIGHT},
    ]


def facet_aggregation(by_reach: dict[str, dict]) -> dict:
    """Counts by reach in one filters aggregation (of the filters `filters` built); remote is
    what is neither local nor area."""
    return {
        "filters": {
            "filters": {"local": by_reach["local"], "area": by_reach["area"]},
            "other_bucket_key": "remote",
        }
    }


def shape_facet(aggregation: dict | None) -> list[dict]:
    """The reach facet's counts, in REACHES order (linkage.search.facets names them)."""
    buckets = (aggregation or {}).get("buckets") or {}
    return [{"value": r, "count": buckets[r]["doc_count"]} for r in REACHES if r in buckets]


def nearest_bound_miles(radius_miles: float, factor: float, max_miles: float) -> float:
    """How far "nearest outside the radius" looks: `factor` times the radius, at most
    `max_miles` (and never less than the radius itself)."""
    return max(radius_miles, min(radius_miles * factor, max_miles))


def suggested_radius(miles: float) -> float | None:
    """A round radius that reaches a service `miles` away; None beyond the widest allowed."""
    return next((float(s) for s in _SUGGESTED_STEPS if s >= math.ceil(miles * 100) / 100), None)
