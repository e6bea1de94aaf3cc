"""Bad input to an import (issue 9's last rule), through the CLI and `POST /v1/imports`: a
malformed crosswalk or categories file is a clear error naming the file and line, before
anything is loaded; unknown ids or codes are counted warnings; nothing is half-written."""

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.cli import converter_for
from indexer.worker import work
from linkage.app import create_app

ALIAS = "linkage-test-bad-input"
KEY = "bad-input-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def service(sid: str) -> dict:
    return {
        "id": sid,
        "name": f"Harbor Pantry {sid}",
        "service_at_locations": [{"id": f"{sid}-sal", "location": {
            "id": f"{sid}-loc", "latitude": 41.95, "longitude": -87.66,
            "addresses": [{"address_1": "1 Clark St", "city": "Chicago", "state_province": "IL",
                           "postal_code": "60613"}]}}],
    }  # fmt: skip


BODY = json.dumps([service("a"), service("b")]).encode()


@pytest.fixture
def alias(es, monkeypatch):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    monkeypatch.delenv("LINKAGE_CROSSWALK_211", raising=False)
    yield ALIAS
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


@pytest.fixture
def api_settings(settings, tmp_path, alias):
    (tmp_path / "drop").mkdir()
    return replace(settings, index_alias=ALIAS, admin_api_key=KEY, import_dir=str(tmp_path / "drop"),
                   upload_dir=str(tmp_path / "uploads"), max_upload_bytes=200_000)  # fmt: skip


@pytest.fixture
def admin(api_settings):
    return create_app({"SETTINGS": api_settings}).test_client()


def post_import(admin, categories: tuple[str, bytes] | None = None, **form):
    data = {"file": (io.BytesIO(BODY), "harbor.json")}
    if categories:
        data["categories"] = (io.BytesIO(categories[1]), categories[0])
    return admin.post(
        "/v1/imports", data=data | form, headers=AUTH, content_type="multipart/form-data"
    )


def nothing_written(es, api_settings) -> bool:
    uploads = Path(api_settings.upload_dir)
    no_index = not es.indices.get(index=f"{ALIAS}--*", expand_wildcards="all")
    return no_index and (not uploads.exists() or not any(uploads.iterdir()))


@pytest.mark.parametrize(
    "name, table, where",
    [
        ("cats.csv", b"service_id,code\na,food\n,food-pantry\n", "cats.csv: line 3"),
        ("cats.csv", b'service_id,code\na,food\nb,"food\n', "cats.csv: line"),
        ("cats.csv", b"id,categories\na,food\n", "cats.csv: line 1: missing column(s)"),
        ("cats.json", b'{"a": ["food"],\n\n "b": {"x": 1}}', "cats.json: line 3"),
    ],
)
def test_a_malformed_categories_part_queues_nothing(es, admin, api_settings, name, table, where):
    refused = post_import(admin, (name, table))
    assert refused.status_code == 422
    assert where in refused.json["errors"]["files"]["categories"][0]
    assert work(es, api_settings, converter_for, once=True) == 0  # no job was queued
    assert nothing_written(es, api_settings)


def test_an_unknown_vocabulary_is_refused(es, admin, api_settings):
    refused = post_import(admin, ("cats.csv", b"service_id,code\na,food\n"),
                          categories_vocabulary="airs")  # fmt: skip
    assert refused.status_code == 422
    assert nothing_written(es, api_settings)


def test_unknown_ids_and_codes_are_counted_warnings_through_the_api(es, admin, api_settings):
    table = b"service_id,code\na,food-pantry;no such code;1130;999999\nzz,food\n"
    job = post_import(admin, ("cats.csv", table))
    assert job.status_code == 202, job.json
    assert work(es, api_settings, converter_for, once=True) == 1
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "succeeded", done
    tallies = done["report"]["tallies"]
    assert tallies["categories_file.ids_unknown"] == 1  # zz
    assert tallies["categories_file.codes_not_understood"] == 2  # the words and 999999
    assert tallies["categories_file.codes.open-eligibility"] == 1  # 1130, a v2.0 id
    reasons = [w["reason"] for w in done["report"]["warnings"] if w["field"] == "categories"]
    assert any("'no such code' not understood" in r for r in reasons)
    assert done["report"]["indexed"] == 2


def test_a_malformed_deployers_crosswalk_fails_the_job_naming_its_line(
    es, admin, api_settings, tmp_path
):
    bad = tmp_path / "county.csv"
    bad.write_text("code_prefix,category\nBD,food\nBD-18,soup\n")
    job = post_import(admin)
    assert job.status_code == 202, job.json
    # the worker's settings name the deployer's file (LINKAGE_CROSSWALK_211)
    work(es, replace(api_settings, crosswalk_211=str(bad)), converter_for, once=True)
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "failed"
    assert "county.csv: line 3: unknown category 'soup'" in done["error"]
    assert done["error"].startswith("cannot set up the import")  # not an "internal error"
    assert nothing_written(es, api_settings)


def test_the_cli_checks_both_files_before_loading(es, alias, tmp_path, monkeypatch, runner):
    source = tmp_path / "harbor.json"
    source.write_bytes(BODY)
    table = tmp_path / "cats.json"
    table.write_text('{"a": ["food"],\n "b": 7}')
    result = runner.invoke(["load", str(source), "--quiet", "--categories", str(table)])
    assert result.exit_code == 1 and "cats.json: line 2" in result.output
    bad = tmp_path / "county.csv"
    bad.write_text("code_prefix,category\nnot a code,food\n")
    monkeypatch.setenv("LINKAGE_CROSSWALK_211", str(bad))
    result = runner.invoke(["load", str(source), "--quiet"])
    assert result.exit_code == 1 and "county.csv: line 2: 'NOT A CODE'" in result.output
    assert not es.indices.get(index=f"{ALIAS}--*", expand_wildcards="all")
