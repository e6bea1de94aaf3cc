"""Categories inferred for records that have none: the model, the rules, the converter's
marks and tallies, and a search on the real node that finds an inferred service."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.hsds import Converter
from indexer.infer import CategoryInferrer
from indexer.records import SourceRow
from linkage.app import create_app
from linkage.search import semantic
from tests.conftest import ROOT, WEDNESDAY_AFTERNOON, api_client

FIXTURE = ROOT / "tests" / "fixtures" / "infer" / "uncategorised.json"
ALIAS = "linkage-test-infer"
RECORDS = {r["id"]: r for r in json.loads(FIXTURE.read_text())}

# Any attempt to reach the network fails: the model must come from the installed package.
_OFFLINE = """
import socket
def refuse(*args, **kwargs):
    raise OSError("network used")
socket.socket.connect = refuse
socket.create_connection = refuse
from linkage.search import semantic
vectors = semantic.embed(["food pantry", "free groceries"])
print(vectors.shape[0], vectors.shape[1], round(float((vectors[0] ** 2).sum()), 3))
"""


def test_model_loads_from_the_installed_package_without_the_network(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", str(semantic.DIMENSIONS), "1.0"]
    assert not (tmp_path / ".cache" / "wordllama").exists()  # nothing fetched into a cache


def test_related_texts_are_closer_than_unrelated_ones():
    pantry, groceries, lawyer = semantic.embed(
        ["food pantry", "free groceries to take home", "a lawyer for tenants facing eviction"]
    )
    assert float(pantry @ groceries) > float(pantry @ lawyer)
    assert semantic.embed([]).shape == (0, semantic.DIMENSIONS)


def convert(record: dict, converter: Converter) -> dict:
    out = converter.convert(SourceRow("f.json", "#1", record))
    assert not out.rejections, out.rejections
    return out.documents[0]


@pytest.fixture
def converter(taxonomy) -> Converter:
    return Converter("infer", taxonomy, "America/Chicago")


def test_a_pantry_without_categories_gets_food_pantry_and_the_food_need(converter):
    doc = convert(RECORDS["pantry-1"], converter)
    assert "food-pantry" in doc["categories"]
    assert "food-insecurity" in doc["needs"]
    assert doc["category_source"] == "inferred"
    assert doc["category_inferred_from"] in ("name", "description")
    assert converter.tally["categories.inferred"] == 1


def test_source_categories_are_kept_unchanged_and_marked_source(converter):
    # Its description names groceries, but the source said counseling: that stands.
    doc = convert(RECORDS["counseling-1"], converter)
    assert doc["categories"] == ["counseling"]
    assert "food-insecurity" not in doc["needs"]
    assert doc["category_source"] == "source"
    assert "category_inferred_from" not in doc
    assert converter.tally["categories.source"] == 1
    assert converter.tally["categories.inferred"] == 0


def test_a_nonsense_record_gets_no_category(converter):
    doc = convert(RECORDS["vorple-1"], converter)
    assert doc["categories"] == []
    assert doc["category_source"] is None
    assert converter.tally["categories.none"] == 1


def test_inference_can_be_switched_off(taxonomy):
    off = Converter("infer", taxonomy, "America/Chicago", inferrer=False)
    doc = convert(RECORDS["pantry-1"], off)
    assert doc["categories"] == [] and doc["category_source"] is None
    assert off.tally["categories.none"] == 1


def test_a_word_whose_category_the_meaning_contradicts_is_not_taken(taxonomy):
    # "clinic" is a word of Clinics, but a tax clinic files tax returns.
    inferrer = CategoryInferrer(taxonomy)
    got = inferrer.infer({"name": "Tax clinic", "description": "Volunteers file tax returns."})
    assert "clinics" not in got.categories


def test_meaning_alone_counts_only_when_the_rules_allow_it(taxonomy):
    # No category word in it: the shipped rules give nothing; meaning alone, when allowed,
    # gives the closest category.
    inferrer = CategoryInferrer(taxonomy)
    record = {"name": "Evening table", "description": "A hot dinner served to anyone who comes."}
    evidence = inferrer.evidence(record)
    assert not evidence.in_name and not evidence.in_text
    assert inferrer.decide(evidence).categories == []
    open_rules = replace(inferrer.rules, semantic_min=0.0, semantic_margin=0.0)
    assert inferrer.decide(evidence, open_rules).categories == ["free-meals"]


@settings(max_examples=40, deadline=None)
@given(name=st.text(min_size=1, max_size=60), description=st.text(max_size=300))
def test_inferred_categories_are_few_known_and_never_a_parent_with_its_child(
    taxonomy, name, description
):
    inferrer = CategoryInferrer(taxonomy)
    got = inferrer.infer({"name": name, "description": description})
    assert len(got.categories) <= inferrer.rules.most
    assert all(c in taxonomy for c in got.categories)
    for c in got.categories:
        assert not set(taxonomy.ancestors_and_self(c)[1:]) & set(got.categories)
    assert (got.evidence is None) == (not got.categories)


@pytest.fixture(scope="module")
def loaded(es, tmp_path_factory, runner):
    """The fixture records loaded through the CLI into this module's own alias."""
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    report = tmp_path_factory.mktemp("infer") / "report.json"
    result = runner.invoke(
        ["load", str(FIXTURE), "--source", "infer", "--quiet", "--report", str(report)],
        env={"LINKAGE_INDEX_ALIAS": ALIAS},
    )
    assert result.exit_code == 0, result.output
    yield json.loads(report.read_text())
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


def test_the_report_counts_records_by_where_their_categories_came_from(loaded):
    tallies = loaded["tallies"]
    assert tallies["categories.source"] == 1
    assert tallies["categories.inferred"] >= 1  # the pantry (the homework club too)
    assert tallies["categories.none"] >= 1  # the nonsense record
    assert sum(v for k, v in tallies.items() if k.startswith("categories.")) == len(RECORDS)


def test_a_need_search_finds_the_inferred_pantry_and_says_why(settings, loaded):
    app = create_app(
        {"SETTINGS": replace(settings, index_alias=ALIAS), "CLOCK": lambda: WEDNESDAY_AFTERNOON}
    )
    found = (
        api_client(app)
        .get("/v1/search", query_string={"need": "food-insecurity", "near": "60623"})
        .json
    )
    by_name = {r["service_name"]: r for r in found["results"]}
    pantry = by_name["Lawndale Neighbors Pantry"]
    assert "addresses need: food-insecurity" in pantry["why"]
    assert any(w.startswith("inferred from its ") for w in pantry["why"])
    assert "Qzx Vorple" not in by_name
    assert "Southside Family Counseling" not in by_name  # its source said counseling only


def test_inferred_vectors_of_categories_are_embedded_once(taxonomy):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return semantic.embed(texts)

    inferrer = CategoryInferrer(taxonomy, embed=counting)
    for record in RECORDS.values():
        inferrer.infer(record)
    assert calls.count(len(taxonomy.categories)) == 1
    assert isinstance(inferrer.category_vectors(), np.ndarray)
