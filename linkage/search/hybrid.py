"""Semantic retrieval beside the lexical one, in the same Elasticsearch search.

Documents carry an `embedding` (linkage.semantic, computed at import from the service's name,
category names and description); a search embeds its words once and adds a `knn` query to
the lexical one. The minimal Elasticsearch build has no `rrf` retriever, so the two combine
in the query: a `knn` clause with a similarity floor in the bool's `should`, boosted. One
search keeps `total`, paging and facets right (a fusion in the app would page two lists).

Needs and categories never rest on categories alone: a need (or a category filter) matches
the records that carry its categories, or whose meaning is one of its categories' (words and
meaning agreeing, or meaning alone when close), those below the holders at equal distance.

The body builders are pure: vectors come in as arguments (`category_vectors` and
`query_vector` are the only callers of the model).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from linkage.search import semantic
from linkage.search.phrases import Phrases, phrases
from linkage.taxonomy import Taxonomy

RETRIEVALS = ("hybrid", "lexical", "semantic")
FIELD = "embedding"

# Query words: the most semantic matches one search adds, and the least cosine similarity
# that counts (WordLlama's cosines run about 0 to 0.7; tuned on real directories).
QUERY_K = 200
QUERY_FLOOR = 0.35
# A semantic match's score is SEMANTIC_BOOST x (1 + cosine) / 2: about a good single-field
# text match, so a record both find ranks above one only one of them finds.
SEMANTIC_BOOST = 8.0

# Needs and categories (cosines with a category's name, description and words).
WORDS_FLOOR = 0.25  # one of its words in the record, and the meaning agrees this far
MEANING_FLOOR = 0.45  # meaning alone
MEANING_BOOST = 2.0  # a meaning match scores at most this...
HOLDER_BONUS = 6.0  # ...below what carrying the category adds: holders first at equal distance
# A category the indexer inferred (indexer.infer) is a guess from the record's words: its
# holders rank below those the directory filed under it, above a match by meaning alone.
INFERRED_BONUS = 2.5
INFERRED = {"term": {"category_source": "inferred"}}

# Where the loader keeps a record's closeness to each category (search.document `meaning`):
# `meaning.<code>` = similarity_score(cosine), stored where the cosine reaches WORDS_FLOOR, so
# a floor below it needs a reload. A filter and a field's value per category cost the node
# far less than a kNN search per category (a need asks up to ten).
MEANING_SCORES = "meaning"

HOLDERS = "holder"
SIMILAR = "similar:"  # + category code: the meaning alone matched
WORDS = "words:"  # + category code: a word of it, and the meaning agrees
MEANING_FIELDS = ["service_name", "category_names", "description"]
UNCATEGORISED = {"bool": {"must_not": {"exists": {"field": "categories"}}}}


# The records a category's words and meaning may judge: those with no category, or whose
# categories are only inferred (a guess from its words, not the directory's). One the directory
# filed under other categories is taken at its word (a safe house is no youth shelter).
NOT_FILED = {
    "bool": {
        "should": [UNCATEGORISED, INFERRED],
        "minimum_should_match": 1,
    }
}


def encoded(vectors: Sequence | np.ndarray) -> list[str]:
    """Vectors as the index keeps them (search.document `embedding`: bytes, cosine): each
    row scaled so its largest component is ±127 and rounded to int8, sent as base64. Cosine
    ignores a vector's length, so only the rounding moves it (by about 0.005); a quarter of
    the bytes of float32, for the node to store and scan."""
    rows = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    peak = np.abs(rows).max(axis=1, keepdims=True)
    scaled = np.rint(rows * (127 / np.where(peak > 0, peak, 1))).astype(np.int8)
    return [base64.b64encode(row.tobytes()).decode() for row in scaled]


def similarity_score(cosine: float) -> float:
    """The score Elasticsearch gives a kNN match of unit vectors (dot_product similarity)."""
    return (1 + cosine) / 2


def is_filed(doc: dict) -> bool:
    """A record the directory filed under categories of its own: what NOT_FILED leaves out."""
    return bool(doc.get("categories")) and doc.get("category_source") != "inferred"


def document_text(doc: dict) -> str:
    """What a document's vector is embedded from: name, category names, description (its
    first part)."""
    parts = [doc.get("service_name") or "", ", ".join(doc.get("category_names") or ())]
    parts.append((doc.get("description") or "")[: semantic.DESCRIPTION_CHARS])
    return ". ".join(p for p in parts if p) or " "


def category_text(taxonomy: Taxonomy, code: str) -> str:
    c = taxonomy.categories[code]
    return ". ".join((c.name, c.description, ", ".join(c.terms)))


@cache
def category_vectors(taxonomy: Taxonomy) -> dict[str, np.ndarray]:
    """Every category's vector, embedded once per process (one call)."""
    codes, matrix = category_matrix(taxonomy)
    return dict(zip(codes, matrix, strict=True))


