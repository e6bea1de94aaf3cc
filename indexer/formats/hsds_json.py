"""HSDS 3.0 JSON: an array of full service records, NDJSON (one per line), one record, or an
HSDS API page (its `contents`), streamed where the file can be large."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import ijson

from indexer.records import Problem, ReadError, SourceRow

_BOM = b"\xef\xbb\xbf"


def _is_page(value) -> bool:
    """An HSDS API list response: the records are its `contents`."""
    return isinstance(value, dict) and isinstance(value.get("contents"), list)


def layout(path: Path) -> str:
    """ "array", "ndjson" or "document" (one JSON object: a record or an API page)."""
    with path.open("rb") as fh:
        head = fh.read(4096).removeprefix(_BOM).lstrip()
        if head.startswith(b"["):
            return "array"
        if not head.startswith(b"{"):
            raise ReadError(
                f"{path.name}: expected a JSON array, NDJSON or an object of HSDS service records"
            )
        fh.seek(0)
        first = next((line for line in fh if line.strip()), b"")
    try:
        record = json.loads(first.removeprefix(_BOM))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "document"  # a pretty-printed object: its first line is not JSON on its own
    return "document" if _is_page(record) else "ndjson"


def read(path: Path) -> Iterator[SourceRow]:
    """One SourceRow per record; arrays and NDJSON without loading the file whole.

    A broken line in NDJSON rejects that line only; broken JSON inside an array or an object
    stops the read (nothing after it can be trusted), which fails the import as a whole.
    """
    kind = layout(path)
    if kind == "array":
        yield from _array(path)
    elif kind == "ndjson":
        yield from _lines(path)
    else:
        yield from _document(path)


def _array(path: Path) -> Iterator[SourceRow]:
    with path.open("rb") as fh:
        if fh.read(3) != _BOM:
            fh.seek(0)
        position = 0
        try:
            for position, record in enumerate(ijson.items(fh, "item", use_float=True), start=1):
                yield SourceRow(path.name, f"#{position}", record)
        except ijson.JSONError as exc:
            raise ReadError(
                f"{path.name}: not valid JSON after record #{position} ({exc})"
            ) from exc


def _lines(path: Path) -> Iterator[SourceRow]:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if number == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                reason = f"not valid JSON ({getattr(exc, 'msg', exc)})"
                yield SourceRow(
                    path.name,
                    f"line {number}",
                    None,
                    [Problem(path.name, f"line {number}", "-", reason)],
                )
                continue
            yield SourceRow(path.name, f"line {number}", record)


def _document(path: Path) -> Iterator[SourceRow]:
    try:
        value = json.loads(path.read_bytes().removeprefix(_BOM))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReadError(f"{path.name}: not valid JSON ({getattr(exc, 'msg', exc)})") from exc
    records = value["contents"] if _is_page(value) else [value]
    for position, record in enumerate(records, start=1):
        yield SourceRow(path.name, f"#{position}", record)
