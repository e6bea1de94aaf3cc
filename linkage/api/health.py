"""GET /healthz (the process is up) and GET /readyz (Elasticsearch answers, the alias exists)."""

from __future__ import annotations

from elasticsearch import ApiError, TransportError
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from linkage.api.schemas import HealthOut
from linkage.runtime import runtime

blp = Blueprint("health", __name__, description="Liveness and readiness")


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthOut)
    def get(self):
        """The process is up (does not touch Elasticsearch)."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthOut)
    @blp.alt_response(503, description="Elasticsearch unreachable or the index missing")
    def get(self):
        """Ready to search: Elasticsearch answers and the resource alias exists."""
        rt = runtime()
        alias = rt.settings.index_alias
        try:
            if not rt.es.indices.exists_alias(name=alias):
                abort(503, message=f"the index alias '{alias}' does not exist yet; load data first")
            count = rt.es.count(index=alias)["count"]
            index = next(iter(rt.es.indices.get_alias(name=alias)))
        except (TransportError, ApiError) as exc:
            abort(503, message=f"Elasticsearch is not reachable: {type(exc).__name__}")
        return {"status": "ready", "index": index, "documents": count}
