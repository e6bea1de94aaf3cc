"""Identifiers of the HSDS objects Linkage exports: UUIDs (HSDS 3.0 says `format: uuid`),
each the UUIDv5 of a stable id, so the same record gets the same UUID on every import and an
export loaded again round-trips. The stable ids (kept in the objects' identifiers):

- service: `<source>:<source service id>`;
- organization: `<source>:<source organization id>`, or `<source>~<name, base64url>` when
  the source gave the organization no id (source names, linkage.jobs.SOURCE_NAME_PATTERN, never
  contain `:` or `~`);
- service_at_location: the document id (derived from source, service and location ids by
  indexer.hsds.document_id);
- location: `<source>:<source location id>` (else, and always when confidential, the
  document id);
- taxonomy terms: a category's code (taxonomy `linkage`), `<taxonomy>:<code>` for the
  convention vocabularies (`linkage-eligibility:veterans`, `linkage-fees:free`, ...);
  taxonomies: their name;
- nested rows (phones, schedules, languages, attributes, ...): UUIDs derived from their
  parent's id and content.

A UUID cannot be read back, so the indexer stores those of a document's service,
organization and service_at_location in its `hsds_ids` (`lookup_ids`), and the API finds a
record by them; the stable ids are accepted too.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass

from linkage.hsds.conventions import CATEGORIES
from linkage.jobs import SOURCE_NAME_PATTERN

# Nested rows get UUIDs derived from this namespace and their parent's id: stable, unique.
NAMESPACE = uuid.UUID("6f1d8e0c-2b0a-5d8f-9a51-6c1e0d6b7a42")


def nested_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


# What an object's UUID is made from: its kind and its stable id (two kinds never share one).
SERVICE, ORGANIZATION, SERVICE_AT_LOCATION, LOCATION = (
    "service",
    "organization",
    "service_at_location",
    "location",
)
TAXONOMY, TAXONOMY_TERM = "taxonomy", "taxonomy_term"


def object_uuid(kind: str, stable_id: str) -> str:
    return nested_id(kind, stable_id)


def is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def service_key(doc: dict) -> tuple[str, str]:
    return doc["source"], str(doc["source_ids"]["service"])


def stable_service_id(doc: dict) -> str:
    source, sid = service_key(doc)
    return f"{source}:{sid}"


def service_id(doc: dict) -> str:
    return object_uuid(SERVICE, stable_service_id(doc))


def split_service_id(value: str) -> tuple[str, str] | None:
    """`<source>:<source id>` → (source, source id); None when it cannot be one of ours."""
    source, sep, rest = value.partition(":")
    if not sep or not rest or not SOURCE_NAME_PATTERN.match(source):
        return None
    return source, rest


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def stable_organization_id(doc: dict) -> str | None:
    oid = (doc.get("source_ids") or {}).get("organization")
    if oid:
        return f"{doc['source']}:{oid}"
    if doc.get("organization_name"):
        return f"{doc['source']}~{_b64(doc['organization_name'])}"
    return None


def organization_id(doc: dict) -> str | None:
    stable = stable_organization_id(doc)
    return object_uuid(ORGANIZATION, stable) if stable else None


@dataclass(frozen=True)
class OrganizationRef:
    """What an organization id names: a source's organization id, or a name without one."""

    source: str
    id: str | None = None
    name: str | None = None

    @property
    def stable_id(self) -> str:
        if self.id is not None:
            return f"{self.source}:{self.id}"
        return f"{self.source}~{_b64(self.name or '')}"

    @property
    def hsds_id(self) -> str:
        return object_uuid(ORGANIZATION, self.stable_id)

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
    """`<source>:<id>` or `<source>~<name, base64url>` → what it names; None when neither."""
    match = re.search(r"[:~]", value)
    if not match or not SOURCE_NAME_PATTERN.fullmatch(value[: match.start()]):
        return None
    source, sep, rest = value[: match.start()], match.group(), value[match.end() :]
    if not rest:
        return None
    if sep == ":":
        return OrganizationRef(source, id=rest)
    name = _unb64(rest)
    return OrganizationRef(source, name=name) if name else None


def organization_query(value: str) -> dict | None:
    """The documents of the organization with this id (its UUID, or its stable id); None
    when the value cannot be one of ours."""
    if is_uuid(value):
        return lookup_query(ORGANIZATION, value)
    ref = parse_organization_id(value)
    return ref.query() if ref else None


def service_query(value: str) -> dict | None:
    """The documents of the service with this id (its UUID, or `<source>:<source id>`)."""
    if is_uuid(value):
        return lookup_query(SERVICE, value)
    key = split_service_id(value)
    if key is None:
        return None
    return {
        "bool": {"filter": [{"term": {"source": key[0]}}, {"term": {"source_ids.service": key[1]}}]}
    }


def stable_location_id(doc: dict) -> str:
    """`<source>:<location id>`; a confidential location gets the document's id instead, so
    that nothing links it to another service listed at the same place with its address."""
    lid = (doc.get("source_ids") or {}).get("location")
    return f"{doc['source']}:{lid}" if lid and not doc.get("confidential") else doc["id"]


def location_id(doc: dict) -> str:
    return object_uuid(LOCATION, stable_location_id(doc))


def service_at_location_id(doc: dict) -> str:
    return object_uuid(SERVICE_AT_LOCATION, doc["id"])


def lookup_ids(doc: dict) -> dict[str, str | None]:
    """The UUIDs a document is found by (its `hsds_ids`, filled by the indexer)."""
    return {
        SERVICE: service_id(doc),
        ORGANIZATION: organization_id(doc),
        SERVICE_AT_LOCATION: service_at_location_id(doc),
    }


def lookup_query(kind: str, value: str) -> dict:
    """The documents of the object with this UUID."""
    return {"term": {f"hsds_ids.{kind}": value.lower()}}


def term_id(taxonomy_name: str, code: str) -> str:
    """A term's stable id (the key of linkage.hsds.terms.terms)."""
    return code if taxonomy_name == CATEGORIES else f"{taxonomy_name}:{code}"


def term_uuid(taxonomy_name: str, code: str) -> str:
    return object_uuid(TAXONOMY_TERM, term_id(taxonomy_name, code))


def taxonomy_uuid(taxonomy_name: str) -> str:
    return object_uuid(TAXONOMY, taxonomy_name)
