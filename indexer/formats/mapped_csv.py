"""Any CSV (or spreadsheet saved as CSV) → HSDS 3.0 full service records, through a YAML mapping.

The mapping names the main file (one row = one service), optional joined files (the
organization, the locations), and for each HSDS field the column it comes from or a small
transform (split, join, pattern, map, constant). The format is documented in
data/mappings/README.md, with data/mappings/florida-legal-aid.yaml as the worked example.

The mapping is checked whole before any row is read: an unknown key, a bad pattern, an unknown
category or eligibility code, or a column missing from a file's header is a ReadError naming
the mapping key (and the column). Rows are then read one at a time; a row is rejected (record
None) when CsvFile reports it malformed, when it has no id or no name, or when its id repeats
an earlier row's. A value that cannot be used (an age that is not a number, a category value
the mapping does not know) is a warning on the row and the record is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from indexer.csvfiles import CsvFile, CsvRow
from indexer.formats.values import is_true, parse_number, parse_whole_number, state_code, zip5
from indexer.records import Problem, ReadError, SourceRow
from linkage.hsds import conventions
from linkage.places import NATIONWIDE, county_area, county_name, state_area, zip_area
from linkage.search.document import FEES
from linkage.taxonomy import Taxonomy, load_taxonomy

SERVICE_FIELDS = (
    "name", "alternate_name", "description", "url", "email", "status", "interpretation_services",
    "application_process", "fees_description", "wait_time", "accreditations", "licenses", "alert",
    "assured_date", "assurer_email", "eligibility_description",
)  # fmt: skip
ORGANIZATION_FIELDS = (
    "id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id",
    "year_incorporated", "legal_status", "uri",
)  # fmt: skip
LOCATION_FIELDS = (
    "name", "alternate_name", "description", "transportation", "url", "latitude", "longitude",
    "location_type", "external_identifier",
)  # fmt: skip
ADDRESS_FIELDS = (
    "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code",
    "country",
)  # fmt: skip
PHONE_GROUPS = ("number", "extension", "type", "description")
PHONE_TYPES = ("text", "voice", "fax", "cell", "video", "pager", "textphone")
AREA_KINDS = ("county", "zip", "state", "text")

VALUE_KEYS = ("column", "join", "separator", "constant", "split", "pattern", "map", "default")
TAG_KEYS = (*VALUE_KEYS, "truthy", "any_of", "none_of", "at_least")
AREA_KEYS = (*VALUE_KEYS, "area", "state", "statewide")
PHONE_KEYS = (*VALUE_KEYS, "types")
ADDRESS_KEYS = ("column", "join", "separator", "constant", "pattern", "fields")
CATEGORY_KEYS = (*VALUE_KEYS, "keywords", "vocabulary")
# Source vocabularies whose terms the import's crosswalk maps (indexer.crosswalk): 211 codes
# through the deployer's file, by prefix; Open Eligibility by name.
VOCABULARIES = (conventions.TAXONOMY_211, conventions.OPEN_ELIGIBILITY)
SECTION_KEYS = {
    "services": ("file", "id", "fields", "phones", "languages", "categories", "eligibility",
                 "fees", "service_areas"),
    "organization": ("file", "key", "on", "fields"),
    "locations": ("file", "key", "on", "id", "fields", "address", "phones", "skip_unplaced",
                  "prefer", "distinct"),
}  # fmt: skip
TOP_KEYS = ("source", "description", "folder", "services", "organization", "locations")
ELIGIBILITY_KEYS = ("min_age", "max_age", "income_max_fpl", "tags")

_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 also reads yes/no/on/off/y/n as booleans,
    which would turn `on:` (the join key) and map keys like `yes:` or `N:` into True/False."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def norm(text: str) -> str:
    """Map keys and list values compare case-insensitively, runs of spaces as one."""
    return " ".join(str(text).split()).casefold()


class _Context:
    """Where in the mapping we are, for error messages."""

    def __init__(self, mapping_name: str):
        self.mapping_name = mapping_name

    def error(self, where: str, message: str) -> ReadError:
        return ReadError(f"{self.mapping_name}: {where}: {message}")


# --- value rules ----------------------------------------------------------------------------


@dataclass
class Rule:
    """How one value (or list of values) is taken from a row.

    Source: `column`, `join` (columns joined by `separator`, default ", ") or `constant`;
    then `split` (separator) into a list; then `pattern` on each item (the `value` group,
    else group 1, else the whole match; an item that does not match is dropped); then `map`
    (case-insensitive; an unmatched value becomes `default` when one is given, else stays).
    A value mapped to null or empty is dropped.
    """

    where: str
    columns: tuple[str, ...] = ()
    constant: str | None = None
    separator: str = ", "
    split: str | None = None
    pattern: re.Pattern | None = None
    mapping: dict[str, object] | None = None
    has_default: bool = False
    default: object = None
    groups: tuple[str, ...] = ()

    def items(self, values: dict[str, str]) -> list[str]:
        """Source → split: the non-empty items, stripped."""
        if self.constant is not None:
            text = self.constant
        else:
            text = self.separator.join(v for c in self.columns if (v := values.get(c, "")))
        items = [text] if self.split is None else text.split(self.split)
        return [i.strip() for i in items if i.strip()]

    def matches(self, values: dict[str, str]) -> list[dict[str, str]]:
        """Each item's named pattern groups (phones, addresses); items that do not match drop."""
        found = (self.pattern.search(i) for i in self.items(values))
        return [{k: (v or "").strip() for k, v in m.groupdict().items()} for m in found if m]

    def raw(self, values: dict[str, str]) -> list[str]:
        """Source → split → pattern (no map): the items as text."""
        if self.pattern is None:
            return self.items(values)
        out = []
        for item in self.items(values):
            m = self.pattern.search(item)
            if m is None:
                continue
            if "value" in self.pattern.groupindex:
                item = m.group("value") or ""
            elif self.pattern.groups:
                item = m.group(1) or ""
            else:
                item = m.group(0)
            if item.strip():
                out.append(item.strip())
        return out

    def lookup(self, item: str) -> tuple[bool, object]:
        """(found, mapped value) for one item; without a map every item is found as itself."""
        if self.mapping is None:
            return True, item
        key = norm(item)
        if key in self.mapping:
            return True, self.mapping[key]
        return False, (self.default if self.has_default else item)

    def values(self, values: dict[str, str]) -> list[str]:
        out = []
        for item in self.raw(values):
            _, mapped = self.lookup(item)
            for v in mapped if isinstance(mapped, list) else [mapped]:
                if v is not None and str(v).strip():
                    out.append(str(v).strip())
        return out

    def first(self, values: dict[str, str]) -> str | None:
        found = self.values(values)
        return found[0] if found else None


