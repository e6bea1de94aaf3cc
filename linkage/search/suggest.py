"""What to offer when a search finds nothing: corrected words and related categories.

Elasticsearch's term suggester (in the core build) over the unstemmed words of the indexed
names and descriptions gives the corrections; the categories come from the words recognised
in the query (as typed or corrected), else from the taxonomy's everyday words that hold one
of them. Asked only for an empty page, so the search itself stays one request.
"""

from __future__ import annotations

from linkage.taxonomy import Taxonomy
from linkage.words import meaningful, tokens

# The fields whose words are offered, and the suggester's settings: words of four letters or
# more, at most two edits, and only for words the directory does not hold at all.
SUGGEST_FIELDS = ("service_name.exact", "description.exact")
MAX_CATEGORIES = 5
# How alike a correction must be (the suggester's string distance, 0 to 1): "conseling" →
# "counseling" passes, "halal" → "hall" does not.
MIN_SIMILARITY = 0.8


def suggest_body(q: str) -> dict:
    """The search body (no hits) that asks for corrections of the words of `q`."""
    text = " ".join(tokens(q))
    return {
        "size": 0,
        "track_total_hits": False,
        "suggest": {
            "text": text,
            **{
                field.replace(".", "_"): {
                    "term": {
                        "field": field,
                        "suggest_mode": "missing",
                        "min_word_length": 4,
                        "max_edits": 2,
                        "accuracy": MIN_SIMILARITY,
                        "size": 3,
                        "sort": "score",
                    }
                }
                for field in SUGGEST_FIELDS
            },
        },
    }


def corrections(response: dict) -> dict[str, str]:
    """The best correction of each word that has one: {"conseling": "counseling"}. Across
    fields, the most similar wins, then the most frequent."""
    best: dict[str, tuple[float, int, str]] = {}
    for entries in (response.get("suggest") or {}).values():
        for entry in entries:
            for option in entry.get("options") or ():
                candidate = (option["score"], option.get("freq", 0), option["text"])
                if entry["text"] not in best or candidate[:2] > best[entry["text"]][:2]:
                    best[entry["text"]] = candidate
    return {word: text for word, (_score, _freq, text) in best.items()}


def related_categories(taxonomy: Taxonomy, texts: list[str]) -> list[str]:
    """Categories named in any of the texts; else those whose everyday words hold one of
    their words (so "mold" offers Home repair)."""
    found: dict[str, None] = {}
    for text in texts:
        for match in taxonomy.recognise(text):
            found[match.category] = None
    if not found:
        wanted = {w for text in texts for w in meaningful(text) if len(w) > 2}
        for code, category in taxonomy.categories.items():
            if any(wanted & set(tokens(term)) for term in (*category.terms, *category.terms_es)):
                found[code] = None
    return list(found)[:MAX_CATEGORIES]


def suggestions(q: str | None, response: dict | None, taxonomy: Taxonomy) -> dict:
    """The `suggestions` of an empty page: `query` (the words corrected, or None), `words`
    (the corrections) and `categories` (code and name)."""
    fixed = corrections(response or {})
    words = tokens(q or "")
    corrected = " ".join(fixed.get(w, w) for w in words) if fixed else None
    texts = [t for t in (q, corrected) if t]
    return {
        "query": corrected,
        "words": list(dict.fromkeys(fixed[w] for w in words if w in fixed)),
        "categories": [
            {"code": code, "name": taxonomy.categories[code].name}
            for code in related_categories(taxonomy, texts)
        ],
    }
