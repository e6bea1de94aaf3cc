"""Lexical search on the real node: exact words above near misses, the service above its
organisation's name, Spanish, spelling variants, suggestions and the words that matched.

The sample directory plus invented records (tests/fixtures/lexical/services.json) near
Chicago's 60623, in an alias of this module's own.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from tests.conftest import SAMPLE, WEDNESDAY_AFTERNOON, api_client

FIXTURE = Path(__file__).parent / "fixtures" / "lexical" / "services.json"


@pytest.fixture(scope="module")
def lexical_client(es, settings, taxonomy):
    alias = f"{settings.index_alias}-lexical"
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
    for source, path in (("sample", SAMPLE), ("lexical", FIXTURE)):
        converter = Converter(source, taxonomy, settings.default_timezone)
        report = rebuild(es, alias, read_hsds_json(path), converter)
        assert report.rejected == 0, report.rejections[:5]
    app = create_app(
        {
            "SETTINGS": replace(settings, index_alias=alias),
            "CLOCK": lambda: WEDNESDAY_AFTERNOON,
            "TESTING": True,
        }
    )
    yield api_client(app)
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"near": "60623", "radius": 10, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def names(page: dict) -> list[str]:
    return [r["service_name"] for r in page["results"]]


def test_exact_word_ranks_above_names_that_only_look_like_it(lexical_client):
    ranked = names(search(lexical_client, q="halal"))
    assert ranked[:2] == ["Crescent Moon Halal Pantry", "Noor Halal Food Box"] or ranked[:2] == [
        "Noor Halal Food Box",
        "Crescent Moon Halal Pantry",
    ]
    # "Hall" is one letter from "halal" and nearer, yet never above a halal pantry.
    halls = [i for i, n in enumerate(ranked) if " Hall " in f" {n} "]
    assert all(i > 1 for i in halls)


def test_near_miss_is_found_but_below_the_exact_word(lexical_client):
    # "monitoring" is two edits from "mentoring", and the clinic is nearer.
    ranked = names(search(lexical_client, q="mentoring", retrieval="lexical", per_page=50))
    assert ranked[0] == "Brightpath Mentoring"
    found = names(search(lexical_client, q="mentorng", retrieval="lexical", per_page=50))
    assert "Brightpath Mentoring" in found


def test_the_service_ranks_above_its_organisations_name(lexical_client):
    ranked = names(search(lexical_client, q="widowers circle", per_page=50))
    assert ranked[0] == "Tuesday Evening Meetup"
    assert ranked.index("Maple Street Day Care") > 0


def test_spanish_words_find_the_spanish_described_service(lexical_client):
    # "silla" is "sillas" only to Spanish stemming: no exact, English or fuzzy match.
    page = search(lexical_client, q="silla de ruedas", retrieval="lexical")
    assert names(page)[:1] == ["Préstamo de sillas de ruedas"]
    assert "matched: silla, ruedas" in page["results"][0]["why"]


def test_a_spanish_query_finds_the_same_services_as_english(lexical_client):
    english = set(names(search(lexical_client, q="food pantry", per_page=10)))
    spanish = search(lexical_client, q="despensa de comida", per_page=10)
    assert [m["category"] for m in spanish["recognised"]] == ["food-pantry"]
    assert len(english & set(names(spanish))) >= 5


@pytest.mark.parametrize(
    ("q", "finds"),
    [
        ("counselling centre", "Riverside Counseling Center"),
        ("counseling center", "Harbourside Counselling Centre"),
    ],
)
def test_british_and_american_spellings_find_each_other(lexical_client, q, finds):
    page = search(lexical_client, q=q, retrieval="lexical", per_page=50)
    assert finds in names(page)
    result = next(r for r in page["results"] if r["service_name"] == finds)
    assert f"matched: {', '.join(q.split())}" in result["why"]


def test_a_misspelling_on_an_empty_page_gets_corrected_words_and_categories(lexical_client):
    page = search(lexical_client, q="pntry", retrieval="lexical")
    assert page["total"] == 0
    assert "pantry" in page["suggestions"]["words"]
    assert page["suggestions"]["query"] == "pantry"
    assert "food-pantry" in [c["code"] for c in page["suggestions"]["categories"]]


def test_a_page_with_results_has_no_suggestions(lexical_client):
    assert search(lexical_client, q="halal")["suggestions"] is None


def test_why_names_the_words_that_matched(lexical_client):
    page = search(lexical_client, q="halal groceries")
    why = {r["service_name"]: r["why"] for r in page["results"]}
    assert "matched: halal, groceries" in why["Crescent Moon Halal Pantry"]
    # Found for its category ("groceries" names food pantries), it holds only "halal".
    assert "matched: halal" in why["Noor Halal Food Box"]
