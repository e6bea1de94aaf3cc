"""HSDS 3.0 service records → resource documents (one per service at a location).

Conventions Linkage reads on top of plain HSDS are described in data/README.md.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from indexer.crosswalk import Crosswalk
from indexer.formats.values import (
    is_211_code,
    parse_date,
    parse_eligibility,
    parse_fees,
    parse_hours,
    parse_languages,
    parse_number,
    parse_service_areas,
    parse_whole_number,
    phone_number,
    split_211_codes,
    state_code,
    zip5,
)
from indexer.geocoding import AddressGeocoder
from indexer.infer import CategoryInferrer
from indexer.records import Problem, SourceRow
from linkage import hours, places
from linkage.hsds import conventions, ids
from linkage.hsds.conventions import CONVENTION_TAXONOMIES
from linkage.languages import language_code
from linkage.search.document import FEES, InvalidDocument, check_document
from linkage.taxonomy import Taxonomy


@dataclass
class Converted:
    """What one record became: documents to index, and problems found on the way.

    A record with any rejection is not indexed at all; a warning drops one value (an
    invalid coordinate, say) and keeps the record.
    """

    documents: list[dict] = field(default_factory=list)
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


_NAME_NOISE = re.compile(r"\b(inc|incorporated|llc|corp|corporation|the|of|co)\b|[^a-z0-9 ]")


def dedupe_key(
    organization: str | None, service: str, source: str = "", organization_id: str | None = None
) -> str:
    """The same organization and service name however written: case, punctuation, 'Inc.'.

    An organization with no name is known only by its id, which means something within its
    source alone: its key names both, so nameless organizations are not all one."""

    def norm(text: str | None) -> str:
        return " ".join(_NAME_NOISE.sub(" ", (text or "").lower()).split())

    who = norm(organization)
    if not who and (organization_id or "").strip():
        who = f"#{source}#{organization_id.strip()}"  # '#' is never left in a normalised name
    return f"{who}|{norm(service)}"


def document_id(source: str, service_id: str, location_id: str | None) -> str:
    """Stable across imports: derived from the source name and the source's own ids."""
    key = "\x1f".join((source, service_id, location_id or "-"))
    return hashlib.sha1(key.encode()).hexdigest()[:24]


def _attributes(service: dict, taxonomy_name: str) -> list[dict]:
    return [
        a
        for a in service.get("attributes") or ()
        if ((a.get("taxonomy_term") or {}).get("taxonomy") or "").lower() == taxonomy_name
    ]


def _codes(service: dict, taxonomy_name: str) -> list[str]:
    return [a["taxonomy_term"].get("code") or "" for a in _attributes(service, taxonomy_name)]


class _Spoken(NamedTuple):
    """What the language entries of some holders say: codes, coded entries Linkage does not
    know, whether interpretation is offered, and the free text they were read from."""

    codes: list[str]
    unknown: list[str]
    interpretation: bool
    texts: list[str]


def _languages(*holders: dict) -> _Spoken:
    """ISO 639 codes from HSDS language entries: by code (any ISO 639 code or English name),
    else by reading the name as free text (values.parse_languages: "Spanish and ASL.")."""
    seen: dict[str, None] = {}
    unknown, texts = [], []
    interpretation = False
    for holder in holders:
        for lang in holder.get("languages") or ():
            code = str(lang.get("code") or "").strip().lower()
            name = str(lang.get("name") or "").strip()
            if code:
                if known := language_code(code):
                    seen[known] = None
                else:
                    unknown.append(code)
            elif name:
                texts.append(name)
                read = parse_languages(name)
                seen.update(dict.fromkeys(read.codes))
                interpretation = interpretation or read.interpretation
    return _Spoken(list(seen), unknown, interpretation, texts)


def _location_languages(base: dict, location: dict) -> dict:
    """The document's language fields: the service's and its location's."""
    spoken = _languages(location)
    texts = [t for t in (base.get("languages_text"), "; ".join(spoken.texts)) if t]
    return {
        "languages": list(dict.fromkeys(base["languages"] + spoken.codes)),
        "interpretation": bool(base.get("interpretation") or spoken.interpretation),
        "languages_text": "; ".join(dict.fromkeys(texts)) or None,
    }


