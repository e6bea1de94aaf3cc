"""GET and POST /v1/search: its parameters (a query string or a JSON body) and its response."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.api.schemas.common import (
    LanguageField,
    StrictSchema,
    category_code,
    display_lang,
    eligibility_tag,
    need_code,
    one_of,
)
from linkage.hours import DAY_NAMES, DAYS, parse_time
from linkage.search.document import (
    DELIVERY,
    FEES,
    LOCATION_PRECISIONS,
    AddressSchema,
    EligibilitySchema,
    GeoPointSchema,
    PeriodSchema,
    PhoneSchema,
)
from linkage.search.hybrid import RETRIEVALS
from linkage.search.index import MAX_RESULT_WINDOW
from linkage.search.queries import NAME_SORTS
from linkage.search.reach import REACHES

WEEKDAYS = [*DAYS, *(name.lower() for name in DAY_NAMES.values())]
# A 211 (AIRS) code or the start of one: a level letter or two, then its digits ("BD",
# "BD-1800", "BD-1800.2000", "YF-5000"); any case.
CODE_211_PREFIX = validate.Regexp(
    r"^[A-Za-z]{1,2}(-[0-9]{0,4}(\.[0-9]{0,4}(-[0-9]{0,3}(\.[0-9]{0,2})?)?)?)?$",
    error="not a 211 code or the start of one (e.g. BD-1800)",
)


def time_of_day(value: str) -> bool:
    if parse_time(value) is None:
        raise ValidationError("not a time of day (e.g. 14:30 or 2:30 pm)")
    return True


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
            "description": "A 5-digit ZIP code, 'City, ST', a city name (a 422 names the "
            "states when several have it), 'lat,lon', or a street address (when a geocoder is "
            "configured)."
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
    language = LanguageField(metadata={"description": "Only services that speak this language."})
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
    serves = fields.List(
        fields.String(validate=eligibility_tag()),
        metadata={
            "description": "Only services for this group of people (repeatable: any of them), "
            "as the eligibility tags services state. `facets.serves` counts every tag."
        },
    )
    fees = fields.List(
        fields.String(validate=one_of(FEES, "fees")),
        metadata={
            "description": "Only services that charge this way (repeatable: any of them): "
            "`free`, `sliding-scale` or `fee`. `facets.fees` counts every value."
        },
    )
    delivery = fields.List(
        fields.String(validate=one_of(DELIVERY, "delivery")),
        metadata={
            "description": "Only services reached this way (repeatable: any of them): "
            "`in_person`, `phone` or `virtual`. `facets.delivery` counts every value."
        },
    )
    accessibility = fields.List(
        fields.String(validate=validate.Length(min=1, max=256)),
        metadata={
            "description": "Only services whose location states this accessibility feature, "
            "as the directory words it (repeatable: all of them), e.g. 'Wheelchair accessible'. "
            "`facets.accessibility` lists the features stated."
        },
    )
    open_on = fields.String(
        validate=one_of(WEEKDAYS, "weekday"),
        metadata={
            "description": "Only services open on this weekday (`MO`..`SU` or `monday`.."
            "`sunday`), in their own local time; with `open_at`, open at that time that day. "
            "`facets.open_on` counts every weekday."
        },
    )
    open_at = fields.String(
        validate=[validate.Length(max=20), time_of_day],
        metadata={"description": "With `open_on`: a time of day (`14:30`, `2:30 pm`)."},
    )
    taxonomy = fields.List(
        fields.String(validate=[validate.Length(max=30), CODE_211_PREFIX]),
        metadata={
            "description": "Only services the directory filed under a 211 (AIRS) code starting "
            "with this (repeatable: any of them), e.g. `BD-1800` holds `BD-1800.2000`. "
            "`facets.taxonomy` counts the codes."
        },
    )
    lang = display_lang()
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(["relevance", "distance", *NAME_SORTS]),
        metadata={
            "description": "`relevance`, `distance` (needs `near`), `name` (the service's "
            "name) or `organization` (the organisation's name, then the service's)."
        },
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

    @validates_schema
    def day_for_time(self, data, **kwargs):
        if data.get("open_at") and not data.get("open_on"):
            raise ValidationError("open_at needs a weekday in `open_on`", "open_at")


class DistanceOut(Schema):
    miles = fields.Float()
    km = fields.Float()


class CategoryRef(Schema):
    code = fields.String()
    name = fields.String()


class ResultOut(Schema):
    id = fields.String(
        metadata={"description": "Stable across reloads of the same source (from its own ids)."}
    )
    source = fields.String(metadata={"description": "The directory the record came from."})
    source_id = fields.String(
        allow_none=True, metadata={"description": "The source's own id of the service record."}
    )
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
    location = fields.Nested(
        GeoPointSchema,
        allow_none=True,
        metadata={"description": "Where it is, to draw on a map; never for a confidential one."},
    )
    location_precision = fields.String(
        allow_none=True,
        validate=validate.OneOf(LOCATION_PRECISIONS),
        metadata={
            "description": "How exact `location` is: `exact`, the source's coordinates; "
            "`address`, its street address geocoded; `zip`, its ZIP code's centroid (only "
            "near it). Null with no location."
        },
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
    schedule = fields.List(
        fields.Nested(PeriodSchema),
        metadata={
            "description": "The weekly hours, Monday to Sunday, in the service's local time "
            "(`closes` at or before `opens`: past midnight); `hours_text` has the source's words."
        },
    )
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
    last_verified = fields.String(
        allow_none=True,
        metadata={"description": "When the directory last checked the record (YYYY-MM-DD)."},
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
    serves = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by group served (eligibility tag), every tag counted."},
    )
    fees = fields.List(
        fields.Nested(FacetOut), metadata={"description": "Results by fees, every value counted."}
    )
    delivery = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by delivery, every value counted."},
    )
    accessibility = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by accessibility feature, every feature counted."},
    )
    open_on = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results open on each weekday (`MO`..`SU`), every day counted."},
    )
    taxonomy = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by the directory's 211 codes, every code counted."},
    )
    reach = fields.List(
        fields.Nested(FacetOut),
        metadata={"description": "Results by reach, every reach counted (empty without `near`)."},
    )


class PlaceOut(Schema):
    label = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    precision = fields.String(
        metadata={
            "description": "`zip` (its centroid), `city` (the mean of its ZIP centroids), "
            "`point` (coordinates given) or `address` (geocoded)."
        }
    )
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
