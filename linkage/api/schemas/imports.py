"""The import API: POST /v1/imports, GET /v1/imports/<id>, /v1/sources."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from indexer import side_table
from linkage import jobs
from linkage.api.schemas.common import StrictSchema
from linkage.jobs import FORMATS


class ImportForm(StrictSchema):
    path = fields.String(
        metadata={
            "description": "A file or folder inside the server's import folder (instead of an upload)."
        }
    )
    format = fields.String(load_default="auto", validate=validate.OneOf(["auto", *FORMATS]))
    source = fields.String(validate=validate.Regexp(jobs.SOURCE_NAME_PATTERN))
    mode = fields.String(load_default="full", validate=validate.OneOf(["full", "incremental"]))
    allow_shrink = fields.Boolean(
        load_default=False,
        metadata={
            "description": "A full load may drop more of the source's services than the "
            "server allows (LINKAGE_MAX_SHRINK, default 20%); otherwise such a load fails "
            "and the live index stays."
        },
    )
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
