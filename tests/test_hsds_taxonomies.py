"""/hsds/taxonomies and /hsds/taxonomy_terms list the 211 codes the records carry, by code
only (211 term names are licensed) unless the deployer publishes the sources' names, and the
Open Eligibility codes they carry with their sources' names (openly licensed); services carry
them as attributes, and an export loads back with them. Validated against the HSDS 3.0
schemas."""

import json
from dataclasses import replace

from indexer.formats import ohana
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.hsds import ids as hsds_ids
from tests import test_hsds_api
from tests.conftest import SHARED, requires_shared
from tests.test_hsds_api import (
    _app_for,
    _load,
    all_contents,
    api_client,
    assert_valid,
    get_json,
    ndjson,
)
from tests.test_imports_api import pantry

scratch_alias = test_hsds_api.scratch_alias  # a fixture: an alias of this test's own


def coded(sid: str, *terms: tuple[str, str]) -> dict:
    """A record with 211 terms as a 211 export gives them: the licensed name beside the code."""
    record = pantry(sid)
    record["attributes"] += [
        {"id": f"{sid}-211-{i}", "taxonomy_term": {"id": f"t{i}", "taxonomy": "211", "code": code, "name": name}}
        for i, (code, name) in enumerate(terms)
    ]  # fmt: skip
    return record


def test_the_211_codes_records_carry_are_terms_without_their_names(
    es,
    settings,
    taxonomy,
    scratch_alias,
    tmp_path,
):
    path = tmp_path / "coded.json"
    records = [
        coded("a", ("BD-1800.2000 * YB-8000", "Licensed Pantries * Licensed Elders")),
        coded("b", ("BH-1800.8500", "Licensed Shelters"), ("BD-1800.2000", "Other Pantries")),
        pantry("c"),
    ]
    path.write_text(json.dumps(records))
    _load(es, scratch_alias, path, "coded", taxonomy, settings)
    client = api_client(_app_for(settings, scratch_alias))

    listed = get_json(client, "/hsds/taxonomies")
    assert_valid(listed, "taxonomy.json", paged=True)
    by_name = {t["name"]: t for t in listed["contents"]}
    assert "codes only" in by_name["211"]["description"]

    page = get_json(client, "/hsds/taxonomy_terms", taxonomy_id="211")
    assert_valid(page, "taxonomy_term.json", paged=True)
    assert [(t["code"], t["name"], t["taxonomy"]) for t in page["contents"]] == [
        (c, c, "211") for c in ("BD-1800.2000", "BH-1800.8500", "YB-8000")
    ]
    everything = all_contents(client, "/hsds/taxonomy_terms")
    assert {"linkage", "linkage-fees", "211"} <= {t["taxonomy"] for t in everything}
    assert "Licensed" not in json.dumps(everything)
    assert "Licensed" not in client.get("/hsds/services?full=true").get_data(as_text=True)
    assert "Licensed" not in client.get("/v1/search?q=pantry").get_data(as_text=True)

    pantries = hsds_ids.term_uuid("211", "BD-1800.2000")
    term = get_json(client, f"/hsds/taxonomy_terms/{pantries}")
    assert_valid(term, "taxonomy_term.json")
    assert term["code"] == "BD-1800.2000" and term["taxonomy_id"] == by_name["211"]["id"]
    assert get_json(client, "/hsds/taxonomy_terms/211:YB-8000")["code"] == "YB-8000"
    assert client.get("/hsds/taxonomy_terms/211:LT-1234").status_code == 404  # no record has it

    def names(**params):
        return {s["name"] for s in all_contents(client, "/hsds/services", **params)}

    assert names(taxonomy_term_id=pantries) == {"Northside Pantry a", "Northside Pantry b"}
    shelters = hsds_ids.term_uuid("211", "BH-1800.8500")
    assert names(taxonomy_term_id=shelters) == {"Northside Pantry b"}
    assert names(taxonomy_id="211") == {"Northside Pantry a", "Northside Pantry b"}
    assert names() == {"Northside Pantry a", "Northside Pantry b", "Northside Pantry c"}

    # A deployer licensed to publish them turns the sources' names on.
    named = replace(settings, publish_source_term_names=True)
    client = api_client(_app_for(named, scratch_alias))
    page = get_json(client, "/hsds/taxonomy_terms", taxonomy_id="211")
    assert_valid(page, "taxonomy_term.json", paged=True)
    assert {t["code"]: t["name"] for t in page["contents"]} == {
        "BD-1800.2000": "Licensed Pantries",  # of the two names given, the first in order
        "BH-1800.8500": "Licensed Shelters",
        "YB-8000": "Licensed Elders",
    }
    assert get_json(client, f"/hsds/taxonomy_terms/{shelters}")["name"] == "Licensed Shelters"
    described = get_json(client, "/hsds/taxonomies/211")["description"]
    assert "codes only" not in described and "names their sources gave" in described
    service = get_json(client, "/hsds/services/coded:b")
    assert_valid(service, "service.json")
    # Its attributes name its codes as this record's source does (b's own name for the pantry
    # code, where the list names it by the first record's).
    assert _service_terms(service, "211") == {
        "BH-1800.8500": "Licensed Shelters",
        "BD-1800.2000": "Other Pantries",
    }


