"""Identifiers of the HSDS objects Linkage exports: stable across imports, and each resolves
back to the documents it was made from.

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
- nested rows (phones, schedules, languages, attributes, ...): UUIDs derived from their
  parent's id and content.
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


def service_key(doc: dict) -> tuple[str, str]:
    return doc["source"], str(doc["source_ids"]["service"])


def service_id(doc: dict) -> str:
    source, sid = service_key(doc)
    return f"{source}:{sid}"


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


def location_id(doc: dict) -> str:
    """`<source>:<location id>`; a confidential location gets the document's id instead, so
    that nothing links it to another service listed at the same place with its address."""
    lid = (doc.get("source_ids") or {}).get("location")
    return f"{doc['source']}:{lid}" if lid and not doc.get("confidential") else doc["id"]


def term_id(taxonomy_name: str, code: str) -> str:
    return code if taxonomy_name == CATEGORIES else f"{taxonomy_name}:{code}"
