"""Import jobs, kept in Elasticsearch so any API instance and any worker see the same state.

A job is submitted by the API (queued), claimed by one worker (running, with optimistic
concurrency so two workers never take the same job), and ends succeeded or failed with its
report. A lock document per source, created with op_type=create, keeps two imports of the
same source from ever running at once, whether submitted here or run from the command line.

While an import runs, its holder touches the lock's heartbeat. A lock whose holder stopped
without releasing it (a worker killed mid-import, say) would otherwise block its source for
good: a lock whose job has ended, or whose running holder has been silent for
STALE_AFTER_SECONDS, is taken over and that job marked failed. A queued job's lock is never
taken over: it is waiting for a worker, not abandoned.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from elasticsearch import ConflictError, Elasticsearch, NotFoundError, TransportError

FORMATS = ("hsds-json", "hsds-tabular", "ohana", "mapped-csv", "icarol")
SOURCE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
JOBS_INDEX = "linkage-import-jobs"
LOCKS_INDEX = "linkage-import-locks"

JOB_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "keyword"},
        "source": {"type": "keyword"},
        "format": {"type": "keyword"},
        "mode": {"type": "keyword"},
        "path": {"type": "keyword", "index": False},
        "mapping": {"type": "keyword", "index": False},
        "categories": {"type": "keyword", "index": False},  # a side table (--categories)
        "categories_vocabulary": {"type": "keyword"},
        "status": {"type": "keyword"},
        "created": {"type": "date"},
        "started": {"type": "date"},
        "finished": {"type": "date"},
        "read": {"type": "long"},
        "error": {"type": "text", "index": False},
        "report": {"type": "object", "enabled": False},
    },
}
LOCK_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "job": {"type": "keyword"},
        "created": {"type": "date"},
        "heartbeat": {"type": "date"},
    },
}
HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 300.0  # ten missed heartbeats


class SourceBusy(RuntimeError):
    """An import of this source is already queued or running."""

    def __init__(self, source: str, holder: str):
        by = holder if " " in holder else f"job {holder}"  # a job id, or a command line
        super().__init__(f"an import of '{source}' is already queued or running ({by})")
        self.job = holder


def source_name(text: str) -> str:
    """A source name usable in index names: lower-case letters, digits and dashes."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63]
    if not SOURCE_NAME_PATTERN.match(name):
        raise ValueError(f"cannot make a source name from {text!r}")
    return name


def _timestamp() -> str:
    """Now, in UTC, as the job and lock documents keep times."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def ensure_job_indices(es: Elasticsearch) -> None:
    """Create the job and lock indices, or add the fields a newer version defines to them."""
    for name, mappings in ((JOBS_INDEX, JOB_MAPPINGS), (LOCKS_INDEX, LOCK_MAPPINGS)):
        if es.indices.exists(index=name):
            es.indices.put_mapping(index=name, properties=mappings["properties"])
        else:
            es.options(ignore_status=400).indices.create(
                index=name,
                mappings=mappings,
                settings={"number_of_shards": 1, "number_of_replicas": 0},
            )


def submit_job(
    es: Elasticsearch, source: str, fmt: str, mode: str, path: str, mapping: str | None,
    categories: str | None = None, categories_vocabulary: str | None = None,
) -> dict:  # fmt: skip
    """Queue a job; raises SourceBusy when this source already has one queued or running.
    `categories`: a side table's path (indexer.side_table), checked by the caller."""
    job = {
        "id": uuid.uuid4().hex,
        "source": source,
        "format": fmt,
        "mode": mode,
        "path": path,
        "mapping": mapping,
        "categories": categories,
        "categories_vocabulary": categories_vocabulary,
        "status": "queued",
        "created": _timestamp(),
        "started": None,
        "finished": None,
        "read": 0,
        "error": None,
        "report": None,
    }
    lock_source(es, source, job["id"])
    es.index(index=JOBS_INDEX, id=job["id"], document=job, refresh=True)
    return job


