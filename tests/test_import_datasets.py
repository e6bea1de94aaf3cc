"""Real directories imported end to end through the CLI into the real node, then searched."""

import csv
import json

import pytest

from linkage.app import create_app
from tests.conftest import ROOT, SHARED, api_client, requires_shared

ALIAS = "linkage-test-datasets"


@pytest.fixture(scope="module")
def imported(es, tmp_path_factory, runner):
    """Each dataset loaded once, as its own source behind one alias; their reports."""
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    out = tmp_path_factory.mktemp("reports")
    runs = {
        "ohana": ["load", str(SHARED / "datasets/ohana-san-mateo"), "--source", "san-mateo"],
        "hsds-example": [
            "load",
            str(SHARED / "reference/hsds-3.0/examples/csv"),
            "--source",
            "hsds-example",
        ],
    }

    mapping = ROOT / "data" / "mappings" / "florida-legal-aid.yaml"
    if mapping.exists():
        runs["florida"] = ["load", str(SHARED / "datasets/florida-legal-aid"), "--mapping", str(mapping),
                           "--format", "mapped-csv", "--source", "florida"]  # fmt: skip
    reports = {}
    mp = pytest.MonkeyPatch()
    mp.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    for name, args in runs.items():
        report_path = out / f"{name}.json"
        result = runner.invoke(
            [
                *args,
                "--quiet",
                "--report",
                str(report_path),
                "--rejected",
                str(out / f"{name}.csv"),
            ],
        )
        assert result.exit_code == 0, result.output
        reports[name] = json.loads(report_path.read_text()) | {
            "rejected_csv": (out / f"{name}.csv").read_text()
        }
    mp.undo()
    yield reports
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


@pytest.fixture
def client(settings, imported):
    from dataclasses import replace

    return api_client(create_app({"SETTINGS": replace(settings, index_alias=ALIAS)}))


def rows_in(path):
    with path.open(encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


@requires_shared
def test_ohana_export_reconciles_and_is_searchable(imported, client):
    report = imported["ohana"]
    assert report["read"] == rows_in(SHARED / "datasets/ohana-san-mateo/services.csv") == 23
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"]
    assert report["rejected"] == 0
    found = client.get(
        "/v1/search", query_string={"q": "passport photos", "near": "94103", "radius": 50}
    ).json
    assert any("Passport" in r["service_name"] for r in found["results"])


@requires_shared
def test_hsds_example_package_is_imported_without_its_invalid_coordinate(imported, client):
    report = imported["hsds-example"]
    assert (report["read"], report["indexed"]) == (1, 1)
    assert any(w["field"] == "location.latitude/longitude" for w in report["warnings"])
    found = client.get("/v1/search", query_string={"q": "counselling"}).json
    assert found["total"] >= 1 and found["results"][0]["distance"] is None


@requires_shared
def test_sources_coexist_behind_one_alias(es, imported):
    sources = {i.split("--")[1] for i in es.indices.get_alias(name=ALIAS)}
    assert {"san-mateo", "hsds-example"} <= sources
    expected = sum(r["documents"] for r in imported.values())
    assert es.count(index=ALIAS)["count"] == expected


@requires_shared
def test_florida_legal_aid_through_its_mapping(imported, client):
    if "florida" not in imported:
        pytest.skip("data/mappings/florida-legal-aid.yaml not written yet")
    report = imported["florida"]
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"]
    assert report["indexed"] > 100
    lines = report["rejected_csv"].splitlines()
    assert (
        lines[0] == "file,row,record_id,field,reason"
        and len(lines) == report["rejected"] + report["duplicates"] + 1
    )
    found = client.get("/v1/search", query_string={"q": "immigration", "category": "legal"}).json
    assert found["total"] > 0


@requires_shared
def test_records_are_counted_up_front_for_the_progress_eta(tmp_path):
    from indexer.formats import count_records

    assert count_records(SHARED / "datasets/ohana-san-mateo", "ohana") == 23
    mapping = ROOT / "data/mappings/florida-legal-aid.yaml"
    assert count_records(SHARED / "datasets/florida-legal-aid", "mapped-csv", mapping) == 135
    lines = tmp_path / "x.ndjson"
    lines.write_text('{"id": "a"}\n\n{"id": "b"}\n')
    assert count_records(lines, "hsds-json") == 2
    array = tmp_path / "x.json"
    array.write_text("[]")
    assert count_records(array, "hsds-json") is None


@requires_shared
def test_a_damaged_export_keeps_every_good_row(es, tmp_path, monkeypatch, runner):
    """Ohana export re-encoded as Latin-1 and cut off mid-row: the good rows load, the cut one
    is reported, and the counts reconcile."""
    import shutil

    folder = tmp_path / "damaged"
    shutil.copytree(SHARED / "datasets/ohana-san-mateo", folder)
    services = folder / "services.csv"
    text = services.read_text(encoding="utf-8").replace(
        "Fair Oaks Adult Activity Center", "Centro de Actividades Fair Oaks (Señores)"
    )
    services.write_bytes(text[: int(len(text) * 0.7)].encode("cp1252", errors="replace"))
    monkeypatch.setenv(
        "LINKAGE_INDEX_ALIAS", ALIAS + "-damaged"
    )  # alone: not a duplicate of san-mateo
    report_path = tmp_path / "r.json"
    result = runner.invoke(
        ["load", str(folder), "--source", "damaged", "--quiet", "--report", str(report_path)]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(report_path.read_text())
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"]
    assert report["rejected"] == 1 and "truncated" in report["rejections"][0]["reason"]
    assert any("Windows-1252" in w["reason"] for w in report["warnings"])
    assert report["indexed"] >= 10
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}-damaged--*")


@requires_shared
def test_formats_are_detected_or_asked_for():
    from indexer.formats import detect
    from indexer.records import ReadError

    assert detect(SHARED / "datasets/ohana-san-mateo") == "ohana"
    assert detect(SHARED / "reference/hsds-3.0/examples/csv") == "hsds-tabular"
    assert detect(SHARED / "reference/hsds-3.0/examples/service_full.json") == "hsds-json"
    with pytest.raises(ReadError, match="give --format mapped-csv with --mapping"):
        detect(SHARED / "datasets/florida-legal-aid")  # its own columns: a mapping reads them
