"""GET /v1/search against the real node with the sample directory.

Expectations are computed from the sample HSDS file itself, independently of the index.
"""

import json
import shutil
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from linkage.app import create_app
from linkage.config import DATA_DIR
from tests.conftest import SAMPLE, api_client, codes

RECORDS = json.loads(SAMPLE.read_text())


def active(record):
    return record.get("status", "active") == "active"


def search(client, **params):
    response = client.get("/v1/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def all_results(client, **params):
    body = search(client, per_page=100, **params)
    assert body["total"] <= 100, "test assumes one page"
    return body["results"]


def test_parent_category_includes_its_children(client, taxonomy):
    food_leaves = set(taxonomy.children("food"))
    expected = sum(1 for r in RECORDS if active(r) and food_leaves & set(codes(r, "linkage")))
    body = search(client, category="food", per_page=100)
    # Every holder, first; records only the category's words and meaning find come after.
    holding = [any(c["code"] in food_leaves for c in r["categories"]) for r in body["results"]]
    assert sum(holding) == expected and holding == sorted(holding, reverse=True)
    child = search(client, category="food-pantry", per_page=1)["total"]
    assert 0 < child < body["total"]


def test_inactive_services_never_appear(client):
    inactive = {r["name"] for r in RECORDS if not active(r)}
    assert inactive, "the sample has inactive services"
    names = {x["service_name"] for x in all_results(client, q=" ".join(sorted(inactive))[:190])}
    assert not names & inactive


def test_radius_keeps_nearby_services_and_those_serving_the_area(client):
    results = all_results(client, category="utilities", near="60623", radius=3)
    assert results
    for x in results:
        if x["serves_area"] is None:
            assert x["distance"]["miles"] <= 3.0 + 0.05
        else:  # reaches the place from elsewhere, and says so
            assert any("serves" in w for w in x["why"])
    statewide = [x for x in results if x["serves_area"] == "your state"]
    assert statewide and all(x["address"] is None for x in statewide)


def test_statewide_services_do_not_cross_state_lines(client):
    illinois_only = {
        r["name"]
        for r in RECORDS
        if [a.get("extent") for a in r.get("service_areas") or ()] == ["state:IL"]
    }
    names = {x["service_name"] for x in all_results(client, category="utilities", near="90012")}
    assert not names & illinois_only


def test_wider_radius_finds_more(client):
    narrow = search(client, category="food", near="60623", radius=2)["total"]
    wide = search(client, category="food", near="60623", radius=25)["total"]
    assert narrow < wide


def test_sort_by_distance_orders_by_distance(client):
    results = all_results(client, category="health", near="60640", radius=10, sort="distance")
    miles = [x["distance"]["miles"] for x in results if x["distance"]]
    assert len(miles) > 3 and miles == sorted(miles)


def test_relevance_puts_recognised_category_first(client):
    body = search(client, q="food bank", near="60623")
    assert body["recognised"][0]["category"] == "food-pantry"
    top = body["results"][:5]
    assert all(any(c["code"] == "food-pantry" for c in x["categories"]) for x in top)
    assert "category: Food pantry (from 'food bank')" in top[0]["why"]


@pytest.mark.parametrize("typo, category", [("pantrys", "food-pantry"), ("shleter", "shelter")])
def test_typos_and_plurals_still_find(client, typo, category, taxonomy):
    results = search(client, q=typo)["results"]
    wanted = {category, *taxonomy.children(category)}
    assert results and any(wanted & {c["code"] for c in x["categories"]} for x in results[:3])


def test_stemming_matches_singular_and_plural(client):
    assert search(client, q="pantries")["total"] == search(client, q="pantry")["total"] > 0


def test_language_filter(client):
    results = all_results(client, category="food", language="es", near="60623", radius=25)
    assert results and all("es" in x["languages"] for x in results)
    assert any("speaks Spanish" in x["why"] for x in results)


def test_age_excludes_services_whose_limits_exclude_the_client(client):
    seniors_only = {r["name"] for r in RECORDS if active(r) and (r.get("minimum_age") or 0) >= 60}
    assert seniors_only
    names_30 = {x["service_name"] for x in all_results(client, category="food", age=30)}
    assert not names_30 & seniors_only
    names_70 = {x["service_name"] for x in all_results(client, category="food", age=70)}
    assert names_70 & seniors_only


def test_free_filter(client):
    results = all_results(client, category="health", free="true")
    assert results and all(x["fees"] == "free" for x in results)


def test_need_filter(client):
    results = all_results(client, need="utility-insecurity", near="60608")
    assert results and all("utility-insecurity" in x["needs"] for x in results)


def test_facets_count_what_was_found(client, taxonomy):
    body = search(client, category="food", near="60623", radius=25, per_page=100)
    food = next(f for f in body["facets"]["categories"] if f["value"] == "food")
    # The facet counts the records filed under food; the total also counts the ones only
    # food's words and meaning found (linkage.hybrid).
    filed = [
        r
        for r in body["results"]
        if any("food" in taxonomy.ancestors_and_self(c["code"]) for c in r["categories"])
    ]
    assert body["total"] == len(body["results"])
    assert food["count"] == len(filed) and food["name"] == "Food"
    spanish = next(f for f in body["facets"]["languages"] if f["value"] == "es")
    assert (
        spanish["count"]
        == search(client, category="food", near="60623", radius=25, language="es")["total"]
    )


def test_paging_walks_through_every_result_once(client):
    total = search(client, category="health", per_page=1)["total"]
    ids = []
    for page in range(1, total // 7 + 2):
        ids += [
            x["id"] for x in search(client, category="health", per_page=7, page=page)["results"]
        ]
    assert len(ids) == len(set(ids)) == total


def test_confidential_addresses_are_never_returned(client):
    confidential = [r for r in RECORDS if "confidential-address" in codes(r, "linkage-flags")]
    streets = [
        r["service_at_locations"][0]["location"]["addresses"][0]["address_1"] for r in confidential
    ]
    assert len(streets) >= 2
    response = client.get(
        "/v1/search", query_string={"q": "shelter", "near": "60639", "per_page": 100}
    )
    assert not any(street in response.get_data(as_text=True) for street in streets)
    found = [x for x in response.json["results"] if x["confidential_address"]]
    assert found and all(x["address"] is None and x["distance"] is None for x in found)
    assert all(x["phones"] for x in found)
    record = client.get(f"/v1/resources/{found[0]['id']}")
    assert record.status_code == 200
    assert record.json["address"] is None and record.json["location"] is None
    assert not any(street in record.get_data(as_text=True) for street in streets)


def test_resource_by_id_and_unknown_id(client):
    first = search(client, q="food bank", per_page=1)["results"][0]
    record = client.get(f"/v1/resources/{first['id']}")
    assert record.status_code == 200 and record.json["service_name"] == first["service_name"]
    assert record.json["schedule"] is not None and "open_minutes" not in record.json
    missing = client.get("/v1/resources/nope")
    assert missing.status_code == 404 and missing.json["code"] == 404


def test_categories_tree(client, taxonomy):
    tree = client.get("/v1/categories").json
    assert [n["code"] for n in tree] == taxonomy.roots()
    food = next(n for n in tree if n["code"] == "food")
    assert "food-pantry" in [c["code"] for c in food["children"]]


def clock_client(settings, when):
    return api_client(create_app({"SETTINGS": settings, "CLOCK": lambda: when}))


def open_by_name(client, name_part):
    """Whether the service whose name contains name_part is found with open_now=true."""
    name = next(r["name"] for r in RECORDS if name_part in r["name"])
    return name in {x["service_name"] for x in all_results(client, q=name, open_now="true")}


def test_open_now_in_each_services_own_time_zone(settings, sample_index):
    # Wednesday 8:30 AM in Chicago = 9:30 AM in Washington, 7:30 Denver, 6:30 Los Angeles.
    early = clock_client(
        settings, datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo("America/Chicago"))
    )
    assert open_by_name(early, "National Veterans Benefits Line")  # Washington, 9 to 5
    assert open_by_name(early, "National Caregiver Line")  # Denver, 7 to 7
    assert not open_by_name(early, "Telepsychiatry")  # Los Angeles, 9 to 5
    # Wednesday 5:30 PM in Chicago = 6:30 PM in Washington, 3:30 PM in Los Angeles.
    late = clock_client(
        settings, datetime(2026, 11, 25, 17, 30, tzinfo=ZoneInfo("America/Chicago"))
    )
    assert open_by_name(late, "Telepsychiatry")
    assert not open_by_name(late, "National Veterans Benefits Line")


def test_open_now_results_are_open_and_say_so(settings, sample_index):
    saturday_night = clock_client(
        settings, datetime(2026, 11, 28, 23, 0, tzinfo=ZoneInfo("America/Chicago"))
    )
    results = all_results(saturday_night, category="shelter", open_now="true")
    assert results and all(x["open_now"] is True and "open now" in x["why"] for x in results)
    everything = all_results(saturday_night, category="shelter")
    assert len(everything) > len(results)
    assert {x["id"] for x in everything if x["open_now"]} == {x["id"] for x in results}


@pytest.mark.parametrize(
    "params, status, field",
    [
        ({"near": "00000"}, 400, "near"),
        ({"near": "not a place"}, 400, "near"),
        ({"near": "91.5,10"}, 400, "near"),
        ({"per_page": 101}, 422, "per_page"),
        ({"age": -1}, 422, "age"),
        ({"category": "no-such-category"}, 422, "category"),
        ({"need": "no-such-need"}, 422, "need"),
        ({"sort": "price"}, 422, "sort"),
        ({"radius": 5}, 422, "near"),
        ({"colour": "blue"}, 422, "colour"),
        ({"open_now": "maybe"}, 422, "open_now"),
    ],
)
def test_bad_parameters_name_the_parameter(client, params, status, field):
    response = client.get("/v1/search", query_string=params)
    assert response.status_code == status
    body = response.json
    assert body["code"] == status and body["message"]
    assert field in body["errors"]["query"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "food bank", "near": "60623"},
        {"category": "safety", "near": "60639", "per_page": 100},
        {"q": "counseling", "near": "41.88,-87.63", "open_now": "true", "sort": "distance"},
        {},
    ],
)
def test_search_responses_match_the_documented_schema(client, params):
    from linkage.api.schemas.search import SearchOut

    body = search(client, **params)
    assert SearchOut().validate(body) == {}
    assert set(body["results"][0]) == set(SearchOut().fields["results"].inner.schema.fields)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=60),
    near=st.one_of(st.none(), st.text(max_size=30), st.from_regex(r"\A\d{5}\Z")),
    radius=st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
)
def test_any_input_gets_an_answer_never_a_server_error(client, q, near, radius):
    params = {"q": q}
    if near is not None:
        params["near"] = near
        if radius is not None:
            params["radius"] = radius
    response = client.get("/v1/search", query_string=params)
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:300]
    if response.status_code != 200:
        assert response.json["code"] == response.status_code and response.json["message"]


