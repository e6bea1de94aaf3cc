"""Input limits (indexer/limits.py) and the shrink guard, against the real node: a file built
to exhaust memory fails clearly under a 1 GiB cap, a record over a limit is one rejection with
its reason, and a full load that would suddenly shrink a source leaves the live index."""

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from indexer import csvfiles
from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.limits import DEFAULT, depth
from indexer.load import ShrinkRefused, rebuild
from indexer.records import ReadError
from linkage import jobs
from linkage.app import create_app
from linkage.search.index import ResourceIndex
from tests.conftest import ROOT
from tests.test_imports_api import AUTH, KEY, pantry, run_worker, upload
from tests.test_indexer import rows, service

ALIAS = "linkage-test-limits"
PANTRIES = ROOT / "tests" / "fixtures" / "limits"
GIB = 1024**3


@pytest.fixture
def converter(taxonomy, settings):
    return Converter("test", taxonomy, settings.default_timezone)


@pytest.fixture
def clean(es):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    yield
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def live_count(es, source="test") -> int:
    indices = ResourceIndex.on(es, ALIAS).source_indices(source)
    return es.count(index=indices)["count"] if indices else 0


def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def test_depth_counts_containers():
    deep: list = []
    for _ in range(4999):  # deeper than Python's recursion limit
        deep = [deep]
    assert [depth(v) for v in (1, [], {"a": [1]}, [[{"b": {}}]], deep)] == [0, 1, 2, 4, 5000]


def test_a_json_file_nested_100000_deep_fails_clearly_within_1_gib(tmp_path, es, clean):
    """Was: 21 GB and the OOM killer (a parser's memory grows with the square of the depth)."""
    deep = tmp_path / "deep.json"
    deep.write_text(nested(100_000))
    env = {**os.environ, "LINKAGE_INDEX_ALIAS": ALIAS}
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "load", str(deep), "--source", "deep", "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, preexec_fn=_cap_memory,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "nested more than 64 deep" in done.stderr and "Traceback" not in done.stderr
    assert "the live index was not changed" in done.stderr
    assert es.indices.get(index=f"{ALIAS}--*") == {}


def test_a_document_nested_too_deep_is_a_clear_read_error(tmp_path):
    page = tmp_path / "page.json"
    page.write_text('{"contents": ' + nested(100_000) + "}")
    with pytest.raises(ReadError, match=r"page\.json: nested more than 64 deep"):
        list(read_hsds_json(page))


def test_a_deep_ndjson_line_rejects_that_line_only(tmp_path, es, converter, clean):
    """Was: the whole import ended in a RecursionError traceback."""
    lines = tmp_path / "four.ndjson"
    lines.write_text(
        "\n".join([json.dumps(service("a")), nested(100_000), json.dumps({**service("b"),
                   "extra": json.loads(nested(100))}), json.dumps(service("c"))]) + "\n"
    )  # fmt: skip
    report = rebuild(es, ALIAS, read_hsds_json(lines), converter)
    assert (report.read, report.indexed, report.rejected) == (4, 2, 2)
    assert [(r.row, r.reason) for r in report.rejections] == [
        ("line 2", "nested more than 64 deep (the limit: LINKAGE_MAX_DEPTH)"),
        ("line 3", "nested more than 64 deep (the limit: LINKAGE_MAX_DEPTH)"),
    ]
    assert live_count(es) == 2


def test_a_record_over_the_size_limit_is_one_rejection(tmp_path, es, converter, clean):
    """Was: a record over Elasticsearch's 100 MB ended in an ApiError(413) traceback; here the
    limit is set small, as LINKAGE_MAX_RECORD_BYTES would."""
    limits = replace(DEFAULT, record_bytes=20_000)
    long = {**service("long"), "description": "Groceries. " * 3000}  # 33 KB
    # Small as JSON, large once it is a document at each of its four locations.
    spread = service("spread", description="Groceries. " * 700)
    spread["service_at_locations"] = [
        {**spread["service_at_locations"][0], "id": f"s{n}", "location": {
            **spread["service_at_locations"][0]["location"], "id": f"l{n}"}}
        for n in range(4)
    ]  # fmt: skip
    records = [service("a"), long, spread, service("b")]
    lines = tmp_path / "sizes.ndjson"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    array = tmp_path / "sizes.json"
    array.write_text(json.dumps(records))
    for path in (lines, array):
        report = rebuild(es, ALIAS, read_hsds_json(path, limits), converter, limits=limits)
        assert (report.read, report.indexed, report.rejected) == (4, 2, 2), path.name
        first, second = report.rejections
        assert first.row in ("line 2", "#2") and "more than one record may hold" in first.reason
        assert "bytes as documents, more than one record may hold (20,000" in second.reason
        assert second.record_id == "spread"
        assert live_count(es) == 2


def test_a_csv_field_over_the_limit_rejects_its_row(tmp_path):
    path = tmp_path / "services.csv"
    path.write_text('id,name,about\n1,A,short\n2,B,"' + "x" * 500 + '"\n3,C,short\n')
    csvfiles.set_field_limit(100)
    try:
        found = [(r.number, r.problem and r.problem.reason) for r in csvfiles.CsvFile(path)]
    finally:
        csvfiles.set_field_limit(DEFAULT.field_bytes)
    assert found == [
        (1, None),
        (2, "a field of 500 characters, more than one may hold (100: LINKAGE_MAX_FIELD_BYTES)"),
        (3, None),
    ]


