"""Categories inferred for a record its source left without any.

Two kinds of evidence, from the record's name (and alternate name), keywords and description:
- lexical: the taxonomy's everyday words (`Taxonomy.recognise`), e.g. "food pantry" or "ged";
- semantic: the cosine similarity between the record's text and each category's name,
  description and words, embedded with the project's model (linkage.semantic).

A wrong category sends a client to the wrong place, so the rules favour precision (better no
category than a wrong one): a category word counts only when the meaning of the whole record
agrees (its category is among the closest); a top-level category's broad words ("health",
"work") only when nothing narrower was found; meaning alone, without a word, only when it is
very close and far ahead of every other branch.
At most `Rules.most` categories, narrowest and name first.
The thresholds are tuned on half of the real directories in benchmarks/import_quality.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from linkage.hsds.conventions import CONVENTION_TAXONOMIES
from linkage.search import hybrid, semantic
from linkage.taxonomy import Taxonomy


@dataclass(frozen=True)
class Rules:
    """The thresholds that decide (cosine similarities of unit vectors, about 0 to 0.7)."""

    name_min: float = 0.10  # a category word in the name, unless the meaning disagrees
    text_min: float = 0.20  # a category word in the description, keywords or organization
    lag: float = 0.15  # ... and a word's category at most this far behind the closest one
    # Meaning alone: this similar, and this far ahead of any other branch's best (rare: lower
    # levels added more wrong categories than right ones in tuning).
    semantic_min: float = 0.60
    semantic_margin: float = 0.08
    name_weight: float = 0.3  # the name's share of the record's vector
    most: int = 2


@dataclass(frozen=True)
class Evidence:
    """What a record says, before any rule is applied (so rules can be tuned on it)."""

    in_name: tuple[str, ...]
    in_text: tuple[str, ...]  # description and keywords
    similarity: np.ndarray = field(repr=False)  # one cosine per category, taxonomy order


@dataclass(frozen=True)
class Inference:
    categories: list[str]
    evidence: str | None  # "name" or "description": what the categories were read from


def record_texts(service: dict) -> tuple[str, str]:
    """(name and alternate name, description and keywords) of an HSDS service record.
    Keywords are the names of taxonomy terms that mapped to no category."""
    name = " ".join(t for t in (service.get("name"), service.get("alternate_name")) if t)
    keywords = [
        term.get("name") or ""
        for a in service.get("attributes") or ()
        if (term := a.get("taxonomy_term") or {})
        and (term.get("taxonomy") or "").strip().lower() not in CONVENTION_TAXONOMIES
    ]
    description = (service.get("description") or "")[: semantic.DESCRIPTION_CHARS]
    # The organization says what kind of place it is ("... Legal Services" for its "Housing" unit).
    organization = (service.get("organization") or {}).get("name") or ""
    return name.strip(), " ".join(t for t in (organization, description, *keywords) if t).strip()


class CategoryInferrer:
    """Infers categories from a record's words; the category vectors are embedded once."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        rules: Rules | None = None,
        embed: Callable[[list[str]], np.ndarray] = semantic.embed,
    ):
        self.taxonomy = taxonomy
        self.rules = rules or Rules()
        self.embed = embed
        self.codes = list(taxonomy.categories)
        self._index = {code: n for n, code in enumerate(self.codes)}
        self._roots = [taxonomy.ancestors_and_self(code)[-1] for code in self.codes]
        self._vectors: np.ndarray | None = None  # embedded on first use (after a fork, too)

    def category_vectors(self) -> np.ndarray:
        if self._vectors is None:
            texts = [hybrid.category_text(self.taxonomy, code) for code in self.codes]
            self._vectors = self.embed(texts)
        return self._vectors

    def evidence(self, service: dict) -> Evidence:
        name, text = record_texts(service)
        vectors = self.embed([name or " ", text or " "])
        weight = self.rules.name_weight if text else 1.0
        record = weight * vectors[0] + (1 - weight) * vectors[1]
        record /= np.linalg.norm(record) or 1.0
        return Evidence(
            in_name=tuple(dict.fromkeys(m.category for m in self.taxonomy.recognise(name))),
            in_text=tuple(dict.fromkeys(m.category for m in self.taxonomy.recognise(text))),
            similarity=self.category_vectors() @ record,
        )

    def decide(self, evidence: Evidence, rules: Rules | None = None) -> Inference:
        """The categories `evidence` supports under `rules` (pure: tuning calls it often)."""
        rules = rules or self.rules
        sim = evidence.similarity
        top = float(sim.max())
        best = int(np.argmax(sim))
        chosen: dict[str, str] = {}  # category → "name" | "description"
        for words, where, least in (
            (evidence.in_name, "name", rules.name_min),
            (evidence.in_text, "description", rules.text_min),
        ):
            for code in words:
                if (s := sim[self._index[code]]) >= least and s >= top - rules.lag:
                    chosen.setdefault(code, where)
        # A top-level category's words are the broadest ("health", "work", "legal"): they
        # count only when nothing narrower was found and the meaning points the same way.
        if any(self.taxonomy.categories[c].parent for c in chosen):
            chosen = {c: w for c, w in chosen.items() if self.taxonomy.categories[c].parent}
        else:
            chosen = {c: w for c, w in chosen.items() if c == self._roots[best]}
        rivals = [s for s, root in zip(sim, self._roots, strict=True) if root != self._roots[best]]
        if top >= rules.semantic_min and top - max(rivals) >= rules.semantic_margin:
            chosen.setdefault(self.codes[best], "description")
        # A category and its parent say the same thing twice: keep the narrower.
        broader = {a for code in chosen for a in self.taxonomy.ancestors_and_self(code)[1:]}
        kept = sorted(
            (c for c in chosen if c not in broader),
            key=lambda c: (chosen[c] != "name", -sim[self._index[c]]),
        )[: rules.most]
        if not kept:
            return Inference([], None)
        return Inference(kept, "name" if chosen[kept[0]] == "name" else "description")

    def infer(self, service: dict) -> Inference:
        return self.decide(self.evidence(service))
