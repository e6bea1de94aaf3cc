"""HSDS 3.0 JSON: an array of full service records, or NDJSON (one per line), streamed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import ijson

from indexer.records import Problem, ReadError, SourceRow


def read(path: Path) -> Iterator[SourceRow]:
    """One SourceRow per record without loading the file whole.

    A broken line in NDJSON rejects that line only; broken JSON inside an array stops the
    read (nothing after it can be trusted), which fails the import as a whole.
    """
    with path.open("rb") as fh:
        head = fh.read(4096).lstrip()
        fh.seek(0)
        if head.startswith(b"["):
            position = 0
            try:
                for position, record in enumerate(ijson.items(fh, "item", use_float=True), start=1):
                    yield SourceRow(path.name, f"#{position}", record)
            except ijson.JSONError as exc:
                raise ReadError(
                    f"{path.name}: not valid JSON after record #{position} ({exc})"
                ) from exc
        elif head.startswith(b"{"):
            for number, line in enumerate(fh, start=1):
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
        else:
            raise ReadError(f"{path.name}: expected a JSON array or NDJSON of HSDS service records")