def _check_keys(ctx: _Context, where: str, spec: dict, allowed: tuple[str, ...]) -> None:
    for key in spec:
        if key not in allowed:
            raise ctx.error(where, f"unknown key {key!r} (known: {', '.join(allowed)})")


def _as_text(ctx: _Context, where: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ctx.error(where, f"expected text, got {value!r}")
    return str(value)


def _text_list(ctx: _Context, where: str, value) -> list[str]:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, list):
        raise ctx.error(where, f"expected a list, got {value!r}")
    return [_as_text(ctx, where, v) for v in value]


def _map_value(ctx: _Context, where: str, value):
    if value is None:
        return None
    if isinstance(value, bool):  # YAML reads yes/no/true/false as booleans
        return "true" if value else "false"
    if isinstance(value, list):
        return [_as_text(ctx, where, v) for v in value]
    return _as_text(ctx, where, value)


def _dict(ctx: _Context, where: str, spec) -> dict:
    if not isinstance(spec, dict):
        raise ctx.error(where, f"expected a mapping of keys, got {spec!r}")
    return spec


def parse_rule(ctx: _Context, where: str, spec, allowed: tuple[str, ...] = VALUE_KEYS) -> Rule:
    """A rule from its YAML: a column name, or a mapping with VALUE_KEYS (plus `allowed`)."""
    if isinstance(spec, str):
        return Rule(where, columns=(spec,))
    spec = _dict(ctx, where, spec)
    _check_keys(ctx, where, spec, allowed)
    sources = [k for k in ("column", "join", "constant") if k in spec]
    if len(sources) != 1:
        raise ctx.error(where, "give exactly one of column, join or constant")
    rule = Rule(where)
    if "column" in spec:
        rule.columns = (_as_text(ctx, f"{where}.column", spec["column"]),)
    elif "join" in spec:
        rule.columns = tuple(_text_list(ctx, f"{where}.join", spec["join"]))
        if "separator" in spec:
            rule.separator = _as_text(ctx, f"{where}.separator", spec["separator"])
    else:
        rule.constant = _as_text(ctx, f"{where}.constant", spec["constant"])
    if "separator" in spec and "join" not in spec:
        raise ctx.error(where, "separator goes with join (use split to cut a column)")
    if "split" in spec:
        rule.split = _as_text(ctx, f"{where}.split", spec["split"])
        if not rule.split:
            raise ctx.error(f"{where}.split", "empty separator")
    if "pattern" in spec:
        text = _as_text(ctx, f"{where}.pattern", spec["pattern"])
        try:
            rule.pattern = re.compile(text)
        except re.error as exc:
            raise ctx.error(f"{where}.pattern", f"not a regular expression ({exc})") from None
        rule.groups = tuple(_NAMED_GROUP.findall(text))
    if "map" in spec:
        table = _dict(ctx, f"{where}.map", spec["map"])
        rule.mapping = {
            norm(_map_value(ctx, f"{where}.map", k)): _map_value(ctx, f"{where}.map.{k}", v)
            for k, v in table.items()
        }
    if "default" in spec:
        rule.has_default = True
        rule.default = _map_value(ctx, f"{where}.default", spec["default"])
    return rule


# --- the pieces of a mapping ----------------------------------------------------------------


