"""The import worker and the per-source locks under faults (issue 14): Elasticsearch out of
reach, job documents that vanish, loads and workers killed mid-import, deployments sharing a
cluster, and the replica and refresh settings a full load leaves behind. All on the real node;
the outage is a real one, through a TCP proxy (tests.tcpproxy) the test cuts."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from indexer import load as load_module
from indexer.cli import converter_for
from indexer.worker import work
from linkage import jobs
from linkage.app import create_app
from linkage.search.document import replica_settings
from tests.test_imports_api import pantry

ROOT = Path(__file__).resolve().parent.parent
ALIAS = os.environ.get("LINKAGE_TEST_ALIAS", "linkage-test-resources") + "-worker"
OTHER = ALIAS + "-other"  # a second deployment on the same cluster


def forget(es):
    es.indices.delete(index=f"{ALIAS}-*,{ALIAS}", ignore_unavailable=True)


@pytest.fixture
def worker_settings(settings, es, tmp_path):
    forget(es)
    yield replace(settings, index_alias=ALIAS, upload_dir=str(tmp_path / "uploads"))
    forget(es)


def directory(tmp_path: Path, name: str, count: int = 2) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps([pantry(f"{name}{n}") for n in range(count)]))
    return path


def big_directory(tmp_path: Path, name: str) -> Path:
    """Enough records that the load is still running when the test kills it."""
    path = tmp_path / f"{name}.ndjson"
    path.write_text("\n".join(json.dumps(pantry(f"k{n}")) for n in range(20000)))
    return path


def submit(es, alias, source, path):
    return jobs.submit_job(es, alias, source, "hsds-json", "full", str(path), None)


def wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)
    return value


def worker_process(settings, log: Path, url: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "LINKAGE_INDEX_ALIAS": settings.index_alias,
           "LINKAGE_UPLOAD_DIR": settings.upload_dir, "LINKAGE_LOG_FORMAT": "json"}  # fmt: skip
    if url:
        env["ELASTICSEARCH_URL"] = url
    with log.open("wb") as stderr:  # the worker keeps its own copy of the file
        return subprocess.Popen(
            [sys.executable, "-m", "indexer", "worker", "--poll", "0.2"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


# --- item 4: the worker outlives outages and vanished jobs ---------------------------------


def test_the_worker_outlives_an_elasticsearch_outage(es, worker_settings, tmp_path, proxy):
    log = tmp_path / "worker.log"
    worker = worker_process(worker_settings, log, url=proxy.url)
    try:
        wait_for(lambda: es.indices.exists(index=jobs.jobs_index(ALIAS)), "the worker's queue")
        proxy.set_mode("refuse")  # the node is out of reach for the worker only
        wait_for(lambda: "cannot reach the job queue" in log.read_text(), "a failed poll logged")
        assert worker.poll() is None, log.read_text()  # it was still running
        job = submit(es, ALIAS, "after-outage", directory(tmp_path, "after-outage"))
        proxy.set_mode("forward")  # back
        done = wait_for(
            lambda: (j := jobs.job_by_id(es, ALIAS, job["id"]))["status"] == "succeeded" and j,
            "the job queued during the outage to be run",
        )
        assert done["report"]["indexed"] == 2
        assert "the job queue is back" in log.read_text()
    finally:
        stop(worker)


def test_a_job_whose_document_disappears_does_not_end_the_worker(es, worker_settings, tmp_path):
    gone = submit(es, ALIAS, "vanishing", directory(tmp_path, "vanishing"))
    later = submit(es, ALIAS, "later", directory(tmp_path, "later"))

    def deleting_converter_for(source, settings):  # as a test's clean-up did under a live worker
        if source == "vanishing":
            es.delete(index=jobs.jobs_index(ALIAS), id=gone["id"], refresh=True)
        return converter_for(source, settings)

    assert work(es, worker_settings, deleting_converter_for, once=True) == 2  # it carried on
    assert jobs.job_by_id(es, ALIAS, gone["id"]) is None
    assert jobs.job_by_id(es, ALIAS, later["id"])["status"] == "succeeded"
    submit(es, ALIAS, "vanishing", directory(tmp_path, "vanishing"))  # its lock was let go


# --- items 4 and 8: abandoned locks are let go, their jobs marked failed --------------------


def test_a_killed_command_line_loads_lock_is_taken_over_at_once(es, worker_settings, tmp_path, runner):  # fmt: skip
    command = [sys.executable, "-m", "indexer", "load", str(big_directory(tmp_path, "killed")),
               "--quiet", "--source", "killed"]  # fmt: skip
    load = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "LINKAGE_INDEX_ALIAS": ALIAS})
    try:
        held = wait_for(
            lambda: (
                (
                    # 503: the load has just made the locks index, its shard not yet up
                    held := es.options(ignore_status=(404, 503)).get(
                        index=jobs.locks_index(ALIAS), id="killed"
                    )
                ).meta.status
                == 200
                and held
            ),
            "the load to take its lock",
        )["_source"]
        assert held["pid"] == load.pid
        with pytest.raises(jobs.SourceBusy):  # alive: its lock is its own
            jobs.lock_source(es, ALIAS, "killed", "a test")
        load.send_signal(signal.SIGKILL)
        load.wait()
        again = runner.invoke(
            ["load", str(directory(tmp_path, "killed")), "--quiet"],
            env={"LINKAGE_INDEX_ALIAS": ALIAS},
        )
        assert again.exit_code == 0, again.output  # at once, not five minutes later
        assert es.count(index=ALIAS)["count"] == 2
    finally:
        stop(load)


def test_a_killed_workers_job_is_failed_and_its_source_let_go(es, worker_settings, tmp_path):
    job = submit(es, ALIAS, "killed", big_directory(tmp_path, "killed"))
    worker = worker_process(worker_settings, tmp_path / "worker.log")
    try:
        wait_for(lambda: jobs.job_by_id(es, ALIAS, job["id"])["status"] == "running", "a claim")
        # The claim marks the job running, then writes the worker's pid on the lock.
        wait_for(
            lambda: es.get(index=jobs.locks_index(ALIAS), id="killed")["_source"].get("pid"),
            "the worker's pid on the lock",
        )
        lock = es.get(index=jobs.locks_index(ALIAS), id="killed")["_source"]
        assert lock["pid"] == worker.pid
        with pytest.raises(jobs.SourceBusy):
            submit(es, ALIAS, "killed", directory(tmp_path, "killed"))
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        stop(worker)
    work(es, worker_settings, converter_for, once=True)  # the next worker looks at the locks
    failed = jobs.job_by_id(es, ALIAS, job["id"])
    assert failed["status"] == "failed"
    assert f"its process ({worker.pid} on" in failed["error"]
    assert "is no longer running" in failed["error"]
    submit(es, ALIAS, "killed", directory(tmp_path, "killed"))  # free again


def age(es, job, minutes):
    then = (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()
    es.update(index=jobs.jobs_index(ALIAS), id=job["id"], doc={"created": then}, refresh=True)
    es.update(index=jobs.locks_index(ALIAS), id=job["source"], refresh=True,
              doc={"created": then, "heartbeat": then})  # fmt: skip


def test_a_queued_job_no_worker_takes_does_not_block_its_source_for_good(es, worker_settings, tmp_path):  # fmt: skip
    waiting = submit(es, ALIAS, "stuck", directory(tmp_path, "stuck"))
    age(es, waiting, minutes=60)
    jobs.mark_polled(es, ALIAS)  # a worker is there, just busy: the job waits its turn
    with pytest.raises(jobs.SourceBusy):
        jobs.lock_source(es, ALIAS, "stuck", "the command line, in a test")
    old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    es.update(
        index=jobs.locks_index(ALIAS), id=jobs.POLLED_ID, doc={"heartbeat": old}, refresh=True
    )
    jobs.lock_source(es, ALIAS, "stuck", "the command line, in a test")  # no worker for 10 min
    failed = jobs.job_by_id(es, ALIAS, waiting["id"])
    assert failed["status"] == "failed" and "no worker took it" in failed["error"]


# --- item 13: jobs and locks belong to one alias -------------------------------------------


def test_jobs_and_locks_belong_to_their_alias(es, worker_settings, tmp_path):
    es.indices.delete(index=f"{OTHER}-*", ignore_unavailable=True)
    try:
        job = submit(es, ALIAS, "same", directory(tmp_path, "same"))
        assert jobs.claim_next(es, OTHER) is None  # the other deployment's worker never sees it
        jobs.lock_source(es, OTHER, "same", "the other deployment's command line")  # its own
        other = create_app({"SETTINGS": replace(worker_settings, index_alias=OTHER,
                                                admin_api_key="k")}).test_client()  # fmt: skip
        seen = other.get(f"/v1/imports/{job['id']}", headers={"Authorization": "Bearer k"})
        assert seen.status_code == 404
        assert work(es, worker_settings, converter_for, once=True) == 1
        assert es.count(index=ALIAS)["count"] == 2
        assert not es.indices.exists_alias(name=OTHER)  # nothing loaded into the other one
    finally:
        es.indices.delete(index=f"{OTHER}-*", ignore_unavailable=True)


# --- item 14: replicas and refresh after a full load ---------------------------------------


def index_settings_of(es, pattern):
    (only,) = es.indices.get_settings(index=pattern, flat_settings=True).values()
    return only["settings"]


def test_a_full_load_writes_without_replicas_then_restores_them(es, worker_settings, tmp_path, monkeypatch):  # fmt: skip
    during = []
    original = load_module._stream

    def watching(client, rows, converter, report, index, *args):
        during.append(index_settings_of(es, index))  # as the records are being written
        return original(client, rows, converter, report, index, *args)

    monkeypatch.setattr(load_module, "_stream", watching)
    converter = converter_for("replicated", worker_settings)
    path = directory(tmp_path, "replicated")
    load_module.load_path(es, ALIAS, path, "hsds-json", None, converter, replicas="0-1")
    assert during[0]["index.refresh_interval"] == "-1"
    assert during[0]["index.number_of_replicas"] == "0"
    assert during[0]["index.auto_expand_replicas"] == "false"
    after = index_settings_of(es, f"{ALIAS}--replicated--*")
    assert after["index.refresh_interval"] == "1s" and after["index.auto_expand_replicas"] == "0-1"
    assert es.cluster.health(index=ALIAS)["status"] == "green"  # one node: no replica needed

    monkeypatch.setattr(load_module, "REPLICA_WAIT", "1s")  # one node has no room for a replica
    load_module.load_path(es, ALIAS, path, "hsds-json", None, converter, replicas="1")
    after = index_settings_of(es, f"{ALIAS}--replicated--*")
    assert after["index.number_of_replicas"] == "1"
    assert es.count(index=ALIAS)["count"] == 2  # live all the same, on its primary


def test_replicas_are_a_count_or_a_range():
    assert replica_settings("2") == {"number_of_replicas": 2, "auto_expand_replicas": "false"}
    assert replica_settings("0-all") == {"auto_expand_replicas": "0-all"}
    with pytest.raises(ValueError, match="count or a range"):
        replica_settings("two")


def test_the_command_line_refuses_a_bad_replicas_setting(tmp_path, runner, worker_settings):
    refused = runner.invoke(
        ["load", str(directory(tmp_path, "x")), "--quiet"],
        env={"LINKAGE_INDEX_ALIAS": ALIAS, "LINKAGE_REPLICAS": "many"},
    )
    assert refused.exit_code != 0 and "replicas must be a count or a range" in refused.output


# --- supervision: make serve keeps the worker up --------------------------------------------


def test_the_supervisor_starts_an_ended_command_again_and_stops_it(tmp_path):
    runs = tmp_path / "runs"
    script = f"import os, time; open({str(runs)!r}, 'a').write('run\\n'); time.sleep(0.3)"
    supervisor = subprocess.Popen(
        [str(ROOT / "scripts/supervise"), sys.executable, "-c", script],
        env={**os.environ, "SUPERVISE_DELAY": "0.1"}, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: runs.exists() and len(runs.read_text().split()) >= 3, "restarts")
    finally:
        supervisor.terminate()
        _, err = supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert "ended (exit 0); starting it again" in err
