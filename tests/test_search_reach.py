"""Local first, in one vocabulary: each result's `reach` (local, area, remote), the `reach`
filter and facet, the ranking that puts local before area before remote, and match's nearest
services outside the radius, which stay within bounds and in the client's state.

On the real node: the Chicago sample plus invented records around Baltimore
(tests/fixtures/reach/services.json: a pantry 8 miles out, one in Frederick serving Maryland, a
nationwide hotline based in Denver, an online programme, Maryland's own phone line, tax help in
Annapolis, York PA and Cumberland); and the real Baltimore 211 directory, loaded without its
staff's categories, beside the sample, 600 miles away."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.formats.ohana import read as read_ohana
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from linkage.places import zip_place
from linkage.search import match, reach
from linkage.search.eligibility import Client
from linkage.search.queries import SearchRequest, build_query
from tests.conftest import ROOT, SAMPLE, SHARED, WEDNESDAY_AFTERNOON, api_client, requires_shared

FIXTURES = ROOT / "tests" / "fixtures" / "reach" / "services.json"
ALIAS = "linkage-test-search-reach"
BALTIMORE_ALIAS = "linkage-test-search-reach-baltimore"
BALTIMORE = SHARED / "datasets" / "baltimore-211"
BALTIMORE_ZIP = "21201"
NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def load(es, taxonomy, settings, alias, sources):
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
    for name, rows in sources:
        converter = Converter(name, taxonomy, settings.default_timezone)
        report = rebuild(es, alias, rows, converter)
        assert report.indexed, name


@pytest.fixture(scope="module")
def client(es, settings, taxonomy):
    sources = [("sample", read_hsds_json(SAMPLE)), ("reach", read_hsds_json(FIXTURES))]
    load(es, taxonomy, settings, ALIAS, sources)
    app = create_app(
        {"SETTINGS": replace(settings, index_alias=ALIAS), "CLOCK": lambda: WEDNESDAY_AFTERNOON}
    )
    yield api_client(app)
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.json
    return response.json


def referrals(client, code: str, near: str, **body) -> dict:
    response = client.post("/v1/match", json={"needs": [code], "client": {"near": near}, **body})
    assert response.status_code == 200, response.json
    (referral,) = response.json["referrals"]
    return referral


def names(results: list[dict]) -> list[str]:
    return [r["service_name"] for r in results]


# --- what a case manager sees -------------------------------------------------------------


def test_local_ranks_above_area_and_area_above_remote(client):
    # Five equally worded pantries: the one 8 miles out (near the radius's edge) comes first,
    # then the one serving Maryland from Frederick, then the phone and online ones.
    body = search(client, q="quillberry", near=BALTIMORE_ZIP)
    found = [(r["service_name"], r["reach"]) for r in body["results"]]
    assert found[:2] == [("Quillberry Pantry Door", "local"), ("Quillberry Pantry Van", "area")]
    assert {reach for _, reach in found[2:]} == {"remote"}
    # Among remote ones, Maryland's own line before the national ones.
    assert names(body["results"])[2] == "Quillberry Pantry Call"
    assert set(names(body["results"])[3:]) == {"Quillberry Pantry Line", "Quillberry Pantry Online"}


def test_each_kind_of_service_says_how_it_reaches_the_place(client):
    results = {
        r["service_name"]: r for r in search(client, q="quillberry", near=BALTIMORE_ZIP)["results"]
    }
    door, van = results["Quillberry Pantry Door"], results["Quillberry Pantry Van"]
    assert door["reach"] == "local" and door["distance"]["miles"] <= 10
    assert van["reach"] == "area" and van["distance"]["miles"] > 10
    assert van["serves_area"] == "your state"  # existing fields keep their meaning
    line, online = results["Quillberry Pantry Line"], results["Quillberry Pantry Online"]
    assert line["reach"] == "remote" and line["serves_area"] == "nationwide"
    assert line["distance"]["miles"] > 1000 and "in_person" in line["delivery"]
    assert online["reach"] == "remote" and online["delivery"] == ["virtual"]
    assert results["Quillberry Pantry Call"]["reach"] == "remote"
    # A wider radius that takes in Frederick makes it local.
    wide = search(client, q="quillberry", near=BALTIMORE_ZIP, radius=50)["results"]
    assert next(r for r in wide if r["service_name"] == "Quillberry Pantry Van")["reach"] == "local"
    # Without a place there is no reach to tell.
    assert {r["reach"] for r in search(client, q="quillberry")["results"]} == {None}


def test_a_search_can_ask_for_one_reach_and_counts_every_reach(client):
    everything = search(client, q="quillberry", near=BALTIMORE_ZIP)
    counts = {f["value"]: f["count"] for f in everything["facets"]["reach"]}
    assert counts == {"local": 1, "area": 1, "remote": 3}
    for wanted in reach.REACHES:
        body = search(client, q="quillberry", near=BALTIMORE_ZIP, reach=wanted)
        assert {r["reach"] for r in body["results"]} == {wanted}
        assert body["total"] == counts[wanted]
        assert body["facets"]["reach"] == everything["facets"]["reach"]  # the page's tabs
    both = search(client, q="quillberry", near=BALTIMORE_ZIP, reach=["area", "remote"])
    assert both["total"] == 4 and "local" not in {r["reach"] for r in both["results"]}
    # The other facets count what is shown.
    (pantry,) = [f for f in both["facets"]["categories"] if f["value"] == "food-pantry"]
    assert pantry["count"] == 4


def test_reach_splits_a_whole_search_the_way_results_are_labelled(client):
    # Every result of a broad search in Chicago lands in exactly the reach it is labelled with.
    params = {"near": "60623", "radius": 5, "category": "support"}
    body = search(client, **params)
    assert body["total"] <= 100
    labelled = {r["id"]: r["reach"] for r in body["results"]}
    assert len(set(labelled.values())) > 1
    for wanted in reach.REACHES:
        ids = {r["id"] for r in search(client, **params, reach=wanted)["results"]}
        assert ids == {i for i, r in labelled.items() if r == wanted}


def test_reach_needs_a_place_and_a_known_value(client):
    assert client.get("/v1/search", query_string={"reach": "local"}).status_code == 422
    bad = client.get("/v1/search", query_string={"near": BALTIMORE_ZIP, "reach": "nearby"})
    assert bad.status_code == 422


def test_nearest_outside_the_radius_stays_close_and_in_the_clients_state(client):
    # Nothing within 10 miles of central Baltimore: Annapolis (23 mi) is within 30; York (PA,
    # 46 mi), Cumberland (117 mi) and Chicago's tax clinics are not offered.
    referral = referrals(client, "tax-preparation", BALTIMORE_ZIP, radius=10)
    assert referral["resources"] == []
    assert names(referral["nearest_outside_radius"]) == ["Ledgerwick Tax Desk Annapolis"]
    assert "nearest" in referral["message"] and referral["wider_radius_miles"] is None
    (annapolis,) = referral["nearest_outside_radius"]
    assert annapolis["reach"] == "local" and annapolis["distance"]["miles"] <= 30
    # Three times 20 miles is 60, capped at 50: York is within it, but in Pennsylvania.
    referral = referrals(client, "tax-preparation", BALTIMORE_ZIP, radius=20)
    assert names(referral["nearest_outside_radius"]) == ["Ledgerwick Tax Desk Annapolis"]


def test_with_none_nearby_match_says_so_and_offers_a_wider_radius(client):
    # Ocean City is 88 miles from Annapolis, the nearest tax help.
    referral = referrals(client, "tax-preparation", "21842", radius=10)
    assert referral["resources"] == [] and referral["nearest_outside_radius"] == []
    assert referral["wider_radius_miles"] == 100 and "100-mile radius" in referral["message"]
    wider = referrals(client, "tax-preparation", "21842", radius=referral["wider_radius_miles"])
    assert "Ledgerwick Tax Desk Annapolis" in names(wider["resources"])
    # From Fairbanks the nearest is thousands of miles away: no radius to offer.
    far = referrals(client, "tax-preparation", "99701")
    assert far["nearest_outside_radius"] == [] and far["wider_radius_miles"] is None
    assert "nothing found" in far["message"]


def test_how_far_nearest_looks_is_a_setting(settings):
    tight = replace(settings, index_alias=ALIAS, nearest_radius_factor=1.0)
    app = create_app({"SETTINGS": tight, "CLOCK": lambda: WEDNESDAY_AFTERNOON})
    referral = referrals(api_client(app), "tax-preparation", BALTIMORE_ZIP, radius=10)
    assert referral["nearest_outside_radius"] == [] and referral["wider_radius_miles"] == 25


def test_referrals_carry_their_reach(client):
    referral = referrals(client, "food-pantry", BALTIMORE_ZIP)
    by_name = {r["service_name"]: r["reach"] for r in referral["resources"]}
    assert by_name.get("Quillberry Pantry Door") == "local"
    assert set(by_name.values()) <= set(reach.REACHES)


# --- the real Baltimore directory ---------------------------------------------------------


@pytest.fixture(scope="module")
def baltimore(es, settings, taxonomy):
    sources = [
        ("baltimore", read_ohana(BALTIMORE)),
        ("sample", read_hsds_json(SAMPLE)),
        ("reach", read_hsds_json(FIXTURES)),
    ]
    load(es, taxonomy, settings, BALTIMORE_ALIAS, sources)
    app = create_app(
        {
            "SETTINGS": replace(settings, index_alias=BALTIMORE_ALIAS),
            "CLOCK": lambda: WEDNESDAY_AFTERNOON,
        }
    )
    yield api_client(app)
    es.options(ignore_status=404).indices.delete(index=f"{BALTIMORE_ALIAS}--*")


@requires_shared
@pytest.mark.slow
def test_baltimore_never_offers_chicago_as_nearest(baltimore):
    # Baltimore's directory has no car repair help; the sample's is in Chicago, 600 miles away.
    referral = referrals(baltimore, "car-help", BALTIMORE_ZIP)
    assert referral["resources"] == [] and referral["nearest_outside_radius"] == []
    assert referral["wider_radius_miles"] is None and "nothing found" in referral["message"]


@requires_shared
@pytest.mark.slow
def test_baltimore_searches_put_its_own_services_above_national_lines(baltimore):
    # The sample's national veterans' lines (one based 36 miles away) serve Baltimore too.
    body = search(baltimore, q="veterans benefits", near="21218", per_page=10)
    reaches = [r["reach"] for r in body["results"]]
    assert reaches[:5] == ["local"] * 5
    national = search(baltimore, q="veterans benefits", near="21218", reach="remote")
    assert any(n.startswith("Liberty Bridge") for n in names(national["results"]))
    # And every result says how it reaches the place, consistently with its distance.
    for r in search(baltimore, q="food pantry", near=BALTIMORE_ZIP)["results"]:
        if r["reach"] == "local":
            assert r["distance"]["miles"] <= 10 and "in_person" in r["delivery"]


# --- pure: classification, body builders, bounds ----------------------------------------------

BALTIMORE_PLACE = zip_place(BALTIMORE_ZIP)


@pytest.mark.parametrize(
    ("doc", "miles", "expected"),
    [
        ({"delivery": ["in_person", "phone"]}, 3.0, "local"),
        ({"delivery": ["in_person"], "service_areas": ["county:MD:Baltimore City"]}, 3.0, "local"),
        ({"delivery": ["in_person"], "service_areas": ["state:MD"]}, 40.0, "area"),
        ({"delivery": ["in_person"], "service_areas": ["zip:21201"]}, 40.0, "area"),
        ({"delivery": ["in_person"], "service_areas": ["nationwide"]}, 1500.0, "remote"),
        ({"delivery": ["virtual"], "service_areas": ["nationwide"]}, None, "remote"),
        ({"delivery": ["phone"], "service_areas": ["state:MD"]}, None, "remote"),
        ({"delivery": ["virtual", "phone"]}, 2.0, "remote"),  # an online office nearby
        ({"delivery": ["in_person"], "service_areas": ["state:PA"]}, 40.0, "remote"),
    ],
)
def test_reach_of_each_kind(doc, miles, expected):
    assert reach.of(doc, BALTIMORE_PLACE, 10.0, miles) == expected


def test_no_place_no_reach():
    assert reach.of({"delivery": ["in_person"]}, None, 10.0, None) is None


@given(
    in_person=st.booleans(),
    miles=st.none() | st.floats(0, 3000),
    radius=st.floats(0.1, 500),
    areas=st.lists(st.sampled_from(["zip:21201", "state:MD", "state:PA", "nationwide"])),
)
def test_reach_is_local_exactly_when_in_person_within_the_radius(in_person, miles, radius, areas):
    doc = {"delivery": ["in_person"] if in_person else ["phone"], "service_areas": areas}
    got = reach.of(doc, BALTIMORE_PLACE, radius, miles)
    assert got in reach.REACHES
    assert (got == "local") == (in_person and miles is not None and miles <= radius)
    assert (got == "area") <= bool({"zip:21201", "state:MD"} & set(areas))


def test_the_ranking_factors_order_local_area_remote():
    req = SearchRequest(q="pantry", place=BALTIMORE_PLACE, radius_miles=10)
    score = build_query(req, NOW, [])["query"]["function_score"]
    assert score["score_mode"] == "first" and score["boost_mode"] == "multiply"
    local, area, remote_serving, remote = score["functions"]
    # A local service at the radius's edge still outweighs one serving the area.
    edge = local["weight"] * local["gauss"]["location"]["decay"]
    assert edge > area["weight"] > remote_serving["weight"] > remote["weight"] > 0
    assert "filter" not in remote  # what is left: remote


def test_the_reach_filter_is_a_post_filter_and_the_facet_a_filters_aggregation():
    req = SearchRequest(place=BALTIMORE_PLACE, radius_miles=10, reach=("remote",))
    body = build_query(req, NOW, [])
    assert body["post_filter"] == reach.request_filter(BALTIMORE_PLACE, 10, ("remote",))
    counted = body["aggs"]["reach"]["filters"]
    assert set(counted["filters"]) == {"local", "area"} and counted["other_bucket_key"] == "remote"
    assert "categories" in body["aggs"]["reached"]["aggs"]
    plain = build_query(SearchRequest(place=BALTIMORE_PLACE), NOW, [])
    assert "post_filter" not in plain and "categories" in plain["aggs"]
    assert "reach" not in build_query(SearchRequest(q="pantry"), NOW, [])["aggs"]


@pytest.mark.parametrize(
    ("radius", "bound"), [(1, 3), (10, 30), (20, 50), (50, 50), (80, 80), (0.5, 1.5)]
)
def test_nearest_looks_three_times_the_radius_at_most_fifty_miles(radius, bound):
    assert reach.nearest_bound_miles(radius, 3.0, 50.0) == bound


@pytest.mark.parametrize(
    ("miles", "suggested"), [(0.2, 5), (23.0, 25), (25.3, 30), (87.9, 100), (499, 500), (600, None)]
)
def test_a_suggested_radius_reaches_the_nearest(miles, suggested):
    assert reach.suggested_radius(miles) == suggested


def test_nearest_query_keeps_to_the_bound_and_the_clients_state(taxonomy):
    (group,) = match.groups_for([], ["tax-preparation"], taxonomy, {})
    body = match.nearest_query(group, Client(place=BALTIMORE_PLACE), 30.0)
    text = str(body["query"])
    assert "'distance': '30.0mi'" in text and "'address.state': 'MD'" in text
    assert "nationwide" in text  # serving the client's area counts at any distance
