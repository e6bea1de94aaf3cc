"""The Open Referral HSDS 3.0 API (/hsds/...), read from the same index as /v1.

Endpoints, parameters and the page object follow hsds-3.0/schema/openapi.json; the objects
are built by linkage.hsds_export, where the identifier scheme is described. Lists are in key
order (source, then the source's id), so paging is stable; `format=ndjson` streams every
match, one object a line, without paging, in a point-in-time snapshot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import orjson
from flask import Response, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, ValidationError, fields, validate, validates, validates_schema

from linkage import geo
from linkage import hsds_export as hx
from linkage.api.schemas import StrictSchema
from linkage.runtime import runtime

blp = Blueprint(
    "hsds",
    __name__,
    url_prefix="/hsds",
    description="Open Referral HSDS 3.0 API: services, organizations, locations and taxonomies "
    "as HSDS objects (https://docs.openreferral.org).",
)

TAXONOMY_NAMES = (hx.CATEGORIES, hx.ELIGIBILITY, hx.FEES, hx.FLAGS)
# No stored id is longer (Elasticsearch keeps _id under 512 bytes, keyword terms far under
# 32 KB): a longer one is unknown, and must not reach the cluster as a query it refuses.
MAX_ID_LENGTH = 512
MAX_PROXIMITY_METRES = 2_000_000
NDJSON = "application/x-ndjson"


# ---------------------------------------------------------------------------------------
# Parameters


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
        validate=validate.OneOf(TAXONOMY_NAMES),
        metadata={"description": "Only services with any term of this taxonomy."},
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
        if value not in hx.terms(runtime().taxonomy):
            raise ValidationError(f"unknown taxonomy term {value!r} (see /hsds/taxonomy_terms)")

    @validates("organization_id")
    def organization_id_form(self, value, **kwargs):
        if hx.parse_organization_id(value) is None:
            raise ValidationError("not an organization id of this API")

    @validates("modified_after")
    def modified_after_form(self, value, **kwargs):
        try:
            hx.parse_modified_after(value)
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
            "description": "A US ZIP code: services that state service areas must serve it; "
            "with `proximity`, only locations within that many metres of its centroid."
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
        if geo.zip_place(value.strip()) is None:
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
    taxonomy_id = fields.String(validate=validate.OneOf(TAXONOMY_NAMES))
    top_only = fields.Boolean(
        load_default=False, metadata={"description": "Only terms without a parent."}
    )
    parent_id = fields.String(metadata={"description": "Only the children of this term."})


class NoArgs(StrictSchema):
    pass


# ---------------------------------------------------------------------------------------
# Helpers


def _ndjson(objects: Iterator[dict]) -> Response:
    """Stream objects one a line. The first is produced before answering, so a failure to
    reach Elasticsearch still gets the API's error shape rather than a cut stream."""

    def lines() -> Iterator[bytes]:
        try:
            for obj in objects:
                yield orjson.dumps(obj) + b"\n"
        finally:
            close = getattr(objects, "close", None)
            if close is not None:
                close()

    stream = lines()
    first = next(stream, None)

    def body() -> Iterator[bytes]:
        try:
            if first is not None:
                yield first
                yield from stream
        finally:
            stream.close()

    return Response(body(), mimetype=NDJSON)


def _page_in_memory(items: list[dict], args: dict):
    if args["format"] == "ndjson":
        return _ndjson(iter(items))
    start = (args["page"] - 1) * args["per_page"]
    contents = items[start : start + args["per_page"]]
    return jsonify(hx.page(len(items), args["page"], args["per_page"], contents))


def _words_match(text: str | None, *values: str | None) -> bool:
    if not text or not text.strip():
        return True
    haystack = " ".join(v for v in values if v).lower()
    return all(word in haystack for word in text.lower().split())


