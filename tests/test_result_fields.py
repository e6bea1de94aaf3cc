"""What each search and match result carries to draw a map and show a week: `location` and
`location_precision` (never for a confidential location), the weekly `schedule`, `source` and
`source_id`; and `near` as "City, ST" or a city name, resolved offline.

On the real node: the Chicago sample (the session's index) and, in an index of their own,
invented pantries around Springfield, Illinois (tests/fixtures/result-fields/services.json:
one placed only by its ZIP code, one with coordinates in Chatham, one in Springfield, MA).
Expectations come from the fixture and sample files, not from the index."""

import json
from dataclasses import replace

import pytest
import requests

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from linkage.places import zip_place
from tests.conftest import (
    ROOT,
    SAMPLE,
    TEST_ALIAS,
    WEDNESDAY_AFTERNOON,
    api_client,
    codes,
)
from tests.servers import TEST_KEY

FIXTURES = ROOT / "tests" / "fixtures" / "result-fields" / "services.json"
SPRINGFIELD = {r["id"]: r for r in json.loads(FIXTURES.read_text())}
RECORDS = json.loads(SAMPLE.read_text())
# Not under TEST_ALIAS's name: the session's sample fixture deletes every index under it.
ALIAS = f"linkage-result-fields-{TEST_ALIAS.removeprefix('linkage-test-')}"


def load_fixtures(es, taxonomy, settings) -> None:
    converter = Converter("springfield", taxonomy, settings.default_timezone)
    report = rebuild(es, ALIAS, read_hsds_json(FIXTURES), converter)
    assert report.rejected == 0 and report.indexed == len(SPRINGFIELD)


@pytest.fixture(scope="module")
def springfield(es, settings, taxonomy):
    """A client of the fixtures' own index, and a function that loads the fixtures again."""
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    load_fixtures(es, taxonomy, settings)
    app = create_app(
        {"SETTINGS": replace(settings, index_alias=ALIAS), "CLOCK": lambda: WEDNESDAY_AFTERNOON}
    )
    yield api_client(app), lambda: load_fixtures(es, taxonomy, settings)
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.json
    return response.json


def by_source_id(results: list[dict]) -> dict[str, dict]:
    return {r["source_id"]: r for r in results}


# --- where it is ----------------------------------------------------------------------------


def test_a_zip_centroid_place_says_so_and_coordinates_say_exact(springfield):
    client, _reload = springfield
    body = search(client, q="quillmarsh", near="Springfield, IL", radius=25)
    found = by_source_id(body["results"])
    zip_only, chatham = found["fields-1"], found["fields-2"]
    centroid = zip_place("62703")
    assert zip_only["location"] == {"lat": centroid.lat, "lon": centroid.lon}
    assert zip_only["location_precision"] == "zip"
    location = SPRINGFIELD["fields-2"]["service_at_locations"][0]["location"]
    assert chatham["location"] == {"lat": location["latitude"], "lon": location["longitude"]}
    assert chatham["location_precision"] == "exact"


def test_a_confidential_location_never_carries_coordinates(client):
    confidential = [r for r in RECORDS if "confidential-address" in codes(r, "linkage-flags")]
    points = [r["service_at_locations"][0]["location"] for r in confidential]
    assert len(points) >= 2 and all(p.get("latitude") is not None for p in points)
    response = client.get(
        "/v1/search", query_string={"q": "shelter", "near": "60639", "per_page": 100}
    )
    text = response.get_data(as_text=True)
    assert not any(str(p["latitude"]) in text or str(p["longitude"]) in text for p in points)
    results = response.json["results"]
    hidden = [x for x in results if x["confidential_address"]]
    shown = [x for x in results if not x["confidential_address"] and x["address"]]
    assert hidden and all(x["location"] is None for x in hidden)
    assert all(x["location_precision"] is None for x in hidden)
    assert shown and all(x["location"] and x["location_precision"] == "exact" for x in shown)


def test_match_results_carry_the_same_fields_and_hide_the_same_points(client):
    response = client.post(
        "/v1/match", json={"needs": ["intimate-partner-violence"], "client": {"near": "60639"}}
    )
    assert response.status_code == 200, response.json
    (referral,) = response.json["referrals"]
    resources = referral["resources"]
    assert any(r["confidential_address"] for r in resources)
    for r in resources:
        assert r["source"] == "sample" and r["source_id"]
        assert isinstance(r["schedule"], list)
        if r["confidential_address"]:
            assert r["location"] is None and r["location_precision"] is None
        elif r["address"]:
            assert r["location"] and r["location_precision"] == "exact"


