"""The HSDS API's parameters and responses (/hsds/...), after hsds-3.0/schema/openapi.json.

Responses are HSDS 3.0 objects as linkage.hsds.export builds them. Their schemas here name
each shape and its main fields for the OpenAPI document and leave the rest open (HSDS's own
JSON schemas define them; tests/test_hsds_api.py validates every response against those):
a response is written as built, never through these schemas' fields.
"""

from __future__ import annotations

import re

from marshmallow import (
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    post_dump,
    validate,
    validates,
    validates_schema,
)

from linkage import places
from linkage.api.schemas.common import StrictSchema
from linkage.hsds import conventions, ids
from linkage.hsds.filters import parse_modified_after
from linkage.hsds.terms import carried, find_term, taxonomy_named
from linkage.runtime import runtime

# No stored id is longer (Elasticsearch keeps _id under 512 bytes, keyword terms far under
# 32 KB): a longer one is unknown, and must not reach the cluster as a query it refuses.
MAX_ID_LENGTH = 512
MAX_PROXIMITY_METRES = 2_000_000


# ---------------------------------------------------------------------------------------
# Parameters


def known_taxonomy(value: str) -> None:
    if taxonomy_named(value) is None:
        raise ValidationError(
            f"unknown taxonomy {value!r}: one of "
            f"{', '.join((*conventions.TAXONOMIES, *conventions.SOURCE_TAXONOMIES))}, or the "
            "id of one (see /hsds/taxonomies)"
        )


class PageArgs(StrictSchema):
    search = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "Full text search over names and descriptions."},
    )
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10_000_000),
        metadata={"description": "Page number (from 1)."},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=100),
        metadata={"description": "Items per page (at most 100)."},
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "ndjson"]),
        metadata={
            "description": "`ndjson` streams every match, one object a line, without paging."
        },
    )


class FilterArgs(PageArgs):
    taxonomy_term_id = fields.String(
        metadata={
            "description": "Only services with this term (see /hsds/taxonomy_terms); a parent "
            "category includes its children."
        }
    )
    taxonomy_id = fields.String(
        validate=known_taxonomy,
        metadata={"description": "Only services with any term of this taxonomy (its id, or name)."},
    )
    organization_id = fields.String(
        validate=validate.Length(max=2 * MAX_ID_LENGTH),
        metadata={"description": "Only services of this organization."},
    )
    modified_after = fields.String(
        metadata={
            "description": "Only services verified on or after this date (ISO 8601 date or "
            "datetime; Linkage keeps the date a record was last verified)."
        }
    )
    full = fields.Boolean(
        load_default=None,
        metadata={
            "description": "Fully nested objects (default: one-to-one fields only; with "
            "format=ndjson the default is full)."
        },
    )

    @validates("taxonomy_term_id")
    def known_term(self, value, **kwargs):
        rt = runtime()
        if find_term(rt.taxonomy, value, carried(rt.index)) is None:
            raise ValidationError(f"unknown taxonomy term {value!r} (see /hsds/taxonomy_terms)")

    @validates("organization_id")
    def organization_id_form(self, value, **kwargs):
        if ids.organization_query(value) is None:
            raise ValidationError("not an organization id of this API")

    @validates("modified_after")
    def modified_after_form(self, value, **kwargs):
        try:
            parse_modified_after(value)
        except ValueError:
            raise ValidationError("not an ISO 8601 date or datetime") from None


class ServiceListArgs(FilterArgs):
    minimal = fields.Boolean(
        load_default=False,
        metadata={"description": "Only each service's id, name, status and dates."},
    )

    @validates_schema
    def one_shape(self, data, **kwargs):
        if data.get("minimal") and data.get("full"):
            raise ValidationError("minimal and full exclude each other", "minimal")


class ServiceAtLocationListArgs(FilterArgs):
    postcode = fields.String(
        metadata={
            "description": "A US ZIP code: services at it (their address) or serving it (a "
            "service area holding it); with `proximity`, instead locations within that many "
            "metres of its centroid (and, if the service states service areas, serving it)."
        }
    )
    proximity = fields.Float(
        validate=validate.Range(min=1, max=MAX_PROXIMITY_METRES),
        metadata={"description": "Metres around the centroid of `postcode`."},
    )

    @validates("postcode")
    def known_postcode(self, value, **kwargs):
        if not re.fullmatch(r"\d{5}(-\d{4})?", value.strip()):
            raise ValidationError("a 5-digit US ZIP code")
        if places.zip_place(value.strip()) is None:
            raise ValidationError(f"unknown ZIP code {value!r}")

    @validates_schema
    def proximity_needs_postcode(self, data, **kwargs):
        if data.get("proximity") is not None and not data.get("postcode"):
            raise ValidationError("proximity needs a postcode", "proximity")


