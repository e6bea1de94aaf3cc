"""Hybrid retrieval (linkage.hybrid): semantic matches beside lexical ones, and needs that do
not rest on categories alone. Invented records (tests/fixtures/hybrid) on the real node; all
four share one place, so distance never decides."""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np
import pytest

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from linkage.config import Settings
from linkage.search import hybrid
from linkage.search.queries import SearchRequest, build_query, text_query
from tests.conftest import TEST_ALIAS, WEDNESDAY_AFTERNOON, api_client

FIXTURE = Path(__file__).parent / "fixtures" / "hybrid" / "services.json"
ALIAS = f"{TEST_ALIAS}-hybrid"
NEAR = "41.85,-87.65"


@pytest.fixture(scope="module")
def hybrid_client(es, taxonomy, keys_file):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    # No inference: the uncategorised records stay as an uncategorised directory has them.
    converter = Converter("hybrid", taxonomy, "America/Chicago", inferrer=False)
    report = rebuild(es, ALIAS, read_hsds_json(FIXTURE), converter)
    assert report.indexed == 4, report.rejections
    settings = Settings.from_env(index_alias=ALIAS, partner_keys=str(keys_file))
    app = create_app({"SETTINGS": settings, "CLOCK": lambda: WEDNESDAY_AFTERNOON, "TESTING": True})
    yield api_client(app)
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def names(body: dict) -> list[str]:
    return [r["service_name"] for r in body["results"]]


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def test_a_need_finds_an_uncategorised_record_below_the_category_holder(hybrid_client):
    body = search(hybrid_client, need="food-insecurity", near=NEAR)
    assert names(body)[:2] == ["Maple Street Food Shelf", "Riverside Community Cupboard"]
    cupboard = body["results"][1]
    assert cupboard["categories"] == [] and cupboard["needs"] == []
    assert any(w.startswith("matched: ") and "groceries" in w for w in cupboard["why"])
    # Precision: a tax clinic is no food referral, whatever the need's words.
    assert "Eastside Tax Clinic" not in names(body)
    assert body["total"] == len(body["results"])


def test_a_category_filter_finds_by_meaning_too(hybrid_client):
    body = search(hybrid_client, category="food-pantry", near=NEAR)
    assert names(body)[:2] == ["Maple Street Food Shelf", "Riverside Community Cupboard"]
    facet = {f["value"]: f["count"] for f in body["facets"]["categories"]}
    assert facet["food-pantry"] == 1  # facets still count what carries the category


def test_a_semantic_match_finds_a_record_sharing_no_word_with_the_query(hybrid_client):
    # "dinner" is nowhere in "Hot suppers served every evening ...".
    assert "Northside Supper Table" not in names(
        search(hybrid_client, q="dinner", retrieval="lexical")
    )
    found = search(hybrid_client, q="dinner")
    assert "Northside Supper Table" in names(found)
    supper = next(r for r in found["results"] if r["service_name"] == "Northside Supper Table")
    assert "similar to: dinner" in supper["why"]
    # Found by its words, it says which, and not that it is only similar.
    worded = search(hybrid_client, q="suppers")
    supper = next(r for r in worded["results"] if r["service_name"] == "Northside Supper Table")
    assert "matched: suppers" in supper["why"]
    assert not any(w.startswith("similar to") for w in supper["why"])
    # On a Spanish screen the same reason is in Spanish.
    spanish = search(hybrid_client, q="dinner", lang="es")
    supper = next(r for r in spanish["results"] if r["service_name"] == "Northside Supper Table")
    assert "parecido a: dinner" in supper["why"]
    assert "Northside Supper Table" in names(
        search(hybrid_client, q="dinner", retrieval="semantic")
    )


def test_lexical_retrieval_finds_by_words_only(hybrid_client):
    body = search(hybrid_client, q="tax returns", retrieval="lexical")
    assert names(body) == ["Eastside Tax Clinic"]
    # Lexical needs still reach an uncategorised record through the category's words.
    body = search(hybrid_client, need="food-insecurity", retrieval="lexical")
    assert "Riverside Community Cupboard" in names(body)


def test_semantic_retrieval_keeps_category_holders(hybrid_client):
    body = search(hybrid_client, need="food-insecurity", retrieval="semantic")
    assert names(body)[0] == "Maple Street Food Shelf"
    assert "Eastside Tax Clinic" not in names(body)


def test_unknown_retrieval_is_refused(hybrid_client):
    response = hybrid_client.get("/v1/search", query_string={"q": "food", "retrieval": "magic"})
    assert response.status_code == 422
    assert "retrieval" in response.json["errors"]["query"]


def test_vectors_are_never_in_responses(hybrid_client, es):
    # They are in the index...
    hit = es.search(index=ALIAS, query={"match_all": {}}, size=1, source_includes=["embedding"])
    assert hit["hits"]["total"]["value"] == 4
    body = search(hybrid_client, q="groceries")
    assert body["results"] and all("embedding" not in r for r in body["results"])
    one = hybrid_client.get(f"/v1/resources/{body['results'][0]['id']}").json
    assert "embedding" not in one and one["service_name"]
    services = hybrid_client.get("/hsds/services", query_string={"full": "true"}).json
    assert services["contents"] and "embedding" not in str(services)


def test_match_finds_an_uncategorised_record_for_a_need(hybrid_client):
    response = hybrid_client.post(
        "/v1/match", json={"needs": ["food-insecurity"], "client": {"near": "60608"}, "radius": 5}
    )
    assert response.status_code == 200, response.json
    found = [r["service_name"] for r in response.json["referrals"][0]["resources"]]
    assert found[:2] == ["Maple Street Food Shelf", "Riverside Community Cupboard"]
    assert "Eastside Tax Clinic" not in found


