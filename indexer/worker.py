"""The import worker: takes queued jobs from Elasticsearch and runs them, one at a time.

It outlives Elasticsearch: a failed look at the queue is logged and retried, waiting longer
each time (up to MAX_BACKOFF_SECONDS), and never ends the worker. As it polls it notes that a
worker is there (queued jobs are not abandoned meanwhile) and lets go of abandoned locks,
marking their jobs failed (linkage.jobs.sweep_abandoned)."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, TransportError

from indexer import archives
from indexer.limits import Limits
from indexer.load import LoadError, after_failure, failed_report, load_path
from indexer.records import ReadError
from indexer.side_table import read_table
from linkage import jobs, logs
from linkage.config import Settings

log = logging.getLogger("linkage.worker")
PROGRESS_EVERY_SECONDS = 2.0
JOB_REJECTIONS = 10_000  # listed in a job's report; its counts cover them all
MAX_BACKOFF_SECONDS = 30.0


def run_job(es: Elasticsearch, settings: Settings, job: dict, converter_for) -> None:
    """Run one claimed job to its end; whatever happens, the job ends succeeded or failed."""
    path = Path(job["path"])
    mapping = Path(job["mapping"]) if job.get("mapping") else None
    categories_path = Path(job["categories"]) if job.get("categories") else None
    alias = settings.index_alias
    read = 0
    last = time.monotonic()

    def progress(n: int) -> None:
        nonlocal read, last
        read += n
        if time.monotonic() - last > PROGRESS_EVERY_SECONDS:
            jobs.record_progress(es, alias, job, read)
            last = time.monotonic()

    report, error = None, None
    try:
        try:
            converter = converter_for(job["source"], settings)
        except (ValueError, OSError) as exc:  # a deployer's file (the 211 crosswalk), as the CLI
            raise ReadError(f"cannot set up the import: {exc}") from exc
        categories = (
            read_table(categories_path, job.get("categories_vocabulary"))
            if categories_path
            else None
        )
        limits = Limits.from_settings(settings)
        with jobs.lock_heartbeat(es, alias, job["source"], job["id"]):
            if archives.is_archive(path) and _uploaded(path, settings):  # unpacked here, not
                path = archives.unpack(path, limits.unpacked_bytes)  # in the request: slow
            report = load_path(
                es, alias, path, job["format"], mapping, converter, job["mode"],
                progress, categories, replicas=settings.replicas,
                limits=limits, allow_shrink=bool(job.get("allow_shrink")),
            ).as_dict(max_rejections=JOB_REJECTIONS)  # fmt: skip
    except (ReadError, LoadError) as exc:
        error = f"{exc}; {after_failure(job['mode'])}"
        if (partial := failed_report(exc)) is not None:  # the job keeps what the load counted
            report = partial.as_dict(max_rejections=JOB_REJECTIONS)
    except TransportError as exc:
        error = f"Elasticsearch failed: {type(exc).__name__}; {after_failure(job['mode'])}"
    except Exception as exc:  # a job must never stay 'running' because of a bug
        log.exception("import job %s failed", job["id"])
        error = (
            f"internal error: {type(exc).__name__}: {str(exc)[:300]}; {after_failure(job['mode'])}"
        )
    finally:
        upload_dir = Path(settings.upload_dir).resolve()
        for uploaded in (path, categories_path):  # an upload: remove its spool folder
            if uploaded is not None and _uploaded(uploaded, settings):
                spool = upload_dir / uploaded.resolve().relative_to(upload_dir).parts[0]
                shutil.rmtree(spool, ignore_errors=True)
        try:
            jobs.finish_job(es, alias, job, report, error)
        except (TransportError, ApiError):  # the worker lives on; the lock is taken over later
            log.exception("import job %s: could not record its end", job["id"])
    log.info("import job %s (%s): %s", job["id"], job["source"], "failed" if error else "succeeded")


def _uploaded(path: Path, settings: Settings) -> bool:
    """An upload's spooled file, not one in the import folder (never unpacked or removed)."""
    return Path(settings.upload_dir).resolve() in path.resolve().parents


def work(
    es: Elasticsearch,
    settings: Settings,
    converter_for,
    once: bool = False,
    poll_seconds: float = 1.0,
) -> int:
    """Run queued jobs as they come; with `once`, until the queue is empty (and an
    Elasticsearch failure then ends it). Returns jobs run."""
    alias = settings.index_alias
    done, failures, next_sweep = 0, 0, 0.0
    while True:
        try:
            if time.monotonic() >= next_sweep:
                jobs.mark_polled(es, alias)
                for source in jobs.sweep_abandoned(es, alias):
                    log.warning("released the abandoned import lock of %s", source)
                next_sweep = time.monotonic() + jobs.HEARTBEAT_SECONDS
            job = jobs.claim_next(es, alias)
        except (TransportError, ApiError) as exc:
            if once:
                raise
            failures += 1
            wait = min(poll_seconds * 2 ** min(failures, 10), MAX_BACKOFF_SECONDS)
            log.warning(
                "cannot reach the job queue (%s); retrying in %.0f s", type(exc).__name__, wait
            )
            time.sleep(wait)
            continue
        if failures:
            log.info("the job queue is back after %d failed looks", failures)
            failures = 0
        if job is None:
            if once:
                return done
            time.sleep(poll_seconds)
            continue
        with logs.context(job_id=job["id"], source=job["source"]):  # on each of its log lines
            run_job(es, settings, job, converter_for)
        done += 1