def lock_source(es: Elasticsearch, source: str, holder: str) -> None:
    """Take the source's lock for `holder` (a job id, or a command line's name), taking over
    an abandoned one; raises SourceBusy when another import holds it."""
    ensure_job_indices(es)
    mine = {"job": holder, "created": _timestamp(), "heartbeat": _timestamp()}
    try:
        es.create(index=LOCKS_INDEX, id=source, document=mine, refresh=True)
        return
    except ConflictError:
        pass
    try:
        held = es.get(index=LOCKS_INDEX, id=source)
    except NotFoundError:  # released in between
        return lock_source(es, source, holder)
    if not _lock_abandoned(es, held["_source"]):
        raise SourceBusy(source, held["_source"]["job"])
    try:  # only if nobody changed it since we looked
        es.index(index=LOCKS_INDEX, id=source, document=mine, refresh=True,
                 if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])  # fmt: skip
    except ConflictError:
        raise SourceBusy(source, held["_source"]["job"]) from None
    job = job_by_id(es, held["_source"]["job"])
    if job is not None and job["status"] in ("queued", "running"):
        es.update(index=JOBS_INDEX, id=job["id"], refresh=True, doc={
            "status": "failed", "finished": _timestamp(),
            "error": "the import stopped without finishing (its worker fell silent); the live "
                     "index is as the last finished import of this source left it"})  # fmt: skip


def _lock_abandoned(es: Elasticsearch, held: dict) -> bool:
    job = job_by_id(es, held["job"])  # None for a command-line import
    if job is not None and job["status"] in ("succeeded", "failed"):
        return True  # ended, but the lock was never released
    if job is not None and job["status"] == "queued":
        return False
    beat = datetime.fromisoformat(held.get("heartbeat") or held["created"])
    return (datetime.now(UTC) - beat).total_seconds() > STALE_AFTER_SECONDS


def release_source(es: Elasticsearch, source: str, holder: str) -> None:
    """Give the source's lock back, if `holder` still has it."""
    try:
        held = es.get(index=LOCKS_INDEX, id=source)
    except NotFoundError:
        return
    if held["_source"]["job"] == holder:
        es.options(ignore_status=(404, 409)).delete(index=LOCKS_INDEX, id=source, refresh=True,
            if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])  # fmt: skip


@contextmanager
def lock_heartbeat(es: Elasticsearch, source: str, holder: str) -> Iterator[None]:
    """Touch the source's lock every HEARTBEAT_SECONDS while the body runs, so it is not
    taken for abandoned; stops if another holder has taken it over."""
    stop = threading.Event()

    def beat() -> None:
        while True:  # the first beat at once: a job may have waited long in the queue
            try:
                held = es.get(index=LOCKS_INDEX, id=source)
                if held["_source"]["job"] != holder:
                    return
                es.update(index=LOCKS_INDEX, id=source, doc={"heartbeat": _timestamp()},
                          if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])  # fmt: skip
            except NotFoundError:
                return
            except (ConflictError, TransportError):
                pass  # changed under us, or a missed beat: not fatal, stale only after ten
            if stop.wait(HEARTBEAT_SECONDS):
                return

    thread = threading.Thread(target=beat, name="import-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def job_by_id(es: Elasticsearch, job_id: str) -> dict | None:
    """The job, or None when there is no such job."""
    try:
        return es.get(index=JOBS_INDEX, id=job_id)["_source"]
    except NotFoundError:
        return None


def claim_next(es: Elasticsearch) -> dict | None:
    """The oldest queued job, now running and ours; None when there is nothing to do.
    (A worker polls this every second: the indices are made once, not looked at each time.)"""
    try:
        es.indices.refresh(index=JOBS_INDEX)
    except NotFoundError:
        ensure_job_indices(es)
        return None
    found = es.search(index=JOBS_INDEX, query={"term": {"status": "queued"}}, sort=[{"created": "asc"}],
                      size=5, seq_no_primary_term=True)  # fmt: skip
    for hit in found["hits"]["hits"]:
        job = hit["_source"] | {"status": "running", "started": _timestamp()}
        try:
            es.index(index=JOBS_INDEX, id=job["id"], document=job, refresh=True,
                     if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"])  # fmt: skip
        except ConflictError:
            continue  # another worker took it
        # Running from now: its lock must not look abandoned for having waited in the queue.
        es.options(ignore_status=404).update(
            index=LOCKS_INDEX, id=job["source"], doc={"heartbeat": _timestamp()}, refresh=True
        )
        return job
    return None


def record_progress(es: Elasticsearch, job: dict, read: int) -> None:
    """How many records the running job has read so far."""
    es.update(index=JOBS_INDEX, id=job["id"], doc={"read": read})


def finish_job(es: Elasticsearch, job: dict, report: dict | None, error: str | None) -> None:
    """Record the outcome, then release the source's lock."""
    status = "failed" if error else "succeeded"
    read = report["read"] if report else job.get("read", 0)
    es.update(index=JOBS_INDEX, id=job["id"], refresh=True,
              doc={"status": status, "finished": _timestamp(), "report": report, "error": error, "read": read})  # fmt: skip
    release_source(es, job["source"], job["id"])
