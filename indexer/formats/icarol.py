"""The iCarol / AIRS flat CSV export (how most US 211s share their directory) → HSDS 3.0 full
service records.

An export is one CSV file, one row per record, 100-170 columns whose order and set vary by 211
and by export date: columns are matched by name, case-insensitively, and any may be missing
but `TaxonomyLevelName` and `ResourceAgencyNum` (without them the file is not an iCarol
export: a ReadError). `TaxonomyLevelName` says what a row is:

- `Program` and `ProgramAtSite` rows are what a case manager refers to: each becomes one service.
  Its organization is the `Agency` row its `ParentAgencyNum` names (a missing one is a warning);
  its locations are the `Site` rows its `ConnectsToSiteNum` lists (several, `;`/`,`-separated),
  else its own `Physical*` columns with `Latitude`/`Longitude`.
- `Agency` and `Site` rows are read for those links and counted as skipped (`agency`, `site`).
- A program (or its agency) with `AgencyStatus` `Inactive` or `Active, but do not refer` is
  skipped as `inactive`; one with `ExcludeFromWebsite`/`ExcludeFromDirectory` = Yes or
  `AvailableForDirectory` = No as `excluded`.

What is private never enters the record: an address with `PhysicalAddressIsPrivate` = Yes or
an address line such as "Confidential" keeps only its city, state and ZIP code (no street, no
coordinates, no location description) and marks the service `linkage-flags` /
`confidential-address`; a phone with `...IsPrivate` = Yes is left out. `InternalNotes*` columns
(for a 211's staff) are never read. `MainContact*`/`SeniorWorker*` (staff contacts) are not read.

Free text is put where data/README.md's conventions say and parsed by the converter: hours
(`Hours`, else `HoursOfOperation`) as schedule descriptions, `LanguagesOffered` as one language
name, `CoverageArea`/`CoverageAreaText`/`Coverage` as service area names, `Eligibility` and
`FeeStructureSource` as their descriptions. `TaxonomyCodes` become 211 attributes (compounds
such as `BD-1800.2000 * YB-8000` kept whole). `TemporaryMessage` is the service `alert`, its
`TemporaryMessageAppears`/`Expires` dates `linkage-flags` attributes `notice-starts` /
`notice-ends` (value `YYYY-MM-DD`). `DisabilitiesAccess` is the location's accessibility.
HTML in text becomes plain text; `LastVerifiedOn` (US dates) is the `assured_date`.

`TaxonomyTerms` (the licensed 211 term names, in the order of the codes) name them, kept
apart and published only when the deployer turns LINKAGE_PUBLISH_SOURCE_TERM_NAMES on.

Not read: `TaxonomyTermsNotDeactivated`, `SearchHints` and `Categories` (no
HSDS 3.0 field carries keywords), `Mailing*`/`Other*` addresses (not where a client goes),
capacity and legal columns.

The file is one 211's directory: Agency and Site rows are kept in memory (first pass), then the
rows are read again in order and programs streamed (second pass).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from indexer.csvfiles import CsvFile, CsvRow
from indexer.formats.values import (
    is_false,
    is_true,
    parse_date,
    plain_text,
    postal_code,
    split_211_codes,
    split_extension,
    split_list,
)
from indexer.records import Problem, ReadError, SourceRow, skipped_row, without_empty
from linkage.hsds import conventions
from linkage.hsds.conventions import TAXONOMY_211
from linkage.hsds.ids import term_id

REQUIRED = ("TaxonomyLevelName", "ResourceAgencyNum")
PROGRAM_LEVELS = {"program", "programatsite"}

# PhoneN{Type} as iCarol exports write it → (HSDS 3.0 phone type, a label for the description).
PHONE_TYPES = {
    "voice": ("voice", None),
    "phone": ("voice", None),
    "main": ("voice", None),
    "office": ("voice", None),
    "fax": ("fax", None),
    "tty": ("textphone", "TTY"),
    "tdd": ("textphone", "TDD"),
    "tty/tdd": ("textphone", "TTY/TDD"),
    "textphone": ("textphone", None),
    "cell": ("cell", None),
    "mobile": ("cell", None),
    "text": ("text", None),
    "sms": ("text", None),
    "video": ("video", None),
    "pager": ("pager", None),
    "toll free": ("voice", "Toll-free"),
    "toll-free": ("voice", "Toll-free"),
    "tollfree": ("voice", "Toll-free"),
    "hotline": ("voice", "Hotline"),
    "crisis": ("voice", "Crisis line"),
}
# The named phone columns: column → (HSDS 3.0 phone type, the label it carries).
NAMED_PHONES = (
    ("PhoneNumberHotline", "voice", "Hotline"),
    ("PhoneTollFree", "voice", "Toll-free"),
    ("PhoneNumberBusinessLine", "voice", "Business line"),
    ("PhoneNumberOutOfArea", "voice", "Out of area"),
    ("PhoneNumberAfterHours", "voice", "After hours"),
    ("PhoneTTY", "textphone", "TTY"),
    ("PhoneFax", "fax", None),
)
NUMBERED_PHONES = 5

_PRIVATE_ADDRESS = re.compile(
    r"^(?:confidential|undisclosed|private|withheld)(?:\s+(?:address|location|site))?\.?$", re.I
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


# --- small pure readers ---------------------------------------------------------------------


def one_line(text: str | None) -> str:
    """A name or number: stray `\\r`, line breaks and runs of spaces folded into one space."""
    return " ".join((text or "").split())


def website(text: str) -> str | None:
    """'www.example.org' → 'https://www.example.org' (exports often leave out the scheme)."""
    text = one_line(text)
    if not text or " " in text:
        return None
    return text if _SCHEME.match(text) else f"https://{text}"


def term_names(codes: str, names: str) -> dict[str, str]:
    """The name of each code (as split_211_codes writes it), when the two columns list as
    many entries; a compound's name keeps its ` * `."""
    raw_codes, raw_names = codes.split(";"), names.split(";")
    if len(raw_codes) != len(raw_names):
        return {}
    out = {}
    for code, name in zip(raw_codes, raw_names, strict=True):
        parts = split_211_codes(code)
        if len(parts) == 1 and (text := " * ".join(p.strip() for p in one_line(name).split("*"))):
            out.setdefault(parts[0], text)
    return out


