"""Ohana API CSV export (Code for America) → HSDS 3.0 full service records.

An export is a folder of CSV files: organizations, locations and services (required), and
addresses, mail_addresses, phones, regular_schedules, taxonomy and programs (read when present).
Each Ohana service belongs to one location, which belongs to one organization; every row of
services.csv becomes one record with a single service-at-location.

The small tables are loaded into dicts first (an export is one county or city); services.csv is
streamed. A value that cannot be read is dropped with a warning on the record that lost it;
a service is rejected only without an id, a name or a location.

Not read: contacts.csv, holiday_schedules.csv (Linkage keeps weekly hours only), and the
service columns keywords and accepted_payments (no HSDS 3.0 field carries them).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path

from indexer.csvfiles import CsvFile, CsvRow
from indexer.formats.values import (
    fees_kind,
    is_true,
    language_entries,
    names_county,
    parse_ages,
    parse_number,
    parse_time,
    parse_weekday,
    service_area_extent,
    split_list,
    state_code,
)
from indexer.records import Problem, ReadError, SourceRow, without_empty
from linkage.hsds import conventions

REQUIRED = {
    "organizations.csv": ("id", "name"),
    "locations.csv": ("id", "organization_id", "name"),
    "services.csv": ("id", "location_id", "name"),
}
OPTIONAL = {
    "addresses.csv": ("location_id",),
    "mail_addresses.csv": ("location_id",),
    "phones.csv": ("number",),
    "regular_schedules.csv": ("weekday", "opens_at", "closes_at"),
    "taxonomy.csv": ("taxonomy_id", "name"),
    "programs.csv": ("id", "name"),
}


# Ohana's accessibility options and the labels its clients show for them.
ACCESSIBILITY = {
    "cd": "Information on CD",
    "deaf_interpreter": "Interpreter for the deaf",
    "disabled_parking": "Disabled parking",
    "elevator": "Elevator",
    "ramp": "Ramp",
    "restroom": "Disabled restroom",
    "tape_braille": "Information on tape or in Braille",
    "tty": "TTY",
    "wheelchair": "Wheelchair accessible",
    "wheelchair_van": "Wheelchair-accessible van",
}

# Ohana number_type → HSDS 3.0 phone type.
PHONE_TYPES = {
    "voice": "voice",
    "hotline": "voice",
    "fax": "fax",
    "tty": "textphone",
    "sms": "text",
    "text": "text",
    "cell": "cell",
    "video": "video",
    "pager": "pager",
}

# --- the export -----------------------------------------------------------------------------


def read(folder: Path) -> Iterator[SourceRow]:
    """One SourceRow per row of services.csv.

    Raises ReadError now (before the first row) when a required file or column is missing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ReadError(f"{folder}: not a folder (an Ohana export is a folder of CSV files)")
    for name in REQUIRED:
        if not (folder / name).is_file():
            raise ReadError(f"{name}: missing (an Ohana export needs {', '.join(REQUIRED)})")
    export = _Export(folder)
    services = CsvFile(folder / "services.csv", REQUIRED["services.csv"])
    return export.rows(services)