@dataclass
class TagRule:
    code: str
    rule: Rule
    truthy: bool = False
    any_of: frozenset[str] | None = None
    none_of: frozenset[str] | None = None
    at_least: float | None = None

    def applies(self, values: dict[str, str]) -> bool:
        items = self.rule.values(values)
        if not items:
            return False
        keys = {norm(i) for i in items}
        if self.truthy and not any(is_true(i) for i in items):
            return False
        if self.any_of is not None and not keys & self.any_of:
            return False
        if self.none_of is not None and keys & self.none_of:
            return False
        if self.at_least is not None:
            number = parse_number(items[0])
            if number is None or number < self.at_least:
                return False
        return True


@dataclass
class AreaRule:
    rule: Rule
    kind: str
    state: str | None
    statewide: frozenset[str]


@dataclass
class PhoneRule:
    rule: Rule
    types: dict[str, str]


@dataclass
class AddressRule:
    rule: Rule | None  # one text parsed by the pattern's named groups
    fields: dict[str, Rule]  # or one rule per address field


@dataclass
class CategoryRule:
    rule: Rule | None
    keywords: list[tuple[re.Pattern, list[str]]]
    keyword_columns: tuple[str, ...]
    default: str | None
    vocabulary: str | None = None  # values are terms of this vocabulary, for the crosswalk


@dataclass
class Join:
    file: str
    key: str  # column of the joined file
    on: str  # column of the main file


@dataclass
class LocationsSpec:
    join: Join | None
    id: Rule | None
    fields: dict[str, Rule]
    address: AddressRule | None
    phones: PhoneRule | None
    skip_unplaced: bool = False
    prefer: tuple[str, str] | None = None  # (location column, main column)
    distinct: tuple[str, ...] = ()


