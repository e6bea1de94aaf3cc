"""Matching: for each need, the few nearby resources this client can use. Pure functions.

One Elasticsearch query per need, sent together in one _msearch. Ranking per need, in order
of weight: speaks one of the client's languages, distance (decay within the radius), fit of the
service's category to the need, open now or soon, verified in the past year. Eligibility is a filter (see linkage.eligibility).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from linkage.screening.needs import Need
from linkage.search import eligibility, hybrid, queries, reach, results
from linkage.search.eligibility import Client
from linkage.search.filters import ACTIVE_ONLY, build_filters, open_now_filter
from linkage.search.phrases import Phrases, phrases
from linkage.search.reach import within_radius
from linkage.taxonomy import Taxonomy

LANGUAGE_WEIGHT = 100.0  # above everything else together: her language first
DISTANCE_WEIGHT = 10.0
FIT_WEIGHT = 5.0  # the service's own category is chiefly for this need
OPEN_SOON_WEIGHT = 3.0  # open now or within the next two hours
OPEN_SOON_MINUTES = 120
VERIFIED_WEIGHT = 1.0
# Carrying one of the need's categories, above a record only its words and meaning find
# (linkage.hybrid), at equal distance; below the client's language.
HOLDER_WEIGHT = 8.0
NEAREST_OUTSIDE = 3  # offered when nothing is found within the radius


@dataclass(frozen=True)
class NeedGroup:
    """What one list of referrals answers: an assessed need, or a need or category named."""

    key: str
    label: str
    need_code: str | None
    categories: tuple[str, ...]
    primary: tuple[str, ...]  # categories chiefly for this need (it is listed first)
    # Its meaning: records that carry its categories, or whose words and meaning match it.
    meaning: hybrid.Meaning

    @property
    def filter(self) -> dict:
        """The records that carry the group's categories."""
        return self.meaning.holders


def groups_for(
    needs: list[Need],
    named: list[str],
    taxonomy: Taxonomy,
    vocabulary: dict,
    words: Phrases | None = None,
) -> list[NeedGroup]:
    """The lists of referrals to find, labelled in the display language of `words`."""
    words = words or phrases()
    groups: dict[str, NeedGroup] = {}
    for need in needs:
        label = words.need_label(vocabulary, need.code, need.label)
        groups.setdefault(need.key, _need_group(need.key, label, need.code, taxonomy))
    for code in named:
        if code in groups:
            continue
        if code in taxonomy:
            meaning = hybrid.category_meaning(taxonomy, code)
            name = words.category(taxonomy, code)
            groups[code] = NeedGroup(code, name, None, (code,), (), meaning)
        else:
            label = words.need_label(vocabulary, code, code)
            groups[code] = _need_group(code, label, code, taxonomy)
    return list(groups.values())


def _need_group(key: str, label: str, code: str, taxonomy: Taxonomy) -> NeedGroup:
    addressing = tuple(taxonomy.categories_for_need(code))
    meaning = hybrid.need_meaning(taxonomy, code)
    primary = meaning.categories  # the categories chiefly for the need
    return NeedGroup(key, label, code, addressing, primary, meaning)


def need_clause(group: NeedGroup) -> dict:
    """What a record must be to answer the group: carry its categories, or be found by its
    words and meaning."""
    return hybrid.meaning_clause(group.meaning, "hybrid")


def ranking_functions(
    group: NeedGroup, client: Client, radius_miles: float, now: datetime, timezones: list[str]
) -> list[dict]:
    functions: list[dict] = []
    if client.languages:
        functions.append(
            {"filter": {"terms": {"languages": list(client.languages)}}, "weight": LANGUAGE_WEIGHT}
        )
    if client.place is not None:
        functions.append(
            {
                "filter": within_radius(client.place, radius_miles),
                "gauss": {
                    "location": {
                        "origin": {"lat": client.place.lat, "lon": client.place.lon},
                        "scale": f"{max(radius_miles / 2, 0.5)}mi",
                        "offset": "0.5mi",
                    }
                },
                "weight": DISTANCE_WEIGHT,
            }
        )
    if group.primary:
        functions.append(
            {"filter": {"terms": {"categories": list(group.primary)}}, "weight": FIT_WEIGHT}
        )
    functions.append({"filter": group.filter, "weight": HOLDER_WEIGHT})
    if timezones:
        soon = open_now_filter(now, timezones, OPEN_SOON_MINUTES)
        functions.append({"filter": soon, "weight": OPEN_SOON_WEIGHT})
    functions.append(
        {"filter": {"range": {"last_verified": {"gte": "now-365d/d"}}}, "weight": VERIFIED_WEIGHT}
    )
    return functions


def need_query(
    group: NeedGroup,
    client: Client,
    radius_miles: float,
    now: datetime,
    timezones: list[str],
    size: int,
    open_now: bool = False,
    include_ineligible: bool = False,
) -> dict:
    """The search for one need's referrals."""
    filters = build_filters(
        now, timezones, place=client.place, radius_miles=radius_miles, open_now=open_now
    )
    if not include_ineligible:
        filters.extend(eligibility.filters(client))
    sort: list = ["_score"]
    if client.place is not None:
        sort.append(_nearest_first(client))
    sort.append({"service_name.raw": "asc"})
    return {
        "query": {
            "function_score": {
                "query": {"bool": {"must": [need_clause(group)], "filter": filters}},
                "functions": ranking_functions(group, client, radius_miles, now, timezones),
                "score_mode": "sum",
                "boost_mode": "replace",
            }
        },
        "sort": sort,
        "size": size,
        "track_total_hits": True,
        "_source": {"excludes": queries.SOURCE_EXCLUDES},
    }