def _service_filters(args: dict, extra_search_fields: Iterable[str] = ()) -> list[dict]:
    """The filters /services and /service_at_locations share; all combine as AND."""
    rt = runtime()
    filters: list[dict] = []
    if (args.get("search") or "").strip():
        filters.append(hx.text_filter(args["search"].strip(), extra_search_fields))
    if args.get("taxonomy_term_id"):
        filters.append(hx.term_filter(hx.terms(rt.taxonomy)[args["taxonomy_term_id"]]))
    if args.get("taxonomy_id"):
        filters.append(hx.taxonomy_filter(args["taxonomy_id"]))
    if args.get("organization_id"):
        filters.append(hx.parse_organization_id(args["organization_id"]).query())
    if args.get("modified_after"):
        since = hx.parse_modified_after(args["modified_after"]).isoformat()
        filters.append({"range": {"last_verified": {"gte": since, "format": "yyyy-MM-dd"}}})
    return filters


def _not_found(kind: str, value: str):
    shown = value if len(value) <= 120 else value[:120] + "..."
    abort(404, message=f"no {kind} with id {shown!r}")


# ---------------------------------------------------------------------------------------
# Views


@blp.route("/")
class ApiInfo(MethodView):
    @blp.arguments(NoArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="The HSDS version of this API and its OpenAPI document.")
    def get(self, args):
        """About this API and its relation to HSDS."""
        return {
            "version": hx.HSDS_VERSION,
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": url_for("api-docs.openapi_json", _external=True),
        }


