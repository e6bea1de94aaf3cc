"""HSDS 3.0 service records → resource documents (one per service at a location).

Conventions Linkage reads on top of plain HSDS are described in data/README.md.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

import phonenumbers

from indexer.crosswalk import Crosswalk
from indexer.geocoding import AddressGeocoder
from indexer.records import Problem, SourceRow
from linkage import geo, hours
from linkage.languages import language_codes
from linkage.resource import FEES, InvalidDocument, check_document
from linkage.taxonomy import Taxonomy

# Attribute vocabularies that carry Linkage's own conventions rather than categories.
CONVENTION_TAXONOMIES = {"linkage-eligibility", "linkage-fees", "linkage-flags"}

_AREA = re.compile(r"^(zip:\d{5}|county:[A-Z]{2}:[^:]+|state:[A-Z]{2}|nationwide)$")


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


def dedupe_key(organization: str | None, service: str) -> str:
    """The same organization and service name however written: case, punctuation, 'Inc.'."""

    def norm(text: str | None) -> str:
        return " ".join(_NAME_NOISE.sub(" ", (text or "").lower()).split())

    return f"{norm(organization)}|{norm(service)}"


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


def _languages(*holders: dict) -> tuple[list[str], list[str]]:
    """ISO 639 codes from HSDS language entries (by code or by English name), and the unknown."""
    known = language_codes()
    seen: dict[str, None] = {}
    unknown = []
    for holder in holders:
        for lang in holder.get("languages") or ():
            raw = (lang.get("code") or lang.get("name") or "").strip().lower()
            if not raw:
                continue
            code = known.get(raw)
            if code:
                seen[code] = None
            else:
                unknown.append(raw)
    return list(seen), unknown


_US_PHONE = re.compile(r"^(?:\+?1[\s.-]*)?\(?([2-9]\d{2})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})$")


def _phone_number(raw: str) -> str:
    """US numbers in the national format, (650) 780-7525; others as given."""
    if m := _US_PHONE.match(raw):  # the usual case, without phonenumbers' full parse
        return f"({m.group(1)}) {m.group(2)}-{m.group(3)}"
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(parsed):
        return raw
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        parsed, style.NATIONAL if parsed.country_code == 1 else style.INTERNATIONAL
    )


def _phones(*holders: dict) -> list[dict]:
    seen: dict[str, dict] = {}
    for holder in holders:
        for phone in holder.get("phones") or ():
            number = _phone_number(str(phone.get("number") or "").strip().strip('"'))
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
        "postal_code": (chosen.get("postal_code") or "").strip()[:5] or None,
        "county": None,
    }


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class Converter:
    """Converts one source's HSDS records; keeps what it needs between records."""

    def __init__(
        self,
        source: str,
        taxonomy: Taxonomy,
        default_timezone: str,
        crosswalk: Crosswalk | None = None,
        geocoder: AddressGeocoder | None = None,
    ):
        self.source = source
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
        base["dedupe_key"] = dedupe_key(base["organization_name"], base["service_name"])
        base["origin"] = {"file": row.file, "row": row.row, "documents": len(sals)}
        for sal in sals:
            doc = self._document(service, sal, base, list(notes), problem, out)
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
        languages = self._service_languages(service, problem, out)
        assured = (service.get("assured_date") or "")[:10] or None
        base = {
            "source": self.source,
            "service_name": service["name"].strip(),
            "description": service.get("description"),
            "organization_name": (service.get("organization") or {}).get("name"),
            **self._category_fields(categories),
            "confidential": "confidential-address" in _codes(service, "linkage-flags"),
            "languages": languages,
            "eligibility": self._eligibility(service, population_tags, problem, out),
            "fees": self._fees(service),
            "fees_description": service.get("fees_description"),
            "service_areas": self._service_areas(service, notes),
            "status": (service.get("status") or "active").lower(),
            "last_verified": assured,
            "url": service.get("url"),
            "email": service.get("email"),
            "application_process": service.get("application_process"),
        }
        return base, notes

    def _categories(self, service: dict, notes: list[str]) -> tuple[list[str], list[str]]:
        """Project categories from the record's taxonomy terms (through the crosswalk), and
        the eligibility tags its target-population codes give."""
        categories: dict[str, None] = {}
        for a in service.get("attributes") or ():
            term = a.get("taxonomy_term") or {}
            vocabulary = (term.get("taxonomy") or "").strip().lower()
            if not term or vocabulary in CONVENTION_TAXONOMIES:
                continue
            mapped = self.crosswalk.categories(term)
            categories.update(dict.fromkeys(mapped))
            if not mapped:
                name = term.get("name") or term.get("code") or "?"
                self.unmapped[(vocabulary or "?", name)] += 1
                notes.append(f"no category for {vocabulary} term {name!r}")
        return list(categories), []

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
        eligibility_attrs = _attributes(service, "linkage-eligibility")
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
            if a["taxonomy_term"].get("code") == "income-max-fpl":
                income = _float(a.get("value"))
                if income is None or income <= 0:
                    out.warnings.append(
                        problem("income-max-fpl", f"not a percentage: {a.get('value')!r}")
                    )
                    income = None
        return {
            "min_age": _int_or_none(service.get("minimum_age")),
            "max_age": _int_or_none(service.get("maximum_age")),
            "tags": tags,
            "income_max_fpl": int(income) if income else None,
            "description": service.get("eligibility_description"),
        }

    def _fees(self, service: dict) -> str | None:
        return next((c for c in _codes(service, "linkage-fees") if c in FEES), None)

    def _service_areas(self, service: dict, notes: list[str]) -> list[str]:
        areas = []
        for area in service.get("service_areas") or ():
            extent = (area.get("extent") or "").strip()
            if _AREA.match(extent):
                areas.append(extent)
            elif extent or area.get("name"):
                notes.append(f"service area not understood: {extent or area.get('name')!r}")
        return areas

    def _service_languages(self, service: dict, problem, out: Converted) -> list[str]:
        languages, unknown_languages = _languages(service)
        for name in unknown_languages:
            out.warnings.append(problem("languages", f"unknown language {name!r}"))
        return languages

    def _document(
        self, service: dict, sal: dict, base: dict, notes: list[str], problem, out: Converted
    ) -> dict:
        location = sal.get("location") or {}
        lid = location.get("id") or sal.get("id")
        address = _address(location) if location else None
        point, precision, zip_info = None, None, None
        if address and address["postal_code"]:
            zip_info = geo.zip_place(address["postal_code"])
        lat, lon = _float(location.get("latitude")), _float(location.get("longitude"))
        if lat is not None and lon is not None:
            if zip_info is not None and _swapped(lat, lon, zip_info):
                out.warnings.append(
                    problem(
                        "location.latitude/longitude",
                        f"latitude and longitude swapped ({lat}, {lon}): read as {lon}, {lat}",
                    )
                )
                lat, lon = lon, lat
            if geo.valid_coordinates(lat, lon):
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
        periods, problems = hours.periods_from_hsds(
            sal.get("schedules") or location.get("schedules") or service.get("schedules") or []
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
            "open_minutes": hours.week_ranges(periods),
            "timezone": self._timezone(zip_info, point, base["service_areas"]),
            "languages": list(dict.fromkeys(base["languages"] + _languages(location)[0])),
            "notes": notes,
        }

    def _timezone(self, zip_info, point: dict | None, areas: list[str]) -> str:
        """Where the service is, for open-now: its ZIP's zone, else the nearest ZIP's to its
        coordinates, else its state's, else the deployment's default."""
        if zip_info and zip_info.timezone:
            return zip_info.timezone
        if point and (near := geo.nearest_zip(point["lat"], point["lon"])) and near["timezone"]:
            return near["timezone"]
        for area in areas:
            parts = area.split(":")
            if parts[0] in ("state", "county") and (tz := geo.state_timezone(parts[1])):
                return tz
        return self.default_timezone


NEAR_ITS_ZIP_MILES = 50.0


def _swapped(lat: float, lon: float, zip_info) -> bool:
    """Latitude and longitude given the wrong way round: far from the address's ZIP code as
    given, near it when swapped (a common spreadsheet slip)."""
    centroid = (zip_info.lat, zip_info.lon)
    return (
        geo.valid_coordinates(lon, lat)
        and geo.miles_between((lon, lat), centroid) <= NEAR_ITS_ZIP_MILES
        and (
            not geo.valid_coordinates(lat, lon)
            or geo.miles_between((lat, lon), centroid) > NEAR_ITS_ZIP_MILES
        )
    )


def _int_or_none(value) -> int | None:
    number = _float(value)
    return int(number) if number is not None else None
