"""What every format reader yields: one HSDS 3.0 service record per row, or why not.

Readers turn their format (HSDS JSON, HSDS tabular packages, Ohana CSV, mapped CSV) into
HSDS 3.0 *full service* records following data/README.md, so one converter serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ReadError(ValueError):
    """A whole file cannot be read (not the format, required columns missing, ...)."""


@dataclass(frozen=True)
class Problem:
    """A rejected row or a dropped value: which file, which row or record, which field, why."""

    file: str
    row: str  # "row 12" (CSV data row, 1-based, header excluded), "line 5" (NDJSON), "#3" (JSON)
    field: str
    reason: str
    record_id: str | None = None

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "row": self.row,
            "record_id": self.record_id,
            "field": self.field,
            "reason": self.reason,
        }


def row_number(row: str) -> int:
    """The number in a row label ("row 12", "line 5", "#3"), to put rows in file order."""
    return int("".join(ch for ch in row if ch.isdigit()) or 0)


@dataclass
class SourceRow:
    """One service as read from a source.

    `record` is None when the row was rejected while reading; `problems` then says why.
    With a record, `problems` are warnings (values dropped, the record kept).
    `skipped` names why a row that is not a service to refer to was read and left out on
    purpose (one of SKIP_KINDS: an iCarol Agency or Site row, an inactive or excluded
    record); such a row has no record and no problems, and is counted as skipped_<kind>.
    """

    file: str
    row: str
    record: dict | None
    problems: list[Problem] = field(default_factory=list)
    # Source terms the reader itself could not map to a category: (vocabulary, term).
    unmapped: list[tuple[str, str]] = field(default_factory=list)
    skipped: str | None = None


SKIP_KINDS = ("agency", "site", "inactive", "excluded")


def without_empty(d: dict) -> dict:
    """Without the empty values: HSDS leaves out what a source does not say."""
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def skipped_row(file: str, row: str, kind: str) -> SourceRow:
    """A row read and deliberately not loaded (see SourceRow.skipped)."""
    if kind not in SKIP_KINDS:
        raise ValueError(f"unknown skip kind {kind!r}")
    return SourceRow(file, row, None, skipped=kind)
