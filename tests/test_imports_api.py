"""POST /v1/imports and GET /v1/imports/<id>: admin key, uploads, worker, job state in ES."""

import io
import json
import time
from dataclasses import replace
from pathlib import Path

import pytest

from indexer.cli import converter_for
from indexer.worker import work
from linkage import jobs
from linkage.app import create_app
from tests.conftest import SHARED, TEST_ALIAS, requires_shared
from tests.servers import TEST_KEY, gunicorn

# The run's own (LINKAGE_TEST_ALIAS): two runs on one node never delete each other's imports.
ALIAS = f"{TEST_ALIAS}-imports"
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


def forget_imports(es):
    """No indices, jobs or locks left from other tests (a missing one must not stop the rest
    being deleted, hence ignore_unavailable)."""
    es.indices.delete(
        index=f"{ALIAS}--*,{jobs.locks_index(ALIAS)},{jobs.jobs_index(ALIAS)}",
        ignore_unavailable=True,
    )


@pytest.fixture
def import_settings(settings, tmp_path, es):
    forget_imports(es)
    (tmp_path / "drop").mkdir()
    yield replace(settings, index_alias=ALIAS, admin_api_key=KEY, import_dir=str(tmp_path / "drop"),
                  upload_dir=str(tmp_path / "uploads"), max_upload_bytes=200_000)  # fmt: skip
    forget_imports(es)


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
    assert done["status"] == "failed" and "expected a JSON array, NDJSON" in done["error"]


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


def age_lock(es, source, minutes):
    """Make the source's lock look untouched for `minutes` (as if its holder stopped then)."""
    from datetime import UTC, datetime, timedelta

    then = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
    es.update(index=jobs.locks_index(ALIAS), id=source, doc={"created": then, "heartbeat": then}, refresh=True)  # fmt: skip


def set_status(es, job, status):
    es.update(index=jobs.jobs_index(ALIAS), id=job["id"], doc={"status": status}, refresh=True)


def test_an_import_whose_worker_died_does_not_block_its_source_for_good(admin, es, import_settings):
    first = upload(admin, "same.json", json.dumps([pantry("a")]).encode()).json
    set_status(es, first, "running")  # a worker took it, then was killed mid-import
    age_lock(es, "same", minutes=4)
    assert upload(admin, "same.json", b"[]").status_code == 409  # silent, but not for long enough
    age_lock(es, "same", minutes=6)
    second = upload(admin, "same.json", json.dumps([pantry("b")]).encode())
    assert second.status_code == 202
    abandoned = admin.get(f"/v1/imports/{first['id']}", headers=AUTH).json
    assert abandoned["status"] == "failed" and "stopped without finishing" in abandoned["error"]
    run_worker(es, import_settings)
    assert admin.get(f"/v1/imports/{second.json['id']}", headers=AUTH).json["status"] == "succeeded"


def test_queued_and_running_imports_keep_their_source(admin, es, import_settings, monkeypatch):
    first = upload(admin, "same.json", json.dumps([pantry("a")]).encode()).json
    age_lock(es, "same", minutes=60)
    assert upload(admin, "same.json", b"[]").status_code == 409  # queued: waiting, not abandoned
    set_status(es, first, "running")
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    with jobs.lock_heartbeat(es, ALIAS, "same", first["id"]):
        time.sleep(0.5)  # the running import touches its lock...
    assert upload(admin, "same.json", b"[]").status_code == 409  # ...so it is not taken over
    # A job that ended without giving its lock back (its worker died just after) is over.
    set_status(es, first, "succeeded")
    assert upload(admin, "same.json", b"[]").status_code == 202


def test_the_command_line_and_the_api_take_turns_on_a_source(admin, es, import_settings, tmp_path, monkeypatch, runner):  # fmt: skip
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    directory = tmp_path / "same.json"
    directory.write_text(json.dumps([pantry("c")]))
    queued = upload(admin, "same.json", json.dumps([pantry("a")]).encode()).json
    refused = runner.invoke(["load", str(directory), "--quiet"])
    assert refused.exit_code != 0
    assert f"already queued or running (job {queued['id']})" in refused.output
    run_worker(es, import_settings)
    loaded = runner.invoke(["load", str(directory), "--quiet"])
    assert loaded.exit_code == 0, loaded.output
    assert upload(admin, "same.json", b"[]").status_code == 202  # the command line let go
    jobs.release_source(es, ALIAS, "same", "someone else")  # only the holder can release a lock
    busy = upload(admin, "same.json", b"[]")
    assert busy.status_code == 409
    again = runner.invoke(["load", str(directory), "--quiet"])
    assert again.exit_code != 0 and "already queued or running" in again.output


