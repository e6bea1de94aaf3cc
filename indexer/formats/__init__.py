"""Format readers: each turns its input into SourceRow records of HSDS 3.0 services."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from indexer import csvfiles
from indexer.formats import hsds_json, hsds_tabular, icarol, mapped_csv, ohana
from indexer.limits import DEFAULT, Limits
from indexer.records import ReadError, SourceRow
from linkage.jobs import FORMATS


def detect(path: Path) -> str:
    """The format of `path` where it is unambiguous; ReadError asking for --format otherwise."""
    if path.is_file():
        if path.suffix in (".yaml", ".yml"):
            return "mapped-csv"
        if path.suffix in (".json", ".ndjson", ".jsonl"):
            return "hsds-json"
        if path.suffix.lower() == ".csv" and _is_icarol(path):
            return "icarol"
        raise ReadError(
            f"{path.name}: cannot tell the format; give --format ({', '.join(FORMATS)})"
        )
    if not path.is_dir():
        raise ReadError(f"{path}: no such file or folder")
    names = {p.name for p in path.iterdir()}
    if "services.csv" not in names:
        raise ReadError(f"{path.name}: no services.csv here; give --format ({', '.join(FORMATS)})")
    hsds_only = {"datapackage.json", "service_at_location.csv", "services_at_location.csv",
                 "physical_addresses.csv", "service_taxonomy.csv", "attributes.csv"}  # fmt: skip
    if names & hsds_only:
        return "hsds-tabular"
    with (path / "services.csv").open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        header = {h.strip() for h in next(csv.reader(fh), [])}
    if "taxonomy_ids" in header:
        return "ohana"
    if {"id", "name"} <= header:
        return "hsds-tabular"
    raise ReadError(
        f"{path.name}: services.csv has neither Ohana's nor HSDS's columns; for a CSV of "
        "another shape give --format mapped-csv with --mapping (data/mappings/README.md)"
    )


def count_records(path: Path, fmt: str, mapping: Path | None = None) -> int | None:
    """How many records a file holds, counted cheaply first so progress can show an ETA;
    None where that would mean parsing the whole file (a JSON array)."""
    if fmt == "hsds-json":
        try:
            if hsds_json.layout(path) != "ndjson":
                return None
        except ReadError:
            return None  # the read itself says what is wrong
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    folder = path if path.is_dir() else None
    if fmt == "icarol":
        main = path if path.is_file() else None
    elif fmt == "mapped-csv":
        main = mapped_csv.main_file(*_mapping_and_folder(path, mapping))
    else:
        main = folder / "services.csv" if folder else None
    if main is None or not main.exists():
        return None
    with main.open(encoding="utf-8", errors="replace", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


def read(
    path: Path, fmt: str, mapping: Path | None = None, limits: Limits = DEFAULT
) -> Iterator[SourceRow]:
    """The records in `path`, read as `fmt`, within `limits` (indexer.limits; the loader
    holds every format to the record size and row count, the CSV readers to the field size)."""
    csvfiles.set_field_limit(limits.field_bytes)
    if fmt == "mapped-csv":
        return mapped_csv.read(*_mapping_and_folder(path, mapping))
    if fmt == "hsds-json":
        return hsds_json.read(path, limits)
    reader = READERS.get(fmt)
    if reader is None:
        raise ReadError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return reader(path)


# Readers of a file or folder alone (mapped CSV also takes its mapping: see `read`).
READERS = {
    "hsds-json": hsds_json.read,
    "hsds-tabular": hsds_tabular.read,
    "ohana": ohana.read,
    "icarol": icarol.read,
}


def _is_icarol(path: Path) -> bool:
    """A CSV file whose header names iCarol's TaxonomyLevelName and ResourceAgencyNum."""
    # Latin-1 decodes any bytes: the header's names are ASCII whatever the file's encoding.
    with path.open(encoding="latin-1", newline="") as fh:
        try:
            header = next(csv.reader(fh), [])
        except csv.Error:
            return False
    return icarol.header_matches([h.removeprefix("\u00ef\u00bb\u00bf") for h in header])


def _mapping_and_folder(path: Path, mapping: Path | None) -> tuple[Path, Path | None]:
    """For mapped CSV: the mapping, and the folder of its files (None: the mapping says).
    `path` is the mapping itself, a folder of the files, or one of them (an upload)."""
    if path.suffix in (".yaml", ".yml"):
        return path, None
    return mapping or path, path.parent if path.is_file() else path
