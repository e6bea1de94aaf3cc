"""Resource documents → Open Referral HSDS 3.0 objects, and the queries the HSDS API runs.

The inverse of indexer.hsds: a document is one service at one location, so the documents of
one source service (same `source` and `source_ids.service`) make one HSDS service with one
service_at_location each. Linkage's conventions (data/README.md) are written back as
attributes, so that loading an export with the indexer gives the same documents again.

Identifiers (stable across imports, and each resolves back to its documents):

- service: `<source>:<source service id>`;
- organization: `<source>:<source organization id>`, or `<source>~<name, base64url>` when
  the source gave the organization no id (source names never contain `:` or `~`);
- service_at_location: the document id (derived from source, service and location ids);
- location: `<source>:<source location id>` (else, and always when confidential, the
  document id);
- taxonomy terms: a category's code (taxonomy `linkage`), `<taxonomy>:<code>` for the
  convention vocabularies (`linkage-eligibility:veterans`, `linkage-fees:free`, ...);
- nested rows (phones, schedules, languages, attributes, ...): UUIDs derived from their
  parent's id and content.

A confidential location (domestic-violence shelter) never has its address, postal code or
coordinates written: its location carries an id, a type and a name only.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from elasticsearch import Elasticsearch

from linkage import geo
from linkage.config import DATA_DIR
from linkage.imports import SOURCE_NAME
from linkage.languages import language_name
from linkage.resource import INTERNAL_FIELDS
from linkage.taxonomy import Taxonomy

HSDS_VERSION = "3.0"
# Nested rows get UUIDs derived from this namespace and their parent's id: stable, unique.
NAMESPACE = uuid.UUID("6f1d8e0c-2b0a-5d8f-9a51-6c1e0d6b7a42")

CATEGORIES = "linkage"
ELIGIBILITY = "linkage-eligibility"
FEES = "linkage-fees"
FLAGS = "linkage-flags"
INCOME = "income-max-fpl"
CONFIDENTIAL = "confidential-address"
STATUSES = ("active", "inactive", "defunct", "temporarily closed")

# Fields of the document no export needs (large, or import bookkeeping).
SOURCE_EXCLUDES = ["open_minutes", *INTERNAL_FIELDS, "needs"]
# Documents of one service are contiguous in this order (`id` makes it total).
DOCUMENT_ORDER = [{"source": "asc"}, {"source_ids.service": "asc"}, {"id": "asc"}]
SERVICE_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"service": {"terms": {"field": "source_ids.service"}}},
]
ORGANIZATION_ID_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"organization": {"terms": {"field": "source_ids.organization"}}},
]
ORGANIZATION_NAME_GROUP = [
    {"source": {"terms": {"field": "source"}}},
    {"name": {"terms": {"field": "organization_name.raw"}}},
]
# Text search: the service's names and descriptions (service-level fields only, so that a
# service matches with all its locations or not at all).
SEARCH_FIELDS = [
    "service_name^3",
    "organization_name^2",
    "description",
    "category_names",
    "eligibility.description",
]
MAX_WINDOW = 10_000  # Elasticsearch's index.max_result_window: from + size beyond it fails
COUNT_CHUNK = 50_000  # composite buckets a request counts (under search.max_buckets)
MULTI_LOCATION_BUCKETS = 10_000
PIT_KEEP_ALIVE = "5m"  # between two batches of a stream (a slow reader)
# Whole exports read in this order with a point in time: no sorting cost.
SNAPSHOT_ORDER = [{"_shard_doc": "asc"}]


# ---------------------------------------------------------------------------------------
# Identifiers


def nested_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def service_key(doc: dict) -> tuple[str, str]:
    return doc["source"], str(doc["source_ids"]["service"])


def service_id(doc: dict) -> str:
    source, sid = service_key(doc)
    return f"{source}:{sid}"


def split_service_id(value: str) -> tuple[str, str] | None:
    """`<source>:<source id>` → (source, source id); None when it cannot be one of ours."""
    source, sep, rest = value.partition(":")
    if not sep or not rest or not SOURCE_NAME.match(source):
        return None
    return source, rest


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def organization_id(doc: dict) -> str | None:
    oid = (doc.get("source_ids") or {}).get("organization")
    if oid:
        return f"{doc['source']}:{oid}"
    if doc.get("organization_name"):
        return f"{doc['source']}~{_b64(doc['organization_name'])}"
    return None


@dataclass(frozen=True)
class OrganizationRef:
    """What an organization id names: a source's organization id, or a name without one."""

    source: str
    id: str | None = None
    name: str | None = None

    @property
    def hsds_id(self) -> str:
        if self.id is not None:
            return f"{self.source}:{self.id}"
        return f"{self.source}~{_b64(self.name or '')}"

    def query(self) -> dict:
        filters: list[dict] = [{"term": {"source": self.source}}]
        if self.id is not None:
            filters.append({"term": {"source_ids.organization": self.id}})
            return {"bool": {"filter": filters}}
        filters.append({"term": {"organization_name.raw": self.name}})
        return {
            "bool": {
                "filter": filters,
                "must_not": [{"exists": {"field": "source_ids.organization"}}],
            }
        }


