"""POST /v1/imports (start an import job) and GET /v1/imports/<id> (its state and report).

Needs the import scope: the admin key (LINKAGE_ADMIN_API_KEY) or a partner key that has it,
as `Authorization: Bearer <key>` (checked in linkage.access.guard). The job runs in a
worker process (`python -m indexer worker`); its state lives in Elasticsearch.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from flask.views import MethodView
from flask_smorest import abort

from indexer import archives, side_table
from indexer.limits import Limits
from indexer.records import ReadError
from linkage import jobs
from linkage.api.base import Blueprint
from linkage.api.schemas.imports import ImportForm, JobOut, RemovedOut, SourceOut, UploadForm
from linkage.jobs import source_name
from linkage.runtime import runtime
from linkage.search import sources

blp = Blueprint("imports", __name__, url_prefix="/v1", description="Bulk imports (admin)")


def _inside(folder: str, relative: str, field: str) -> Path:
    if not folder:
        abort(422, errors={"form": {field: ["imports by path are off: set LINKAGE_IMPORT_DIR"]}})
    base = Path(folder).resolve()
    target = (base / relative).resolve()
    if base != target and base not in target.parents:
        abort(422, errors={"form": {field: ["must be inside the import folder"]}})
    if not target.exists():
        abort(
            422,
            errors={"form": {field: [f"no such file or folder in the import folder: {relative}"]}},
        )
    return target


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportForm, location="form")
    @blp.arguments(UploadForm, location="files")
    @blp.response(202, JobOut)
    @blp.alt_response(401, description="No or wrong admin key")
    @blp.alt_response(409, description="An import of this source is already queued or running")
    @blp.alt_response(413, description="Upload too large")
    def post(self, form, files):
        """Start an import from an uploaded file or a path in the import folder; returns the job."""
        rt = runtime()
        upload = files.get("file")
        if (upload is None) == (form.get("path") is None):
            abort(422, errors={"form": {"file": ["give either an uploaded `file` or a `path`"]}})
        if upload is not None:
            target = Path(Path(upload.filename or "upload").name)  # where it will be saved
        else:
            target = _inside(rt.settings.import_dir, form["path"], "path")
        mapping = (
            _inside(rt.settings.import_dir, form["mapping"], "mapping")
            if form.get("mapping")
            else None
        )
        try:
            source = form.get("source") or source_name((mapping or target).stem)
        except ValueError as exc:
            abort(422, errors={"form": {"source": [str(exc)]}})
        spool = None
        if upload is not None or files.get("categories") is not None:
            # saved only once the request is known to be good
            spool = Path(rt.settings.upload_dir) / uuid.uuid4().hex
            spool.mkdir(parents=True)
        categories = None
        if files.get("categories") is not None:  # checked whole before the job is queued
            categories = _save_categories(files["categories"], spool, form)
        if upload is not None:
            target = spool / target.name
            upload.save(target)  # as received: the worker unpacks a zip (indexer.archives)
            if archives.is_archive(target):
                _check_archive(target, spool, Limits.from_settings(rt.settings).unpacked_bytes)
        try:
            return jobs.submit_job(
                rt.es, rt.settings.index_alias, source, form["format"], form["mode"], str(target),
                str(mapping) if mapping else None, categories, form.get("categories_vocabulary"),
                form["allow_shrink"],
            )  # fmt: skip
        except BaseException as exc:
            if spool is not None:  # no job will ever read it
                shutil.rmtree(spool, ignore_errors=True)
            if isinstance(exc, jobs.SourceBusy):
                abort(409, message=str(exc))
            raise


def _check_archive(archive: Path, spool: Path, limit: int) -> None:
    """An obviously bad zip gets its 4xx now, from its central directory alone (instant at
    any size); the slow unpacking, and the same checks again, are the worker's."""
    try:
        archives.check(archive, limit)
    except archives.TooLarge as exc:
        shutil.rmtree(spool, ignore_errors=True)
        abort(413, message=str(exc))
    except ReadError as exc:
        shutil.rmtree(spool, ignore_errors=True)
        abort(422, errors={"files": {"file": [str(exc)]}})


def _save_categories(part, spool: Path, form: dict) -> str:
    """Save the side table beside the upload (in its own folder: an upload may be a zip
    unpacked there) and check all of it; 422 naming the line, and nothing kept, if it is
    malformed."""
    folder = spool / "categories"
    folder.mkdir()
    saved = folder / (Path(part.filename or "categories").name or "categories")
    part.save(saved)
    try:
        side_table.read_table(saved, form.get("categories_vocabulary"))
    except (ReadError, ValueError) as exc:
        shutil.rmtree(spool, ignore_errors=True)
        abort(422, errors={"files": {"categories": [str(exc)]}})
    return str(saved)


@blp.route("/imports/<string:job_id>")
class Import(MethodView):
    @blp.response(200, JobOut)
    @blp.alt_response(404, description="No such job")
    def get(self, job_id):
        """A job's status, progress and, when done, its report (counts, rejections, warnings)."""
        job = jobs.job_by_id(runtime().es, runtime().settings.index_alias, job_id)
        if job is None:
            abort(404, message=f"no import job {job_id!r}")
        return job


@blp.route("/sources")
class Sources(MethodView):
    @blp.response(200, SourceOut(many=True))
    @blp.alt_response(401, description="No or wrong admin key")
    def get(self):
        """Every source behind the search alias: records, documents, last load, mode, index."""
        return [s.as_dict() for s in sources.list_sources(runtime().index)]


@blp.route("/sources/<string:name>")
class Source(MethodView):
    @blp.response(200, RemovedOut)
    @blp.alt_response(401, description="No or wrong admin key")
    @blp.alt_response(404, description="No such source")
    @blp.alt_response(409, description="An import of this source is queued or running")
    def delete(self, name):
        """Take a source out of search: its alias entry and all its indices."""
        rt = runtime()
        if not jobs.SOURCE_NAME_PATTERN.match(name) or not rt.index.source_indices(name):
            abort(404, message=f"no source {name!r}")
        holder = f"a removal through the API, request {uuid.uuid4().hex}"
        try:
            # never while an import of it runs
            jobs.lock_source(rt.es, rt.settings.index_alias, name, holder)
        except jobs.SourceBusy as exc:
            abort(409, message=str(exc))
        try:
            return {"name": name, "removed": sources.remove_source(rt.index, name)}
        except sources.UnknownSource:
            abort(404, message=f"no source {name!r}")
        finally:
            jobs.release_source(rt.es, rt.settings.index_alias, name, holder)