def _codes_211(service: dict, crosswalk: Crosswalk) -> list[str]:
    """The record's 211 codes as given (upper case), each part of a compound code apart."""
    found: dict[str, None] = {}
    for a in service.get("attributes") or ():
        term = a.get("taxonomy_term") or {}
        if crosswalk.is_211((term.get("taxonomy") or "").strip().lower()):
            for compound in split_211_codes(str(term.get("code") or term.get("name") or "")):
                parts = (p.strip().upper() for p in compound.split(" * "))
                found.update(dict.fromkeys(p for p in parts if is_211_code(p)))
    return list(found)


def _names_211(service: dict, crosswalk: Crosswalk) -> list[str]:
    """The names the record gives its 211 codes, `CODE<tab>name`, a compound's parts apart
    when its name has as many parts (`Food Pantries * Older Adults`)."""
    found: dict[str, None] = {}
    for a in service.get("attributes") or ():
        term = a.get("taxonomy_term") or {}
        code, name = str(term.get("code") or ""), " ".join(str(term.get("name") or "").split())
        if not crosswalk.is_211((term.get("taxonomy") or "").strip().lower()) or not name:
            continue
        codes, names = code.split(" * "), name.split(" * ")
        if len(codes) == len(names):
            pairs = ((c.strip().upper(), n.strip()) for c, n in zip(codes, names, strict=True))
            found.update(dict.fromkeys(f"{c}\t{n}" for c, n in pairs if is_211_code(c) and n != c))
    return list(found)


def _open_eligibility_terms(service: dict, crosswalk: Crosswalk) -> list[str]:
    """The record's Open Eligibility codes, each `CODE<tab>name` with the name it gives the
    code (empty if none). A term named but not coded (`Food Pantry`) has no code to keep: its
    category is all it gives."""
    found: dict[str, None] = {}
    for a in service.get("attributes") or ():
        term = a.get("taxonomy_term") or {}
        code = " ".join(str(term.get("code") or "").split())
        if crosswalk.is_open_eligibility((term.get("taxonomy") or "").strip().lower()) and code:
            name = " ".join(str(term.get("name") or "").split())
            found[f"{code}\t{name if name != code else ''}"] = None
    return list(found)


def _phones(*holders: dict) -> list[dict]:
    seen: dict[str, dict] = {}
    for holder in holders:
        for phone in holder.get("phones") or ():
            number = phone_number(str(phone.get("number") or "").strip().strip('"'))
            if number and number not in seen:
                ext = phone.get("extension")
                seen[number] = {
                    "number": number,
                    "extension": str(ext) if ext not in (None, "") else None,
                    "type": phone.get("type"),
                    "description": phone.get("description"),
                }
    return list(seen.values())


def _address(location: dict) -> dict | None:
    addresses = location.get("addresses") or []
    physical = [a for a in addresses if (a.get("address_type") or "physical") == "physical"]
    chosen = (physical or addresses or [None])[0]
    if not chosen:
        return None
    street = ", ".join(p for p in (chosen.get("address_1"), chosen.get("address_2")) if p)
    return {
        "street": street or None,
        "city": chosen.get("city"),
        "state": (chosen.get("state_province") or "").upper() or None,
        "postal_code": zip5(chosen.get("postal_code")),
        "county": None,
    }


