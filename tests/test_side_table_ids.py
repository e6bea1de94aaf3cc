"""Open Eligibility ids in side tables: the shipped v2.0 id crosswalk
(data/crosswalks/open-eligibility.csv), and a directory's own ids (an Ohana export's
taxonomy.csv, a deployment's categories.csv), recognised per table, through the CLI into the
real node."""

import csv
import json
import subprocess
import sys

import pytest

from indexer.crosswalk import Crosswalk
from indexer.side_table import id_resolver, read_table, term_for, vocabulary_of
from linkage.taxonomy import load_taxonomy
from tests.conftest import ROOT, SHARED, requires_shared

ALIAS = "linkage-test-side-table-ids"
CROSSWALK = ROOT / "data" / "crosswalks" / "open-eligibility.csv"
OE_XML = SHARED / "reference" / "open-eligibility" / "taxonomy.xml"
BALTIMORE = SHARED / "datasets" / "baltimore-211"
SAN_MATEO = SHARED / "datasets" / "ohana-san-mateo"


@pytest.fixture(scope="module")
def crosswalk() -> Crosswalk:
    return Crosswalk(load_taxonomy())


def table(tmp_path, codes: dict, folder=None):
    path = tmp_path / "ids.json"
    path.write_text(json.dumps(codes))
    read = read_table(path)
    return read.for_directory(folder) if folder is not None else read


def resolved(crosswalk, side_table, code: str, vocabulary=None) -> list[str] | None:
    """The categories a side table's code gives; None when it is not understood."""
    ids = id_resolver(side_table, crosswalk.knows_oe_id)
    vocabulary = vocabulary or vocabulary_of(code, crosswalk.taxonomy, crosswalk.knows_name, ids)
    term = term_for(code, vocabulary, ids) if vocabulary else None
    return None if term is None else crosswalk.categories(term)


# --- the shipped crosswalk ---------------------------------------------------------------


def test_the_crosswalk_has_ids_and_linkage_codes_only(crosswalk):
    with CROSSWALK.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"oe_id", "categories"}
    for row in rows:
        assert row["oe_id"].isdigit()
        for code in row["categories"].split(";"):
            assert code == "-" or code in crosswalk.taxonomy  # no names, no free text


@pytest.mark.parametrize(
    "oe_id, categories",
    [
        ("1102", ["food"]),  # a top level
        ("1130", ["food-pantry"]),
        ("1120", ["food-pantry"]),  # emergency food, under the emergency branch
        ("1136", ["housing-search"]),  # by its name, not also veteran housing
        ("1121", ["emergency-shelter"]),  # reviewed: not a youth shelter
        ("1176", ["medical-rides"]),
        ("1270", ["tax-preparation"]),
        ("1326", ["esl"]),
        ("1381", ["immigration-legal"]),
        ("1280", ["childcare"]),  # a name of a category and its child: the category
        ("1101", []),  # a broad branch with no one category: known, gives none
        ("20010", []),  # a situation (who a service is for): known, no category
    ],
)
def test_main_branches_map_as_reviewed(crosswalk, oe_id, categories):
    assert crosswalk.knows_oe_id(oe_id)
    assert crosswalk.categories({"taxonomy": "open-eligibility", "code": oe_id}) == categories


def test_a_named_term_maps_by_its_name_not_its_id(crosswalk):
    # An Ohana record's own term carries its deployment's id as code: never read as a v2.0 id.
    term = {"taxonomy": "open-eligibility", "code": "1130", "name": "Legal"}
    assert crosswalk.categories(term) == ["legal"]


@requires_shared
def test_the_script_rebuilds_the_shipped_file(tmp_path):
    out = tmp_path / "oe.csv"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts/make_open_eligibility_crosswalk.py"), "--out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert out.read_text() == CROSSWALK.read_text()


@requires_shared
def test_no_name_of_the_taxonomy_is_in_the_crosswalk():
    import xml.etree.ElementTree as ET

    titles = {e.get("title") for e in ET.parse(OE_XML).iter() if e.get("title")}
    text = CROSSWALK.read_text().lower()
    # (one-word titles are also Linkage codes: `food`, `housing`; names have spaces)
    assert not [t for t in titles if " " in t and t.lower() in text]


# --- ids in a side table -----------------------------------------------------------------