def test_a_211_term_has_the_code_one_level_up_as_parent_where_a_record_carries_it(
    es, settings, taxonomy, scratch_alias, tmp_path
):
    path = tmp_path / "levels.json"
    codes = ("BD", "BD-1800", "BD-1800.2000", "BD-5000.8300", "BH-1800.1500-100", "YB-8000")
    path.write_text(json.dumps([coded("a", *((c, "") for c in codes))]))
    _load(es, scratch_alias, path, "levels", taxonomy, settings)
    client = api_client(_app_for(settings, scratch_alias))
    page = get_json(client, "/hsds/taxonomy_terms", taxonomy_id="211")
    assert_valid(page, "taxonomy_term.json", paged=True)
    uuid = {t["id"]: t["code"] for t in page["contents"]}
    assert {t["code"]: uuid.get(t.get("parent_id")) for t in page["contents"]} == {
        "BD": None,  # B is not carried
        "BD-1800": "BD",
        "BD-1800.2000": "BD-1800",
        "BD-5000.8300": None,  # BD-5000 is not carried
        "BH-1800.1500-100": None,
        "YB-8000": None,
    }
    children = get_json(client, "/hsds/taxonomy_terms", parent_id="211:BD-1800")["contents"]
    assert [t["code"] for t in children] == ["BD-1800.2000"]
    top = get_json(client, "/hsds/taxonomy_terms", taxonomy_id="211", top_only="true")
    assert "BD-1800" not in {t["code"] for t in top["contents"]}


def _service_terms(service: dict, taxonomy_name: str) -> dict[str, str]:
    return {
        a["taxonomy_term"]["code"]: a["taxonomy_term"]["name"]
        for a in service["attributes"]
        if a["taxonomy_term"]["taxonomy"] == taxonomy_name
    }


def test_services_carry_their_211_codes_as_attributes_and_load_back(
    es, settings, taxonomy, scratch_alias, tmp_path
):
    path = tmp_path / "coded.json"
    path.write_text(json.dumps([coded("a", ("BD-1800.2000 * YB-8000", "Licensed * Elders"))]))
    _load(es, scratch_alias, path, "coded", taxonomy, settings)
    client = api_client(_app_for(settings, scratch_alias))
    (service,) = all_contents(client, "/hsds/services", full="true")
    assert_valid(service, "service.json")
    assert _service_terms(service, "211") == {"BD-1800.2000": "BD-1800.2000", "YB-8000": "YB-8000"}
    pantries = next(
        a for a in service["attributes"] if a["taxonomy_term"]["code"] == "BD-1800.2000"
    )
    assert pantries["taxonomy_term_id"] == hsds_ids.term_uuid("211", "BD-1800.2000")
    assert pantries["taxonomy_term"] == get_json(
        client, f"/hsds/taxonomy_terms/{pantries['taxonomy_term_id']}"
    )

    again = f"{scratch_alias}-again"
    exported = tmp_path / "exported.ndjson"
    exported.write_text("".join(json.dumps(s) + "\n" for s in ndjson(client, "/hsds/services")))
    try:
        _load(es, again, exported, "again", taxonomy, settings)
        (before,) = _docs(es, scratch_alias)
        (after,) = _docs(es, again)
        for field in ("codes_211", "categories", "eligibility"):
            assert after[field] == before[field], field
        assert after["names_211"] == []  # the licensed names never left
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{again}--*")


