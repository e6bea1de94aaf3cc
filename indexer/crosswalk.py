"""Source taxonomy terms → project categories (and, for 211 population codes, eligibility tags).

- `linkage` terms are project codes already.
- Open Eligibility terms (Ohana exports use them too) map by name through the counterparts each
  category lists in data/taxonomy.json; a term without one falls back to its parent's name,
  then to the words people use for a category. A term with an id and no name (a side table's
  `1102`) maps through data/crosswalks/open-eligibility.csv (Open Eligibility v2.0 ids).
- 211 (AIRS/211 HSIS) codes map through the project's own crosswalk, data/crosswalks/211.csv
  (service code prefix → categories, or `-`: outside the taxonomy) and
  data/crosswalks/211-populations.csv (target-population `Y` prefix → eligibility tags, or `-`:
  kept as a population note). The longest matching prefix wins, so a parent code covers its
  children. A deployer's file (LINKAGE_CROSSWALK_211) adds rows and replaces the shipped row of
  the same prefix; see data/crosswalks/README.md for both files' columns.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from indexer.csvfiles import open_csv
from indexer.formats.values import is_211_code, split_211_codes, split_list
from linkage.config import DATA_DIR
from linkage.hsds import conventions
from linkage.taxonomy import Taxonomy, singular

# The names directories give the 211 (AIRS) taxonomy.
TAXONOMY_211 = {conventions.TAXONOMY_211, "airs", "ais", "211-hsis", "airs/211"}
# The names directories give Open Eligibility.
OPEN_ELIGIBILITY = {conventions.OPEN_ELIGIBILITY, "open eligibility", "open_eligibility"}
SHIPPED_211 = Path("crosswalks") / "211.csv"
SHIPPED_211_POPULATIONS = Path("crosswalks") / "211-populations.csv"
# Open Eligibility v2.0 ids (`1102`, `1120`; situations `20010`) → categories, made from the
# taxonomy's names by scripts/make_open_eligibility_crosswalk.py (ids and codes only).
SHIPPED_OPEN_ELIGIBILITY = Path("crosswalks") / "open-eligibility.csv"
# In a crosswalk cell: the code is outside the taxonomy (service codes), or a population note
# with no eligibility tag (Y codes).
NONE_MARKS = {"-", "outside"}

_SPACES = re.compile(r"[\s_&/,-]+")
# A crosswalk prefix: any leading part of a code that ends inside or at the end of a level
# ("BD-18" covers BD-1800 to BD-1899).
_PREFIX = re.compile(
    r"^(?:[A-Z]{1,2}|[A-Z]{2}-[0-9]{1,4}|[A-Z]{2}-[0-9]{4}\.[0-9]{1,4}"
    r"|[A-Z]{2}-[0-9]{4}\.[0-9]{4}-[0-9]{1,3}|[A-Z]{2}-[0-9]{4}\.[0-9]{4}-[0-9]{3}\.[0-9]{1,2})$"
)


def _norm(text: str) -> str:
    """Case, spacing, '&' and plurals folded: 'Food Pantries' and 'food pantry' are one name."""
    words = _SPACES.sub(" ", text.lower()).replace(" and ", " ").split()
    return " ".join(singular(w) for w in words)


def is_population(code: str) -> bool:
    """Target-population codes (Y...) say who a service is for, not what it is."""
    return code.startswith("Y")


@dataclass(frozen=True)
class Table211:
    """Code prefix → project codes. A service prefix maps to categories (empty: outside the
    taxonomy); a population prefix to eligibility tags (empty: a population note)."""

    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    populations: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def overridden_by(self, other: Table211) -> Table211:
        """This table with the other's rows added; its row for a prefix replaces ours."""
        return Table211(
            {**self.categories, **other.categories}, {**self.populations, **other.populations}
        )


