"""Sources a maintainer can see and remove (CLI and admin API), what a full load changed,
and the report a failed load still writes; against the real node."""

import io
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from indexer.cli import converter_for
from indexer.worker import work
from linkage import jobs
from linkage.app import create_app
from tests.conftest import IndexerRunner

ALIAS = "linkage-test-sources-mod"
KEY = "sources-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def service(sid: str, name: str | None = None, locations: int = 1, verified: str | None = None):
    record = {
        "id": sid,
        "name": name or f"Harbor Pantry {sid}",
        "description": "Groceries every Tuesday.",
        "attributes": [{"id": f"{sid}-a", "taxonomy_term": {"taxonomy": "linkage", "code": "food-pantry"}}],
        "service_at_locations": [
            {"id": f"{sid}-sal-{n}", "location": {"id": f"{sid}-loc-{n}", "latitude": 41.95 + n / 100,
             "longitude": -87.66, "addresses": [{"address_1": f"{n} Clark St", "city": "Chicago",
             "state_province": "IL", "postal_code": "60613"}]}}
            for n in range(locations)
        ],
    }  # fmt: skip
    if verified:
        record["assured_date"] = verified
    return record


@pytest.fixture
def alias(es, monkeypatch):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    yield ALIAS
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def run(*args: str, input: str | None = None):
    return IndexerRunner().invoke(list(args), input=input)


def load(tmp_path: Path, name: str, records: list[dict], *args: str):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(records))
    report = tmp_path / f"{name}-report.json"
    result = run("load", str(path), "--quiet", "--report", str(report), *args)
    return result, json.loads(report.read_text()) if report.exists() else None


def test_sources_lists_records_documents_mode_and_index(es, alias, tmp_path):
    assert load(tmp_path, "eastside", [service("a", locations=3), service("b")])[0].exit_code == 0
    assert load(tmp_path, "westside", [service("c")])[0].exit_code == 0
    assert load(tmp_path, "westside", [service("d")], "--mode", "incremental")[0].exit_code == 0
    listed = json.loads(run("sources", "--json").output)
    by_name = {s["name"]: s for s in listed}
    assert set(by_name) == {"eastside", "westside"}
    assert (by_name["eastside"]["records"], by_name["eastside"]["documents"]) == (2, 4)
    assert (by_name["westside"]["records"], by_name["westside"]["mode"]) == (2, "incremental")
    assert by_name["eastside"]["mode"] == "full" and by_name["eastside"]["loaded_at"]
    assert by_name["eastside"]["index"] in es.indices.get_alias(name=ALIAS)
    text = run("sources").output
    assert "eastside: 2 records (4 documents)" in text and "(full)" in text


def test_remove_asks_then_takes_the_source_out_of_search(es, alias, tmp_path):
    load(tmp_path, "eastside", [service("a")])
    load(tmp_path, "westside", [service("c")])
    refused = run("remove", "eastside", input="n\n")
    assert refused.exit_code != 0 and "Remove eastside (1 records, 1 documents)" in refused.output
    assert es.count(index=ALIAS)["count"] == 2
    done = run("remove", "eastside", input="y\n")
    assert done.exit_code == 0, done.output
    assert not es.indices.get(index=f"{ALIAS}--eastside--*", expand_wildcards="all")
    assert [s["name"] for s in json.loads(run("sources", "--json").output)] == ["westside"]
    unknown = run("remove", "eastside", "--yes")
    assert unknown.exit_code != 0 and "no source 'eastside'" in unknown.output


def test_remove_is_refused_while_an_import_of_the_source_runs(es, alias, tmp_path):
    load(tmp_path, "eastside", [service("a")])
    jobs.lock_source(es, ALIAS, "eastside", "a test holding the lock")
    try:
        busy = run("remove", "eastside", "--yes")
        assert busy.exit_code != 0 and "already queued or running" in busy.output
        assert es.count(index=ALIAS)["count"] == 1
    finally:
        jobs.release_source(es, ALIAS, "eastside", "a test holding the lock")


def test_a_full_load_says_what_changed_since_the_last_one(es, alias, tmp_path):
    old = (date.today() - timedelta(days=400)).isoformat()
    recent = (date.today() - timedelta(days=30)).isoformat()
    first = [service("a", verified=old), service("b"), service("c", locations=2)]
    result, report = load(tmp_path, "eastside", first)
    assert report["changes"] == {"added": 3, "removed": 0, "changed": 0, "unchanged": 0}
    assert "3 added, 0 removed" in result.output
    second = [
        service("a", verified=old),  # as it was
        service("b", name="Harbor Pantry renamed", verified=recent),
        service("c", locations=1),  # a location fewer
        service("d", verified=old),
    ]
    result, report = load(tmp_path, "eastside", second)
    assert report["changes"] == {"added": 1, "removed": 0, "changed": 2, "unchanged": 1}
    assert (report["verified_over_a_year_ago"], report["no_verified_date"]) == (2, 1)
    # A quarter of the source goes: more than the shrink guard lets a load drop unasked.
    result, report = load(tmp_path, "eastside", second[1:], "--allow-shrink")
    assert report["changes"] == {"added": 0, "removed": 1, "changed": 0, "unchanged": 3}
    assert "never: 1" in result.output