class Converter:
    """Converts one source's HSDS records; keeps what it needs between records."""

    def __init__(
        self,
        source: str,
        taxonomy: Taxonomy,
        default_timezone: str,
        crosswalk: Crosswalk | None = None,
        geocoder: AddressGeocoder | None = None,
        inferrer: CategoryInferrer | bool = True,
    ):
        self.source = source
        # Categories for records that have none after the crosswalk (True: the default rules,
        # whose model loads on the first such record; False: none inferred).
        self.inferrer = CategoryInferrer(taxonomy) if inferrer is True else inferrer or None
        self.geocoder = geocoder  # for addresses without coordinates; None: ZIP centroids only
        self.taxonomy = taxonomy
        self.default_timezone = default_timezone
        self.crosswalk = crosswalk or Crosswalk(taxonomy)
        # Source terms no category maps to: (taxonomy, term) → how many records carried them.
        self.unmapped: Counter[tuple[str, str]] = Counter()
        # Counts for the report by dotted name ("free_text.languages.understood", ...); the
        # loader takes them with each batch (load.Report.tallies).
        self.tally: Counter[str] = Counter()

    def convert(self, row: SourceRow) -> Converted:
        out = Converted()
        service = row.record
        sid = str(service.get("id") or "").strip() if isinstance(service, dict) else ""

        def problem(field_name: str, reason: str) -> Problem:
            return Problem(row.file, row.row, field_name, reason, sid or None)

        if not isinstance(service, dict):
            out.rejections.append(problem("-", "record is not a JSON object"))
            return out
        if not sid:
            out.rejections.append(problem("id", "missing service id"))
            return out
        if not (service.get("name") or "").strip():
            out.rejections.append(problem("name", "missing service name"))
            return out
        base, notes = self._service_fields(service, problem, out)
        sals = service.get("service_at_locations") or []
        if not sals:
            sals = [{"id": None, "location": None}]
        organization_id = str((service.get("organization") or {}).get("id") or "")
        base["dedupe_key"] = dedupe_key(
            base["organization_name"], base["service_name"], self.source, organization_id
        )
        base["origin"] = {"file": row.file, "row": row.row, "documents": len(sals)}
        for sal in sals:
            doc = self._document(service, sal, base, list(notes), problem, out)
            doc["hsds_ids"] = ids.lookup_ids(doc)  # how the HSDS API finds it by UUID
            try:
                check_document(doc)  # raises on anything the mapping or the API could not take
                out.documents.append(doc)
            except InvalidDocument as exc:
                out.rejections.append(problem(exc.field, exc.message))
        if out.rejections:
            out.documents.clear()
        return out

    def _service_fields(self, service: dict, problem, out: Converted) -> tuple[dict, list[str]]:
        notes: list[str] = []
        categories, population_tags = self._categories(service, notes)
        origin = {"category_source": "source" if categories else None}
        if not categories and self.inferrer is not None:
            inferred = self.inferrer.infer(service)  # never over the source's categories
            if inferred.categories:
                categories = inferred.categories
                origin = {
                    "category_source": "inferred",
                    "category_inferred_from": inferred.evidence,
                }
        self.tally[f"categories.{origin['category_source'] or 'none'}"] += 1
        verified = str(service.get("assured_date") or "").strip()
        if (assured := parse_date(verified)) is None and verified:
            out.warnings.append(problem("assured_date", f"not a date: {verified!r}; dropped"))
        base = {
            "source": self.source,
            "service_name": service["name"].strip(),
            "description": service.get("description"),
            "organization_name": (service.get("organization") or {}).get("name"),
            **self._category_fields(categories),
            "codes_211": _codes_211(service, self.crosswalk),
            "names_211": _names_211(service, self.crosswalk),
            "open_eligibility_terms": _open_eligibility_terms(service, self.crosswalk),
            "confidential": conventions.CONFIDENTIAL in _codes(service, conventions.FLAGS),
            **self._service_languages(service, problem, out),
            "eligibility": self._eligibility(service, population_tags, problem, out),
            "fees": self._fees(service),
            "fees_description": service.get("fees_description"),
            **self._service_areas(service, notes),
            "status": (service.get("status") or conventions.ACTIVE).lower(),
            "last_verified": assured.isoformat() if assured else None,
            "url": service.get("url"),
            "email": service.get("email"),
            "application_process": service.get("application_process"),
            "required_documents": [
                d["document"] for d in service.get("required_documents") or () if d.get("document")
            ],
            # A dated notice (iCarol's TemporaryMessage): kept with its dates, shown by search
            # only while current (linkage.search.results.current_notice).
            "notice": _notice(service),
        }
        base.update(origin)
        return base, notes

    # Tags that hide a service from clients known to be outside the group (linkage.eligibility
    # filters): from 211 population codes only when they are the only group the record names.
    _FILTERING_TAGS = ("seniors", "youth", "veterans")

    def _categories(self, service: dict, notes: list[str]) -> tuple[list[str], list[str]]:
        """Project categories from the record's taxonomy terms (through the crosswalk), and
        the eligibility tags its target-population (211 Y) codes give."""
        categories: dict[str, None] = {}
        found_211 = None  # what the record's 211 codes gave, if it has any
        for a in service.get("attributes") or ():
            term = a.get("taxonomy_term") or {}
            vocabulary = (term.get("taxonomy") or "").strip().lower()
            if not term or vocabulary in CONVENTION_TAXONOMIES:
                continue
            if self.crosswalk.is_211(vocabulary):
                got = self.crosswalk.resolve_211(str(term.get("code") or term.get("name") or ""))
                found_211 = self._count_211(got, vocabulary, notes, found_211)
                categories.update(dict.fromkeys(got.categories))
                continue
            mapped = self.crosswalk.categories(term)
            categories.update(dict.fromkeys(mapped))
            if not mapped:
                name = term.get("name") or term.get("code") or "?"
                self.unmapped[(vocabulary or "?", name)] += 1
                notes.append(f"no category for {vocabulary} term {name!r}")
        if found_211 is None:
            return list(categories), []
        resolved = "resolved" if found_211.categories else "unresolved"
        self.tally[f"crosswalk.records.{resolved}"] += 1
        if found_211.noted:
            notes.append(f"211 population codes (no eligibility tag): {', '.join(found_211.noted)}")
        return list(categories), self._population_tags(found_211, notes)

    def _count_211(self, got, vocabulary: str, notes: list[str], so_far):
        """Counts one 211 value's codes for the report; returns the record's running total."""
        for kind in ("mapped", "outside", "unmapped"):
            self.tally[f"crosswalk.codes.{kind}"] += len(getattr(got, kind))
        self.tally["crosswalk.codes.population"] += len(got.groups)
        self.tally["crosswalk.populations.tagged"] += len(got.tagged)
        self.tally["crosswalk.populations.noted"] += len(got.noted)
        for code in got.unmapped:
            self.unmapped[(vocabulary, code)] += 1
            notes.append(f"no category for {vocabulary} term {code!r}")
        if so_far is None:
            return got
        so_far.categories.extend(c for c in got.categories if c not in so_far.categories)
        so_far.noted.extend(c for c in got.noted if c not in so_far.noted)
        so_far.groups.extend(got.groups)
        return so_far

    def _population_tags(self, found_211, notes: list[str]) -> list[str]:
        """Eligibility tags from 211 population codes. Several population codes on a record
        mean any of those groups, while tags all apply: a filtering tag is kept only when it is
        the one group the record names (else it would hide the service from the others)."""
        groups = {g for g in found_211.groups}
        tags = list(dict.fromkeys(t for g in found_211.groups for t in g))
        if len(groups) > 1 and (dropped := [t for t in tags if t in self._FILTERING_TAGS]):
            self.tally["crosswalk.populations.limits_not_applied"] += 1
            notes.append(
                f"for {', '.join(dropped)} among other groups (211 population codes): "
                "not applied as a limit"
            )
            tags = [t for t in tags if t not in dropped]
        return tags

    def _category_fields(self, categories: list[str]) -> dict:
        """The category fields of a document: its categories, their tree, names and needs."""
        tree: dict[str, None] = {}
        for code in categories:
            tree.update(dict.fromkeys(self.taxonomy.ancestors_and_self(code)))
        return {
            "categories": categories,
            "category_tree": list(tree),
            "category_names": [self.taxonomy.categories[c].name for c in tree],
            "needs": self.taxonomy.needs_of(categories),
        }

    def _eligibility(
        self, service: dict, population_tags: list[str], problem, out: Converted
    ) -> dict:
        """Who the service is for: age limits, eligibility tags (the source's, and those its
        population codes give), income limit and the text."""
        eligibility_attrs = _attributes(service, conventions.ELIGIBILITY)
        tags = list(dict.fromkeys([
            *(
                a["taxonomy_term"]["code"]
                for a in eligibility_attrs
                if a["taxonomy_term"].get("code") in self.taxonomy.eligibility_tags
            ),
            *population_tags,
        ]))  # fmt: skip
        income = None
        for a in eligibility_attrs:
            if a["taxonomy_term"].get("code") == conventions.INCOME:
                income = parse_number(a.get("value"))
                if income is None or income <= 0:
                    out.warnings.append(
                        problem(conventions.INCOME, f"not a percentage: {a.get('value')!r}")
                    )
                    income = None
        min_age = parse_whole_number(service.get("minimum_age"))
        max_age = parse_whole_number(service.get("maximum_age"))
        text = service.get("eligibility_description")
        if text and text.strip():
            # The text fills only what the structured fields leave out.
            read = parse_eligibility(text)
            self._count("eligibility", read.understood)
            if min_age is None and max_age is None:
                min_age, max_age = read.min_age, read.max_age
            if not tags:
                tags = [t for t in read.tags if t in self.taxonomy.eligibility_tags]
            if not income and read.income_max_fpl:
                income = read.income_max_fpl
        return {
            "min_age": min_age,
            "max_age": max_age,
            "tags": tags,
            "income_max_fpl": int(income) if income else None,
            "description": text,
        }

    def _count(self, field_name: str, understood: bool) -> None:
        """One record's free text for a field, understood or not, for the report."""
        self.tally[
            f"free_text.{field_name}.{'understood' if understood else 'not_understood'}"
        ] += 1

    def _fees(self, service: dict) -> str | None:
        """The linkage-fees attribute, else what the fees text says (values.parse_fees)."""
        coded = next((c for c in _codes(service, conventions.FEES) if c in FEES), None)
        text = service.get("fees_description")
        if not (text and text.strip()):
            return coded
        read = parse_fees(text)
        self._count("fees", read is not None)
        return coded or read

    def _service_areas(self, service: dict, notes: list[str]) -> dict:
        """Area keys from valid extents, and from the names of areas without one (read as
        text in the state of the record's first address: values.parse_service_areas)."""
        areas: dict[str, None] = {}
        texts, understood = [], True
        for area in service.get("service_areas") or ():
            extent = (area.get("extent") or "").strip()
            name = (area.get("name") or "").strip()
            if places.AREA_KEY.match(extent):
                areas[extent] = None
            elif name:
                read = parse_service_areas(name, _record_state(service))
                areas.update(dict.fromkeys(read.keys))
                texts.append(name)
                understood = understood and read.understood
                for part in read.unresolved:
                    notes.append(f"service area not understood: {part!r}")
            elif extent:
                notes.append(f"service area not understood: {extent!r}")
        if texts:
            self._count("service_areas", understood)
        return {"service_areas": list(areas), "service_area_text": "; ".join(texts) or None}

    def _service_languages(self, service: dict, problem, out: Converted) -> dict:
        """The service's languages, interpretation and language text; the record's free text
        (its own and its locations') is counted once for the report."""
        spoken = _languages(service)
        for name in spoken.unknown:
            out.warnings.append(problem("languages", f"unknown language {name!r}"))
        locations = [
            _languages(sal.get("location") or {})
            for sal in service.get("service_at_locations") or ()
        ]
        if spoken.texts or any(s.texts for s in locations):
            understood = any(s.codes or s.interpretation for s in (spoken, *locations) if s.texts)
            self._count("languages", understood)
        return {
            "languages": spoken.codes,
            "interpretation": spoken.interpretation,
            "languages_text": "; ".join(spoken.texts) or None,
        }

    def _hours(self, service: dict, sal: dict, schedules: list[dict]):
        """Weekly periods from the schedule entries: structured ones as they are, those with
        only a `description` read as text (values.parse_hours). Returns (periods, problems,
        the text). The record's text is counted once, on its first location."""
        rows, texts, understood = [], [], True
        for entry in schedules:
            text = (entry.get("description") or "").strip()
            if entry.get("byday") or entry.get("opens_at") or not text:
                rows.append(entry)
                continue
            read = parse_hours(text)
            texts.append(text)
            understood = understood and read.understood
            rows.extend(
                {
                    "id": entry.get("id"),
                    "freq": "WEEKLY",
                    "byday": day,
                    "opens_at": o,
                    "closes_at": c,
                }
                for day, o, c in read.periods
            )
        sals = service.get("service_at_locations") or []
        if texts and (not sals or sal is sals[0]):
            self._count("hours", understood)
        periods, problems = hours.periods_from_hsds(rows)
        return periods, problems, "\n".join(texts) or None

    def _document(
        self, service: dict, sal: dict, base: dict, notes: list[str], problem, out: Converted
    ) -> dict:
        location = sal.get("location") or {}
        lid = location.get("id") or sal.get("id")
        address = _address(location) if location else None
        point, precision, zip_info = None, None, None
        if address and address["postal_code"]:
            zip_info = places.zip_place(address["postal_code"])
        lat, lon = parse_number(location.get("latitude")), parse_number(location.get("longitude"))
        if lat is not None and lon is not None:
            if zip_info is not None and _swapped(lat, lon, zip_info):
                out.warnings.append(
                    problem(
                        "location.latitude/longitude",
                        f"latitude and longitude swapped ({lat}, {lon}): read as {lon}, {lat}",
                    )
                )
                lat, lon = lon, lat
            if places.valid_coordinates(lat, lon):
                point, precision = {"lat": lat, "lon": lon}, "exact"
            else:
                out.warnings.append(
                    problem(
                        "location.latitude/longitude",
                        f"invalid coordinates {lat}, {lon}; not indexed",
                    )
                )
        if point is None and self.geocoder is not None and address and address["street"]:
            text = ", ".join(
                p
                for p in (
                    address["street"],
                    address["city"],
                    address["state"],
                    address["postal_code"],
                )
                if p
            )
            if found := self.geocoder.locate(text):
                point, precision = {"lat": found[0], "lon": found[1]}, "address"
        if point is None and zip_info is not None:
            point, precision = {"lat": zip_info.lat, "lon": zip_info.lon}, "zip"
            notes.append("located at its ZIP code centroid")
        if point is None and address and (address["street"] or address["city"]):
            out.warnings.append(
                problem(
                    "location.addresses",
                    "address not placed (no coordinates, no known ZIP code, no geocoder "
                    "answer): listed without an address or distance",
                )
            )
        if address and zip_info:
            address["county"] = zip_info.county
            address["state"] = address["state"] or zip_info.state
        location_type = (location.get("location_type") or "physical").lower()
        phones = _phones(sal, location, service, service.get("organization") or {})
        delivery = []
        if point is not None and location_type == "physical":
            delivery.append("in_person")
        if location_type == "virtual":
            delivery.append("virtual")
        if phones:
            delivery.append("phone")
        periods, problems, hours_text = self._hours(
            service,
            sal,
            sal.get("schedules") or location.get("schedules") or service.get("schedules") or [],
        )
        notes.extend(problems)
        return {
            **base,
            "id": document_id(self.source, str(service["id"]), lid),
            "source_ids": {
                "service": str(service["id"]),
                "location": lid,
                "organization": (service.get("organization") or {}).get("id"),
            },
            "location_name": location.get("name"),
            "location": point,
            "location_precision": precision,
            "address": address if point is not None else None,
            "delivery": delivery,
            "phones": phones,
            "schedule": [p.as_dict() for p in periods],
            "open_minutes": (week := hours.week_ranges(periods)),
            "open_days": hours.days_open(week),
            "hours_text": hours_text,
            "timezone": self._timezone(zip_info, point, base["service_areas"]),
            **_location_languages(base, location),
            "accessibility": [
                text
                for a in location.get("accessibility") or ()
                for text in (a.get("description"), a.get("details"))
                if text
            ],
            "notes": notes,
        }

    def _timezone(self, zip_info, point: dict | None, areas: list[str]) -> str:
        """Where the service is, for open-now: its ZIP's zone, else the nearest ZIP's to its
        coordinates, else its state's, else the deployment's default."""
        if zip_info and zip_info.timezone:
            return zip_info.timezone
        if point and (near := places.nearest_zip(point["lat"], point["lon"])) and near["timezone"]:
            return near["timezone"]
        for area in areas:
            parts = area.split(":")
            if parts[0] in ("state", "county") and (tz := places.state_timezone(parts[1])):
                return tz
        return self.default_timezone


