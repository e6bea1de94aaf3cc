"""The Open Referral HSDS 3.0 API (/hsds/...), read from the same index as /v1.

Endpoints, parameters and the page object follow hsds-3.0/schema/openapi.json; the objects
are built by linkage.hsds.export, with the identifiers of linkage.hsds.ids. Lists are in key
order (source, then the source's id), so paging is stable; `format=ndjson` streams every
match, one object a line, without paging, in a point-in-time snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson
from flask import Response, current_app, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Page, abort
from flask_smorest.pagination import PaginationParameters

from linkage import places
from linkage.api.base import Blueprint
from linkage.api.schemas.hsds import (
    MAX_ID_LENGTH,
    HsdsApiInfoOut,
    HsdsOrganizationOut,
    HsdsOrganizationPage,
    HsdsServiceAtLocationOut,
    HsdsServiceAtLocationPage,
    HsdsServiceOut,
    HsdsServicePage,
    HsdsTaxonomyOut,
    HsdsTaxonomyPage,
    HsdsTaxonomyTermOut,
    HsdsTaxonomyTermPage,
    NoArgs,
    OrganizationArgs,
    OrganizationListArgs,
    PageArgs,
    ServiceAtLocationListArgs,
    ServiceListArgs,
    TaxonomyTermListArgs,
)
from linkage.hsds import conventions, ids
from linkage.hsds import export as hx
from linkage.hsds.filters import (
    bool_query,
    parse_modified_after,
    postcode_filter,
    proximity_filter,
    service_area_filter,
    taxonomy_filter,
    term_filter,
    text_filter,
)
from linkage.hsds.openapi import hsds_only
from linkage.hsds.terms import carried, find_term, taxonomies, taxonomy_named, terms
from linkage.runtime import runtime
from linkage.search.index import DOCUMENT_ORDER, SNAPSHOT_ORDER, ResourceIndex

blp = Blueprint(
    "hsds",
    __name__,
    url_prefix="/hsds",
    description="Open Referral HSDS 3.0 API: services, organizations, locations and taxonomies "
    "as HSDS objects (https://docs.openreferral.org).",
)

NDJSON = "application/x-ndjson"
NDJSON_LINES = "With format=ndjson: every match, one object a line (the schema of a line)."


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


def _window(args: dict) -> PaginationParameters:
    """The page asked for (`page`, `per_page`), as flask-smorest's pagination parameters."""
    return PaginationParameters(args["page"], args["per_page"])


def _page(total: int, window: PaginationParameters, contents: list[dict]) -> Response:
    """HSDS's page object, in the body (flask-smorest's paginate would put it in a header)."""
    return jsonify(hx.page(total, window.page, window.page_size, contents))


def _page_in_memory(items: list[dict], args: dict):
    if args["format"] == "ndjson":
        return _ndjson(iter(items))
    window = _window(args)
    return _page(len(items), window, Page(items, window).items)


def _words_match(text: str | None, *values: str | None) -> bool:
    if not text or not text.strip():
        return True
    haystack = " ".join(v for v in values if v).lower()
    return all(word in haystack for word in text.lower().split())


def _service_filters(args: dict) -> list[dict]:
    """The filters /services and /service_at_locations share; all combine as AND."""
    rt = runtime()
    filters: list[dict] = []
    if (args.get("search") or "").strip():
        filters.append(text_filter(args["search"].strip()))
    if args.get("taxonomy_term_id"):
        term = find_term(rt.taxonomy, args["taxonomy_term_id"], carried(rt.index))
        filters.append(term_filter(term))
    if args.get("taxonomy_id"):
        filters.append(taxonomy_filter(taxonomy_named(args["taxonomy_id"])["name"]))
    if args.get("organization_id"):
        filters.append(ids.organization_query(args["organization_id"]))
    if args.get("modified_after"):
        since = parse_modified_after(args["modified_after"]).isoformat()
        filters.append({"range": {"last_verified": {"gte": since, "format": "yyyy-MM-dd"}}})
    return filters


def _excludes() -> list[str]:
    """The document fields the export leaves out (the sources' 211 names, unless published)."""
    return hx.source_excludes(runtime().settings.publish_source_term_names)