@cache
def category_matrix(taxonomy: Taxonomy) -> tuple[tuple[str, ...], np.ndarray]:
    """The categories' codes and their vectors as one matrix, a row each."""
    codes = tuple(taxonomy.categories)
    return codes, semantic.embed([category_text(taxonomy, code) for code in codes])


def meaning_scores(vectors: Sequence | np.ndarray, taxonomy: Taxonomy) -> list[dict[str, float]]:
    """For each row of `vectors` (records' embeddings): {category code: similarity_score}
    of the categories at least WORDS_FLOOR close, what the loader stores in MEANING_SCORES."""
    codes, matrix = category_matrix(taxonomy)
    rows = np.asarray(vectors, dtype=np.float32).reshape(-1, semantic.DIMENSIONS)
    cosines = rows @ matrix.T
    return [
        {
            codes[i]: round(similarity_score(float(row[i])), 4)
            for i in np.flatnonzero(row >= WORDS_FLOOR)
        }
        for row in cosines
    ]


def query_vector(q: str) -> list[float]:
    return semantic.embed([q])[0].tolist()


@dataclass(frozen=True)
class Meaning:
    """What a need or a category filter asks for: the filter of the records that carry it,
    and the categories whose words and meaning also find it."""

    holders: dict
    categories: tuple[str, ...]
    terms: dict  # category code → its everyday words
    # Top-level categories, whose words are the broadest ("food", "bus", "rent"): they count
    # in a service's name only (Baltimore's descriptions open with the bus line to take).
    broad: tuple[str, ...] = ()


@cache
def need_meaning(taxonomy: Taxonomy, need: str) -> Meaning:
    """A need's meaning: the categories chiefly for it (a category also serving it, such as
    legal help for housing, is too broad to find it by words)."""
    codes = tuple(
        c for c in taxonomy.categories_for_need(need) if taxonomy.categories[c].needs[0] == need
    )
    return _meaning(taxonomy, need_holders(need), codes)


@cache
def category_meaning(taxonomy: Taxonomy, code: str) -> Meaning:
    """A category's meaning: it and the categories under it."""
    codes = tuple(c for c in taxonomy.categories if code in taxonomy.ancestors_and_self(c))
    return _meaning(taxonomy, category_holders(code), codes)


def need_holders(need: str) -> dict:
    """The records that carry a need (through their categories)."""
    return {"term": {"needs": need}}


def category_holders(code: str) -> dict:
    """The records filed under a category or one below it."""
    return {"term": {"category_tree": code}}


def _meaning(taxonomy: Taxonomy, holders: dict, codes: tuple[str, ...]) -> Meaning:
    terms = {
        c: tuple(
            dict.fromkeys((taxonomy.categories[c].name.lower(), *taxonomy.categories[c].terms))
        )
        for c in codes
    }
    broad = tuple(c for c in codes if taxonomy.categories[c].parent is None)
    return Meaning(holders, codes, terms, broad)


