"""Reading the CSV files directories come in: encoding, required columns, short rows.

Every CSV-based reader goes through here, so a Latin-1 file or a truncated row is handled
and reported the same way whatever the format.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from indexer.limits import DEFAULT
from indexer.records import Problem, ReadError

# The longest field a row may have (indexer.limits: LINKAGE_MAX_FIELD_BYTES; set_field_limit):
# longer is that row's rejection. The csv module's own limit (beyond which it cannot go on
# reading the row) is set above it, so a long field is reported as a field, not a CSV error.
max_field_chars = DEFAULT.field_bytes


def set_field_limit(chars: int) -> None:
    """The longest field of every CSV read from now on (one import runs at a time in a
    process, as the csv module's own limit is for the process)."""
    global max_field_chars
    max_field_chars = chars
    csv.field_size_limit(max(4 * chars, 16 * 1024 * 1024))


set_field_limit(max_field_chars)


@dataclass
class CsvRow:
    file: str
    number: int  # data row, 1-based (the header is not counted)
    values: dict[str, str]  # column → stripped text ("" when empty or missing)
    problem: Problem | None = None  # the row is malformed (values may then be partial)

    @property
    def where(self) -> str:
        return f"row {self.number}"


def is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def encoding_of(path: Path) -> str:
    """'utf-8-sig' for a UTF-8 file (with a byte-order mark or not), else 'cp1252': the
    exports that are not UTF-8 are Windows' Latin-1."""
    return "utf-8-sig" if is_utf8(path) else "cp1252"


def open_csv(path: Path, encoding: str | None = None) -> TextIO:
    """`path` opened for csv.reader, in `encoding` (default encoding_of(path)); a byte that
    does not decode (cp1252 leaves five undefined) becomes U+FFFD, never an error."""
    return path.open(encoding=encoding or encoding_of(path), errors="replace", newline="")


class CsvFile:
    """A CSV file with a header row. Raises ReadError when a required column is missing.

    `warnings` holds file-level notes (e.g. not UTF-8: read as Windows-1252). Iterating yields
    CsvRow; a row with fewer fields than the header (a truncated file) or more carries a
    `problem`. Blank rows are skipped.
    """

    def __init__(self, path: Path, required: tuple[str, ...] = ()):
        self.path = path
        self.name = path.name
        self.warnings: list[Problem] = []
        self.encoding = encoding_of(path)
        if self.encoding == "cp1252":
            self.warnings.append(
                Problem(path.name, "-", "-", "not UTF-8: read as Windows-1252 (Latin-1)")
            )
        with self._open() as fh:
            try:
                self.header = [h.strip() for h in next(csv.reader(fh))]
            except StopIteration:
                raise ReadError(f"{path.name}: empty file") from None
            except csv.Error as exc:
                raise ReadError(f"{path.name}: not a CSV file ({exc})") from None
        missing = [c for c in required if c not in self.header]
        if missing:
            raise ReadError(f"{path.name}: missing required column(s): {', '.join(missing)}")
        width = len(self.header)
        while width and not self.header[width - 1]:  # trailing unnamed columns carry nothing
            width -= 1
        self.width = width

    def _open(self) -> TextIO:
        return open_csv(self.path, self.encoding)

    def __iter__(self) -> Iterator[CsvRow]:
        with self._open() as fh:
            # strict: a quote never closed is an error, not a field that silently swallows
            # every row after it.
            reader = csv.reader(fh, strict=True)
            next(reader, None)
            number = 0
            lines_before = 0  # physical lines before the reader's first (after a stray quote)
            swallowed = None  # why every row from here on is rejected: a quote never closed
            while True:
                start = lines_before + reader.line_num + 1
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    number += 1
                    reason = f"unreadable CSV on line {start}: {exc}"
                    if "end of data" in str(exc):
                        reason = (f"the file ends inside a quote opened on line {start} "
                                  f"(truncated, or a stray quote?): lines {start}-"
                                  f"{lines_before + reader.line_num} could not be read")  # fmt: skip
                    yield CsvRow(
                        self.name, number, {}, Problem(self.name, f"row {number}", "-", reason)
                    )
                    if "end of data" in str(exc) and swallowed is None:
                        # The quote took every row after it: read them again from the next
                        # line, each rejected (a stray quote or a cut-off file: none can be
                        # trusted), so they are counted, not silently lost.
                        swallowed = (f"after the quote opened on line {start} that is never "
                                     "closed: not loaded (fix the quote and load again)")  # fmt: skip
                        fh.seek(0)
                        for _ in range(start):
                            fh.readline()
                        reader, lines_before = csv.reader(fh, strict=True), start
                    continue  # the reader goes on at the next line
                number += 1
                if not any(f.strip() for f in fields):
                    continue
                header = self.header[: self.width]
                values = {
                    h: (fields[i].strip() if i < len(fields) else "")
                    for i, h in enumerate(header)
                    if h
                }
                yield CsvRow(self.name, number, values, self._problem(number, fields, swallowed))

    def _problem(self, number: int, fields: list[str], swallowed: str | None) -> Problem | None:
        """What is wrong with a data row: swallowed by a stray quote, too few or too many
        fields, a field over the limit; None when nothing is."""
        where = f"row {number}"
        if swallowed:
            return Problem(self.name, where, "-", swallowed)
        header = self.header[: self.width]
        if len(fields) < self.width:
            return Problem(self.name, where, header[len(fields)],
                           f"row has {len(fields)} of {self.width} fields (truncated?)")  # fmt: skip
        if any(f.strip() for f in fields[self.width :]):
            return Problem(self.name, where, "-", f"row has {len(fields)} fields, the header {self.width}")  # fmt: skip
        for i, text in enumerate(fields[: self.width]):
            if len(text) > max_field_chars:
                return Problem(self.name, where, header[i] or f"column {i + 1}",
                               f"a field of {len(text):,} characters, more than one may hold "
                               f"({max_field_chars:,}: LINKAGE_MAX_FIELD_BYTES)")  # fmt: skip
        return None