def parse_organization_id(value: str) -> OrganizationRef | None:
    match = re.match(r"^([a-z0-9][a-z0-9-]{0,62})([:~])(.+)$", value, re.S)
    if not match:
        return None
    source, sep, rest = match.groups()
    if sep == ":":
        return OrganizationRef(source, id=rest)
    name = _unb64(rest)
    return OrganizationRef(source, name=name) if name else None


def location_id(doc: dict) -> str:
    """`<source>:<location id>`; a confidential location gets the document's id instead, so
    that nothing links it to another service listed at the same place with its address."""
    lid = (doc.get("source_ids") or {}).get("location")
    return f"{doc['source']}:{lid}" if lid and not doc.get("confidential") else doc["id"]


# ---------------------------------------------------------------------------------------
# Taxonomies and terms


@dataclass(frozen=True)
class Term:
    id: str
    code: str
    name: str
    description: str
    taxonomy: str
    parent_id: str | None = None

    def as_hsds(self) -> dict:
        out = {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "taxonomy": self.taxonomy,
            "taxonomy_id": self.taxonomy,
        }
        if self.parent_id:
            out["parent_id"] = self.parent_id
        return out


def taxonomies(data_dir: Path = DATA_DIR) -> list[dict]:
    """The vocabularies the export's attributes use: the categories and the conventions."""
    version = taxonomy_version(data_dir)
    described = {
        CATEGORIES: "Linkage's needs-oriented service categories (data/taxonomy.json); "
        "a parent category includes its children.",
        ELIGIBILITY: "Who a service is restricted to or reserved for (data/eligibility.json), "
        "and its income limit as a percent of the federal poverty guideline "
        f"(term {INCOME}, the percentage in the attribute's value).",
        FEES: "Whether a service is free, on a sliding scale, or charges a fee.",
        FLAGS: "Flags on a service: confidential-address (the location is never disclosed).",
    }
    return [
        {"id": name, "name": name, "description": text, "version": version}
        for name, text in described.items()
    ]


@cache
def taxonomy_version(data_dir: Path = DATA_DIR) -> str:
    raw = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
    return str(raw.get("version") or "")


FEE_NAMES = {
    "free": ("Free", "No charge to the people served."),
    "sliding-scale": ("Sliding scale", "Charges depend on income; see fees_description."),
    "fee": ("Fee", "The service charges a fee; see fees_description."),
}


def term_id(taxonomy_name: str, code: str) -> str:
    return code if taxonomy_name == CATEGORIES else f"{taxonomy_name}:{code}"