def knn(vector: list[float], filters: list[dict], similarity: float, k: int, boost: float) -> dict:
    """A `knn` query: the `k` closest records at least `similarity` close (cosine), among
    those that pass `filters` (applied while searching, so k are found if they exist).

    It carries no `_name`: Elasticsearch runs a named query again for the page of hits, and
    for a kNN query that is a second vector search (a third of a search's time at a million
    records). `reasons` tells a record the vector alone found by what else it matched."""
    clause = {
        "field": FIELD,
        "query_vector": encoded(vector)[0],
        "k": k,
        "num_candidates": min(max(2 * k, 100), 10_000),
        "similarity": similarity,
        "filter": filters,
        "boost": boost,
    }
    return {"knn": clause}


def meaning_match(code: str, floor: float, filters: list[dict], name: str) -> dict:
    """Records passing `filters` whose meaning is at least `floor` close (cosine) to the
    category's, scored as a kNN match boosted MEANING_BOOST would be."""
    field = f"{MEANING_SCORES}.{code}"
    at_least = {"range": {field: {"gte": similarity_score(floor)}}}
    return {
        "function_score": {
            "query": {"bool": {"filter": [*filters, at_least]}},
            "field_value_factor": {"field": field, "factor": MEANING_BOOST, "missing": 0},
            "boost_mode": "replace",
            "_name": name,
        }
    }


def words_match(terms: tuple[str, ...], fields: list[str] = MEANING_FIELDS) -> dict:
    """Any of a category's words, as phrases, in the record's name, categories or description."""
    return {
        "bool": {
            "should": [
                {"multi_match": {"query": t, "type": "phrase", "fields": fields}} for t in terms
            ],
            "minimum_should_match": 1,
        }
    }


OWN_FIELDS = ["service_name", "description"]  # not category_names: every holder has those


def own_words(meaning: Meaning, boost: float) -> dict:
    """The holders of a meaning whose own name or description hold one of its categories'
    words (a top-level category's in the name only): a flat score of `boost`."""
    clauses = []
    for code in meaning.categories:
        fields = ["service_name"] if code in meaning.broad else OWN_FIELDS
        clauses.append(words_match(meaning.terms[code], fields))
    said = {"bool": {"should": clauses, "minimum_should_match": 1}}
    return {"constant_score": {"filter": {"bool": {"filter": [meaning.holders, said]}},
                               "boost": boost}}  # fmt: skip