@dataclass
class Mapping:
    """A validated mapping. `read` yields its rows; a category value the mapping does not
    know is a warning on its row and one of the row's `unmapped` terms (counted in the
    import report)."""

    path: Path
    folder: Path
    main_file: str
    id: Rule
    fields: dict[str, Rule]
    phones: PhoneRule | None
    languages: Rule | None
    categories: CategoryRule | None
    min_age: Rule | None
    max_age: Rule | None
    income: Rule | None
    tags: list[TagRule]
    fees: Rule | None
    areas: AreaRule | None
    org_join: Join | None
    org_fields: dict[str, Rule]
    locations: LocationsSpec | None
    taxonomy: Taxonomy

    # -- loading --

    @classmethod
    def load(cls, path: Path, taxonomy: Taxonomy | None = None) -> Mapping:
        path = Path(path)
        ctx = _Context(path.name)
        try:
            spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        except OSError as exc:
            raise ReadError(f"{path.name}: cannot read the mapping ({exc.strerror})") from None
        except yaml.YAMLError as exc:
            raise ReadError(f"{path.name}: not valid YAML ({exc})") from None
        if not isinstance(spec, dict):
            raise ReadError(f"{path.name}: a mapping file is a YAML mapping with a services key")
        _check_keys(ctx, "top level", spec, TOP_KEYS)
        taxonomy = taxonomy or load_taxonomy()
        folder = path.parent
        if "folder" in spec:
            folder = (path.parent / _as_text(ctx, "folder", spec["folder"])).resolve()
        if "services" not in spec:
            raise ctx.error("top level", "missing key 'services'")
        svc = _dict(ctx, "services", spec["services"])
        _check_keys(ctx, "services", svc, SECTION_KEYS["services"])
        for key in ("file", "id", "fields"):
            if key not in svc:
                raise ctx.error("services", f"missing key {key!r}")
        fields = _field_rules(ctx, "services.fields", svc["fields"], SERVICE_FIELDS)
        if "name" not in fields:
            raise ctx.error("services.fields", "missing key 'name' (the service name)")
        elig = _dict(ctx, "services.eligibility", svc.get("eligibility") or {})
        _check_keys(ctx, "services.eligibility", elig, ELIGIBILITY_KEYS)

        def optional(key: str, spec_, where: str) -> Rule | None:
            return parse_rule(ctx, where, spec_[key]) if key in spec_ else None

        tags = []
        for code, tag_spec in _dict(
            ctx, "services.eligibility.tags", elig.get("tags") or {}
        ).items():
            where = f"services.eligibility.tags.{code}"
            if code not in taxonomy.eligibility_tags:
                raise ctx.error(where, f"unknown eligibility tag {code!r} (data/eligibility.json)")
            tags.append(_tag_rule(ctx, where, code, tag_spec))
        org = _dict(ctx, "organization", spec.get("organization") or {})
        _check_keys(ctx, "organization", org, SECTION_KEYS["organization"])
        return cls(
            path=path,
            folder=folder,
            main_file=_as_text(ctx, "services.file", svc["file"]),
            id=parse_rule(ctx, "services.id", svc["id"]),
            fields=fields,
            phones=_phone_rule(ctx, "services.phones", svc["phones"]) if "phones" in svc else None,
            languages=optional("languages", svc, "services.languages"),
            categories=_category_rule(ctx, svc["categories"], taxonomy)
            if "categories" in svc
            else None,
            min_age=optional("min_age", elig, "services.eligibility.min_age"),
            max_age=optional("max_age", elig, "services.eligibility.max_age"),
            income=optional("income_max_fpl", elig, "services.eligibility.income_max_fpl"),
            tags=tags,
            fees=optional("fees", svc, "services.fees"),
            areas=_area_rule(ctx, svc["service_areas"]) if "service_areas" in svc else None,
            org_join=_join(ctx, "organization", org),
            org_fields=_field_rules(
                ctx, "organization.fields", org.get("fields") or {}, ORGANIZATION_FIELDS
            ),
            locations=_locations(ctx, spec["locations"]) if spec.get("locations") else None,
            taxonomy=taxonomy,
        )

    # -- columns each file must have --

    def _columns(self) -> dict[str, dict[str, list[str]]]:
        """file → column → the mapping keys that name it."""
        need: dict[str, dict[str, list[str]]] = {}

        def column(file: str, name: str, where: str) -> None:
            need.setdefault(file, {}).setdefault(name, []).append(where)

        def rules(file: str, *found: Rule | None) -> None:
            for rule in found:
                for name in rule.columns if rule is not None else ():
                    column(file, name, rule.where)

        main = self.main_file
        rules(main, self.id, *self.fields.values(), self.languages, self.min_age, self.max_age)
        rules(main, self.income, self.fees, *(t.rule for t in self.tags))
        rules(main, self.phones.rule if self.phones else None)
        rules(main, self.areas.rule if self.areas else None)
        if self.categories:
            rules(main, self.categories.rule)
            for name in self.categories.keyword_columns:
                column(main, name, "services.categories.keywords.columns")
        org_file = self.org_join.file if self.org_join else main
        if self.org_join:
            column(main, self.org_join.on, "organization.on")
            column(org_file, self.org_join.key, "organization.key")
        rules(org_file, *self.org_fields.values())
        loc = self.locations
        if loc:
            loc_file = loc.join.file if loc.join else main
            if loc.join:
                column(main, loc.join.on, "locations.on")
                column(loc_file, loc.join.key, "locations.key")
            rules(loc_file, loc.id, *loc.fields.values(), loc.phones.rule if loc.phones else None)
            if loc.address:
                rules(loc_file, loc.address.rule, *loc.address.fields.values())
            if loc.prefer:
                column(loc_file, loc.prefer[0], "locations.prefer")
                column(main, loc.prefer[1], "locations.prefer")
            for name in loc.distinct:
                column(loc_file, name, "locations.distinct")
        return need

    def _open(self, folder: Path) -> dict[str, CsvFile]:
        files: dict[str, CsvFile] = {}
        for name, columns in self._columns().items():
            path = folder / name
            if not path.is_file():
                raise ReadError(f"{self.path.name}: {name} not found in {folder}")
            csv_file = CsvFile(path)
            for column, keys in columns.items():
                if column not in csv_file.header:
                    raise ReadError(
                        f"{self.path.name}: {keys[0]}: column {column!r} is not in {name} "
                        f"(its columns: {', '.join(h for h in csv_file.header if h)})"
                    )
            files[name] = csv_file
        return files

    # -- reading --

    def read(self, folder: Path | None = None) -> Iterator[SourceRow]:
        """One SourceRow per data row of the main file. Raises ReadError before the first row
        when a file is missing or lacks a column the mapping names."""
        folder = Path(folder) if folder is not None else self.folder
        files = self._open(folder)
        main = files[self.main_file]
        file_warnings = [w for f in files.values() for w in f.warnings]
        orgs = _index(files[self.org_join.file], self.org_join.key) if self.org_join else None
        loc = self.locations
        locs = _index(files[loc.join.file], loc.join.key) if loc and loc.join else None
        seen: dict[str, int] = {}
        for row in main:
            source_row = self._row(row, seen, orgs, locs)
            if file_warnings:  # file-level notes (encoding) ride on the first row
                source_row.problems[:0] = file_warnings
                file_warnings = []
            yield source_row

    def _row(self, row: CsvRow, seen: dict[str, int], orgs, locs) -> SourceRow:
        where = row.where
        values = row.values
        if row.problem is not None:
            sid = self.id.first(values)
            problem = row.problem
            if sid:
                problem = Problem(problem.file, problem.row, problem.field, problem.reason, sid)
            return SourceRow(row.file, where, None, [problem])
        sid = self.id.first(values)
        if not sid:
            return _rejected(row, "id", f"missing service id ({_source_of(self.id)})")
        name = self.fields["name"].first(values)
        if not name:
            return _rejected(
                row, "name", f"missing service name ({_source_of(self.fields['name'])})", sid
            )
        if sid in seen:
            return _rejected(row, "id", f"duplicate id {sid!r}: first seen in row {seen[sid]}", sid)
        seen[sid] = row.number
        problems: list[Problem] = []

        def warn(field_name: str, reason: str) -> None:
            problems.append(Problem(row.file, where, field_name, reason, sid))

        record: dict = {"id": sid}
        for key, rule in self.fields.items():
            if (value := rule.first(values)) is not None:
                record[key] = value
        record["name"] = name
        if self.org_join or self.org_fields:
            organization = self._organization(values, orgs, warn)
            if organization:
                record["organization"] = organization
        unmapped: list[tuple[str, str]] = []
        attributes = self._categories(values, warn, unmapped)
        attributes += self._eligibility(values, record, warn)
        if self.fees and (fee := self.fees.first(values)):
            if fee in FEES:
                attributes.append(_attribute(conventions.FEES, fee, fee))
            else:
                warn("fees", f"not a fee code (free, sliding-scale, fee): {fee!r}; dropped")
        if attributes:
            record["attributes"] = attributes
        if self.languages:
            codes = self.languages.values(values)
            if codes:
                record["languages"] = [{"code": c} for c in codes]
        if self.phones and (phones := _phones(self.phones, values)):
            record["phones"] = phones
        if self.areas:
            areas = _areas(self.areas, values, warn)
            if areas:
                record["service_areas"] = areas
        if self.locations:
            sals = self._locations(sid, values, locs, warn)
            if sals:
                record["service_at_locations"] = sals
        return SourceRow(row.file, where, record, problems, unmapped)

    def _organization(self, values: dict[str, str], orgs, warn) -> dict | None:
        source = values
        if self.org_join:
            key = values.get(self.org_join.on, "")
            if not key:
                return None
            found, broken = orgs.get(key, ([], []))
            for bad in broken:
                warn(
                    "organization",
                    f"{bad.file} {bad.where} is malformed ({bad.problem.reason}); not used",
                )
            if not found:
                if not broken:
                    warn(
                        "organization",
                        f"no row with {self.org_join.key} {key!r} in {self.org_join.file}",
                    )
                return None
            source = found[0].values
        org = {k: v for k, rule in self.org_fields.items() if (v := rule.first(source)) is not None}
        return org or None

    def _categories(self, values: dict[str, str], warn, unmapped: list) -> list[dict]:
        rule = self.categories
        if rule is None:
            return []
        codes: dict[str, None] = {}
        unknown: list[str] = []
        terms = []  # source terms for the crosswalk (which counts those it cannot map)
        if rule.vocabulary is not None:
            terms = [_attribute(rule.vocabulary, item, item) for item in rule.rule.raw(values)]
        elif rule.rule is not None:
            for item in rule.rule.raw(values):
                found, mapped = rule.rule.lookup(item)
                if rule.rule.mapping is None and mapped not in self.taxonomy:
                    found = False
                if not found:
                    unknown.append(item)
                    continue
                for code in mapped if isinstance(mapped, list) else [mapped]:
                    if code:
                        codes[code] = None
        text = " ".join(values.get(c, "") for c in rule.keyword_columns)
        for pattern, mapped in rule.keywords:
            if pattern.search(text):
                codes.update(dict.fromkeys(mapped))
        for item in unknown:
            unmapped.append((f"{self.main_file} {_source_of(rule.rule)}", item))
            fallback = f"counted as {rule.default!r}" if rule.default else "ignored"
            warn("categories", f"unknown category value {item!r}: {fallback}")
        if rule.default and (unknown or not codes):
            codes[rule.default] = None
        return terms + [
            _attribute(conventions.CATEGORIES, code, self.taxonomy.categories[code].name)
            for code in codes
        ]

    def _eligibility(self, values: dict[str, str], record: dict, warn) -> list[dict]:
        attributes = []
        ages = {}
        for key, rule in (("minimum_age", self.min_age), ("maximum_age", self.max_age)):
            text = rule.first(values) if rule else None
            if text is None:
                continue
            number = parse_whole_number(text)
            if number is None:
                warn(key, f"not a whole number: {text!r}; dropped")
            elif not 0 <= number <= 120:
                warn(key, f"not a plausible age: {text!r}; dropped")
            else:
                ages[key] = number
        low, high = ages.get("minimum_age"), ages.get("maximum_age")
        if low is not None and high is not None and low > high:
            warn("minimum_age", f"minimum age {low} is above maximum age {high}; both dropped")
            ages = {}
        record.update(ages)
        if self.income and (text := self.income.first(values)) is not None:
            number = parse_number(text)
            if number is None or not 0 < number <= 1000:
                warn("income_max_fpl", f"not a percentage of poverty: {text!r}; dropped")
            else:
                value = str(int(number)) if number == int(number) else str(number)
                attr = _attribute(
                    conventions.ELIGIBILITY, conventions.INCOME, "Income limit (% of poverty)"
                )
                attr["value"] = value
                attributes.append(attr)
        for tag in self.tags:
            if tag.applies(values):
                name = self.taxonomy.eligibility_tags[tag.code].get("name", tag.code)
                attributes.append(_attribute(conventions.ELIGIBILITY, tag.code, name))
        return attributes

    def _locations(self, sid: str, values: dict[str, str], locs, warn) -> list[dict]:
        spec = self.locations
        if spec.join:
            key = values.get(spec.join.on, "")
            found, broken = locs.get(key, ([], [])) if key else ([], [])
            for bad in broken:
                warn(
                    "locations",
                    f"{bad.file} {bad.where} is malformed ({bad.problem.reason}); not used",
                )
        else:
            found = [None]
        built: list[tuple[dict, dict[str, str]]] = []
        for joined in found:
            source = joined.values if joined is not None else values
            location = _location(spec, source, joined)
            if location is None:
                continue
            if spec.skip_unplaced and not _placed(location):
                continue
            built.append((location, source))
        if spec.prefer:
            wanted = norm(values.get(spec.prefer[1], ""))
            same = [b for b in built if wanted and norm(b[1].get(spec.prefer[0], "")) == wanted]
            built = same or built
        if spec.distinct:
            kept, keys = [], set()
            for location, source in built:
                k = tuple(norm(source.get(c, "")) for c in spec.distinct)
                if k not in keys:
                    keys.add(k)
                    kept.append((location, source))
            built = kept
        sals = []
        for location, _ in built:
            lid = location.get("id") or sid
            location["id"] = lid
            sals.append({"id": f"{sid}@{lid}", "service_id": sid, "location": location})
        return sals


