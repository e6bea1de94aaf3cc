"""Resource documents → Open Referral HSDS 3.0 objects (pure shaping, no cluster).

The inverse of indexer.hsds: a document is one service at one location, so the documents of
one source service (same `source` and `source_ids.service`) make one HSDS service with one
service_at_location each. Linkage's conventions (linkage.hsds.conventions, data/README.md)
are written back as attributes, so that loading an export with the indexer gives the same
documents again. Identifiers are linkage.hsds.ids'; taxonomy terms linkage.hsds.terms'.

A confidential location (domestic-violence shelter) never has its address, postal code or
coordinates written: its location carries an id, a type and a name only.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from linkage import places
from linkage.hsds.conventions import (
    ACTIVE,
    CATEGORIES,
    CONFIDENTIAL,
    ELIGIBILITY,
    FEES,
    FLAGS,
    INACTIVE,
    INCOME,
    OPEN_ELIGIBILITY,
    STATUSES,
    TAXONOMY_211,
    TEMPORARILY_CLOSED,
)
from linkage.hsds.ids import (
    location_id,
    nested_id,
    organization_id,
    service_at_location_id,
    service_id,
    service_key,
    stable_service_id,
    term_id,
)
from linkage.hsds.terms import Term, parent_code, source_term, terms
from linkage.languages import language_name
from linkage.search.document import NOT_PUBLIC
from linkage.taxonomy import Taxonomy

# Fields of the document no export needs (large, or import bookkeeping). The Open Eligibility
# terms are internal to search but the export writes them back (their names are open).
SOURCE_EXCLUDES = [*(f for f in NOT_PUBLIC if f != "open_eligibility_terms"), "needs"]


def source_excludes(names_211: bool = False) -> list[str]:
    """SOURCE_EXCLUDES, but with the sources' 211 names read when `names_211` (the deployer's
    publish_source_term_names): the attributes then name the codes as /taxonomy_terms does."""
    return [f for f in SOURCE_EXCLUDES if not (names_211 and f == "names_211")]


ORGANIZATION_ID_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"organization": {"terms": {"field": "source_ids.organization"}}},
]
ORGANIZATION_NAME_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"name": {"terms": {"field": "organization_name.raw"}}},
]


# ---------------------------------------------------------------------------------------
# Attributes: the categories and conventions a service carries


def _attribute(owner_id: str, term: Term, value: str | None = None) -> dict:
    out = {
        "id": nested_id(owner_id, "attribute", term.id),
        "link_id": owner_id,
        "link_type": "service_category" if term.taxonomy == CATEGORIES else term.taxonomy,
        "link_entity": "service",
        "taxonomy_term_id": term.uuid,
        "taxonomy_term": term.as_hsds(),
    }
    if value is not None:
        out["value"] = value
    return out


def _attributes(doc: dict, sid: str, taxonomy: Taxonomy) -> list[dict]:
    known = terms(taxonomy)

    def term(taxonomy_name: str, code: str) -> Term:
        return known.get(term_id(taxonomy_name, code)) or Term(
            term_id(taxonomy_name, code), code, code, code, taxonomy_name
        )

    out = [_attribute(sid, term(CATEGORIES, c)) for c in doc.get("categories") or ()]
    eligibility = doc.get("eligibility") or {}
    out += [_attribute(sid, term(ELIGIBILITY, t)) for t in eligibility.get("tags") or ()]
    if eligibility.get("income_max_fpl") is not None:
        out.append(_attribute(sid, term(ELIGIBILITY, INCOME), str(eligibility["income_max_fpl"])))
    if doc.get("fees"):
        out.append(_attribute(sid, term(FEES, doc["fees"])))
    if doc.get("confidential"):
        out.append(_attribute(sid, term(FLAGS, CONFIDENTIAL)))
    return out + _source_attributes(doc, sid)


def _source_attributes(doc: dict, sid: str) -> list[dict]:
    """The source's own 211 codes (named only when the document was read with its licensed
    names, source_excludes) and Open Eligibility codes (with the names it gave them), as the
    importer reads them back. A term's parent is given where the record carries it too."""
    codes_211: dict[str, str | None] = dict.fromkeys(doc.get("codes_211") or ())
    for entry in doc.get("names_211") or ():
        code, _, name = entry.partition("\t")
        if code in codes_211 and not codes_211[code]:
            codes_211[code] = name
    oe = dict(t.partition("\t")[::2] for t in doc.get("open_eligibility_terms") or ())
    out = []
    for taxonomy_name, named in ((TAXONOMY_211, codes_211), (OPEN_ELIGIBILITY, oe)):
        for code, name in named.items():
            parent = p if (p := parent_code(code)) in named else None
            out.append(_attribute(sid, source_term(taxonomy_name, code, name or None, parent)))
    return out


