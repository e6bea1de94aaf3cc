"""The Open Referral HSDS 3.0 API (/hsds/...) against the real node with the sample directory.

Every response is validated against the HSDS 3.0 JSON schemas (the app's copy, in
linkage/hsds/schema), formats checked (uuid, date, email, ...); expectations are computed from
the sample file or the index itself, independently of the API. Ids are computed with
linkage.hsds.ids (UUIDv5 of `<source>:<source id>`, ...).
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage import places
from linkage.app import create_app
from linkage.hsds import ids as hsds_ids
from linkage.hsds.filters import parse_modified_after
from linkage.search import index as resource_index
from tests.conftest import SAMPLE, WEDNESDAY_AFTERNOON, api_client, codes, requires_shared

RECORDS = json.loads(SAMPLE.read_text())
SCHEMAS = Path(hsds_ids.__file__).parent / "schema"
PAGE_FIELDS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
)


def hsds_id(record, source="sample") -> str:
    return hsds_ids.object_uuid(hsds_ids.SERVICE, f"{source}:{record['id']}")


def sal_id(doc) -> str:
    return hsds_ids.service_at_location_id(doc)


CONFIDENTIAL = [r for r in RECORDS if "confidential-address" in codes(r, "linkage-flags")]


# ---------------------------------------------------------------------------------------
# Schema validation


@cache
def _registry():
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resources = [
        (p.name, Resource.from_contents(json.loads(p.read_text()), DRAFT202012))
        for p in sorted(SCHEMAS.glob("*.json"))
        if p.name != "openapi.json"
    ]
    return Registry().with_resources(resources)


@cache
def _openapi() -> dict:
    return json.loads((SCHEMAS / "openapi.json").read_text())


@cache
def _validator(kind: str, paged: bool):
    """A validator for one HSDS object (`service.json`, ...), or a page of them; every format
    is checked (uuid, date, email, ...)."""
    from jsonschema import Draft202012Validator, FormatChecker

    checks = FormatChecker()
    assert "uuid" in checks.checkers
    schema: dict = {"$ref": kind}
    if paged:
        schema = {
            "allOf": [_openapi()["components"]["schemas"]["Page"]],
            "required": [*PAGE_FIELDS, "contents"],
            "properties": {"contents": {"type": "array", "items": {"$ref": kind}}},
        }
    return Draft202012Validator(schema, registry=_registry(), format_checker=checks)


def assert_valid(body, kind: str, paged: bool = False) -> None:
    errors = sorted(_validator(kind, paged).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]


def get_json(client, url, **params):
    response = client.get(url, query_string=params)
    assert response.status_code == 200, (url, params, response.get_data(as_text=True)[:500])
    assert response.mimetype == "application/json"
    return response.json


def ndjson(client, url, **params) -> list[dict]:
    response = client.get(url, query_string={**params, "format": "ndjson"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/x-ndjson"
    text = response.get_data(as_text=True)
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def every_page(client, url, per_page=100, **params) -> list[dict]:
    pages, number = [], 1
    while True:
        body = get_json(client, url, page=number, per_page=per_page, **params)
        pages.append(body)
        if body["last_page"]:
            return pages
        number += 1


def all_contents(client, url, **params) -> list[dict]:
    return [x for body in every_page(client, url, **params) for x in body["contents"]]


def ids(client, url="/hsds/services", **params) -> set[str]:
    return {x["id"] for x in all_contents(client, url, minimal="true", **params)}


@pytest.fixture(scope="module")
def index_docs(es, settings, sample_index) -> list[dict]:
    found = es.search(index=settings.index_alias, size=5000, query={"match_all": {}})
    return [h["_source"] for h in found["hits"]["hits"]]


# ---------------------------------------------------------------------------------------
# Every endpoint validates


@requires_shared
def test_api_info_validates(client):
    body = get_json(client, "/hsds/")
    schema = _openapi()["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    from jsonschema import Draft202012Validator

    Draft202012Validator(schema["schema"]).validate(body)
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/openapi.json")
    assert client.get("/openapi.json").json["paths"]["/hsds/services"]


@requires_shared
@pytest.mark.parametrize(
    ("url", "params", "kind"),
    [
        ("/hsds/services", {}, "service.json"),
        ("/hsds/services", {"minimal": "true"}, "service.json"),
        ("/hsds/services", {"full": "true"}, "service.json"),
        ("/hsds/service_at_locations", {}, "service_at_location.json"),
        ("/hsds/service_at_locations", {"full": "true"}, "service_at_location.json"),
        ("/hsds/organizations", {}, "organization.json"),
        ("/hsds/organizations", {"full": "true"}, "organization.json"),
        ("/hsds/organizations", {"full_service": "true"}, "organization.json"),
        ("/hsds/taxonomies", {}, "taxonomy.json"),
        ("/hsds/taxonomy_terms", {}, "taxonomy_term.json"),
    ],
)
def test_every_list_page_validates(client, url, params, kind):
    pages = every_page(client, url, **params)
    for body in pages:
        assert_valid(body, kind, paged=True)
    assert sum(b["size"] for b in pages) == pages[0]["total_items"] > 0
    if kind == "organization.json" and params:
        services = [s for b in pages for o in b["contents"] for s in o["services"]]
        assert len(services) == len(RECORDS)
        for service in services:
            assert_valid(service, "service.json")
    if kind == "service_at_location.json":
        for sal in (x for b in pages for x in b["contents"]):
            assert_valid(sal["service"], "service.json")


@requires_shared
def test_single_items_validate(client):
    services = all_contents(client, "/hsds/services")
    assert len(services) == len(RECORDS)
    for service in services[:25] + [{"id": hsds_id(r)} for r in CONFIDENTIAL]:
        body = get_json(client, f"/hsds/services/{service['id']}")
        assert_valid(body, "service.json")
        assert body["id"] == service["id"] and body["service_at_locations"]
        for sal in body["service_at_locations"]:
            one = get_json(client, f"/hsds/service_at_locations/{sal['id']}")
            assert_valid(one, "service_at_location.json")
            assert_valid(one["service"], "service.json")
            assert one["service"]["id"] == body["id"]
        organization = get_json(client, f"/hsds/organizations/{body['organization']['id']}")
        assert_valid(organization, "organization.json")
        assert body["id"] in {s["id"] for s in organization["services"]}
        full = get_json(
            client, f"/hsds/organizations/{body['organization']['id']}", full_service="true"
        )
        assert_valid(full, "organization.json")
        for nested in full["services"]:
            assert_valid(nested, "service.json")
    for taxonomy in get_json(client, "/hsds/taxonomies")["contents"]:
        assert_valid(get_json(client, f"/hsds/taxonomies/{taxonomy['id']}"), "taxonomy.json")
    for term in ("food", "food-pantry", "linkage-eligibility:veterans", "linkage-fees:free"):
        assert_valid(get_json(client, f"/hsds/taxonomy_terms/{term}"), "taxonomy_term.json")


@requires_shared
@pytest.mark.parametrize(
    ("url", "params", "kind"),
    [
        ("/hsds/services", {}, "service.json"),
        ("/hsds/services", {"minimal": "true"}, "service.json"),
        ("/hsds/services", {"full": "false"}, "service.json"),
        ("/hsds/service_at_locations", {}, "service_at_location.json"),
        ("/hsds/organizations", {"full_service": "true"}, "organization.json"),
        ("/hsds/organizations", {}, "organization.json"),
        ("/hsds/taxonomy_terms", {}, "taxonomy_term.json"),
    ],
)
def test_every_ndjson_line_validates(client, url, params, kind):
    lines = ndjson(client, url, **params)
    assert lines
    for obj in lines:
        assert_valid(obj, kind)
    assert len({o["id"] for o in lines}) == len(lines)


def test_a_service_carries_the_conventions(client, taxonomy):
    record = next(
        r
        for r in RECORDS
        if r.get("service_areas") and codes(r, "linkage-eligibility") and r.get("minimum_age")
    )
    body = get_json(client, f"/hsds/services/{hsds_id(record)}")
    by_taxonomy: dict[str, list] = {}
    for a in body["attributes"]:
        by_taxonomy.setdefault(a["taxonomy_term"]["taxonomy"], []).append(a)
    assert [a["taxonomy_term"]["code"] for a in by_taxonomy["linkage"]] == codes(record, "linkage")
    for a in by_taxonomy["linkage"]:
        term = a["taxonomy_term"]
        assert term["id"] == hsds_ids.term_uuid("linkage", term["code"])
        assert term["taxonomy_id"] == hsds_ids.taxonomy_uuid("linkage")
        parent = taxonomy.categories[term["code"]].parent
        assert term.get("parent_id") == (parent and hsds_ids.term_uuid("linkage", parent))
    assert {a["taxonomy_term"]["code"] for a in by_taxonomy["linkage-eligibility"]} == set(
        codes(record, "linkage-eligibility")
    )
    assert [a["taxonomy_term"]["code"] for a in by_taxonomy["linkage-fees"]] == codes(
        record, "linkage-fees"
    )
    assert body["minimum_age"] == record["minimum_age"]
    assert [a["extent"] for a in body["service_areas"]] == [
        a["extent"] for a in record["service_areas"]
    ]
    assert all(a["extent_type"] == "text" for a in body["service_areas"])
    assert body["assured_date"] == record["assured_date"]
    assert {x["code"] for x in body["languages"]} == {x["code"] for x in record["languages"]}
    sal = body["service_at_locations"][0]
    source_rows = record["service_at_locations"][0].get("schedules") or []
    assert {
        (d, s["opens_at"], s["closes_at"]) for s in sal["schedules"] for d in s["byday"].split(",")
    } == {
        (d, r["opens_at"][:5], r["closes_at"][:5])
        for r in source_rows
        for d in r["byday"].split(",")
    }


# ---------------------------------------------------------------------------------------
# Paging


def test_paging_math(client):
    per_page = 7
    first = get_json(client, "/hsds/services", per_page=per_page)
    total = len(RECORDS)
    pages = math.ceil(total / per_page)
    assert (first["total_items"], first["total_pages"]) == (total, pages)
    assert (first["page_number"], first["size"]) == (1, per_page)
    assert first["first_page"] and not first["last_page"] and not first["empty"]
    last = get_json(client, "/hsds/services", per_page=per_page, page=pages)
    assert last["size"] == len(last["contents"]) == total - (pages - 1) * per_page
    assert last["last_page"] and not last["first_page"] and not last["empty"]
    beyond = get_json(client, "/hsds/services", per_page=per_page, page=pages + 1)
    assert beyond["contents"] == [] and beyond["empty"] and beyond["size"] == 0
    assert beyond["total_items"] == total and beyond["last_page"]
    seen = [
        x["id"]
        for body in every_page(client, "/hsds/services", per_page=per_page)
        for x in body["contents"]
    ]
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == {hsds_id(r) for r in RECORDS}
    # Services at locations page the same way (one per document).
    sal = get_json(client, "/hsds/service_at_locations", per_page=50, page=8)
    assert sal["total_items"] == total and sal["total_pages"] == 8
    assert sal["size"] == total - 7 * 50 and sal["last_page"]
    assert get_json(client, "/hsds/taxonomy_terms", per_page=5)["size"] == 5


def test_deep_pages_are_the_same_pages(client, monkeypatch):
    """Beyond Elasticsearch's result window pages are reached another way (a composite skip,
    then search_after); shrunk here so that the sample exercises it: same pages either way."""

    def listing(url, **params):
        return [
            [x["id"] for x in b["contents"]] for b in every_page(client, url, per_page=9, **params)
        ]

    shallow = {
        url: listing(url)
        for url in ("/hsds/services", "/hsds/service_at_locations", "/hsds/organizations")
    }
    monkeypatch.setattr(resource_index, "MAX_RESULT_WINDOW", 20)
    monkeypatch.setattr(resource_index, "COUNT_CHUNK", 7)
    for url, pages in shallow.items():
        assert listing(url) == pages, url
    assert [len(p) for p in shallow["/hsds/services"]][:-1] == [9] * (
        len(shallow["/hsds/services"]) - 1
    )
    # Filtered, too.
    assert ids(client, taxonomy_term_id="food") == {
        x for p in listing("/hsds/services", taxonomy_term_id="food") for x in p
    }


def test_nothing_found_is_an_empty_first_and_last_page(client):
    body = get_json(client, "/hsds/services", search="zzzxqv")
    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


# ---------------------------------------------------------------------------------------
# Filters


def test_search_is_full_text_over_names_and_descriptions(client):
    word = re.compile(r"\bhalsted\b", re.I)  # a word: "Northalsted" is another one
    expected = {
        hsds_id(r)
        for r in RECORDS
        if word.search(
            " ".join(
                [
                    r["name"],
                    r.get("description") or "",
                    r["organization"]["name"],
                    r.get("eligibility_description") or "",
                ]
            )
        )
    }
    assert len(expected) >= 2
    assert ids(client, search="Halsted") == expected
    record = RECORDS[10]
    assert hsds_id(record) in ids(client, search=record["name"])


def test_search_forgives_a_typo_as_the_main_search_does(client):
    word = re.compile(r"\bcounseling\b", re.I)
    holders = {hsds_id(r) for r in RECORDS if word.search(r["name"])}
    assert holders
    assert holders <= ids(client, search="conseling")  # one letter missing
    assert holders <= ids(client, search="counselling")  # the British spelling


def test_taxonomy_term_of_a_parent_includes_its_children(client, taxonomy):
    food = {"food", *taxonomy.children("food")}
    expected = {hsds_id(r) for r in RECORDS if food & set(codes(r, "linkage"))}
    pantry = {hsds_id(r) for r in RECORDS if "food-pantry" in codes(r, "linkage")}
    assert ids(client, taxonomy_term_id="food") == expected
    assert ids(client, taxonomy_term_id="food-pantry") == pantry
    assert 0 < len(pantry) < len(expected)
    veterans = {hsds_id(r) for r in RECORDS if "veterans" in codes(r, "linkage-eligibility")}
    assert veterans and ids(client, taxonomy_term_id="linkage-eligibility:veterans") == veterans


def test_taxonomy_id_filter(client):
    assert ids(client, taxonomy_id="linkage-flags") == {hsds_id(r) for r in CONFIDENTIAL}
    assert len(ids(client, taxonomy_id="linkage")) == len(RECORDS)


def test_organization_filter(client):
    by_org: dict[str, set] = {}
    for r in RECORDS:
        by_org.setdefault(r["organization"]["id"], set()).add(hsds_id(r))
    org, expected = max(by_org.items(), key=lambda kv: len(kv[1]))
    assert len(expected) >= 2
    assert ids(client, organization_id=f"sample:{org}") == expected
    sal = all_contents(client, "/hsds/service_at_locations", organization_id=f"sample:{org}")
    assert {x["service_id"] for x in sal} == expected
    organization = get_json(client, f"/hsds/organizations/sample:{org}")
    assert {s["id"] for s in organization["services"]} == expected


def test_modified_after_uses_the_verified_date(client):
    cut = "2026-06-01"
    expected = {hsds_id(r) for r in RECORDS if r["assured_date"] >= cut}
    assert 0 < len(expected) < len(RECORDS)
    assert ids(client, modified_after=cut) == expected
    # A datetime counts from its (UTC) day: 2026-05-31 20:00 in Chicago is 1 June UTC.
    assert ids(client, modified_after="2026-05-31T20:00:00-05:00") == expected
    assert ids(client, modified_after="2026-06-01T00:00:00Z") == expected


def test_filters_combine_as_and(client, taxonomy):
    food = {"food", *taxonomy.children("food")}
    expected = {
        hsds_id(r)
        for r in RECORDS
        if food & set(codes(r, "linkage")) and r["assured_date"] >= "2026-06-01"
    }
    assert expected
    assert ids(client, taxonomy_term_id="food", modified_after="2026-06-01") == expected


def _served(doc, place) -> bool:
    areas = doc.get("service_areas") or []
    return not areas or bool(set(areas) & set(place.area_keys()))


def _at_or_serving(doc, place) -> bool:
    at = (doc.get("address") or {}).get("postal_code") == place.postal_code
    return at or bool(set(doc.get("service_areas") or ()) & set(place.area_keys()))


def test_postcode_and_proximity(client, index_docs):
    place = places.zip_place("60608")
    metres = 4000

    def distance(doc):
        point = doc["location"]
        if doc.get("confidential"):  # measured from its ZIP code's centroid, never its door
            z = places.zip_place(doc["address"]["postal_code"])
            point = {"lat": z.lat, "lon": z.lon}
        miles = places.miles_between((place.lat, place.lon), (point["lat"], point["lon"]))
        return miles * places.METERS_PER_MILE

    located = [d for d in index_docs if d.get("location") and _served(d, place)]
    near = {sal_id(d) for d in located if distance(d) < metres - 25}
    far = {sal_id(d) for d in located if distance(d) > metres + 25}
    assert near and far
    found = {
        x["id"]
        for x in all_contents(
            client, "/hsds/service_at_locations", postcode="60608", proximity=metres
        )
    }
    assert near <= found and not (found & far)
    assert all(d["location"] for d in index_docs if sal_id(d) in found)
    # A postcode alone: services at that ZIP code or serving it (a service area holding it).
    expected = {sal_id(d) for d in index_docs if _at_or_serving(d, place)}
    at_the_zip = {
        sal_id(d) for d in index_docs if (d.get("address") or {}).get("postal_code") == "60608"
    }
    assert at_the_zip and at_the_zip < expected
    assert expected != {sal_id(d) for d in index_docs}
    assert {
        x["id"] for x in all_contents(client, "/hsds/service_at_locations", postcode="60608")
    } == expected
    # AND with the other filters.
    both = all_contents(
        client,
        "/hsds/service_at_locations",
        postcode="60608",
        proximity=metres,
        taxonomy_term_id="food",
    )
    food = {sal_id(d) for d in index_docs if "food" in d["category_tree"]}
    assert {x["id"] for x in both} == found & food


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/hsds/services", {"bogus": "1"}, "bogus"),
        ("/hsds/services", {"per_page": "101"}, "per_page"),
        ("/hsds/services", {"page": "0"}, "page"),
        ("/hsds/services", {"format": "xml"}, "format"),
        ("/hsds/services", {"taxonomy_term_id": "no-such-term"}, "taxonomy_term_id"),
        ("/hsds/services", {"taxonomy_id": "no-such-taxonomy"}, "taxonomy_id"),
        ("/hsds/services", {"organization_id": "no source"}, "organization_id"),
        ("/hsds/services", {"modified_after": "last week"}, "modified_after"),
        ("/hsds/services", {"modified_after": "9999-12-31T23:00:00-05:00"}, "modified_after"),
        ("/hsds/services", {"organization_id": "sample:" + "x" * 2000}, "organization_id"),
        ("/hsds/services", {"minimal": "true", "full": "true"}, "minimal"),
        ("/hsds/services", {"postcode": "60608"}, "postcode"),
        ("/hsds/service_at_locations", {"proximity": "1000"}, "proximity"),
        ("/hsds/service_at_locations", {"postcode": "00000"}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "606"}, "postcode"),
        ("/hsds/service_at_locations", {"postcode": "60608", "proximity": "-5"}, "proximity"),
        ("/hsds/service_at_locations", {"postcode": "60608", "proximity": "1e-300"}, "proximity"),
        ("/hsds/service_at_locations", {"postcode": "60608", "proximity": "far"}, "proximity"),
        ("/hsds/organizations", {"taxonomy_id": "linkage"}, "taxonomy_id"),
        ("/hsds/taxonomy_terms", {"top_only": "maybe"}, "top_only"),
        ("/hsds/services/sample:x", {"full": "true"}, "full"),
        ("/hsds/", {"x": "1"}, "x"),
    ],
)
def test_bad_or_unknown_parameters_are_422(client, url, params, field):
    response = client.get(url, query_string=params)
    assert response.status_code == 422, response.json
    body = response.json
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert field in body["errors"]["query"] and field in body["message"]


@pytest.mark.parametrize(
    "url",
    [
        "/hsds/services/sample:no-such-service",
        "/hsds/services/no-source-prefix",
        "/hsds/services/other-source:3fff7793-b97c-59c1-b37a-89c1cea6ce50",
        "/hsds/service_at_locations/no-such-id",
        "/hsds/organizations/sample:no-such-organization",
        "/hsds/organizations/sample~Tm8gc3VjaCBvcmc",
        "/hsds/organizations/garbage",
        "/hsds/taxonomies/no-such-taxonomy",
        "/hsds/taxonomy_terms/no-such-term",
        # Longer than any stored id: answered without a query the cluster would refuse (a URL
        # over the app's 4,096 bytes is a 414 before that: tests/test_request_limits.py).
        "/hsds/services/sample:" + "x" * 4_000,
        "/hsds/service_at_locations/" + "x" * 600,
        "/hsds/organizations/sample:" + "x" * 4000,
    ],
    ids=lambda url: url[:60],
)
def test_unknown_ids_are_404_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 404
    body = response.json
    assert body["code"] == 404 and body["status"] == "Not Found" and body["message"]


def test_taxonomy_terms_filters(client, taxonomy):
    def uuids(codes):
        return {hsds_ids.term_uuid("linkage", c) for c in codes}

    children = all_contents(client, "/hsds/taxonomy_terms", parent_id="food")
    assert {t["id"] for t in children} == uuids(taxonomy.children("food"))
    by_uuid = all_contents(
        client, "/hsds/taxonomy_terms", parent_id=hsds_ids.term_uuid("linkage", "food")
    )
    assert by_uuid == children
    top = all_contents(client, "/hsds/taxonomy_terms", top_only="true", taxonomy_id="linkage")
    assert {t["id"] for t in top} == uuids(taxonomy.roots())
    fees = all_contents(client, "/hsds/taxonomy_terms", taxonomy_id="linkage-fees")
    assert {t["code"] for t in fees} == {"free", "sliding-scale", "fee"}
    found = all_contents(client, "/hsds/taxonomy_terms", search="food pantry")
    assert hsds_ids.term_uuid("linkage", "food-pantry") in {t["id"] for t in found}
    assert len(ndjson(client, "/hsds/taxonomy_terms")) == len(
        all_contents(client, "/hsds/taxonomy_terms")
    )


# ---------------------------------------------------------------------------------------
# NDJSON


def test_ndjson_streams_every_service_without_paging(client, es, settings):
    response = es.search(
        index=settings.index_alias,
        size=0,
        aggs={
            "services": {
                "composite": {
                    "size": 10000,
                    "sources": [
                        {"s": {"terms": {"field": "source"}}},
                        {"i": {"terms": {"field": "source_ids.service"}}},
                    ],
                }
            }
        },
    )
    distinct = len(response["aggregations"]["services"]["buckets"])
    lines = ndjson(client, "/hsds/services", per_page=1, page=2)
    assert len(lines) == distinct == len(RECORDS)
    assert len({x["id"] for x in lines}) == distinct
    assert all("service_at_locations" in x for x in lines)  # full by default: a dump
    minimal = ndjson(client, "/hsds/services", minimal="true")
    assert len(minimal) == distinct and set(minimal[0]) <= {
        "id",
        "name",
        "status",
        "assured_date",
        "last_modified",
    }
    assert (
        len(ndjson(client, "/hsds/service_at_locations"))
        == es.count(index=settings.index_alias)["count"]
    )
    filtered = ndjson(client, "/hsds/services", taxonomy_term_id="food-pantry")
    assert {x["id"] for x in filtered} == ids(client, taxonomy_term_id="food-pantry")
    organizations = ndjson(client, "/hsds/organizations")
    assert len(organizations) == get_json(client, "/hsds/organizations")["total_items"]


def test_ndjson_reads_in_batches_with_a_point_in_time(es, settings, sample_index, monkeypatch):
    """Memory stays flat: the export never asks for more than a batch of documents."""

    calls = []
    real_search = es.search

    def counting_search(*args, **kwargs):
        calls.append(kwargs)
        return real_search(*args, **kwargs)

    monkeypatch.setattr(es, "search", counting_search)
    docs = list(
        resource_index.ResourceIndex(settings, client=es).iter_documents(
            {"match_all": {}}, batch=50, point_in_time=True
        )
    )
    assert len(docs) == es.count(index=settings.index_alias)["count"]
    assert len(calls) == math.ceil(len(docs) / 50) + (len(docs) % 50 == 0)
    assert all(c["size"] == 50 and "pit" in c for c in calls)


# ---------------------------------------------------------------------------------------
# Confidential locations


def test_confidential_addresses_never_appear(client):
    assert len(CONFIDENTIAL) >= 2
    secrets = []
    for r in CONFIDENTIAL:
        location = r["service_at_locations"][0]["location"]
        secrets.append(location["addresses"][0]["address_1"])
        secrets += [repr(location["latitude"]), repr(location["longitude"])]
    bodies = []

    def grab(url, **params):
        response = client.get(url, query_string=params)
        assert response.status_code == 200
        bodies.append(response.get_data(as_text=True))
        return response

    for url, params in [
        ("/hsds/services", {"full": "true"}),
        ("/hsds/service_at_locations", {"full": "true"}),
        ("/hsds/service_at_locations", {}),
        ("/hsds/organizations", {"full_service": "true"}),
    ]:
        for number in range(1, 5):
            grab(url, page=number, per_page=100, **params)
        grab(url, format="ndjson", **params)
    for r in CONFIDENTIAL:
        service = grab(f"/hsds/services/{hsds_id(r)}").json
        for sal in service["service_at_locations"]:
            assert sal["location"]["location_type"] == "physical"
            assert not {"addresses", "latitude", "longitude"} & set(sal["location"])
            grab(f"/hsds/service_at_locations/{sal['id']}")
        grab(f"/hsds/organizations/{service['organization']['id']}", full_service="true")
        postcode = r["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
        near = grab(
            "/hsds/service_at_locations", postcode=postcode, proximity=5000, full="true"
        ).json
        assert hsds_id(r) in {x["service_id"] for x in near["contents"]}  # still findable
    text = "\n".join(bodies)
    for secret in secrets:
        assert secret not in text, secret
    # Nor any address or coordinates at all, at whatever precision, in the full dump.
    hidden = {hsds_id(r) for r in CONFIDENTIAL}
    for line in ndjson(client, "/hsds/service_at_locations", full="true"):
        if line["service_id"] in hidden:
            assert not {"addresses", "latitude", "longitude"} & set(line["location"])


# ---------------------------------------------------------------------------------------
# Several locations, and organizations without ids


MULTI = [
    {
        "id": "svc-1",
        "name": "Two Door Pantry",
        "status": "active",
        "organization": {"name": "Nameless Helpers, Inc."},
        "phones": [{"number": "773-555-0101"}],
        "languages": [{"code": "en"}],
        "attributes": [{"taxonomy_term": {"taxonomy": "linkage", "code": "food-pantry"}}],
        "service_at_locations": [
            {
                "id": "sal-a",
                "phones": [{"number": "773-555-0102", "extension": "12"}],
                "schedules": [
                    {"freq": "WEEKLY", "byday": "MO,WE", "opens_at": "09:00", "closes_at": "12:00"}
                ],
                "location": {
                    "id": "loc-a",
                    "name": "North door",
                    "location_type": "physical",
                    "latitude": 41.9,
                    "longitude": -87.65,
                    "languages": [{"code": "es"}],
                    "addresses": [
                        {
                            "address_1": "1 N State St",
                            "city": "Chicago",
                            "state_province": "IL",
                            "postal_code": "60602",
                        }
                    ],
                },
            },
            {
                "id": "sal-b",
                "location": {
                    "id": "loc-b",
                    "name": "South door",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "address_1": "9 S State St",
                            "city": "Chicago",
                            "state_province": "IL",
                            "postal_code": "60603",
                        }
                    ],
                },
            },
        ],
    },
    {
        "id": "svc-2",
        "name": "Helpline",
        "status": "active",
        "organization": {"name": "Nameless Helpers, Inc."},
        "phones": [{"number": "773-555-0199"}],
        "service_areas": [{"extent": "state:IL", "extent_type": "text"}],
        "attributes": [{"taxonomy_term": {"taxonomy": "linkage", "code": "food"}}],
        "service_at_locations": [
            {
                "id": "sal-c",
                "location": {"id": "loc-c", "location_type": "virtual", "name": "Phone line"},
            }
        ],
    },
]


@pytest.fixture
def scratch_alias(es):
    """An alias of its own (never the shared test alias); its indices are removed after."""
    alias = f"linkage-hsds-scratch-{os.getpid()}"
    yield alias
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


def _load(es, alias, path, source, taxonomy, settings):
    converter = Converter(source, taxonomy, settings.default_timezone)
    report = rebuild(es, alias, read_hsds_json(path), converter)
    assert report.rejected == 0, report.rejections[:5]
    return report


def _app_for(settings, alias):
    from dataclasses import replace

    config = {"SETTINGS": replace(settings, index_alias=alias), "TESTING": True}
    return create_app({**config, "CLOCK": lambda: WEDNESDAY_AFTERNOON})


@requires_shared
def test_a_service_with_several_locations_is_one_service(
    es, settings, taxonomy, scratch_alias, tmp_path, monkeypatch
):

    path = tmp_path / "multi.json"
    path.write_text(json.dumps(MULTI))
    report = _load(es, scratch_alias, path, "multi", taxonomy, settings)
    assert report.documents == 3
    client = api_client(_app_for(settings, scratch_alias))
    listed = get_json(client, "/hsds/services", full="true")
    assert_valid(listed, "service.json", paged=True)
    assert listed["total_items"] == 2
    # Counted group by group when there are too many services with several locations.
    monkeypatch.setattr(resource_index, "MULTI_LOCATION_BUCKETS", 1)
    assert get_json(client, "/hsds/services")["total_items"] == 2
    monkeypatch.undo()
    service = get_json(client, f"/hsds/services/{hsds_id({'id': 'svc-1'}, 'multi')}")
    assert_valid(service, "service.json")
    doors = {s["location"]["name"]: s for s in service["service_at_locations"]}
    assert set(doors) == {"North door", "South door"}
    # What both locations share is the service's; the rest stays with its location.
    assert [p["number"] for p in service["phones"]] == ["(773) 555-0101"]
    north = doors["North door"]
    assert [(p["number"], p["extension"]) for p in north["phones"]] == [("(773) 555-0102", 12)]
    assert [x["code"] for x in service["languages"]] == ["en"]
    assert [x["code"] for x in north["location"]["languages"]] == ["es"]
    assert north["schedules"][0]["byday"] == "MO,WE"
    # South door had no coordinates: placed at its ZIP centroid, which is not exported.
    south = doors["South door"]["location"]
    assert "latitude" not in south and south["addresses"][0]["postal_code"] == "60603"
    sal = get_json(client, "/hsds/service_at_locations")
    assert sal["total_items"] == 3
    # The organization has no id in the source: its id is made from its name, and resolves.
    org_id = service["organization"]["id"]
    assert org_id == hsds_ids.object_uuid(
        hsds_ids.ORGANIZATION,
        "multi~" + base64.urlsafe_b64encode(b"Nameless Helpers, Inc.").decode().rstrip("="),
    )
    organizations = get_json(client, "/hsds/organizations")
    assert_valid(organizations, "organization.json", paged=True)
    assert [o["id"] for o in organizations["contents"]] == [org_id]
    organization = get_json(client, f"/hsds/organizations/{org_id}")
    both = {hsds_id({"id": "svc-1"}, "multi"), hsds_id({"id": "svc-2"}, "multi")}
    assert {s["id"] for s in organization["services"]} == both
    assert ids(client, organization_id=org_id) == both
    assert len(ndjson(client, "/hsds/services")) == 2
    virtual = get_json(client, "/hsds/services/multi:svc-2")["service_at_locations"][0]  # stable id
    assert virtual["location"]["location_type"] == "virtual"


# ---------------------------------------------------------------------------------------
# Round trip: export, re-import with the real indexer, compare


COMPARED = (
    "service_name",
    "organization_name",
    "description",
    "categories",
    "category_tree",
    "needs",
    "languages",
    "eligibility",
    "schedule",
    "fees",
    "fees_description",
    "service_areas",
    "status",
    "last_verified",
    "url",
    "email",
    "application_process",
    "location_name",
)
# A confidential location is exported without address or coordinates: re-imported, it has
# no place (nor in-person delivery, nor a time zone from its ZIP code).
COMPARED_UNLESS_CONFIDENTIAL = ("address", "location_precision", "timezone", "delivery")


def _location(doc):
    point = doc.get("location")
    return point and (round(point["lat"], 6), round(point["lon"], 6))


def _round_trip(client, es, settings, taxonomy, alias, tmp_path, source, originals):
    """Export every service as NDJSON, load the file into `alias` (an alias of its own: the
    indexer drops records that duplicate another source behind the same alias), compare."""
    path = tmp_path / f"{source}.ndjson"
    path.write_bytes(client.get("/hsds/services", query_string={"format": "ndjson"}).data)
    _load(es, alias, path, source, taxonomy, settings)
    found = es.search(index=alias, size=5000, query={"term": {"source": source}})
    again = {
        (d["source_ids"]["service"], d["source_ids"]["location"]): d
        for d in (h["_source"] for h in found["hits"]["hits"])
    }
    assert len(again) == len(originals)
    compared = 0
    for doc in originals:
        # The export's ids are what the new source knows the records by.
        sid, lid = hsds_ids.service_id(doc), doc["source_ids"]["location"]
        exported_lid = hsds_ids.location_id(doc)
        new = again.get((sid, exported_lid))
        assert new is not None, (sid, lid)
        for field in COMPARED:
            assert new.get(field) == doc.get(field), (sid, field, new.get(field), doc.get(field))
        assert [p["number"] for p in new["phones"]] == [p["number"] for p in doc["phones"]]
        assert new["phones"] == doc["phones"], sid
        if doc.get("confidential"):
            assert new["confidential"] and new["location"] is None and new["address"] is None
        else:
            assert _location(new) == _location(doc), sid
            for field in COMPARED_UNLESS_CONFIDENTIAL:
                assert new.get(field) == doc.get(field), (sid, field)
        compared += 1
    return compared


@requires_shared
def test_round_trip_through_the_indexer(client, es, settings, taxonomy, index_docs, tmp_path):
    alias = f"linkage-hsds-roundtrip-{os.getpid()}"
    try:
        compared = _round_trip(
            client, es, settings, taxonomy, alias, tmp_path, "roundtrip", index_docs
        )
        assert compared == len(index_docs) == len(RECORDS)
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


@requires_shared
def test_round_trip_of_several_locations(es, settings, taxonomy, scratch_alias, tmp_path):
    path = tmp_path / "multi.json"
    path.write_text(json.dumps(MULTI))
    _load(es, scratch_alias, path, "multi", taxonomy, settings)
    client = api_client(_app_for(settings, scratch_alias))
    found = es.search(index=scratch_alias, size=100, query={"term": {"source": "multi"}})
    originals = [h["_source"] for h in found["hits"]["hits"]]
    target = f"{scratch_alias}-again"
    try:
        assert (
            _round_trip(client, es, settings, taxonomy, target, tmp_path, "again", originals) == 3
        )
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{target}--*")


def test_modified_after_is_inclusive_of_the_day():

    assert parse_modified_after("2026-06-01") == date(2026, 6, 1)
    assert parse_modified_after("2026-06-01T23:30:00-05:00") == date(2026, 6, 2)
    assert parse_modified_after("2026-06-01T10:00:00") == date(2026, 6, 1)
    with pytest.raises(ValueError):
        parse_modified_after("June")


# ---------------------------------------------------------------------------------------
# UUIDs: each resolves back, the source's ids are kept


def test_every_id_is_a_uuid_that_resolves_back(client, index_docs):
    record = next(r for r in RECORDS if r["organization"].get("id"))
    service = get_json(client, f"/hsds/services/{hsds_id(record)}")
    assert hsds_ids.is_uuid(service["id"])
    assert [i["identifier"] for i in service["identifiers"]] == [f"sample:{record['id']}"]
    # The same object by its stable id and by its UUID.
    assert get_json(client, f"/hsds/services/sample:{record['id']}") == service
    organization = service["organization"]
    assert organization["organization_identifiers"][0]["identifier"] == (
        f"sample:{record['organization']['id']}"
    )
    by_uuid = get_json(client, f"/hsds/organizations/{organization['id']}")
    assert by_uuid == get_json(client, f"/hsds/organizations/sample:{record['organization']['id']}")
    assert ids(client, organization_id=organization["id"]) == {
        hsds_id(r) for r in RECORDS if r["organization"].get("id") == record["organization"]["id"]
    }
    for sal in service["service_at_locations"]:
        one = get_json(client, f"/hsds/service_at_locations/{sal['id']}")
        resource_id = one["identifiers"][0]["identifier"]
        assert one == get_json(client, f"/hsds/service_at_locations/{resource_id}")
        assert client.get(f"/v1/resources/{resource_id}").status_code == 200
    term = get_json(client, "/hsds/taxonomy_terms/food-pantry")
    assert get_json(client, f"/hsds/taxonomy_terms/{term['id']}") == term
    assert ids(client, taxonomy_term_id=term["id"]) == ids(client, taxonomy_term_id="food-pantry")
    taxonomy = get_json(client, f"/hsds/taxonomies/{term['taxonomy_id']}")
    assert taxonomy["name"] == "linkage"
    assert ids(client, taxonomy_id=taxonomy["id"]) == ids(client, taxonomy_id="linkage")


def test_confidential_locations_carry_no_source_location_id(client):
    for r in CONFIDENTIAL:
        location_id = r["service_at_locations"][0]["location"]["id"]
        body = get_json(client, f"/hsds/services/{hsds_id(r)}")
        for sal in body["service_at_locations"]:
            assert "external_identifier" not in sal["location"]
            assert location_id not in json.dumps(sal["location"])


def test_hsds_openapi_document_is_hsds_only(client):
    doc = get_json(client, "/hsds/openapi.json")
    assert doc["paths"] and all(p.startswith("/hsds") for p in doc["paths"])
    assert "/hsds/services" in doc["paths"] and "/v1/search" not in doc["paths"]
    refs = re.findall(r'"#/components/(\w+)/([^"]+)"', json.dumps(doc))
    assert refs and all(name in doc["components"][kind] for kind, name in refs)
    # Every list and item operation declares its JSON response's schema.
    for path, item in doc["paths"].items():
        ok = item["get"]["responses"]["200"]
        if path != "/hsds/openapi.json":
            assert ok["content"]["application/json"]["schema"], path
    assert get_json(client, "/hsds/")["openapi_url"].endswith("/hsds/openapi.json")


def test_the_app_ships_the_hsds_schemas_with_their_licence():
    assert "Attribution-ShareAlike 4.0" in (SCHEMAS / "LICENSE").read_text()
    assert "openreferral/specification" in (SCHEMAS / "ORIGIN.md").read_text()
    assert {"service.json", "organization.json", "taxonomy_term.json", "openapi.json"} <= {
        p.name for p in SCHEMAS.glob("*.json")
    }