def _rejected(row: CsvRow, field_name: str, reason: str, sid: str | None = None) -> SourceRow:
    return SourceRow(
        row.file, row.where, None, [Problem(row.file, row.where, field_name, reason, sid)]
    )


def _source_of(rule: Rule) -> str:
    if rule.constant is not None:
        return "a constant"
    if len(rule.columns) == 1:
        return f"column {rule.columns[0]!r}"
    return f"columns {', '.join(repr(c) for c in rule.columns)}"


def _attribute(taxonomy: str, code: str, name: str) -> dict:
    return {"taxonomy_term": {"taxonomy": taxonomy, "code": code, "name": name}}


def _index(csv_file: CsvFile, key: str) -> dict[str, tuple[list[CsvRow], list[CsvRow]]]:
    """key → (good rows, malformed rows) of a joined file, in file order."""
    index: dict[str, tuple[list[CsvRow], list[CsvRow]]] = {}
    for row in csv_file:
        k = row.values.get(key, "")
        if k:
            index.setdefault(k, ([], []))[1 if row.problem else 0].append(row)
    return index


def _phones(spec: PhoneRule, values: dict[str, str]) -> list[dict]:
    phones = []
    rule = spec.rule
    items = rule.matches(values) if rule.pattern else [{"number": i} for i in rule.items(values)]
    for parts in items:
        number = (parts.get("number") or "").strip()
        if not any(ch.isdigit() for ch in number):
            continue
        label = (parts.get("type") or "").strip()
        kind = spec.types.get(norm(label)) if label else "voice"
        if kind is None:
            kind = norm(label) if norm(label) in PHONE_TYPES else "voice"
        phone = {"number": number, "type": kind}
        if parts.get("extension"):
            phone["extension"] = parts["extension"].strip()
        description = (parts.get("description") or "").strip() or (
            label if label and norm(label) != kind else ""
        )
        if description:
            phone["description"] = description
        phones.append(phone)
    return phones


