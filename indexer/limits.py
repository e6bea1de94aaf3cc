"""The input limits every import keeps to, so no file can exhaust memory or end a load in a
traceback: each breach is one rejected record with a reason (or, for what no record can hold,
a whole-file ReadError), and a full load that would suddenly shrink a source stops."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from linkage.config import Settings

# Elasticsearch refuses a request over 100 MB (http.max_content_length); one record and a
# batch of others (indexer.load.MAX_BATCH_BYTES, 10 MB) must fit in one.
ELASTICSEARCH_REQUEST_BYTES = 100 * 1024 * 1024
# An uploaded zip may unpack to this many times the upload limit: zips compress text 5-20x.
UNPACK_RATIO = 20


@dataclass(frozen=True)
class Limits:
    """What one import accepts (`DEFAULT`: Settings' defaults, far above any real directory's
    records)."""

    depth: int  # nesting of one record (an HSDS service record is about 6 deep)
    record_bytes: int  # one record: an NDJSON line, a JSON item, a document
    field_bytes: int  # one CSV field
    rows: int  # records or rows in one file
    shrink: float  # the share of a live source's services a full load may drop
    unpacked_bytes: int  # an uploaded zip, unpacked

    def __post_init__(self):
        if self.record_bytes > ELASTICSEARCH_REQUEST_BYTES - 20 * 1024 * 1024:
            raise ValueError("LINKAGE_MAX_RECORD_BYTES must stay well under Elasticsearch's 100 MB")
        if min(self.depth, self.record_bytes, self.field_bytes, self.rows, self.unpacked_bytes) < 1:
            raise ValueError("input limits must be positive")
        if not 0 <= self.shrink <= 1:
            raise ValueError("LINKAGE_MAX_SHRINK is a share between 0 and 1")

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            depth=settings.max_depth,
            record_bytes=settings.max_record_bytes,
            field_bytes=settings.max_field_bytes,
            rows=settings.max_rows,
            shrink=settings.max_shrink,
            unpacked_bytes=UNPACK_RATIO * settings.max_upload_bytes,
        )


DEFAULT = Limits.from_settings(Settings())


def too_deep_for_orjson(exc: orjson.JSONDecodeError) -> bool:
    """orjson stops at 1024 levels (in constant memory): deeper than any limit allows."""
    return "depth limit" in str(exc) or "recursion" in str(exc).lower()


def depth(value) -> int:
    """How deeply `value` nests lists and objects (a scalar: 0, {"a": [1]}: 2), without
    recursion (a parsed value may be a thousand deep)."""
    deepest = 0
    todo = [(value, 1)] if isinstance(value, dict | list) else []
    while todo:
        item, level = todo.pop()
        deepest = max(deepest, level)
        children = item.values() if isinstance(item, dict) else item
        todo.extend((c, level + 1) for c in children if isinstance(c, dict | list))
    return deepest
