"""HSDS 3.0 JSON: an array of full service records, NDJSON (one per line), one record, or an
HSDS API page (its `contents`), streamed where the file can be large.

Every record is held to the import's limits (indexer.limits): a record nested too deep or
too large is one rejected record, found before it is parsed (an array's items are cut out
by a scanner that counts brackets in constant memory; a parser handed a file 100,000 deep
would need gigabytes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import orjson

from indexer.limits import DEFAULT, Limits, depth, too_deep_for_orjson
from indexer.records import Problem, ReadError, SourceRow

_BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20
# What the array scanner stops at; everything else (the text of strings, numbers) it skips.
_STRUCTURE = re.compile(rb'[][{}",\\]')
_SPACE = b" \t\r\n"


def _is_page(value) -> bool:
    """An HSDS API list response: the records are its `contents`."""
    return isinstance(value, dict) and isinstance(value.get("contents"), list)


def layout(path: Path, limits: Limits = DEFAULT) -> str:
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
        first = b""
        while not first.strip():
            first = fh.readline(limits.record_bytes + 1)
        if len(first) > limits.record_bytes and not first.endswith(b"\n"):
            # A line longer than any record: NDJSON if lines follow it, else one document.
            _skip_line(fh)
            return "ndjson" if any(line.strip() for line in _bounded_lines(fh)) else "document"
    try:
        record = orjson.loads(first.removeprefix(_BOM))
    except orjson.JSONDecodeError:
        return "document"  # a pretty-printed object: its first line is not JSON on its own
    return "document" if _is_page(record) else "ndjson"


def read(path: Path, limits: Limits = DEFAULT) -> Iterator[SourceRow]:
    """One SourceRow per record; arrays and NDJSON without loading the file whole.

    A broken line in NDJSON rejects that line only; broken JSON inside an array or an object
    stops the read (nothing after it can be trusted), which fails the import as a whole. A
    record over the limits (too deep, too large) is rejected, wherever it is.
    """
    kind = layout(path, limits)
    if kind == "array":
        yield from _array(path, limits)
    elif kind == "ndjson":
        yield from _lines(path, limits)
    else:
        yield from _document(path, limits)


def _too_deep(limits: Limits) -> str:
    return f"nested more than {limits.depth} deep (the limit: LINKAGE_MAX_DEPTH)"


def _too_large(size: int, limits: Limits) -> str:
    return (
        f"{size:,}+ bytes, more than one record may hold ({limits.record_bytes:,}: "
        "LINKAGE_MAX_RECORD_BYTES)"
    )


def _rejected(file: str, where: str, reason: str) -> SourceRow:
    return SourceRow(file, where, None, [Problem(file, where, "-", reason)])


def _parsed(file: str, where: str, text: bytes, limits: Limits) -> SourceRow:
    """The record in `text`, or its rejection (not JSON, too deep)."""
    try:
        record = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if too_deep_for_orjson(exc):
            return _rejected(file, where, _too_deep(limits))
        return _rejected(file, where, f"not valid JSON ({exc})")
    # No deeper than it has brackets: counting those (in C) spares nearly every record the
    # walk over all its values.
    brackets = text.count(b"[") + text.count(b"{")
    if brackets > limits.depth and depth(record) > limits.depth:
        return _rejected(file, where, _too_deep(limits))
    return SourceRow(file, where, record)


def _array(path: Path, limits: Limits) -> Iterator[SourceRow]:
    """The items of a top-level array, each cut out by _items and parsed on its own."""
    for position, (text, problem) in enumerate(_items(path, limits), start=1):
        if problem is not None:
            yield _rejected(path.name, f"#{position}", problem)
            continue
        row = _parsed(path.name, f"#{position}", text, limits)
        if row.record is None and row.problems[0].reason.startswith("not valid JSON"):
            raise ReadError(
                f"{path.name}: not valid JSON in record #{position} ({row.problems[0].reason})"
            )
        yield row


def _items(path: Path, limits: Limits) -> Iterator[tuple[bytes, str | None]]:
    """(bytes, None) for each item of the file's top-level array, or (b"", why) for an item
    over the limits, whose bytes are counted and not kept. Strings are skipped whole (their
    brackets and commas are text); memory is one item at most."""
    level = 0  # containers open; the array itself is level 1
    deepest = 0  # within the current item
    in_string = escaped = ended = False
    escape_at = -2  # where the backslash before `escaped`'s character is
    item = bytearray()
    size = 0  # of the current item, kept or not
    with path.open("rb") as fh:
        first = True
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            if first:
                chunk, first = chunk.removeprefix(_BOM).lstrip(_SPACE), False
            start = 0  # of the current item's bytes in this chunk
            for match in _STRUCTURE.finditer(chunk):
                at = match.start()
                char = chunk[at : at + 1]
                if ended:
                    if chunk[at:].strip(_SPACE):
                        raise ReadError(f"{path.name}: text after the array's end")
                    break
                if escaped:
                    escaped = False
                    if at == escape_at + 1:
                        continue
                if in_string:
                    if char == b"\\":
                        escaped, escape_at = True, at
                    elif char == b'"':
                        in_string = False
                    continue
                if char == b'"':
                    in_string = True
                elif char in b"[{":
                    level += 1
                    if level == 1:
                        start = at + 1
                        continue
                    deepest = max(deepest, level - 1)
                elif char in b"]}":
                    level -= 1
                    if level < 0:
                        raise ReadError(f"{path.name}: not valid JSON (a bracket closes nothing)")
                if (char == b"," and level == 1) or (char in b"]}" and level == 0):
                    size += at - start
                    if size <= limits.record_bytes and deepest <= limits.depth:
                        item += chunk[start:at]
                    text = bytes(item).strip(_SPACE)
                    if deepest > limits.depth:
                        yield b"", _too_deep(limits)
                    elif size > limits.record_bytes:
                        yield b"", _too_large(size, limits)
                    elif text or char == b",":  # `[]` holds no item; `[,` is an empty one
                        yield text, None
                    item, size, deepest, start = bytearray(), 0, 0, at + 1
                    ended = level == 0
            else:
                if not ended and level >= 1:
                    size += len(chunk) - start
                    if size <= limits.record_bytes and deepest <= limits.depth:
                        item += chunk[start:]
                    else:
                        item = bytearray()
                if escaped:
                    escape_at -= len(chunk)  # the escaped character opens the next chunk
                continue
            break
    if not ended:
        raise ReadError(f"{path.name}: not valid JSON: the file ends inside its array")


def _skip_line(fh) -> int:
    """Read to the end of the current line in bounded pieces; the bytes skipped."""
    skipped = 0
    while piece := fh.readline(CHUNK):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            break
    return skipped


def _bounded_lines(fh) -> Iterator[bytes]:
    """The file's next lines, each cut at CHUNK bytes (the rest of a long one skipped)."""
    while line := fh.readline(CHUNK):
        if not line.endswith(b"\n"):
            _skip_line(fh)
        yield line


