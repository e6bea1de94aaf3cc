"""The real Baltimore 211 directory (../shared/datasets/baltimore-211) end to end, as a case
manager there would use it: loaded through the CLI without and with the staff's 211 codes
(`--categories service_icarol_categories.json`), then searched and matched through the API.

Each variant is loaded once, into its own alias; the coded one also holds the Chicago sample
directory, so a far-away pantry is there to be wrongly offered."""

import csv
import json
from dataclasses import replace

import pytest

from indexer.crosswalk import Crosswalk
from linkage.app import create_app
from linkage.taxonomy import load_taxonomy
from tests.conftest import SAMPLE, SHARED, IndexerRunner, api_client, requires_shared

pytestmark = [requires_shared, pytest.mark.slow]  # each load takes 10-20 s

BALTIMORE = SHARED / "datasets" / "baltimore-211"
STAFF_CODES = BALTIMORE / "service_icarol_categories.json"
ALIASES = {"bare": "linkage-test-baltimore-bare", "coded": "linkage-test-baltimore-coded"}


def load(alias: str, out, *args: str) -> dict:
    report = out / f"{alias}-{len(list(out.iterdir()))}.json"
    mp = pytest.MonkeyPatch()
    mp.setenv("LINKAGE_INDEX_ALIAS", alias)
    mp.delenv("LINKAGE_CROSSWALK_211", raising=False)
    try:
        result = IndexerRunner().invoke(["load", *args, "--quiet", "--report", str(report)])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text())


@pytest.fixture(scope="module")
def loaded(es, tmp_path_factory):
    """variant → its Baltimore report; the coded alias also has the Chicago sample."""
    out = tmp_path_factory.mktemp("baltimore-reports")
    for alias in ALIASES.values():
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
    reports = {
        "bare": load(ALIASES["bare"], out, str(BALTIMORE)),
        "coded": load(ALIASES["coded"], out, str(BALTIMORE), "--categories", str(STAFF_CODES)),
    }
    load(ALIASES["coded"], out, str(SAMPLE), "--source", "chicago")
    yield reports
    for alias in ALIASES.values():
        es.options(ignore_status=404).indices.delete(index=f"{alias}--*")


@pytest.fixture(scope="module")
def clients(settings, loaded):
    return {
        variant: api_client(create_app({"SETTINGS": replace(settings, index_alias=alias)}))
        for variant, alias in ALIASES.items()
    }


@pytest.fixture(scope="module")
def staff_codes() -> dict[str, list[str]]:
    return json.loads(STAFF_CODES.read_text())


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    with (BALTIMORE / "services.csv").open(encoding="utf-8", newline="") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.json
    return response.json


def service_id(es, alias: str, result: dict) -> str | None:
    """The directory's own service id of a result (None: another source's)."""
    (hit,) = es.search(index=alias, query={"ids": {"values": [result["id"]]}})["hits"]["hits"]
    doc = hit["_source"]
    return doc["source_ids"]["service"] if doc["source"] == "baltimore-211" else None


def is_inferred(result: dict) -> bool:
    return any("inferred" in why for why in result["why"])


@pytest.mark.parametrize("variant", ["bare", "coded"])
def test_every_record_reconciles(loaded, services, variant):
    report = loaded[variant]
    skipped = sum(v for k, v in report.items() if k.startswith("skipped_"))
    assert report["read"] == len(services)
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"] + skipped
    # the one rejection is a service without a location, named with its id
    assert [(r["record_id"], r["field"]) for r in report["rejections"]] == [
        ("144332", "location_id")
    ]


