"""Search's filters, sorts and facets (people served, fees, delivery, accessibility, open on a
weekday, 211 codes, sort by name) and POST /v1/search, against the real node.

Expectations are computed from the source files themselves: the sample HSDS directory, and for
211 codes and accessibility the real Baltimore 211 export (with its staff's 211 codes) and the
San Mateo Ohana export."""

import itertools
import json
from collections import Counter
from dataclasses import replace

import pytest

from indexer.formats.ohana import read as read_ohana
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from linkage.hours import DAYS, MINUTES_PER_DAY, MINUTES_PER_WEEK, parse_time
from tests.conftest import SAMPLE, SHARED, WEDNESDAY_AFTERNOON, api_client, codes, requires_shared

ACTIVE = [r for r in json.loads(SAMPLE.read_text()) if r.get("status", "active") == "active"]


def search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.json
    return response.json


def names(body) -> set[str]:
    assert body["total"] <= len(body["results"]), "test assumes one page"
    return {x["service_name"] for x in body["results"]}


def facet(body, name) -> dict[str, int]:
    return {f["value"]: f["count"] for f in body["facets"][name]}


def sample_names(keep) -> set[str]:
    return {r["name"] for r in ACTIVE if keep(r)}


# --- people served, fees, delivery -----------------------------------------------------------


def test_serves_keeps_services_for_that_group(client):
    body = search(client, serves="veterans")
    assert body["total"] > 0
    assert all("veterans" in x["eligibility"]["tags"] for x in body["results"])
    assert sample_names(lambda r: "veterans" in codes(r, "linkage-eligibility")) <= names(body)
    either = search(client, serves=["veterans", "seniors"])
    assert either["total"] > body["total"]
    assert all({"veterans", "seniors"} & set(x["eligibility"]["tags"]) for x in either["results"])


def test_fees_keeps_services_that_charge_that_way(client):
    body = search(client, fees="sliding-scale")
    assert names(body) == sample_names(lambda r: codes(r, "linkage-fees") == ["sliding-scale"])
    assert {x["fees"] for x in body["results"]} == {"sliding-scale"}
    both = search(client, fees=["sliding-scale", "fee"])
    assert {x["fees"] for x in both["results"]} == {"sliding-scale", "fee"}


def test_delivery_keeps_services_reached_that_way(client):
    def virtual(record):
        return any(
            (sal.get("location") or {}).get("location_type") == "virtual"
            for sal in record["service_at_locations"]
        )

    body = search(client, delivery="virtual")
    assert body["total"] > 0 and names(body) == sample_names(virtual)
    assert all("virtual" in x["delivery"] for x in body["results"])


# --- open on a weekday -----------------------------------------------------------------------


def open_at(record, day: str, minute: int | None) -> bool:
    """From the record's HSDS schedules: open some time on `day`, or at `minute` of it."""
    (sal,) = record["service_at_locations"]
    schedules = sal.get("schedules") or (sal.get("location") or {}).get("schedules")
    asked = DAYS.index(day) * MINUTES_PER_DAY
    for s in schedules or record.get("schedules") or ():
        for d in s["byday"].split(","):
            opens, closes = parse_time(s["opens_at"]), parse_time(s["closes_at"])
            start = DAYS.index(d) * MINUTES_PER_DAY + opens
            length = (closes - opens) % MINUTES_PER_DAY or MINUTES_PER_DAY
            if minute is not None:
                if (asked + minute - start) % MINUTES_PER_WEEK < length:
                    return True
            elif (asked - start) % MINUTES_PER_WEEK < length or (
                start - asked
            ) % MINUTES_PER_WEEK < MINUTES_PER_DAY:
                return True
    return False


@pytest.mark.parametrize(
    ("params", "day", "minute"),
    [
        ({"open_on": "SU"}, "SU", None),
        ({"open_on": "saturday", "open_at": "10:30"}, "SA", 10 * 60 + 30),
        ({"open_on": "TU", "open_at": "6 pm"}, "TU", 18 * 60),
    ],
)
def test_open_on_keeps_services_open_that_day_or_at_that_time(client, params, day, minute):
    expected = sample_names(lambda r: open_at(r, day, minute))
    body = search(client, **params)
    assert expected and names(body) == expected


def test_open_on_facet_counts_every_weekday(client):
    everything = search(client)
    counts = facet(everything, "open_on")
    assert list(counts) == list(DAYS)
    assert counts["SU"] == search(client, open_on="SU")["total"]
    # the day asked for narrows the page, not its own facet
    assert facet(search(client, open_on="SU"), "open_on") == counts