def status_skip(values: dict[str, str]) -> str | None:
    """'inactive' or 'excluded' when a row must not be searchable; None when it may."""
    status = one_line(values.get("agencystatus")).lower()
    if status.startswith("inactive") or "do not refer" in status:
        return "inactive"
    if (
        is_true(values.get("excludefromwebsite", ""))
        or is_true(values.get("excludefromdirectory", ""))
        or is_false(values.get("availablefordirectory", ""))
    ):
        return "excluded"
    return None


def _phone(number: str, owner: str, key: str, kind: str | None, labels: list[str]) -> dict | None:
    number = one_line(number)
    if not number:
        return None
    number, extension = split_extension(number)
    description = ": ".join(dict.fromkeys(label for label in labels if label)) or None
    return without_empty({"id": f"{owner}-{key}", "number": number, "extension": extension,
                   "type": kind, "description": description})  # fmt: skip


def phones(values: dict[str, str], owner: str) -> list[dict]:
    """The public phones of a row, with their labels and types; private ones left out."""
    found = []
    for n in range(1, NUMBERED_PHONES + 1):
        prefix = f"phone{n}"
        if is_true(values.get(f"{prefix}isprivate", "")):
            continue
        raw_type = one_line(values.get(f"{prefix}type")).lower()
        # No type given: a voice line, as HSDS assumes; an unknown one is kept as a label.
        kind, label = PHONE_TYPES.get(
            raw_type or "voice", (None, one_line(values.get(f"{prefix}type")))
        )
        labels = [one_line(values.get(f"{prefix}name")), label,
                  one_line(values.get(f"{prefix}description"))]  # fmt: skip
        if phone := _phone(values.get(f"{prefix}number", ""), owner, prefix, kind, labels):
            found.append(phone)
    for column, kind, label in NAMED_PHONES:
        key = column.lower()
        if is_true(values.get(f"{key}isprivate", "")):
            continue
        labels = [label, one_line(values.get(f"{key}description"))]
        if phone := _phone(values.get(key, ""), owner, key, kind, labels):
            found.append(phone)
    return found