@dataclass
class Resolved211:
    """What one 211 value gives (a code, a compound `S * Y1 * Y2`, or a `;` list of them)."""

    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)  # service codes that gave categories
    outside: list[str] = field(default_factory=list)  # service codes outside the taxonomy
    unmapped: list[str] = field(default_factory=list)  # not understood: unknown prefix or shape
    tagged: list[str] = field(default_factory=list)  # population codes that gave a tag
    noted: list[str] = field(default_factory=list)  # population codes kept as notes
    # Per population code, the tags it gave (empty: a note): who the record is for.
    groups: list[tuple[str, ...]] = field(default_factory=list)


def _longest(table: dict[str, tuple[str, ...]], code: str) -> tuple[str, ...] | None:
    for end in range(len(code), 0, -1):
        if (found := table.get(code[:end])) is not None:
            return found
    return None


class Crosswalk:
    def __init__(
        self,
        taxonomy: Taxonomy,
        table_211: Table211 | None = None,
        oe_ids: dict[str, tuple[str, ...]] | None = None,
    ):
        """`table_211`: the 211 rows to use, `oe_ids` the Open Eligibility id → categories
        rows; None: the shipped crosswalks (data/crosswalks)."""
        self.taxonomy = taxonomy
        self.by_name: dict[str, list[str]] = {}
        for c in taxonomy.categories.values():
            for name in c.open_eligibility:
                self.by_name.setdefault(_norm(name), []).append(c.code)
        for c in taxonomy.categories.values():  # project names and words, after the counterparts
            for name in (c.name, *c.terms):
                self.by_name.setdefault(_norm(name), [c.code])
        # Eligibility tags by their Open Eligibility counterparts and names (for Y-code rows).
        self.tags_by_name: dict[str, list[str]] = {}
        for code, tag in taxonomy.eligibility_tags.items():
            for name in (*tag.get("open_eligibility", ()), tag.get("name") or code):
                self.tags_by_name.setdefault(_norm(name), []).append(code)
        self.table_211 = table_211 if table_211 is not None else shipped_211(taxonomy)
        self.by_oe_id = oe_ids if oe_ids is not None else shipped_open_eligibility(taxonomy)

    @classmethod
    def from_file_211(
        cls, taxonomy: Taxonomy, path: Path | None, data_dir: Path = DATA_DIR
    ) -> Crosswalk:
        """The shipped crosswalk, extended and overridden by a deployer's file (if any).
        Raises ValueError naming the file and line of anything malformed."""
        base = cls(taxonomy, shipped_211(taxonomy, data_dir))
        if path is None:
            return base
        return cls(taxonomy, base.table_211.overridden_by(base.read_211(path)))

    def read_211(self, path: Path) -> Table211:
        """A crosswalk file: a prefix column (`code_prefix` or `code`) and, for its rows,
        `categories`/`category` (project codes, `;`-separated, `-` outside the taxonomy),
        `open_eligibility` (Open Eligibility names, `;`-separated) or, for Y prefixes,
        `eligibility_tags` (`-`: a population note). Repeated prefixes add up."""
        with open_csv(path) as fh:  # a deployer's file may be saved as Windows-1252
            reader = csv.DictReader(fh)
            columns = {(c or "").strip().lower(): c for c in reader.fieldnames or ()}
            key = columns.get("code_prefix") or columns.get("code")
            values = [columns[c] for c in _VALUE_COLUMNS if c in columns]
            if key is None or not values:
                raise ValueError(
                    f"{path}: line 1: a 211 crosswalk needs a column code_prefix (or code) and "
                    f"one of {', '.join(_VALUE_COLUMNS)}; found {', '.join(columns) or 'none'}"
                )
            rows: dict[str, dict[str, dict[str, None]]] = {"categories": {}, "populations": {}}
            for row in reader:
                where = f"{path}: line {reader.line_num}"
                prefix = (row.get(key) or "").strip().upper()
                if not _PREFIX.match(prefix):
                    raise ValueError(f"{where}: {prefix!r} is not a 211 code or code prefix")
                kind = "populations" if is_population(prefix) else "categories"
                mapped = self._row_codes(row, columns, prefix, where)
                rows[kind].setdefault(prefix, {}).update(dict.fromkeys(mapped))
        return Table211(
            {p: tuple(c) for p, c in rows["categories"].items()},
            {p: tuple(t) for p, t in rows["populations"].items()},
        )

    def _row_codes(self, row: dict, columns: dict, prefix: str, where: str) -> list[str]:
        """The project codes one row gives its prefix; empty: outside / a population note."""

        def cell(name: str) -> list[str] | None:
            return split_list(row.get(columns[name]) if name in columns else "", ";") or None

        population = is_population(prefix)
        wanted = ("eligibility_tags", "open_eligibility") if population else _SERVICE_COLUMNS
        name, items = next(((n, v) for n in wanted if (v := cell(n)) is not None), (None, None))
        if items is None:
            need = "eligibility_tags or open_eligibility" if population else "category"
            raise ValueError(f"{where}: no {need} for {prefix} (use '-' for none)")
        if any(i.lower() in NONE_MARKS for i in items):
            if len(items) > 1:
                raise ValueError(f"{where}: {prefix}: '-' cannot be combined with other codes")
            return []
        out: dict[str, None] = {}  # in the file's order: the first category is the main one
        for item in items:
            if name == "eligibility_tags":
                if item not in self.taxonomy.eligibility_tags:
                    raise ValueError(
                        f"{where}: unknown eligibility tag {item!r} for {prefix} "
                        "(data/eligibility.json)"
                    )
                out[item] = None
            elif name == "open_eligibility" and population:
                # A name with no tag counterpart ("Adults") is a population note, not an error.
                out.update(dict.fromkeys(self.tags_by_name.get(_norm(item), ())))
            elif name == "open_eligibility":
                if not (found := self.by_name.get(_norm(item))):
                    raise ValueError(
                        f"{where}: Open Eligibility name {item!r} for {prefix} matches no "
                        "category of data/taxonomy.json (map it with a category, or '-')"
                    )
                out.update(dict.fromkeys(found))
            elif item not in self.taxonomy:
                raise ValueError(f"{where}: unknown category {item!r} for {prefix}")
            else:
                out[item] = None
        return list(out)

    @staticmethod
    def is_211(vocabulary: str) -> bool:
        """Whether a taxonomy name (as records give it, lowercased) means 211 codes."""
        return vocabulary in TAXONOMY_211

    @staticmethod
    def is_open_eligibility(vocabulary: str) -> bool:
        """Whether a taxonomy name (as records give it, lowercased) means Open Eligibility."""
        return vocabulary in OPEN_ELIGIBILITY

    def resolve_211(self, value: str) -> Resolved211:
        """What a 211 value gives; never raises (anything not understood is `unmapped`)."""
        out = Resolved211()
        for compound in split_211_codes(value):
            for given in compound.split(" * "):
                code = given.upper()
                if not is_211_code(code):
                    out.unmapped.append(given)
                elif is_population(code):
                    tags = _longest(self.table_211.populations, code) or ()
                    (out.tagged if tags else out.noted).append(code)
                    out.groups.append(tags)
                    out.tags.extend(t for t in tags if t not in out.tags)
                elif (categories := _longest(self.table_211.categories, code)) is None:
                    out.unmapped.append(code)
                elif not categories:
                    out.outside.append(code)
                else:
                    out.mapped.append(code)
                    out.categories.extend(c for c in categories if c not in out.categories)
        return out

    def knows_oe_id(self, oe_id: str) -> bool:
        """Whether an id is an Open Eligibility id (v2.0) the shipped crosswalk lists."""
        return oe_id.strip() in self.by_oe_id

    def knows_name(self, name: str) -> bool:
        """Whether a category name (Open Eligibility's, or the project's) maps to a category."""
        return _norm(name) in self.by_name

    def categories(self, term: dict) -> list[str]:
        """Project categories for one HSDS taxonomy_term; [] when it maps to none."""
        vocabulary = (term.get("taxonomy") or "").strip().lower()
        code = (term.get("code") or "").strip()
        if vocabulary == conventions.CATEGORIES:
            return [code] if code in self.taxonomy else []
        if vocabulary in TAXONOMY_211:
            return self.resolve_211(code).categories
        for name in (term.get("name"), term.get("parent_name")):
            if name and (found := self.by_name.get(_norm(name))):
                return found
        # An id alone (a side table's `1102`, or the HSDS export's term for it, named by its
        # code); named terms map by name.
        if not term.get("name") or term.get("name") == code:
            return list(self.by_oe_id.get(code, ()))
        return []


