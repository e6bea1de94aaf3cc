"""Screening, needs and matching: POST /v1/needs, POST /v1/match, GET /v1/instruments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from linkage.api.schemas.common import (
    LanguageField,
    StrictSchema,
    display_lang,
    eligibility_tag,
    need_or_category_code,
)
from linkage.api.schemas.search import ResultOut

ASSESSMENT_DOC = (
    "{'instrument': 'ahc-hrsn', 'answers': {'<LOINC question>': '<LA answer code>' | [codes] | number}}, "
    "a FHIR R4 QuestionnaireResponse, or {'instrument'?, 'questionnaire_response', "
    "'questionnaire'?: the Questionnaire defining its linkIds}, or a list of these. A response's "
    "items are read by item.code, by the LOINC code in the linkId (88122-7, /88122-7, "
    "/96777-8/88122-7) or by the Questionnaire's (given or contained) item.code for the linkId; "
    "answers by valueCoding code or display, valueString equal to an answer's text, numbers or "
    "valueBoolean. Items not understood are listed in `not_understood`; a response of which "
    "nothing is understood is a 422."
)
# An opaque FHIR reference to the patient (or group) the screening is about; never stored.
PATIENT_REFERENCE = validate.Regexp(
    r"^((https?://[^\s]{1,200}/)?(Patient|Group)/[A-Za-z0-9\-.]{1,64}|urn:uuid:[0-9a-fA-F-]{36})$",
    error="a FHIR reference such as Patient/123 (or Group/…, an absolute URL, urn:uuid:…)",
)
PATIENT_DOC = (
    "FHIR reference to the patient, e.g. Patient/123: the Observations' `subject` (and their "
    "SDOHCC Observation Assessment profile, which requires one). Not stored."
)


class AnswerOptionOut(Schema):
    code = fields.String()
    label = fields.String()
    label_es = fields.String(metadata={"description": "The label in Spanish"})
    score = fields.Integer(allow_none=True)


class InstrumentItemOut(Schema):
    code = fields.String(metadata={"description": "LOINC question code"})
    text = fields.String()
    text_es = fields.String(metadata={"description": "The question in Spanish"})
    type = fields.String()
    section = fields.String(allow_none=True)
    answers_complete = fields.Boolean()
    answers = fields.List(fields.Nested(AnswerOptionOut))


class InstrumentOut(Schema):
    id = fields.String()
    name = fields.String()
    name_es = fields.String(metadata={"description": "The name in Spanish"})
    short_name = fields.String()
    panel = fields.String(allow_none=True)
    sources = fields.List(fields.String())
    items = fields.List(fields.Nested(InstrumentItemOut))


class NeedsIn(StrictSchema):
    assessment = fields.Raw(required=True, metadata={"description": ASSESSMENT_DOC})
    state = fields.String(
        validate=validate.Regexp(r"^[A-Z]{2}$"),
        metadata={
            "description": "Client's state, for the poverty guideline (Alaska and Hawaii differ)."
        },
    )
    fhir = fields.Boolean(
        load_default=False, metadata={"description": "Also return the needs as FHIR Observations."}
    )
    patient = fields.String(validate=PATIENT_REFERENCE, metadata={"description": PATIENT_DOC})


class ClientIn(StrictSchema):
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "ZIP, 'City, ST', city name, 'lat,lon' or address"},
    )
    age = fields.Integer(validate=validate.Range(min=0, max=120))
    household_size = fields.Integer(validate=validate.Range(min=1, max=30))
    income = fields.Float(
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "Annual household income, USD"},
    )
    veteran = fields.Boolean()
    languages = fields.List(
        LanguageField(metadata={"description": "A language the client speaks."})
    )
    tags = fields.List(
        fields.String(validate=eligibility_tag()),
        metadata={"description": "Eligibility tags, e.g. pregnant, disability"},
    )


class MatchIn(StrictSchema):
    assessment = fields.Raw(metadata={"description": ASSESSMENT_DOC})
    needs = fields.List(
        fields.String(validate=need_or_category_code()),
        metadata={"description": "SDOH need codes or category codes named directly."},
    )
    client = fields.Nested(ClientIn, load_default=dict)
    radius = fields.Float(validate=validate.Range(min=0.1, max=500))
    unit = fields.String(load_default="mi", validate=validate.OneOf(["mi", "km"]))
    per_need = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))
    open_now = fields.Boolean(load_default=False)
    include_ineligible = fields.Boolean(load_default=False)
    fhir = fields.Boolean(load_default=False)
    patient = fields.String(validate=PATIENT_REFERENCE, metadata={"description": PATIENT_DOC})
    lang = display_lang()


class EvidenceOut(Schema):
    instrument = fields.String()
    item = fields.String()
    question = fields.String()
    answer = fields.Raw()
    answer_label = fields.String(allow_none=True)


class NeedOut(Schema):
    code = fields.String()
    label = fields.String()
    text = fields.String(allow_none=True)
    urgency = fields.Integer(metadata={"description": "1 is most urgent (safety, homelessness)."})
    evidence = fields.List(fields.Nested(EvidenceOut))


class NotAssessedOut(Schema):
    instrument = fields.String()
    rule = fields.String()
    need = fields.String()
    items = fields.List(fields.String())
    reason = fields.String()


class NotUnderstoodOut(Schema):
    where = fields.String(
        metadata={"description": "JSON path of the item (or answer) in the request"}
    )
    link_id = fields.String(allow_none=True)
    reason = fields.String()


class NeedsOut(Schema):
    needs = fields.List(fields.Nested(NeedOut))
    not_assessed = fields.List(fields.Nested(NotAssessedOut))
    not_understood = fields.List(
        fields.Nested(NotUnderstoodOut),
        metadata={"description": "Answered QuestionnaireResponse items that could not be used."},
    )
    message = fields.String(allow_none=True)
    observations = fields.List(
        fields.Dict(), metadata={"description": "FHIR Observations, when asked for."}
    )


class ReferralOut(ResultOut):
    eligible = fields.Boolean()
    excluded_because = fields.List(fields.String())
    check_eligibility = fields.List(fields.String())
    also_addresses = fields.List(
        fields.String(),
        metadata={"description": "Other needs of the client this resource also helps with."},
    )


class ExcludedReasonOut(Schema):
    reason = fields.String()
    services = fields.Integer()


class NeedReferralsOut(Schema):
    need = fields.String()
    label = fields.String()
    need_code = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    total = fields.Integer()
    resources = fields.List(fields.Nested(ReferralOut))
    excluded = fields.List(fields.Nested(ReferralOut))
    nearest_outside_radius = fields.List(
        fields.Nested(ReferralOut),
        metadata={
            "description": "When nothing is found within the radius: the nearest services "
            "within LINKAGE_NEAREST_RADIUS_FACTOR times the radius (at most "
            "LINKAGE_NEAREST_MAX_MILES) in the client's state, or that serve the client's area; "
            "never another state's local services."
        },
    )
    wider_radius_miles = fields.Float(
        allow_none=True,
        metadata={
            "description": "When there is none nearby either: a radius that reaches the nearest "
            "service for this need (null when none is within 500 miles)."
        },
    )
    excluded_reasons = fields.List(
        fields.Nested(ExcludedReasonOut),
        metadata={
            "description": "When the directory has services for this need but none the client "
            "is eligible for: each reason they are excluded, with how many it excludes."
        },
    )
    message = fields.String(allow_none=True)


class MatchOut(NeedsOut):
    referrals = fields.List(fields.Nested(NeedReferralsOut))
    poverty_percent = fields.Integer(allow_none=True)
