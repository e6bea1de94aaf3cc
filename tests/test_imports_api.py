"""POST /v1/imports and GET /v1/imports/<id>: admin key, uploads, worker, job state in ES."""

import io
import json
import time
from dataclasses import replace

import pytest

from indexer.cli import converter_for
from indexer.worker import work
from linkage import create_app, imports
from tests.servers import TEST_KEY, gunicorn

ALIAS = "linkage-test-imports"
KEY = "s3cret-admin-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


def pantry(sid, name=None):
    return {
        "id": sid,
        "name": name or f"Northside Pantry {sid}",
        "description": "Fresh produce and groceries every Tuesday.",
        "attributes": [{"id": f"{sid}-a", "taxonomy_term": {"id": "t", "taxonomy": "linkage", "code": "food-pantry"}}],
        "service_at_locations": [{"id": f"{sid}-sal", "location": {"id": f"{sid}-loc", "latitude": 41.95, "longitude": -87.66,
                                  "addresses": [{"address_1": "1 Clark St", "city": "Chicago", "state_province": "IL", "postal_code": "60613"}]}}],
    }  # fmt: skip


@pytest.fixture
def import_settings(settings, tmp_path, es):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*,{imports.LOCKS_INDEX}")
    (tmp_path / "drop").mkdir()
    yield replace(settings, index_alias=ALIAS, admin_api_key=KEY, import_dir=str(tmp_path / "drop"),
                  upload_dir=str(tmp_path / "uploads"), max_upload_bytes=200_000)  # fmt: skip
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*,{imports.LOCKS_INDEX}")


@pytest.fixture
def admin(import_settings):
    return create_app({"SETTINGS": import_settings}).test_client()


def upload(client, name, content: bytes, **form):
    return client.post(
        "/v1/imports",
        data={"file": (io.BytesIO(content), name), **form},
        headers=AUTH,
        content_type="multipart/form-data",
    )


def run_worker(es, settings):
    return work(es, settings, converter_for, once=True)


def test_keys_are_required_and_checked(admin):
    assert admin.post("/v1/imports", data={"path": "x"}).status_code == 401
    wrong = admin.post("/v1/imports", data={"path": "x"}, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json["code"] == 401
    assert admin.get("/v1/imports/abc").status_code == 401


def test_upload_runs_in_the_worker_and_reports(admin, es, import_settings):
    body = json.dumps([pantry("a"), pantry("b"), {"id": "c"}]).encode()
    started = upload(admin, "northside.json", body)
    assert started.status_code == 202, started.json
    job = started.json
    assert job["status"] == "queued" and job["source"] == "northside"
    assert run_worker(es, import_settings) == 1
    done = admin.get(f"/v1/imports/{job['id']}", headers=AUTH).json
    assert done["status"] == "succeeded", done
    report = done["report"]
    assert (report["read"], report["indexed"], report["rejected"]) == (3, 2, 1)
    assert report["rejections"][0]["field"] == "name"
    assert es.count(index=ALIAS)["count"] == 2


def test_an_unreadable_file_is_a_failed_job_with_the_reason(admin, es, import_settings):
    job = upload(admin, "broken.json", b"this is not json").json
    run_worker(es, import_settings)
    done = admin.get(f"/v1/imports/{job['id']}", headers=AUTH).json
    assert done["status"] == "failed" and "expected a JSON array or NDJSON" in done["error"]


def test_oversize_upload_is_413(admin):
    response = upload(admin, "big.json", b"[" + b" " * 300_000 + b"]")
    assert response.status_code == 413 and response.json["code"] == 413


def test_two_imports_of_one_source_never_run_at_once(admin, es, import_settings):
    first = upload(admin, "same.json", json.dumps([pantry("a")]).encode())
    second = upload(admin, "same.json", json.dumps([pantry("b")]).encode())
    assert first.status_code == 202 and second.status_code == 409
    assert first.json["id"] in second.json["message"]
    run_worker(es, import_settings)
    assert upload(admin, "same.json", json.dumps([pantry("b")]).encode()).status_code == 202


def test_import_by_path_stays_inside_the_import_folder(admin, es, import_settings):
    drop = import_settings.import_dir
    (__import__("pathlib").Path(drop) / "east.json").write_text(json.dumps([pantry("e")]))
    job = admin.post("/v1/imports", data={"path": "east.json", "mode": "incremental"}, headers=AUTH)
    assert job.status_code == 202, job.json
    run_worker(es, import_settings)
    assert admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json["status"] == "succeeded"
    escape = admin.post("/v1/imports", data={"path": "../../etc/passwd"}, headers=AUTH)
    assert escape.status_code == 422 and "inside the import folder" in json.dumps(escape.json)


def test_any_api_instance_answers_while_a_worker_process_runs(import_settings, es, tmp_path):
    """Real HTTP: gunicorn takes the upload, a separate worker process runs it."""
    import subprocess
    import sys

    import requests

    env = {
        "LINKAGE_INDEX_ALIAS": ALIAS, "LINKAGE_ADMIN_API_KEY": KEY,
        "LINKAGE_IMPORT_DIR": import_settings.import_dir, "LINKAGE_UPLOAD_DIR": import_settings.upload_dir,
        "LINKAGE_PARTNER_KEYS": import_settings.partner_keys,
    }  # fmt: skip
    with gunicorn(env) as base:
        files = {
            "file": ("westside.json", json.dumps([pantry("w1"), pantry("w2")]), "application/json")
        }
        job = requests.post(f"{base}/v1/imports", files=files, headers=AUTH, timeout=10).json()
        worker = subprocess.run(
            [sys.executable, "-m", "indexer", "worker", "--once"], env={**__import__("os").environ, **env},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr
        deadline = time.monotonic() + 30
        while (
            state := requests.get(f"{base}/v1/imports/{job['id']}", headers=AUTH, timeout=10).json()
        )["status"] != "succeeded":
            assert state["status"] in ("queued", "running") and time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["report"]["indexed"] == 2
        found = requests.get(f"{base}/v1/search", params={"q": "produce groceries"},
                             headers={"Authorization": f"Bearer {TEST_KEY}"}, timeout=10).json()  # fmt: skip
        assert found["total"] >= 2