# ---------------------------------------------------------------------------------------
# Documents → HSDS objects


def _compact(obj: dict) -> dict:
    """HSDS types are never null: a value the record does not have is left out."""
    return {k: v for k, v in obj.items() if v is not None}


def _status(value: str | None) -> str:
    text = re.sub(r"[\s_-]+", " ", (value or ACTIVE).strip().lower())
    if text in STATUSES:
        return text
    return TEMPORARILY_CLOSED if "temporar" in text else INACTIVE


def _phone(owner_id: str, phone: dict) -> dict:
    extension = str(phone.get("extension") or "").strip()
    out = {
        "id": nested_id(owner_id, "phone", phone["number"], extension),
        "number": phone["number"],
        "type": phone.get("type"),
        "description": phone.get("description"),
    }
    if extension.isdigit():  # HSDS types an extension as a number
        out["extension"] = int(extension)
    elif extension:
        out["description"] = "; ".join(
            p for p in (phone.get("description"), f"ext. {extension}") if p
        )
    return _compact(out)


def _language(owner_id: str, code: str) -> dict:
    return {"id": nested_id(owner_id, "language", code), "code": code, "name": language_name(code)}


AREA_NAMES = {places.AREA_ZIP: "ZIP code {}", places.AREA_STATE: "State of {}"}


def _service_area(owner_id: str, extent: str) -> dict:
    parts = extent.split(":")
    if parts[0] == places.AREA_COUNTY and len(parts) == 3:
        name = f"{parts[2]} County, {parts[1]}"
    elif parts[0] in AREA_NAMES and len(parts) == 2:
        name = AREA_NAMES[parts[0]].format(parts[1])
    else:
        name = extent.capitalize()
    return {
        "id": nested_id(owner_id, "service_area", extent),
        "service_id": owner_id,
        "name": name,
        "extent": extent,
        "extent_type": "text",
    }


def _schedules(owner_id: str, periods: list[dict]) -> list[dict]:
    """Weekly rows: consecutive periods with the same hours share a row (order is kept)."""
    rows = []
    for (opens, closes), run in itertools.groupby(
        periods or (), key=lambda p: (p["opens"], p["closes"])
    ):
        days = ",".join(p["day"] for p in run)
        rows.append(
            {
                "id": nested_id(owner_id, "schedule", len(rows), days, opens, closes),
                "service_at_location_id": owner_id,
                "freq": "WEEKLY",
                "wkst": "MO",
                "byday": days,
                "opens_at": opens,
                "closes_at": closes,
            }
        )
    return rows


def has_location(doc: dict) -> bool:
    return bool(
        doc.get("location")
        or doc.get("address")
        or doc.get("location_name")
        or "virtual" in (doc.get("delivery") or ())
    )


