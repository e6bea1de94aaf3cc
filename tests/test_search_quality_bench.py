"""The search-quality benchmark's scoring, on a tiny invented judgment list (no node needed)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.search_quality import (
    JudgmentList,
    Outcome,
    Query,
    half_of,
    ndcg_at,
    precision_at,
    read_list,
    relevant_to,
    score,
)
from linkage.taxonomy import load_taxonomy


def test_precision_counts_relevant_results_among_the_first_five():
    assert precision_at([True, False, True, False, False, True], reachable=12) == 0.4
    assert precision_at([False] * 5, reachable=3) == 0.0


def test_precision_is_perfect_when_every_reachable_record_is_shown():
    # Only two relevant services exist within reach: showing both first is the best page.
    assert precision_at([True, True, False, False, False], reachable=2) == 1.0
    assert precision_at([False, True], reachable=2) == 0.5


def test_precision_and_ndcg_refuse_a_query_with_nothing_to_find():
    with pytest.raises(ValueError):
        precision_at([False], reachable=0)
    with pytest.raises(ValueError):
        ndcg_at([False], reachable=0)


def test_ndcg_discounts_lower_ranks():
    assert ndcg_at([True, True, True], reachable=3) == 1.0
    # One relevant record, shown second: 1/log2(3) over the ideal 1/log2(2).
    assert ndcg_at([False, True], reachable=1) == pytest.approx(1 / math.log2(3))
    # Relevant results after the tenth do not count.
    assert ndcg_at([False] * 10 + [True], reachable=1) == 0.0
    top, lower = ndcg_at([True, False, False], 1), ndcg_at([False, False, True], 1)
    assert top > lower > 0


@given(st.lists(st.booleans(), max_size=15), st.integers(min_value=1, max_value=20))
def test_scores_stay_between_zero_and_one(marks, reachable):
    # A page never holds more relevant services than exist in reach.
    marks = [m and i < reachable for i, m in enumerate(marks)]
    if sum(marks) > reachable:
        return
    assert 0.0 <= ndcg_at(marks, reachable) <= 1.0 + 1e-9
    assert 0.0 <= precision_at(marks, reachable) <= 1.0


def test_halves_are_fixed_by_the_query_id():
    ids = [f"query-{n}" for n in range(60)]
    halves = [half_of(i) for i in ids]
    assert set(halves) == {"tune", "report"}
    assert halves == [half_of(i) for i in ids]  # the same split every run
    # Adding a query never moves another: the split depends on the id alone.
    assert [half_of(i) for i in ["new-query", *ids]][1:] == halves


def test_need_relevance_comes_from_source_categories():
    taxonomy = load_taxonomy()
    categories_of = {"1": {"food-pantry"}, "2": {"dental-care"}, "3": set(), "4": {"food"}}
    assert relevant_to(categories_of, taxonomy, "food-insecurity", None) == {"1", "4"}
    # A category query includes the categories under it, not the ones above.
    assert relevant_to(categories_of, taxonomy, None, "food") == {"1", "4"}
    assert relevant_to(categories_of, taxonomy, None, "food-pantry") == {"1"}


def test_a_translated_list_shares_its_originals_judgments(tmp_path):
    original = {
        "directory": "x", "kind": "words", "places": ["60623"],
        "queries": [{"id": "food", "q": "groceries", "relevant": ["a"], "not_relevant": ["b"]}],
    }  # fmt: skip
    translated = {
        "directory": "x", "kind": "words", "places": ["60623"], "judgments_from": "x-words.json",
        "queries": [{"id": "es-food", "q": "despensa de comida", "same_as": "food"}],
    }  # fmt: skip
    (tmp_path / "x-words.json").write_text(json.dumps(original))
    (tmp_path / "x-words-es.json").write_text(json.dumps(translated))
    lst = read_list(tmp_path / "x-words-es.json", {}, load_taxonomy())
    assert lst.queries[0].params == {"q": "despensa de comida"}
    assert lst.queries[0].relevant == {"a"} and lst.queries[0].judged == {"a", "b"}


def test_score_counts_empty_pages_and_unjudged_results():
    lst = JudgmentList("tiny", "x", "words", ["60623", "60608"], 10)
    lst.queries = [Query("food", {"q": "food"}, {"a", "b"}, {"a", "b", "c"})]
    outcomes = [
        Outcome("food", "60623", ["c", "a", "z"], "C", 10.0),  # one unjudged result (z)
        Outcome("food", "60608", [], None, 30.0),  # empty although "a" is in reach there
    ]
    reach = {("food", "60623"): 2, ("food", "60608"): 1}
    scores = score(lst, outcomes, reach)["all"]
    assert scores.pages == 2 and scores.empty == 1 and scores.empty_in_reach == 1
    assert scores.unjudged == 1
    assert scores.precision == [0.5, 0.0]
    assert scores.ndcg[0] == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    half = half_of("food")
    assert score(lst, outcomes, reach)[half].pages == 2
