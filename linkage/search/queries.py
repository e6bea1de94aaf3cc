"""Search queries: a validated request → the Elasticsearch search body. Pure functions.

The request (`SearchRequest`, from the API's arguments by `request_from_args`), the words'
clauses (`text_query`), the needs' and categories' meanings (linkage.search.hybrid), and the
whole body (`build_query`) with its facets (linkage.search.facets). What every result must pass is
linkage.search.filters'; hits become results in linkage.search.results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from linkage import hours
from linkage.places import METERS_PER_MILE, Place
from linkage.search import facets, hybrid, reach
from linkage.search.document import INTERNAL_FIELDS
from linkage.search.filters import build_filters, facet_filters
from linkage.taxonomy import Taxonomy, TermMatch
from linkage.words import american, british, english_gloss, meaningful, tokens

# What the words are looked for in, and how much each counts: the service (its name, categories
# and description) well above its organisation's name, so asking for a kind of group does not
# return every programme of an organisation whose name holds those words.
FIELD_WEIGHTS = {
    "service_name": 3.0,
    "category_names": 2.0,
    "description": 1.0,
    "organization_name": 0.5,
    "location_name": 0.5,
    "eligibility.description": 0.3,
}
TEXT_FIELDS = [f"{f}^{w}" for f, w in FIELD_WEIGHTS.items()]  # stemmed (English)
EXACT_FIELDS = [f"{f}.exact^{w}" for f, w in FIELD_WEIGHTS.items()]  # unstemmed words
# The words must be together in one field (three in four of them): across fields, "food
# bank" would find a diaper bank that also hands out baby food. The organisation's and the
# place's names count apart, below the service's own fields.
NAME_FIELDS = ("organization_name", "location_name")
SERVICE_TEXT = [f for f in TEXT_FIELDS if f.split("^")[0] not in NAME_FIELDS]
SERVICE_EXACT = [f for f in EXACT_FIELDS if f.split(".exact")[0] not in NAME_FIELDS]
NAMES_TEXT = [f for f in TEXT_FIELDS if f.split("^")[0] in NAME_FIELDS]
SPANISH_FIELDS = ["service_name.es^3", "description.es", "eligibility.description.es^0.3"]
# Each kind of match adds its boost: a record with the exact words scores exact + stemmed
# (+ phrase), one with other forms of them stemmed only, a near miss fuzzy only (a fallback
# far below: "halal" never puts "Hall" above a halal pantry). Exact + stemmed is 1: the
# scale of a single text match, which the recognised category's flat score and the
# semantic match's boost are set against.
PHRASE_BOOST, EXACT_BOOST, STEMMED_BOOST, SPANISH_BOOST, FUZZY_BOOST = 0.8, 0.6, 0.4, 0.4, 0.04
MIN_WORDS = "2<75%"  # of 1 or 2 words all, of more three in four
# A category named by the words: a flat score above a text match alone. Then, among the
# records matched, any one of the words (a partial match's share) and, for a named category's
# holders, its words in their own name or description.
CATEGORY_BOOST, ANY_WORD_BOOST, CATEGORY_WORDS_BOOST = 20.0, 4.0, 8.0
# Edits a near miss may have: none below 6 letters ("halal" is not "hall"), one up to 11
# ("conseling" is "counseling"), two from 12: two edits of a shorter word made a search three
# times slower (the terms within two edits are most of its time) for little found. Words all
# shorter than 6 letters have no fuzzy clause: it would only match their exact words again.
FUZZY_LETTERS, TWO_EDIT_LETTERS = 6, 12
FUZZINESS = f"AUTO:{FUZZY_LETTERS},{TWO_EDIT_LETTERS}"
MATCHED_WORD = "word:"  # + a query word: named query, for "matched: <words>" in `why`
MAX_NAMED_WORDS = 8
# Kept out of responses: search-only fields, and notes meant for directory maintainers.
SOURCE_EXCLUDES = list(INTERNAL_FIELDS)
# The orders of `sort` besides relevance and distance: by the service's or the organisation's
# name, case aside (a record without one last), then the other name. An index
# built before the `sort` sub-field existed sorts its records last until its next load.
_SERVICE_NAME = {"service_name.sort": {"order": "asc", "unmapped_type": "keyword"}}
_ORGANIZATION_NAME = {"organization_name.sort": {"order": "asc", "unmapped_type": "keyword"}}
NAME_SORTS = {
    "name": [_SERVICE_NAME, _ORGANIZATION_NAME],
    "organization": [_ORGANIZATION_NAME, _SERVICE_NAME],
}


@dataclass(frozen=True)
class SearchRequest:
    """A search, already validated and with its place resolved."""

    q: str | None = None
    place: Place | None = None
    radius_miles: float = 10.0
    categories: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    language: str | None = None
    age: int | None = None
    open_now: bool = False
    free: bool = False
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    recognised: tuple[TermMatch, ...] = field(default=())
    reach: tuple[str, ...] = ()  # only these reaches (linkage.search.reach); needs a place
    # Narrowings with facets of their own (linkage.search.filters.facet_filters): the groups
    # served (eligibility tags), fees, delivery, accessibility features (all of them), open on
    # a weekday (MO..SU; at `open_at`, minutes after midnight) and 211 code prefixes.
    serves: tuple[str, ...] = ()
    fees: tuple[str, ...] = ()
    delivery: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    open_on: str | None = None
    open_at: int | None = None
    taxonomy: tuple[str, ...] = ()
    # Semantic retrieval (linkage.search.hybrid): "hybrid", "lexical" or "semantic"; the
    # vector of `q`, and the meanings of the needs and categories asked for.
    retrieval: str = "hybrid"
    query_vector: tuple[float, ...] | None = None
    need_meanings: tuple[hybrid.Meaning, ...] = ()
    category_meanings: tuple[hybrid.Meaning, ...] = ()
    # The categories the words name (`recognised`) or mean (the query's vector): their
    # meanings find the records of a directory that did not file them under it.
    query_meanings: tuple[hybrid.Meaning, ...] = ()
    # A Spanish `q` glossed into English (linkage.words.english_gloss), for a directory
    # written in English: matched as words and used for the query's meaning.
    gloss: str | None = None


def radius_in_miles(radius: float | None, unit: str, default_miles: float) -> float:
    if radius is None:
        return default_miles
    return radius * 1000 / METERS_PER_MILE if unit == "km" else radius


def weekday(value: str | None) -> str | None:
    """A weekday as the API takes it (`MO`, `monday`, any case) → its code (MO..SU)."""
    if not value:
        return None
    names = {name.lower(): code for code, name in hours.DAY_NAMES.items()}
    return names.get(value.lower()) or value.upper()


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values or ()))


def request_from_args(
    args: dict, place: Place | None, taxonomy: Taxonomy, default_radius_miles: float
) -> SearchRequest:
    """A SearchRequest from validated API parameters and the place `near` resolved to."""
    radius = radius_in_miles(args.get("radius"), args.get("unit", "mi"), default_radius_miles)
    q = (args.get("q") or "").strip() or None
    retrieval = args.get("retrieval", "hybrid")
    vectors = hybrid.category_vectors(taxonomy) if retrieval != "lexical" else {}
    gloss = english_gloss(q) if q else None
    recognised = tuple(taxonomy.recognise(q or ""))
    if gloss:  # what the English gloss names, unless the Spanish words named it or narrower
        known = {a for m in recognised for a in taxonomy.ancestors_and_self(m.category)}
        recognised += tuple(m for m in taxonomy.recognise(gloss) if m.category not in known)
    # Embedded once per request (the model stays loaded in the process); WordLlama reads
    # English, so a Spanish query's meaning is its gloss's.
    query_vector = tuple(hybrid.query_vector(gloss or q)) if q and retrieval != "lexical" else None
    named = list(dict.fromkeys(m.category for m in recognised))
    if query_vector is not None and (
        meant := hybrid.closest_category(taxonomy, query_vector, vectors, named)
    ):
        named.append(meant)
        recognised += (TermMatch(meant, q),)  # meant by the words as a whole
    return SearchRequest(
        q=q,
        place=place,
        radius_miles=round(radius, 3),
        categories=tuple(args.get("category") or ()),
        needs=tuple(args.get("need") or ()),
        language=args.get("language"),
        age=args.get("age"),
        open_now=args.get("open_now", False),
        free=args.get("free", False),
        sort=args.get("sort", "relevance"),
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
        recognised=recognised,
        reach=_unique(args.get("reach")),
        serves=_unique(args.get("serves")),
        fees=_unique(args.get("fees")),
        delivery=_unique(args.get("delivery")),
        accessibility=_unique(args.get("accessibility")),
        open_on=weekday(args.get("open_on")),
        open_at=hours.parse_time(args["open_at"]) if args.get("open_at") else None,
        taxonomy=_unique(t.upper() for t in args.get("taxonomy") or ()),
        retrieval=retrieval,
        query_vector=query_vector,
        need_meanings=tuple(hybrid.need_meaning(taxonomy, n) for n in args.get("need") or ()),
        category_meanings=tuple(
            hybrid.category_meaning(taxonomy, c) for c in args.get("category") or ()
        ),
        query_meanings=tuple(hybrid.category_meaning(taxonomy, c) for c in named),
        gloss=gloss,
    )


def _words_clause(query: str, fields: list[str], boost: float, **extra) -> dict:
    return {
        "multi_match": {
            "query": query,
            "fields": fields,
            "minimum_should_match": MIN_WORDS,
            "boost": boost,
            **extra,
        }
    }


def word_clauses(q: str) -> list[dict]:
    """One named, scoreless clause per meaningful word of `q` (either spelling), so a hit
    says which of the words it holds (`matched_queries`)."""
    clauses = []
    for word in list(dict.fromkeys(meaningful(q)))[:MAX_NAMED_WORDS]:
        spellings = " ".join(dict.fromkeys((american(word), british(word))))
        clauses.append(
            {
                "multi_match": {
                    "query": spellings,
                    "fields": [*TEXT_FIELDS, *EXACT_FIELDS, *SPANISH_FIELDS],
                    "boost": 0.0,
                    "_name": MATCHED_WORD + word,
                }
            }
        )
    return clauses


def any_word_clauses(core: str) -> list[dict]:
    """A flat share per meaningful word a record holds in its service text: a partial
    match counts, but how often or where a word occurs does not (else "Food" in one pantry's
    name outranks a nearer pantry whose description says "food pantry")."""
    return [
        {
            "constant_score": {
                "filter": {"multi_match": {"query": word, "fields": SERVICE_TEXT}},
                "boost": ANY_WORD_BOOST,
            }
        }
        for word in list(dict.fromkeys(meaningful(core)))[:MAX_NAMED_WORDS]
    ]


def text_query(req: SearchRequest) -> dict:
    """The words: exact and phrase matches above stemmed (English, Spanish), stemmed above a
    fuzzy fallback, either spelling (British, American), or any category recognised in them."""
    if not req.q:
        return {"match_all": {}}
    phrase = american(req.q)
    # Words like "a", "with", "para" are left out ("help with rent" is about rent), unless
    # nothing else is left; the phrase keeps them.
    core = " ".join(meaningful(phrase)) or phrase
    should: list[dict] = [
        _words_clause(core, SERVICE_EXACT, EXACT_BOOST),
        _words_clause(core, SERVICE_TEXT, STEMMED_BOOST),
        _words_clause(core, NAMES_TEXT, STEMMED_BOOST),
        _words_clause(core, SPANISH_FIELDS, SPANISH_BOOST),
    ]
    if any(len(word) >= FUZZY_LETTERS for word in meaningful(core)):
        fuzzy = _words_clause(core, EXACT_FIELDS, FUZZY_BOOST, fuzziness=FUZZINESS, prefix_length=1)
        should.append(fuzzy)
    if len(tokens(phrase)) > 1:
        should.append(
            {
                "multi_match": {
                    "query": phrase,
                    "type": "phrase",
                    "slop": 1,
                    "fields": TEXT_FIELDS,
                    "boost": PHRASE_BOOST,
                }
            }
        )
    if req.gloss:
        # A Spanish query's English gloss, against the English text of the records.
        should.append(_words_clause(req.gloss, SERVICE_TEXT, STEMMED_BOOST))
    if (other := british(core)) != core:
        # Records spelled the British way ("Counselling Centre").
        should.append(_words_clause(other, SERVICE_EXACT, EXACT_BOOST))
    # A category named in the words used is the strongest signal: a flat score above what a
    # text match alone reaches, so "food bank" puts food pantries first; one per category, so
    # a record that is all the words name ("lawyer for eviction": legal help and housing, or
    # tenant legal aid, under both) ranks above one that is a part.
    for code in sorted({m.category for m in req.recognised}):
        should.append(
            {"constant_score": {"filter": hybrid.category_holders(code), "boost": CATEGORY_BOOST}}
        )
    matched = {"bool": {"should": should, "minimum_should_match": 1}}
    # Among what matched, every word counts on its own, and a holder of a named category
    # whose own words say what it is ("child care" for "daycare"): the category's flat score
    # otherwise ties its holders, and distance alone orders a WIC office (filed under baby
    # supplies) above the pregnancy centre that hands out diapers.
    ranking = any_word_clauses(core)
    ranking += [hybrid.own_words(m, CATEGORY_WORDS_BOOST) for m in req.query_meanings]
    return {"bool": {"must": [matched], "should": [*ranking, *word_clauses(req.q)]}}


def meaning_clauses(req: SearchRequest) -> list[dict]:
    """The needs asked for (any of them) and the categories (any of them): records that carry
    them, or whose words and meaning match them (linkage.hybrid)."""
    groups = (req.need_meanings, req.category_meanings)
    return [hybrid.any_meaning(list(g), req.retrieval) for g in groups if g]


def words_and_meaning(req: SearchRequest, filters: list[dict]) -> dict:
    """The match of the words: lexical, semantic (a similarity floor) or either (a record
    found by both scores both, so ranks above one found by one)."""
    if not req.q or req.retrieval == "lexical" or req.query_vector is None:
        return text_query(req)
    semantic = hybrid.query_knn(list(req.query_vector), filters)
    if req.retrieval == "semantic":
        return semantic
    # The lexical part carries no name of its own: Elasticsearch rewrites a named query again
    # for every page of hits (its fuzzy expansion most of a search's time); the words' own
    # named clauses say whether the words found a record.
    should = [text_query(req), semantic]
    if req.query_meanings:
        # Records the directory did not file under the category the words name or mean, but
        # whose words and meaning are that category's (the holders score in text_query).
        should.append(hybrid.any_meaning(list(req.query_meanings), req.retrieval))
    return {"bool": {"should": should, "minimum_should_match": 1}}


def build_query(req: SearchRequest, now: datetime, timezones: list[str]) -> dict:
    """The whole search body for Elasticsearch (`timezones`: those present in the index, for
    `open_now`)."""
    filters = build_filters(
        now,
        timezones,
        place=req.place,
        radius_miles=req.radius_miles,
        language=req.language,
        age=req.age,
        free=req.free,
        open_now=req.open_now,
    )
    must = [words_and_meaning(req, filters), *meaning_clauses(req)]
    query: dict = {"bool": {"must": must, "filter": filters}}
    sort: list = ["_score", {"service_name.raw": "asc"}]
    if req.place is not None:
        origin = {"lat": req.place.lat, "lon": req.place.lon}
        if req.sort == "distance":
            sort = [
                {"_geo_distance": {"location": origin, "order": "asc", "unit": "mi"}},
                {"service_name.raw": "asc"},
            ]
        else:
            query = {
                "function_score": {
                    "query": query,
                    # Local before area before remote at comparable relevance (linkage.reach).
                    "functions": reach.score_functions(req.place, req.radius_miles),
                    "score_mode": "first",
                    "boost_mode": "multiply",
                }
            }
    elif req.sort == "distance":
        sort = [{"service_name.raw": "asc"}]
    if req.sort in NAME_SORTS:
        sort = NAME_SORTS[req.sort]
    # Each reach's filter, built once for the facets and the reaches asked for.
    by_reach = reach.filters(req.place, req.radius_miles) if req.place is not None else {}
    post = narrowings(req)
    if by_reach and req.reach:
        post["reach"] = reach.any_of(by_reach, req.reach)
    body = {
        "query": query,
        "sort": sort,
        "from": (req.page - 1) * req.per_page,
        "size": req.per_page,
        "track_total_hits": True,
        "_source": {"excludes": SOURCE_EXCLUDES},
        "aggs": facets.aggregations(post, by_reach),
    }
    if post:
        # Post filters, so that each narrowing's facet counts every value of its own (the
        # page's tabs and check boxes: every reach, every fee, ...).
        body["post_filter"] = facets.all_of(post.values())
    return body


def narrowings(req: SearchRequest) -> dict[str, dict]:
    """The request's narrowings that have a facet, by facet name (without the reaches)."""
    return facet_filters(
        serves=req.serves,
        fees=req.fees,
        delivery=req.delivery,
        accessibility=req.accessibility,
        open_on=req.open_on,
        open_at=req.open_at,
        taxonomy=req.taxonomy,
    )
