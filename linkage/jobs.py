"""Import jobs, kept in Elasticsearch so any API instance and any worker see the same state.

A job is submitted by the API (queued), claimed by one worker (running, with optimistic
concurrency so two workers never take the same job), and ends succeeded or failed with its
report. A lock document per source, created with op_type=create, keeps two imports of the
same source from ever running at once, whether submitted here or run from the command line.

Jobs and locks belong to one alias (`<alias>-import-jobs`, `<alias>-import-locks`): a worker
serving one deployment never takes another's job, whatever else runs on the cluster.

A lock whose holder stopped without releasing it would otherwise block its source for good,
so a lock is taken over, and its job marked failed, when (`abandonment`):
- its job has ended, or its job document is gone;
- its holder's process (host and pid, kept in the lock) is known dead on this same host;
- its running holder has not touched the heartbeat for STALE_AFTER_SECONDS;
- its job is queued, has waited STALE_AFTER_SECONDS, and no worker has looked at the queue
  for as long (a queued job is waiting for a worker, not abandoned, while one is polling).
"""

from __future__ import annotations

import os
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from elasticsearch import ConflictError, Elasticsearch, NotFoundError, TransportError

FORMATS = ("hsds-json", "hsds-tabular", "ohana", "mapped-csv", "icarol")
SOURCE_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# The locks index's document saying when a worker last looked at the queue: its id is not a
# source name, so no source's lock can ever be it.
POLLED_ID = "~workers"

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
        "allow_shrink": {"type": "boolean"},  # a full load may drop many services (--allow-shrink)
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
        # The process holding it (none while its job is queued): a dead one lets go at once.
        "host": {"type": "keyword"},
        "pid": {"type": "long"},
    },
}
# Small and rarely written: one replica where the cluster has a second node.
JOB_INDEX_SETTINGS = {"number_of_shards": 1, "auto_expand_replicas": "0-1"}
HEARTBEAT_SECONDS = 30.0
STALE_AFTER_SECONDS = 300.0  # ten missed heartbeats
# A lock naming a job whose document is not there yet: submit_job writes the lock first.
MISSING_JOB_GRACE_SECONDS = 30.0


class SourceBusy(RuntimeError):
    """An import of this source is already queued or running."""

    def __init__(self, source: str, holder: str):
        by = holder if _is_command_line(holder) else f"job {holder}"
        super().__init__(f"an import of '{source}' is already queued or running ({by})")
        self.job = holder


def _is_command_line(holder: str) -> bool:
    """A lock held by a command line (its holder text has spaces), not by a job (its id)."""
    return " " in holder


def jobs_index(alias: str) -> str:
    """The alias's job queue."""
    return f"{alias}-import-jobs"


def locks_index(alias: str) -> str:
    """The alias's per-source locks (and the workers' last look at the queue)."""
    return f"{alias}-import-locks"


def source_name(text: str) -> str:
    """A source name usable in index names: lower-case letters, digits and dashes."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63]
    if not SOURCE_NAME_PATTERN.match(name):
        raise ValueError(f"cannot make a source name from {text!r}")
    return name


def _timestamp() -> str:
    """Now, in UTC, as the job and lock documents keep times."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _age_seconds(timestamp: str | None) -> float:
    """Seconds since a kept time; infinite for none."""
    if not timestamp:
        return float("inf")
    return (datetime.now(UTC) - datetime.fromisoformat(timestamp)).total_seconds()


def this_process() -> dict:
    """The host and pid a lock keeps of its holder."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def process_gone(host: str | None, pid: int | None) -> bool:
    """True only when the process is known dead: on this host, and no such pid. (Another
    host's process, or a pid now reused, is left to the heartbeat.)"""
    if not host or not pid or host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)  # signal 0: is it there, sending nothing
    except ProcessLookupError:
        return True
    except PermissionError:  # there, another user's
        return False
    return False


def ensure_job_indices(es: Elasticsearch, alias: str) -> None:
    """Create the job and lock indices, or add the fields a newer version defines to them."""
    for name, mappings in ((jobs_index(alias), JOB_MAPPINGS), (locks_index(alias), LOCK_MAPPINGS)):
        if es.indices.exists(index=name):
            es.indices.put_mapping(index=name, properties=mappings["properties"])
        else:
            es.options(ignore_status=400).indices.create(
                index=name, mappings=mappings, settings=JOB_INDEX_SETTINGS
            )
        # Another process may have made it a moment ago: wait for its shard, not a 503.
        es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")