class _Export:
    """The small tables of one export, as HSDS pieces keyed by Ohana id."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file_warnings: list[Problem] = []
        # Warnings about one organization, location or service: (kind, id) → problems. Each is
        # given once, on the first record that uses it.
        self.notes: dict[tuple[str, str], list[Problem]] = {}
        self.given: set[tuple[str, str]] = set()

        organizations = self._table("organizations.csv", REQUIRED["organizations.csv"])
        locations = self._table("locations.csv", REQUIRED["locations.csv"])
        self.phones: dict[tuple[str, str], list[dict]] = {}
        for row in self._rows("phones.csv"):
            self._phone(row)
        self.schedules: dict[tuple[str, str], list[dict]] = {}
        for row in self._rows("regular_schedules.csv"):
            self._schedule(row)
        self.addresses: dict[str, list[dict]] = {}
        for row in self._rows("addresses.csv"):
            self._address(row, "physical", self.addresses)
        self.mail_addresses: dict[str, list[dict]] = {}
        for row in self._rows("mail_addresses.csv"):
            self._address(row, "postal", self.mail_addresses)
        self.taxonomy: dict[str, dict] = {}
        for row in self._rows("taxonomy.csv"):
            v = row.values
            self.taxonomy[v["taxonomy_id"]] = v
        self.programs: dict[str, dict] = {}
        for row in self._rows("programs.csv"):
            v = row.values
            self.programs[v["id"]] = without_empty(
                {"id": v["id"], "name": v["name"], "alternate_name": v.get("alternate_name")}
            )

        self.organizations = {}
        for row in self._good(organizations):
            self.organizations[row.values["id"]] = self._organization(row)
        self.locations: dict[str, dict] = {}
        self.location_states: dict[str, str | None] = {}
        self.location_orgs: dict[str, str] = {}
        self.bad_locations: dict[str, Problem] = {}
        for row in locations:
            lid = row.values.get("id", "")
            if row.problem:
                if lid:
                    self.bad_locations[lid] = row.problem
                else:
                    self.file_warnings.append(_skipped(row.problem))
                continue
            if lid:
                self.locations[lid] = self._location(row)

    # reading tables

    def _table(self, name: str, required: tuple[str, ...]) -> CsvFile:
        table = CsvFile(self.folder / name, required)
        self.file_warnings.extend(table.warnings)
        return table

    def _rows(self, name: str) -> Iterator[CsvRow]:
        """The readable rows of an optional table; a table that cannot be read is ignored."""
        path = self.folder / name
        if not path.is_file():
            return
        try:
            table = self._table(name, OPTIONAL[name])
        except ReadError as exc:
            self.file_warnings.append(Problem(name, "-", "-", f"{exc}; file ignored"))
            return
        yield from self._good(table)

    def _good(self, table: CsvFile) -> Iterator[CsvRow]:
        for row in table:
            if row.problem:
                self.file_warnings.append(_skipped(row.problem))
            else:
                yield row

    def _note(self, kind: str, key: str, row: CsvRow, field_name: str, reason: str) -> None:
        self.notes.setdefault((kind, key), []).append(
            Problem(row.file, row.where, field_name, reason)
        )

    # one row of each table

    def _owner(self, row: CsvRow) -> tuple[str, str] | None:
        v = row.values
        for kind in ("service", "location", "organization"):
            if v.get(f"{kind}_id"):
                return kind, v[f"{kind}_id"]
        return None

    def _phone(self, row: CsvRow) -> None:
        owner = self._owner(row)  # contact phones: contacts are not read
        if owner is None:
            return
        v = row.values
        number = v["number"]
        if not number:
            self._note(*owner, row, "number", "phone without a number; dropped")
            return
        prefix = v.get("country_prefix", "")
        if prefix and not number.startswith("+"):
            number = f"{prefix} {number}"
        raw_type = v.get("number_type", "").lower()
        phone_type = PHONE_TYPES.get(raw_type)
        if raw_type and not phone_type:
            self._note(*owner, row, "number_type", f"unknown phone type {raw_type!r}; type dropped")
        extension = v.get("extension", "")
        self.phones.setdefault(owner, []).append(without_empty({
            "id": f"phone-{v.get('id') or row.number}",
            "number": number,
            "extension": int(extension) if extension.isdigit() else extension,
            "type": phone_type,
            "description": _phone_description(v.get("department", ""), v.get("vanity_number", "")),
        }))  # fmt: skip

    def _schedule(self, row: CsvRow) -> None:
        owner = self._owner(row)
        if owner is None or owner[0] == "organization":
            return
        v = row.values
        day = parse_weekday(v["weekday"])
        opens, closes = parse_time(v["opens_at"]), parse_time(v["closes_at"])
        if day is None:
            self._note(
                *owner, row, "weekday", f"unknown weekday {v['weekday']!r}; schedule dropped"
            )
        elif opens is None or closes is None:
            bad = "opens_at" if opens is None else "closes_at"
            self._note(*owner, row, bad, f"not a time of day: {v[bad]!r}; schedule dropped")
        else:
            self.schedules.setdefault(owner, []).append({
                "id": f"schedule-{v.get('id') or row.number}",
                "freq": "WEEKLY",
                "byday": day,
                "opens_at": opens,
                "closes_at": closes,
            })  # fmt: skip

    def _address(self, row: CsvRow, address_type: str, into: dict[str, list[dict]]) -> None:
        v = row.values
        if not v["location_id"]:
            return
        prefix = "address" if address_type == "physical" else "mail-address"
        into.setdefault(v["location_id"], []).append(without_empty({
            "id": f"{prefix}-{v.get('id') or row.number}",
            "attention": v.get("attention"),
            "address_1": v.get("address_1"),
            "address_2": v.get("address_2"),
            "city": v.get("city"),
            "state_province": v.get("state_province"),
            "postal_code": v.get("postal_code"),
            "country": v.get("country") or "US",
            "address_type": address_type,
        }))  # fmt: skip

    def _organization(self, row: CsvRow) -> dict:
        v = row.values
        year = re.search(r"\b(1[6-9]\d\d|20\d\d)\b", v.get("date_incorporated", ""))
        return without_empty({
            "id": v["id"],
            "name": v["name"],
            "alternate_name": v.get("alternate_name"),
            "description": v.get("description"),
            "email": v.get("email"),
            "website": v.get("website"),
            "url": v.get("website"),
            "legal_status": v.get("legal_status"),
            "tax_status": v.get("tax_status"),
            "tax_id": v.get("tax_id"),
            "year_incorporated": int(year.group(1)) if year else None,
            "funding": [{"id": f"org-{v['id']}-funding-{n}", "source": s}
                        for n, s in enumerate(split_list(v.get("funding_sources", ""), ","), 1)],
            "phones": self.phones.get(("organization", v["id"]), []),
        })  # fmt: skip

    def _location(self, row: CsvRow) -> dict:
        v = row.values
        lid = v["id"]
        addresses = self.addresses.get(lid) or self.mail_addresses.get(lid) or []
        state = next(
            (a.get("state_province", "") for a in addresses if a.get("state_province")), ""
        )
        self.location_states[lid] = state_code(state)
        self.location_orgs[lid] = v["organization_id"]
        lat_text, lon_text = v.get("latitude", ""), v.get("longitude", "")
        lat, lon = parse_number(lat_text), parse_number(lon_text)
        if (lat_text or lon_text) and (lat is None or lon is None):
            self._note("location", lid, row, "latitude/longitude",
                       f"not a coordinate pair: {lat_text!r}, {lon_text!r}; dropped")  # fmt: skip
            lat = lon = None
        access = []
        for n, key in enumerate(split_list(v.get("accessibility", ""), ","), 1):
            label = ACCESSIBILITY.get(key.lower(), key.replace("_", " ").capitalize())
            access.append({"id": f"location-{lid}-access-{n}", "description": label})
        return without_empty({
            "id": lid,
            "name": v["name"],
            "alternate_name": v.get("alternate_name"),
            "description": v.get("description") or v.get("short_desc"),
            "transportation": v.get("transportation"),
            "url": v.get("website"),
            "location_type": "virtual" if is_true(v.get("virtual")) else "physical",
            "latitude": lat,
            "longitude": lon,
            "addresses": addresses,
            "phones": self.phones.get(("location", lid), []),
            "languages": language_entries(v.get("languages", "")),
            "accessibility": access,
        })  # fmt: skip

    # services

    def rows(self, services: CsvFile) -> Iterator[SourceRow]:
        pending = self.file_warnings + services.warnings
        for row in services:
            result = self.service(row)
            if result.record is not None and pending:
                result.problems[:0] = pending
                pending = []
            yield result

    def service(self, row: CsvRow) -> SourceRow:
        v = row.values
        sid = v.get("id", "")

        def reject(field_name: str, reason: str) -> SourceRow:
            problem = Problem(row.file, row.where, field_name, reason, sid or None)
            return SourceRow(row.file, row.where, None, [problem])

        if row.problem:
            p = row.problem
            return SourceRow(
                row.file, row.where, None, [Problem(p.file, p.row, p.field, p.reason, sid or None)]
            )
        if not sid:
            return reject("id", "missing service id")
        if not v["name"]:
            return reject("name", "missing service name")
        lid = v["location_id"]
        if not lid:
            return reject("location_id", "missing location_id")
        if lid in self.bad_locations:
            return reject("location_id", f"location {lid!r} is unreadable: {self.bad_locations[lid].reason} "
                                         f"(locations.csv {self.bad_locations[lid].row})")  # fmt: skip
        if lid not in self.locations:
            return reject("location_id", f"no location with id {lid!r} in locations.csv")

        problems: list[Problem] = []

        def warn(field_name: str, reason: str) -> None:
            problems.append(Problem(row.file, row.where, field_name, reason, sid))

        oid = self.location_orgs[lid]
        organization = self.organizations.get(oid)
        if organization is None:
            warn(
                "organization",
                f"location {lid!r} names organization {oid!r}, not in organizations.csv; left out",
            )
        for key in (("organization", oid), ("location", lid), ("service", sid)):
            if key not in self.given:
                self.given.add(key)
                problems.extend(
                    Problem(p.file, p.row, p.field, p.reason, sid) for p in self.notes.get(key, ())
                )

        location = copy.deepcopy(self.locations[lid])
        schedules = (
            self.schedules.get(("service", sid)) or self.schedules.get(("location", lid)) or []
        )
        state = self.location_states[lid]
        areas = []
        for n, name in enumerate(split_list(v.get("service_areas", ""), ","), 1):
            extent = service_area_extent(name, state)
            if extent:
                areas.append(
                    {"id": f"{sid}-area-{n}", "name": name, "extent_type": "text", "extent": extent}
                )
            else:
                areas.append({"id": f"{sid}-area-{n}", "name": name})
                if names_county(name):
                    warn(
                        "service_areas",
                        f"county {name!r} without a known state; kept as a name only",
                    )
        eligibility = [v.get("eligibility", ""), v.get("audience", "")]
        minimum_age, maximum_age = parse_ages(*eligibility)
        program = None
        if program_id := v.get("program_id", ""):
            program = self.programs.get(program_id)
            if program is None:
                warn("program_id", f"no program with id {program_id!r}; left out")

        record = without_empty({
            "id": sid,
            "name": v["name"],
            "alternate_name": v.get("alternate_name"),
            "description": v.get("description"),
            "url": v.get("website"),
            "email": v.get("email"),
            "status": (v.get("status") or conventions.ACTIVE).lower(),
            "interpretation_services": v.get("interpretation_services"),
            "application_process": v.get("application_process"),
            "fees_description": v.get("fees"),
            "wait_time": v.get("wait_time"),
            "eligibility_description": _eligibility(*eligibility),
            "minimum_age": minimum_age,
            "maximum_age": maximum_age,
            "organization": copy.deepcopy(organization),
            "program": copy.deepcopy(program),
            "funding": [{"id": f"{sid}-funding-{n}", "source": s}
                        for n, s in enumerate(split_list(v.get("funding_sources", ""), ","), 1)],
            "required_documents": [{"id": f"{sid}-document-{n}", "document": d}
                                   for n, d in enumerate(split_list(v.get("required_documents", ""), ","), 1)],
            "languages": language_entries(v.get("languages", "")),
            "phones": copy.deepcopy(self.phones.get(("service", sid), [])),
            "service_areas": areas,
            "attributes": self._attributes(sid, v, warn),
            "service_at_locations": [without_empty({
                "id": f"{sid}@{lid}",
                "location": location,
                "schedules": copy.deepcopy(schedules),
            })],
        })  # fmt: skip
        return SourceRow(row.file, row.where, record, problems)

    def _attributes(self, sid: str, v: dict[str, str], warn) -> list[dict]:
        attributes = []
        for tid in dict.fromkeys(split_list(v.get("taxonomy_ids"), ",; \t\r\n")):
            term = self.taxonomy.get(tid)
            if term is None:
                warn("taxonomy_ids", f"no taxonomy term {tid!r} in taxonomy.csv; category dropped")
                continue
            parent = term.get("parent_id", "")
            attributes.append({
                "id": f"{sid}-tax-{tid}",
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term_id": f"ohana-{tid}",
                "taxonomy_term": {
                    "id": f"ohana-{tid}",
                    "taxonomy": conventions.OPEN_ELIGIBILITY,
                    "code": tid,
                    "name": term["name"],
                    "parent_id": f"ohana-{parent}" if parent else None,
                    "parent_name": term.get("parent_name") or None,
                },
            })  # fmt: skip
        # Ohana's free-text keywords are mostly AIRS-style service names ("Home Delivered
        # Meals", "Job Training"): offered to the crosswalk, which maps those it knows by name.
        for n, keyword in enumerate(dict.fromkeys(split_list(v.get("keywords"), ","))):
            attributes.append({
                "id": f"{sid}-kw-{n}",
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term": {"id": f"ohana-keyword-{n}", "taxonomy": "ohana-keywords", "name": keyword},
            })  # fmt: skip
        if kind := fees_kind(v.get("fees", "")):
            attributes.append({
                "id": f"{sid}-fees",
                "link_id": sid,
                "link_entity": "service",
                "taxonomy_term_id": f"{conventions.FEES}-{kind}",
                "taxonomy_term": {"id": f"{conventions.FEES}-{kind}", "taxonomy": conventions.FEES, "code": kind},
            })  # fmt: skip
        return attributes


def _eligibility(eligibility: str, audience: str) -> str | None:
    """Ohana's eligibility and audience as one text: 'Age 55 or over. Audience: Older adults'."""
    if eligibility and audience:
        end = "" if eligibility.endswith((".", "!", "?")) else "."
        return f"{eligibility}{end} Audience: {audience}"
    return eligibility or audience or None


def _phone_description(department: str, vanity: str) -> str | None:
    if vanity:
        return f"{department} ({vanity})" if department else vanity
    return department or None


def _skipped(problem: Problem) -> Problem:
    return Problem(
        problem.file,
        problem.row,
        problem.field,
        f"{problem.reason}; row skipped",
        problem.record_id,
    )
