"""Categories from a side table (`indexer load --categories`): reading and checking the file,
recognising codes, and real directories loaded with one into the real node."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.records import ReadError
from indexer.side_table import is_211_code, read_table, split_codes, term_for, vocabulary_of
from tests.conftest import ROOT, SHARED, IndexerRunner, requires_shared

ALIAS = "linkage-test-side-table"
FIXTURES = ROOT / "tests" / "fixtures" / "side-tables"
BALTIMORE = SHARED / "datasets" / "baltimore-211"
HSDS_EXAMPLE = SHARED / "reference" / "hsds-3.0" / "examples" / "csv"
SAN_MATEO = SHARED / "datasets" / "ohana-san-mateo"
LINKAGE_CODES = {"food-pantry", "counseling", "rent-assistance"}


def known_names(name: str) -> bool:
    return name in {"Food Pantry", "Emergency Food"}


# --- reading the file -------------------------------------------------------------------


def test_csv_rows_and_cells_of_several_codes_are_merged_by_id(tmp_path):
    path = tmp_path / "cats.csv"
    path.write_text("\ufeffService_ID,code,note\n7,BD-1800.2000; food-pantry,x\n\n7,PX,\n8,,\n")
    table = read_table(path)
    assert table.codes == {"7": ["BD-1800.2000", "food-pantry", "PX"], "8": []}
    assert table.name == "cats.csv" and table.vocabulary is None


def test_json_object_of_lists(tmp_path):
    path = tmp_path / "cats.json"
    path.write_text(json.dumps({"7": ["BD-1800.2000", "PX"], "8": "food-pantry; food"}))
    assert read_table(path, "linkage").codes == {
        "7": ["BD-1800.2000", "PX"],
        "8": ["food-pantry", "food"],
    }


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("no-code.csv", "service_id,category\n1,food\n", r"no-code\.csv: line 1: missing column\(s\) code"),
        ("no-id.csv", 'service_id,code\n1,food\n2,"a\nb"\n,food\n', r"no-id\.csv: line 5: a row without a service_id"),
        ("quote.csv", 'service_id,code\n1,food\n2,"food\n', r"quote\.csv: line \d+: unreadable CSV"),
        ("bad.json", '{"1": ["food"],\n "2": ["food"\n}', r"bad\.json: line 3: not valid JSON"),
        ("list.json", '["food"]', r"list\.json: line 1: expected an object"),
        ("value.json", '{"1": ["food"],\n"2": {"code": "food"}}', r"value\.json: line 2: service '2': expected a list"),
        ("empty-id.json", '{"1": ["food"],\n\n"": ["food"]}', r"empty-id\.json: line 3: an entry without a service id"),
    ],
)  # fmt: skip
def test_a_malformed_file_is_an_error_naming_the_file_and_line(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ReadError, match=message):
        read_table(path)


def test_an_unknown_vocabulary_is_refused(tmp_path):
    (tmp_path / "c.csv").write_text("service_id,code\n1,food\n")
    with pytest.raises(ValueError, match="unknown categories vocabulary"):
        read_table(tmp_path / "c.csv", "airs")


# --- recognising codes ------------------------------------------------------------------

level = st.integers(0, 9999).map(lambda n: f"{n:04d}")
code_211 = st.builds(
    lambda top, parts: top + "".join(parts),
    st.from_regex(r"[A-Z]{1,2}", fullmatch=True),
    st.just(())  # the top level alone
    | st.tuples(level.map(lambda x: f"-{x}"))
    | st.tuples(level.map(lambda x: f"-{x}"), level.map(lambda x: f".{x}"))
    | st.tuples(
        level.map(lambda x: f"-{x}"),
        level.map(lambda x: f".{x}"),
        st.integers(0, 999).map(lambda n: f"-{n:03d}"),
        st.integers(0, 99).map(lambda n: f".{n:02d}"),
    ),
)


@given(st.lists(code_211, min_size=1, max_size=3), st.sampled_from([" * ", "*", "  *  "]))
def test_211_codes_and_compounds_are_recognised_and_kept_as_given(parts, joiner):
    code = joiner.join(parts)
    assert is_211_code(code)
    assert vocabulary_of(code, LINKAGE_CODES, known_names) == "211"
    assert term_for(code, "211") == {"taxonomy": "211", "code": " * ".join(parts)}


@given(code_211, st.integers(0, 30), st.characters(categories=["Ll"]))
def test_a_lowercase_letter_anywhere_makes_it_no_211_code(code, at, letter):
    assert not is_211_code(code[:at] + letter + code[at:])


@pytest.mark.parametrize(
    "code, vocabulary",
    [
        ("food-pantry", "linkage"),
        ("BD-1800.2000", "211"),
        ("BH-1800.1500-100", "211"),
        ("P", "211"),
        ("BD-1800.2000 * YB-8000 * YN-1000", "211"),
        ("Food Pantry", "open-eligibility"),
        ("Emergency Food", "open-eligibility"),
        ("Pantry of Dreams", None),  # a name no category knows: not guessed at
        ("101-02-01", None),  # a deployment's own category id: only with its taxonomy.csv
        ("bd-1800", None),  # 211 codes are case-sensitive
        ("BD-18", None),
        ("BDX-1800", None),
        ("BD-1800 *", None),
    ],
)
def test_codes_are_recognised_per_code(code, vocabulary):
    assert vocabulary_of(code, LINKAGE_CODES, known_names) == vocabulary


def test_a_forced_vocabulary_takes_any_name_but_not_what_cannot_be_one():
    assert term_for("Pantry of Dreams", "open-eligibility") == {
        "taxonomy": "open-eligibility",
        "name": "Pantry of Dreams",
    }
    assert term_for("101-02", "open-eligibility") is None
    assert term_for("food pantry", "211") is None


def test_split_codes():
    assert split_codes(" BD-1800 ;; food ; ") == ["BD-1800", "food"]


# --- real directories through the CLI into the real node ---------------------------------


@pytest.fixture
def alias(es, monkeypatch):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    yield ALIAS
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def load(tmp_path: Path, *args: str) -> tuple[object, dict | None]:
    report = tmp_path / "report.json"
    result = IndexerRunner().invoke(["load", *args, "--quiet", "--report", str(report)])
    return result, json.loads(report.read_text()) if report.exists() else None


def categories_file(report: dict) -> dict:
    return {
        k.removeprefix("categories_file."): v
        for k, v in report["tallies"].items()
        if k.startswith("categories_file.")
    }


def docs(es, alias: str, service_id: str) -> list[dict]:
    found = es.search(index=alias, query={"term": {"source_ids.service": service_id}}, size=50)
    return [h["_source"] for h in found["hits"]["hits"]]


def reconciles(report: dict) -> bool:
    skipped = sum(v for k, v in report.items() if k.startswith("skipped_"))
    return report["read"] == (
        report["indexed"] + report["rejected"] + report["duplicates"] + skipped
    )


@requires_shared
def test_baltimore_with_its_211_side_table(es, alias, tmp_path):
    table = json.loads((BALTIMORE / "service_icarol_categories.json").read_text())
    result, report = load(
        tmp_path, str(BALTIMORE), "--categories", str(BALTIMORE / "service_icarol_categories.json")
    )
    assert result.exit_code == 0, result.output
    assert reconciles(report)
    counted = categories_file(report)
    distinct = sum(len(set(codes)) for codes in table.values())
    # every service the table lists is in the directory (one is rejected for its location)
    assert counted["ids_unknown"] == 0 and counted["codes_not_understood"] == 0
    assert counted["records"] == len(table) == 1849
    assert counted["codes"] == counted["codes.211"] == distinct
    assert (
        "service_icarol_categories.json: " in result.output and "0 ids not in the" in result.output
    )
    # the codes reach the converter as 211 terms: mapped through the crosswalk, or counted
    mapped = report["tallies"].get("crosswalk.codes.mapped", 0)
    unmapped_211 = sum(t["records"] for t in report["unmapped_terms"] if t["taxonomy"] == "211")
    assert unmapped_211 > 0 or mapped > 0
    if (ROOT / "data" / "crosswalks" / "211.csv").exists():
        pantry = next(sid for sid, codes in table.items() if "BD-1800.2000" in codes)
        assert "food-pantry" in docs(es, alias, pantry)[0]["categories"]


@requires_shared
def test_baltimore_without_a_side_table_loads_and_reconciles(es, alias, tmp_path):
    result, report = load(tmp_path, str(BALTIMORE))
    assert result.exit_code == 0, result.output
    assert reconciles(report) and report["indexed"] >= 1870
    assert not categories_file(report)
    assert not any(t["taxonomy"] == "211" for t in report["unmapped_terms"])


@requires_shared
def test_hsds_tabular_example_with_a_csv_side_table(es, alias, tmp_path):
    result, report = load(
        tmp_path, str(HSDS_EXAMPLE), "--source", "hsds-example",
        "--categories", str(FIXTURES / "hsds-example-categories.csv"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert categories_file(report) == {
        "records": 1,
        "codes": 3,
        "codes.linkage": 2,
        "codes.open-eligibility": 1,
        "codes_not_understood": 1,  # the Open Eligibility id
        "ids_unknown": 1,
    }
    assert any(
        w["field"] == "categories" and "'101-02-01' not understood" in w["reason"]
        for w in report["warnings"]
    )
    (doc,) = docs(es, alias, "ac148810-d857-441c-9679-408f346de14b")
    assert {"counseling", "support-groups", "food-pantry"} <= set(doc["categories"])
    assert "food" in doc["category_tree"] and doc["needs"]


@requires_shared
def test_ohana_export_with_a_json_side_table(es, alias, tmp_path):
    result, report = load(
        tmp_path, str(SAN_MATEO), "--source", "san-mateo",
        "--categories", str(FIXTURES / "san-mateo-categories.json"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert reconciles(report)
    assert categories_file(report) == {
        "records": 3,
        "codes": 4,
        "codes.linkage": 2,
        "codes.open-eligibility": 1,
        "codes.211": 1,
        "codes_not_understood": 1,
        "ids_unknown": 1,
    }
    assert "food-pantry" in docs(es, alias, "1")[0]["categories"]
    assert "rent-assistance" in docs(es, alias, "2")[0]["categories"]


@requires_shared
def test_a_forced_vocabulary_counts_what_does_not_fit(es, alias, tmp_path):
    result, report = load(
        tmp_path, str(SAN_MATEO), "--source", "san-mateo",
        "--categories", str(FIXTURES / "san-mateo-categories.json"),
        "--categories-vocabulary", "linkage",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    counted = categories_file(report)
    # Linkage codes are checked against the taxonomy by the converter: "Emergency Food",
    # "LH-3500 * YB-8000" and "not a known code 42" become unmapped linkage terms.
    assert counted["codes.linkage"] == 5 and counted["codes_not_understood"] == 0
    unmapped = {t["term"] for t in report["unmapped_terms"] if t["taxonomy"] == "linkage"}
    assert {"Emergency Food", "not a known code 42"} <= unmapped


@requires_shared
def test_a_malformed_side_table_fails_before_anything_is_loaded(es, alias, tmp_path):
    bad = tmp_path / "cats.csv"
    bad.write_text("service_id,code\n1,food-pantry\n,food\n")
    result, report = load(tmp_path, str(SAN_MATEO), "--categories", str(bad))
    assert result.exit_code != 0 and report is None
    assert "cats.csv: line 3: a row without a service_id" in result.output
    assert not es.indices.get(index=f"{ALIAS}--*", expand_wildcards="all")