def hours(values: dict[str, str], owner: str) -> list[dict]:
    """Hours as schedule descriptions (data/README.md): the structured `Hours` column where the
    export has it, else the free text of `HoursOfOperation`."""
    for column in ("hours", "hoursofoperation"):
        if text := plain_text(values.get(column)):
            return [{"id": f"{owner}-{column}", "description": text}]
    return []


def location(values: dict[str, str], lid: str) -> tuple[dict | None, bool]:
    """The place a Site row (or a program's own `Physical*` columns) describes, and whether
    its address is private. A private address keeps only its city, state and ZIP code."""
    line_1 = one_line(values.get("physicaladdress1"))
    private = is_true(values.get("physicaladdressisprivate", "")) or bool(
        _PRIVATE_ADDRESS.match(line_1)
    )
    address = without_empty({
        "id": f"{lid}-physical",
        "address_type": "physical",
        "address_1": None if private else line_1,
        "address_2": None if private else one_line(values.get("physicaladdress2")),
        "city": one_line(values.get("physicalcity")),
        "region": one_line(values.get("physicalcounty")),
        "state_province": one_line(values.get("physicalstateprovince")),
        "postal_code": postal_code(values.get("physicalpostalcode", "")),
        "country": one_line(values.get("physicalcountry")) or "US",
    })  # fmt: skip
    has_address = any(address.get(k) for k in ("address_1", "city", "postal_code"))
    lat, lon = one_line(values.get("latitude")), one_line(values.get("longitude"))
    if private:
        lat = lon = ""
    if not has_address and not (lat and lon):
        return None, private
    transport = "; ".join(
        t
        for t in (
            plain_text(values.get("busserviceaccess")),
            plain_text(values.get("publicaccesstransportation")),
        )
        if t
    )
    access = plain_text(values.get("disabilitiesaccess"))
    return without_empty({
        "id": lid,
        "location_type": "physical",
        "name": one_line(values.get("publicname")) or None,
        "description": None if private else plain_text(values.get("physicallocationdescription")),
        "transportation": None if private else transport,
        "latitude": lat,
        "longitude": lon,
        "addresses": [address] if has_address else [],
        "accessibility": [{"id": f"{lid}-access", "description": access}] if access else [],
    }), private  # fmt: skip


# --- the export -----------------------------------------------------------------------------


class _Export:
    """One export file: its header's columns by lower-cased name, and the Agency and Site rows."""

    def __init__(self, path: Path):
        self.csv = CsvFile(path)
        self.columns = {h.lower(): h for h in reversed(self.csv.header) if h}
        missing = [c for c in REQUIRED if c.lower() not in self.columns]
        if missing:
            raise ReadError(
                f"{path.name}: missing required column(s): {', '.join(missing)} (not an "
                "iCarol export?)"
            )
        self.agencies: dict[str, dict[str, str]] = {}
        self.sites: dict[str, dict[str, str]] = {}

    def rows(self) -> Iterator[tuple[CsvRow, dict[str, str]]]:
        """Each row with its values by lower-cased column name."""
        for row in self.csv:
            values = {name: row.values.get(header, "") for name, header in self.columns.items()}
            yield row, values

    def index(self) -> None:
        for row, values in self.rows():
            if row.problem:
                continue
            level = one_line(values["taxonomylevelname"]).lower()
            rid = one_line(values["resourceagencynum"])
            if level == "agency" and rid:
                self.agencies[rid] = values
            elif level == "site" and rid:
                self.sites[rid] = values


