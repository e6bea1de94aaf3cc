"""GET /v1/search: its parameters and its response."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.api.schemas.common import LANGUAGE_CODE, StrictSchema, category_code, need_code, one_of
from linkage.search.document import AddressSchema, EligibilitySchema, PhoneSchema
from linkage.search.hybrid import RETRIEVALS
from linkage.search.index import MAX_RESULT_WINDOW
from linkage.search.reach import REACHES


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
        fields.String(validate=category_code()),
        metadata={
            "description": "Category code (repeatable); a parent includes its children. See /v1/categories."
        },
    )
    need = fields.List(
        fields.String(validate=need_code()),
        metadata={"description": "SDOH need code (repeatable), e.g. food-insecurity."},
    )
    language = fields.String(
        validate=LANGUAGE_CODE,
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

    @validates_schema
    def place_for_distance(self, data, **kwargs):
        if not data.get("near") and (
            data.get("radius") is not None or data.get("sort") == "distance" or data.get("reach")
        ):
            raise ValidationError("radius, reach and sort=distance need a place in `near`", "near")


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
