"""The HSDS-only OpenAPI document (/hsds/openapi.json): the app's document cut down to the
/hsds paths and the components they use, for validators and code generators that want the
HSDS API alone. Pure: the app's document in, the HSDS one out.
"""

from __future__ import annotations

from collections.abc import Iterator

PREFIX = "/hsds"
REF_PREFIX = "#/components/"


def _refs(node: object) -> Iterator[str]:
    """Every local `$ref` in a part of the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(REF_PREFIX):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def hsds_only(spec: dict, title: str) -> dict:
    """`spec` with only the paths under /hsds, the components they reach, and their tag."""
    paths = {
        p: v for p, v in spec.get("paths", {}).items() if p == PREFIX or p.startswith(PREFIX + "/")
    }
    components = spec.get("components", {})
    kept: dict[str, dict] = {}
    pending = list(_refs(paths))
    while pending:
        kind, _, name = pending.pop()[len(REF_PREFIX) :].partition("/")
        if name in kept.get(kind, {}) or name not in components.get(kind, {}):
            continue
        part = components[kind][name]
        kept.setdefault(kind, {})[name] = part
        pending.extend(_refs(part))
    if "securitySchemes" in components:  # named by `security`, not by $ref
        kept["securitySchemes"] = components["securitySchemes"]
    used_tags = {
        t
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
        for t in op.get("tags", ())
    }
    out = {
        "openapi": spec.get("openapi"),
        "info": {**spec.get("info", {}), "title": title},
        "paths": paths,
        "components": kept,
    }
    for key in ("security", "servers"):
        if key in spec:
            out[key] = spec[key]
    if tags := [t for t in spec.get("tags", ()) if t.get("name") in used_tags]:
        out["tags"] = tags
    return out
