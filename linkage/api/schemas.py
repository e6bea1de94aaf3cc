"""Request and response schemas of the public API (they generate the OpenAPI document)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from linkage.hybrid import RETRIEVALS
from linkage.reach import REACHES
from linkage.resource import (
    INTERNAL_FIELDS,
    AddressSchema,
    EligibilitySchema,
    PhoneSchema,
    ResourceSchema,
)
from linkage.taxonomy import load_taxonomy

# The codes a request may use, as enums in the OpenAPI document (so clients and schemathesis
# know them) and checked by marshmallow.
_TAXONOMY = load_taxonomy()
CATEGORY_CODES = sorted(_TAXONOMY.categories)
NEED_CODES = sorted(_TAXONOMY.all_needs())
TAG_CODES = sorted(_TAXONOMY.eligibility_tags)
MAX_RESULT_WINDOW = 10_000


def one_of(choices: list[str], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what}: {{input}}")


class StrictSchema(Schema):
    class Meta:
        # An unknown parameter is an error, never silently ignored.
        unknown = RAISE


class SearchArgs(StrictSchema):
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={
            "description": "Free text: need, service or keywords (typo tolerant, e.g. 'food bank', 'light bill')."
        },
    )
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "A 5-digit ZIP code, 'lat,lon', or a street address (when a geocoder is configured)."
        },
    )
    radius = fields.Float(
        validate=validate.Range(min=0.1, max=500),
        metadata={"description": "Search radius around `near`, in `unit` (default 10 miles)."},
    )
    unit = fields.String(load_default="mi", validate=validate.OneOf(["mi", "km"]))
    category = fields.List(
        fields.String(validate=one_of(CATEGORY_CODES, "category")),
        metadata={
            "description": "Category code (repeatable); a parent includes its children. See /v1/categories."
        },
    )
    need = fields.List(
        fields.String(validate=one_of(NEED_CODES, "need code")),
        metadata={"description": "SDOH need code (repeatable), e.g. food-insecurity."},
    )
    language = fields.String(
        validate=validate.Regexp(r"^[a-z]{2,3}$", error="an ISO 639 code such as 'es'"),
        metadata={"description": "Only services that speak this language (ISO 639 code)."},
    )
    age = fields.Integer(
        validate=validate.Range(min=0, max=120),
        metadata={"description": "Client's age: services whose age limits include it."},
    )
    open_now = fields.Boolean(
        load_default=False,
        metadata={"description": "Only services open now, in each service's own time zone."},
    )
    free = fields.Boolean(load_default=False, metadata={"description": "Only free services."})
    reach = fields.List(
        fields.String(validate=one_of(list(REACHES), "reach")),
        metadata={
            "description": "Only results of this reach (repeatable; needs `near`): `local`, "
            "`area` or `remote`, as each result's `reach` says. `facets.reach` counts every reach."
        },
    )
    sort = fields.String(
        load_default="relevance", validate=validate.OneOf(["relevance", "distance"])
    )
    retrieval = fields.String(
        load_default="hybrid",
        validate=validate.OneOf(RETRIEVALS),
        metadata={
            "description": "How words, needs and categories are matched: `hybrid` (words and "
            "meaning, in one ranking), `lexical` (words only) or `semantic` (meaning only). "
            "A need or category always finds the records that carry its categories too."
        },
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def within_result_window(self, data, **kwargs):
        # Elasticsearch pages no deeper than its result window (10,000 hits by default).
        if data.get("page", 1) * data.get("per_page", 20) > MAX_RESULT_WINDOW:
            raise ValidationError(
                f"page x per_page may reach {MAX_RESULT_WINDOW} results at most; narrow the search",
                "page",
            )


class DistanceOut(Schema):
    miles = fields.Float()
    km = fields.Float()


class CategoryRef(Schema):
    code = fields.String()
    name = fields.String()


class ResultOut(Schema):
    id = fields.String()
    service_name = fields.String()
    organization_name = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    categories = fields.List(fields.Nested(CategoryRef))
    needs = fields.List(fields.String())
    distance = fields.Nested(DistanceOut, allow_none=True)
    address = fields.Nested(
        AddressSchema,
        allow_none=True,
        metadata={"description": "Never given for a confidential location."},
    )
    confidential_address = fields.Boolean()
    serves_area = fields.String(
        allow_none=True,
        metadata={"description": "For services without an address: the area of yours they serve."},
    )
    delivery = fields.List(fields.String())
    reach = fields.String(
        allow_none=True,
        validate=validate.OneOf(REACHES),
        metadata={
            "description": "How it reaches the place searched (null without one): `local`, an "
            "in-person place within the radius; `area`, not local, an in-person place elsewhere "
            "whose service area holds the place's ZIP code, county or state (a city's service "
            "area is its ZIP codes); `remote`, the rest that reach it: no in-person place "
            "(phone, online or virtual only), or serving it only as part of `nationwide`. At "
            "comparable relevance local ranks above area, area above remote."
        },
    )
    phones = fields.List(fields.Nested(PhoneSchema))
    hours_today = fields.String(allow_none=True)
    open_now = fields.Boolean(allow_none=True)
    timezone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    languages_text = fields.String(
        allow_none=True, metadata={"description": "The directory's own words for its languages."}
    )
    interpretation = fields.Boolean(
        metadata={"description": "Interpretation offered for other languages."}
    )
    hours_text = fields.String(
        allow_none=True,
        metadata={"description": "The directory's own words for its hours (shown as given)."},
    )
    service_area_text = fields.String(
        allow_none=True, metadata={"description": "The directory's own words for where it serves."}
    )
    fees = fields.String(allow_none=True)
    eligibility = fields.Nested(EligibilitySchema)
    url = fields.String(allow_none=True)
    application_process = fields.String(allow_none=True)
    required_documents = fields.List(fields.String())
    accessibility = fields.List(fields.String())
    notice = fields.String(
        allow_none=True,
        metadata={"description": "A dated notice (closed for a holiday, ...), while current."},
    )
    why = fields.List(
        fields.String(), metadata={"description": "Why this result matched, in plain words."}
    )


class FacetOut(Schema):
    value = fields.String()
    name = fields.String()
    count = fields.Integer()


class FacetsOut(Schema):
    categories = fields.List(fields.Nested(FacetOut))
    needs = fields.List(fields.Nested(FacetOut))
    languages = fields.List(fields.Nested(FacetOut))
    reach = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by reach, every reach counted (empty without `near`)."},
    )


class PlaceOut(Schema):
    label = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    precision = fields.String()
    postal_code = fields.String(allow_none=True)
    county = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    timezone = fields.String(allow_none=True)


class RecognisedOut(Schema):
    category = fields.String()
    name = fields.String()
    term = fields.String()


class SuggestedCategoryOut(Schema):
    code = fields.String()
    name = fields.String()


class SuggestionsOut(Schema):
    query = fields.String(
        allow_none=True, metadata={"description": "`q` with its words corrected, if any were."}
    )
    words = fields.List(
        fields.String(), metadata={"description": "Corrections of words the directory lacks."}
    )
    categories = fields.List(
        fields.Nested(SuggestedCategoryOut),
        metadata={"description": "Categories related to the words (recognised or near)."},
    )


class SearchOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()
    place = fields.Nested(PlaceOut, allow_none=True)
    radius_miles = fields.Float(allow_none=True)
    recognised = fields.List(
        fields.Nested(RecognisedOut), metadata={"description": "Categories recognised in `q`."}
    )
    results = fields.List(fields.Nested(ResultOut))
    facets = fields.Nested(FacetsOut)
    suggestions = fields.Nested(
        SuggestionsOut,
        allow_none=True,
        metadata={"description": "For a page with no results (null otherwise): what to try."},
    )


class CategoryOut(Schema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    needs = fields.List(fields.String())
    terms = fields.List(fields.String())
    terms_es = fields.List(fields.String(), metadata={"description": "The words in Spanish."})
    open_eligibility = fields.List(fields.String())
    children = fields.List(fields.Nested(lambda: CategoryOut()))


class HealthOut(Schema):
    status = fields.String()
    index = fields.String(allow_none=True)
    documents = fields.Integer(allow_none=True)


# A full record as GET /v1/resources/<id> returns it: the indexed document less search-only fields.
ResourceOut = ResourceSchema(exclude=("open_minutes", *INTERNAL_FIELDS))


# --- Screening, needs and matching -----------------------------------------------------------

ASSESSMENT_DOC = (
    "{'instrument': 'ahc-hrsn', 'answers': {'<LOINC question>': '<LA answer code>' | [codes] | number}}, "
    "a FHIR R4 QuestionnaireResponse (LOINC codes in linkId or code), or a list of these."
)


class AnswerOptionOut(Schema):
    code = fields.String()
    label = fields.String()
    score = fields.Integer(allow_none=True)


class InstrumentItemOut(Schema):
    code = fields.String(metadata={"description": "LOINC question code"})
    text = fields.String()
    type = fields.String()
    section = fields.String(allow_none=True)
    answers_complete = fields.Boolean()
    answers = fields.List(fields.Nested(AnswerOptionOut))


class InstrumentOut(Schema):
    id = fields.String()
    name = fields.String()
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


class ClientIn(StrictSchema):
    near = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "ZIP, 'lat,lon' or address"},
    )
    age = fields.Integer(validate=validate.Range(min=0, max=120))
    household_size = fields.Integer(validate=validate.Range(min=1, max=30))
    income = fields.Float(
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": "Annual household income, USD"},
    )
    veteran = fields.Boolean()
    languages = fields.List(
        fields.String(
            validate=validate.Regexp(r"^[a-z]{2,3}$", error="an ISO 639 code such as 'es'")
        )
    )
    tags = fields.List(
        fields.String(validate=one_of(TAG_CODES, "eligibility tag")),
        metadata={"description": "Eligibility tags, e.g. pregnant, disability"},
    )


class MatchIn(StrictSchema):
    assessment = fields.Raw(metadata={"description": ASSESSMENT_DOC})
    needs = fields.List(
        fields.String(validate=one_of(CATEGORY_CODES + NEED_CODES, "need or category")),
        metadata={"description": "SDOH need codes or category codes named directly."},
    )
    client = fields.Nested(ClientIn, load_default=dict)
    radius = fields.Float(validate=validate.Range(min=0.1, max=500))
    unit = fields.String(load_default="mi", validate=validate.OneOf(["mi", "km"]))
    per_need = fields.Integer(load_default=5, validate=validate.Range(min=1, max=20))
    open_now = fields.Boolean(load_default=False)
    include_ineligible = fields.Boolean(load_default=False)
    fhir = fields.Boolean(load_default=False)


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


class NeedsOut(Schema):
    needs = fields.List(fields.Nested(NeedOut))
    not_assessed = fields.List(fields.Nested(NotAssessedOut))
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
    message = fields.String(allow_none=True)


class MatchOut(NeedsOut):
    referrals = fields.List(fields.Nested(NeedReferralsOut))
    poverty_percent = fields.Integer(allow_none=True)