def test_a_job_that_waited_long_in_the_queue_is_not_taken_for_abandoned(admin, es, import_settings):
    first = upload(admin, "same.json", json.dumps([pantry("a")]).encode()).json
    age_lock(es, "same", minutes=60)  # queued behind other imports for an hour
    assert jobs.claim_next(es, ALIAS)["id"] == first["id"]  # a worker takes it: running now
    assert upload(admin, "same.json", b"[]").status_code == 409
    assert admin.get(f"/v1/imports/{first['id']}", headers=AUTH).json["status"] == "running"


def test_a_csv_upload_is_read_with_a_mapping_from_the_import_folder(admin, es, import_settings):
    from pathlib import Path

    mapping = Path(import_settings.import_dir) / "pantries.yaml"
    mapping.write_text("services: {file: services.csv, id: id, fields: {name: title}}\n")
    csv_body = b"id,title\n1,Westside Pantry\n2,Eastside Pantry\n"
    job = upload(admin, "services.csv", csv_body, format="mapped-csv", mapping="pantries.yaml")
    assert job.status_code == 202, job.json
    run_worker(es, import_settings)
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "succeeded", done["error"]
    assert done["report"]["indexed"] == 2 and done["source"] == "pantries"


def test_a_refused_upload_leaves_nothing_on_disk(admin, es, import_settings):
    from pathlib import Path

    assert upload(admin, "same.json", json.dumps([pantry("a")]).encode()).status_code == 202
    spooled = set(Path(import_settings.upload_dir).iterdir())
    assert upload(admin, "same.json", json.dumps([pantry("b")]).encode()).status_code == 409
    bad_source = upload(admin, "x.json", b"[]", source="Not A Name!")
    assert bad_source.status_code == 422
    assert set(Path(import_settings.upload_dir).iterdir()) == spooled


def zipped(files: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@requires_shared
def test_a_folder_export_is_uploaded_as_a_zip(admin, es, import_settings):
    """An Ohana CSV export (a folder) zipped as most tools do it, with its folder inside."""
    ohana = SHARED / "datasets/ohana-san-mateo"
    body = zipped({f"san-mateo/{p.name}": p.read_bytes() for p in ohana.glob("*.csv")})
    job = upload(admin, "san-mateo.zip", body)
    assert job.status_code == 202, job.json
    assert job.json["source"] == "san-mateo" and job.json["status"] == "queued"
    # kept as received: the worker unpacks it, not the request
    spooled = [p.name for p in Path(import_settings.upload_dir).rglob("*")]
    assert spooled[-1:] == ["san-mateo.zip"] and len(spooled) == 2  # its spool folder, the zip
    run_worker(es, import_settings)
    done = admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json
    assert done["status"] == "succeeded", done["error"]
    assert (done["report"]["read"], done["report"]["indexed"]) == (23, 23)
    assert not any(Path(import_settings.upload_dir).iterdir())  # the worker cleaned up


def test_a_zip_is_checked_before_it_is_unpacked(admin, import_settings):
    escape = upload(admin, "evil.zip", zipped({"../../outside.csv": b"id,name\n1,x\n"}))
    assert escape.status_code == 422 and "outside" in json.dumps(escape.json)
    bomb = upload(admin, "bomb.zip", zipped({"services.csv": b"0" * 5_000_000}))  # ~5 KB zipped
    assert bomb.status_code == 413 and "unpacks to more than" in bomb.json["message"]
    broken = upload(admin, "broken.zip", b"PK not really")
    assert broken.status_code == 422 and "not a zip archive" in json.dumps(broken.json)
    assert not any(Path(import_settings.upload_dir).iterdir())


def forged_zip(name: str, inflates_to: int, declares: int) -> bytes:
    """A zip whose one member's directory entry declares `declares` bytes while its data
    inflates to `inflates_to` (zeros, built from one independent deflate block repeated, so a
    2 GiB member costs 2 MB and no time)."""
    import struct
    import zlib

    mib = 1024 * 1024
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"0" * mib) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = block * (inflates_to // mib) + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(inflates_to // mib):  # the checksum of what it truly holds
        crc = zlib.crc32(b"0" * mib, crc)
    encoded = name.encode()
    sizes = (crc, len(data), declares, len(encoded), 0)
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, *sizes) + encoded
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, *sizes, 0, 0, 0, 0, 0)
    central += encoded
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(data), 0)  # fmt: skip
    return local + data + central + end


