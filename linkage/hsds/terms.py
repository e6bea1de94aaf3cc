"""The taxonomies and terms of the HSDS export: Linkage's categories and its convention
vocabularies (linkage.hsds.conventions), named and described for /hsds/taxonomies and
/hsds/taxonomy_terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage.config import DATA_DIR
from linkage.hsds.conventions import CATEGORIES, CONFIDENTIAL, ELIGIBILITY, FEES, FLAGS, INCOME
from linkage.hsds.ids import is_uuid, taxonomy_uuid, term_id, term_uuid
from linkage.taxonomy import Taxonomy


@dataclass(frozen=True)
class Term:
    id: str
    code: str
    name: str
    description: str
    taxonomy: str
    parent_id: str | None = None

    @property
    def uuid(self) -> str:
        return term_uuid(self.taxonomy, self.code)

    def as_hsds(self) -> dict:
        out = {
            "id": self.uuid,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "taxonomy": self.taxonomy,
            "taxonomy_id": taxonomy_uuid(self.taxonomy),
        }
        if self.parent_id:
            # Only categories have parents, and a parent is a category.
            out["parent_id"] = term_uuid(self.taxonomy, self.parent_id)
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
        FLAGS: f"Flags on a service: {CONFIDENTIAL} (the location is never disclosed).",
    }
    return [
        {"id": taxonomy_uuid(name), "name": name, "description": text, "version": version}
        for name, text in described.items()
    ]


def taxonomy_named(value: str, data_dir: Path = DATA_DIR) -> dict | None:
    """The taxonomy with this id (its UUID) or name."""
    wanted = value.lower() if is_uuid(value) else taxonomy_uuid(value)
    return next((t for t in taxonomies(data_dir) if t["id"] == wanted), None)


@cache
def taxonomy_version(data_dir: Path = DATA_DIR) -> str:
    raw = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
    return str(raw.get("version") or "")


FEE_NAMES = {
    "free": ("Free", "No charge to the people served."),
    "sliding-scale": ("Sliding scale", "Charges depend on income; see fees_description."),
    "fee": ("Fee", "The service charges a fee; see fees_description."),
}


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


@cache
def _by_uuid(taxonomy: Taxonomy) -> dict[str, Term]:
    return {t.uuid: t for t in terms(taxonomy).values()}


def find_term(taxonomy: Taxonomy, value: str) -> Term | None:
    """The term with this id: its UUID, or its stable id (`food`, `linkage-fees:free`)."""
    if is_uuid(value):
        return _by_uuid(taxonomy).get(value.lower())
    return terms(taxonomy).get(value)