_SERVICE_COLUMNS = ("categories", "category", "open_eligibility")
_VALUE_COLUMNS = (*_SERVICE_COLUMNS, "eligibility_tags")


@cache
def _shipped(taxonomy: Taxonomy, data_dir: Path) -> Table211:
    reader = Crosswalk(taxonomy, Table211(), oe_ids={})
    return reader.read_211(data_dir / SHIPPED_211).overridden_by(
        reader.read_211(data_dir / SHIPPED_211_POPULATIONS)
    )


def shipped_211(taxonomy: Taxonomy, data_dir: Path = DATA_DIR) -> Table211:
    """The project's own 211 crosswalk (data/crosswalks), read once per taxonomy."""
    return _shipped(taxonomy, Path(data_dir))


@cache
def _shipped_open_eligibility(taxonomy: Taxonomy, data_dir: Path) -> dict[str, tuple[str, ...]]:
    path = data_dir / SHIPPED_OPEN_ELIGIBILITY
    out: dict[str, tuple[str, ...]] = {}
    with open_csv(path) as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames != ["oe_id", "categories"]:
            raise ValueError(f"{path}: line 1: expected the columns oe_id,categories")
        for row in reader:
            where = f"{path}: line {reader.line_num}"
            oe_id, cell = (row["oe_id"] or "").strip(), (row["categories"] or "").strip()
            codes = split_list(cell, ";")
            if not oe_id.isdigit() or not codes or oe_id in out:
                raise ValueError(f"{where}: expected a new numeric oe_id and categories (or -)")
            if unknown := [c for c in codes if c not in NONE_MARKS and c not in taxonomy]:
                raise ValueError(f"{where}: unknown category {unknown[0]!r} for {oe_id}")
            out[oe_id] = tuple(c for c in codes if c not in NONE_MARKS)
    return out


