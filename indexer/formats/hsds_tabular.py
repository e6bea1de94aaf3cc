"""Open Referral HSDS tabular data packages: a folder of CSV files (+ datapackage.json).

Reads both HSDS 3.0 table and field names and the older 2.x (and 1.x) names still common in
the wild (physical_addresses.csv, services_at_location.csv, regular_schedules.csv,
service_taxonomy.csv + taxonomy.csv, ...) and yields one HSDS 3.0 *full service* record per row
of services.csv. The other tables are loaded first, keyed by their foreign keys; services.csv
is then streamed.

Where a row that names several entities belongs (phones, schedules):
- naming a service_at_location, or a service *and* one of its locations: that service at
  location;
- naming the service otherwise: the service;
- naming only a location: the location; only an organization: the organization.

File-level warnings (an encoding guessed, a malformed row in a secondary table, an unreadable
datapackage.json) are attached once, to the first record read.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from indexer.csvfiles import CsvFile, CsvRow
from indexer.formats.values import (
    parse_number,
    parse_time,
    parse_weekday,
    parse_whole_number,
    split_list,
)
from indexer.records import Problem, ReadError, SourceRow
from linkage.hsds import conventions

# File stems and datapackage resource names (3.0, singular, 2.x, 1.x) → the table they hold.
TABLES: dict[str, str] = {
    "services": "services",
    "service": "services",
    "organizations": "organizations",
    "organization": "organizations",
    "locations": "locations",
    "location": "locations",
    "service_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_location": "service_at_location",
    "services_at_locations": "service_at_location",
    "addresses": "addresses",
    "address": "addresses",
    "physical_addresses": "addresses",
    "physical_address": "addresses",
    "postal_addresses": "addresses",
    "postal_address": "addresses",
    "phones": "phones",
    "phone": "phones",
    "schedules": "schedules",
    "schedule": "schedules",
    "regular_schedules": "schedules",
    "regular_schedule": "schedules",
    "service_areas": "service_areas",
    "service_area": "service_areas",
    "languages": "languages",
    "language": "languages",
    "attributes": "attributes",
    "attribute": "attributes",
    "taxonomy_terms": "taxonomy_terms",
    "taxonomy_term": "taxonomy_terms",
    # 2.x taxonomy.csv holds terms. (3.0 names its vocabulary resource "taxonomy" too, but its
    # file is taxonomies.csv, and file names are looked up before resource names.)
    "taxonomy": "taxonomy_terms",
    "taxonomies": "taxonomies",
    "service_taxonomy": "service_taxonomy",
    "service_taxonomies": "service_taxonomy",
    "cost_options": "cost_options",
    "cost_option": "cost_options",
    "eligibility": "eligibility",
    "eligibilities": "eligibility",
}

# 2.x / 1.x column names → 3.0 names, per table (used when the 3.0 column is absent or empty).
FIELDS: dict[str, dict[str, str]] = {
    "services": {"fees": "fees_description"},
    "organizations": {"url": "website"},
    "locations": {"lat": "latitude", "lng": "longitude", "long": "longitude", "lon": "longitude"},
    "addresses": {
        "address": "address_1",
        "street": "address_1",
        "state": "state_province",
        "zip": "postal_code",
        "zip_code": "postal_code",
        "zipcode": "postal_code",
    },
    "taxonomy_terms": {"vocabulary": "taxonomy"},
    "service_areas": {"service_area": "name"},
}

# Columns a table is useless without: missing → ReadError for services.csv, else a warning and
# the file is ignored.
REQUIRED: dict[str, tuple[str, ...]] = {
    "services": ("id", "name"),
    "organizations": ("id",),
    "locations": ("id",),
    "service_at_location": ("service_id", "location_id"),
    "addresses": ("location_id",),
    "service_areas": ("service_id",),
    "attributes": ("link_id", "taxonomy_term_id"),
    "taxonomy_terms": ("id",),
    "taxonomies": ("id",),
    "service_taxonomy": ("service_id", "taxonomy_id"),
    "cost_options": ("service_id",),
    "eligibility": ("service_id",),
}

# address_type implied by a 2.x file name.
_ADDRESS_TYPES = {
    "physical_addresses": "physical",
    "physical_address": "physical",
    "postal_addresses": "postal",
    "postal_address": "postal",
}

SERVICE_FIELDS = (
    "id", "name", "alternate_name", "description", "url", "email", "status",
    "interpretation_services", "application_process", "fees_description", "wait_time",
    "accreditations", "eligibility_description", "assured_date", "assurer_email", "licenses",
    "alert", "last_modified",
)  # fmt: skip
ORGANIZATION_FIELDS = ("id", "name", "alternate_name", "description", "email", "website")
LOCATION_FIELDS = ("id", "name", "alternate_name", "description", "url", "transportation")
ADDRESS_FIELDS = (
    "id", "attention", "address_1", "address_2", "city", "region", "state_province",
    "postal_code", "country", "address_type",
)  # fmt: skip
PHONE_FIELDS = ("id", "number", "extension", "type", "description")
LANGUAGE_FIELDS = ("id", "name", "code", "note")
SCHEDULE_FIELDS = (
    "id", "valid_from", "valid_to", "dtstart", "timezone", "until", "count", "wkst", "freq",
    "interval", "byday", "byweekno", "bymonthday", "byyearday", "description", "opens_at",
    "closes_at", "schedule_link", "attending_type", "notes",
)  # fmt: skip
SERVICE_AREA_FIELDS = ("id", "name", "description", "extent", "extent_type", "uri")
COST_FIELDS = ("id", "option", "currency", "amount_description", "valid_from", "valid_to")

_TWELVE_HOUR = re.compile(r"[ap]\.?\s*m?\.?$", re.I)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.IGNORECASE)

Warn = Callable[[tuple[str, str], str, str], None]


def _pick(values: dict, names: tuple[str, ...]) -> dict:
    """The non-empty values among `names`."""
    return {n: values[n] for n in names if values.get(n)}


def _group(rows: Iterable[dict], key: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            grouped[row[key]].append(row)
    return dict(grouped)


def _languages(rows: Iterable[dict]) -> list[dict]:
    picked = (_pick(r, LANGUAGE_FIELDS) for r in rows)
    return [lang for lang in picked if lang.get("name") or lang.get("code")]


def _schedules(rows: Iterable[dict]) -> list[dict]:
    return [_pick(r, SCHEDULE_FIELDS) for r in rows]


class _Linked:
    """Rows that may name a service, a location, a service at location and an organization."""

    # For each key, the keys naming something narrower (a location's own phone names no service).
    NARROWER = {
        "service_id": ("service_at_location_id",),
        "service_at_location_id": (),
        "location_id": ("service_id", "service_at_location_id"),
        "organization_id": ("service_id", "location_id", "service_at_location_id"),
    }

    def __init__(self, rows: Iterable[dict]):
        rows = list(rows)
        self.index = {key: _group(rows, key) for key in self.NARROWER}

    def by(self, key: str, value: str) -> list[dict]:
        return self.index[key].get(value, []) if value else []

    def only(self, key: str, value: str) -> list[dict]:
        """Rows naming `value` and nothing narrower."""
        return [r for r in self.by(key, value) if not any(r.get(k) for k in self.NARROWER[key])]


class _Package:
    """The secondary tables of one package, indexed by foreign key."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.warnings: list[Problem] = []
        self.files = self._files()
        if "services" not in self.files:
            raise ReadError(f"{folder.name}: no services.csv (not an HSDS tabular data package?)")
        (path, _), *others = sorted(self.files["services"], key=lambda f: f[1] != "services")
        for other, _ in others:
            reason = f"a second services table; only {path.name} is read"
            self.warnings.append(Problem(other.name, "-", "-", reason))
        self.services = CsvFile(path, REQUIRED["services"])  # header checked before the rest
        self.tables = {t: self._load(t) for t in self.files if t != "services"}
        self._index()

    # -- finding the files -------------------------------------------------------------------

    def _files(self) -> dict[str, list[tuple[Path, str]]]:
        """Table → [(path, stem)]: from datapackage.json's resources, else by file name."""
        files: dict[str, list[tuple[Path, str]]] = defaultdict(list)
        for path, stem in self._datapackage_resources():
            files[TABLES[stem]].append((path, stem))
        by_name: dict[str, list[tuple[Path, str]]] = defaultdict(list)
        for path in sorted(self.folder.iterdir()):
            stem = path.stem.lower()
            if path.suffix.lower() == ".csv" and stem in TABLES and TABLES[stem] not in files:
                by_name[TABLES[stem]].append((path, stem))
        return {**files, **by_name}

    def _datapackage_resources(self) -> Iterator[tuple[Path, str]]:
        descriptor = self.folder / "datapackage.json"
        if not descriptor.is_file():
            return
        try:
            resources = json.loads(descriptor.read_text(encoding="utf-8-sig"))["resources"]
            if not isinstance(resources, list):
                raise TypeError("resources is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            reason = f"not a readable data package ({exc}); tables found by file name"
            self.warnings.append(Problem("datapackage.json", "-", "-", reason))
            return
        root = self.folder.resolve()
        for number, resource in enumerate(resources, start=1):
            if not isinstance(resource, dict):
                continue
            paths = resource.get("path")
            for text in paths if isinstance(paths, list) else [paths]:
                if not isinstance(text, str) or not text:
                    continue
                stem = Path(text).stem.lower()
                if stem not in TABLES:
                    stem = str(resource.get("name") or "").lower()
                if stem not in TABLES:
                    continue  # a table Linkage does not read (contacts, funding, ...)
                path = (self.folder / text).resolve()
                where = f"resource {number}"
                if "://" in text or not path.is_relative_to(root):
                    reason = f"{text!r} is outside the package folder; ignored"
                    self.warnings.append(Problem("datapackage.json", where, "path", reason))
                elif not path.is_file():
                    reason = f"{text!r} not found; looking for the table by file name"
                    self.warnings.append(Problem("datapackage.json", where, "path", reason))
                else:
                    yield path, stem

    # -- loading -----------------------------------------------------------------------------

    def _load(self, table: str) -> list[dict]:
        rows = []
        for path, stem in self.files[table]:
            try:
                csv = CsvFile(path, REQUIRED.get(table, ()))
            except ReadError as exc:  # only services.csv is indispensable
                self.warnings.append(Problem(path.name, "-", "-", f"{exc}; file ignored"))
                continue
            self.warnings.extend(csv.warnings)
            for row in csv:
                if row.problem:
                    p = row.problem
                    self.warnings.append(
                        Problem(p.file, p.row, p.field, f"{p.reason}; row skipped")
                    )
                    continue
                values = self._canonical(table, stem, row)
                values["_at"] = (row.file, row.where)
                rows.append(values)
        return rows

    def _canonical(self, table: str, stem: str, row: CsvRow) -> dict:
        values = dict(row.values)
        for old, new in FIELDS.get(table, {}).items():
            if values.get(old) and not values.get(new):
                values[new] = values[old]
        if table == "addresses":
            parts = (values.get(k, "") for k in ("address_2", "address_3", "address_4"))
            values["address_2"] = ", ".join(p for p in parts if p)
            if not values.get("address_type") and stem in _ADDRESS_TYPES:
                values["address_type"] = _ADDRESS_TYPES[stem]
        elif table == "schedules":
            self._schedule(values, row)
        elif table == "languages" and not (values.get("name") or values.get("code")):
            language = values.get("language", "")  # 2.x: one column, a code or a name
            values["code" if _LANGUAGE_CODE.match(language) else "name"] = language
        elif table == "service_taxonomy":  # 2.x: becomes a 3.0 attribute of the service
            return {
                "id": values.get("id", ""),
                "link_id": values["service_id"],
                "link_entity": "service",
                "taxonomy_term_id": values["taxonomy_id"],
            }
        return values

    def _schedule(self, values: dict, row: CsvRow) -> None:
        """2.x regular_schedules: weekday (name or 1..7) → freq WEEKLY + byday; 12-hour times."""
        weekday = values.get("weekday", "")
        if weekday and not values.get("byday"):
            days = [parse_weekday(w) for w in split_list(weekday, ",;/ \t\r\n")]
            if days and all(days):
                values["byday"] = ",".join(dict.fromkeys(d for d in days if d))
                values["freq"] = values.get("freq") or "WEEKLY"
            else:
                reason = f"unknown weekday {weekday!r}"
                self.warnings.append(Problem(row.file, row.where, "weekday", reason))
        for key in ("opens_at", "closes_at"):
            if _TWELVE_HOUR.search(values.get(key, "")):  # '5:30 PM' → '17:30'; HSDS's as given
                values[key] = parse_time(values[key]) or values[key]

    # -- indexing ----------------------------------------------------------------------------

    def _index(self) -> None:
        t = self.tables
        self.organizations = {r["id"]: r for r in t.get("organizations", ()) if r.get("id")}
        self.locations = {r["id"]: r for r in t.get("locations", ()) if r.get("id")}
        self.terms = {r["id"]: r for r in t.get("taxonomy_terms", ()) if r.get("id")}
        self.vocabularies = {
            r["id"]: r.get("name") or r["id"] for r in t.get("taxonomies", ()) if r.get("id")
        }
        self.sals = _group(t.get("service_at_location", ()), "service_id")
        self.addresses = _group(t.get("addresses", ()), "location_id")
        self.service_areas = _group(t.get("service_areas", ()), "service_id")
        self.cost_options = _group(t.get("cost_options", ()), "service_id")
        self.eligibility = _group(t.get("eligibility", ()), "service_id")
        attributes = [*t.get("attributes", ()), *t.get("service_taxonomy", ())]
        on_services = (
            a
            for a in attributes
            if (a.get("link_entity") or "service").lower() in ("service", "services")
        )
        self.attributes = _group(on_services, "link_id")
        languages = t.get("languages", ())
        self.service_languages = _group(languages, "service_id")
        self.location_languages = _group(
            (r for r in languages if not r.get("service_id")), "location_id"
        )
        self.phone_languages = _group(languages, "phone_id")
        self.phones = _Linked(t.get("phones", ()))
        self.schedules = _Linked(t.get("schedules", ()))

    # -- building records --------------------------------------------------------------------

    def record(self, row: CsvRow, problems: list[Problem]) -> dict:
        """The full service record for one services.csv row; warnings go to `problems`."""
        values = dict(row.values)
        sid = values["id"]
        at = (row.file, row.where)

        def warn(where: tuple[str, str], field: str, reason: str) -> None:
            problems.append(Problem(where[0], where[1], field, reason, sid))

        for old, new in FIELDS["services"].items():
            if values.get(old) and not values.get(new):
                values[new] = values[old]
        if not values.get("eligibility_description"):
            texts = [
                e["eligibility"] for e in self.eligibility.get(sid, ()) if e.get("eligibility")
            ]
            if texts:
                values["eligibility_description"] = "; ".join(texts)
        record = _pick(values, SERVICE_FIELDS)
        for key in ("minimum_age", "maximum_age"):
            if values.get(key):
                number = parse_whole_number(values[key])
                if number is None:
                    warn(at, key, f"not a whole number: {values[key]!r}; dropped")
                else:
                    record[key] = number
        oid = values.get("organization_id")
        if oid:
            organization = self.organizations.get(oid)
            if organization is None and self.organizations:
                warn(at, "organization_id", f"organization {oid!r} not in organizations.csv")
            record["organization"] = {
                **_pick(organization or {"id": oid}, ORGANIZATION_FIELDS),
                "phones": self._phones(self.phones.only("organization_id", oid)),
            }
        record["languages"] = _languages(self.service_languages.get(sid, ()))
        sals, sal_ids, location_ids = self._service_at_locations(values, at, warn)

        def own(linked: _Linked) -> list[dict]:
            """The service's rows not given to one of its service_at_locations."""
            return [
                r
                for r in linked.by("service_id", sid)
                if r.get("service_at_location_id") not in sal_ids
                and r.get("location_id") not in location_ids
            ]

        record["phones"] = self._phones(own(self.phones))
        record["schedules"] = _schedules(own(self.schedules))
        areas = self.service_areas.get(sid, ())
        record["service_areas"] = [_pick(a, SERVICE_AREA_FIELDS) for a in areas]
        record["attributes"] = self._attributes(sid, warn)
        record["cost_options"] = self._cost_options(sid, record["attributes"], warn)
        record["service_at_locations"] = sals
        return record

    def _service_at_locations(
        self, values: dict, at: tuple[str, str], warn: Warn
    ) -> tuple[list[dict], set[str], set[str]]:
        """The service's service_at_locations, their ids, and the ids of their locations."""
        sid = values["id"]
        rows = self.sals.get(sid, [])
        if not rows and values.get("location_id"):  # 1.x-style services.csv names its location
            rows = [{"location_id": values["location_id"], "_at": at}]
        out: list[dict] = []
        ids: set[str] = set()
        location_ids: set[str] = set()
        for sal in rows:
            lid = sal.get("location_id", "")
            location = self.locations.get(lid)
            if location is None:
                reason = f"location {lid!r} not found" if lid else "no location_id"
                warn(sal["_at"], "location_id", f"{reason}; service at location skipped")
                continue
            sal_id = sal.get("id") or f"{sid}:{lid}"
            if sal.get("id"):
                ids.add(sal_id)
            location_ids.add(lid)
            entry = {"id": sal_id}
            if sal.get("description"):
                entry["description"] = sal["description"]
            entry["location"] = self._location(location, warn)
            entry["phones"] = self._phones(self._at_location(self.phones, sid, sal_id, lid))
            entry["schedules"] = _schedules(self._at_location(self.schedules, sid, sal_id, lid))
            out.append(entry)
        return out, ids, location_ids

    @staticmethod
    def _at_location(linked: _Linked, sid: str, sal_id: str, lid: str) -> list[dict]:
        """Rows naming the service_at_location, or the service and the location without one."""
        rows = list(linked.by("service_at_location_id", sal_id))
        rows += [
            r
            for r in linked.by("service_id", sid)
            if r.get("location_id") == lid and not r.get("service_at_location_id")
        ]
        return rows

    def _location(self, row: dict, warn: Warn) -> dict:
        lid = row["id"]
        location = _pick(row, LOCATION_FIELDS)
        location["location_type"] = (row.get("location_type") or "physical").lower()
        for key in ("latitude", "longitude"):
            if row.get(key):
                number = parse_number(row[key])
                if number is None:
                    warn(row["_at"], key, f"not a number: {row[key]!r}; dropped")
                else:
                    location[key] = number
        location["addresses"] = [_pick(a, ADDRESS_FIELDS) for a in self.addresses.get(lid, ())]
        location["phones"] = self._phones(self.phones.only("location_id", lid))
        location["languages"] = _languages(self.location_languages.get(lid, ()))
        location["schedules"] = _schedules(self.schedules.only("location_id", lid))
        return location

    def _phones(self, rows: Iterable[dict]) -> list[dict]:
        phones = []
        for row in rows:
            phone = _pick(row, PHONE_FIELDS)
            if not phone.get("number"):
                continue
            if row.get("id") and (languages := _languages(self.phone_languages.get(row["id"], ()))):
                phone["languages"] = languages
            phones.append(phone)
        return phones

    def _term(self, term_id: str) -> dict | None:
        row = self.terms.get(term_id)
        if row is None:
            return None
        term = _pick(row, ("id", "code", "name", "description"))
        taxonomy = row.get("taxonomy") or ""
        if not taxonomy and row.get("taxonomy_id"):
            taxonomy = self.vocabularies.get(row["taxonomy_id"], row["taxonomy_id"])
        if taxonomy:
            term["taxonomy"] = taxonomy
        parent = self.terms.get(row.get("parent_id", ""))
        parent_name = (parent or {}).get("name") or row.get("parent_name")
        if parent_name:
            term["parent_name"] = parent_name
        return term

    def _attributes(self, sid: str, warn: Warn) -> list[dict]:
        out = []
        for row in self.attributes.get(sid, ()):
            term_id = row["taxonomy_term_id"]
            term = self._term(term_id)
            if term is None:
                warn(
                    row["_at"], "taxonomy_term_id", f"taxonomy term {term_id!r} not found; ignored"
                )
                continue
            attribute = _pick(row, ("id", "link_id", "link_type", "link_entity", "value"))
            attribute["taxonomy_term"] = term
            out.append(attribute)
        return out

    def _cost_options(self, sid: str, attributes: list[dict], warn: Warn) -> list[dict]:
        """The service's cost options; one costing 0 adds the linkage-fees `free` attribute."""
        out = []
        free = False
        for row in self.cost_options.get(sid, ()):
            option = _pick(row, COST_FIELDS)
            if row.get("amount"):
                amount = parse_number(row["amount"])
                if amount is None:
                    warn(row["_at"], "amount", f"not a number: {row['amount']!r}; dropped")
                else:
                    option["amount"] = amount
                    free = free or amount == 0
            out.append(option)
        stated = any(
            (a["taxonomy_term"].get("taxonomy") or "").lower() == conventions.FEES
            for a in attributes
        )
        if free and not stated:
            term = {"taxonomy": conventions.FEES, "code": "free", "name": "Free"}
            attributes.append({"link_entity": "service", "taxonomy_term": term})
        return out


def read(folder: Path) -> Iterator[SourceRow]:
    """One SourceRow per row of services.csv; ReadError when the package cannot be read."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ReadError(
            f"{folder}: not a folder (an HSDS tabular package is a folder of CSV files)"
        )
    package = _Package(folder)
    services = package.services
    pending = [*package.warnings, *services.warnings]
    for row in services:
        where = row.where
        if row.problem:
            yield SourceRow(row.file, where, None, [row.problem])
            continue
        missing = next((f for f in ("id", "name") if not row.values.get(f)), None)
        if missing:
            problem = Problem(
                row.file, where, missing, f"missing service {missing}", row.values.get("id") or None
            )
            yield SourceRow(row.file, where, None, [problem])
            continue
        problems: list[Problem] = []
        record = package.record(row, problems)
        yield SourceRow(row.file, where, record, [*pending, *problems])
        pending = []