def test_paging_past_the_result_window_is_a_clear_422(client):
    response = client.get("/v1/search", query_string={"page": 600, "per_page": 20})
    assert response.status_code == 422
    assert "10000 results at most" in response.json["errors"]["query"]["page"][0]
    assert client.get("/v1/search", query_string={"page": 500, "per_page": 20}).status_code == 200


def test_the_api_checks_codes_against_the_data_directory_of_its_settings(
    settings, sample_index, tmp_path
):
    # A deployer's data directory with one category (and need) more than the packaged one.
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    taxonomy = json.loads((data_dir / "taxonomy.json").read_text(encoding="utf-8"))
    taxonomy["categories"].append(
        {"code": "bicycle-repair", "name": "Bicycle repair", "parent": None,
         "description": "Fixing bicycles for free.", "needs": ["bicycle-need"]}
    )  # fmt: skip
    (data_dir / "taxonomy.json").write_text(json.dumps(taxonomy), encoding="utf-8")
    own = api_client(create_app({"SETTINGS": replace(settings, data_dir=data_dir)}))
    packaged = api_client(create_app({"SETTINGS": settings}))

    for name, code in (("category", "bicycle-repair"), ("need", "bicycle-need")):
        assert own.get("/v1/search", query_string={name: code}).status_code == 200
        refused = packaged.get("/v1/search", query_string={name: code})
        assert refused.status_code == 422 and name in refused.json["errors"]["query"]
    assert own.post("/v1/match", json={"needs": ["bicycle-repair"]}).status_code == 200
    assert packaged.post("/v1/match", json={"needs": ["bicycle-repair"]}).status_code == 422

    def category_enum(client):
        search = client.get("/openapi.json").json["paths"]["/v1/search"]["get"]
        (category,) = [p for p in search["parameters"] if p["name"] == "category"]
        return category["schema"]["items"]["enum"]

    assert "bicycle-repair" in category_enum(own)
    assert "bicycle-repair" not in category_enum(packaged)