def submit_job(
    es: Elasticsearch, alias: str, source: str, fmt: str, mode: str, path: str,
    mapping: str | None, categories: str | None = None, categories_vocabulary: str | None = None,
    allow_shrink: bool = False,
) -> dict:  # fmt: skip
    """Queue a job; raises SourceBusy when this source already has one queued or running.
    `categories`: a side table's path (indexer.side_table), checked by the caller;
    `allow_shrink`: see indexer.load.rebuild."""
    job = {
        "id": uuid.uuid4().hex,
        "source": source,
        "format": fmt,
        "mode": mode,
        "path": path,
        "mapping": mapping,
        "categories": categories,
        "categories_vocabulary": categories_vocabulary,
        "allow_shrink": allow_shrink,
        "status": "queued",
        "created": _timestamp(),
        "started": None,
        "finished": None,
        "read": 0,
        "error": None,
        "report": None,
    }
    # No process yet: the API process that queued it may come and go; the worker's is kept
    # when it claims the job.
    lock_source(es, alias, source, job["id"], queued=True)
    es.index(index=jobs_index(alias), id=job["id"], document=job, refresh=True)
    return job


def lock_source(
    es: Elasticsearch, alias: str, source: str, holder: str, queued: bool = False
) -> None:
    """Take the source's lock for `holder` (a job id, or a command line's name) and this
    process (none for a `queued` job), taking over an abandoned one; raises SourceBusy when
    another import holds it."""
    ensure_job_indices(es, alias)
    locks = locks_index(alias)
    who = {"host": None, "pid": None} if queued else this_process()
    mine = {"job": holder, "created": _timestamp(), "heartbeat": _timestamp()} | who
    try:
        es.create(index=locks, id=source, document=mine, refresh=True)
        return
    except ConflictError:
        pass
    try:
        held = es.get(index=locks, id=source)
    except NotFoundError:  # released in between
        return lock_source(es, alias, source, holder, queued)
    reason = abandonment(es, alias, held["_source"])
    if reason is None:
        raise SourceBusy(source, held["_source"]["job"])
    try:  # only if nobody changed it since we looked
        es.index(index=locks, id=source, document=mine, refresh=True,
                 if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])  # fmt: skip
    except ConflictError:
        raise SourceBusy(source, held["_source"]["job"]) from None
    _fail_abandoned(es, alias, held["_source"]["job"], reason)


def abandonment(es: Elasticsearch, alias: str, held: dict) -> str | None:
    """Why the lock `held` is abandoned (see the module's docstring), or None if it is not."""
    holder = held["job"]
    job = None if _is_command_line(holder) else job_by_id(es, alias, holder)
    if job is not None and job["status"] in ("succeeded", "failed"):
        return "ended, but the lock was never released"
    if job is None and " " not in holder:
        if _age_seconds(held["created"]) > MISSING_JOB_GRACE_SECONDS:
            return "its job document is gone"
        return None
    if process_gone(held.get("host"), held.get("pid")):
        return f"its process ({held['pid']} on {held['host']}) is no longer running"
    if job is not None and job["status"] == "queued":
        polled = _last_polled(es, alias)
        if min(_age_seconds(job["created"]), _age_seconds(polled)) > STALE_AFTER_SECONDS:
            return f"no worker took it within {STALE_AFTER_SECONDS / 60:.0f} minutes"
        return None
    if _age_seconds(held.get("heartbeat") or held["created"]) > STALE_AFTER_SECONDS:
        return "its worker fell silent"
    return None


def _fail_abandoned(es: Elasticsearch, alias: str, holder: str, reason: str) -> None:
    """Mark the abandoned lock's job failed, saying why, if it had not ended."""
    job = None if _is_command_line(holder) else job_by_id(es, alias, holder)
    if job is not None and job["status"] in ("queued", "running"):
        error = (
            f"the import stopped without finishing ({reason}); the live index is as the last "
            "finished import of this source left it"
        )
        es.options(ignore_status=404).update(
            index=jobs_index(alias), id=job["id"], refresh=True,
            doc={"status": "failed", "finished": _timestamp(), "error": error},
        )  # fmt: skip


