"""Synthetic directories for scale tests: deterministic, streaming, and loadable as they are."""

import itertools
import json
import shutil

from click.testing import CliRunner

from devtools.synthetic import generate_services, main
from indexer.hsds import Converter
from indexer.records import SourceRow
from tests.conftest import ROOT


def test_same_seed_same_records_and_prefixes_agree():
    first = list(generate_services(50, seed=3))
    assert first == list(generate_services(50, seed=3))
    assert first[:20] == list(itertools.islice(generate_services(1_000_000, seed=3), 20))
    assert first != list(generate_services(50, seed=4))


def test_every_synthetic_record_converts_without_rejection(taxonomy, settings):
    converter = Converter("synthetic", taxonomy, settings.default_timezone)
    for position, record in enumerate(generate_services(500, seed=1), start=1):
        converted = converter.convert(SourceRow("synthetic", f"#{position}", record))
        assert not converted.rejections, converted.rejections
        assert converted.documents


def test_cli_writes_a_json_array_or_ndjson(tmp_path):
    array, lines = tmp_path / "s.json", tmp_path / "s.ndjson"
    assert CliRunner().invoke(main, ["--count", "30", "--out", str(array)]).exit_code == 0
    assert (
        CliRunner().invoke(main, ["--count", "30", "--out", str(lines), "--ndjson"]).exit_code == 0
    )
    records = json.loads(array.read_text())
    assert len(records) == 30
    assert [json.loads(line) for line in lines.read_text().splitlines()] == records


def test_cli_reads_its_words_from_the_data_dir_in_linkage_data_dir(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    words_file = data / "synthetic" / "words.json"
    words = json.loads(words_file.read_text())
    words["organization_kinds"] = ["Lantern Works"]
    words_file.write_text(json.dumps(words))
    out = tmp_path / "s.json"
    result = CliRunner(env={"LINKAGE_DATA_DIR": str(data)}).invoke(
        main, ["--count", "20", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    names = {r["organization"]["name"] for r in json.loads(out.read_text())}
    assert names and all(name.endswith(" Lantern Works") for name in names)
