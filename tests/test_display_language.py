"""`lang` on /v1/search and /v1/match: the case manager's screen language changes the words the
API writes (names, why, eligibility notes, messages), never the codes, ids or the results."""

import json

import pytest

from linkage.config import DATA_DIR
from tests.test_referrals_api import AHC_FOOD_AND_UTILITIES

TAGS_ES = {
    t["code"]: t["name_es"] for t in json.loads((DATA_DIR / "eligibility.json").read_text())["tags"]
}
NEEDS_ES = {
    n["code"]: n["label_es"] for n in json.loads((DATA_DIR / "needs.json").read_text())["needs"]
}
FOOD_BANK = {"q": "food bank", "near": "60623", "radius": 10, "per_page": 30}


def search(client, **body):
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.json
    return response.json


def match(api, **body):
    response = api.post("/v1/match", json=body)
    assert response.status_code == 200, response.json
    return response.json


def codes_of(facets):
    return {name: [(e["value"], e["count"]) for e in entries] for name, entries in facets.items()}


def test_a_spanish_search_finds_the_same_in_spanish_words(client, taxonomy):
    english = search(client, **FOOD_BANK)
    spanish = search(client, **FOOD_BANK, lang="es")
    assert [r["id"] for r in spanish["results"]] == [r["id"] for r in english["results"]]
    assert spanish["total"] == english["total"] > 0
    assert [m["category"] for m in spanish["recognised"]] == ["food-pantry"]
    assert spanish["recognised"][0]["name"] == "Despensa de comida"
    for en, es in zip(english["results"], spanish["results"], strict=True):
        assert [c["code"] for c in es["categories"]] == [c["code"] for c in en["categories"]]
        assert [c["name"] for c in es["categories"]] == [
            taxonomy.categories[c["code"]].name_es or c["name"] for c in en["categories"]
        ]
        assert len(es["why"]) == len(en["why"])
    pantry = next(
        (en, es)
        for en, es in zip(english["results"], spanish["results"], strict=True)
        if "category: Food pantry (from 'food bank')" in en["why"]
    )
    assert "categoría: Despensa de comida (de 'food bank')" in pantry[1]["why"]
    near = next(
        (en, es)
        for en, es in zip(english["results"], spanish["results"], strict=True)
        if en["distance"]
    )
    miles = near[0]["distance"]["miles"]
    assert f"{miles} mi away" in near[0]["why"] and f"a {miles} mi" in near[1]["why"]
    assert not any("mi away" in w or "category:" in w for r in spanish["results"] for w in r["why"])


def test_spanish_facets_have_spanish_names_and_the_same_values(client):
    english = search(client, category=["food"], per_page=1, near="60623")["facets"]
    spanish = search(client, category=["food"], per_page=1, near="60623", lang="es")["facets"]
    assert codes_of(spanish) == codes_of(english)
    assert spanish["serves"] and all(e["name"] == TAGS_ES[e["value"]] for e in spanish["serves"])
    days = {e["value"]: e["name"] for e in spanish["open_on"]}
    assert days.get("MO") == "lunes" and days.get("SA") == "sábado"
    fees = {e["value"]: e["name"] for e in spanish["fees"]}
    assert fees.get("free") == "Gratis"
    delivery = {e["value"]: e["name"] for e in spanish["delivery"]}
    assert delivery.get("in_person") == "En persona"
    assert {e["value"]: e["name"] for e in spanish["reach"]}.get("local") == "Cerca de usted"
    food = next(e for e in spanish["categories"] if e["value"] == "food")
    assert food["name"] == "Comida"


def test_get_search_takes_lang_in_the_query(client):
    response = client.get("/v1/search", query_string={"category": "food-pantry", "lang": "es"})
    assert response.status_code == 200
    names = {c["name"] for r in response.json["results"] for c in r["categories"]}
    assert "Despensa de comida" in names and "Food pantry" not in names


@pytest.mark.parametrize(
    "method, path, where",
    [("get", "/v1/search", "query"), ("post", "/v1/search", "json"), ("post", "/v1/match", "json")],
)
def test_an_unknown_lang_is_a_422_naming_it(client, method, path, where):
    if method == "get":
        response = client.get(path, query_string={"q": "food", "lang": "fr"})
    else:
        response = client.post(path, json={"needs": ["food-insecurity"], "lang": "fr"})
    assert response.status_code == 422
    body = response.json
    assert body["code"] == 422 and body["message"]
    assert "lang" in body["errors"][where]


def test_a_spanish_match_labels_needs_and_explains_in_spanish(client):
    asked = {
        "needs": ["food-insecurity"],
        "client": {"near": "60623", "age": 30},
        "include_ineligible": True,
        "radius": 25,
    }
    english = match(client, **asked)["referrals"][0]
    spanish = match(client, **asked, lang="es")["referrals"][0]
    assert spanish["need"] == english["need"] == "food-insecurity"
    assert spanish["label"] == NEEDS_ES["food-insecurity"] == "Inseguridad alimentaria"
    assert [r["id"] for r in spanish["resources"]] == [r["id"] for r in english["resources"]]
    assert [r["id"] for r in spanish["excluded"]] == [r["id"] for r in english["excluded"]]
    assert spanish["resources"]
    assert all(r["why"][0].startswith("Inseguridad alimentaria") for r in spanish["resources"])
    because = [reason for r in spanish["excluded"] for reason in r["excluded_because"]]
    assert because and all(
        reason.startswith("la edad 30") or reason.startswith("solo para") for reason in because
    )


def test_a_spanish_match_says_its_messages_and_assessed_needs_in_spanish(client, taxonomy):
    far = {"needs": ["youth-shelter"], "client": {"near": "60085"}, "radius": 10, "lang": "es"}
    referral = match(client, **far)["referrals"][0]
    assert referral["label"] == taxonomy.categories["youth-shelter"].name_es
    assert referral["nearest_outside_radius"] and "los más cercanos" in referral["message"]
    body = match(client, assessment=AHC_FOOD_AND_UTILITIES, lang="es")
    assert {n["code"]: n["label"] for n in body["needs"]} == {
        code: NEEDS_ES[code] for code in ("food-insecurity", "utility-insecurity")
    }
    assert "indique una evaluación" in match(client, lang="es")["message"]


def test_a_spanish_search_names_languages_in_spanish(client):
    english = search(client, **FOOD_BANK, language="es")
    spanish = search(client, **FOOD_BANK, language="es", lang="es")
    assert any("speaks Spanish" in r["why"] for r in english["results"])
    whys = [w for r in spanish["results"] for w in r["why"]]
    assert "habla español" in whys and not any("Spanish" in w for w in whys)
    names = {e["value"]: e["name"] for e in spanish["facets"]["languages"]}
    assert names["es"] == "español" and names["en"] == "inglés"
