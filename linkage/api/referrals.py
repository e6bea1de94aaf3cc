"""Screening to referrals: GET /v1/instruments, POST /v1/needs, POST /v1/match.

Client data arrives only in JSON bodies (never in URLs) and is never logged or stored.
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify
from flask.views import MethodView
from flask_smorest import abort

from linkage.api.base import Blueprint
from linkage.api.places import resolve_place
from linkage.api.schemas.referrals import InstrumentOut, MatchIn, MatchOut, NeedsIn, NeedsOut
from linkage.runtime import Runtime, runtime
from linkage.screening import assessments, fhir
from linkage.screening.income import guideline_for, poverty_percent, region_for
from linkage.screening.needs import AnswerError, Assessment
from linkage.search import match
from linkage.search.eligibility import Client
from linkage.search.phrases import phrases
from linkage.search.queries import radius_in_miles
from linkage.search.referrals import MatchOptions, find_referrals

blp = Blueprint(
    "referrals", __name__, url_prefix="/v1", description="Screening, needs and matched referrals"
)

NO_NEEDS = "no social need was found in these answers"


@blp.route("/instruments")
class Instruments(MethodView):
    @blp.response(200, InstrumentOut(many=True))
    def get(self):
        """The screening instruments, their items and answer codes: enough to build a form."""
        return [i.raw for i in runtime().instruments.values()]


def _assess(rt: Runtime, raw, state: str | None, now: datetime) -> tuple[Assessment, list]:
    try:
        answered = assessments.parse(raw, rt.instruments)
        found = assessments.assess(
            answered, rt.needs_config, now.date(), state, rt.settings.data_dir
        )
        return found, answered
    except AnswerError as exc:
        abort(
            422, message=f"{exc.where}: {exc.message}", errors={"json": {exc.where: [exc.message]}}
        )


def _observations(
    found: Assessment, answered: list, now: datetime, patient: str | None
) -> list[dict]:
    sources = [a.source for a in answered if a.source]
    # When the screening was answered: the latest `authored` of the responses it came from.
    effective = max((a.authored for a in answered if a.authored), default=None)
    return [
        fhir.observation(n, now, sources or None, subject=patient, effective=effective)
        for n in found.needs
    ]


def _needs_body(found: Assessment, answered: list, now: datetime, data: dict) -> dict:
    body = {
        "needs": [n.as_dict() for n in found.needs],
        "not_assessed": [n.as_dict() for n in found.not_assessed],
        "not_understood": [m.as_dict() for a in answered for m in a.not_understood],
        "message": None if found.needs else NO_NEEDS,
    }
    if data["fhir"]:
        body["observations"] = _observations(found, answered, now, data.get("patient"))
    return body


@blp.route("/needs")
class Needs(MethodView):
    @blp.arguments(NeedsIn)
    @blp.response(200, NeedsOut)
    def post(self, data):
        """Screening answers in, needs with their evidence out (most urgent first)."""
        rt = runtime()
        now = rt.clock()
        found, answered = _assess(rt, data["assessment"], data.get("state"), now)
        return _needs_body(found, answered, now, data)


def _client(rt: Runtime, data: dict) -> Client:
    raw = data.get("client") or {}
    place = resolve_place(rt, raw["near"], "client.near") if raw.get("near") else None
    percent = None
    if raw.get("income") is not None and raw.get("household_size"):
        guideline = guideline_for(rt.clock().date(), rt.settings.data_dir)
        percent = poverty_percent(
            raw["income"], raw["household_size"], guideline, region_for(place and place.state)
        )
    return Client(
        place=place,
        age=raw.get("age"),
        poverty_percent=percent,
        veteran=raw.get("veteran"),
        # "es" and "Spanish" are one language once the schema has read them.
        languages=tuple(dict.fromkeys(raw.get("languages") or ())),
        tags=frozenset(raw.get("tags") or ()),
    )


@blp.route("/match")
class Match(MethodView):
    @blp.arguments(MatchIn)
    @blp.response(200, MatchOut)
    def post(self, data):
        """Needs (from screening answers or named) and a client → ranked eligible referrals per need."""
        rt = runtime()
        now = rt.clock()
        client = _client(rt, data)
        found, answered = Assessment(), []
        if data.get("assessment") is not None:
            found, answered = _assess(
                rt, data["assessment"], client.place and client.place.state, now
            )
        words = phrases(data["lang"])  # the case manager's screen language, for the words
        groups = match.groups_for(
            found.needs, data.get("needs") or [], rt.taxonomy, rt.need_vocabulary, words
        )
        radius = radius_in_miles(data.get("radius"), data["unit"], rt.settings.default_radius_miles)
        options = MatchOptions(
            radius,
            data["per_need"],
            data["open_now"],
            data["include_ineligible"],
            nearest_radius_factor=rt.settings.nearest_radius_factor,
            nearest_max_miles=rt.settings.nearest_max_miles,
            lang=data["lang"],
        )
        found_referrals = find_referrals(rt.index, rt.taxonomy, groups, client, options, now)
        body = _needs_body(found, answered, now, data)
        for need in body["needs"]:
            need["label"] = words.need_label(rt.need_vocabulary, need["code"], need["label"])
        if groups:
            body["message"] = None
        elif data.get("assessment") is None:
            body["message"] = words.say("messages", "no_needs")
        body["referrals"] = found_referrals
        body["poverty_percent"] = (
            round(client.poverty_percent) if client.poverty_percent is not None else None
        )
        # Shaped by pure functions to match MatchOut (which documents it), returned ready as
        # search's is: a marshmallow dump of a five-need match's referrals was half its time
        # in the app. tests/test_referrals_api.py checks the shape against MatchOut.
        return jsonify(body)