def sweep_abandoned(es: Elasticsearch, alias: str) -> list[str]:
    """Release every abandoned lock and mark its job failed (a worker does this as it polls,
    so a killed import's job says so without waiting for the next import of its source).
    Returns the sources let go."""
    locks = locks_index(alias)
    try:
        found = es.search(index=locks, query={"match_all": {}}, size=1000, seq_no_primary_term=True)
    except NotFoundError:
        return []
    released = []
    for hit in found["hits"]["hits"]:
        if hit["_id"] == POLLED_ID or (reason := abandonment(es, alias, hit["_source"])) is None:
            continue
        gone = es.options(ignore_status=(404, 409)).delete(index=locks, id=hit["_id"], refresh=True,
            if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"])  # fmt: skip
        if gone.meta.status == 200:  # ours to report: nobody changed it since we looked
            _fail_abandoned(es, alias, hit["_source"]["job"], reason)
            released.append(hit["_id"])
    return released


def mark_polled(es: Elasticsearch, alias: str) -> None:
    """Note that a worker is looking at the queue (queued jobs are not abandoned meanwhile);
    makes the job indices if they are not there (a worker's first look, or deleted since)."""
    ensure_job_indices(es, alias)
    now = _timestamp()
    es.index(index=locks_index(alias), id=POLLED_ID, refresh=True,
             document={"job": "a worker polling the queue", "created": now, "heartbeat": now}
             | this_process())  # fmt: skip


def _last_polled(es: Elasticsearch, alias: str) -> str | None:
    try:
        return es.get(index=locks_index(alias), id=POLLED_ID)["_source"]["heartbeat"]
    except NotFoundError:
        return None


def release_source(es: Elasticsearch, alias: str, source: str, holder: str) -> None:
    """Give the source's lock back, if `holder` still has it."""
    locks = locks_index(alias)
    try:
        held = es.get(index=locks, id=source)
    except NotFoundError:
        return
    if held["_source"]["job"] == holder:
        es.options(ignore_status=(404, 409)).delete(index=locks, id=source, refresh=True,
            if_seq_no=held["_seq_no"], if_primary_term=held["_primary_term"])  # fmt: skip


@contextmanager
def lock_heartbeat(es: Elasticsearch, alias: str, source: str, holder: str) -> Iterator[None]:
    """Touch the source's lock every HEARTBEAT_SECONDS while the body runs, so it is not
    taken for abandoned; stops if another holder has taken it over."""
    stop = threading.Event()
    locks = locks_index(alias)

    def beat() -> None:
        while True:  # the first beat at once: a job may have waited long in the queue
            try:
                held = es.get(index=locks, id=source)
                if held["_source"]["job"] != holder:
                    return
                es.update(index=locks, id=source, doc={"heartbeat": _timestamp()},
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


def job_by_id(es: Elasticsearch, alias: str, job_id: str) -> dict | None:
    """The job, or None when there is no such job."""
    try:
        return es.get(index=jobs_index(alias), id=job_id)["_source"]
    except NotFoundError:
        return None


def claim_next(es: Elasticsearch, alias: str) -> dict | None:
    """The oldest queued job, now running and ours; None when there is nothing to do.
    (A worker polls this every second: the indices are made once, not looked at each time.)"""
    queue = jobs_index(alias)
    try:
        es.indices.refresh(index=queue)
    except NotFoundError:
        ensure_job_indices(es, alias)
        return None
    found = es.search(index=queue, query={"term": {"status": "queued"}}, sort=[{"created": "asc"}],
                      size=5, seq_no_primary_term=True)  # fmt: skip
    for hit in found["hits"]["hits"]:
        job = hit["_source"] | {"status": "running", "started": _timestamp()}
        try:
            es.index(index=queue, id=job["id"], document=job, refresh=True,
                     if_seq_no=hit["_seq_no"], if_primary_term=hit["_primary_term"])  # fmt: skip
        except (ConflictError, NotFoundError):
            continue  # another worker took it, or it is gone
        # Running from now, in this process: its lock must not look abandoned for having
        # waited in the queue, and lets go at once if this process dies.
        es.options(ignore_status=404).update(
            index=locks_index(alias), id=job["source"], refresh=True,
            doc={"heartbeat": _timestamp()} | this_process(),
        )  # fmt: skip
        return job
    return None


def record_progress(es: Elasticsearch, alias: str, job: dict, read: int) -> None:
    """How many records the running job has read so far (nothing if its document is gone)."""
    es.options(ignore_status=404).update(index=jobs_index(alias), id=job["id"], doc={"read": read})


def finish_job(
    es: Elasticsearch, alias: str, job: dict, report: dict | None, error: str | None
) -> None:
    """Record the outcome (unless the job's document is gone), then release the source's lock."""
    status = "failed" if error else "succeeded"
    read = report["read"] if report else job.get("read", 0)
    es.options(ignore_status=404).update(index=jobs_index(alias), id=job["id"], refresh=True,
              doc={"status": status, "finished": _timestamp(), "report": report, "error": error, "read": read})  # fmt: skip
    release_source(es, alias, job["source"], job["id"])
