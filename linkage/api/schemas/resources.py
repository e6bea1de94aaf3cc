"""GET /v1/resources/<id> and /v1/categories."""

from __future__ import annotations

from marshmallow import Schema, fields

from linkage.search.document import NOT_PUBLIC, ResourceSchema


class CategoryOut(Schema):
    code = fields.String()
    name = fields.String()
    name_es = fields.String(metadata={"description": "The name in Spanish."})
    description = fields.String()
    needs = fields.List(fields.String())
    terms = fields.List(fields.String())
    terms_es = fields.List(fields.String(), metadata={"description": "The words in Spanish."})
    open_eligibility = fields.List(fields.String())
    children = fields.List(fields.Nested(lambda: CategoryOut()))


# A full record as GET /v1/resources/<id> returns it: the indexed document less search-only fields.
ResourceOut = ResourceSchema(exclude=NOT_PUBLIC)