# --- when it is open ------------------------------------------------------------------------


def test_the_week_shows_for_a_pantry_open_on_other_days(client):
    name = "Halsted Table Food Shelf"
    (record,) = [r for r in RECORDS if r["name"] == name]
    week = sorted(
        (day, s["opens_at"], s["closes_at"])
        for s in record["service_at_locations"][0]["schedules"]
        for day in s["byday"].split(",")
    )
    assert "WE" not in {day for day, _o, _c in week}  # the clock says Wednesday
    (result,) = [x for x in search(client, q=name)["results"] if x["service_name"] == name]
    assert result["hours_today"] == "Closed today"
    order = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    assert [(p["day"], p["opens"], p["closes"]) for p in result["schedule"]] == sorted(
        week, key=lambda p: (order.index(p[0]), p[1])
    )


def test_the_week_runs_monday_to_sunday_whatever_the_source_order(springfield):
    client, _reload = springfield
    found = by_source_id(search(client, q="quillmarsh")["results"])
    assert [p["day"] for p in found["fields-1"]["schedule"]] == ["MO", "FR"]
    assert found["fields-3"]["schedule"] == []  # no hours given: an empty week, not an error


# --- where it came from ---------------------------------------------------------------------


def test_ids_stay_the_same_across_reloads_and_name_the_source_record(springfield):
    client, reload = springfield
    before = {r["source_id"]: r["id"] for r in search(client, q="quillmarsh")["results"]}
    reload()
    after = {r["source_id"]: r["id"] for r in search(client, q="quillmarsh")["results"]}
    assert before == after and set(after) == set(SPRINGFIELD)
    assert {r["source"] for r in search(client, q="quillmarsh")["results"]} == {"springfield"}


# --- near a city ----------------------------------------------------------------------------


def test_near_city_and_state_searches_around_that_city(springfield):
    client, _reload = springfield
    body = search(client, q="quillmarsh", near="Springfield, IL", radius=25)
    assert body["place"]["label"] == "Springfield, IL"
    assert (body["place"]["state"], body["place"]["precision"]) == ("IL", "city")
    # The Massachusetts Springfield is 900 miles away.
    assert set(by_source_id(body["results"])) == {"fields-1", "fields-2"}


def test_a_city_name_in_several_states_asks_which(springfield):
    client, _reload = springfield
    response = client.get("/v1/search", query_string={"near": "Springfield"})
    assert response.status_code == 422
    message = response.json["message"]
    assert "'City, ST'" in message and "Springfield, IL" in message and "Springfield, MA" in message
    assert response.json["errors"]["query"]["near"] == [message.removeprefix("near: ")]
    match = client.post(
        "/v1/match", json={"needs": ["food-insecurity"], "client": {"near": "Springfield"}}
    )
    assert match.status_code == 422 and "Springfield, IL" in match.json["message"]


def test_a_city_name_in_one_state_needs_no_state(springfield):
    client, _reload = springfield
    assert search(client, near="Chicago")["place"]["label"] == "Chicago, IL"


def test_over_http_a_result_carries_its_point_week_and_source(live_server):
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {TEST_KEY}"
    body = http.get(
        f"{live_server}/v1/search", params={"q": "food pantry", "near": "Chicago, IL"}, timeout=60
    ).json()
    assert body["place"]["precision"] == "city" and body["results"]
    assert all(r["source"] == "sample" and r["source_id"] for r in body["results"])
    placed = [r for r in body["results"] if r["location"]]
    assert placed and all(r["location_precision"] == "exact" for r in placed)
    weeks = [r["schedule"] for r in body["results"] if r["schedule"]]
    assert weeks and all({"day", "opens", "closes"} == set(p) for w in weeks for p in w)
    ambiguous = http.get(f"{live_server}/v1/search", params={"near": "Springfield"}, timeout=60)
    assert ambiguous.status_code == 422 and "Springfield, IL" in ambiguous.json()["message"]
