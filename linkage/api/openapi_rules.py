"""What the OpenAPI document says that the views' own decorators cannot: how to present a key
(securitySchemes, so /docs can send one), which operations need one, and the errors the guard
and the request limits answer before any view runs (401, 403, 429, 400, 413, 414, 415, 503).

An apispec plugin: flask-smorest hands it every operation with its Flask rule, whose endpoint
names the scope it needs (access.guard.scope_of).
"""

from __future__ import annotations

from apispec import BasePlugin

from linkage.access.guard import scope_of
from linkage.api.limits import MAX_JSON_DEPTH, MAX_URL_BYTES

SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A partner key: `Authorization: Bearer <key>`.",
    },
    "apiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "The same partner key, in its own header.",
    },
}
ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def _error(description: str) -> dict:
    return {"description": description, "content": ERROR}


class RulesPlugin(BasePlugin):
    """Adds security and the guard's and limits' errors to each operation."""

    def __init__(self, max_request_bytes: int, public_search: bool):
        self.max_request_bytes = max_request_bytes
        self.public_search = public_search

    def init_spec(self, spec) -> None:
        super().init_spec(spec)
        for name, scheme in SECURITY_SCHEMES.items():
            spec.components.security_scheme(name, scheme)

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        rule = kwargs.get("rule")
        scope = scope_of(rule.endpoint if rule is not None else None)
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("414", _error(f"The URL is longer than {MAX_URL_BYTES} bytes"))
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                self._body_rules(operation, responses)
            if scope is None:
                operation["security"] = []  # health and docs need no key
                continue
            operation["security"] = [{"bearer": []}, {"apiKey": []}]
            if scope == "search" and self.public_search:
                operation["security"].append({})  # public search: a key is optional
            responses.setdefault("401", _error("No key, an unknown key or an expired page token"))
            responses.setdefault("403", _error(f"The key lacks the {scope} scope, or this Origin"))
            responses.setdefault("429", _error("Over the key's rate limit; see Retry-After"))
            responses.setdefault(
                "503", _error("Elasticsearch is unreachable or has no index; see Retry-After")
            )

    def _body_rules(self, operation: dict, responses: dict) -> None:
        body = operation["requestBody"]
        rules = (
            f"A JSON body is required: UTF-8 (no unpaired surrogates), nested at most "
            f"{MAX_JSON_DEPTH} levels deep."
        )
        body["description"] = f"{body.get('description', '')} {rules}".strip()
        responses.setdefault(
            "400", _error("No body, a body that is not valid UTF-8 JSON, or one nested too deep")
        )
        responses.setdefault(
            "413", _error(f"The body is larger than {self.max_request_bytes} bytes")
        )
        responses.setdefault("415", _error("The body is not JSON"))
