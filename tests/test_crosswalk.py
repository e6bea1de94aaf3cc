"""Source taxonomy terms → project categories; 211 codes through the shipped crosswalk."""

import json
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.crosswalk import Crosswalk, crosswalk_coverage
from indexer.formats import ohana
from indexer.hsds import Converter
from indexer.load import rebuild
from indexer.records import SourceRow
from linkage.taxonomy import load_taxonomy
from tests.conftest import SHARED, requires_shared

REFERENCE = SHARED / "reference" / "taxonomy-211-codes.md"
BALTIMORE = SHARED / "datasets" / "baltimore-211"
# For the property tests (hypothesis runs a test many times: no function-scoped fixtures).
_SHIPPED_FOR_PROPERTY = Crosswalk(load_taxonomy())


@pytest.fixture(scope="module")
def shipped(taxonomy):
    return Crosswalk(taxonomy)


def cats(crosswalk, code):
    return crosswalk.resolve_211(code).categories


def attr(code, taxonomy_name="211"):
    return {"taxonomy_term": {"taxonomy": taxonomy_name, "code": code}}


def record(sid, *codes, **extra):
    return {
        "id": sid,
        "name": f"Harbor Help {sid}",
        "attributes": [attr(c) for c in codes],
        **extra,
    }


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --- the shipped crosswalk ------------------------------------------------------------------


def test_project_codes_pass_through(shipped):
    assert shipped.categories({"taxonomy": "linkage", "code": "food-pantry"}) == ["food-pantry"]
    assert shipped.categories({"taxonomy": "linkage", "code": "nope"}) == []


def test_the_longest_prefix_wins(shipped):
    assert cats(shipped, "BD") == ["food"]
    assert cats(shipped, "BD-1800.2000") == ["food-pantry"]  # BD-1800 covers its children
    assert cats(shipped, "BD-5000.8300") == ["free-meals"]
    assert cats(shipped, "BD-9999") == ["food"]  # an unlisted food code: its level 2
    assert cats(shipped, "BH-1800.1500-100") == ["dv-shelter"]  # deeper than BH-1800 (shelter)
    assert cats(shipped, "BH-1800.1500-200") == ["shelter"]
    assert shipped.categories({"taxonomy": "AIRS", "code": "bh-1800.8500"}) == ["emergency-shelter"]


def test_a_prefix_may_give_several_categories(shipped):
    assert cats(shipped, "RP-1500.1400-200") == ["domestic-violence-services", "crisis-lines"]
    assert cats(shipped, "PN-8100.4500-850") == ["support-groups", "veterans"]
    assert cats(shipped, "RP-1500.1400-800") == ["crisis-lines"]


def test_outside_the_taxonomy_is_not_unmapped(shipped):
    for code in ("HD-1800", "PX", "TJ-3000", "FC", "T", "TA-1000.5000"):  # schools, volunteering
        got = shipped.resolve_211(code)
        assert (got.categories, got.outside, got.unmapped) == ([], [code], []), code
    for code in ("ZZ-9999", "Q", "BD1800", "food pantry", "BD-18000"):  # no prefix, bad shape
        got = shipped.resolve_211(code)
        assert (got.categories, got.outside, got.unmapped) == ([], [], [code]), code


def test_level_one_codes_map_to_the_broad_category_or_outside(shipped):
    assert {c: cats(shipped, c) for c in "LRHNF"} == {
        "L": ["health"],
        "R": ["mental-health"],
        "H": ["education"],
        "N": ["income"],
        "F": ["legal"],
    }
    assert [shipped.resolve_211(c).outside for c in "BDJT"] == [["B"], ["D"], ["J"], ["T"]]


def test_compound_codes_give_categories_and_eligibility_tags(shipped):
    got = shipped.resolve_211("BD-1800.2000 * YB-8000 * YN-9000")
    assert got.categories == ["food-pantry"]
    assert got.tags == ["seniors", "veterans"]
    assert (got.mapped, got.tagged, got.noted) == (["BD-1800.2000"], ["YB-8000", "YN-9000"], [])
    several = shipped.resolve_211("BD-5000.8300 * YV-3000.3050; BH-1800.8500, YZ-0150")
    assert several.categories == ["free-meals", "emergency-shelter"]
    assert (several.tags, several.noted) == (["homeless"], ["YZ-0150"])