def _address(spec: AddressRule, values: dict[str, str]) -> dict | None:
    if spec.rule is not None:
        found = spec.rule.matches(values)
        parts = found[0] if found else {}
    else:
        parts = {k: rule.first(values) or "" for k, rule in spec.fields.items()}
    address = {k: v for k, v in parts.items() if k in ADDRESS_FIELDS and v}
    if not any(address.get(k) for k in ("address_1", "city", "postal_code")):
        return None
    if "state_province" in address:
        address["state_province"] = address["state_province"].upper()
    address.setdefault("country", "US")
    address["address_type"] = "physical"
    return address


def _location(spec: LocationsSpec, source: dict[str, str], joined: CsvRow | None) -> dict | None:
    location: dict = {}
    if spec.id and (lid := spec.id.first(source)):
        location["id"] = lid
    elif joined is not None:
        location["id"] = f"{Path(joined.file).stem}-{joined.number}"
    for key, rule in spec.fields.items():
        if (value := rule.first(source)) is not None:
            location[key] = value
    if spec.address and (address := _address(spec.address, source)):
        location["addresses"] = [address]
    if spec.phones and (phones := _phones(spec.phones, source)):
        location["phones"] = phones
    if not (set(location) - {"id"}):
        return None
    location.setdefault("location_type", "physical")
    return location


def _placed(location: dict) -> bool:
    if location.get("latitude") and location.get("longitude"):
        return True
    return any(a.get("postal_code") for a in location.get("addresses") or ())


def _areas(spec: AreaRule, values: dict[str, str], warn) -> list[dict]:
    out: dict[str, dict] = {}
    for item in spec.rule.values(values):
        key = norm(item)
        if key in spec.statewide:
            extent = state_area(spec.state)
        elif key == "nationwide":
            extent = NATIONWIDE
        elif spec.kind == "county":
            name = county_name(item)  # 'St Lucie County' → 'St. Lucie', as the ZIP list's keys
            if not name or ":" in name:
                warn("service_areas", f"not a county name: {item!r}; dropped")
                continue
            extent = county_area(spec.state, name)
        elif spec.kind == "zip":
            if not (code := zip5(item)):
                warn("service_areas", f"not a ZIP code: {item!r}; dropped")
                continue
            extent = zip_area(code)
        elif spec.kind == "state":
            if not (code := state_code(item)):
                warn("service_areas", f"not a state: {item!r}; dropped")
                continue
            extent = state_area(code)
        else:
            extent = item
        out.setdefault(extent, {"name": item, "extent": extent, "extent_type": "text"})
    return list(out.values())