def test_a_file_over_the_row_limit_stops_and_leaves_the_live_index(es, converter, clean):
    before = rebuild(es, ALIAS, rows(service("a")), converter)
    with pytest.raises(ReadError, match="more than 2 records"):
        rebuild(
            es,
            ALIAS,
            rows(*(service(s) for s in "abc")),
            converter,
            limits=replace(DEFAULT, rows=2),
        )
    assert ResourceIndex.on(es, ALIAS).source_indices("test") == [before.index]


def test_a_load_that_drops_most_of_a_source_stops_unless_allowed(es, converter, clean):
    five = rows(*(service(s) for s in "abcde"))
    first = rebuild(es, ALIAS, five, converter)
    with pytest.raises(ShrinkRefused, match=r"from 5 to 1 services \(80% fewer; at most 20%"):
        rebuild(es, ALIAS, rows(service("a")), converter)
    assert ResourceIndex.on(es, ALIAS).source_indices("test") == [first.index]
    assert live_count(es) == 5
    assert list(es.indices.get(index=f"{ALIAS}--*")) == [first.index]  # the new one is gone
    # One of five (20%) is within the limit; four of five needs the flag.
    rebuild(es, ALIAS, rows(*(service(s) for s in "abcd")), converter)
    assert live_count(es) == 4
    rebuild(es, ALIAS, rows(service("a")), converter, allow_shrink=True)
    assert live_count(es) == 1


def test_an_unclosed_quote_in_a_csv_is_not_a_silent_shrink(tmp_path, runner, es, clean):
    """Was: row 2's unclosed quote swallowed rows 3-5, the load 'succeeded' and the live
    source went from 5 records to 1."""
    folder = tmp_path / "pantries"
    shutil.copytree(PANTRIES, folder)
    env = {"LINKAGE_INDEX_ALIAS": ALIAS}
    load = ["load", str(folder / "pantries.yaml"), "--source", "pantries", "--quiet"]
    assert runner.invoke(load, env=env).exit_code == 0
    assert live_count(es, "pantries") == 5
    csv_path = folder / "pantries.csv"
    text = csv_path.read_text().replace('"Fresh produce, dairy and eggs"', '"Fresh produce')
    csv_path.write_text(text)
    report = tmp_path / "report.json"
    failed = runner.invoke([*load, "--report", str(report)], env=env)
    assert failed.exit_code == 1
    assert "from 5 to 1 services" in failed.output and "--allow-shrink" in failed.output
    assert live_count(es, "pantries") == 5
    counts = json.loads(report.read_text())
    assert (counts["read"], counts["indexed"], counts["rejected"]) == (5, 1, 4)
    rejected = [(r["row"], r["reason"][:40]) for r in counts["rejections"]]
    assert rejected == [
        ("row 2", "the file ends inside a quote opened on l"),
        ("row 3", "after the quote opened on line 3 that is"),
        ("row 4", "after the quote opened on line 3 that is"),
        ("row 5", "after the quote opened on line 3 that is"),
    ]
    allowed = runner.invoke([*load, "--allow-shrink"], env=env)
    assert allowed.exit_code == 0, allowed.output
    assert live_count(es, "pantries") == 1


def test_the_import_api_keeps_the_limits_and_takes_allow_shrink(settings, tmp_path, es, clean):
    """POST /v1/imports: a deep file fails its job clearly, a shrinking load fails unless
    `allow_shrink`."""
    es.indices.delete(index=f"{jobs.locks_index(ALIAS)},{jobs.jobs_index(ALIAS)}",
                      ignore_unavailable=True)  # fmt: skip
    mine = replace(settings, index_alias=ALIAS, admin_api_key=KEY,
                   upload_dir=str(tmp_path / "uploads"))  # fmt: skip
    admin = create_app({"SETTINGS": mine}).test_client()

    def imported(name: str, body: bytes, **form) -> dict:
        job = upload(admin, name, body, **form)
        assert job.status_code == 202, job.json
        run_worker(es, mine)
        return admin.get(f"/v1/imports/{job.json['id']}", headers=AUTH).json

    deep = imported("deep.json", nested(30_000).encode())
    assert deep["status"] == "failed" and "nested more than 64 deep" in deep["error"]
    five = json.dumps([pantry(s) for s in "abcde"]).encode()
    assert imported("north.json", five)["status"] == "succeeded"
    one = json.dumps([pantry("a")]).encode()
    refused = imported("north.json", one)
    assert refused["status"] == "failed" and "from 5 to 1 services" in refused["error"]
    assert live_count(es, "north") == 5
    assert imported("north.json", one, allow_shrink="true")["status"] == "succeeded"
    assert live_count(es, "north") == 1
    es.indices.delete(index=f"{jobs.locks_index(ALIAS)},{jobs.jobs_index(ALIAS)}",
                      ignore_unavailable=True)  # fmt: skip