def _not_found(kind: str, value: str):
    shown = value if len(value) <= 120 else value[:120] + "..."
    abort(404, message=f"no {kind} with id {shown!r}")


# ---------------------------------------------------------------------------------------
# Views


@blp.route("/")
class ApiInfo(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(
        200, HsdsApiInfoOut, description="The HSDS version of this API and its OpenAPI document."
    )
    def get(self, args):
        """About this API and its relation to HSDS."""
        return {
            "version": conventions.HSDS_VERSION,
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": url_for("hsds.HsdsOpenApi", _external=True),
        }


@blp.route("/openapi.json")
class HsdsOpenApi(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(200, description="The OpenAPI document of the HSDS API alone.")
    def get(self, args):
        """This API's OpenAPI document: only the /hsds paths and what they use."""
        spec = current_app.extensions["flask-smorest"]["blp_name_to_api"][blp.name].spec
        return hsds_only(spec.to_dict(), f"{spec.title}: HSDS 3.0 API")


@blp.route("/services")
class Services(MethodView):
    @blp.arguments(ServiceListArgs(), location="query")
    @blp.alt_response(
        200, schema=HsdsServiceOut, content_type=NDJSON, success=True, description=NDJSON_LINES
    )
    @blp.response(
        200, HsdsServicePage, description="A page of services (HSDS page object), or NDJSON."
    )
    def get(self, args):
        """Services: one-to-one fields, `minimal`, or `full` (nested), paged or as NDJSON."""
        rt = runtime()
        resources, taxonomy = rt.index, rt.taxonomy
        query = bool_query(_service_filters(args))
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
            docs = resources.iter_documents(query, point_in_time=True, excludes=_excludes())
            return _ndjson(shape(group) for group in hx.grouped(docs, ids.service_key))
        window = _window(args)
        total, keys = resources.page_of_services(query, window.first_item, window.page_size)
        found = hx.by_service(resources.documents_of_services(keys, excludes=_excludes()))
        return _page(total, window, [shape(found[k]) for k in keys if k in found])


@blp.route("/services/<path:service_id>")
class Service(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(200, HsdsServiceOut, description="A fully nested service.")
    @blp.alt_response(404, description="No service has this id")
    def get(self, args, service_id):
        """One service, fully nested, with a service_at_location per location."""
        rt = runtime()
        query = ids.service_query(service_id) if len(service_id) <= MAX_ID_LENGTH else None
        if query is None:
            _not_found("service", service_id)
        docs = list(rt.index.iter_documents(query, excludes=_excludes()))
        if not docs:
            _not_found("service", service_id)
        return hx.service_full(docs, rt.taxonomy)


@blp.route("/service_at_locations")
class ServicesAtLocations(MethodView):
    @blp.arguments(ServiceAtLocationListArgs(), location="query")
    @blp.alt_response(
        200,
        schema=HsdsServiceAtLocationOut,
        content_type=NDJSON,
        success=True,
        description=NDJSON_LINES,
    )
    @blp.response(
        200, HsdsServiceAtLocationPage, description="A page of services at locations, or NDJSON."
    )
    def get(self, args):
        """Services at locations, filtered as /services and by postcode and proximity."""
        rt = runtime()
        resources, taxonomy = rt.index, rt.taxonomy
        filters = _service_filters(args)
        if args.get("postcode"):
            place = places.zip_place(args["postcode"].strip())
            if args.get("proximity") is None:
                filters.append(postcode_filter(place))
            else:  # near the ZIP code, and serving it when the service says where it serves
                filters.append(service_area_filter(place))
                filters.append(proximity_filter(place, args["proximity"]))
        query = bool_query(filters)
        full = args["full"] if args["full"] is not None else args["format"] == "ndjson"
        if args["format"] == "ndjson":
            docs = resources.iter_documents(
                query, sort=SNAPSHOT_ORDER, point_in_time=True, excludes=_excludes()
            )
            return _ndjson(hx.service_at_location_view(d, taxonomy, full) for d in docs)
        window = _window(args)
        total, docs = resources.page_of_documents(
            query, window.first_item, window.page_size, excludes=_excludes()
        )
        return _page(total, window, [hx.service_at_location_view(d, taxonomy, full) for d in docs])


@blp.route("/service_at_locations/<string:sal_id>")
class ServiceAtLocation(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(
        200,
        HsdsServiceAtLocationOut,
        description="A fully nested service_at_location with its service.",
    )
    @blp.alt_response(404, description="No service_at_location has this id")
    def get(self, args, sal_id):
        """One service at one location, fully nested, with its service."""
        rt = runtime()
        if len(sal_id.encode()) > MAX_ID_LENGTH:
            _not_found("service_at_location", sal_id)
        if ids.is_uuid(sal_id):
            query = ids.lookup_query(ids.SERVICE_AT_LOCATION, sal_id)
        else:  # the document's (the /v1 resource's) id
            query = {"ids": {"values": [sal_id]}}
        doc = rt.index.first(query, excludes=_excludes())
        if doc is None:
            _not_found("service_at_location", sal_id)
        return hx.service_at_location_view(doc, rt.taxonomy, full=True)


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


def _organization_from_bucket(bucket: dict) -> tuple[ids.OrganizationRef, str]:
    key = bucket["key"]
    if "organization" in key:
        names = (bucket.get("name") or {}).get("buckets") or []
        return ids.OrganizationRef(key["source"], id=key["organization"]), (
            names[0]["key"] if names else ""
        )
    return ids.OrganizationRef(key["source"], name=key["name"]), key["name"]


def _organization_object(
    ref: ids.OrganizationRef, name: str, docs: list[dict] | None, full_service: bool, taxonomy
) -> dict:
    oid = ref.hsds_id
    if docs is None:
        return {"id": oid, "name": name, "description": ""}
    services = list(hx.grouped(docs, ids.service_key))
    return hx.organization_full(oid, name, services, taxonomy, full_service)


def _stream_organizations(
    resources: ResourceIndex, taxonomy, args: dict, nested: bool, excludes: list[str]
) -> Iterator[dict]:
    """Every organization: from composite buckets, or with their services from the documents
    (their `excludes` left out: a stream runs outside the request's app context) in
    organization order (one organization's documents in memory at a time)."""
    partitions = _organization_partitions(args)
    if not nested:
        for query, sources, sub in partitions:
            for bucket in resources.iter_groups(query, sources, sub):
                ref, name = _organization_from_bucket(bucket)
                yield _organization_object(ref, name, None, False, taxonomy)
        return
    (with_id, _, _), (by_name, _, _) = partitions
    orders = [
        (with_id, [{"source": "asc"}, {"source_ids.organization": "asc"}]),
        (by_name, [{"source": "asc"}, {"organization_name.raw": "asc"}]),
    ]
    for query, order in orders:
        docs = resources.iter_documents(
            query, sort=order + DOCUMENT_ORDER[1:], point_in_time=True, excludes=excludes
        )
        for group in hx.grouped(docs, ids.organization_id):
            ref = ids.parse_organization_id(ids.stable_organization_id(group[0]))
            name = hx.organization_name(group)
            yield _organization_object(ref, name, group, args["full_service"], taxonomy)


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(OrganizationListArgs(), location="query")
    @blp.alt_response(
        200, schema=HsdsOrganizationOut, content_type=NDJSON, success=True, description=NDJSON_LINES
    )
    @blp.response(200, HsdsOrganizationPage, description="A page of organizations, or NDJSON.")
    def get(self, args):
        """Organizations; `full` adds their services, `full_service` fully nested."""
        rt = runtime()
        resources = rt.index
        nested = args["full"] or args["full_service"]
        if args["format"] == "ndjson":
            stream = _stream_organizations(resources, rt.taxonomy, args, nested, _excludes())
            return _ndjson(stream)
        window = _window(args)
        total, buckets = resources.page_of_groups(
            _organization_partitions(args), window.first_item, window.page_size
        )
        orgs = [_organization_from_bucket(b) for b in buckets]
        by_org: dict[str, list[dict]] = {}
        if nested and orgs:
            query = {
                "bool": {"should": [ref.query() for ref, _ in orgs], "minimum_should_match": 1}
            }
            for doc in resources.iter_documents(query, excludes=_excludes()):
                by_org.setdefault(ids.organization_id(doc), []).append(doc)
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
        return _page(total, window, contents)


@blp.route("/organizations/<path:organization_id>")
class Organization(MethodView):
    @blp.arguments(OrganizationArgs(), location="query")
    @blp.response(200, HsdsOrganizationOut, description="An organization with its services.")
    @blp.alt_response(404, description="No organization has this id")
    def get(self, args, organization_id):
        """One organization with its services (`full_service`: fully nested)."""
        rt = runtime()
        query = None
        if len(organization_id) <= 2 * MAX_ID_LENGTH:
            query = ids.organization_query(organization_id)
        if query is None:
            _not_found("organization", organization_id)
        docs = list(rt.index.iter_documents(query, excludes=_excludes()))
        if not docs:
            _not_found("organization", organization_id)
        ref = ids.parse_organization_id(ids.stable_organization_id(docs[0]))
        return _organization_object(
            ref, hx.organization_name(docs), docs, args["full_service"], rt.taxonomy
        )


@blp.route("/taxonomies")
class Taxonomies(MethodView):
    @blp.arguments(PageArgs(), location="query")
    @blp.alt_response(
        200, schema=HsdsTaxonomyOut, content_type=NDJSON, success=True, description=NDJSON_LINES
    )
    @blp.response(200, HsdsTaxonomyPage, description="A page of taxonomies, or NDJSON.")
    def get(self, args):
        """The taxonomies Linkage files services under (categories and its conventions) and
        the source vocabularies records carry by code (211, Open Eligibility)."""
        rt = runtime()
        items = [
            t
            for t in taxonomies(rt.settings.data_dir, rt.settings.publish_source_term_names)
            if _words_match(args.get("search"), t["name"], t["description"])
        ]
        return _page_in_memory(items, args)


@blp.route("/taxonomies/<string:taxonomy_id>")
class Taxonomy(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(200, HsdsTaxonomyOut, description="A taxonomy.")
    @blp.alt_response(404, description="No taxonomy has this id")
    def get(self, args, taxonomy_id):
        """One taxonomy."""
        settings = runtime().settings
        found = taxonomy_named(taxonomy_id, settings.data_dir, settings.publish_source_term_names)
        if found is None:
            _not_found("taxonomy", taxonomy_id)
        return found


@blp.route("/taxonomy_terms")
class TaxonomyTerms(MethodView):
    @blp.arguments(TaxonomyTermListArgs(), location="query")
    @blp.alt_response(
        200, schema=HsdsTaxonomyTermOut, content_type=NDJSON, success=True, description=NDJSON_LINES
    )
    @blp.response(200, HsdsTaxonomyTermPage, description="A page of taxonomy terms, or NDJSON.")
    def get(self, args):
        """Taxonomy terms: the category tree (id = category code), the convention terms and
        the 211 and Open Eligibility codes the records carry (211 codes only, unless the
        deployer publishes their sources' names: they are licensed)."""
        rt = runtime()
        taxonomy = rt.taxonomy
        source_terms = carried(rt.index, rt.settings.publish_source_term_names)
        wanted = taxonomy_named(args["taxonomy_id"])["name"] if args.get("taxonomy_id") else None
        parent = (
            find_term(taxonomy, args["parent_id"], source_terms) if args.get("parent_id") else None
        )
        items = [
            t.as_hsds()
            for t in [*terms(taxonomy).values(), *source_terms]
            if (wanted is None or t.taxonomy == wanted)
            and (not args["top_only"] or t.parent_id is None)
            and (
                not args.get("parent_id")
                or (
                    parent is not None
                    and (t.taxonomy, t.parent_id) == (parent.taxonomy, parent.code)
                )
            )
            and _words_match(args.get("search"), t.code, t.name, t.description)
        ]
        return _page_in_memory(items, args)


@blp.route("/taxonomy_terms/<string:term_id>")
class TaxonomyTerm(MethodView):
    @blp.arguments(NoArgs(), location="query")
    @blp.response(200, HsdsTaxonomyTermOut, description="A taxonomy term.")
    @blp.alt_response(404, description="No taxonomy term has this id")
    def get(self, args, term_id):
        """One taxonomy term."""
        rt = runtime()
        term = find_term(
            rt.taxonomy, term_id, carried(rt.index, rt.settings.publish_source_term_names)
        )
        if term is None:
            _not_found("taxonomy term", term_id)
        return term.as_hsds()