def test_population_codes_give_tags_where_one_fits_else_notes(shipped, taxonomy):
    expected = {
        "YN": ["veterans"],
        "YB-8000": ["seniors"],
        "YB-9500.0500": ["youth"],
        "YK-2000.2200": ["families-with-children"],
        "YF-6500": ["disability"],
        "YX-0500.8000": ["survivors-of-violence"],
        "YE-7000": ["immigrants"],
        "YV-3000.3050": ["homeless"],
        "YP-3500": ["people-with-records"],
        "YF-3000.1480": [],  # a health condition: a note, not a tag
        "YB-9500.3300": [],  # infants: their programmes serve the parents too
        "YH-6000": [],
    }
    assert {code: shipped.resolve_211(code).tags for code in expected} == expected
    assert shipped.resolve_211("YH-6000").noted == ["YH-6000"]
    assert not shipped.resolve_211("YQ-1234").unmapped  # any Y code is a population code
    tags = {t for tags in shipped.table_211.populations.values() for t in tags}
    assert tags <= set(taxonomy.eligibility_tags)


@requires_shared
def test_every_code_in_the_public_reference_is_covered(shipped):
    text = REFERENCE.read_text(encoding="utf-8")
    levels = text.split("## Top and second levels")[1].split("## Deeper codes")[0]
    level2 = set()
    for line in levels.splitlines():
        if m := re.match(r"- \*\*[A-Z] [^*]+\*\*: (.*)", line):
            level2.update(re.findall(r"\b([A-Z]{2})\b(?=[ /])", m.group(1)))
    assert {"BD", "BV", "FV", "HP", "LV", "PW", "PX", "RX", "TM", "YX"} <= level2
    for code in sorted(level2):  # every level 2: explicitly mapped, outside, or a population
        table = shipped.table_211.populations if code[0] == "Y" else shipped.table_211.categories
        assert code in table, code
    deeper, last = [], ""
    section = text.split("## Deeper codes")[1].split("Sources:")[0]
    for token in re.findall(r"`([^`]+)`", section):
        code = last.rsplit("-", 1)[0] + token if token.startswith("-") else token  # `-850`
        deeper.append(code)
        last = code
    assert len(deeper) > 40 and "BV-8900.1700-850" in deeper
    unmapped = [c for c in deeper if not shipped.resolve_211(c).categories]
    assert unmapped == []  # every deeper code listed there maps to a category


def test_reference_deeper_codes_land_where_a_case_manager_expects(shipped):
    expected = {
        "BD-1800.2000": "food-pantry",
        "BD-5000.1500": "free-meals",
        "NL-6000.2000": "food-benefits",
        "NL-6000.9500": "food-benefits",
        "BH-3800.7000": "rent-assistance",
        "BH-0500.3140": "rent-assistance",
        "BH-1800.3500": "drop-in-center",
        "BH-3000.1800-950": "weatherization",
        "FT-4500.1800": "tenant-legal-aid",
        "BV-8900.9300-300": "utility-assistance",
        "BV-8900.1700-330": "phone-internet",
        "BT-4500.6500-500": "medical-rides",
        "BT-4500.6500-800": "senior-rides",
        "BT-8300.1000": "transit-fare-help",
        "PH-6500.0500": "elder-abuse-services",
        "ND-3500": "job-search",
        "HH-0500.2500-250": "adult-education",
        "FT-1000.9000": "veteran-benefits",
        "TC-5500.8000": "senior-centers",
        "DT-8800": "tax-preparation",
        "NL-5000.5000": "insurance-enrollment",
        "LH-5100.6500": "prescription-help",
    }
    assert {c: cats(shipped, c)[0] for c in expected} == expected


@given(st.text())
def test_any_value_resolves_without_raising_and_every_code_is_counted_once(value):
    crosswalk = _SHIPPED_FOR_PROPERTY
    got = crosswalk.resolve_211(value)
    parts = [p for chunk in re.split(r"[;,]", value) for p in chunk.split("*") if p.strip()]
    counted = got.mapped + got.outside + got.unmapped + got.tagged + got.noted
    assert len(counted) == len(parts)
    assert set(got.categories) <= set(crosswalk.taxonomy.categories)