def location_object(doc: dict, full: bool, languages: list[str] | None = None) -> dict | None:
    """The document's location; never an address or coordinates when it is confidential."""
    if not has_location(doc):
        return None
    lid = location_id(doc)
    virtual = "virtual" in (doc.get("delivery") or ()) and "in_person" not in (
        doc.get("delivery") or ()
    )
    out: dict = {
        "id": lid,
        "location_type": "virtual" if virtual else "physical",
        "name": doc.get("location_name"),
    }
    confidential = bool(doc.get("confidential"))
    point = doc.get("location")
    # A ZIP centroid is where the indexer put an address it could not place: not a
    # coordinate of the location, so it is not written (the address's ZIP gives it back).
    source_lid = (doc.get("source_ids") or {}).get("location")
    if not confidential and source_lid:  # a confidential one is linked to nothing else
        out["external_identifier"] = f"{doc['source']}:{source_lid}"
        out["external_identifier_type"] = SOURCE_RECORD_ID
    if not confidential and point and doc.get("location_precision") != "zip":
        out["latitude"], out["longitude"] = point["lat"], point["lon"]
    if full:
        address = doc.get("address")
        if not confidential and address and any(address.values()):
            out["addresses"] = [
                {
                    "id": nested_id(lid, "address"),
                    "location_id": lid,
                    "address_1": address.get("street") or "",
                    "city": address.get("city") or "",
                    "state_province": address.get("state") or "",
                    "postal_code": address.get("postal_code") or "",
                    "country": "US",
                    "address_type": "physical",
                }
            ]
        if languages:
            out["languages"] = [_language(lid, code) for code in languages]
    return _compact(out)


def organization_object(doc: dict) -> dict | None:
    oid = organization_id(doc)
    if oid is None:
        return None
    # HSDS requires a description; Linkage keeps none for organizations.
    out = {"id": oid, "name": doc.get("organization_name") or "", "description": ""}
    return {**out, **organization_identifiers(oid, doc)}


def organization_identifiers(oid: str, doc: dict) -> dict:
    """The source's own organization id, when it gave one."""
    source_oid = (doc.get("source_ids") or {}).get("organization")
    if not source_oid:
        return {}
    row = _identifier(oid, SOURCE_RECORD_ID, f"{doc['source']}:{source_oid}")
    return {"organization_identifiers": [{**row, "organization_id": oid}]}


# What an identifier row says it is: the source's own record id, as `<source>:<id>`.
SOURCE_RECORD_ID = "linkage-source-id"
RESOURCE_ID = "linkage-resource-id"  # the /v1 API's id of the document


def _identifier(owner_id: str, kind: str, value: str) -> dict:
    """An identifier row (organization_identifier's shape: HSDS 3.0 has it for organizations;
    services and service_at_locations carry it as `identifiers`, an extension field)."""
    return {
        "id": nested_id(owner_id, "identifier", kind, value),
        "identifier_type": kind,
        "identifier": value,
    }


def _one_to_one(doc: dict) -> dict:
    eligibility = doc.get("eligibility") or {}
    verified = doc.get("last_verified")
    sid = service_id(doc)
    return {
        "id": sid,
        "identifiers": [_identifier(sid, SOURCE_RECORD_ID, stable_service_id(doc))],
        "name": doc["service_name"],
        "description": doc.get("description"),
        "url": doc.get("url"),
        "email": doc.get("email"),
        "status": _status(doc.get("status")),
        "application_process": doc.get("application_process"),
        "fees_description": doc.get("fees_description"),
        "eligibility_description": eligibility.get("description"),
        "minimum_age": eligibility.get("min_age"),
        "maximum_age": eligibility.get("max_age"),
        "assured_date": verified,
        # Linkage keeps when a record was last verified; modified_after filters on it.
        "last_modified": f"{verified}T00:00:00Z" if verified else None,
    }


def service_minimal(doc: dict) -> dict:
    base = _one_to_one(doc)
    return _compact({k: base[k] for k in ("id", "name", "status", "assured_date", "last_modified")})


def service_summary(doc: dict, with_organization: bool = True) -> dict:
    """One-to-one fields only (the `/services` list shape)."""
    out = _one_to_one(doc)
    if with_organization:
        out["organization"] = organization_object(doc)
    return _compact(out)


def _common(lists: list[list], key: Callable = lambda x: x) -> list:
    """Items present in every list, in the first list's order."""
    if not lists:
        return []
    rest = [{key(x) for x in other} for other in lists[1:]]
    return [x for x in lists[0] if all(key(x) in keys for keys in rest)]