def _lines(path: Path, limits: Limits) -> Iterator[SourceRow]:
    with path.open("rb") as fh:
        number = 0
        while line := fh.readline(limits.record_bytes + 1):
            number += 1
            where = f"line {number}"
            if len(line) > limits.record_bytes and not line.endswith(b"\n"):
                size = len(line) + _skip_line(fh)
                yield _rejected(path.name, where, _too_large(size, limits))
                continue
            if number == 1:
                line = line.removeprefix(_BOM)
            if not line.strip():
                continue
            yield _parsed(path.name, where, line, limits)


def _document(path: Path, limits: Limits) -> Iterator[SourceRow]:
    try:
        value = orjson.loads(path.read_bytes().removeprefix(_BOM))
    except orjson.JSONDecodeError as exc:
        if too_deep_for_orjson(exc):
            raise ReadError(f"{path.name}: {_too_deep(limits)}") from exc
        raise ReadError(f"{path.name}: not valid JSON ({exc})") from exc
    records = value["contents"] if _is_page(value) else [value]
    for position, record in enumerate(records, start=1):
        where = f"#{position}"
        if depth(record) > limits.depth:
            yield _rejected(path.name, where, _too_deep(limits))
        elif len(orjson.dumps(record)) > limits.record_bytes:
            yield _rejected(path.name, where, _too_large(limits.record_bytes + 1, limits))
        else:
            yield SourceRow(path.name, where, record)