# --- facets: each narrowing's own counts every value ------------------------------------------


def test_facets_count_each_value_of_the_narrowings(client, taxonomy):
    everything = search(client, per_page=1)
    fees = facet(everything, "fees")
    assert fees == {
        f: sum(1 for r in ACTIVE if codes(r, "linkage-fees") == [f])
        for f in ("free", "sliding-scale", "fee")
    }
    assert fees["sliding-scale"] == search(client, fees="sliding-scale")["total"]
    serves = {f["value"]: f for f in everything["facets"]["serves"]}
    assert serves["veterans"]["name"] == taxonomy.eligibility_tags["veterans"]["name"]
    assert serves["veterans"]["count"] == search(client, serves="veterans")["total"]
    assert facet(everything, "delivery")["virtual"] == search(client, delivery="virtual")["total"]

    free = search(client, fees="free", per_page=1)
    # a narrowing's own facet still counts every value, so the page can offer to switch ...
    assert facet(free, "fees") == fees
    # ... while the other facets count what is shown
    assert sum(facet(free, "delivery").values()) < sum(facet(everything, "delivery").values())
    assert sum(facet(free, "categories").values()) < sum(facet(everything, "categories").values())
    both = search(client, fees="free", serves="seniors", per_page=1)
    assert facet(both, "fees")["free"] == both["total"]
    assert facet(both, "serves")["seniors"] == both["total"]
    assert facet(both, "fees") == facet(search(client, serves="seniors", per_page=1), "fees")


# --- sort by name ----------------------------------------------------------------------------


def test_sort_by_name_and_by_organization(client):
    by_name = [x["service_name"] for x in search(client, q="food", sort="name")["results"]]
    assert len(by_name) > 5 and by_name == sorted(by_name, key=str.casefold)
    results = search(client, category="legal", sort="organization")["results"]
    organizations = [x["organization_name"] for x in results]
    assert len(set(organizations)) > 2 and organizations == sorted(organizations, key=str.casefold)
    for org, group in itertools.groupby(results, key=lambda x: x["organization_name"]):
        within = [x["service_name"] for x in group]
        assert within == sorted(within, key=str.casefold), org


def test_names_sort_whatever_their_case(es, settings, taxonomy):
    """Was: `.raw` sorted every capital before any lower case ("Zion" before "apple")."""
    from indexer.records import SourceRow
    from tests.test_imports_api import pantry

    alias = f"{ALIAS}-case"
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
    rows = [SourceRow("case.json", f"#{i}", pantry(str(i), n)) for i, n in enumerate(["Zion Pantry", "apple Pantry", "Birch Pantry"])]  # fmt: skip
    assert rebuild(es, alias, rows, Converter("case", taxonomy, settings.default_timezone), vectors=False).indexed == 3  # fmt: skip
    client = api_client(create_app({"SETTINGS": replace(settings, index_alias=alias)}))
    found = [x["service_name"] for x in search(client, sort="name")["results"]]
    es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
    assert found == ["apple Pantry", "Birch Pantry", "Zion Pantry"]


# --- POST ------------------------------------------------------------------------------------


def test_post_takes_the_parameters_as_a_json_body_and_answers_as_get(client):
    params = {"need": ["food-insecurity"], "serves": ["seniors"], "near": "60623", "age": 70}
    posted = client.post("/v1/search", json={**params, "per_page": 50})
    assert posted.status_code == 200, posted.json
    got = search(client, **params, per_page=50)
    assert posted.json == got and got["total"] > 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"serves": ["aliens"]}, "serves"),
        ({"serves": "seniors"}, "serves"),  # a list in JSON
        ({"age": "old"}, "age"),
        ({"radius": 5}, "near"),
        ({"colour": "blue"}, "colour"),
        ({"open_at": "10:00"}, "open_at"),
    ],
)
def test_post_validates_as_get_and_names_the_parameter(client, body, field):
    response = client.post("/v1/search", json=body)
    assert response.status_code == 422
    assert response.json["code"] == 422 and field in response.json["errors"]["json"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"serves": "aliens"}, "serves"),
        ({"fees": "cheap"}, "fees"),
        ({"delivery": "drone"}, "delivery"),
        ({"open_on": "funday"}, "open_on"),
        ({"open_on": "MO", "open_at": "25:00"}, "open_at"),
        ({"open_at": "10:00"}, "open_at"),
        ({"taxonomy": "food!"}, "taxonomy"),
        ({"sort": "price"}, "sort"),
    ],
)
def test_bad_filters_name_the_parameter(client, params, field):
    response = client.get("/v1/search", query_string=params)
    assert response.status_code == 422
    assert field in response.json["errors"]["query"], response.json