def shipped_open_eligibility(
    taxonomy: Taxonomy, data_dir: Path = DATA_DIR
) -> dict[str, tuple[str, ...]]:
    """Open Eligibility id → categories (empty: a known id that gives none), read once."""
    return _shipped_open_eligibility(taxonomy, Path(data_dir))


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def crosswalk_coverage(tallies) -> str | None:
    """One line for the import report: how much of the source's 211 coding was understood;
    None when the source had no 211 codes."""
    codes = {k: tallies.get(f"crosswalk.codes.{k}", 0) for k in ("mapped", "outside", "unmapped")}
    records = {k: tallies.get(f"crosswalk.records.{k}", 0) for k in ("resolved", "unresolved")}
    population = tallies.get("crosswalk.codes.population", 0)
    service, carrying = sum(codes.values()), sum(records.values())
    if not carrying:
        return None
    tagged = tallies.get("crosswalk.populations.tagged", 0)
    return (
        f"211 codes: {service} service codes, {_share(codes['mapped'], service)} mapped to "
        f"categories, {_share(codes['outside'], service)} outside the taxonomy, "
        f"{_share(codes['unmapped'], service)} unmapped; {population} population codes, "
        f"{_share(tagged, population)} gave eligibility tags; records with 211 codes: "
        f"{_share(records['resolved'], carrying)} resolved to a category "
        f"({records['resolved']} of {carrying})"
    )