@cache
def terms(taxonomy: Taxonomy) -> dict[str, Term]:
    """Every taxonomy term the export uses, by id: categories first, in the file's order."""
    out: dict[str, Term] = {}
    for c in taxonomy.categories.values():
        out[c.code] = Term(c.code, c.code, c.name, c.description or c.name, CATEGORIES, c.parent)
    for code, tag in taxonomy.eligibility_tags.items():
        tid = term_id(ELIGIBILITY, code)
        out[tid] = Term(tid, code, tag["name"], tag.get("description") or tag["name"], ELIGIBILITY)
    tid = term_id(ELIGIBILITY, INCOME)
    out[tid] = Term(
        tid,
        INCOME,
        "Income limit",
        "Household income at most this percent of the federal poverty guideline "
        "(the attribute's value).",
        ELIGIBILITY,
    )
    for code, (name, text) in FEE_NAMES.items():
        tid = term_id(FEES, code)
        out[tid] = Term(tid, code, name, text, FEES)
    tid = term_id(FLAGS, CONFIDENTIAL)
    out[tid] = Term(
        tid,
        CONFIDENTIAL,
        "Confidential address",
        "The location is kept confidential (e.g. a domestic-violence shelter): "
        "contact the service by phone.",
        FLAGS,
    )
    return out


def term_filter(term: Term) -> dict:
    """Documents filed under a term; a parent category includes its children."""
    if term.taxonomy == CATEGORIES:
        return {"term": {"category_tree": term.code}}
    if term.taxonomy == ELIGIBILITY:
        if term.code == INCOME:
            return {"exists": {"field": "eligibility.income_max_fpl"}}
        return {"term": {"eligibility.tags": term.code}}
    if term.taxonomy == FEES:
        return {"term": {"fees": term.code}}
    return {"term": {"confidential": True}}


def taxonomy_filter(name: str) -> dict:
    """Documents carrying any term of the taxonomy."""
    if name == CATEGORIES:
        return {"exists": {"field": "categories"}}
    if name == ELIGIBILITY:
        return {
            "bool": {
                "should": [
                    {"exists": {"field": "eligibility.tags"}},
                    {"exists": {"field": "eligibility.income_max_fpl"}},
                ],
                "minimum_should_match": 1,
            }
        }
    if name == FEES:
        return {"exists": {"field": "fees"}}
    return {"term": {"confidential": True}}