@given(
    st.from_regex(r"\A[A-Z]{1,2}(-[0-9]{4}(\.[0-9]{4}(-[0-9]{3}(\.[0-9]{2})?)?)?)?\Z"),
    st.lists(st.from_regex(r"\AY[A-Z](-[0-9]{4})?\Z"), max_size=3),
)
def test_well_formed_compounds_keep_service_and_population_apart(service, populations):
    got = _SHIPPED_FOR_PROPERTY.resolve_211(" * ".join([service, *populations]))
    if service.startswith("Y"):
        assert len(got.groups) == 1 + len(populations)
    else:
        assert len(got.mapped + got.outside + got.unmapped) == 1
        assert len(got.groups) == len(populations)


# --- a deployer's file over the shipped one -------------------------------------------------


def test_a_deployers_rows_extend_and_override_the_shipped_ones(taxonomy, tmp_path):
    path = write(
        tmp_path / "county.csv",
        "code_prefix,category\n"
        "BD-1800,free-meals\n"  # replaces the shipped BD-1800 row
        "BD-1800,food\n"  # a repeated prefix adds a category
        "XX-1000,clothing\n"  # a local code the shipped crosswalk does not know
        "PX,household-goods\n",  # outside in the shipped crosswalk
    )
    crosswalk = Crosswalk.from_file_211(taxonomy, path)
    assert cats(crosswalk, "BD-1800.2000") == ["free-meals", "food"]
    assert cats(crosswalk, "BD-1800.2250") == ["food-benefits"]  # a longer shipped prefix wins
    assert cats(crosswalk, "XX-1000.5000") == ["clothing"]
    assert cats(crosswalk, "PX") == ["household-goods"]
    assert cats(crosswalk, "BH-1800.8500") == ["emergency-shelter"]  # the shipped rows remain
    assert cats(Crosswalk.from_file_211(taxonomy, None), "BD-1800.2000") == ["food-pantry"]


def test_a_deployers_file_may_name_open_eligibility_terms(taxonomy, tmp_path):
    path = write(
        tmp_path / "oe.csv",
        "code,open_eligibility\n"
        "BD-1800.2000,Emergency Food\n"
        "LV-1600,dental care\n"
        "BM-6500.1500,Clothing;Clothes for School\n"
        "PL,-\n"
        "YB-8000,Seniors\n"
        "YB-9500.0500,Adults (invented band)\n"  # no tag counterpart: a population note
        "YX,Domestic Violence Survivors\n",
    )
    crosswalk = Crosswalk.from_file_211(taxonomy, path)
    assert cats(crosswalk, "BD-1800.2000") == ["food-pantry"]
    assert cats(crosswalk, "LV-1600") == ["dental-care"]
    assert cats(crosswalk, "BM-6500.1500") == ["clothing"]
    assert crosswalk.resolve_211("PL-7000").outside == ["PL-7000"]
    assert crosswalk.resolve_211("YB-8000").tags == ["seniors"]
    assert crosswalk.resolve_211("YB-9500.0500").noted == ["YB-9500.0500"]
    assert crosswalk.resolve_211("YX-0500").tags == ["survivors-of-violence"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code_prefix,category\nBD,food\nBD-18,snacks\n", r"line 3: unknown category 'snacks'"),
        ("prefix,category\nBD,food\n", r"line 1: .*needs a column code_prefix"),
        ("code_prefix,note\nBD,food\n", r"line 1: .*needs a column"),
        ("code_prefix,category\nBD,food\nBD1800,food\n", r"line 3: 'BD1800' is not a 211 code"),
        ("code_prefix,category\nBD-18.2000,food\n", r"line 2: 'BD-18.2000' is not"),
        ("code_prefix,category\nBD,\n", r"line 2: no category for BD \(use '-'"),
        ("code_prefix,category\nBD,-;food\n", r"line 2: BD: '-' cannot be combined"),
        ("code_prefix,category\nYB-8000,seniors\n", r"line 2: no eligibility_tags or open"),
        ("code_prefix,eligibility_tags\nYB,elderly\n", r"line 2: unknown eligibility tag"),
        ("code,open_eligibility\nBD,Zebra Grooming\n", r"line 2: Open Eligibility name 'Zebra"),
    ],
)
def test_a_malformed_deployers_file_names_the_file_and_line(taxonomy, tmp_path, text, message):
    path = write(tmp_path / "bad-crosswalk.csv", text)
    with pytest.raises(ValueError, match=rf"bad-crosswalk\.csv: {message}"):
        Crosswalk.from_file_211(taxonomy, path)