class OrganizationListArgs(PageArgs):
    full = fields.Boolean(
        load_default=False, metadata={"description": "With each organization's services."}
    )
    full_service = fields.Boolean(
        load_default=False,
        metadata={"description": "With each organization's services, fully nested."},
    )


class OrganizationArgs(StrictSchema):
    full_service = fields.Boolean(
        load_default=False, metadata={"description": "Services fully nested."}
    )


class TaxonomyTermListArgs(PageArgs):
    taxonomy_id = fields.String(validate=known_taxonomy)
    top_only = fields.Boolean(
        load_default=False, metadata={"description": "Only terms without a parent."}
    )
    parent_id = fields.String(
        metadata={"description": "Only the children of this term (its id, or code)."}
    )


class NoArgs(StrictSchema):
    pass


# ---------------------------------------------------------------------------------------
# Responses


class HsdsObject(Schema):
    """An HSDS object: the fields named below, and HSDS's others."""

    class Meta:
        unknown = INCLUDE  # documented as open (additionalProperties)

    @post_dump(pass_original=True)
    def as_built(self, data, original, **kwargs):
        return original


class HsdsTaxonomyTermOut(HsdsObject):
    id = fields.String(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    taxonomy = fields.String(required=True)
    taxonomy_id = fields.String(required=True)
    parent_id = fields.String()


class HsdsTaxonomyOut(HsdsObject):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    version = fields.String()


class HsdsOrganizationSummaryOut(HsdsObject):
    id = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)


class HsdsLocationOut(HsdsObject):
    """Never an address or coordinates when the location is confidential."""

    id = fields.String(required=True)
    location_type = fields.String(required=True, validate=validate.OneOf(["physical", "virtual"]))
    name = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    addresses = fields.List(fields.Dict())
    languages = fields.List(fields.Dict())


class HsdsServiceOut(HsdsObject):
    id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(conventions.STATUSES))
    description = fields.String()
    assured_date = fields.String()
    last_modified = fields.String()
    organization = fields.Nested(HsdsOrganizationSummaryOut)
    phones = fields.List(fields.Dict())
    schedules = fields.List(fields.Dict())
    service_areas = fields.List(fields.Dict())
    languages = fields.List(fields.Dict())
    attributes = fields.List(fields.Dict())
    service_at_locations = fields.List(fields.Dict())


class HsdsServiceAtLocationOut(HsdsObject):
    id = fields.String(required=True)
    service_id = fields.String(required=True)
    location_id = fields.String()
    phones = fields.List(fields.Dict())
    schedules = fields.List(fields.Dict())
    location = fields.Nested(HsdsLocationOut)
    service = fields.Nested(HsdsServiceOut)


class HsdsOrganizationOut(HsdsOrganizationSummaryOut):
    services = fields.List(fields.Nested(HsdsServiceOut))


class HsdsApiInfoOut(Schema):
    version = fields.String(required=True)
    profile = fields.String(required=True)
    openapi_url = fields.String(required=True)


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """HSDS 3.0's page object around a list of `item`."""
    return Schema.from_dict(
        {
            "total_items": fields.Integer(required=True),
            "total_pages": fields.Integer(required=True),
            "page_number": fields.Integer(required=True),
            "size": fields.Integer(required=True),
            "first_page": fields.Boolean(required=True),
            "last_page": fields.Boolean(required=True),
            "empty": fields.Boolean(required=True),
            "contents": fields.List(fields.Nested(item), required=True),
        },
        name=name,
    )


HsdsServicePage = page_of(HsdsServiceOut, "HsdsServicePage")
HsdsServiceAtLocationPage = page_of(HsdsServiceAtLocationOut, "HsdsServiceAtLocationPage")
HsdsOrganizationPage = page_of(HsdsOrganizationOut, "HsdsOrganizationPage")
HsdsTaxonomyPage = page_of(HsdsTaxonomyOut, "HsdsTaxonomyPage")
HsdsTaxonomyTermPage = page_of(HsdsTaxonomyTermOut, "HsdsTaxonomyTermPage")
