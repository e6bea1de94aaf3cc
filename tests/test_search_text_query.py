"""The words' query is pure: a search's words → the lexical clauses; and the words themselves
(spelling, Spanish, ignored words), recognising categories and suggestions, without a node."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkage import words
from linkage.config import DATA_DIR
from linkage.search import hybrid, suggest
from linkage.search.queries import (
    ANY_WORD_BOOST,
    CATEGORY_WORDS_BOOST,
    EXACT_BOOST,
    FIELD_WEIGHTS,
    FUZZY_BOOST,
    MATCHED_WORD,
    STEMMED_BOOST,
    SearchRequest,
    text_query,
)
from linkage.search.results import matched_words
from linkage.taxonomy import TermMatch
from linkage.words import english_gloss


def clauses(q: str) -> list[dict]:
    return text_query(SearchRequest(q=q))["bool"]["must"][0]["bool"]["should"]


def by_kind(q: str) -> dict[str, dict]:
    """The multi_match clauses by what they match: exact, stemmed, spanish, fuzzy, phrase."""
    found = {}
    for c in clauses(q):
        m = c.get("multi_match")
        if m is None:
            continue
        if m.get("type") == "phrase":
            found.setdefault("phrase", m)
        elif "fuzziness" in m:
            found.setdefault("fuzzy", m)
        elif m["fields"][0].endswith(".es^3"):
            found.setdefault("spanish", m)
        elif ".exact" in m["fields"][0]:
            found.setdefault("exact", m)
        else:
            found.setdefault("stemmed", m)
    return found


def test_exact_words_count_above_stemmed_and_stemmed_far_above_fuzzy():
    kinds = by_kind("food pantry")
    assert kinds["exact"]["boost"] > kinds["stemmed"]["boost"] > kinds["fuzzy"]["boost"]
    assert FUZZY_BOOST * 5 <= STEMMED_BOOST < EXACT_BOOST
    assert kinds["phrase"]["query"] == "food pantry"


def test_the_service_counts_above_its_organisations_name():
    org = FIELD_WEIGHTS["organization_name"]
    assert all(FIELD_WEIGHTS[f] > org for f in ("service_name", "category_names", "description"))


def test_short_words_have_no_near_misses():
    # "halal" must not match "hall": the fuzzy fallback starts at six letters, and words all
    # shorter have none (it would match their exact words again, at a search's cost).
    assert "fuzzy" not in by_kind("halal") and "fuzzy" not in by_kind("food bank")
    fuzzy = by_kind("halal pantry")["fuzzy"]
    assert fuzzy["query"] == "halal pantry" and fuzzy["fuzziness"] == "AUTO:6,12"


def test_words_without_meaning_are_left_out_but_the_phrase_keeps_them():
    kinds = by_kind("help with rent")
    assert kinds["stemmed"]["query"] == "rent"
    assert kinds["phrase"]["query"] == "help with rent"
    # Nothing but such words: searched as typed.
    assert by_kind("with")["stemmed"]["query"] == "with"


def test_british_spellings_search_both_ways():
    kinds = by_kind("Counselling Centre")
    assert kinds["stemmed"]["query"] == "counseling center"
    british = [c["multi_match"]["query"] for c in clauses("Counselling Centre")]
    assert "counselling centre" in british
    assert "counselling centre" in [c["multi_match"]["query"] for c in clauses("counseling center")]


def test_one_scoreless_named_clause_per_meaningful_word():
    should = text_query(SearchRequest(q="a halal food pantry for my family"))["bool"]["should"]
    named = [c for c in should if "_name" in c.get("multi_match", {})]
    assert [c["multi_match"]["_name"] for c in named] == [
        MATCHED_WORD + w for w in ("halal", "food", "pantry", "family")
    ]
    assert all(c["multi_match"]["boost"] == 0.0 for c in named)


def test_matched_words_follow_the_query_order():
    assert matched_words(
        [MATCHED_WORD + "pantry", "other", MATCHED_WORD + "food"], "food pantry"
    ) == ["matched: food, pantry"]
    assert matched_words(["other"], "food pantry") == []


@given(st.text(max_size=80))
def test_any_words_make_a_query_that_needs_a_match(q):
    query = text_query(SearchRequest(q=q or None))
    if not q:
        assert query == {"match_all": {}}
        return
    inner = query["bool"]["must"][0]["bool"]
    assert inner["minimum_should_match"] == 1 and inner["should"]
    named = [c for c in query["bool"]["should"] if "_name" in c.get("multi_match", {})]
    assert len(named) <= 8


def test_one_word_of_several_ranks_what_matched_but_finds_nothing_alone():
    # "diapers for a newborn": a pantry with diapers (and no "newborn") among the holders of
    # baby supplies ranks above a WIC office with neither word.
    query = text_query(SearchRequest(q="diapers for a newborn"))
    must = query["bool"]["must"][0]["bool"]["should"]
    assert all(c.get("multi_match", {}).get("minimum_should_match") != 1 for c in must)
    # Each word a flat share, however often or where it occurs: "Food" in one pantry's name
    # must not outrank a nearer pantry whose description says "food pantry".
    any_word = [c["constant_score"] for c in query["bool"]["should"] if "constant_score" in c]
    assert [c["filter"]["multi_match"]["query"] for c in any_word] == ["diapers", "newborn"]
    assert {c["boost"] for c in any_word} == {ANY_WORD_BOOST}


def test_holders_of_a_named_category_rank_by_its_words_in_their_own(taxonomy):
    # "affordable daycare" names Child care: its holders whose name or description say
    # "child care" or "day care" rank above one filed under it among other things.
    meaning = hybrid.category_meaning(taxonomy, "child-care")
    req = SearchRequest(q="affordable daycare", recognised=(TermMatch("child-care", "daycare"),),
                        query_meanings=(meaning,))  # fmt: skip
    should = text_query(req)["bool"]["should"]
    own = [c for c in should if c.get("constant_score", {}).get("boost") == CATEGORY_WORDS_BOOST]
    assert len(own) == 1
    holders, said = own[0]["constant_score"]["filter"]["bool"]["filter"]
    assert holders == hybrid.category_holders("child-care")
    phrases = json.dumps(said)
    assert '"child care"' in phrases and "category_names" not in phrases


@given(st.text(max_size=40))
def test_folding_and_spelling_are_stable(text):
    assert words.fold(words.fold(text)) == words.fold(text)
    assert words.american(words.american(text)) == words.american(text)
    assert words.american(words.british(text)) == words.american(text)


def test_accents_and_case_do_not_matter():
    assert words.tokens("Clínica GRATUITA") == ("clinica", "gratuita")


def test_every_category_has_spanish_words(taxonomy):
    assert all(c.terms_es for c in taxonomy.categories.values())


def test_every_need_has_spanish_words():
    raw = json.loads((DATA_DIR / "needs.json").read_text(encoding="utf-8"))["needs"]
    assert all(n.get("terms_es") and n.get("label_es") for n in raw)


def test_spanish_and_multi_word_intents_name_their_categories(taxonomy):
    def named(q):
        return [m.category for m in taxonomy.recognise(q)]

    assert named("despensa de comida") == ["food-pantry"]
    assert named("ayuda con la renta") == ["rent-assistance"]
    assert named("refugio para esta noche") == ["emergency-shelter"]
    assert named("clinica") == named("Clínica") == ["clinics"]
    assert named("a ride to a medical appointment") == ["medical-rides"]
    assert named("help with rent") == ["rent-assistance"]
    assert named("support groups") == ["support-groups"]
    assert named("counselling") == ["counseling"]


def test_corrections_take_the_closest_then_most_frequent_option():
    response = {
        "suggest": {
            "a": [
                {"text": "conseling", "options": [{"text": "consoling", "score": 0.8, "freq": 9}]}
            ],
            "b": [
                {"text": "conseling", "options": [{"text": "counseling", "score": 0.9, "freq": 3}]},
                {"text": "food", "options": []},
            ],
        }
    }
    assert suggest.corrections(response) == {"conseling": "counseling"}


def test_suggestions_offer_the_corrected_query_and_related_categories(taxonomy):
    response = {
        "suggest": {
            "a": [{"text": "pntry", "options": [{"text": "pantry", "score": 0.83, "freq": 4}]}]
        }
    }
    found = suggest.suggestions("pntry", response, taxonomy)
    assert found["query"] == "pantry" and found["words"] == ["pantry"]
    # No category named: the taxonomy's words that hold one of the words.
    assert "food-pantry" in [c["code"] for c in found["categories"]]
    nothing = suggest.suggestions("zzzq", {}, taxonomy)
    assert nothing == {"query": None, "words": [], "categories": []}


@pytest.mark.parametrize(
    "text, gloss",
    [
        ("abogado para desalojo", "lawyer eviction"),
        ("Necesito pañales para mi bebé", "diapers baby"),
        ("clases de inglés para adultos", "classes english adults"),
        ("sacar el GED", "get ged"),  # an unknown word is kept
        ("food pantry", None),  # English stays as it is
        ("free clinic no insurance", None),
        ("muebles for a new apartment rental", None),  # fewer than half the words are Spanish
    ],
)
def test_a_spanish_query_is_glossed_word_by_word(text, gloss):
    assert english_gloss(text) == gloss


@given(st.text(max_size=80))
def test_the_gloss_never_fails_and_is_english_or_none(text):
    gloss = english_gloss(text)
    assert gloss is None or gloss == gloss.strip()


def test_a_glossed_query_matches_english_words_too():
    req = SearchRequest(q="abogado para desalojo", gloss="lawyer eviction")
    should = text_query(req)["bool"]["must"][0]["bool"]["should"]
    assert any(c.get("multi_match", {}).get("query") == "lawyer eviction" for c in should)
