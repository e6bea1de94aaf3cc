"""Categories from a side table (`indexer load --categories FILE`), for every format.

Many directories keep their categories outside the service records: a table of service id →
codes (211 codes, Open Eligibility names, Linkage category codes). `read_table` reads one,
checking all of it before anything is loaded; `with_categories` wraps a reader's SourceRows
and adds each listed code to its record as an HSDS attribute, so the converter maps it as it
maps a record's own terms (indexer.crosswalk).

Open Eligibility ids: the v2.0 ids (`1102`) through data/crosswalks/open-eligibility.csv, and a
directory's own ids, read from the folder being loaded (`for_directory`): Ohana exports number
their taxonomy per deployment (`101-02-01` is one term in one city and another elsewhere, so no
shipped table can map them) in `taxonomy.csv` (`taxonomy_id,name,parent_name`), and some keep a
`categories.csv` whose row `id` their side tables use. Such an id gives the term its name and
parent's name, which the crosswalk maps as it maps an Ohana record's own terms. The ids of one
table are read as one kind where one kind knows them all (Baltimore's `service_categories.json`:
row ids of categories.csv, though `106` is also a taxonomy id there); else each id as the one
kind that knows it, and an id two kinds know differently is not understood.

File shapes:
- CSV with a header naming `service_id` and `code`; one code per row, or several in one cell
  separated by `;`; an id may have several rows.
- JSON object `{"<service id>": ["<code>", ...]}` (a string value may list codes with `;`).

Counted in the report's tallies (`categories_file.*`): `records` (records whose id is in the
table), `codes` (attributes added), `codes.<vocabulary>`, `codes_not_understood`, and
`ids_unknown` (ids in the table that are in no record read, known only after the last row).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.csvfiles import open_csv
from indexer.formats.values import is_211_code, split_211_codes, split_list
from indexer.records import Problem, ReadError, SourceRow
from linkage.hsds.conventions import CATEGORIES, OPEN_ELIGIBILITY, TAXONOMY_211

VOCABULARIES = (TAXONOMY_211, OPEN_ELIGIBILITY, CATEGORIES)

# An id rather than a name: Open Eligibility v2.0 (`1102`), an Ohana taxonomy id (`101-02-01`)
# or a row id of a directory's categories table (`46`).
_ID = re.compile(r"\d+(?:-\d+)*")
# A directory's own term tables, in the order they are trusted.
DIRECTORY_TERM_FILES = ("taxonomy.csv", "categories.csv")
_HAS_LETTER = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class SideTable:
    """A side table read and checked: service id → its codes, in file order."""

    name: str  # the file's name, for messages
    codes: dict[str, list[str]]
    vocabulary: str | None = None  # forced (--categories-vocabulary); None: recognised per code
    directory: DirectoryTerms | None = None  # the loaded folder's own ids (for_directory)

    def for_directory(self, path: Path) -> SideTable:
        """This table with the term ids of the directory being loaded, if it is a folder."""
        return replace(self, directory=directory_terms(path))


@dataclass(frozen=True)
class DirectoryTerms:
    """A directory's own term ids, each → an Open Eligibility term (code, name, parent_name)."""

    taxonomy_ids: dict[str, dict]  # taxonomy.csv / categories.csv `taxonomy_id`
    row_ids: dict[str, dict]  # categories.csv `id` (the row's own number)


def directory_terms(path: Path) -> DirectoryTerms:
    """The term tables a folder has (DIRECTORY_TERM_FILES); empty for a file or none. Read
    leniently: the format's reader reports on these files, a side table only looks ids up."""
    taxonomy_ids: dict[str, dict] = {}
    row_ids: dict[str, dict] = {}
    folder = Path(path)
    for name in DIRECTORY_TERM_FILES if folder.is_dir() else ():
        if not (folder / name).is_file():
            continue
        with open_csv(folder / name) as fh:
            for row in csv.DictReader(fh):
                row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
                tid, term_name = row.get("taxonomy_id", ""), row.get("name", "")
                if not tid or not term_name:
                    continue
                term = {
                    "taxonomy": OPEN_ELIGIBILITY, "code": tid, "name": term_name,
                    **({"parent_name": p} if (p := row.get("parent_name")) else {}),
                }  # fmt: skip
                taxonomy_ids.setdefault(tid, term)
                if name == "categories.csv" and row.get("id"):
                    row_ids.setdefault(row["id"], term)
    return DirectoryTerms(taxonomy_ids, row_ids)


