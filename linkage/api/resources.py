"""GET /v1/resources/<id> (one full record) and GET /v1/categories (the taxonomy tree)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import abort

from linkage.api.base import Blueprint
from linkage.api.schemas.resources import CategoryOut, ResourceOut
from linkage.runtime import runtime
from linkage.search.document import NOT_PUBLIC
from linkage.search.results import public_fields

blp = Blueprint(
    "resources", __name__, url_prefix="/v1", description="Resource records and categories"
)


@blp.route("/resources/<string:resource_id>")
class Resource(MethodView):
    @blp.response(200, ResourceOut)
    @blp.alt_response(404, description="No resource has this id")
    def get(self, resource_id):
        """One resource, in full (a confidential location's address is never given)."""
        doc = runtime().index.document(resource_id, excludes=NOT_PUBLIC, missing_index_ok=True)
        if doc is None:
            abort(404, message=f"no resource with id {resource_id!r}")
        return public_fields(doc)


@blp.route("/categories")
class Categories(MethodView):
    @blp.response(200, CategoryOut(many=True))
    def get(self):
        """The category tree: codes, names, need codes, and the words that name each category."""
        return runtime().taxonomy.tree()