# Pure: the body builders.


def test_vectors_go_to_the_index_as_bytes_that_keep_their_direction():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(50, 256)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sent = np.stack(
        [np.frombuffer(base64.b64decode(e), dtype=np.int8) for e in hybrid.encoded(vectors)]
    )
    assert sent.shape == (50, 256) and np.abs(sent).max(axis=1).tolist() == [127] * 50
    kept = sent / np.linalg.norm(sent, axis=1, keepdims=True)
    # Cosines between records barely move: what semantic search ranks by.
    assert np.abs(kept @ kept.T - vectors @ vectors.T).max() < 0.02


def test_document_text_is_name_categories_and_the_start_of_the_description():
    doc = {"service_name": "A", "category_names": ["Food pantry"], "description": "x" * 5000}
    text = hybrid.document_text(doc)
    assert text.startswith("A. Food pantry. x") and len(text) < 5000
    assert hybrid.document_text({}) == " "  # the model needs some text


def test_hybrid_query_ors_words_and_meaning_with_the_same_filters():
    req = SearchRequest(q="dinner", query_vector=(0.1,) * 4)
    query = build_query(req, WEDNESDAY_AFTERNOON, [])["query"]["bool"]
    should = query["must"][0]["bool"]["should"]
    knn = should[1]["knn"]
    assert should[0] == text_query(req) and query["must"][0]["bool"]["minimum_should_match"] == 1
    assert knn["query_vector"] == hybrid.encoded([0.1] * 4)[0] and knn["filter"] == query["filter"]
    assert knn["similarity"] == hybrid.QUERY_FLOOR and "_name" not in knn


def test_lexical_and_semantic_bodies():
    vec = (0.2,) * 4
    lexical = build_query(SearchRequest(q="x", retrieval="lexical"), WEDNESDAY_AFTERNOON, [])
    assert "knn" not in str(lexical)
    semantic = build_query(
        SearchRequest(q="x", retrieval="semantic", query_vector=vec), WEDNESDAY_AFTERNOON, []
    )
    assert "knn" in semantic["query"]["bool"]["must"][0]


def test_a_need_clause_ranks_holders_above_meaning_matches(taxonomy):
    meaning = hybrid.need_meaning(taxonomy, "food-insecurity")
    assert "food-pantry" in meaning.categories and "food" in meaning.broad
    clause = hybrid.meaning_clause(meaning, "hybrid")
    filed, inferred, found = clause["bool"]["should"]
    # holders first (the directory's above the inferred), then meaning matches
    assert filed["constant_score"]["boost"] > inferred["constant_score"]["boost"]
    assert inferred["constant_score"]["boost"] > hybrid.MEANING_BOOST
    queries = [q["function_score"] for q in found["dis_max"]["queries"]]  # the best, never a sum
    similar = [q for q in queries if q["_name"].startswith(hybrid.SIMILAR)]
    # Words and meaning judge only records without categories, or with inferred ones, by
    # the closeness to each category the loader stored (no kNN search per category).
    assert similar and all(hybrid.NOT_FILED in q["query"]["bool"]["filter"] for q in queries)
    assert "knn" not in str(clause)
    assert similar[0]["field_value_factor"]["field"].startswith(hybrid.MEANING_SCORES + ".")
    words = [q for q in queries if q["_name"] == hybrid.WORDS + "food"]
    # A top-level category's broad words count in the service's name only.
    assert "'fields': ['service_name']" in str(words[0]["query"])
    lexical = hybrid.meaning_clause(meaning, "lexical")
    assert "knn" not in str(lexical) and str(hybrid.NOT_FILED) in str(lexical)


def test_the_category_a_query_means_as_a_whole_counts_as_named(client, taxonomy):
    """No word of "somewhere to sleep tonight" names a category, but its meaning is Shelter's:
    hybrid search puts shelters first where lexical search finds nothing."""
    params = {"q": "somewhere to sleep tonight", "near": "60623"}
    body = search(client, **params)
    assert [m["category"] for m in body["recognised"]] == ["shelter"]
    top = body["results"][:5]
    assert len(top) == 5
    for result in top:
        branches = {taxonomy.ancestors_and_self(c["code"])[-1] for c in result["categories"]}
        assert "shelter" in branches, result["service_name"]
    assert search(client, **params, retrieval="lexical")["total"] == 0
    # Narrower than what the words name: "lawyer" names Legal help, the whole Tenant legal aid.
    named = search(client, q="lawyer for eviction", near="60623")["recognised"]
    assert "tenant-legal-aid" in [m["category"] for m in named]


def test_closest_category_needs_a_clear_lead(taxonomy):
    codes = list(taxonomy.categories)
    vectors = {c: [0.0, 1.0] for c in codes}
    vectors["emergency-shelter"] = [1.0, 0.0]
    assert hybrid.closest_category(taxonomy, [1.0, 0.0], vectors) == "emergency-shelter"
    # already named by a narrower or the same category: nothing to add
    assert hybrid.closest_category(taxonomy, [1.0, 0.0], vectors, ["emergency-shelter"]) is None
    vectors["food-pantry"] = [0.95, 0.05]  # a close rival in another branch: no clear meaning
    assert hybrid.closest_category(taxonomy, [1.0, 0.0], vectors) is None


def test_a_spanish_query_finds_english_records_through_its_gloss(client):
    """The model reads English: a Spanish query's meaning is its English gloss's, so semantic
    retrieval alone finds the pantries of an English directory for "despensa de comida"."""
    body = search(client, q="despensa de comida", near="60623", retrieval="semantic")
    top = body["results"][:5]
    assert len(top) == 5
    assert all("food-pantry" in {c["code"] for c in r["categories"]} for r in top)
