"""The indexer against the real node: counts reconcile, sources coexist, failures never touch
the live alias, re-imports change nothing."""

import json
from pathlib import Path

import pytest

from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter, document_id
from indexer.load import LoadError, rebuild, upsert
from indexer.records import ReadError, SourceRow
from linkage.search.index import ResourceIndex
from tests.conftest import SAMPLE, SHARED, requires_shared

ALIAS = "linkage-test-indexer"


def service(sid, name=None, **extra):
    record = {
        "id": sid,
        "name": f"Eastside Pantry {sid}" if name is None else name,
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


def rows(*records, file="test.json"):
    return [SourceRow(file, f"#{n}", r) for n, r in enumerate(records, start=1)]


@pytest.fixture
def converter(taxonomy, settings):
    return Converter("test", taxonomy, settings.default_timezone)


@pytest.fixture
def clean(es):
    yield
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def live(es, source="test"):
    return ResourceIndex.on(es, ALIAS).source_indices(source)


def test_sample_counts_reconcile(sample_index, es):
    assert (
        sample_index.read == sample_index.indexed + sample_index.rejected + sample_index.duplicates
    )
    assert es.count(index=sample_index.index)["count"] == sample_index.documents
    assert sample_index.read == len(json.loads(SAMPLE.read_text()))


def test_rejected_records_are_counted_with_reasons(es, converter, clean):
    report = rebuild(
        es, ALIAS,
        rows(service("a"), service("b", name=""), {"name": "no id"}, service("c", minimum_age=70, maximum_age=20), "not an object"),
        converter,
    )  # fmt: skip
    assert (report.read, report.indexed, report.rejected) == (5, 1, 4)
    reasons = {(r.row, r.record_id, r.field) for r in report.rejections}
    assert ("#2", "b", "name") in reasons
    assert ("#3", None, "id") in reasons
    assert ("#4", "c", "eligibility.min_age") in reasons
    assert ("#5", None, "-") in reasons
    assert es.count(index=ALIAS)["count"] == 1


def test_duplicate_ids_are_counted_as_duplicates_and_one_is_kept(es, converter, clean):
    report = rebuild(
        es, ALIAS, rows(service("a"), service("b"), service("a", name="Again")), converter
    )
    counts = report.files["test.json"]
    assert (counts.read, counts.indexed, counts.duplicates) == (3, 2, 1)
    assert report.rejections[0].row == "#3" and "duplicate" in report.rejections[0].reason
    kept = es.get(index=ALIAS, id=document_id("test", "a", "a-loc"))["_source"]
    assert kept["service_name"] == "Eastside Pantry a"


def test_invalid_coordinates_are_dropped_not_indexed(es, converter, clean):
    bad = service("x")
    bad["service_at_locations"][0]["location"].update(latitude=100, longitude=101)
    report = rebuild(es, ALIAS, rows(bad), converter)
    assert report.indexed == 1 and report.warnings[0].field == "location.latitude/longitude"
    doc = es.get(index=ALIAS, id=document_id("test", "x", "x-loc"))["_source"]
    # Falls back to the ZIP centroid, and says so.
    assert doc["location_precision"] == "zip"
    assert abs(doc["location"]["lat"] - 41.849) < 0.01


@requires_shared
def test_hsds_example_loads_without_its_invalid_coordinate(es, converter, clean):
    example = SHARED / "reference/hsds-3.0/examples/service_full.json"  # one pretty-printed record
    report = rebuild(es, ALIAS, read_hsds_json(example), converter)
    assert (report.read, report.rejected) == (1, 0)
    assert report.indexed == 1
    doc = es.search(index=ALIAS)["hits"]["hits"][0]["_source"]
    assert doc["location"] is None  # latitude 100 is rejected, and 'ABC 1234' is no US ZIP
    assert doc["languages"] == ["ur"] and doc["eligibility"]["min_age"] == 12


def test_sources_coexist_and_are_replaced_one_at_a_time(es, taxonomy, settings, clean):
    north = Converter("north", taxonomy, settings.default_timezone)
    south = Converter("south", taxonomy, settings.default_timezone)
    rebuild(es, ALIAS, rows(service("a"), service("b")), north)
    rebuild(
        es, ALIAS, rows(service("a", name="Southside Pantry")), south
    )  # same source id, other namespace
    assert es.count(index=ALIAS)["count"] == 3
    # 'a' is gone from north only (half of north: more than a full load may drop unless told)
    rebuild(es, ALIAS, rows(service("b")), north, allow_shrink=True)
    assert es.count(index=ALIAS)["count"] == 2
    assert len(live(es, "north")) == 1 and len(live(es, "south")) == 1


def test_incremental_upserts_and_a_reimport_changes_nothing(es, converter, clean):
    rebuild(es, ALIAS, rows(service("a"), service("b")), converter)
    before = {h["_id"]: h["_source"] for h in es.search(index=ALIAS)["hits"]["hits"]}
    again = upsert(es, ALIAS, rows(service("a"), service("b")), converter)
    assert (again.read, again.indexed) == (2, 2)
    after = {h["_id"]: h["_source"] for h in es.search(index=ALIAS)["hits"]["hits"]}
    assert before == after
    upsert(es, ALIAS, rows(service("b", name="Renamed Pantry"), service("c")), converter)
    names = sorted(h["_source"]["service_name"] for h in es.search(index=ALIAS)["hits"]["hits"])
    assert names == ["Eastside Pantry a", "Eastside Pantry c", "Renamed Pantry"]


def test_a_file_broken_midway_leaves_the_live_index_untouched(es, converter, clean, tmp_path):
    good = rebuild(es, ALIAS, rows(service("a")), converter)
    broken = tmp_path / "broken.json"
    broken.write_text("[" + json.dumps(service("b")) + ', {"id": "c", "name": ')
    with pytest.raises(ReadError, match=r"broken\.json"):
        rebuild(es, ALIAS, read_hsds_json(broken), converter)
    assert live(es) == [good.index]
    assert list(es.indices.get(index=f"{ALIAS}--*")) == [good.index]  # half-built index removed
    assert es.count(index=ALIAS)["count"] == 1


def test_a_broken_ndjson_line_rejects_that_line_only(es, converter, clean, tmp_path):
    lines = tmp_path / "three.ndjson"
    lines.write_text(
        json.dumps(service("a")) + "\n" + '{"id": "b", "name": \n' + json.dumps(service("c")) + "\n"
    )
    report = rebuild(es, ALIAS, read_hsds_json(lines), converter)
    assert (report.read, report.indexed, report.rejected) == (3, 2, 1)
    assert report.rejections[0].row == "line 2" and "not valid JSON" in report.rejections[0].reason


def test_a_document_elasticsearch_refuses_is_rejected_with_its_reason(es, converter, clean):
    class Sabotaged(Converter):
        """Lets one value through that the mapping refuses, to get a real node's refusal."""

        def convert(self, row):
            out = super().convert(row)
            if row.record["id"] == "b":
                for doc in out.documents:
                    doc["eligibility"]["min_age"] = "not a number"
            return out

    report = rebuild(
        es,
        ALIAS,
        rows(service("a"), service("b")),
        Sabotaged("test", converter.taxonomy, "America/Chicago"),
    )
    assert (report.indexed, report.rejected) == (1, 1)
    assert (
        "Elasticsearch refused it" in report.rejections[0].reason
        and report.rejections[0].record_id == "b"
    )


def test_every_json_layout_reads_the_same(tmp_path):
    """An array, NDJSON, an HSDS API page (pretty or on one line), with or without a BOM."""
    records = [service("a"), service("b")]
    page = {"total_items": 2, "page_number": 1, "contents": records}
    layouts = {
        "array.json": json.dumps(records, indent=2),
        "lines.ndjson": "\n".join(json.dumps(r) for r in records),
        "page.json": json.dumps(page, indent=2),
        "compact-page.json": json.dumps(page),
        "bom-array.json": "\ufeff" + json.dumps(records),
        "bom-lines.ndjson": "\ufeff" + "\n".join(json.dumps(r) for r in records),
    }
    for name, text in layouts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        assert [r.record for r in read_hsds_json(tmp_path / name)] == records, name
    one = tmp_path / "one.json"
    one.write_text(json.dumps(records[0], indent=2))
    assert [r.record for r in read_hsds_json(one)] == records[:1]


@requires_shared
def test_the_hsds_list_example_is_read_as_its_records():
    page = SHARED / "reference/hsds-3.0/examples/service_list.json"
    read = list(read_hsds_json(page))
    assert len(read) == len(json.loads(page.read_text())["contents"]) and read[0].record["name"]


def test_cli_prints_a_summary_and_writes_reports(tmp_path, monkeypatch, clean, runner):
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    source = tmp_path / "two.json"
    source.write_text(json.dumps([service("a"), service("b", name="")]))
    report_path, rejected_path = tmp_path / "report.json", tmp_path / "rejected.csv"
    result = runner.invoke(
        [
            "load",
            str(source),
            "--quiet",
            "--report",
            str(report_path),
            "--rejected",
            str(rejected_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "read 2, indexed 1, rejected 1" in result.output
    assert "rejected two.json #2 (id b): name: missing service name" in result.output
    report = json.loads(report_path.read_text())
    assert report["read"] == report["indexed"] + report["rejected"] + report["duplicates"]
    assert rejected_path.read_text().splitlines() == [
        "file,row,record_id,field,reason",
        "two.json,#2,b,name,missing service name",
    ]


def test_cli_fails_loudly_on_unreadable_input(tmp_path, monkeypatch, clean, runner):
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    source = tmp_path / "bad.json"
    source.write_text("this is not json")
    result = runner.invoke(["load", str(source), "--quiet"])
    assert result.exit_code != 0
    assert "expected a JSON array, NDJSON" in result.output and "not changed" in result.output


def test_the_same_service_twice_in_one_source_is_kept_once_and_reported(es, converter, clean):
    twin = service("b", name="Eastside  PANTRY a")  # same organization (none) and name, same place
    elsewhere = service("c")
    elsewhere["service_at_locations"][0]["location"].update(latitude=41.95, longitude=-87.65)
    report = rebuild(es, ALIAS, rows(service("a"), twin, elsewhere), converter)
    counts = report.files["test.json"]
    assert (counts.read, counts.indexed, counts.duplicates) == (3, 2, 1)
    duplicate = next(r for r in report.rejections if "duplicate of" in r.reason)
    assert (
        duplicate.row == "#2"
        and duplicate.record_id == "b"
        and "test service a" in duplicate.reason
    )
    assert es.count(index=ALIAS)["count"] == 2 == report.documents


def test_the_same_service_from_two_sources_is_reported_against_the_live_one(
    es, taxonomy, settings, clean
):
    first = Converter("county", taxonomy, settings.default_timezone)
    second = Converter("state", taxonomy, settings.default_timezone)
    rebuild(es, ALIAS, rows(service("x1", name="Westside Pantry")), first)
    report = rebuild(es, ALIAS, rows(service("y9", name="WESTSIDE PANTRY"), service("y10")), second)
    assert (report.indexed, report.duplicates) == (1, 1)
    assert "county service x1" in next(r.reason for r in report.rejections if r.record_id == "y9")
    assert es.count(index=ALIAS)["count"] == 2


def test_the_locations_of_one_service_are_not_duplicates_of_each_other(es, converter, clean):
    record = service("m")
    second = json.loads(json.dumps(record["service_at_locations"][0]))
    second["id"], second["location"]["id"] = "m-sal-2", "m-loc-2"
    second["location"].update(latitude=41.8501, longitude=-87.7101)  # next door
    record["service_at_locations"].append(second)
    record["phones"] = [{"number": "312-555-0100"}]  # one number for both
    report = rebuild(es, ALIAS, rows(record), converter)
    assert (report.indexed, report.duplicates, report.documents) == (1, 0, 2)


def test_unmapped_source_terms_are_counted_across_batches(es, converter, clean):
    def with_term(sid):
        record = service(sid)
        record["attributes"].append(
            {"id": f"{sid}-x", "taxonomy_term": {"id": "x", "taxonomy": "county-211", "name": "Diaper Bank"}}
        )  # fmt: skip
        return record

    report = rebuild(
        es, ALIAS, rows(with_term("a"), service("b"), with_term("c")), converter, chunk_size=1
    )
    assert report.indexed == 3
    assert report.unmapped_terms == {("county-211", "Diaper Bank"): 2}
    assert report.as_dict()["unmapped_terms"] == [
        {"taxonomy": "county-211", "term": "Diaper Bank", "records": 2}
    ]


def test_a_converting_process_that_dies_fails_the_load_and_leaves_the_live_index_untouched(
    es, converter, clean
):
    import os
    import signal

    from indexer.load import LoadError

    class Killed(Converter):
        """Conversion runs in its own process; this one is killed (as by the OOM killer)."""

        def convert(self, row):
            if row.record["id"] == "c":
                os.kill(os.getpid(), signal.SIGKILL)
            return super().convert(row)

    good = rebuild(es, ALIAS, rows(service("a")), converter)
    with pytest.raises(LoadError, match="stopped unexpectedly"):
        rebuild(
            es, ALIAS, rows(service("b"), service("c")), Killed("test", converter.taxonomy, "America/Chicago"), chunk_size=1
        )  # fmt: skip
    assert live(es) == [good.index]
    assert list(es.indices.get(index=f"{ALIAS}--*")) == [good.index]
    assert es.count(index=ALIAS)["count"] == 1


def test_documents_refused_as_too_busy_are_sent_again(es, converter, clean, monkeypatch):
    from indexer import load

    class Busy:
        """The real client, except that the first bulk request has its second half refused
        with 429 and left unsent: what a real node does when its write queue is full, which
        it cannot be made to do on demand."""

        def __init__(self, real):
            self.real, self.calls = real, 0

        def __getattr__(self, name):
            return getattr(self.real, name)

        def bulk(self, operations, **options):
            self.calls += 1
            if self.calls > 1:
                return self.real.bulk(operations=operations, **options)
            lines = operations.splitlines(keepends=True)  # action and source per document
            half = len(lines) // 4 * 2
            sent = self.real.bulk(operations=b"".join(lines[:half]), **options)
            refused = {"create": {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}}  # fmt: skip
            return {"errors": True, "items": sent["items"] + [refused] * ((len(lines) - half) // 2)}

    monkeypatch.setattr(load, "FIRST_WAIT_SECONDS", 0.01)
    busy = Busy(es)
    report = rebuild(busy, ALIAS, rows(*(service(s) for s in "abcd")), converter)
    assert busy.calls == 2
    assert (report.indexed, report.rejected) == (4, 0)
    assert es.count(index=ALIAS)["count"] == 4


def test_duplicates_are_found_in_large_groups_and_across_pages(es, converter, clean, monkeypatch):
    """Many listings share one name (a chain's pantries): each is compared with the ones at
    its place, however many there are, and paging through them loses none."""
    from indexer import dedupe

    monkeypatch.setattr(dedupe, "PAGE_SIZE", 7)
    monkeypatch.setattr(dedupe, "KEYS_PER_REQUEST", 2)

    def pantry(sid, spot, name="Chain Pantry"):
        record = service(sid, name=name)
        record["service_at_locations"][0]["location"].update(
            latitude=41.70 + spot * 0.01, longitude=-87.70
        )  # ~0.7 mi apart
        return record

    chain = [pantry(f"p{n}", n) for n in range(60)]
    twins = [pantry("u1", 1, name="Other Pantry"), pantry("t5", 5), pantry("t55", 55)]
    others = [pantry("o1", 1, name="Other Pantry"), pantry("q1", 1, name="Third Pantry")]
    report = rebuild(es, ALIAS, rows(*chain, *others, *twins), converter)
    assert (report.read, report.indexed, report.duplicates) == (65, 62, 3)
    reasons = {r.record_id: r.reason for r in report.rejections}
    assert "test service p5 " in reasons["t5"] and "test service p55 " in reasons["t55"]
    assert "test service o1 " in reasons["u1"]
    # Reported in file order, as a maintainer reads them.
    assert [r.record_id for r in report.rejections if "duplicate" in r.reason] == [
        "u1",
        "t5",
        "t55",
    ]
    assert es.count(index=ALIAS)["count"] == 62


def test_a_node_lost_mid_import_leaves_the_live_index_and_the_next_import_tidies_up(
    es, converter, clean, proxy, settings
):
    import multiprocessing
    from dataclasses import replace

    from elasticsearch import ConnectionError as NodeUnreachable

    from linkage.search.client import make_client

    good = rebuild(es, ALIAS, rows(service("a")), converter)
    through_proxy = make_client(
        replace(settings, elasticsearch_url=proxy.url, elasticsearch_retries=0)
    )
    batches = 0

    def progress(_records):
        nonlocal batches
        batches += 1
        if batches == 3:
            proxy.set_mode("refuse")  # the node is gone after two bulk requests

    with pytest.raises(NodeUnreachable):
        rebuild(through_proxy, ALIAS, rows(*(service(f"n{n}") for n in range(10))), converter,
                progress, chunk_size=1)  # fmt: skip
    assert multiprocessing.active_children() == []  # the converting process is gone too
    assert live(es) == [good.index] and es.count(index=ALIAS)["count"] == 1
    half_built = set(es.indices.get(index=f"{ALIAS}--test--*")) - {good.index}
    assert len(half_built) == 1  # it could not be deleted while the node was out of reach

    proxy.set_mode("forward")
    again = rebuild(es, ALIAS, rows(service("b")), converter)
    assert list(es.indices.get(index=f"{ALIAS}--test--*")) == [again.index]


def _children(pid):
    """Live (not zombie) processes whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_converting_process_ends_when_the_import_is_killed(es, tmp_path, clean):
    import os
    import subprocess
    import sys
    import time

    from linkage import jobs

    big = tmp_path / "big.ndjson"  # enough that the import is still running when it is killed
    big.write_text("\n".join(json.dumps(service(f"k{n}")) for n in range(20000)))
    command = [sys.executable, "-m", "indexer", "load", str(big), "--quiet", "--source", "killed"]
    main = subprocess.Popen(command, env={**os.environ, "LINKAGE_INDEX_ALIAS": ALIAS})
    try:
        deadline = time.monotonic() + 60
        while not (converting := _children(main.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert converting, "the import never started its converting process"
        time.sleep(0.5)  # its queue is full by now: it waits on the main process
        main.kill()
        main.wait()
        deadline = time.monotonic() + 10
        while _alive(converting[0]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(converting[0]), "the converting process outlived the import"
    finally:
        main.kill()
        es.options(ignore_status=404).delete(index=jobs.locks_index(ALIAS), id="killed")


def test_a_repeated_id_with_more_locations_leaves_none_of_them_behind(es, converter, clean):
    """The second record's first location collides with the first record's; its second one
    was created before the record was found to be a duplicate, and must not stay."""
    first = service("s1")
    second = service("s1", name="Again")
    extra = json.loads(json.dumps(second["service_at_locations"][0]))
    extra["id"], extra["location"]["id"] = "s1-sal-2", "s1-loc-2"
    second["service_at_locations"].append(extra)
    report = rebuild(es, ALIAS, rows(first, second), converter)
    assert (report.read, report.indexed, report.duplicates, report.documents) == (2, 1, 1, 1)
    assert es.count(index=ALIAS)["count"] == 1


def test_a_full_load_that_indexes_nothing_leaves_the_source_live(es, converter, clean, tmp_path):
    good = rebuild(es, ALIAS, rows(service("a")), converter)
    for text in ("", "[]", '{"id": 1, "name":\n"x"\n', '[{"id": "b"}]'):
        wrong = tmp_path / "wrong.json"
        wrong.write_text(text)
        with pytest.raises((LoadError, ReadError)):
            rebuild(es, ALIAS, read_hsds_json(wrong), converter)
    with pytest.raises(
        LoadError, match=r"no record could be indexed \(1 read, 1 rejected.*missing service name"
    ):
        rebuild(es, ALIAS, rows({"id": "c"}), converter)  # fmt: skip
    assert live(es) == [good.index] and es.count(index=ALIAS)["count"] == 1


def test_cli_explains_a_bad_setup_and_what_a_failed_incremental_load_left(tmp_path, monkeypatch, clean, runner):  # fmt: skip
    monkeypatch.setenv("LINKAGE_INDEX_ALIAS", ALIAS)
    source = tmp_path / "east.json"
    source.write_text(json.dumps([service("a")]))
    monkeypatch.setenv("LINKAGE_CROSSWALK_211", str(tmp_path / "no-such-crosswalk.csv"))
    result = runner.invoke(["load", str(source), "--quiet"])
    assert result.exit_code == 1 and "cannot set up the import" in result.output
    assert "no-such-crosswalk.csv" in result.output and result.exception.__class__ is SystemExit
    monkeypatch.delenv("LINKAGE_CROSSWALK_211")
    assert runner.invoke(["load", str(source), "--quiet"]).exit_code == 0
    source.write_text("[" + json.dumps(service("b")) + ", {")
    result = runner.invoke(["load", str(source), "--quiet", "--mode", "incremental"])
    assert result.exit_code == 1
    assert "records loaded before the failure stay updated" in result.output


def test_warnings_are_all_counted_and_the_first_ones_kept(es, converter, clean, monkeypatch):
    from indexer import load

    monkeypatch.setattr(load, "MAX_WARNINGS", 2)
    placeholders = []
    for n in range(5):  # 0,0: a placeholder, not a place
        record = service(f"z{n}")
        record["service_at_locations"][0]["location"].update(latitude=0, longitude=0)
        placeholders.append(record)
    report = rebuild(es, ALIAS, rows(*placeholders, service("b", name="")), converter)
    assert (report.indexed, report.rejected, report.warnings_total) == (5, 1, 5)
    as_json = report.as_dict(max_rejections=0)
    assert len(as_json["warnings"]) == 2 and as_json["warnings_by_field"] == {
        "location.latitude/longitude": 5
    }
    assert as_json["rejections"] == [] and as_json["rejected"] == 1  # counts cover them all


def test_an_incremental_update_drops_the_locations_a_service_no_longer_lists(es, converter, clean):
    moved = service("a")
    rebuild(es, ALIAS, rows(moved, service("b")), converter)
    moved["service_at_locations"][0]["location"]["id"] = "a-new-loc"  # the pantry moved
    moved["service_at_locations"][0]["location"].update(latitude=41.90, longitude=-87.65)
    report = upsert(es, ALIAS, rows(moved), converter)
    assert report.indexed == 1
    docs = {h["_id"]: h["_source"] for h in es.search(index=ALIAS)["hits"]["hits"]}
    assert set(docs) == {document_id("test", "a", "a-new-loc"), document_id("test", "b", "b-loc")}


def test_progress_goes_on_through_rows_that_all_fail(es, converter, clean):
    seen = []
    with pytest.raises(LoadError, match="no record could be indexed"):
        rebuild(es, ALIAS, rows(*({"id": f"x{n}"} for n in range(7))), converter, seen.append, chunk_size=3)  # fmt: skip
    assert seen == [3, 3, 1]  # a batch per three rows, though none had a document