def test_a_failed_load_still_writes_its_report(es, alias, tmp_path):
    load(tmp_path, "eastside", [service("a")])
    rejected = tmp_path / "rejected.csv"
    result, report = load(
        tmp_path, "eastside", [{"id": "x"}, {"id": "y", "name": " "}], "--rejected", str(rejected)
    )
    assert result.exit_code != 0 and "no record could be indexed" in result.output
    assert "no record could be indexed" in report["failed"]
    assert (report["read"], report["rejected"]) == (2, 2)
    assert len(rejected.read_text().splitlines()) == 3  # header and both rows
    assert es.count(index=ALIAS)["count"] == 1  # the live index as it was


# --- the admin API -----------------------------------------------------------------------


@pytest.fixture
def api_settings(settings, tmp_path, alias):
    (tmp_path / "drop").mkdir()
    return replace(settings, index_alias=ALIAS, admin_api_key=KEY, import_dir=str(tmp_path / "drop"),
                   upload_dir=str(tmp_path / "uploads"), max_upload_bytes=200_000)  # fmt: skip


@pytest.fixture
def admin(api_settings):
    return create_app({"SETTINGS": api_settings}).test_client()


def test_sources_through_the_api(es, admin, tmp_path):
    load(tmp_path, "eastside", [service("a", locations=2)])
    assert admin.get("/v1/sources").status_code == 401
    listed = admin.get("/v1/sources", headers=AUTH)
    assert listed.status_code == 200
    (only,) = listed.json
    assert (only["name"], only["records"], only["documents"], only["mode"]) == (
        "eastside",
        1,
        2,
        "full",
    )
    assert admin.delete("/v1/sources/eastside").status_code == 401
    assert admin.delete("/v1/sources/nowhere", headers=AUTH).status_code == 404
    jobs.lock_source(es, ALIAS, "eastside", "a test holding the lock")
    try:
        assert admin.delete("/v1/sources/eastside", headers=AUTH).status_code == 409
    finally:
        jobs.release_source(es, ALIAS, "eastside", "a test holding the lock")
    removed = admin.delete("/v1/sources/eastside", headers=AUTH)
    assert removed.status_code == 200 and removed.json["removed"] == [only["index"]]
    assert admin.get("/v1/sources", headers=AUTH).json == []


def post_import(admin, files: dict, **form):
    data = {name: (io.BytesIO(content), filename) for name, (filename, content) in files.items()}
    return admin.post(
        "/v1/imports", data=data | form, headers=AUTH, content_type="multipart/form-data"
    )


def test_an_import_with_a_categories_file(es, admin, api_settings):
    body = json.dumps([service("a"), service("b")]).encode()
    table = b"service_id,code\na,rent-assistance;Transit\nzz,food\n"
    job = post_import(admin, {"file": ("apisource.json", body), "categories": ("cats.csv", table)})
    assert job.status_code == 202, job.json
    assert work(es, api_settings, converter_for, once=True) >= 1
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "succeeded", done
    assert done["report"]["tallies"]["categories_file.ids_unknown"] == 1
    found = es.search(index=ALIAS, query={"term": {"source_ids.service": "a"}})["hits"]["hits"]
    assert {"rent-assistance", "transportation"} <= set(found[0]["_source"]["categories"])
    assert not any(Path(api_settings.upload_dir).iterdir())  # upload and table removed


def test_a_malformed_categories_file_is_refused_before_queueing(admin, api_settings):
    body = json.dumps([service("a")]).encode()
    table = b'{"a": ["food"],\n "b": 7}'
    refused = post_import(
        admin, {"file": ("apisource.json", body), "categories": ("cats.json", table)}
    )
    assert refused.status_code == 422
    assert "cats.json: line 2" in refused.json["errors"]["files"]["categories"][0]
    uploads = Path(api_settings.upload_dir)
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_failed_import_job_keeps_its_partial_report(es, admin, api_settings):
    body = json.dumps([{"id": "x"}, {"id": "y"}]).encode()
    job = post_import(admin, {"file": ("apisource.json", body)})
    work(es, api_settings, converter_for, once=True)
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "failed" and "no record could be indexed" in done["error"]
    assert (done["report"]["read"], done["report"]["rejected"]) == (2, 2)
    assert done["report"]["failed"]
