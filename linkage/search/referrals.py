"""Referrals for a client's needs: the match queries sent together, and their results shaped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from linkage.search import match, reach
from linkage.search.eligibility import Client
from linkage.search.index import ResourceIndex
from linkage.search.match import NeedGroup
from linkage.search.phrases import DEFAULT_LANG, phrases
from linkage.taxonomy import Taxonomy

# How many extra hits to fetch so that excluded services can be shown beside the eligible.
INELIGIBLE_HEADROOM = 25
# How many of a need's services to judge when the client qualifies for none (reasons counted).
EXCLUDED_EXAMINED = 200


@dataclass(frozen=True)
class MatchOptions:
    radius_miles: float
    per_need: int = 5
    open_now: bool = False
    include_ineligible: bool = False
    # Where to look when nothing is within the radius (Settings.nearest_*).
    nearest_radius_factor: float = field(kw_only=True)
    nearest_max_miles: float = field(kw_only=True)
    lang: str = field(default=DEFAULT_LANG, kw_only=True)  # the display language (phrases)


def find_referrals(
    index: ResourceIndex,
    taxonomy: Taxonomy,
    groups: list[NeedGroup],
    client: Client,
    options: MatchOptions,
    now: datetime,
) -> list[dict]:
    """Per need, the ranked resources the client can use; one _msearch for all needs, and one
    more only for needs with nothing within the radius (the nearest beyond it)."""
    if not groups:
        return []
    size = options.per_need + (INELIGIBLE_HEADROOM if options.include_ineligible else 0)
    timezones = index.timezones()
    searches: list[dict] = []
    for g in groups:
        searches += [{}, match.need_query(g, client, options.radius_miles, now, timezones, size,
                                          options.open_now, options.include_ineligible)]  # fmt: skip
    responses = index.msearch(searches)
    client_needs = {g.need_code: g.label for g in groups if g.need_code}
    words = phrases(options.lang)

    def shape(hits: list[dict], g: NeedGroup, radius_miles: float = options.radius_miles):
        return [
            match.shape_referral(
                h["_source"], g, client, radius_miles, taxonomy, now, client_needs, words
            )
            for h in hits
        ]

    referrals, empty = [], []
    for g, response in zip(groups, responses, strict=True):
        shaped = shape(response["hits"]["hits"], g)
        entry = {
            "need": g.key,
            "label": g.label,
            "need_code": g.need_code,
            "categories": list(g.categories),
            "total": response["hits"]["total"]["value"],
            "resources": [r for r in shaped if r["eligible"]][: options.per_need],
            "nearest_outside_radius": [],
            "wider_radius_miles": None,
            "excluded_reasons": [],
            "message": None,
        }
        if options.include_ineligible:
            entry["excluded"] = [r for r in shaped if not r["eligible"]][: options.per_need]
        if not entry["resources"] and client.place is not None:
            empty.append((g, entry))
        referrals.append(entry)
    if empty:
        _nearest(index, empty, client, options, shape)
    # Nothing found anywhere: say how many the directory has and why they exclude the client.
    nothing = words.say("messages", "nothing_in_directory")
    unfound = [
        (g, e)
        for g, e in zip(groups, referrals, strict=True)
        if not e["resources"] and not e["nearest_outside_radius"]
        and (client.place is None or e["message"] == nothing)
    ]  # fmt: skip
    if unfound:
        _none_eligible(index, taxonomy, unfound, client, words)
    return referrals


def _none_eligible(
    index: ResourceIndex, taxonomy: Taxonomy, unfound: list, client: Client, words
) -> None:
    """Every service for each need, judged against the client: one _msearch."""
    searches = []
    for g, _ in unfound:
        searches += [{}, match.all_for_need_query(g, EXCLUDED_EXAMINED)]
    for (_, entry), response in zip(unfound, index.msearch(searches), strict=True):
        docs = [h["_source"] for h in response["hits"]["hits"]]
        total = response["hits"]["total"]["value"]
        eligible, reasons = match.excluded_reasons(docs, client, taxonomy, words)
        if client.place is None and eligible:
            continue  # she qualifies for some (only open-now, say, left none)
        entry["excluded_reasons"] = reasons
        entry["message"] = match.none_eligible_message(total, len(docs), eligible, reasons, words)


def _nearest(
    index: ResourceIndex, empty: list, client: Client, options: MatchOptions, shape
) -> None:
    """For each need with nothing within the radius: the nearest within bounds (their reach
    judged against the distance looked), else a wider radius that finds one. One _msearch."""
    radius_miles = options.radius_miles
    say = phrases(options.lang).say
    bound = reach.nearest_bound_miles(
        radius_miles, options.nearest_radius_factor, options.nearest_max_miles
    )
    searches = []
    for g, _ in empty:
        searches += [{}, match.nearest_query(g, client, bound), {}, match.farther_query(g, client)]
    responses = index.msearch(searches)
    for n, (g, entry) in enumerate(empty):
        nearest, farther = responses[2 * n], responses[2 * n + 1]
        entry["nearest_outside_radius"] = shape(nearest["hits"]["hits"], g, bound)
        if entry["nearest_outside_radius"]:
            entry["message"] = say(
                "messages", "nearest_outside", radius=f"{radius_miles:g}", bound=f"{bound:g}"
            )
            continue
        hits = farther["hits"]["hits"]
        wider = reach.suggested_radius(hits[0]["sort"][0]) if hits else None
        entry["wider_radius_miles"] = wider
        if wider is not None:
            entry["message"] = say(
                "messages", "wider_radius", bound=f"{bound:g}", wider=f"{wider:g}"
            )
        elif hits:
            widest = f"{reach.WIDEST_RADIUS_MILES:g}"
            entry["message"] = say(
                "messages", "none_within_widest", bound=f"{bound:g}", widest=widest
            )
        else:
            entry["message"] = say("messages", "nothing_in_directory")
