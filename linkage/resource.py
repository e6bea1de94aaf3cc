"""The resource document: one per service at a location. Its schema, mapping and analysis."""

from __future__ import annotations

import json
from functools import cache

import fastjsonschema
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage import semantic

FEES = ("free", "sliding-scale", "fee")
DELIVERY = ("in_person", "phone", "virtual")
# "source": the directory's own categories (through the crosswalk); "inferred": read from
# the record's words by indexer.infer when the source gave none.
CATEGORY_SOURCES = ("source", "inferred")


class PhoneSchema(Schema):
    number = fields.String(required=True)
    extension = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class AddressSchema(Schema):
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    county = fields.String(allow_none=True)


class PeriodSchema(Schema):
    day = fields.String(
        required=True, validate=validate.OneOf(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))
    )
    opens = fields.String(required=True)
    closes = fields.String(required=True)


class GeoPointSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class EligibilitySchema(Schema):
    min_age = fields.Integer(allow_none=True, validate=validate.Range(0, 130))
    max_age = fields.Integer(allow_none=True, validate=validate.Range(0, 130))
    tags = fields.List(fields.String(), load_default=list)
    income_max_fpl = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 1000),
        metadata={"description": "Income limit, % of the federal poverty guideline."},
    )
    description = fields.String(allow_none=True)

    @validates_schema
    def ages_in_order(self, data, **kwargs):
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            raise ValidationError("min_age is above max_age", "min_age")


_DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="not a YYYY-MM-DD date")


class NoticeSchema(Schema):
    """A dated notice on a service (closed for a holiday, moved for repairs): search shows it
    only from `starts` to `ends` (either may be open)."""

    text = fields.String(required=True)
    starts = fields.String(allow_none=True, validate=_DATE)
    ends = fields.String(allow_none=True, validate=_DATE)