def meaning_clause(meaning: Meaning, retrieval: str) -> dict:
    """Records that carry the meaning's categories (HOLDER_BONUS + their meaning's score), or
    that its words and meaning find (at most MEANING_BOOST): a scoring clause for `must`.

    Words and meaning judge only the records NOT_FILED: one the directory filed under other
    categories is taken at its word (a counselling service that also hands out groceries, a
    safe house, are no food pantry or youth shelter). The search's own filters apply to the
    whole query, so none are repeated here."""
    found: list[dict] = []
    for code in meaning.categories:
        fields = ["service_name"] if code in meaning.broad else MEANING_FIELDS
        words = words_match(meaning.terms[code], fields)
        if retrieval == "lexical":
            filed = {"bool": {"filter": [words, NOT_FILED]}}
            found.append({"constant_score": {"filter": filed, "boost": MEANING_BOOST / 2,
                                             "_name": WORDS + code}})  # fmt: skip
            continue
        if retrieval == "hybrid":  # a word of the category, and the meaning agrees
            found.append(meaning_match(code, WORDS_FLOOR, [NOT_FILED, words], WORDS + code))
        found.append(meaning_match(code, MEANING_FLOOR, [NOT_FILED], SIMILAR + code))
    should: list[dict] = [
        {"constant_score": {
            "filter": {"bool": {"filter": [meaning.holders], "must_not": [INFERRED]}},
            "boost": HOLDER_BONUS, "_name": HOLDERS,
        }},
        {"constant_score": {
            "filter": {"bool": {"filter": [meaning.holders, INFERRED]}},
            "boost": INFERRED_BONUS, "_name": HOLDERS,
        }},
    ]  # fmt: skip
    if found:
        # The best of its categories' matches, not their sum: a record close to several
        # categories of one need must not outrank one that carries it.
        should.append({"dis_max": {"queries": found}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def any_meaning(meanings: list[Meaning], retrieval: str) -> dict:
    """Any of several needs (or categories): what a repeated `need=` asks."""
    clauses = [meaning_clause(m, retrieval) for m in meanings]
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


# The categories a search's words mean, by their vector: the closest category, when it is this
# close (cosine with its name, description and words) and this far ahead of every category
# outside its branch. "somewhere to sleep tonight" is 0.65 from Shelter and 0.26 from the next.
QUERY_CATEGORY_FLOOR = 0.55
QUERY_CATEGORY_MARGIN = 0.15


def closest_category(
    taxonomy: Taxonomy, query_vector: Sequence[float], vectors: dict[str, Sequence[float]],
    named: Sequence[str] = (),
) -> str | None:  # fmt: skip
    """The category a search's words mean, when one is clearly closest (see the constants)
    and narrower than any its words already `named` ("lawyer for eviction": the words name
    Legal help, the meaning Tenant legal aid)."""
    if not vectors:
        return None
    codes = tuple(vectors)
    matrix = np.stack([np.asarray(vectors[c], dtype=np.float32) for c in codes])
    cosines = matrix @ np.asarray(query_vector, dtype=np.float32)
    scored = sorted(zip(cosines.tolist(), codes, strict=True), reverse=True)
    best_score, best = scored[0]
    branch = taxonomy.ancestors_and_self(best)[-1]
    rival = next(
        (score for score, c in scored[1:] if taxonomy.ancestors_and_self(c)[-1] != branch), 0.0
    )
    related = any(best in taxonomy.ancestors_and_self(c) for c in named)
    if best_score >= QUERY_CATEGORY_FLOOR and best_score - rival >= QUERY_CATEGORY_MARGIN:
        return None if related else best
    return None


def query_knn(vector: list[float], filters: list[dict]) -> dict:
    """The semantic match of a search's words."""
    return knn(vector, filters, QUERY_FLOOR, QUERY_K, SEMANTIC_BOOST)


def reasons(
    matched: Sequence[str], doc: dict, req, taxonomy: Taxonomy, words: Phrases | None = None,
    *, by_words: bool = False,
) -> list[str]:  # fmt: skip
    """Why a record was found by meaning (from the named queries it matched, `req` a
    search.SearchRequest): "matched: food pantry" (a word of a need's category, its meaning
    agreeing), "similar to: food pantry" (a category's meaning alone), "similar to: <the
    words>" (the words' meaning alone), none for a record that carries the category (its
    category says why); in the display language of `words`.

    A hybrid search's words find a record by their text (`by_words`: it holds one of them,
    or carries a category they name), by the meaning of a category they name (its named
    queries), or else by their vector, which is then the reason."""
    say = words or phrases()
    matched = set(matched)
    why: list[str] = []
    meant = {
        name + code
        for m in req.query_meanings
        for code in m.categories
        for name in (WORDS, SIMILAR)
    }
    if (
        req.retrieval == "hybrid" and req.query_vector is not None
        and not by_words and not matched & meant
    ):  # fmt: skip
        why.append(say.say("why", "similar", words=req.q))
    if HOLDERS in matched:
        return why
    text = None
    words: list[str] = []
    similar: list[str] = []
    for meaning in (*req.need_meanings, *req.category_meanings, *req.query_meanings):
        for code in meaning.categories:
            if WORDS + code in matched:
                # The record's words are read only for a category its words matched: a
                # search's hits times a need's words is most of the cost of a page otherwise.
                if text is None:
                    names = doc.get("category_names") or ()
                    parts = (doc.get("service_name") or "", doc.get("description") or "", *names)
                    text = " ".join(parts).lower()
                if found := [t for t in meaning.terms[code] if _has_phrase(text, t)]:
                    words += found
                    continue
            if WORDS + code in matched or SIMILAR + code in matched:
                similar.append(say.category(taxonomy, code).lower())
    if words:
        why.append(say.say("why", "matched", words=", ".join(list(dict.fromkeys(words))[:3])))
    elif similar:
        # The narrowest (children follow parents).
        why.append(say.say("why", "similar", words=similar[-1]))
    return why


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"\b{re.escape(phrase)}", text) is not None