def test_need_search_finds_local_services_coded_by_the_staff(es, clients, staff_codes):
    crosswalk, taxonomy = Crosswalk(load_taxonomy()), load_taxonomy()
    found = search(clients["coded"], need="food-insecurity", near="21215")
    assert found["total"] > 0 and found["radius_miles"]
    for result in found["results"]:
        assert result["distance"]["miles"] <= found["radius_miles"]
        assert result["address"]["state"] == "MD"
        sid = service_id(es, ALIASES["coded"], result)
        from_codes = [
            c for code in staff_codes.get(sid, ()) for c in crosswalk.resolve_211(code).categories
        ]
        if is_inferred(result):  # only where the staff's codes give no category
            assert not from_codes
        else:
            assert {c["code"] for c in result["categories"]} <= set(from_codes)
            assert "food-insecurity" in taxonomy.needs_of(from_codes)


def test_without_the_side_table_local_food_services_are_inferred_and_say_so(clients):
    found = search(clients["bare"], need="food-insecurity", near="21215")
    assert found["total"] > 0
    assert all(is_inferred(r) and r["address"]["state"] == "MD" for r in found["results"])


@pytest.mark.parametrize("variant", ["bare", "coded"])
def test_the_pantry_filter_finds_pantries_in_baltimore(clients, variant):
    found = search(clients[variant], category="food-pantry", near="21201")
    assert found["total"] > 0
    carries = ["food-pantry" in {c["code"] for c in r["categories"]} for r in found["results"]]
    pantries = [r["service_name"] for r, c in zip(found["results"], carries, strict=True) if c]
    assert any("Pantry" in name for name in pantries)
    # the pantries first at equal distance: a service whose words match (and say so) ranks
    # above a pantry only when it is nearer
    miles = [r["distance"]["miles"] for r in found["results"]]
    for i, (carried, near) in enumerate(zip(carries, miles, strict=True)):
        assert carried or all(
            near < far for far, c in zip(miles[i:], carries[i:], strict=True) if c
        )
    for result, carried in zip(found["results"], carries, strict=True):
        assert result["address"]["state"] == "MD"
        assert carried or any(w.startswith(("matched:", "similar to:")) for w in result["why"])


@pytest.mark.parametrize("variant", ["bare", "coded"])
def test_open_now_is_not_broken_by_absent_hours(es, clients, variant):
    """No hours table: no Baltimore service is claimed open, and none is shown as closed."""
    unknown = search(clients[variant], near="21201")["results"]
    assert unknown and all(r["open_now"] is None and r["hours_today"] is None for r in unknown)
    open_now = search(clients[variant], near="21201", open_now="true")
    for result in open_now["results"]:  # only services whose hours say so (the sample's 24/7)
        assert result["open_now"] is True and result["hours_today"]
        assert service_id(es, ALIASES[variant], result) is None


@pytest.mark.parametrize("variant", ["bare", "coded"])
def test_spanish_is_found_from_the_directorys_free_text(es, clients, services, variant):
    found = search(clients[variant], language="es", near="21201")
    assert found["total"] > 0
    assert all("es" in r["languages"] for r in found["results"])
    texts = {
        services[sid]["languages"]
        for r in found["results"]
        if (sid := service_id(es, ALIASES[variant], r))
    }
    assert "Spanish." in texts  # about half such values were dropped before issue 9
    # every service whose whole language value is "Spanish." offers es
    spanish_only = [sid for sid, row in services.items() if row["languages"] == "Spanish."]
    docs = es.search(
        index=ALIASES[variant],
        query={"terms": {"source_ids.service": spanish_only}},
        size=len(spanish_only),
    )["hits"]["hits"]
    assert docs and all("es" in d["_source"]["languages"] for d in docs)


def test_match_offers_maryland_services_and_never_a_chicago_pantry(clients):
    response = clients["coded"].post(
        "/v1/match", json={"needs": ["food-insecurity"], "client": {"near": "21215"}}
    )
    assert response.status_code == 200, response.json
    (food,) = [r for r in response.json["referrals"] if r["need"] == "food-insecurity"]
    assert food["resources"]
    offered = food["resources"] + food["nearest_outside_radius"]
    assert all(r["address"]["state"] == "MD" for r in offered)
    assert not [r for r in offered if r["address"]["city"] == "Chicago"]