class ResourceSchema(Schema):
    """Validates a document before it is indexed; the indexer rejects what fails here."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True)
    source_ids = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True))
    service_name = fields.String(required=True, validate=validate.Length(min=1))
    description = fields.String(allow_none=True)
    organization_name = fields.String(allow_none=True)
    location_name = fields.String(allow_none=True)
    categories = fields.List(fields.String(), required=True)
    category_tree = fields.List(fields.String(), required=True)
    category_names = fields.List(fields.String())
    needs = fields.List(fields.String())
    category_source = fields.String(
        allow_none=True,
        validate=validate.OneOf(CATEGORY_SOURCES),
        metadata={"description": "Where the categories came from; none when it has none."},
    )
    category_inferred_from = fields.String(
        allow_none=True,
        validate=validate.OneOf(("name", "description")),
        metadata={"description": "For inferred categories: the text they were read from."},
    )
    location = fields.Nested(GeoPointSchema, allow_none=True)
    location_precision = fields.String(allow_none=True)
    address = fields.Nested(AddressSchema, allow_none=True)
    confidential = fields.Boolean(load_default=False)
    delivery = fields.List(fields.String(validate=validate.OneOf(DELIVERY)))
    phones = fields.List(fields.Nested(PhoneSchema))
    schedule = fields.List(fields.Nested(PeriodSchema))
    # Built by linkage.hours from the schedule (never taken from a source), so not re-checked
    # here: validating a few hundred generated ranges per record halved the import rate.
    open_minutes = fields.List(fields.Dict())
    timezone = fields.String(allow_none=True)
    languages = fields.List(fields.String())
    # The source's own words where a value came from free text (shown beside what was read
    # from it, and instead of it where nothing was): "Spanish (Mon only).", "M-F 9-5".
    languages_text = fields.String(allow_none=True)
    interpretation = fields.Boolean(
        load_default=False,
        metadata={"description": "Interpretation offered for other languages."},
    )
    hours_text = fields.String(allow_none=True)
    service_area_text = fields.String(allow_none=True)
    eligibility = fields.Nested(EligibilitySchema)
    fees = fields.String(allow_none=True, validate=validate.OneOf(FEES))
    fees_description = fields.String(allow_none=True)
    service_areas = fields.List(fields.String())
    status = fields.String(required=True)
    last_verified = fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="not a YYYY-MM-DD date"),
    )
    url = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    application_process = fields.String(allow_none=True)
    required_documents = fields.List(fields.String())
    notice = fields.Nested(NoticeSchema, allow_none=True)
    accessibility = fields.List(
        fields.String(), metadata={"description": "Access for people with disabilities."}
    )
    notes = fields.List(fields.String())
    # Import bookkeeping: same organization + service name (normalised), and where it came from.
    dedupe_key = fields.String()
    origin = fields.Dict()
    # Set by the loader after this check: a hash of the content, to count what a load changed.
    fingerprint = fields.String()
    # Set by the loader too: the meaning of the name, categories and description, for
    # semantic search (linkage.hybrid). Search-only: never in a response.
    embedding = fields.List(fields.Float())


# Fields for search and import bookkeeping only, never shown to API users.
INTERNAL_FIELDS = ("category_names", "notes", "dedupe_key", "origin", "fingerprint", "embedding")


class InvalidDocument(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@cache
def _compiled_validator():
    """ResourceSchema as a compiled JSON Schema: the same rules, ~50 times faster to check
    than a marshmallow load, which matters at a million documents per import."""
    spec = APISpec("linkage", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("Resource", schema=ResourceSchema)
    components = spec.to_dict()["components"]["schemas"]
    components["Resource"]["additionalProperties"] = False  # as the mapping's dynamic: strict
    text = json.dumps({**components["Resource"], "definitions": components})
    return fastjsonschema.compile(
        json.loads(text.replace("#/components/schemas/", "#/definitions/"))
    )


def check_document(doc: dict) -> None:
    """Raise InvalidDocument naming the field when `doc` breaks ResourceSchema."""
    try:
        _compiled_validator()(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise InvalidDocument(
            exc.name.removeprefix("data.").removeprefix("data"),
            exc.message.removeprefix(exc.name + " "),
        ) from None
    e = doc.get("eligibility") or {}
    if (
        e.get("min_age") is not None
        and e.get("max_age") is not None
        and e["min_age"] > e["max_age"]
    ):
        raise InvalidDocument("eligibility.min_age", "min_age is above max_age")


def _text(**extra) -> dict:
    return {"type": "text", "analyzer": "linkage_text", **extra}


# Sub-fields of the words people search: `exact` (lower case, unstemmed: exact words rank
# above stemmed ones, and fuzzy matching and spelling suggestions work on real words) and
# `es` (Spanish stemming, for Spanish descriptions and queries).
EXACT = {"type": "text", "analyzer": "linkage_exact"}
SPANISH = {"type": "text", "analyzer": "linkage_spanish"}


def _searched(*, spanish: bool = True, **subfields) -> dict:
    return _text(fields={"exact": EXACT, **({"es": SPANISH} if spanish else {}), **subfields})


def _display() -> dict:
    """Kept in _source for display, not searchable."""
    return {"type": "keyword", "index": False, "doc_values": False}


MAPPINGS: dict = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "source": {"type": "keyword"},
        "source_ids": {
            "properties": {
                "service": {"type": "keyword"},
                "location": {"type": "keyword"},
                "organization": {"type": "keyword"},
            }
        },
        "service_name": _searched(raw={"type": "keyword"}),
        "description": _searched(),
        "organization_name": _searched(spanish=False, raw={"type": "keyword"}),
        "location_name": _searched(spanish=False),
        "categories": {"type": "keyword"},
        "category_tree": {"type": "keyword"},
        "category_names": _searched(spanish=False),
        "needs": {"type": "keyword"},
        "category_source": {"type": "keyword"},
        "category_inferred_from": {"type": "keyword"},
        "location": {"type": "geo_point"},
        "location_precision": {"type": "keyword"},
        "address": {
            "properties": {
                "street": _display(),
                "city": {"type": "keyword"},
                "state": {"type": "keyword"},
                "postal_code": {"type": "keyword"},
                "county": {"type": "keyword"},
            }
        },
        "confidential": {"type": "boolean"},
        "delivery": {"type": "keyword"},
        "phones": {"type": "object", "enabled": False},
        "schedule": {"type": "object", "enabled": False},
        "open_minutes": {"type": "integer_range"},
        "timezone": {"type": "keyword"},
        "languages": {"type": "keyword"},
        "languages_text": {"type": "text", "index": False},
        "interpretation": {"type": "boolean"},
        "hours_text": {"type": "text", "index": False},
        "service_area_text": {"type": "text", "index": False},
        "eligibility": {
            "properties": {
                "min_age": {"type": "integer"},
                "max_age": {"type": "integer"},
                "tags": {"type": "keyword"},
                "income_max_fpl": {"type": "integer"},
                "description": _searched(),
            }
        },
        "fees": {"type": "keyword"},
        "fees_description": {"type": "text", "index": False},
        "service_areas": {"type": "keyword"},
        "status": {"type": "keyword"},
        "last_verified": {"type": "date"},
        "url": _display(),
        "email": _display(),
        "application_process": {"type": "text", "index": False},
        "required_documents": {"type": "text", "index": False},
        "notice": {"type": "object", "enabled": False},
        "accessibility": {"type": "text", "index": False},
        "notes": {"type": "text", "index": False},
        "dedupe_key": {"type": "keyword"},
        "origin": {"type": "object", "enabled": False},
        "fingerprint": {"type": "keyword", "index": False},  # doc values: for aggregations
        # Unit vectors (linkage.semantic), so a dot product is their cosine. Searched exactly
        # (int8 quantised, no HNSW graph): every search filters to a place first, leaving few
        # vectors to compare, and building the graph cut the import rate to a third.
        "embedding": {
            "type": "dense_vector",
            "dims": semantic.DIMENSIONS,
            "similarity": "dot_product",
            "index": True,
            "index_options": {"type": "int8_flat"},
        },
    },
}

# The token filters that make `linkage_text` English-aware, richest first; the indexer probes
# the cluster and takes the first one it supports (the minimal distribution lacks the stemmer).
STEMMING_CHOICES: list[tuple[str, dict]] = [
    ("english-stemmer", {"type": "stemmer", "language": "light_english"}),
    ("hunspell-en_US", {"type": "hunspell", "locale": "en_US", "dedup": True}),
]


# The same for Spanish (`linkage_spanish`): the minimal distribution has no Spanish analyzer
# nor stemmer, so the hunspell es_ES dictionary (scripts/elasticsearch installs it).
SPANISH_STEMMING_CHOICES: list[tuple[str, dict]] = [
    ("spanish-stemmer", {"type": "stemmer", "language": "light_spanish"}),
    ("hunspell-es_ES", {"type": "hunspell", "locale": "es_ES", "dedup": True}),
]


def index_settings(
    stemming: tuple[str, dict] | None, spanish: tuple[str, dict] | None = None
) -> dict:
    """Index settings with the `linkage_text` analyzer built on the chosen stemming filter,
    `linkage_exact` (lower case only) and `linkage_spanish` (Spanish stop words, and the
    chosen Spanish stemming; without one, still its own words)."""
    analysis: dict = {
        "filter": {"linkage_stop_es": {"type": "stop", "stopwords": "_spanish_"}},
        "analyzer": {},
    }
    filters = ["lowercase"]
    if stemming is not None:
        analysis["filter"]["linkage_stem"] = stemming[1]
        filters.append("linkage_stem")
    spanish_filters = ["lowercase", "linkage_stop_es"]
    if spanish is not None:
        analysis["filter"]["linkage_stem_es"] = spanish[1]
        spanish_filters.append("linkage_stem_es")
    for name, chain in (
        ("linkage_text", filters),
        ("linkage_exact", ["lowercase"]),
        ("linkage_spanish", spanish_filters),
    ):
        analysis["analyzer"][name] = {"type": "custom", "tokenizer": "standard", "filter": chain}
    return {
        "number_of_shards": 1,
        "number_of_replicas": 0,
        "refresh_interval": "1s",
        "analysis": analysis,
    }