def read(path: Path) -> Iterator[SourceRow]:
    """One SourceRow per row of the export: a service for each Program and ProgramAtSite row,
    a skipped row for the others, a rejected one for a row that cannot be read.

    Raises ReadError now (before the first row) when the file is not an iCarol export.
    """
    export = _Export(Path(path))
    return _read(export)


def _read(export: _Export) -> Iterator[SourceRow]:
    export.index()
    pending = list(export.csv.warnings)  # file-level notes (encoding) ride on the first record
    for row, values in export.rows():
        result = _row(export, row, values)
        if result.record is not None and pending:
            result.problems[:0] = pending
            pending = []
        yield result


def _row(export: _Export, row: CsvRow, values: dict[str, str]) -> SourceRow:
    sid = one_line(values["resourceagencynum"])
    if row.problem:
        p = row.problem
        return SourceRow(
            row.file, row.where, None, [Problem(p.file, p.row, p.field, p.reason, sid or None)]
        )
    level = one_line(values["taxonomylevelname"]).lower()
    if level == "agency":
        return skipped_row(row.file, row.where, "agency")
    if level == "site":
        return skipped_row(row.file, row.where, "site")
    if level not in PROGRAM_LEVELS:
        reason = (f"TaxonomyLevelName {values['taxonomylevelname']!r} is none of Agency, Site, "
                  "Program, ProgramAtSite")  # fmt: skip
        return SourceRow(
            row.file,
            row.where,
            None,
            [Problem(row.file, row.where, "TaxonomyLevelName", reason, sid or None)],
        )
    agency_id = one_line(values.get("parentagencynum"))
    agency = export.agencies.get(agency_id)
    skip = status_skip(values) or (status_skip(agency) if agency else None)
    if skip:
        return skipped_row(row.file, row.where, skip)
    return service(export, row, values, sid, agency_id, agency)


