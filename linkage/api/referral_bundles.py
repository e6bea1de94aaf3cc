"""POST /v1/referrals: chosen resources and needs → a FHIR R4 transaction Bundle (SDOHCC
ServiceRequest, Observation, Task) or a letter in text/plain or text/html, by Accept.

The patient and requester are the caller's references, passed through: nothing is stored or
logged.
"""

from __future__ import annotations

import orjson
from flask import Response, request
from flask.views import MethodView
from flask_smorest import abort

from linkage.api.base import Blueprint
from linkage.api.schemas.referral_out import BundleOut, ReferralsIn
from linkage.runtime import runtime
from linkage.screening.referral_bundle import (
    Referral,
    as_html,
    as_text,
    need_of,
    transaction_bundle,
)
from linkage.search.document import NOT_PUBLIC
from linkage.search.results import public_fields

blp = Blueprint(
    "referral_bundles",
    __name__,
    url_prefix="/v1",
    description="Referrals out: FHIR ServiceRequest and Task, or a letter",
)

FHIR_JSON = "application/fhir+json"
OFFERED = (FHIR_JSON, "application/json", "text/plain", "text/html")
_TEXT = {"schema": {"type": "string"}}


def _referrals(data: dict) -> list[Referral]:
    rt = runtime()
    referrals = []
    for number, asked in enumerate(data["referrals"]):
        doc = rt.index.document(asked["resource"], excludes=NOT_PUBLIC, missing_index_ok=True)
        if doc is None:
            where = f"referrals.{number}.resource"
            message = f"no resource with id {asked['resource']!r}"
            abort(422, message=f"{where}: {message}", errors={"json": {where: [message]}})
        needs = tuple(need_of(code, rt.need_vocabulary) for code in dict.fromkeys(asked["needs"]))
        referrals.append(Referral(public_fields(doc), needs))
    return referrals


@blp.route("/referrals")
class ReferralBundles(MethodView):
    @blp.arguments(ReferralsIn)
    @blp.response(200, BundleOut, content_type=FHIR_JSON)
    @blp.doc(
        responses={
            "200": {
                "description": "A FHIR R4 transaction Bundle, or by Accept a letter",
                "content": {
                    FHIR_JSON: {"schema": BundleOut},
                    "application/json": {"schema": BundleOut},
                    "text/plain": _TEXT,
                    "text/html": _TEXT,
                },
            }
        }
    )
    def post(self, data):
        """Referrals out: per referral an SDOHCC ServiceRequest (reason: the need's
        Observation; the service contained), with `task` an SDOHCC Task; as a FHIR R4
        transaction Bundle, or by `Accept` a text/plain or text/html letter in `language`."""
        rt = runtime()
        referrals = _referrals(data)
        kind = request.accept_mimetypes.best_match(OFFERED, default=FHIR_JSON)
        if kind == "text/plain":
            text = as_text(referrals, data["language"], rt.need_vocabulary)
            return Response(text, mimetype="text/plain")
        if kind == "text/html":
            html = as_html(referrals, data["language"], rt.need_vocabulary)
            return Response(html, mimetype="text/html")
        bundle = transaction_bundle(
            referrals, data["patient"], data.get("requester"), data["task"], rt.clock()
        )
        return Response(orjson.dumps(bundle), mimetype=kind)