# --- parsing the sections -------------------------------------------------------------------


def _field_rules(ctx: _Context, where: str, spec, allowed: tuple[str, ...]) -> dict[str, Rule]:
    spec = _dict(ctx, where, spec)
    _check_keys(ctx, where, spec, allowed)
    return {k: parse_rule(ctx, f"{where}.{k}", v) for k, v in spec.items()}


def _tag_rule(ctx: _Context, where: str, code: str, spec) -> TagRule:
    spec = _dict(ctx, where, spec) if not isinstance(spec, str) else {"column": spec}
    _check_keys(ctx, where, spec, TAG_KEYS)
    rule = parse_rule(ctx, where, {k: v for k, v in spec.items() if k in VALUE_KEYS})
    tag = TagRule(code, rule)
    if "truthy" in spec:
        if spec["truthy"] is not True:
            raise ctx.error(f"{where}.truthy", "only `truthy: true` is meaningful")
        tag.truthy = True
    if "any_of" in spec:
        tag.any_of = frozenset(norm(v) for v in _text_list(ctx, f"{where}.any_of", spec["any_of"]))
    if "none_of" in spec:
        tag.none_of = frozenset(
            norm(v) for v in _text_list(ctx, f"{where}.none_of", spec["none_of"])
        )
    if "at_least" in spec:
        value = spec["at_least"]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ctx.error(f"{where}.at_least", f"expected a number, got {value!r}")
        tag.at_least = float(value)
    return tag


def _area_rule(ctx: _Context, spec) -> AreaRule:
    where = "services.service_areas"
    spec = _dict(ctx, where, spec) if not isinstance(spec, str) else {"column": spec}
    _check_keys(ctx, where, spec, AREA_KEYS)
    kind = spec.get("area", "text")
    if kind not in AREA_KINDS:
        raise ctx.error(f"{where}.area", f"expected one of {', '.join(AREA_KINDS)}, got {kind!r}")
    state = spec.get("state")
    if state is not None and not (isinstance(state, str) and state_code(state)):
        raise ctx.error(f"{where}.state", f"expected a two-letter state code, got {state!r}")
    statewide = frozenset(
        norm(v) for v in _text_list(ctx, f"{where}.statewide", spec.get("statewide", []))
    )
    if (kind == "county" or statewide) and state is None:
        raise ctx.error(where, "area: county and statewide need `state` (e.g. FL)")
    rule = parse_rule(ctx, where, {k: v for k, v in spec.items() if k in VALUE_KEYS})
    return AreaRule(rule, kind, state_code(state) if state else None, statewide)


def _phone_rule(ctx: _Context, where: str, spec) -> PhoneRule:
    spec = _dict(ctx, where, spec) if not isinstance(spec, str) else {"column": spec}
    _check_keys(ctx, where, spec, PHONE_KEYS)
    rule = parse_rule(ctx, where, {k: v for k, v in spec.items() if k in VALUE_KEYS})
    if rule.mapping is not None:
        raise ctx.error(where, "phones take `types` (label → HSDS phone type), not map")
    if rule.pattern is not None:
        unknown = [g for g in rule.groups if g not in PHONE_GROUPS]
        if unknown or "number" not in rule.groups:
            raise ctx.error(
                f"{where}.pattern",
                f"named groups must include number and be among {', '.join(PHONE_GROUPS)}",
            )
    types = {}
    for label, kind in _dict(ctx, f"{where}.types", spec.get("types") or {}).items():
        if kind not in PHONE_TYPES:
            raise ctx.error(f"{where}.types.{label}", f"not an HSDS phone type: {kind!r}")
        types[norm(str(label))] = kind
    return PhoneRule(rule, types)


def _address_rule(ctx: _Context, where: str, spec) -> AddressRule:
    spec = _dict(ctx, where, spec)
    _check_keys(ctx, where, spec, ADDRESS_KEYS)
    if "fields" in spec:
        if len(spec) > 1:
            raise ctx.error(where, "give either fields, or a column with a pattern, not both")
        return AddressRule(
            None, _field_rules(ctx, f"{where}.fields", spec["fields"], ADDRESS_FIELDS)
        )
    rule = parse_rule(ctx, where, spec)
    if rule.pattern is None:
        raise ctx.error(where, "a one-column address needs a pattern with named groups")
    unknown = [g for g in rule.groups if g not in ADDRESS_FIELDS]
    if unknown or not rule.groups:
        raise ctx.error(
            f"{where}.pattern",
            f"named groups must be address fields ({', '.join(ADDRESS_FIELDS)}); "
            f"got {', '.join(unknown) or 'none'}",
        )
    return AddressRule(rule, {})


