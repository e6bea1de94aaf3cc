"""POST /v1/imports (start an import job) and GET /v1/imports/<id> (its state and report).

Needs the import scope: the admin key (LINKAGE_ADMIN_API_KEY) or a partner key that has it,
as `Authorization: Bearer <key>` (checked in linkage.access). The job runs in a
worker process (`python -m indexer worker`); its state lives in Elasticsearch.
"""

from __future__ import annotations

import shutil
import uuid
import zipfile
from pathlib import Path

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import RAISE, Schema, fields, validate

from indexer import side_table
from indexer.records import ReadError
from linkage import imports
from linkage.imports import FORMATS, source_name
from linkage.runtime import runtime

blp = Blueprint("imports", __name__, url_prefix="/v1", description="Bulk imports (admin)")


class ImportForm(Schema):
    class Meta:
        unknown = RAISE

    path = fields.String(
        metadata={
            "description": "A file or folder inside the server's import folder (instead of an upload)."
        }
    )
    format = fields.String(load_default="auto", validate=validate.OneOf(["auto", *FORMATS]))
    source = fields.String(validate=validate.Regexp(imports.SOURCE_NAME))
    mode = fields.String(load_default="full", validate=validate.OneOf(["full", "incremental"]))
    mapping = fields.String(
        metadata={"description": "mapped-csv: the mapping file inside the import folder."}
    )
    categories_vocabulary = fields.String(
        validate=validate.OneOf(side_table.VOCABULARIES),
        metadata={
            "description": "The `categories` table's codes are all of this vocabulary "
            "(default: recognised per code)."
        },
    )


class UploadForm(Schema):
    file = fields.Raw(
        metadata={
            "type": "string",
            "format": "binary",
            "description": "The directory: a file, or a .zip of a folder (Ohana CSV export, "
            "HSDS tabular package, CSV files a mapping joins).",
        }
    )
    categories = fields.Raw(
        metadata={
            "type": "string",
            "format": "binary",
            "description": "A side table of categories by service id, for any format: CSV "
            '(`service_id,code`; several codes separated by `;`) or JSON `{"<service id>": '
            '["<code>", ...]}`; codes are 211 codes, Open Eligibility names or Linkage codes.',
        }
    )


class JobOut(Schema):
    id = fields.String()
    source = fields.String()
    format = fields.String()
    mode = fields.String()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    created = fields.String()
    started = fields.String(allow_none=True)
    finished = fields.String(allow_none=True)
    read = fields.Integer(metadata={"description": "records read so far"})
    error = fields.String(allow_none=True)
    report = fields.Dict(allow_none=True)


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


def _unpack(archive: Path, limit: int) -> Path:
    """Unpack an uploaded zip beside it and return the folder it holds (its one top folder,
    if that is all it has). Refuses members outside the folder, and more than `limit` bytes
    unpacked (a small zip can hold a huge file)."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if not members:
                abort(422, errors={"files": {"file": ["the archive is empty"]}})
            if sum(m.file_size for m in members) > limit:
                abort(413, message=f"the archive unpacks to more than {limit} bytes")
            folder = archive.with_suffix("")
            for member in members:
                target = (folder / member.filename).resolve()
                if folder.resolve() not in target.parents:
                    abort(422, errors={"files": {"file": [f"archive member outside it: {member.filename}"]}})  # fmt: skip
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
    except zipfile.BadZipFile:
        abort(422, errors={"files": {"file": ["not a zip archive"]}})
    archive.unlink()
    inside = [p for p in folder.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    return inside[0] if len(inside) == 1 and inside[0].is_dir() else folder


@blp.route("/imports")
class Imports(MethodView):
    @blp.arguments(ImportForm, location="form", unknown=RAISE)
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
            upload.save(target)
            if target.suffix.lower() == ".zip":  # a folder format (Ohana, HSDS tabular, CSVs)
                try:
                    target = _unpack(target, 20 * rt.settings.max_upload_bytes)
                except BaseException:
                    shutil.rmtree(spool, ignore_errors=True)
                    raise
        try:
            return imports.submit(
                rt.es, source, form["format"], form["mode"], str(target),
                str(mapping) if mapping else None, categories, form.get("categories_vocabulary"),
            )  # fmt: skip
        except BaseException as exc:
            if spool is not None:  # no job will ever read it
                shutil.rmtree(spool, ignore_errors=True)
            if isinstance(exc, imports.SourceBusy):
                abort(409, message=str(exc))
            raise


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
        job = imports.get(runtime().es, job_id)
        if job is None:
            abort(404, message=f"no import job {job_id!r}")
        return job


class SourceOut(Schema):
    name = fields.String()
    index = fields.String(metadata={"description": "The index behind the alias"})
    records = fields.Integer(metadata={"description": "Services"})
    documents = fields.Integer(metadata={"description": "Services at locations"})
    loaded_at = fields.String(allow_none=True, metadata={"description": "Last load"})
    mode = fields.String(allow_none=True, metadata={"description": "Last load's mode"})


class RemovedOut(Schema):
    name = fields.String()
    removed = fields.List(fields.String(), metadata={"description": "The indices deleted"})


@blp.route("/sources")
class Sources(MethodView):
    @blp.response(200, SourceOut(many=True))
    @blp.alt_response(401, description="No or wrong admin key")
    def get(self):
        """Every source behind the search alias: records, documents, last load, mode, index."""
        from indexer import sources  # not at import: the indexer's modules import linkage's

        rt = runtime()
        return [s.as_dict() for s in sources.list_sources(rt.es, rt.settings.index_alias)]


@blp.route("/sources/<string:name>")
class Source(MethodView):
    @blp.response(200, RemovedOut)
    @blp.alt_response(401, description="No or wrong admin key")
    @blp.alt_response(404, description="No such source")
    @blp.alt_response(409, description="An import of this source is queued or running")
    def delete(self, name):
        """Take a source out of search: its alias entry and all its indices."""
        from indexer import sources
        from indexer.load import source_indices

        rt = runtime()
        alias = rt.settings.index_alias
        if not imports.SOURCE_NAME.match(name) or not source_indices(rt.es, alias, name):
            abort(404, message=f"no source {name!r}")
        holder = f"a removal through the API, request {uuid.uuid4().hex}"
        try:
            imports.lock(rt.es, name, holder)  # never while an import of it runs
        except imports.SourceBusy as exc:
            abort(409, message=str(exc))
        try:
            return {"name": name, "removed": sources.remove_source(rt.es, alias, name)}
        except sources.UnknownSource:
            abort(404, message=f"no source {name!r}")
        finally:
            imports.release(rt.es, name, holder)
