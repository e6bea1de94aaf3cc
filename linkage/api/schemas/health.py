"""GET /v1/health."""

from __future__ import annotations

from marshmallow import Schema, fields


class HealthOut(Schema):
    status = fields.String()
    index = fields.String(allow_none=True)
    documents = fields.Integer(allow_none=True)