def service_full(docs: list[dict], taxonomy: Taxonomy, with_organization: bool = True) -> dict:
    """A fully nested service from all its documents (one service_at_location each).

    Phones and languages every location shares are the service's; the others are written on
    the service_at_location (phones) and the location (languages), where the indexer reads
    them back from.
    """
    first = docs[0]
    sid = service_id(first)
    phones = _common([d.get("phones") or [] for d in docs], key=lambda p: p["number"])
    common_numbers = {p["number"] for p in phones}
    languages = _common([d.get("languages") or [] for d in docs])
    out = service_summary(first, with_organization)
    out["phones"] = [_phone(sid, p) for p in phones]
    out["schedules"] = []
    out["service_areas"] = [_service_area(sid, a) for a in first.get("service_areas") or ()]
    out["service_at_locations"] = [
        service_at_location(
            d,
            full=True,
            phones=[p for p in d.get("phones") or () if p["number"] not in common_numbers],
            languages=[x for x in d.get("languages") or () if x not in languages],
        )
        for d in docs
    ]
    out["languages"] = [_language(sid, code) for code in languages]
    out["attributes"] = _attributes(first, sid, taxonomy)
    return out


def service_at_location(
    doc: dict,
    full: bool,
    phones: list[dict] | None = None,
    languages: list[str] | None = None,
    service: dict | None = None,
) -> dict:
    sal_id = service_at_location_id(doc)
    location = location_object(doc, full, languages)
    out: dict = {
        "id": sal_id,
        "identifiers": [_identifier(sal_id, RESOURCE_ID, doc["id"])],
        "service_id": service_id(doc),
    }
    if location is not None:
        out["location_id"] = location["id"]
    if full:
        out["phones"] = [_phone(sal_id, p) for p in phones or ()]
        out["schedules"] = _schedules(sal_id, doc.get("schedule") or [])
    if location is not None:
        out["location"] = location
    if service is not None:
        out["service"] = service
    return out


def service_at_location_view(doc: dict, taxonomy: Taxonomy, full: bool) -> dict:
    """`/service_at_locations`: the service at this one location, with its service."""
    if full:
        service = service_full([doc], taxonomy)
        service.pop("service_at_locations")
        return service_at_location(doc, True, phones=[], languages=[], service=service)
    return service_at_location(doc, False, service=service_summary(doc))


def organization_name(docs: Iterable[dict]) -> str:
    """The name most of the organization's documents give (ties: the first by name)."""
    counts = Counter(d.get("organization_name") or "" for d in docs)
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def organization_full(
    oid: str, name: str, services: list[list[dict]], taxonomy: Taxonomy, full_service: bool
) -> dict:
    return {
        "id": oid,
        "name": name,
        "description": "",
        **(organization_identifiers(oid, services[0][0]) if services else {}),
        "services": [
            service_full(docs, taxonomy, with_organization=False)
            if full_service
            else service_summary(docs[0], with_organization=False)
            for docs in services
        ],
    }


def page(total: int, number: int, per_page: int, contents: list) -> dict:
    """The HSDS page object around one page of `contents`."""
    pages = math.ceil(total / per_page) if per_page else 0
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not contents,
        "contents": contents,
    }


# ---------------------------------------------------------------------------------------
# Documents read (linkage.search.index) → services and organizations


def grouped(docs: Iterable[dict], key: Callable[[dict], object]) -> Iterator[list[dict]]:
    """Runs of consecutive documents with the same key (one service, one organization)."""
    for _, run in itertools.groupby(docs, key=key):
        yield list(run)


def by_service(docs: Iterable[dict]) -> dict[tuple[str, str], list[dict]]:
    """Documents by service key, each service's in the order read."""
    out: dict[tuple[str, str], list[dict]] = {}
    for doc in docs:
        out.setdefault(service_key(doc), []).append(doc)
    return out