def _attribute(owner_id: str, term: Term, value: str | None = None) -> dict:
    out = {
        "id": nested_id(owner_id, "attribute", term.id),
        "link_id": owner_id,
        "link_type": "service_category" if term.taxonomy == CATEGORIES else term.taxonomy,
        "link_entity": "service",
        "taxonomy_term_id": term.id,
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
    return out


# ---------------------------------------------------------------------------------------
# Documents → HSDS objects


def _compact(obj: dict) -> dict:
    """HSDS types are never null: a value the record does not have is left out."""
    return {k: v for k, v in obj.items() if v is not None}


def _status(value: str | None) -> str:
    text = re.sub(r"[\s_-]+", " ", (value or "active").strip().lower())
    if text in STATUSES:
        return text
    return "temporarily closed" if "temporar" in text else "inactive"


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


AREA_NAMES = {"zip": "ZIP code {}", "state": "State of {}"}


def _service_area(owner_id: str, extent: str) -> dict:
    parts = extent.split(":")
    if parts[0] == "county" and len(parts) == 3:
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
    return {"id": oid, "name": doc.get("organization_name") or "", "description": ""}


def _one_to_one(doc: dict) -> dict:
    eligibility = doc.get("eligibility") or {}
    verified = doc.get("last_verified")
    return {
        "id": service_id(doc),
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
    sal_id = doc["id"]
    location = location_object(doc, full, languages)
    out: dict = {"id": sal_id, "service_id": service_id(doc)}
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
# Queries


def parse_modified_after(value: str) -> date:
    """A date or datetime (ISO 8601) → the UTC date records must be verified on or after."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"out of range: {value!r}") from None
    return moment.date()


def text_filter(text: str, extra_fields: Iterable[str] = ()) -> dict:
    return {
        "multi_match": {
            "query": text,
            "fields": [*SEARCH_FIELDS, *extra_fields],
            "type": "cross_fields",
            "operator": "and",
        }
    }


def bool_query(filters: list[dict], must_not: list[dict] | None = None) -> dict:
    if not filters and not must_not:
        return {"match_all": {}}
    return {"bool": {"filter": filters, "must_not": must_not or []}}


def proximity_filter(place: geo.Place, metres: float) -> dict:
    """Within `metres` of the place. A confidential location counts as at its ZIP code's
    centroid: measured to the metre, the distance from a few places would give it away."""
    return {
        "bool": {
            "should": [
                {
                    "bool": {
                        "filter": [
                            {
                                "geo_distance": {
                                    "distance": f"{metres}m",
                                    "location": {"lat": place.lat, "lon": place.lon},
                                }
                            }
                        ],
                        "must_not": [{"term": {"confidential": True}}],
                    }
                },
                {
                    "bool": {
                        "filter": [
                            {"term": {"confidential": True}},
                            {
                                "terms": {
                                    "address.postal_code": geo.zips_within(
                                        place.lat, place.lon, metres
                                    )
                                }
                            },
                        ]
                    }
                },
            ],
            "minimum_should_match": 1,
        }
    }


def service_area_filter(place: geo.Place) -> dict:
    """A service that states service areas must serve the place; one that states none may."""
    return {
        "bool": {
            "should": [
                {"bool": {"must_not": [{"exists": {"field": "service_areas"}}]}},
                {"terms": {"service_areas": place.area_keys()}},
            ],
            "minimum_should_match": 1,
        }
    }


# ---------------------------------------------------------------------------------------
# Reading the index


def iter_documents(
    es: Elasticsearch,
    index: str,
    query: dict,
    sort: list | None = None,
    batch: int = 1000,
    point_in_time: bool = False,
) -> Iterator[dict]:
    """Every matching document in `sort` order, `batch` at a time (search_after), so memory
    stays flat whatever the size; in a point-in-time snapshot when asked (long exports)."""
    sort = sort or DOCUMENT_ORDER
    pit = None
    if point_in_time:
        pit = es.open_point_in_time(index=index, keep_alive=PIT_KEEP_ALIVE)["id"]
    try:
        after = None
        while True:
            body: dict = {
                "query": query,
                "sort": sort,
                "size": batch,
                "_source": {"excludes": SOURCE_EXCLUDES},
                "track_total_hits": False,
            }
            if after is not None:
                body["search_after"] = after
            if pit is not None:
                response = es.search(pit={"id": pit, "keep_alive": PIT_KEEP_ALIVE}, **body)
                pit = response.get("pit_id", pit)
            else:
                response = es.search(index=index, **body)
            hits = response["hits"]["hits"]
            for hit in hits:
                yield hit["_source"]
            if len(hits) < batch:
                return
            after = hits[-1]["sort"]
    finally:
        if pit is not None:
            es.options(ignore_status=404).close_point_in_time(id=pit)


def grouped(docs: Iterable[dict], key: Callable[[dict], object]) -> Iterator[list[dict]]:
    """Runs of consecutive documents with the same key (one service, one organization)."""
    for _, run in itertools.groupby(docs, key=key):
        yield list(run)


def _composite(
    es: Elasticsearch,
    index: str,
    query: dict,
    sources: list[dict],
    size: int,
    after: dict | None,
    keys: bool,
    sub: dict | None = None,
) -> tuple[list[dict], dict | None]:
    """One composite aggregation page: its buckets (keys, or only counts) and after_key."""
    composite: dict = {"size": size, "sources": sources}
    if after is not None:
        composite["after"] = after
    agg: dict = {"composite": composite}
    paths = ["aggregations.g.after_key"]
    if keys:
        paths += ["aggregations.g.buckets.key", "aggregations.g.buckets.doc_count"]
        if sub:
            agg["aggs"] = sub
            paths += [f"aggregations.g.buckets.{name}" for name in sub]
    else:
        paths.append("aggregations.g.buckets.doc_count")
    response = es.search(
        index=index, query=query, size=0, aggs={"g": agg}, filter_path=",".join(paths)
    )
    found = (response.get("aggregations") or {}).get("g") or {}
    return found.get("buckets") or [], found.get("after_key")


def iter_groups(
    es: Elasticsearch,
    index: str,
    query: dict,
    sources: list[dict],
    sub: dict | None = None,
    chunk: int = 10_000,
) -> Iterator[dict]:
    """Every distinct group (composite bucket, with its key), a chunk at a time."""
    after = None
    while True:
        buckets, after = _composite(es, index, query, sources, chunk, after, True, sub)
        yield from buckets
        if len(buckets) < chunk or after is None:
            return


def count_groups(
    es: Elasticsearch, index: str, query: dict, sources: list[dict], chunk: int | None = None
) -> int:
    """The exact number of distinct groups (counts only travel; no keys)."""
    chunk = chunk or COUNT_CHUNK
    total, after = 0, None
    while True:
        buckets, after = _composite(es, index, query, sources, chunk, after, False)
        total += len(buckets)
        if len(buckets) < chunk or after is None:
            return total


def _skip(
    es: Elasticsearch, index: str, query: dict, field: str, offset: int, chunk: int | None = None
):
    """The `offset`-th value of `field` in ascending order (to search_after it), through
    composite aggregations that return only their after_key: deep pages without walking
    every hit before them. None when there are not that many values."""
    chunk = chunk or COUNT_CHUNK
    after, skipped = None, 0
    while skipped < offset:
        size = min(chunk, offset - skipped)
        buckets, after = _composite(
            es, index, query, [{"v": {"terms": {"field": field}}}], size, after, False
        )
        skipped += len(buckets)
        if len(buckets) < size or after is None:
            return None
    return after["v"] if after else None


def _and(query: dict, *filters: dict) -> dict:
    return {"bool": {"filter": [query, *filters]}}


def service_counts(es: Elasticsearch, index: str, query: dict) -> list[tuple[str, int]]:
    """Distinct matching services per source, in source order, counted exactly.

    Most services have one document: a source's services are its documents less the extra
    documents of the services with several (found with a terms aggregation, exact because a
    source's documents live in one single-shard index). Should a source have more such
    services than one request returns, its services are counted group by group instead.
    """
    response = es.search(
        index=index,
        query=query,
        size=0,
        aggs={"s": {"terms": {"field": "source", "size": 10_000, "order": {"_key": "asc"}}}},
        filter_path="aggregations.s.buckets.key,aggregations.s.buckets.doc_count",
    )
    counts = []
    for bucket in ((response.get("aggregations") or {}).get("s") or {}).get("buckets") or []:
        source, documents = bucket["key"], bucket["doc_count"]
        scoped = _and(query, {"term": {"source": source}})
        multi = es.search(
            index=index,
            query=scoped,
            size=0,
            aggs={
                "m": {
                    "terms": {
                        "field": "source_ids.service",
                        "min_doc_count": 2,
                        "size": MULTI_LOCATION_BUCKETS,
                    }
                }
            },
            filter_path="aggregations.m.buckets.doc_count",
        )
        several = ((multi.get("aggregations") or {}).get("m") or {}).get("buckets") or []
        if len(several) < MULTI_LOCATION_BUCKETS:
            counts.append((source, documents - sum(b["doc_count"] - 1 for b in several)))
        else:
            counts.append((source, count_groups(es, index, scoped, SERVICE_GROUP)))
    return counts


def page_of_services(
    es: Elasticsearch, index: str, query: dict, offset: int, limit: int
) -> tuple[int, list[tuple[str, str]]]:
    """Exact number of matching services, and the keys of the window [offset, offset +
    limit) in (source, service id) order: per source, a collapsed search (from/size, or
    search_after a composite skip for deep pages)."""
    counts = service_counts(es, index, query)
    keys: list[tuple[str, str]] = []
    start = 0
    for source, count in counts:
        if len(keys) >= limit:
            break
        if start + count > offset:
            local, size = max(offset - start, 0), limit - len(keys)
            scoped = _and(query, {"term": {"source": source}})
            body: dict = {
                "query": scoped,
                "collapse": {"field": "source_ids.service"},
                "sort": [{"source_ids.service": "asc"}],
                "size": size,
                "_source": False,
                "track_total_hits": False,
                "filter_path": "hits.hits.sort",
            }
            if local == 0 or local + size <= MAX_WINDOW:
                body["from_"] = local
            else:
                after = _skip(es, index, scoped, "source_ids.service", local)
                if after is None:
                    start += count
                    continue
                body["search_after"] = [after]
            hits = (es.search(index=index, **body).get("hits") or {}).get("hits") or []
            keys += [(source, h["sort"][0]) for h in hits]
        start += count
    return sum(c for _, c in counts), keys


def page_of_groups(
    es: Elasticsearch,
    index: str,
    partitions: list[tuple[dict, list[dict], dict | None]],
    offset: int,
    limit: int,
    chunk: int | None = None,
) -> tuple[int, list[dict]]:
    """Distinct groups (organizations) counted exactly, and the buckets of the window
    [offset, offset + limit), through composite aggregations in key order.

    `partitions` are (query, composite sources, sub-aggregations) listed one after another.
    Only the window travels with keys; before and after it, counts only.
    """
    chunk = chunk or COUNT_CHUNK
    total = 0
    window: list[dict] = []
    for query, sources, sub in partitions:
        after = None
        while True:
            if total < offset:
                size, keys = min(chunk, offset - total), False
            elif len(window) < limit:
                size, keys = limit - len(window), True
            else:
                size, keys = chunk, False
            buckets, after = _composite(es, index, query, sources, size, after, keys, sub)
            if keys:
                window.extend(buckets)
            total += len(buckets)
            if len(buckets) < size or after is None:
                break
    return total, window


def page_of_documents(
    es: Elasticsearch, index: str, query: dict, offset: int, limit: int
) -> tuple[int, list[dict]]:
    """Exact total and one page of documents in id order, at any depth (beyond
    Elasticsearch's result window, search_after a composite skip)."""
    total = es.count(index=index, query=query)["count"]
    if offset >= total or limit == 0:
        return total, []
    body: dict = {
        "query": query,
        "sort": [{"id": "asc"}],
        "size": limit,
        "_source": {"excludes": SOURCE_EXCLUDES},
        "track_total_hits": False,
    }
    if offset == 0 or offset + limit <= MAX_WINDOW:
        body["from_"] = offset
    else:
        after = _skip(es, index, query, "id", offset)
        if after is None:
            return total, []
        body["search_after"] = [after]
    response = es.search(index=index, **body)
    return total, [h["_source"] for h in response["hits"]["hits"]]


def documents_of_services(
    es: Elasticsearch, index: str, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], list[dict]]:
    """All documents of these services, by service key, each list in DOCUMENT_ORDER."""
    if not keys:
        return {}
    by_source: dict[str, list[str]] = {}
    for source, sid in keys:
        by_source.setdefault(source, []).append(sid)
    query = {
        "bool": {
            "should": [
                _and({"term": {"source": source}}, {"terms": {"source_ids.service": sids}})
                for source, sids in by_source.items()
            ],
            "minimum_should_match": 1,
        }
    }
    out: dict[tuple[str, str], list[dict]] = {}
    for doc in iter_documents(es, index, query):
        out.setdefault(service_key(doc), []).append(doc)
    return out