def test_v2_ids_are_recognised_without_a_directory(crosswalk, tmp_path):
    side = table(tmp_path, {"1": ["1130", "1176", "99999", "101-02-01"]})
    assert resolved(crosswalk, side, "1130") == ["food-pantry"]
    assert resolved(crosswalk, side, "1176") == ["medical-rides"]
    assert resolved(crosswalk, side, "99999") is None  # no such id: not understood
    assert resolved(crosswalk, side, "101-02-01") is None  # a deployment's id, no deployment
    assert resolved(crosswalk, side, "1130", "open-eligibility") == ["food-pantry"]


@requires_shared
def test_ohana_taxonomy_ids_are_the_deployments_own(crosswalk, tmp_path):
    """The same Ohana id is another term in another city: read through the directory."""
    codes = {"1": ["103-04", "101-02-01", "1130"]}
    san_mateo, baltimore = table(tmp_path, codes, SAN_MATEO), table(tmp_path, codes, BALTIMORE)
    assert resolved(crosswalk, san_mateo, "103-04") == ["housing-search"]
    assert "home-repair" in resolved(crosswalk, baltimore, "103-04")
    for side in (san_mateo, baltimore):
        assert resolved(crosswalk, side, "101-02-01") == ["food-benefits"]
        assert resolved(crosswalk, side, "1130") == ["food-pantry"]  # not theirs: v2.0's


@requires_shared
def test_baltimore_service_categories_are_row_ids_of_its_categories_table(crosswalk, tmp_path):
    side = read_table(BALTIMORE / "service_categories.json").for_directory(BALTIMORE)
    with (BALTIMORE / "categories.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["id"]: r for r in csv.DictReader(fh)}
    ids = id_resolver(side, crosswalk.knows_oe_id)
    codes = {c for listed in side.codes.values() for c in listed}
    # every code is understood, as the row it names, even those that are also taxonomy ids
    assert all(ids(c) and ids(c)["code"] == rows[c]["taxonomy_id"] for c in codes)
    assert {"106", "115"} <= codes and ids("106")["name"] == rows["106"]["name"]
    pantry = next(i for i, r in rows.items() if r["name"] == "Food Pantry")
    assert resolved(crosswalk, side, pantry) == ["food-pantry"]


@requires_shared
def test_an_id_two_kinds_know_differently_is_not_understood(crosswalk, tmp_path):
    # "46" is a row of Baltimore's categories.csv, "1130" a v2.0 id: no one kind knows both,
    # so each is read alone; "106" is a row and a taxonomy id of two different terms.
    side = table(tmp_path, {"1": ["46", "1130", "106"]}, BALTIMORE)
    assert resolved(crosswalk, side, "46") is not None
    assert resolved(crosswalk, side, "1130") == ["food-pantry"]
    assert resolved(crosswalk, side, "106") is None


# --- through the CLI into the real node ----------------------------------------------------


@pytest.fixture
def alias(es, monkeypatch):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    yield ALIAS
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def doc(es, service_id: str) -> dict:
    found = es.search(index=ALIAS, query={"term": {"source_ids.service": service_id}})
    return found["hits"]["hits"][0]["_source"]


@requires_shared
@pytest.mark.parametrize("vocabulary", [None, "open-eligibility"])
def test_ohana_export_with_open_eligibility_ids(es, alias, tmp_path, vocabulary, runner):
    side = tmp_path / "ids.csv"
    side.write_text("service_id,code\n8,1129\n19,106-02;1184\n1,20006\n3,424242\n")
    report_path = tmp_path / "report.json"
    args = ["load", str(SAN_MATEO), "--source", "san-mateo", "--categories", str(side)]
    if vocabulary:
        args += ["--categories-vocabulary", vocabulary]
    result = runner.invoke([*args, "--quiet", "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    tallies = json.loads(report_path.read_text())["tallies"]
    assert tallies["categories_file.codes.open-eligibility"] == 4
    assert tallies["categories_file.codes_not_understood"] == 1  # 424242
    assert "home-delivered-meals" in doc(es, "8")["categories"]  # a v2.0 id
    # 106-02 is San Mateo's own id (read through its taxonomy.csv), 1184 a v2.0 id
    assert {"dental-care"} <= set(doc(es, "19")["categories"])
    assert "health" in doc(es, "19")["category_tree"]
