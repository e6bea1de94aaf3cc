"""The project taxonomy (data/taxonomy.json): category tree, need codes, and the words people use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linkage import words
from linkage.config import DATA_DIR


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    parent: str | None
    needs: tuple[str, ...]
    terms: tuple[str, ...]
    description: str = ""
    open_eligibility: tuple[str, ...] = ()
    terms_es: tuple[str, ...] = ()  # the everyday words in Spanish
    name_es: str = ""  # its name in Spanish, for the page and widget in Spanish


@dataclass(frozen=True)
class TermMatch:
    """A category recognised in free text, and the words that named it."""

    category: str
    term: str


def singular(word: str) -> str:
    """A crude plural fold ('pantries' → 'pantry', 'groups', 'clínicas'), used the same on both
    sides of every comparison (a category's words and a query's, a term's name and a
    category's), so never wrong twice."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _words(text: str) -> tuple[str, ...]:
    # Folded, American-spelled, without articles and such ("a ride to the doctor" is "ride
    # doctor"), the same for a category's words and a query's: phrasing need not be exact.
    return tuple(singular(w) for w in words.meaningful(words.american(text)))


class Taxonomy:
    """Lookups over the category tree; built once from the data file."""

    def __init__(self, categories: list[Category], eligibility_tags: dict[str, dict]):
        self.categories = {c.code: c for c in categories}
        self.eligibility_tags = eligibility_tags
        self._children: dict[str | None, list[str]] = {}
        for c in categories:
            self._children.setdefault(c.parent, []).append(c.code)
        # Phrases by their first word, longest first so "food bank" wins over "food", and on a
        # tie the narrower category: recognising is one dictionary lookup per word.
        self._phrases: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for c in categories:
            for term in (*c.terms, *c.terms_es):
                phrase = _words(term)
                if phrase:
                    self._phrases.setdefault(phrase[0], []).append((phrase, c.code, term))
        for candidates in self._phrases.values():
            candidates.sort(
                key=lambda item: (-len(item[0]), -len(self.ancestors_and_self(item[1])))
            )

    @classmethod
    def from_files(cls, data_dir: Path = DATA_DIR) -> Taxonomy:
        raw = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
        categories = [
            Category(
                code=c["code"],
                name=c["name"],
                parent=c.get("parent"),
                needs=tuple(c.get("needs", ())),
                terms=tuple(t.lower() for t in c.get("terms", ())),
                description=c.get("description", ""),
                open_eligibility=tuple(c.get("open_eligibility", ())),
                terms_es=tuple(t.lower() for t in c.get("terms_es", ())),
                name_es=c.get("name_es", ""),
            )
            for c in raw["categories"]
        ]
        tags = json.loads((data_dir / "eligibility.json").read_text(encoding="utf-8"))["tags"]
        return cls(categories, {t["code"]: t for t in tags})

    def __contains__(self, code: str) -> bool:
        return code in self.categories

    def roots(self) -> list[str]:
        return self._children.get(None, [])

    def children(self, code: str) -> list[str]:
        return self._children.get(code, [])

    def ancestors_and_self(self, code: str) -> list[str]:
        """The code and every parent up to the root (the codes a document is filed under)."""
        chain = []
        while code is not None and code in self.categories:
            chain.append(code)
            code = self.categories[code].parent
        return chain

    def needs_of(self, codes: list[str]) -> list[str]:
        """Need codes addressed by these categories, in first-seen order."""
        seen: dict[str, None] = {}
        for code in codes:
            for need in self.categories[code].needs:
                seen[need] = None
        return list(seen)

    def categories_for_need(self, need: str) -> list[str]:
        return [c.code for c in self.categories.values() if need in c.needs]

    def all_needs(self) -> set[str]:
        return {n for c in self.categories.values() for n in c.needs}

    def recognise(self, text: str) -> list[TermMatch]:
        """Categories named in free text, left to right, longest phrase first; each word once."""
        words = _words(text)
        found: list[TermMatch] = []
        start = 0
        while start < len(words):
            for phrase, code, term in self._phrases.get(words[start], ()):
                if words[start : start + len(phrase)] == phrase:
                    found.append(TermMatch(code, term))
                    start += len(phrase)
                    break
            else:
                start += 1
        return found

    def tree(self) -> list[dict]:
        """The taxonomy as nested dicts, for GET /v1/categories."""

        def node(code: str) -> dict:
            c = self.categories[code]
            return {
                "code": c.code,
                "name": c.name,
                "name_es": c.name_es or c.name,
                "description": c.description,
                "needs": list(c.needs),
                "terms": list(c.terms),
                "terms_es": list(c.terms_es),
                "open_eligibility": list(c.open_eligibility),
                "children": [node(child) for child in self.children(code)],
            }

        return [node(code) for code in self.roots()]


@cache
def load_taxonomy(data_dir: Path = DATA_DIR) -> Taxonomy:
    return Taxonomy.from_files(data_dir)