def test_open_eligibility_names_plurals_and_parents(shipped):
    assert shipped.categories({"taxonomy": "open-eligibility", "name": "Food Pantry"}) == [
        "food-pantry"
    ]
    assert shipped.categories({"taxonomy": "ohana-keywords", "name": "Food Pantries"}) == [
        "food-pantry"
    ]
    unknown_child = {
        "taxonomy": "open-eligibility",
        "name": "Something Unlisted",
        "parent_name": "Food Pantry",
    }
    assert shipped.categories(unknown_child) == ["food-pantry"]
    assert shipped.categories({"taxonomy": "open-eligibility", "name": "Zebra Grooming"}) == []


# --- records through the converter ----------------------------------------------------------


def convert(taxonomy, *records):
    converter = Converter("harbor-211", taxonomy, "America/New_York")
    docs = {}
    for n, rec in enumerate(records):
        out = converter.convert(SourceRow("harbor.json", f"#{n}", rec))
        assert not out.rejections, out.rejections
        docs[rec["id"]] = out.documents[0]
    return converter, docs


def test_records_get_categories_tags_and_notes_from_their_211_codes(taxonomy):
    converter, docs = convert(
        taxonomy,
        record("pantry", "BD-1800.2000 * YB-8000", "YB-8000"),
        record("vets", "ND-3500.3600", "YN-9000", "YN"),
        record("mixed", "BD-5000.8300", "YB-8000", "YB-9500.1500", "YF-6500", "YL-3300.4500"),
        record("school", "HD-1800", "PX"),
        record("odd", "ZZ-1234", "YF-3000.1480"),
    )
    assert docs["pantry"]["categories"] == ["food-pantry"]
    assert "food-insecurity" in docs["pantry"]["needs"]
    assert docs["pantry"]["eligibility"]["tags"] == ["seniors"]
    assert docs["vets"]["categories"] == ["job-search"]
    assert docs["vets"]["eligibility"]["tags"] == ["veterans"]
    # Several groups (older adults, children, people with disabilities...) mean any of them:
    # seniors is not applied as a limit, the tags that only ask to check are kept.
    assert docs["mixed"]["eligibility"]["tags"] == ["disability", "low-income"]
    assert any("seniors among other groups" in n for n in docs["mixed"]["notes"])
    assert any("YB-9500.1500" in n for n in docs["mixed"]["notes"])
    assert docs["school"]["categories"] == [] and not any(
        "no category" in n for n in docs["school"]["notes"]
    )
    assert any("'ZZ-1234'" in n for n in docs["odd"]["notes"])
    assert converter.unmapped == Counter({("211", "ZZ-1234"): 1})
    tally = {k: v for k, v in converter.tally.items() if k.startswith("crosswalk.")}
    assert tally == {
        "crosswalk.codes.mapped": 3,
        "crosswalk.codes.outside": 2,
        "crosswalk.codes.unmapped": 1,
        "crosswalk.codes.population": 9,
        "crosswalk.populations.tagged": 7,
        "crosswalk.populations.noted": 2,
        "crosswalk.populations.limits_not_applied": 1,
        "crosswalk.records.resolved": 3,
        "crosswalk.records.unresolved": 2,
    }
    line = crosswalk_coverage(converter.tally)
    assert "6 service codes, 50% mapped" in line and "60% resolved to a category (3 of 5)" in line


def test_records_without_211_codes_are_not_counted(taxonomy):
    converter, _ = convert(taxonomy, {"id": "a", "name": "Plain", "attributes": []})
    assert not any(k.startswith("crosswalk.") for k in converter.tally)
    assert crosswalk_coverage(converter.tally) is None


# --- the command line -----------------------------------------------------------------------

CLI_ALIAS = "linkage-test-crosswalk-cli"


@pytest.fixture
def cli_env(monkeypatch, es):
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", CLI_ALIAS)
    monkeypatch.delenv("LINKAGE_CROSSWALK_211", raising=False)
    yield monkeypatch
    es.options(ignore_status=404).indices.delete(index=f"{CLI_ALIAS}--*")