def id_resolver(table: SideTable, known_oe_id) -> Callable[[str], dict | None]:
    """code → its Open Eligibility term (or None), for the ids in `table`: through the
    directory's taxonomy ids, its categories rows, or the shipped v2.0 ids (`known_oe_id`, a
    predicate), the table read as one kind where one kind knows all its ids."""
    directory = table.directory or DirectoryTerms({}, {})
    kinds = {
        "taxonomy_ids": directory.taxonomy_ids.get,
        "row_ids": directory.row_ids.get,
        "open_eligibility": lambda c: {"taxonomy": OPEN_ELIGIBILITY, "code": c}
        if known_oe_id(c) else None,
    }  # fmt: skip
    ids = {c for codes in table.codes.values() for c in codes if _ID.fullmatch(c)}
    whole = [k for k, find in kinds.items() if ids and all(find(c) for c in ids)]
    if len(whole) == 1:
        return kinds[whole[0]]

    def resolve(code: str) -> dict | None:
        found = [t for find in kinds.values() if (t := find(code))]
        distinct = {(t.get("name"), t["code"]) for t in found}
        return found[0] if len(distinct) == 1 else None

    return resolve


def split_codes(cell: str) -> list[str]:
    """Codes in one cell: `;`-separated (a name may hold a comma), empty ones dropped."""
    return split_list(cell, ";")


def read_table(path: Path, vocabulary: str | None = None) -> SideTable:
    """Read a side table, CSV or JSON (told apart by its name or first character);
    ReadError naming the file and line for anything malformed."""
    if vocabulary is not None and vocabulary not in VOCABULARIES:
        raise ValueError(
            f"unknown categories vocabulary {vocabulary!r} (known: {', '.join(VOCABULARIES)})"
        )
    with path.open("rb") as fh:
        start = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    json_like = path.suffix.lower() == ".json" or start[:1] in (b"{", b"[")
    reader = _read_json if json_like else _read_csv
    return SideTable(path.name, reader(path), vocabulary)


def _read_json(path: Path) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"{path.name}: not UTF-8 JSON ({exc})") from None
    try:
        table = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{path.name}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(table, dict):
        raise ReadError(f"{path.name}: line 1: expected an object of service id → codes")
    codes: dict[str, list[str]] = {}
    for sid, value in table.items():
        if not sid.strip():
            raise ReadError(
                f"{path.name}: line {_line_of(text, sid)}: an entry without a service id"
            )
        if isinstance(value, str):
            value = split_codes(value)
        if not isinstance(value, list) or not all(isinstance(c, str | int) for c in value):
            raise ReadError(
                f"{path.name}: line {_line_of(text, sid)}: service {sid!r}: expected a list of "
                f"codes, got {json.dumps(value)[:60]}"
            )
        codes.setdefault(sid.strip(), []).extend(c for v in value for c in split_codes(str(v)))
    return codes


def _line_of(text: str, key: str) -> int:
    """The line a JSON object key is on (json.loads keeps no positions; keys are rarely
    repeated in a side table, and the first is the one to look at)."""
    at = text.find(json.dumps(key))
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _read_csv(path: Path) -> dict[str, list[str]]:
    # Read here rather than through csvfiles.CsvFile: an error names the line, not the row.
    codes: dict[str, list[str]] = {}
    with open_csv(path) as fh:
        reader = csv.reader(fh, strict=True)
        try:
            header = [h.strip().lower() for h in next(reader, [])]
            missing = [c for c in ("service_id", "code") if c not in header]
            if missing:
                raise ReadError(
                    f"{path.name}: line 1: missing column(s) {', '.join(missing)} "
                    "(a categories file needs a header: service_id,code)"
                )
            at_id, at_code = header.index("service_id"), header.index("code")
            while True:
                line = reader.line_num + 1
                fields = next(reader, None)
                if fields is None:
                    return codes
                if not any(f.strip() for f in fields):
                    continue
                sid = fields[at_id].strip() if at_id < len(fields) else ""
                if not sid:
                    raise ReadError(f"{path.name}: line {line}: a row without a service_id")
                cell = fields[at_code] if at_code < len(fields) else ""
                codes.setdefault(sid, []).extend(split_codes(cell))
        except csv.Error as exc:
            raise ReadError(f"{path.name}: line {reader.line_num}: unreadable CSV: {exc}") from None


