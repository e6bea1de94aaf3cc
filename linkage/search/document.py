"""The resource document: one per service at a location. Its fields, analysis and checks.

`DOCUMENT` lists every field once, each as (marshmallow field, Elasticsearch mapping): the
first checks a document before it is indexed and documents it in the OpenAPI document
(`ResourceSchema`, shown as ResourceOut), the second is how the index stores it (`MAPPINGS`).
Objects whose parts are indexed one by one (address, eligibility) are lists of the same kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

import fastjsonschema
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linkage.config import Settings
from linkage.search import semantic

FEES = ("free", "sliding-scale", "fee")
DELIVERY = ("in_person", "phone", "virtual")
# How a location's point was obtained (indexer.hsds): the source's coordinates, its street
# address geocoded, or its ZIP code's centroid.
LOCATION_PRECISIONS = ("exact", "address", "zip")
# "source": the directory's own categories (through the crosswalk); "inferred": read from
# the record's words by indexer.infer when the source gave none.
CATEGORY_SOURCES = ("source", "inferred")
# The `status` of a service in operation (HSDS 3.0's word; linkage.hsds.conventions names the
# others): the only one search and match return.
ACTIVE = "active"

# A field: how it is checked and documented, and how Elasticsearch indexes it.
Part = tuple[fields.Field, dict]


def _schema(name: str, parts: dict[str, Part], base: type[Schema] = Schema) -> type[Schema]:
    """The marshmallow schema class of a field list."""
    return base.from_dict({key: field for key, (field, _mapping) in parts.items()}, name=name)


def _properties(parts: dict[str, Part]) -> dict:
    """The mapping `properties` of a field list."""
    return {key: mapping for key, (_field, mapping) in parts.items()}


# --- How values are indexed ------------------------------------------------------------------

KEYWORD = {"type": "keyword"}
# A name as it sorts: case aside ("apple" between "Alder" and "Birch"); `raw`
# keeps the name as written, for the aggregations that show it.
SORT_KEYWORD = {"type": "keyword", "normalizer": "linkage_sort"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
# Kept in _source for display only: neither searched nor aggregated.
STORED_TEXT = {"type": "text", "index": False}
# Kept whole in _source, its parts not indexed.
UNINDEXED_OBJECT = {"type": "object", "enabled": False}


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


# --- Parts stored whole (their mapping does not list their fields) ---------------------------


class PhoneSchema(Schema):
    number = fields.String(required=True)
    extension = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class PeriodSchema(Schema):
    day = fields.String(
        required=True, validate=validate.OneOf(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))
    )
    opens = fields.String(required=True)
    closes = fields.String(required=True)


class GeoPointSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


_DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="not a YYYY-MM-DD date")


class NoticeSchema(Schema):
    """A dated notice on a service (closed for a holiday, moved for repairs): search shows it
    only from `starts` to `ends` (either may be open)."""

    text = fields.String(required=True)
    starts = fields.String(allow_none=True, validate=_DATE)
    ends = fields.String(allow_none=True, validate=_DATE)


# --- Parts indexed field by field ------------------------------------------------------------

ADDRESS: dict[str, Part] = {
    "street": (fields.String(allow_none=True), _display()),
    "city": (fields.String(allow_none=True), KEYWORD),
    "state": (fields.String(allow_none=True), KEYWORD),
    "postal_code": (fields.String(allow_none=True), KEYWORD),
    "county": (fields.String(allow_none=True), KEYWORD),
}
AddressSchema = _schema("AddressSchema", ADDRESS)


def age_problem(eligibility: Mapping) -> str | None:
    """The age rule (either limit may be missing): what is wrong with the limits, if anything."""
    low, high = eligibility.get("min_age"), eligibility.get("max_age")
    if low is not None and high is not None and low > high:
        return "min_age is above max_age"
    return None


class _AgesInOrder(Schema):
    @validates_schema
    def ages_in_order(self, data, **kwargs):
        if problem := age_problem(data):
            raise ValidationError(problem, "min_age")


ELIGIBILITY: dict[str, Part] = {
    "min_age": (fields.Integer(allow_none=True, validate=validate.Range(0, 130)), INTEGER),
    "max_age": (fields.Integer(allow_none=True, validate=validate.Range(0, 130)), INTEGER),
    "tags": (fields.List(fields.String(), load_default=list), KEYWORD),
    "income_max_fpl": (
        fields.Integer(
            allow_none=True,
            validate=validate.Range(1, 1000),
            metadata={"description": "Income limit, % of the federal poverty guideline."},
        ),
        INTEGER,
    ),
    "description": (fields.String(allow_none=True), _searched()),
}
EligibilitySchema = _schema("EligibilitySchema", ELIGIBILITY, base=_AgesInOrder)


# --- The document ----------------------------------------------------------------------------

DOCUMENT: dict[str, Part] = {
    "id": (fields.String(required=True, validate=validate.Length(min=1, max=200)), KEYWORD),
    "source": (fields.String(required=True), KEYWORD),
    "source_ids": (
        fields.Dict(keys=fields.String(), values=fields.String(allow_none=True)),
        {"properties": dict.fromkeys(("service", "location", "organization"), KEYWORD)},
    ),
    # The HSDS export's UUIDs of the document's service, organization and service_at_location
    # (linkage.hsds.ids.lookup_ids): a UUID cannot be read back, so the API finds them here.
    "hsds_ids": (
        fields.Dict(keys=fields.String(), values=fields.String(allow_none=True)),
        {"properties": dict.fromkeys(("service", "organization", "service_at_location"), KEYWORD)},
    ),
    "service_name": (
        fields.String(required=True, validate=validate.Length(min=1)),
        _searched(raw=KEYWORD, sort=SORT_KEYWORD),
    ),
    "description": (fields.String(allow_none=True), _searched()),
    "organization_name": (
        fields.String(allow_none=True),
        _searched(spanish=False, raw=KEYWORD, sort=SORT_KEYWORD),
    ),
    "location_name": (fields.String(allow_none=True), _searched(spanish=False)),
    "categories": (fields.List(fields.String(), required=True), KEYWORD),
    "category_tree": (fields.List(fields.String(), required=True), KEYWORD),
    "category_names": (fields.List(fields.String()), _searched(spanish=False)),
    "needs": (fields.List(fields.String()), KEYWORD),
    # The source's own 211 (AIRS) codes, upper case, each part of a compound code apart: what
    # search's `taxonomy` filter matches by prefix ("BD-1800" holds "BD-1800.2000").
    "codes_211": (fields.List(fields.String(), load_default=list), KEYWORD),
    # The names the source gave its 211 codes, each `CODE<tab>name`: licensed, so internal,
    # shown only in /hsds/taxonomy_terms when the deployer turns publish_source_term_names on.
    "names_211": (fields.List(fields.String(), load_default=list), KEYWORD),
    # The source's Open Eligibility codes (its own numbering, `101-02-01`, or v2.0 ids,
    # `1102`), each `CODE<tab>name` with the name it gave (empty if none): openly licensed,
    # listed by /hsds/taxonomy_terms and written back by the HSDS export; internal to search.
    "open_eligibility_terms": (fields.List(fields.String(), load_default=list), KEYWORD),
    "category_source": (
        fields.String(
            allow_none=True,
            validate=validate.OneOf(CATEGORY_SOURCES),
            metadata={"description": "Where the categories came from; none when it has none."},
        ),
        KEYWORD,
    ),
    "category_inferred_from": (
        fields.String(
            allow_none=True,
            validate=validate.OneOf(("name", "description")),
            metadata={"description": "For inferred categories: the text they were read from."},
        ),
        KEYWORD,
    ),
    "location": (fields.Nested(GeoPointSchema, allow_none=True), {"type": "geo_point"}),
    "location_precision": (
        fields.String(allow_none=True, validate=validate.OneOf(LOCATION_PRECISIONS)),
        KEYWORD,
    ),
    "address": (
        fields.Nested(AddressSchema, allow_none=True),
        {"properties": _properties(ADDRESS)},
    ),
    "confidential": (fields.Boolean(load_default=False), BOOLEAN),
    "delivery": (fields.List(fields.String(validate=validate.OneOf(DELIVERY))), KEYWORD),
    "phones": (fields.List(fields.Nested(PhoneSchema)), UNINDEXED_OBJECT),
    "schedule": (fields.List(fields.Nested(PeriodSchema)), UNINDEXED_OBJECT),
    # Built by linkage.hours from the schedule (never taken from a source), so not re-checked
    # here: validating a few hundred generated ranges per record halved the import rate.
    "open_minutes": (fields.List(fields.Dict()), {"type": "integer_range"}),
    # The weekdays it is open some time (from open_minutes), counted by the open-on facet: a
    # terms count reads the hits only, where a range per weekday read the whole index.
    "open_days": (fields.List(fields.String()), KEYWORD),
    "timezone": (fields.String(allow_none=True), KEYWORD),
    "languages": (fields.List(fields.String()), KEYWORD),
    # The source's own words where a value came from free text (shown beside what was read
    # from it, and instead of it where nothing was): "Spanish (Mon only).", "M-F 9-5".
    "languages_text": (fields.String(allow_none=True), STORED_TEXT),
    "interpretation": (
        fields.Boolean(
            load_default=False,
            metadata={"description": "Interpretation offered for other languages."},
        ),
        BOOLEAN,
    ),
    "hours_text": (fields.String(allow_none=True), STORED_TEXT),
    "service_area_text": (fields.String(allow_none=True), STORED_TEXT),
    "eligibility": (fields.Nested(EligibilitySchema), {"properties": _properties(ELIGIBILITY)}),
    "fees": (fields.String(allow_none=True, validate=validate.OneOf(FEES)), KEYWORD),
    "fees_description": (fields.String(allow_none=True), STORED_TEXT),
    "service_areas": (fields.List(fields.String()), KEYWORD),
    "status": (fields.String(required=True), KEYWORD),
    "last_verified": (fields.String(allow_none=True, validate=_DATE), {"type": "date"}),
    "url": (fields.String(allow_none=True), _display()),
    "email": (fields.String(allow_none=True), _display()),
    "application_process": (fields.String(allow_none=True), STORED_TEXT),
    "required_documents": (fields.List(fields.String()), STORED_TEXT),
    "notice": (fields.Nested(NoticeSchema, allow_none=True), UNINDEXED_OBJECT),
    "accessibility": (
        fields.List(
            fields.String(), metadata={"description": "Access for people with disabilities."}
        ),
        # Whole values (Ohana's "Wheelchair accessible"), for search's filter and facet; a
        # long free-text one is kept in _source but not indexed.
        {"type": "keyword", "ignore_above": 256},
    ),
    "notes": (fields.List(fields.String()), STORED_TEXT),
    # Import bookkeeping: same organization + service name (normalised), and where it came from.
    "dedupe_key": (fields.String(), KEYWORD),
    "origin": (fields.Dict(), UNINDEXED_OBJECT),
    # Set by the loader after this check: a hash of the content, to count what a load changed.
    # Not indexed, but with doc values: for aggregations.
    "fingerprint": (fields.String(), {"type": "keyword", "index": False}),
    # Set by the loader too: the meaning of the name, categories and description, for
    # semantic search (linkage.search.hybrid). Search-only: never in a response. Kept as
    # bytes (hybrid.encoded: each vector scaled to ±127 and rounded; cosine ignores the
    # scale) and searched exactly, with no HNSW graph: every search filters to a place
    # first, leaving few vectors to compare, and building the graph cut the import rate to
    # a third; bytes are a quarter of float32 to send, store and scan.
    "embedding": (
        fields.String(),
        {
            "type": "dense_vector",
            "dims": semantic.DIMENSIONS,
            "element_type": "byte",
            "similarity": "cosine",
            "index": True,
            "index_options": {"type": "flat"},
        },
    ),
    # Set by the loader on records none of the directory's categories hold (none, or only
    # inferred ones): how close the record's meaning is to each category's, as the score a
    # kNN match would give, (1 + cosine) / 2, where the cosine reaches hybrid.WORDS_FLOOR.
    # Needs and categories rank such records by these numbers (linkage.search.hybrid) rather
    # than by a kNN search per category. One half_float per category code (MEANING_SCORES).
    "meaning": (
        fields.Dict(keys=fields.String(), values=fields.Float()),
        {"type": "object", "dynamic": True},
    ),
}

# Validates a document before it is indexed (through check_document); the indexer rejects
# what fails here.
ResourceSchema = _schema("ResourceSchema", DOCUMENT)
# The index's mapping: strict, as check_document refuses a field the list lacks.
MAPPINGS: dict = {
    "dynamic": "strict",
    "dynamic_templates": [
        {"meaning_scores": {"path_match": "meaning.*", "mapping": {"type": "half_float"}}}
    ],
    "properties": _properties(DOCUMENT),
}

# Fields for search and import bookkeeping only, never shown to API users.
INTERNAL_FIELDS = (
    "category_names", "notes", "dedupe_key", "origin", "fingerprint", "embedding", "meaning",
    "hsds_ids", "names_211", "open_eligibility_terms", "open_days",
)  # fmt: skip
# What a full record shown to API users leaves out: the internal fields, and the weekly
# minutes the open-now filter reads (the schedule says the same for people).
NOT_PUBLIC = ("open_minutes", *INTERNAL_FIELDS)


class InvalidDocument(ValueError):
    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


COMPONENTS = "#/components/schemas/"  # where apispec puts the schemas


@cache
def _compiled_validator():
    """ResourceSchema as a compiled JSON Schema: the same rules, ~50 times faster to check
    than a marshmallow load, which matters at a million documents per import."""
    spec = APISpec("linkage", "1", "3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.schema("Resource", schema=ResourceSchema)
    components = spec.to_dict()["components"]["schemas"]
    components["Resource"]["additionalProperties"] = False  # as the mapping's dynamic: strict
    return fastjsonschema.compile(_inlined(components["Resource"], components))


def _inlined(schema, components: dict):
    """`schema` with each `$ref` to a component replaced by the component itself: the compiled
    code then checks a phone or an opening period in place, rather than calling a function
    whose name argument it formats for every item (a fifth of converting a record)."""
    if isinstance(schema, list):
        return [_inlined(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if (ref := schema.get("$ref", "")).startswith(COMPONENTS):
        return _inlined(components[ref.removeprefix(COMPONENTS)], components)
    return {key: _inlined(value, components) for key, value in schema.items()}


def check_document(doc: dict) -> None:
    """Raise InvalidDocument naming the field when `doc` breaks ResourceSchema."""
    try:
        _compiled_validator()(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        raise InvalidDocument(
            exc.name.removeprefix("data.").removeprefix("data"),
            exc.message.removeprefix(exc.name + " "),
        ) from None
    # The one rule JSON Schema cannot say.
    if problem := age_problem(doc.get("eligibility") or {}):
        raise InvalidDocument("eligibility.min_age", problem)


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


# While a full load writes a new index: no refreshes, no replicas to copy each write to;
# replica_settings(...) and a refresh interval are put back before it goes live.
BULK_LOAD_SETTINGS = {
    "refresh_interval": "-1",
    "number_of_replicas": 0,
    "auto_expand_replicas": "false",
}
REFRESH_INTERVAL = "1s"
_REPLICA_RANGE = re.compile(r"^\d+-(\d+|all)$")


def replica_settings(replicas: str) -> dict:
    """LINKAGE_REPLICAS as index settings: a count ("1") is fixed, a range ("0-1", "0-all")
    follows the nodes in the cluster; raises ValueError for anything else."""
    text = replicas.strip()
    if text.isdigit():
        return {"number_of_replicas": int(text), "auto_expand_replicas": "false"}
    if _REPLICA_RANGE.match(text):
        return {"auto_expand_replicas": text}
    raise ValueError(f"replicas must be a count or a range such as 0-1 or 0-all, not {replicas!r}")


def index_settings(
    stemming: tuple[str, dict] | None,
    spanish: tuple[str, dict] | None = None,
    replicas: str = Settings.replicas,
) -> dict:
    """Index settings with the `linkage_text` analyzer built on the chosen stemming filter,
    `linkage_exact` (lower case only), `linkage_spanish` (Spanish stop words, and the
    chosen Spanish stemming; without one, still its own words), the `linkage_sort`
    normalizer (SORT_KEYWORD), and `replicas`
    (replica_settings)."""
    analysis: dict = {
        "filter": {"linkage_stop_es": {"type": "stop", "stopwords": "_spanish_"}},
        "analyzer": {},
        "normalizer": {"linkage_sort": {"type": "custom", "filter": ["lowercase"]}},
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
        "refresh_interval": REFRESH_INTERVAL,
        "analysis": analysis,
    } | replica_settings(replicas)