def test_the_cli_prints_211_coverage_and_uses_a_deployers_file(tmp_path, cli_env, es, runner):
    source = write(
        tmp_path / "harbor.json",
        json.dumps([record("a", "BD-1800.2000"), record("b", "PX"), record("c", "QQ-1000")]),
    )
    result = runner.invoke(["load", str(source), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "3 service codes, 33% mapped to categories, 33% outside the taxonomy, 33% unmapped" in (
        result.output
    )
    assert "resolved to a category (1 of 3)" in result.output
    cli_env.setenv("LINKAGE_CROSSWALK_211", str(write(tmp_path / "x.csv", "code,category\nQQ,food\n")))  # fmt: skip
    result = runner.invoke(["load", str(source), "--quiet"])
    assert "resolved to a category (2 of 3)" in result.output


def test_the_cli_refuses_a_malformed_deployers_file_before_loading(tmp_path, cli_env, es, runner):
    source = write(tmp_path / "harbor.json", json.dumps([record("a", "BD-1800.2000")]))
    bad = write(tmp_path / "county-crosswalk.csv", "code_prefix,category\nBD,food\nBD,soup\n")
    cli_env.setenv("LINKAGE_CROSSWALK_211", str(bad))
    result = runner.invoke(["load", str(source), "--quiet"])
    assert result.exit_code == 1
    assert "county-crosswalk.csv: line 3: unknown category 'soup'" in result.output
    assert dict(es.indices.get(index=f"{CLI_ALIAS}--*")) == {}  # nothing was created


# --- the real directory on the real node ----------------------------------------------------

BALTIMORE_ALIAS = "linkage-test-crosswalk-baltimore"


@requires_shared
def test_baltimore_services_resolve_through_their_staffs_211_codes(es, taxonomy):
    """The Ohana export with its side table of 211 codes as HSDS 211 attributes."""
    side = json.loads((BALTIMORE / "service_icarol_categories.json").read_text(encoding="utf-8"))

    def rows():
        for row in ohana.read(BALTIMORE):
            if row.record is not None:
                for code in side.get(str(row.record["id"]), ()):
                    row.record.setdefault("attributes", []).append(attr(code))
            yield row

    converter = Converter("baltimore-211", taxonomy, "America/New_York")
    try:
        report = rebuild(es, BALTIMORE_ALIAS, rows(), converter)
        t = report.tallies
        carrying = t["crosswalk.records.resolved"] + t["crosswalk.records.unresolved"]
        read_ids = {str(r.record["id"]) for r in ohana.read(BALTIMORE) if r.record is not None}
        assert carrying == len(read_ids & set(side))  # every service with codes, counted once
        every_code = sum(len(side[s]) for s in read_ids & set(side))
        counted = sum(t[f"crosswalk.codes.{k}"] for k in ("mapped", "outside", "unmapped"))
        assert counted + t["crosswalk.codes.population"] == every_code
        assert report.as_dict()["unmapped_terms"] == []  # every code the staff used is known
        print(crosswalk_coverage(t))  # the figures, for the benchmark and the report (pytest -s)
        pantries = {s for s, codes in side.items() if "BD-1800.2000" in codes} & read_ids
        es.indices.refresh(index=BALTIMORE_ALIAS)
        hits = es.search(
            index=BALTIMORE_ALIAS,
            query={"terms": {"source_ids.service": sorted(pantries)}},
            size=1000,
            source=["source_ids", "categories", "needs"],
        )["hits"]["hits"]
        assert {h["_source"]["source_ids"]["service"] for h in hits} == pantries
        for hit in hits:
            assert "food-pantry" in hit["_source"]["categories"]
            assert "food-insecurity" in hit["_source"]["needs"]
        found = es.count(
            index=BALTIMORE_ALIAS,
            query={"bool": {"filter": [{"term": {"categories": "food-pantry"}},
                                       {"term": {"needs": "food-insecurity"}}]}},
        )["count"]  # fmt: skip
        assert found >= len(hits)
    finally:
        es.options(ignore_status=404).indices.delete(index=f"{BALTIMORE_ALIAS}--*")