def service(
    export: _Export,
    row: CsvRow,
    values: dict[str, str],
    sid: str,
    agency_id: str,
    agency: dict[str, str] | None,
) -> SourceRow:
    """The HSDS 3.0 full service record of one Program or ProgramAtSite row."""
    problems: list[Problem] = []

    def warn(field_name: str, reason: str) -> None:
        problems.append(Problem(row.file, row.where, field_name, reason, sid or None))

    name = (one_line(values.get("publicname")) or one_line(values.get("officialname"))
            or one_line(values.get("alternatename")))  # fmt: skip
    if not sid:
        return SourceRow(row.file, row.where, None,
                         [Problem(row.file, row.where, "ResourceAgencyNum", "missing record id")])  # fmt: skip
    if not name:
        return SourceRow(row.file, row.where, None,
                         [Problem(row.file, row.where, "PublicName", "missing program name", sid)])  # fmt: skip

    organization = None
    if agency is not None:
        organization = without_empty({
            "id": agency_id,
            "name": one_line(agency.get("publicname")) or one_line(agency.get("officialname")),
            "alternate_name": one_line(agency.get("alternatename")),
            "description": plain_text(agency.get("agencydescription")),
            "url": website(agency.get("websiteaddress", "")),
            "email": one_line(agency.get("emailaddressmain")),
            "phones": phones(agency, agency_id),
        })  # fmt: skip
    elif agency_id and agency_id != "0":
        warn("ParentAgencyNum", f"agency {agency_id} is not in the file: no organization")

    program_hours = hours(values, sid)
    sals, confidential = [], False
    for site_id in split_list(values.get("connectstositenum", ""), ",; "):
        site = export.sites.get(site_id)
        if site is None:
            warn("ConnectsToSiteNum", f"site {site_id} is not in the file")
            continue
        if status_skip(site):
            warn("ConnectsToSiteNum", f"site {site_id} is inactive or excluded: not listed")
            continue
        place, private = location(site, site_id)
        if place is None:
            continue
        confidential |= private
        if not program_hours and (site_hours := hours(site, site_id)):
            place["schedules"] = site_hours
        place["phones"] = phones(site, site_id)
        sals.append({"id": f"{sid}@{site_id}", "location": without_empty(place)})
    if not sals:
        place, private = location(values, f"{sid}-site")
        if place is not None:
            confidential |= private
            sals.append({"id": f"{sid}@{sid}-site", "location": place})

    names = term_names(values.get("taxonomycodes", ""), values.get("taxonomyterms", ""))
    attributes = [
        {"id": f"{sid}-211-{i}", "taxonomy_term": without_empty({"id": term_id(TAXONOMY_211, code), "taxonomy": TAXONOMY_211, "code": code, "name": names.get(code)})}
        for i, code in enumerate(split_211_codes(values.get("taxonomycodes", "")), start=1)
    ]  # fmt: skip
    if confidential:
        attributes.append(_flag(sid, conventions.CONFIDENTIAL))
    alert = plain_text(values.get("temporarymessage"))
    if alert:
        for column, code in (("temporarymessageappears", conventions.NOTICE_STARTS),
                             ("temporarymessageexpires", conventions.NOTICE_ENDS)):  # fmt: skip
            text = one_line(values.get(column))
            if not text:
                continue
            if (day := parse_date(text)) is None:
                warn(column, f"not a date: {text!r}; the notice is shown without it")
                continue
            attributes.append(_flag(sid, code, day.isoformat()))

    assured = None
    if verified := one_line(values.get("lastverifiedon")):
        day = parse_date(verified)
        if day is None:
            warn("LastVerifiedOn", f"not a date: {verified!r}")
        assured = day.isoformat() if day else None

    languages = [
        {"name": text}
        for text in dict.fromkeys(
            one_line(values.get(c)) for c in ("languagesoffered", "languagesofferedlist")
        )
        if text
    ]
    area_texts = [
        plain_text(values.get(c)) for c in ("coveragearea", "coverageareatext", "coverage")
    ]
    areas = [
        {"id": f"{sid}-area-{i}", "name": text}
        for i, text in enumerate(dict.fromkeys(t for t in area_texts if t), start=1)
    ]
    documents = plain_text(values.get("documentsrequired"))
    record = without_empty({
        "id": sid,
        "name": name,
        "alternate_name": one_line(values.get("alternatename")),
        "description": plain_text(values.get("agencydescription")),
        "url": website(values.get("websiteaddress", "")),
        "email": one_line(values.get("emailaddressmain")),
        "status": conventions.ACTIVE,
        "application_process": plain_text(values.get("applicationprocess")),
        "eligibility_description": plain_text(values.get("eligibility")),
        "fees_description": plain_text(values.get("feestructuresource")),
        "assured_date": assured,
        "alert": alert,
        "organization": organization,
        "phones": phones(values, sid),
        "schedules": program_hours,
        "languages": languages,
        "service_areas": areas,
        "required_documents": [{"id": f"{sid}-documents", "document": documents}] if documents else [],
        "attributes": attributes,
        "service_at_locations": sals,
    })  # fmt: skip
    return SourceRow(row.file, row.where, record, problems)


def _flag(sid: str, code: str, value: str | None = None) -> dict:
    return without_empty({
        "id": f"{sid}-{code}",
        "taxonomy_term": {"id": term_id(conventions.FLAGS, code), "taxonomy": conventions.FLAGS, "code": code},
        "value": value,
    })  # fmt: skip


def header_matches(header: list[str]) -> bool:
    """An iCarol export's header: it has `TaxonomyLevelName` and `ResourceAgencyNum`."""
    names = {h.strip().lower() for h in header}
    return all(c.lower() in names for c in REQUIRED)
