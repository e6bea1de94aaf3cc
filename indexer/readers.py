"""Streaming readers for HSDS JSON: a JSON array or NDJSON, one record at a time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import ijson


class ReadError(ValueError):
    """The file cannot be read as HSDS JSON; the message names the file and the place."""


def read_hsds_json(path: Path) -> Iterator[dict]:
    """Yield service records from a JSON array or NDJSON file without loading it whole."""
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
        fh.seek(0)
        if head.startswith(b"["):
            try:
                yield from ijson.items(fh, "item", use_float=True)
            except ijson.JSONError as exc:
                raise ReadError(f"{path.name}: not valid JSON ({exc})") from exc
        elif head.startswith(b"{"):
            for number, line in enumerate(fh, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ReadError(
                            f"{path.name} line {number}: not valid JSON ({exc.msg})"
                        ) from exc
        else:
            raise ReadError(f"{path.name}: expected a JSON array or NDJSON of HSDS service records")