def test_a_zip_is_answered_at_once_and_unpacked_by_the_worker(es, import_settings):
    """Was: a 2 MB zip unpacking to 2 GiB was unpacked inside the request (6.5 s, and past
    gunicorn's timeout at the cap). This one's directory says 1 KB, its data inflates to
    2 GiB: gunicorn only reads the directory and queues it; the worker, capped at 1 GiB of
    memory, fails the job with the reason and cleans up."""
    import os
    import subprocess
    import sys

    import requests

    from tests.test_input_limits import _cap_memory

    env = {
        "LINKAGE_INDEX_ALIAS": ALIAS, "LINKAGE_ADMIN_API_KEY": KEY,
        "LINKAGE_UPLOAD_DIR": import_settings.upload_dir,
        "LINKAGE_MAX_UPLOAD_BYTES": "4000000",  # unpacked: at most 80 MB
    }  # fmt: skip
    body = forged_zip("services.csv", inflates_to=2 * 1024**3, declares=1000)
    assert len(body) < 3_000_000
    with gunicorn(env) as base:
        files = {"file": ("forged.zip", body, "application/zip")}
        job = requests.post(f"{base}/v1/imports", files=files, data={"format": "mapped-csv"},
                            headers=AUTH, timeout=30)  # fmt: skip
        assert job.status_code == 202, job.text
        state = requests.get(f"{base}/v1/imports/{job.json()['id']}", headers=AUTH, timeout=10)
        assert state.json()["status"] == "queued"
        worker = subprocess.run(
            [sys.executable, "-m", "indexer", "worker", "--once"], env={**os.environ, **env},
            capture_output=True, text=True, timeout=300, check=False, preexec_fn=_cap_memory,
        )  # fmt: skip
        assert worker.returncode == 0, worker.stderr
        done = requests.get(f"{base}/v1/imports/{job.json()['id']}", headers=AUTH, timeout=10)
    assert done.json()["status"] == "failed", done.json()
    damaged = "a damaged zip archive: services.csv does not match the size (1000 bytes)"
    assert damaged in done.json()["error"]
    assert not any(Path(import_settings.upload_dir).iterdir())


def test_the_worker_keeps_the_zip_limits_itself(es, import_settings):
    """A zip queued without the request's checks (another instance, an older one) is held to
    the same limits where it is unpacked: each breach fails its job with the reason."""
    limit = 20 * import_settings.max_upload_bytes
    spool = Path(import_settings.upload_dir)
    cases = {
        "bomb": (zipped({"services.csv": b"0" * (limit + 1)}), f"unpacks to more than {limit} bytes"),
        "escape": (zipped({"../../outside.csv": b"id,name\n1,x\n"}), "archive member outside it"),
        "broken": (b"PK not really", "not a zip archive"),
    }  # fmt: skip
    queued = {}
    for source, (body, _) in cases.items():
        (spool / source).mkdir(parents=True)
        (spool / source / f"{source}.zip").write_bytes(body)
        queued[source] = jobs.submit_job(es, ALIAS, source, "auto", "full", str(spool / source / f"{source}.zip"), None)  # fmt: skip
    assert run_worker(es, import_settings) == 3
    for source, (_, reason) in cases.items():
        done = jobs.job_by_id(es, ALIAS, queued[source]["id"])
        assert done["status"] == "failed" and reason in done["error"], done
    assert not any(spool.iterdir()) and not (spool.parent / "outside.csv").exists()
