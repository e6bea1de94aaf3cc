"""GET /healthz (the process is up) and GET /readyz (Elasticsearch answers, the alias exists).

/healthz is the liveness probe: it never touches Elasticsearch, and a node that stops answering
cannot take every thread from it (the client's deadline and gate, linkage/search/client.py), so
a frozen node never gets a healthy process restarted. /readyz asks the node, through the same
gate: a frozen node makes it 503 within the deadline."""

from __future__ import annotations

from elasticsearch import ApiError, TransportError
from flask.views import MethodView
from flask_smorest import abort

from linkage.api.base import Blueprint
from linkage.api.schemas.health import HealthOut
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
        resources = runtime().index
        try:
            indices = resources.indices()
            if not indices:
                abort(
                    503,
                    message=f"the index alias '{resources.alias}' does not exist yet; "
                    "load data first",
                )
            count = resources.count()
        except (TransportError, ApiError) as exc:
            abort(503, message=f"Elasticsearch is not reachable: {type(exc).__name__}")
        return {"status": "ready", "index": indices[0], "documents": count}
