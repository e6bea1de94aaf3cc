"""The indexer against the real node: counts reconcile, failures never touch the live alias."""

import json

import pytest
from click.testing import CliRunner

from indexer.cli import main as cli
from indexer.hsds import Converter, document_id
from indexer.load import LoadError, rebuild
from indexer.readers import ReadError, read_hsds_json
from tests.conftest import SAMPLE, SHARED, requires_shared

ALIAS = "linkage-test-indexer"


def service(sid, name="Eastside Pantry", **extra):
    record = {
        "id": sid,
        "name": name,
        "description": "Weekly groceries.",
        "status": "active",
        "attributes": [
            {
                "id": f"{sid}-a",
                "taxonomy_term": {"id": "t", "taxonomy": "linkage", "code": "food-pantry"},
            }
        ],
        "service_at_locations": [
            {
                "id": f"{sid}-sal",
                "location": {
                    "id": f"{sid}-loc",
                    "location_type": "physical",
                    "latitude": 41.85,
                    "longitude": -87.71,
                    "addresses": [
                        {
                            "address_1": "1 Main St",
                            "city": "Chicago",
                            "state_province": "IL",
                            "postal_code": "60623",
                            "country": "US",
                        }
                    ],
                },
            }
        ],
    }
    record.update(extra)
    return record


@pytest.fixture
def converter(taxonomy, settings):
    return Converter("test", taxonomy, settings.default_timezone)


@pytest.fixture
def clean(es):
    yield
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}-*")


def live_index(es):
    return list(es.indices.get_alias(name=ALIAS)) if es.indices.exists_alias(name=ALIAS) else []


def test_sample_counts_reconcile(sample_index, es):
    assert sample_index.read == sample_index.indexed + sample_index.rejected
    assert es.count(index=sample_index.index)["count"] == sample_index.documents
    assert sample_index.read == len(json.loads(SAMPLE.read_text()))


def test_rejected_records_are_counted_with_reasons(es, converter, clean):
    records = [
        service("a"),
        service("b", name=""),
        {"name": "no id"},
        service("c", minimum_age=70, maximum_age=20),
        "not an object",
    ]
    report = rebuild(es, ALIAS, records, converter)
    assert (report.read, report.indexed, report.rejected) == (5, 1, 4)
    reasons = {(r.record, r.field) for r in report.rejections}
    assert ("#2 (id b)", "name") in reasons
    assert ("#3", "id") in reasons
    assert ("#4 (id c)", "eligibility.min_age") in reasons
    assert ("#5", "-") in reasons
    assert es.count(index=ALIAS)["count"] == 1


def test_invalid_coordinates_are_dropped_not_indexed(es, converter, clean):
    bad = service("x")
    bad["service_at_locations"][0]["location"].update(latitude=100, longitude=101)
    report = rebuild(es, ALIAS, [bad], converter)
    assert report.indexed == 1 and report.warnings[0].field == "location.latitude/longitude"
    doc = es.get(index=ALIAS, id=document_id("test", "x", "x-loc"))["_source"]
    # Falls back to the ZIP centroid, and says so.
    assert doc["location_precision"] == "zip"
    assert abs(doc["location"]["lat"] - 41.849) < 0.01


@requires_shared
def test_hsds_example_loads_without_its_invalid_coordinate(es, converter, clean):
    example = json.loads((SHARED / "reference/hsds-3.0/examples/service_full.json").read_text())
    report = rebuild(es, ALIAS, [example], converter)
    assert report.indexed == 1
    doc = es.search(index=ALIAS)["hits"]["hits"][0]["_source"]
    assert doc["location"] is None  # latitude 100 is rejected, and 'ABC 1234' is no US ZIP
    assert doc["languages"] == ["ur"] and doc["eligibility"]["min_age"] == 12


def test_ids_are_stable_across_loads(es, converter, clean):
    rebuild(es, ALIAS, [service("a"), service("b")], converter)
    first = {h["_id"] for h in es.search(index=ALIAS)["hits"]["hits"]}
    rebuild(es, ALIAS, [service("b"), service("a")], converter)
    second = {h["_id"] for h in es.search(index=ALIAS)["hits"]["hits"]}
    assert first == second and len(first) == 2


def test_a_broken_file_leaves_the_live_index_untouched(es, converter, clean, tmp_path):
    good = rebuild(es, ALIAS, [service("a")], converter)
    broken = tmp_path / "broken.ndjson"
    broken.write_text(
        json.dumps(service("b")) + "\n" + '{"id": "c", "name": \n' + json.dumps(service("d")) + "\n"
    )
    with pytest.raises(ReadError, match=r"broken\.ndjson line 2"):
        rebuild(es, ALIAS, read_hsds_json(broken), converter)
    assert live_index(es) == [good.index]
    assert list(es.indices.get(index=f"{ALIAS}-*")) == [good.index]  # half-built index removed
    assert es.count(index=ALIAS)["count"] == 1


def test_a_refused_document_fails_the_load_and_removes_the_new_index(es, converter, clean):
    good = rebuild(es, ALIAS, [service("a")], converter)

    class Sabotaged(Converter):
        """Lets one document through with a value the mapping refuses (a real node error)."""

        def convert(self, position, record):
            out = super().convert(position, record)
            for doc in out.documents:
                doc["eligibility"]["min_age"] = "not a number"
            return out

    with pytest.raises(LoadError, match="refused"):
        rebuild(es, ALIAS, [service("b")], Sabotaged("test", converter.taxonomy, "America/Chicago"))
    assert live_index(es) == [good.index]
    assert list(es.indices.get(index=f"{ALIAS}-*")) == [good.index]


def test_json_array_and_ndjson_read_the_same(tmp_path):
    records = [service("a"), service("b")]
    array, lines = tmp_path / "a.json", tmp_path / "a.ndjson"
    array.write_text(json.dumps(records))
    lines.write_text("\n".join(json.dumps(r) for r in records))
    assert list(read_hsds_json(array)) == list(read_hsds_json(lines)) == records


def test_cli_prints_a_summary_and_writes_a_report(tmp_path, monkeypatch, clean):
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    source = tmp_path / "two.json"
    source.write_text(json.dumps([service("a"), service("b", name="")]))
    report_path = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["load", str(source), "--quiet", "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "read 2, indexed 1, rejected 1" in result.output
    assert "rejected #2 (id b): name: missing service name" in result.output
    report = json.loads(report_path.read_text())
    assert report["read"] == report["indexed"] + report["rejected"]


def test_cli_fails_loudly_on_unreadable_input(tmp_path, monkeypatch, clean):
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    source = tmp_path / "bad.json"
    source.write_text("this is not json")
    result = CliRunner().invoke(cli, ["load", str(source), "--quiet"])
    assert result.exit_code != 0
    assert "expected a JSON array or NDJSON" in result.output and "not changed" in result.output
