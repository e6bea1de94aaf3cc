"""Results: Elasticsearch hits → what the API returns. Pure functions.

One resource is shaped once (`shape_resource`: what a case manager needs to refer, and where
and when it is), for search and for match alike; each adds its own reasons to its `why`:
search what in the request it matched (`shape_result`), match how it fits the need and the
client (linkage.search.match). A search's whole page is `search_page`; a full record as the API
returns it is `public_fields`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from linkage import hours
from linkage.places import METERS_PER_MILE, Place, miles_between
from linkage.search import facets, hybrid, reach
from linkage.search.document import NOT_PUBLIC
from linkage.search.phrases import Phrases, phrases
from linkage.search.queries import MATCHED_WORD, SearchRequest
from linkage.taxonomy import Taxonomy
from linkage.words import meaningful


def search_page(
    req: SearchRequest,
    response: dict,
    taxonomy: Taxonomy,
    now: datetime,
    suggestions: dict | None = None,
    words: Phrases | None = None,
) -> dict:
    """A search's response (SearchOut): the page of results, what the words named, the facets,
    their words in the display language of `words` (English by default)."""
    words = words or phrases()
    total = response["hits"]["total"]["value"]
    return {
        "total": total,
        "page": req.page,
        "per_page": req.per_page,
        "pages": math.ceil(total / req.per_page),
        "place": req.place.__dict__ if req.place else None,
        "radius_miles": req.radius_miles if req.place else None,
        "recognised": [
            {"category": m.category, "name": words.category(taxonomy, m.category), "term": m.term}
            for m in req.recognised
        ],
        "results": [
            shape_result(
                hit["_source"], req, taxonomy, now, hit.get("matched_queries") or (), words
            )
            for hit in response["hits"]["hits"]
        ],
        "facets": facets.shape(response.get("aggregations"), taxonomy, words),
        "suggestions": suggestions,
    }


def shape_result(
    doc: dict,
    req: SearchRequest,
    taxonomy: Taxonomy,
    now: datetime,
    matched: Sequence[str] = (),
    words: Phrases | None = None,
) -> dict:
    """One search result, and why it matched (`matched`: the hit's named queries, for the
    words', semantic and meaning reasons)."""
    words = words or phrases()
    result = shape_resource(
        doc,
        taxonomy,
        now,
        place=req.place,
        radius_miles=req.radius_miles,
        language=req.language,
        words=words,
    )
    asked: list[str] = []
    if req.age is not None:
        asked.append(words.say("why", "serves_age", age=req.age))
    if req.free and doc.get("fees") == "free":
        asked.append(words.say("why", "free"))
    reasons = search_reasons(doc, req, taxonomy, matched, words)
    result["why"] = [*reasons, *result["why"], *asked]
    return result


def search_reasons(
    doc: dict,
    req: SearchRequest,
    taxonomy: Taxonomy,
    matched: Sequence[str],
    words: Phrases | None = None,
) -> list[str]:
    """What of a search a record matched: the categories its words named or were asked for,
    the needs asked for, the words it holds, its meaning."""
    words = words or phrases()
    why: list[str] = []
    doc_tree = set(doc.get("category_tree") or ())
    for match in req.recognised:
        if match.category in doc_tree:
            name = words.category(taxonomy, match.category)
            why.append(words.say("why", "category_from", name=name, term=match.term))
    for code in req.categories:
        if code in doc_tree:
            why.append(words.say("why", "category", name=words.category(taxonomy, code)))
    for need in req.needs:
        if need in (doc.get("needs") or ()):
            why.append(words.say("why", "addresses_need", need=need))
    if why and doc.get("category_source") == "inferred":
        # The source gave no category: the match rests on the record's words (indexer.infer).
        field = words.name("inferred_from", doc.get("category_inferred_from") or "description")
        why.append(words.say("why", "inferred", field=field))
    held = matched_words(matched, req.q, words)
    named = any(m.category in doc_tree for m in req.recognised)
    why += held
    why += hybrid.reasons(matched, doc, req, taxonomy, words, by_words=bool(held) or named)
    return why


def matched_words(matched: Sequence[str], q: str | None, words: Phrases | None = None) -> list[str]:
    """The reason naming the query's words a hit holds, in the query's order: ["matched:
    food, pantry"] or []."""
    names = set(matched)
    found = [w for w in dict.fromkeys(meaningful(q or "")) if MATCHED_WORD + w in names]
    return [(words or phrases()).say("why", "matched", words=", ".join(found))] if found else []


def shape_resource(
    doc: dict,
    taxonomy: Taxonomy,
    now: datetime,
    *,
    place: Place | None,
    radius_miles: float,
    language: str | None = None,
    words: Phrases | None = None,
) -> dict:
    """One resource as search and match return it: what a case manager needs to refer (where
    it is, to map, and its week, to show), and a `why` saying where it is from `place`, whether
    it is open, and that it speaks `language`, in the display language of `words`."""
    words = words or phrases()
    why: list[str] = []
    confidential = bool(doc.get("confidential"))
    distance = miles = None
    if place is not None and doc.get("location"):
        miles = miles_between(
            (place.lat, place.lon), (doc["location"]["lat"], doc["location"]["lon"])
        )
    reached = reach.of(doc, place, radius_miles, miles)
    if confidential:
        # Distance from several places would give the address away.
        why.append(words.say("why", "confidential"))
    elif miles is not None:
        distance = {"miles": round(miles, 1), "km": round(miles * METERS_PER_MILE / 1000, 1)}
        if reached != "remote":  # a phone line's office far away is no reason it matched
            why.append(words.say("why", "miles_away", miles=distance["miles"]))
    served = _area_served(doc, place, distance, radius_miles, words)
    if served:
        why.append(words.say("why", "serves", area=served))
    tz = doc.get("timezone")
    schedule = doc.get("schedule") or []
    open_now = hours.is_open(doc.get("open_minutes") or [], tz, now) if (tz and schedule) else None
    if open_now:
        why.append(words.say("why", "open_now"))
    if language and language in (doc.get("languages") or ()):
        why.append(words.say("why", "speaks", language=words.language(language)))
    return {
        "id": doc["id"],
        "source": doc.get("source"),
        "source_id": (doc.get("source_ids") or {}).get("service"),
        "service_name": doc["service_name"],
        "organization_name": doc.get("organization_name"),
        "description": doc.get("description"),
        "categories": [
            {"code": c, "name": words.category(taxonomy, c)}
            for c in doc.get("categories") or ()
            if c in taxonomy
        ],
        "needs": doc.get("needs") or [],
        "distance": distance,
        "address": None if confidential else doc.get("address"),
        # Never the point of a confidential location, nor how exact it is.
        "location": None if confidential else doc.get("location"),
        "location_precision": None if confidential else doc.get("location_precision"),
        "confidential_address": confidential,
        "serves_area": served,
        "delivery": doc.get("delivery") or [],
        "reach": reached,
        "phones": doc.get("phones") or [],
        "hours_today": hours.hours_today(schedule, tz, now) if tz else None,
        "schedule": week_order(schedule),
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
        "last_verified": doc.get("last_verified"),
        "why": why,
    }


def week_order(schedule: list[dict]) -> list[dict]:
    """The weekly periods from Monday to Sunday, each day's in opening order."""
    return sorted(schedule, key=lambda p: (hours.DAYS.index(p["day"]), p["opens"]))


def _area_served(
    doc: dict, place: Place | None, distance: dict | None, radius_miles: float, words: Phrases
) -> str | None:
    """Which of the place's areas a service serves, when it is not simply within the radius."""
    if place is None or (distance is not None and distance["miles"] <= radius_miles):
        return None
    keys = set(place.area_keys())
    for area in doc.get("service_areas") or ():
        if area in keys:
            return words.name("areas", area.split(":")[0])
    return None


def current_notice(notice: dict | None, tz: str | None, now: datetime) -> str | None:
    """A dated notice's text while it is current (from `starts` to `ends`, both days included,
    in the service's own time zone); None before, after, or without one."""
    if not notice or not notice.get("text"):
        return None
    today = (now.astimezone(hours.zone(tz)) if tz else now).date().isoformat()
    if (notice.get("starts") or today) <= today <= (notice.get("ends") or today):
        return notice["text"]
    return None


def public_fields(doc: dict) -> dict:
    """A full record as the API returns it: without the internal fields (NOT_PUBLIC), and
    never the address of a confidential location."""
    doc = {k: v for k, v in doc.items() if k not in NOT_PUBLIC}
    if doc.get("confidential"):
        doc["address"] = None
        doc["location"] = None
    return doc