def _docs(es, alias) -> list[dict]:
    return [h["_source"] for h in es.search(index=alias, size=100)["hits"]["hits"]]


SAN_MATEO = SHARED / "datasets" / "ohana-san-mateo"
# Its one service with categories (Passport Photos): Open Eligibility codes as the Ohana
# deployment numbers them, named in its taxonomy.csv.
SAN_MATEO_TERMS = {
    "105": "Transit",
    "108": "Care",
    "108-05": "Navigating the System",
    "108-05-01": "Help Fill out Forms",
    "111": "Legal",
    "111-05": "Translation & Interpretation",
}


@requires_shared
def test_the_open_eligibility_codes_of_a_real_ohana_export_are_terms_with_their_names(
    es, settings, taxonomy, scratch_alias, tmp_path
):
    report = rebuild(es, scratch_alias, ohana.read(SAN_MATEO), Converter("san-mateo", taxonomy, settings.default_timezone))  # fmt: skip
    assert report.documents > 0
    client = api_client(_app_for(settings, scratch_alias))

    listed = {t["name"]: t for t in all_contents(client, "/hsds/taxonomies")}
    assert "Aunt Bertha" in listed["open-eligibility"]["description"]  # CC BY-SA: credited
    page = get_json(client, "/hsds/taxonomy_terms", taxonomy_id="open-eligibility")
    assert_valid(page, "taxonomy_term.json", paged=True)
    assert {t["code"]: t["name"] for t in page["contents"]} == SAN_MATEO_TERMS
    uuid = {t["id"]: t["code"] for t in page["contents"]}
    parents = {t["code"]: uuid.get(t.get("parent_id")) for t in page["contents"]}
    assert parents == {"105": None, "108": None, "108-05": "108", "108-05-01": "108-05", "111": None, "111-05": "111"}  # fmt: skip
    forms = get_json(client, "/hsds/taxonomy_terms/open-eligibility:108-05-01")
    assert forms["id"] == hsds_ids.term_uuid("open-eligibility", "108-05-01")
    assert forms["taxonomy_id"] == listed["open-eligibility"]["id"]

    def names(**params):
        return {s["name"] for s in all_contents(client, "/hsds/services", **params)}

    assert names(taxonomy_term_id=forms["id"]) == {"Passport Photos"}
    assert names(taxonomy_id="open-eligibility") == {"Passport Photos"}
    # The OE codes stay out of search's results (internal), and out of /v1 full records.
    assert "108-05-01" not in client.get("/v1/search?q=passport").get_data(as_text=True)

    (service,) = all_contents(client, "/hsds/services", full="true", taxonomy_id="open-eligibility")
    assert_valid(service, "service.json")
    assert _service_terms(service, "open-eligibility") == SAN_MATEO_TERMS

    again = f"{scratch_alias}-again"
    exported = tmp_path / "exported.ndjson"
    exported.write_text("".join(json.dumps(s) + "\n" for s in ndjson(client, "/hsds/services")))
    try:
        _load(es, again, exported, "again", taxonomy, settings)
        before = {d["service_name"]: d for d in _docs(es, scratch_alias)}
        after = {d["service_name"]: d for d in _docs(es, again)}
        assert after.keys() == before.keys()
        for name, doc in before.items():
            for field in ("open_eligibility_terms", "categories", "codes_211"):
                assert after[name][field] == doc[field], (name, field)
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{again}--*")