def _category_rule(ctx: _Context, spec, taxonomy: Taxonomy) -> CategoryRule:
    where = "services.categories"
    spec = _dict(ctx, where, spec)
    _check_keys(ctx, where, spec, CATEGORY_KEYS)

    def check(code, key: str) -> list[str]:
        codes = [] if code is None else code if isinstance(code, list) else [code]
        for c in codes:
            if c not in taxonomy:
                raise ctx.error(key, f"unknown category {c!r} (data/taxonomy.json)")
        return codes

    vocabulary = spec.get("vocabulary")
    if vocabulary is not None:
        vocabulary = _as_text(ctx, f"{where}.vocabulary", vocabulary)
        if vocabulary not in VOCABULARIES:
            raise ctx.error(f"{where}.vocabulary", f"one of {', '.join(VOCABULARIES)}")
        if "map" in spec or "default" in spec:
            raise ctx.error(
                where, "with vocabulary, the crosswalk maps the values: no map or default"
            )
    default = spec.get("default")
    if default is not None:
        default = _as_text(ctx, f"{where}.default", default)
        check(default, f"{where}.default")
    rule = None
    value_spec = {k: v for k, v in spec.items() if k in VALUE_KEYS and k != "default"}
    if vocabulary is not None and not value_spec:
        raise ctx.error(where, "vocabulary needs a column")
    if value_spec:
        rule = parse_rule(ctx, where, value_spec)
        for key, code in (rule.mapping or {}).items():
            check(code, f"{where}.map.{key}")
    keywords, columns = [], ()
    if "keywords" in spec:
        kw = _dict(ctx, f"{where}.keywords", spec["keywords"])
        _check_keys(ctx, f"{where}.keywords", kw, ("columns", "map"))
        if "columns" not in kw or "map" not in kw:
            raise ctx.error(f"{where}.keywords", "needs columns and map")
        columns = tuple(_text_list(ctx, f"{where}.keywords.columns", kw["columns"]))
        for word, code in _dict(ctx, f"{where}.keywords.map", kw["map"]).items():
            word = _as_text(ctx, f"{where}.keywords.map", word)
            codes = check(_map_value(ctx, f"{where}.keywords.map.{word}", code),
                          f"{where}.keywords.map.{word}")  # fmt: skip
            # a keyword matches at the start of a word, any case: "immigra" finds "Immigrant"
            keywords.append((re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE), codes))
    if rule is None and not keywords:
        raise ctx.error(where, "give a column (with a map) or keywords")
    return CategoryRule(rule, keywords, columns, default, vocabulary)


def _join(ctx: _Context, where: str, spec: dict) -> Join | None:
    if "file" not in spec:
        for key in ("key", "on"):
            if key in spec:
                raise ctx.error(where, f"{key} goes with file (a joined file)")
        return None
    for key in ("key", "on"):
        if key not in spec:
            raise ctx.error(where, f"a joined file needs {key!r}")
    return Join(
        _as_text(ctx, f"{where}.file", spec["file"]),
        _as_text(ctx, f"{where}.key", spec["key"]),
        _as_text(ctx, f"{where}.on", spec["on"]),
    )


def _locations(ctx: _Context, spec) -> LocationsSpec:
    where = "locations"
    spec = _dict(ctx, where, spec)
    _check_keys(ctx, where, spec, SECTION_KEYS["locations"])
    prefer = None
    if "prefer" in spec:
        p = _dict(ctx, f"{where}.prefer", spec["prefer"])
        if len(p) != 1:
            raise ctx.error(f"{where}.prefer", "one pair: {location column: main-file column}")
        ((loc_col, main_col),) = p.items()
        prefer = (
            _as_text(ctx, f"{where}.prefer", loc_col),
            _as_text(ctx, f"{where}.prefer", main_col),
        )
    skip = spec.get("skip_unplaced", False)
    if not isinstance(skip, bool):
        raise ctx.error(f"{where}.skip_unplaced", f"expected true or false, got {skip!r}")
    return LocationsSpec(
        join=_join(ctx, where, spec),
        id=parse_rule(ctx, f"{where}.id", spec["id"]) if "id" in spec else None,
        fields=_field_rules(ctx, f"{where}.fields", spec.get("fields") or {}, LOCATION_FIELDS),
        address=_address_rule(ctx, f"{where}.address", spec["address"])
        if "address" in spec
        else None,
        phones=_phone_rule(ctx, f"{where}.phones", spec["phones"]) if "phones" in spec else None,
        skip_unplaced=skip,
        prefer=prefer,
        distinct=tuple(_text_list(ctx, f"{where}.distinct", spec.get("distinct", []))),
    )


def read(mapping_path: Path, folder: Path | None = None) -> Iterator[SourceRow]:
    """The services of the CSV files `mapping_path` describes, one SourceRow per main-file row.

    `folder` holds the CSV files; it defaults to the mapping's `folder:` key (relative to the
    mapping file), else the mapping file's own directory. The mapping and the files' headers are
    checked before the first row is yielded: problems there raise ReadError.
    """
    mapping = Mapping.load(Path(mapping_path))
    rows = mapping.read(folder)
    first = next(rows, None)  # opens and checks the files now, not at the caller's first next()
    return _chain(first, rows)


def _chain(first: SourceRow | None, rest: Iterator[SourceRow]) -> Iterator[SourceRow]:
    if first is not None:
        yield first
        yield from rest


def main_file(mapping_path: Path, folder: Path | None = None) -> Path:
    """The CSV file whose rows are the services (for counting them before a load)."""
    mapping = Mapping.load(Path(mapping_path))
    return (Path(folder) if folder is not None else mapping.folder) / mapping.main_file
