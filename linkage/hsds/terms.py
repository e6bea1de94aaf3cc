"""The taxonomies and terms of the HSDS export: Linkage's categories, its convention
vocabularies (linkage.hsds.conventions) and the source vocabularies the records carry by code
(211 and Open Eligibility), named and described for /hsds/taxonomies and /hsds/taxonomy_terms.

A 211 code's name is licensed (the 211 HSIS taxonomy is a subscription): its term is the code
alone, named by its code, unless the deployer publishes the sources' names. Open Eligibility's
names are openly licensed (CC BY-SA 3.0, Aunt Bertha, Inc.): its terms carry the names the
sources gave them, with the attribution in the taxonomy's description.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage.config import DATA_DIR
from linkage.hsds.conventions import (
    CATEGORIES,
    CONFIDENTIAL,
    ELIGIBILITY,
    FEES,
    FLAGS,
    INCOME,
    OPEN_ELIGIBILITY,
    TAXONOMY_211,
)
from linkage.hsds.ids import is_uuid, taxonomy_uuid, term_id, term_uuid
from linkage.search.index import ResourceIndex
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
            # A parent is a term of the same taxonomy (a category's, a listed code's).
            out["parent_id"] = term_uuid(self.taxonomy, self.parent_id)
        return out


# Open Eligibility's licence line (its README): CC BY-SA 3.0 asks for the attribution.
OPEN_ELIGIBILITY_CREDIT = (
    "Human Services Taxonomy by Aunt Bertha, Inc. (http://openeligibility.org), licensed under "
    "a Creative Commons Attribution-ShareAlike 3.0 Unported License"
)


def taxonomies(data_dir: Path = DATA_DIR, source_names: bool = False) -> list[dict]:
    """The vocabularies the export's attributes use: the categories, the conventions and the
    source vocabularies; `source_names`: whether 211 terms carry their sources' names (the
    deployer's publish_source_term_names), which the 211 description states."""
    version = taxonomy_version(data_dir)
    named_211 = (
        "with the names their sources gave them, published by the deployer's licence"
        if source_names
        else "codes only, as its term names are licensed"
    )
    described = {
        CATEGORIES: "Linkage's needs-oriented service categories (data/taxonomy.json); "
        "a parent category includes its children.",
        ELIGIBILITY: "Who a service is restricted to or reserved for (data/eligibility.json), "
        "and its income limit as a percent of the federal poverty guideline "
        f"(term {INCOME}, the percentage in the attribute's value).",
        FEES: "Whether a service is free, on a sliding scale, or charges a fee.",
        FLAGS: f"Flags on a service: {CONFIDENTIAL} (the location is never disclosed).",
        TAXONOMY_211: "The 211 Human Services Indexing System codes the records carry, as "
        f"their sources gave them (http://211hsis.org); {named_211}. A code's parent is the "
        "code one level up, where a record carries it too.",
        OPEN_ELIGIBILITY: "The Open Eligibility codes the records carry, as their sources "
        "gave them and named by them (a directory's own numbering, such as an Ohana "
        "deployment's, or the v2.0 ids). A code's parent is the code one level up, where a "
        f"record carries it too. {OPEN_ELIGIBILITY_CREDIT}.",
    }
    return [
        {"id": taxonomy_uuid(name), "name": name, "description": text, "version": version}
        for name, text in described.items()
    ]


def parent_code(code: str) -> str | None:
    """The code one level up, its last segment removed: `BD-1800.2000` → `BD-1800` → `BD`
    → `B` (211), `101-02-01` → `101-02` (Open Eligibility as Ohana numbers it); None at the
    top."""
    cut = max(code.rfind("-"), code.rfind("."))
    if cut > 0:
        return code[:cut]
    if len(code) == 2 and code.isalpha():  # a 211 level 2 (`BD`) is under its letter
        return code[0]
    return None


def source_term(taxonomy_name: str, code: str, name: str | None, parent: str | None) -> Term:
    """A term of a source vocabulary the records carry: a 211 code, named by itself unless
    `name` (the name its source gave it) is to be published, or an Open Eligibility code,
    named as its source names it."""
    if taxonomy_name == OPEN_ELIGIBILITY:
        text = (
            f"{name} (Open Eligibility code {code}, as its source names it)."
            if name
            else f"Open Eligibility code {code} (its source gave no name)."
        )
    elif name:
        text = f"{name} (211 HSIS code {code}, as its source names it)."
    else:
        text = f"211 HSIS code {code} (its name is licensed and not published here)."
    return Term(term_id(taxonomy_name, code), code, name or code, text, taxonomy_name, parent)


def _with_parents(taxonomy_name: str, named: dict[str, str | None]) -> list[Term]:
    """The terms of `named` (code → name), each with the parent code when it is listed too."""
    return [
        source_term(taxonomy_name, code, name, p if (p := parent_code(code)) in named else None)
        for code, name in named.items()
    ]


def carried(index: ResourceIndex, names_211: bool = False) -> list[Term]:
    """Every 211 and Open Eligibility code the index's documents carry, each taxonomy in code
    order. 211 codes carry a name their sources gave them (the first in order, if they
    differ) only when `names_211` (licensed: the deployer's publish_source_term_names);
    Open Eligibility codes always do (openly licensed), where the source gave one."""
    query = {"match_all": {}}
    codes = [b["key"]["c"] for b in index.iter_groups(query, [{"c": {"terms": {"field": "codes_211"}}}])]  # fmt: skip
    named_211: dict[str, str | None] = dict.fromkeys(codes)
    if names_211:
        for bucket in index.iter_groups(query, [{"n": {"terms": {"field": "names_211"}}}]):
            code, _, name = bucket["key"]["n"].partition("\t")
            if code in named_211 and named_211[code] is None:
                named_211[code] = name
    named_oe: dict[str, str | None] = {}
    group = [{"t": {"terms": {"field": "open_eligibility_terms"}}}]
    for bucket in index.iter_groups(query, group):
        code, _, name = bucket["key"]["t"].partition("\t")
        if not named_oe.get(code):
            named_oe[code] = name or None
    return [*_with_parents(TAXONOMY_211, named_211), *_with_parents(OPEN_ELIGIBILITY, named_oe)]


def taxonomy_named(
    value: str, data_dir: Path = DATA_DIR, source_names: bool = False
) -> dict | None:
    """The taxonomy with this id (its UUID) or name."""
    wanted = value.lower() if is_uuid(value) else taxonomy_uuid(value)
    return next((t for t in taxonomies(data_dir, source_names) if t["id"] == wanted), None)


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


def find_term(taxonomy: Taxonomy, value: str, carried: Iterable[Term] = ()) -> Term | None:
    """The term with this id: its UUID, or its stable id (`food`, `linkage-fees:free`,
    `211:BD-1800`, `open-eligibility:101-02`); a source vocabulary's term only when it is
    `carried` (see carried)."""
    if is_uuid(value):
        wanted = value.lower()
        found = _by_uuid(taxonomy).get(wanted)
        return found or next((t for t in carried if t.uuid == wanted), None)
    return terms(taxonomy).get(value) or next((t for t in carried if t.id == value), None)
