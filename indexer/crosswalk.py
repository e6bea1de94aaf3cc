"""Source taxonomy terms → project categories.

- `linkage` terms are project codes already.
- Open Eligibility terms (Ohana exports use them too) map by name through the counterparts each
  category lists in data/taxonomy.json; a term without one falls back to its parent's name,
  then to the words people use for a category.
- 211 (AIRS/211 HSIS) codes are proprietary: a deployer supplies a CSV (`code_prefix,category`,
  LINKAGE_CROSSWALK_211) and a code maps through its longest matching prefix, so a parent code
  covers its children.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from linkage.taxonomy import Taxonomy

TAXONOMY_211 = {"211", "airs", "ais", "211-hsis", "airs/211"}
_SPACES = re.compile(r"[\s_&/,-]+")


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _norm(text: str) -> str:
    """Case, spacing, '&' and plurals folded: 'Food Pantries' and 'food pantry' are one name."""
    words = _SPACES.sub(" ", text.lower()).replace(" and ", " ").split()
    return " ".join(_singular(w) for w in words)


class Crosswalk:
    def __init__(self, taxonomy: Taxonomy, codes_211: dict[str, str] | None = None):
        self.taxonomy = taxonomy
        self.by_name: dict[str, list[str]] = {}
        for c in taxonomy.categories.values():
            for name in c.open_eligibility:
                self.by_name.setdefault(_norm(name), []).append(c.code)
        for c in taxonomy.categories.values():  # project names and words, after the counterparts
            for name in (c.name, *c.terms):
                self.by_name.setdefault(_norm(name), [c.code])
        self.codes_211 = sorted((codes_211 or {}).items(), key=lambda kv: -len(kv[0]))

    @classmethod
    def from_file_211(cls, taxonomy: Taxonomy, path: Path | None) -> Crosswalk:
        codes: dict[str, str] = {}
        if path:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    category = (row.get("category") or "").strip()
                    if category not in taxonomy:
                        raise ValueError(
                            f"{path.name}: unknown category {category!r} for {row.get('code_prefix')}"
                        )
                    codes[(row.get("code_prefix") or "").strip().upper()] = category
        return cls(taxonomy, codes)

    def categories(self, term: dict) -> list[str]:
        """Project categories for one HSDS taxonomy_term; [] when it maps to none."""
        vocabulary = (term.get("taxonomy") or "").strip().lower()
        code = (term.get("code") or "").strip()
        if vocabulary == "linkage":
            return [code] if code in self.taxonomy else []
        if vocabulary in TAXONOMY_211:
            upper = code.upper()
            return next(([cat] for prefix, cat in self.codes_211 if upper.startswith(prefix)), [])
        for name in (term.get("name"), term.get("parent_name")):
            if name and (found := self.by_name.get(_norm(name))):
                return found
        return []