@blp.route("/services")
class Services(MethodView):
    @blp.arguments(ServiceListArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A page of services (HSDS page object), or NDJSON.")
    def get(self, args):
        """Services: one-to-one fields, `minimal`, or `full` (nested), paged or as NDJSON."""
        rt = runtime()
        es, index, taxonomy = rt.es, rt.settings.index_alias, rt.taxonomy
        query = hx.bool_query(_service_filters(args))
        minimal = args["minimal"]
        full = args["full"] if args["full"] is not None else args["format"] == "ndjson"

        def shape(docs: list[dict]) -> dict:
            if minimal:
                return hx.service_minimal(docs[0])
            if full:
                return hx.service_full(docs, taxonomy)
            return hx.service_summary(docs[0])

        if args["format"] == "ndjson":
            # Every filter is on service-level fields: a service's documents match together.
            docs = hx.iter_documents(es, index, query, point_in_time=True)
            return _ndjson(shape(group) for group in hx.grouped(docs, hx.service_key))
        total, keys = hx.page_of_services(
            es, index, query, (args["page"] - 1) * args["per_page"], args["per_page"]
        )
        found = hx.documents_of_services(es, index, keys)
        contents = [shape(found[k]) for k in keys if k in found]
        return jsonify(hx.page(total, args["page"], args["per_page"], contents))


@blp.route("/services/<path:service_id>")
class Service(MethodView):
    @blp.arguments(NoArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A fully nested service.")
    @blp.alt_response(404, description="No service has this id")
    def get(self, args, service_id):
        """One service, fully nested, with a service_at_location per location."""
        rt = runtime()
        key = hx.split_service_id(service_id) if len(service_id) <= MAX_ID_LENGTH else None
        if key is None:
            _not_found("service", service_id)
        found = hx.documents_of_services(rt.es, rt.settings.index_alias, [key])
        if key not in found:
            _not_found("service", service_id)
        return hx.service_full(found[key], rt.taxonomy)


@blp.route("/service_at_locations")
class ServicesAtLocations(MethodView):
    @blp.arguments(ServiceAtLocationListArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A page of services at locations, or NDJSON.")
    def get(self, args):
        """Services at locations, filtered as /services and by postcode and proximity."""
        rt = runtime()
        es, index, taxonomy = rt.es, rt.settings.index_alias, rt.taxonomy
        filters = _service_filters(args, extra_search_fields=["location_name"])
        if args.get("postcode"):
            place = geo.zip_place(args["postcode"].strip())
            filters.append(hx.service_area_filter(place))
            if args.get("proximity") is not None:
                filters.append(hx.proximity_filter(place, args["proximity"]))
        query = hx.bool_query(filters)
        full = args["full"] if args["full"] is not None else args["format"] == "ndjson"
        if args["format"] == "ndjson":
            docs = hx.iter_documents(es, index, query, sort=hx.SNAPSHOT_ORDER, point_in_time=True)
            return _ndjson(hx.service_at_location_view(d, taxonomy, full) for d in docs)
        total, docs = hx.page_of_documents(
            es, index, query, (args["page"] - 1) * args["per_page"], args["per_page"]
        )
        contents = [hx.service_at_location_view(d, taxonomy, full) for d in docs]
        return jsonify(hx.page(total, args["page"], args["per_page"], contents))


@blp.route("/service_at_locations/<string:sal_id>")
class ServiceAtLocation(MethodView):
    @blp.arguments(NoArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A fully nested service_at_location with its service.")
    @blp.alt_response(404, description="No service_at_location has this id")
    def get(self, args, sal_id):
        """One service at one location, fully nested, with its service."""
        rt = runtime()
        if len(sal_id.encode()) > MAX_ID_LENGTH:
            _not_found("service_at_location", sal_id)
        found = rt.es.search(
            index=rt.settings.index_alias,
            query={"ids": {"values": [sal_id]}},
            size=1,
            _source={"excludes": hx.SOURCE_EXCLUDES},
        )
        hits = found["hits"]["hits"]
        if not hits:
            _not_found("service_at_location", sal_id)
        return hx.service_at_location_view(hits[0]["_source"], rt.taxonomy, full=True)


def _organization_partitions(args: dict) -> list[tuple[dict, list[dict], dict | None]]:
    filters: list[dict] = []
    if (args.get("search") or "").strip():
        filters.append(
            {"match": {"organization_name": {"query": args["search"], "operator": "and"}}}
        )
    with_id = {"bool": {"filter": [*filters, {"exists": {"field": "source_ids.organization"}}]}}
    by_name = {
        "bool": {
            "filter": [*filters, {"exists": {"field": "organization_name.raw"}}],
            "must_not": [{"exists": {"field": "source_ids.organization"}}],
        }
    }
    name = {"name": {"terms": {"field": "organization_name.raw", "size": 1}}}
    return [(with_id, hx.ORGANIZATION_ID_GROUP, name), (by_name, hx.ORGANIZATION_NAME_GROUP, None)]


def _organization_from_bucket(bucket: dict) -> tuple[hx.OrganizationRef, str]:
    key = bucket["key"]
    if "organization" in key:
        names = (bucket.get("name") or {}).get("buckets") or []
        return hx.OrganizationRef(key["source"], id=key["organization"]), (
            names[0]["key"] if names else ""
        )
    return hx.OrganizationRef(key["source"], name=key["name"]), key["name"]


def _organization_object(
    ref: hx.OrganizationRef, name: str, docs: list[dict] | None, full_service: bool, taxonomy
) -> dict:
    oid = ref.hsds_id
    if docs is None:
        return {"id": oid, "name": name, "description": ""}
    services = list(hx.grouped(docs, hx.service_key))
    return hx.organization_full(oid, name, services, taxonomy, full_service)


def _stream_organizations(es, index: str, taxonomy, args: dict, nested: bool) -> Iterator[dict]:
    """Every organization: from composite buckets, or with their services from the documents
    in organization order (one organization's documents in memory at a time)."""
    partitions = _organization_partitions(args)
    if not nested:
        for query, sources, sub in partitions:
            for bucket in hx.iter_groups(es, index, query, sources, sub):
                ref, name = _organization_from_bucket(bucket)
                yield _organization_object(ref, name, None, False, taxonomy)
        return
    (with_id, _, _), (by_name, _, _) = partitions
    orders = [
        (with_id, [{"source": "asc"}, {"source_ids.organization": "asc"}]),
        (by_name, [{"source": "asc"}, {"organization_name.raw": "asc"}]),
    ]
    for query, order in orders:
        docs = hx.iter_documents(
            es, index, query, sort=order + hx.DOCUMENT_ORDER[1:], point_in_time=True
        )
        for group in hx.grouped(docs, hx.organization_id):
            ref = hx.parse_organization_id(hx.organization_id(group[0]))
            name = hx.organization_name(group)
            yield _organization_object(ref, name, group, args["full_service"], taxonomy)


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(OrganizationListArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A page of organizations, or NDJSON.")
    def get(self, args):
        """Organizations; `full` adds their services, `full_service` fully nested."""
        rt = runtime()
        es, index = rt.es, rt.settings.index_alias
        nested = args["full"] or args["full_service"]
        if args["format"] == "ndjson":
            return _ndjson(_stream_organizations(es, index, rt.taxonomy, args, nested))
        total, buckets = hx.page_of_groups(
            es,
            index,
            _organization_partitions(args),
            (args["page"] - 1) * args["per_page"],
            args["per_page"],
        )
        orgs = [_organization_from_bucket(b) for b in buckets]
        by_org: dict[str, list[dict]] = {}
        if nested and orgs:
            query = {
                "bool": {"should": [ref.query() for ref, _ in orgs], "minimum_should_match": 1}
            }
            for doc in hx.iter_documents(es, index, query):
                by_org.setdefault(hx.organization_id(doc), []).append(doc)
        contents = [
            _organization_object(
                ref,
                name,
                by_org.get(ref.hsds_id, []) if nested else None,
                args["full_service"],
                rt.taxonomy,
            )
            for ref, name in orgs
        ]
        return jsonify(hx.page(total, args["page"], args["per_page"], contents))


@blp.route("/organizations/<path:organization_id>")
class Organization(MethodView):
    @blp.arguments(OrganizationArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="An organization with its services.")
    @blp.alt_response(404, description="No organization has this id")
    def get(self, args, organization_id):
        """One organization with its services (`full_service`: fully nested)."""
        rt = runtime()
        ref = None
        if len(organization_id) <= 2 * MAX_ID_LENGTH:
            ref = hx.parse_organization_id(organization_id)
        if ref is None:
            _not_found("organization", organization_id)
        docs = list(hx.iter_documents(rt.es, rt.settings.index_alias, ref.query()))
        if not docs:
            _not_found("organization", organization_id)
        return _organization_object(
            ref, hx.organization_name(docs), docs, args["full_service"], rt.taxonomy
        )


@blp.route("/taxonomies")
class Taxonomies(MethodView):
    @blp.arguments(PageArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A page of taxonomies, or NDJSON.")
    def get(self, args):
        """The taxonomies Linkage files services under (categories and its conventions)."""
        rt = runtime()
        items = [
            t
            for t in hx.taxonomies(rt.settings.data_dir)
            if _words_match(args.get("search"), t["name"], t["description"])
        ]
        return _page_in_memory(items, args)


@blp.route("/taxonomies/<string:taxonomy_id>")
class Taxonomy(MethodView):
    @blp.arguments(NoArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A taxonomy.")
    @blp.alt_response(404, description="No taxonomy has this id")
    def get(self, args, taxonomy_id):
        """One taxonomy."""
        rt = runtime()
        for t in hx.taxonomies(rt.settings.data_dir):
            if t["id"] == taxonomy_id:
                return t
        _not_found("taxonomy", taxonomy_id)


@blp.route("/taxonomy_terms")
class TaxonomyTerms(MethodView):
    @blp.arguments(TaxonomyTermListArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A page of taxonomy terms, or NDJSON.")
    def get(self, args):
        """Taxonomy terms: the category tree (id = category code) and the convention terms."""
        items = [
            t.as_hsds()
            for t in hx.terms(runtime().taxonomy).values()
            if (not args.get("taxonomy_id") or t.taxonomy == args["taxonomy_id"])
            and (not args["top_only"] or t.parent_id is None)
            and (not args.get("parent_id") or t.parent_id == args["parent_id"])
            and _words_match(args.get("search"), t.code, t.name, t.description)
        ]
        return _page_in_memory(items, args)


@blp.route("/taxonomy_terms/<string:term_id>")
class TaxonomyTerm(MethodView):
    @blp.arguments(NoArgs(), location="query", unknown=RAISE)
    @blp.response(200, description="A taxonomy term.")
    @blp.alt_response(404, description="No taxonomy term has this id")
    def get(self, args, term_id):
        """One taxonomy term."""
        term = hx.terms(runtime().taxonomy).get(term_id)
        if term is None:
            _not_found("taxonomy term", term_id)
        return term.as_hsds()
