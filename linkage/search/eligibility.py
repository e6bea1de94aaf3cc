"""Client eligibility for a service: Elasticsearch filters and plain-words reasons. Pure functions.

Missing data never excludes: a service that states no limit serves everyone, and a client
attribute nobody gave is never assumed. What cannot be decided is shown as "check eligibility".
The filters and `judge` encode the same rules; a test checks they agree on every sample service.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from linkage.places import Place
from linkage.search.phrases import Phrases, phrases

SENIOR_AGE = 60  # the age most senior programs (Older Americans Act) start at
YOUTH_MAX_AGE = 24  # youth programs (runaway and homeless youth) serve up to 24


@dataclass(frozen=True)
class Client:
    """What the case manager told us about the client; every field optional. Never logged."""

    place: Place | None = None
    age: int | None = None
    poverty_percent: float | None = None
    veteran: bool | None = None
    languages: tuple[str, ...] = ()
    tags: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Judgement:
    eligible: bool = True
    reasons: list[str] = field(default_factory=list)  # why the client qualifies
    excluded_because: list[str] = field(default_factory=list)
    check: list[str] = field(default_factory=list)  # what the case manager should confirm


def age_limits_exclude(age: int) -> list[dict]:
    """Clauses for must_not: a stated minimum or maximum age the client falls outside.
    A missing limit matches."""
    return [
        {"range": {"eligibility.min_age": {"gt": age}}},
        {"range": {"eligibility.max_age": {"lt": age}}},
    ]


def filters(client: Client) -> list[dict]:
    """Elasticsearch filters excluding services the client is known not to qualify for."""
    out: list[dict] = []
    must_not: list[dict] = []
    if client.age is not None:
        must_not += age_limits_exclude(client.age)
        if client.age < SENIOR_AGE:
            must_not.append({"term": {"eligibility.tags": "seniors"}})
        if client.age > YOUTH_MAX_AGE:
            must_not.append({"term": {"eligibility.tags": "youth"}})
    if client.poverty_percent is not None:
        must_not.append({"range": {"eligibility.income_max_fpl": {"lt": client.poverty_percent}}})
    if client.veteran is False:
        must_not.append({"term": {"eligibility.tags": "veterans"}})
    if must_not:
        out.append({"bool": {"must_not": must_not}})
    return out


def judge(
    doc: dict, client: Client, tag_names: dict[str, str], words: Phrases | None = None
) -> Judgement:
    """Whether the client qualifies for this service, and why, in words a case manager uses
    (in the display language of `words`, English by default; `tag_names` in the same)."""
    say = (words or phrases()).say
    e = doc.get("eligibility") or {}
    j = Judgement()
    low, high = e.get("min_age"), e.get("max_age")
    age = client.age
    if age is not None:
        if low is not None and age < low:
            j.excluded_because.append(say("eligibility", "under_minimum", age=age, low=low))
        elif high is not None and age > high:
            j.excluded_because.append(say("eligibility", "over_maximum", age=age, high=high))
        elif low is not None or high is not None:
            ages = _ages(low, high, say)
            j.reasons.append(say("eligibility", "age_within", age=age, ages=ages))
    elif low is not None or high is not None:
        j.check.append(_ages(low, high, say))
    limit = e.get("income_max_fpl")
    if limit is not None:
        percent = None if client.poverty_percent is None else f"{client.poverty_percent:.0f}"
        if percent is None:
            j.check.append(say("eligibility", "income_limit", limit=limit))
        elif client.poverty_percent > limit:
            j.excluded_because.append(
                say("eligibility", "income_over", percent=percent, limit=limit)
            )
        else:
            j.reasons.append(say("eligibility", "income_within", percent=percent, limit=limit))
    for tag in e.get("tags") or ():
        group = tag_names.get(tag, tag).lower()
        verdict = _tag_verdict(tag, client)
        if verdict is True:
            j.reasons.append(say("eligibility", "group_yes", group=group))
        elif verdict is False:
            j.excluded_because.append(say("eligibility", "group_only", group=group))
        else:
            j.check.append(say("eligibility", "group_check", group=group))
    j.eligible = not j.excluded_because
    return j


def _tag_verdict(tag: str, client: Client) -> bool | None:
    """True: the client is in the group; False: known not to be; None: unknown.

    Veteran status and age, when given, decide their groups (as the filters do)."""
    if tag == "veterans" and client.veteran is not None:
        return client.veteran
    if tag == "seniors" and client.age is not None:
        return client.age >= SENIOR_AGE
    if tag == "youth" and client.age is not None:
        return client.age <= YOUTH_MAX_AGE
    return True if tag in client.tags else None


def _ages(low: int | None, high: int | None, say) -> str:
    if low is not None and high is not None:
        return say("eligibility", "ages_between", low=low, high=high)
    if low is not None:
        return say("eligibility", "age_and_over", low=low)
    return say("eligibility", "ages_up_to", high=high)
