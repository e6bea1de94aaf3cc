"""The words of a query: folded tokens, British spellings, and words that carry no meaning.

Data in data/words.json. Pure functions: search, the taxonomy and suggestions share them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache

from linkage.config import DATA_DIR

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def fold(text: str) -> str:
    """Lower case without accents: "Clínica" and "clinica" are one word to a person typing."""
    # Decomposed before and after lowering: "ᴳ" decomposes to "G", and "İ" lowers to "i" + a dot.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> tuple[str, ...]:
    """The words of a text, folded, in order."""
    return tuple(_WORD.findall(fold(text)))


@cache
def _data() -> dict:
    return json.loads((DATA_DIR / "words.json").read_text(encoding="utf-8"))


@cache
def ignored() -> frozenset[str]:
    """Words left out of recognising and of "matched:" reasons (articles, 'with', 'para')."""
    return frozenset(fold(w) for words in _data()["ignored"].values() for w in words)


def meaningful(text: str) -> tuple[str, ...]:
    """The words of a text without the ignored ones, in order."""
    skip = ignored()
    return tuple(w for w in tokens(text) if w not in skip)


@cache
def _american() -> dict[str, str]:
    return {fold(b): fold(a) for b, a in _data()["spelling"].items()}


@cache
def _british() -> dict[str, str]:
    return {a: b for b, a in _american().items()}


def _respell(text: str, table: dict[str, str]) -> str:
    return " ".join(table.get(w, w) for w in tokens(text))


def american(text: str) -> str:
    """The text with British spellings made American ("counselling centre" → "counseling
    center"), folded; directories here mostly spell the American way."""
    return _respell(text, _american())


def british(text: str) -> str:
    """The text with American spellings made British, folded (to find the records that are)."""
    return _respell(text, _british())


@cache
def _spanish_english() -> dict[str, str]:
    return {fold(es): en for es, en in _data()["spanish_english"].items()}


def english_gloss(text: str) -> str | None:
    """A Spanish query glossed word by word into English ("abogado para desalojo" → "lawyer
    eviction"), so its meaning can be matched against a directory written in English; None
    unless at least half of its meaningful words are Spanish words the glossary knows (an
    English query, or one the glossary cannot read, stays as it is). Unknown words are kept
    ("GED")."""
    words = meaningful(text)
    table = _spanish_english()
    known = sum(1 for w in words if w in table)
    if not words or known * 2 < len(words):
        return None
    return " ".join(table.get(w, w) for w in words)