def vocabulary_of(
    code: str, linkage_codes, open_eligibility_names, open_eligibility_ids=None
) -> str | None:
    """Which vocabulary a code is in, recognised from its shape: a Linkage category code
    (`food-pantry`), a 211 code (`BD-1800.2000`), an Open Eligibility name the project knows
    (`Food Pantry`) or an id that resolves (`1102`, a directory's `101-02-01`); None when it is
    none of these.

    `open_eligibility_names` is a predicate: whether a name is a known Open Eligibility name;
    `open_eligibility_ids` (optional) gives an id's term, None when it does not resolve."""
    if code in linkage_codes:
        return CATEGORIES
    if is_211_code(code):
        return TAXONOMY_211
    if _HAS_LETTER.search(code) and open_eligibility_names(code):
        return OPEN_ELIGIBILITY
    if _ID.fullmatch(code) and open_eligibility_ids is not None and open_eligibility_ids(code):
        return OPEN_ELIGIBILITY
    return None


def term_for(code: str, vocabulary: str, open_eligibility_ids=None) -> dict | None:
    """The HSDS taxonomy term for a code in a vocabulary; None if the code cannot be one.
    An Open Eligibility id is one only where `open_eligibility_ids` (see id_resolver) knows it."""
    if vocabulary == TAXONOMY_211:
        if not is_211_code(code):
            return None
        return {
            "taxonomy": TAXONOMY_211,
            "code": split_211_codes(code)[0],
        }  # ` * ` as records write it
    if vocabulary == CATEGORIES:
        return {"taxonomy": CATEGORIES, "code": code}
    if _ID.fullmatch(code):  # an id: its term where one is known (a copy: records own theirs)
        found = open_eligibility_ids(code) if open_eligibility_ids is not None else None
        return dict(found) if found else None
    if not _HAS_LETTER.search(code):
        return None
    return {"taxonomy": OPEN_ELIGIBILITY, "name": code}


def with_categories(rows: Iterable[SourceRow], table: SideTable, converter) -> Iterator[SourceRow]:
    """`rows`, each record whose id is in `table` given its codes as attributes. Counts go to
    `converter.tally` (taken with each batch; the last counts, after the last row, go with
    the last batch)."""
    taxonomy = converter.taxonomy
    known_name = converter.crosswalk.knows_name
    ids = id_resolver(table, converter.crosswalk.knows_oe_id)

    seen: set[str] = set()
    for row in rows:
        record = row.record
        if not isinstance(record, dict):
            # A rejected row still names its id: it is in the directory, not unknown.
            seen.update(p.record_id for p in row.problems if p.record_id)
            yield row
            continue
        sid = str(record.get("id") or "").strip()
        seen.add(sid)
        listed = table.codes.get(sid)
        if listed is None:
            yield row
            continue
        converter.tally["categories_file.records"] += 1
        attributes = list(record.get("attributes") or ())
        present = {_term_key(a.get("taxonomy_term") or {}) for a in attributes}
        for n, code in enumerate(dict.fromkeys(listed), 1):
            vocabulary = table.vocabulary or vocabulary_of(code, taxonomy, known_name, ids)
            term = term_for(code, vocabulary, ids) if vocabulary else None
            if term is None:
                converter.tally["categories_file.codes_not_understood"] += 1
                row.problems.append(
                    Problem(
                        row.file, row.row, "categories",
                        f"{table.name}: code {code!r} not understood"
                        + (f" as {vocabulary}" if table.vocabulary else ""),
                        sid,
                    )
                )  # fmt: skip
                continue
            if _term_key(term) in present:
                continue
            present.add(_term_key(term))
            attributes.append({
                "id": f"{sid}-categories-file-{n}",
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term": {"id": f"categories-file-{n}", **term},
            })  # fmt: skip
            converter.tally["categories_file.codes"] += 1
            converter.tally[f"categories_file.codes.{vocabulary}"] += 1
        record["attributes"] = attributes
        yield row
    for name in ("records", "codes", "codes_not_understood"):  # shown even when none
        converter.tally[f"categories_file.{name}"] += 0
    converter.tally["categories_file.ids_unknown"] += len(table.codes.keys() - seen)


def _term_key(term: dict) -> tuple[str, str]:
    return ((term.get("taxonomy") or "").lower(), term.get("code") or term.get("name") or "")