def _nearest_first(client: Client) -> dict:
    location = {"lat": client.place.lat, "lon": client.place.lon}
    return {"_geo_distance": {"location": location, "order": "asc"}}


def nearest_query(group: NeedGroup, client: Client, bound_miles: float) -> dict:
    """Nothing within the radius: the nearest ones the client qualifies for within
    `bound_miles` in the client's own state, or serving the client's area — never another
    state's local services (a pantry 600 miles away is no referral)."""
    place = client.place
    nearby: dict = within_radius(place, bound_miles)
    if place.state:
        # Another state's address is out; a location without a state is judged by distance.
        in_state = {"term": {"address.state": place.state}}
        no_state = {"bool": {"must_not": {"exists": {"field": "address.state"}}}}
        nearby = {
            "bool": {
                "filter": [nearby],
                "should": [in_state, no_state],
                "minimum_should_match": 1,
            }
        }
    serving = reach.serving(place)
    reachable = {"bool": {"should": [nearby, serving], "minimum_should_match": 1}}
    filters = [_qualifying(group, client), reachable]
    return {
        "query": {"bool": {"filter": filters}},
        "sort": [_nearest_first(client)],
        "size": NEAREST_OUTSIDE,
        "_source": {"excludes": queries.SOURCE_EXCLUDES},
    }


def farther_query(group: NeedGroup, client: Client) -> dict:
    """The distance to the nearest located service the client qualifies for, however far
    (for a wider radius to suggest when there is nothing nearby): its sort value, in miles."""
    location = {"lat": client.place.lat, "lon": client.place.lon}
    filters = [_qualifying(group, client), {"exists": {"field": "location"}}]
    return {
        "query": {"bool": {"filter": filters}},
        "sort": [{"_geo_distance": {"location": location, "order": "asc", "unit": "mi"}}],
        "size": 1,
        "_source": False,
    }


def all_for_need_query(group: NeedGroup, size: int) -> dict:
    """Every active service for the need, whoever it is for and wherever it is: when the client
    qualifies for none, what they are and why they exclude her (counted by the caller)."""
    return {
        "query": {"bool": {"filter": [ACTIVE_ONLY, need_clause(group)]}},
        "size": size,
        "track_total_hits": True,
        "_source": {"excludes": queries.SOURCE_EXCLUDES},
    }


def excluded_reasons(
    docs: list[dict], client: Client, taxonomy: Taxonomy, words: Phrases | None = None
) -> tuple[int, list]:
    """How many of these services the client is eligible for, and why the others exclude
    her: each reason with the number of services it excludes, most first."""
    words = words or phrases()
    tag_names = words.tag_names(taxonomy)
    eligible, counts = 0, {}
    for doc in docs:
        judgement = eligibility.judge(doc, client, tag_names, words)
        eligible += judgement.eligible
        for reason in dict.fromkeys(judgement.excluded_because):
            counts[reason] = counts.get(reason, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return eligible, [{"reason": reason, "services": n} for reason, n in ranked]


def none_eligible_message(
    total: int, examined: int, eligible: int, reasons: list[dict], words: Phrases | None = None
) -> str:
    """What to say when no referral is found anywhere: how many services the directory has for
    the need, and why they exclude the client (counted)."""
    say = (words or phrases()).say
    if not total:
        return say("messages", "nothing_in_directory")
    services = (
        say("messages", "one_service") if total == 1 else say("messages", "services", n=total)
    )
    if eligible:
        return say(
            "messages",
            "eligible_none_reachable",
            services=services,
            eligible=eligible,
            examined=examined,
        )
    counted = "; ".join(f"{r['reason']}: {r['services']}" for r in reasons)
    if examined < total:
        of = say("messages", "of_the_first", examined=examined, counted=counted)
    else:
        of = say("messages", "counted", counted=counted)
    return say("messages", "none_eligible", services=services, of=of)


def _qualifying(group: NeedGroup, client: Client) -> dict:
    """Active, for the need, and the client qualifies."""
    qualifying = [ACTIVE_ONLY, *eligibility.filters(client)]
    return {"bool": {"filter": [*qualifying, need_clause(group)]}}


def shape_referral(
    doc: dict,
    group: NeedGroup,
    client: Client,
    radius_miles: float,
    taxonomy: Taxonomy,
    now: datetime,
    client_needs: dict[str, str],
    words: Phrases | None = None,
) -> dict:
    """One referral: the resource as search shapes it, plus why it fits this need and this
    client, in the display language of `words` (English by default)."""
    words = words or phrases()
    say = words.say
    spoken = next((lang for lang in client.languages if lang in (doc.get("languages") or ())), None)
    result = results.shape_resource(
        doc,
        taxonomy,
        now,
        place=client.place,
        radius_miles=radius_miles,
        language=spoken,
        words=words,
    )
    fitting = [
        c
        for c in doc.get("categories") or ()
        if set(taxonomy.ancestors_and_self(c)) & set(group.categories)
    ]
    why = [
        say("why", "need_category", need=group.label, category=words.category(taxonomy, c))
        for c in fitting[:2]
    ] or [say("why", "addresses", need=group.label.lower())]
    judgement = eligibility.judge(doc, client, words.tag_names(taxonomy), words)
    why += [say("why", "eligible", reason=r) for r in judgement.reasons]
    why += result["why"]
    if client.languages and spoken is None:
        names = ", ".join(words.language(lang) for lang in client.languages)
        why.append(say("why", "does_not_list", languages=names))
    also = [
        label
        for code, label in client_needs.items()
        if code != group.need_code and code in (doc.get("needs") or ())
    ]
    result.update(
        why=why,
        eligible=judgement.eligible,
        excluded_because=judgement.excluded_because,
        check_eligibility=judgement.check,
        also_addresses=also,
    )
    return result