def test_post_is_in_the_openapi_document(client):
    spec = client.get("/openapi.json").json
    post = spec["paths"]["/v1/search"]["post"]
    schema = post["requestBody"]["content"]["application/json"]["schema"]
    assert "200" in post["responses"] and "422" in post["responses"]
    ref = schema["$ref"].rsplit("/", 1)[-1]
    assert {"serves", "fees", "taxonomy", "open_on"} <= set(
        spec["components"]["schemas"][ref]["properties"]
    )


# --- 211 codes and accessibility, from real directories --------------------------------------

ALIAS = "linkage-test-filters-real"
BALTIMORE = SHARED / "datasets" / "baltimore-211"
SAN_MATEO = SHARED / "datasets" / "ohana-san-mateo"
CODED = 300  # Baltimore services with staff codes loaded: enough codes to share prefixes


@pytest.fixture(scope="module")
def real(es, settings, taxonomy):
    """Part of Baltimore with its staff's 211 codes as HSDS 211 attributes, and San Mateo;
    yields (client, Baltimore service id → its codes)."""
    side = json.loads((BALTIMORE / "service_icarol_categories.json").read_text(encoding="utf-8"))
    coded = []  # read first: the loader may read its rows in another process
    for row in read_ohana(BALTIMORE):
        sid = str((row.record or {}).get("id"))
        if row.record is not None and side.get(sid):
            attrs = [{"taxonomy_term": {"taxonomy": "211", "code": c}} for c in side[sid]]
            row.record.setdefault("attributes", []).extend(attrs)
            coded.append(row)
            if len(coded) == CODED:
                break
    loaded = {str(row.record["id"]): side[str(row.record["id"])] for row in coded}

    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    for name, rows in (("baltimore", coded), ("san-mateo", read_ohana(SAN_MATEO))):
        converter = Converter(name, taxonomy, settings.default_timezone)
        assert rebuild(es, ALIAS, rows, converter, vectors=False).indexed
    app = create_app(
        {"SETTINGS": replace(settings, index_alias=ALIAS), "CLOCK": lambda: WEDNESDAY_AFTERNOON}
    )
    yield api_client(app), loaded
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


@requires_shared
def test_taxonomy_matches_the_sources_211_codes_by_prefix(real):
    client, loaded = real
    # the level letters (e.g. BD) most services carry a code under, and its commonest code of
    # the next level (e.g. BD-1800), itself or as the start of longer ones
    # (not a target-population Y code: those say whom, not what)
    levels = Counter(c.upper()[:2] for cs in loaded.values() for c in cs if c[0] not in "Yy")
    prefix = levels.most_common(1)[0][0]
    under = [c.upper()[:7] for cs in loaded.values() for c in cs if len(c) >= 7]
    narrow = Counter(c for c in under if c.startswith(prefix)).most_common(1)[0][0]

    def holders(start):
        return {sid for sid, cs in loaded.items() if any(c.upper().startswith(start) for c in cs)}

    def found(start):
        pages = (search(client, taxonomy=start, retrieval="lexical", page=p) for p in (1, 2, 3))
        return {x["source_id"] for body in pages for x in body["results"]}

    assert found(prefix.lower()) == holders(prefix)
    assert found(narrow) == holders(narrow)
    assert 0 < len(holders(narrow)) < len(holders(prefix))
    counted = facet(search(client, per_page=1), "taxonomy")
    assert all(code.upper() == code for code in counted)
    assert any(code.startswith(prefix) for code in counted)


@requires_shared
def test_accessibility_keeps_locations_that_state_every_feature(real):
    client, _ = real
    features = facet(search(client, per_page=1), "accessibility")
    assert features.get("Wheelchair accessible", 0) > 0
    body = search(client, accessibility="Wheelchair accessible")
    assert body["total"] == features["Wheelchair accessible"]
    assert all("Wheelchair accessible" in x["accessibility"] for x in body["results"])
    both = search(client, accessibility=["Wheelchair accessible", "Disabled parking"])
    assert 0 < both["total"] < body["total"]
    assert all("Disabled parking" in x["accessibility"] for x in both["results"])
