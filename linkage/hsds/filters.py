"""The Elasticsearch filters the HSDS API's parameters become: pure functions from a
parameter's value to a query clause, tested without a cluster. All combine as AND.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from linkage import places
from linkage.hsds.conventions import (
    CATEGORIES,
    ELIGIBILITY,
    FEES,
    INCOME,
    OPEN_ELIGIBILITY,
    TAXONOMY_211,
)
from linkage.hsds.terms import Term
from linkage.search import reach
from linkage.search.queries import SearchRequest, text_query


def parse_modified_after(value: str) -> date:
    """A date or datetime (ISO 8601) → the UTC date records must be verified on or after."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"out of range: {value!r}") from None
    return moment.date()


def text_filter(text: str) -> dict:
    """`search`: the main search's matching of words (linkage.search.queries.text_query:
    stemmed, exact, Spanish, either spelling, and typo-tolerant), as a filter."""
    return {"bool": {"filter": [text_query(SearchRequest(q=text))]}}


def bool_query(filters: list[dict], must_not: list[dict] | None = None) -> dict:
    if not filters and not must_not:
        return {"match_all": {}}
    return {"bool": {"filter": filters, "must_not": must_not or []}}


def proximity_filter(place: places.Place, metres: float) -> dict:
    """Within `metres` of the place. A confidential location counts as at its ZIP code's
    centroid: measured to the metre, the distance from a few places would give it away."""
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "filter": [
                            {
                                "geo_distance": {
                                    "distance": f"{metres}m",
                                    "location": {"lat": place.lat, "lon": place.lon},
                                }
                            }
                        ],
                        "must_not": [{"term": {"confidential": True}}],
                    }
                },
                {
                    "bool": {
                        "filter": [
                            {"term": {"confidential": True}},
                            {
                                "terms": {
                                    "address.postal_code": places.zips_within(
                                        place.lat, place.lon, metres
                                    )
                                }
                            },
                        ]
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def service_area_filter(place: places.Place) -> dict:
    """A service that states service areas must serve the place; one that states none may."""
    return {
        "bool": {
            "should": [
                {"bool": {"must_not": [{"exists": {"field": "service_areas"}}]}},
                reach.serving(place),
            ],
            "minimum_should_match": 1,
        }
    }


def postcode_filter(place: places.Place) -> dict:
    """`postcode` alone: services at the ZIP code (their address's) or serving it (a service
    area that holds it: the ZIP, its county, its state, or nationwide)."""
    return {
        "bool": {
            "should": [
                {"term": {"address.postal_code": place.postal_code}},
                reach.serving(place),
            ],
            "minimum_should_match": 1,
        }
    }


def term_filter(term: Term) -> dict:
    """Documents filed under a term; a parent category includes its children."""
    if term.taxonomy == CATEGORIES:
        return {"term": {"category_tree": term.code}}
    if term.taxonomy == ELIGIBILITY:
        if term.code == INCOME:
            return {"exists": {"field": "eligibility.income_max_fpl"}}
        return {"term": {"eligibility.tags": term.code}}
    if term.taxonomy == FEES:
        return {"term": {"fees": term.code}}
    if term.taxonomy == TAXONOMY_211:
        return {"term": {"codes_211": term.code}}
    if term.taxonomy == OPEN_ELIGIBILITY:  # `CODE<tab>name`: any name the code was given
        return {"prefix": {"open_eligibility_terms": f"{term.code}\t"}}
    return {"term": {"confidential": True}}


def taxonomy_filter(name: str) -> dict:
    """Documents carrying any term of the taxonomy."""
    if name == CATEGORIES:
        return {"exists": {"field": "categories"}}
    if name == ELIGIBILITY:
        return {
            "bool": {
                "should": [
                    {"exists": {"field": "eligibility.tags"}},
                    {"exists": {"field": "eligibility.income_max_fpl"}},
                ],
                "minimum_should_match": 1,
            }
        }
    if name == FEES:
        return {"exists": {"field": "fees"}}
    if name == TAXONOMY_211:
        return {"exists": {"field": "codes_211"}}
    if name == OPEN_ELIGIBILITY:
        return {"exists": {"field": "open_eligibility_terms"}}
    return {"term": {"confidential": True}}