NEAR_ITS_ZIP_MILES = 50.0


def _swapped(lat: float, lon: float, zip_info) -> bool:
    """Latitude and longitude given the wrong way round: far from the address's ZIP code as
    given, near it when swapped (a common spreadsheet slip)."""
    centroid = (zip_info.lat, zip_info.lon)
    return (
        places.valid_coordinates(lon, lat)
        and places.miles_between((lon, lat), centroid) <= NEAR_ITS_ZIP_MILES
        and (
            not places.valid_coordinates(lat, lon)
            or places.miles_between((lat, lon), centroid) > NEAR_ITS_ZIP_MILES
        )
    )


def _notice(service: dict) -> dict | None:
    """The service's `alert` with the dates it holds between (`linkage-flags` attributes
    `notice-starts` / `notice-ends`, YYYY-MM-DD; either may be absent)."""
    text = (service.get("alert") or "").strip()
    if not text:
        return None
    dates = {
        a["taxonomy_term"].get("code"): day.isoformat()
        for a in _attributes(service, conventions.FLAGS)
        if (day := parse_date(str(a.get("value") or "")))
    }
    return {
        "text": text,
        "starts": dates.get(conventions.NOTICE_STARTS),
        "ends": dates.get(conventions.NOTICE_ENDS),
    }


def _record_state(service: dict) -> str | None:
    """The two-letter state of the record's first address (or of its ZIP code), for reading
    "Statewide" and bare county or city names."""
    for sal in service.get("service_at_locations") or ():
        address = _address(sal.get("location") or {}) or {}
        if state := state_code(address.get("state")):
            return state
        if address.get("postal_code") and (place := places.zip_place(address["postal_code"])):
            return place.state
    return None
