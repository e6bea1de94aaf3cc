"""The bundled sample directory and the local node the project provisions."""

import json
import subprocess

from tests.conftest import ROOT, SAMPLE

RECORDS = json.loads(SAMPLE.read_text())


def category_codes(record):
    return {
        a["taxonomy_term"]["code"]
        for a in record.get("attributes") or ()
        if a["taxonomy_term"].get("taxonomy") == "linkage"
    }


def test_sample_is_a_realistic_directory(taxonomy):
    assert len(RECORDS) >= 300
    assert len({r["id"] for r in RECORDS}) == len(RECORDS)
    used = set().union(*(category_codes(r) for r in RECORDS))
    leaves = {c for c in taxonomy.categories if not taxonomy.children(c)}
    assert leaves <= used, f"categories without a sample service: {leaves - used}"
    zips = {
        sal["location"]["addresses"][0]["postal_code"]
        for r in RECORDS
        for sal in r.get("service_at_locations") or ()
        if sal.get("location", {}).get("addresses")
    }
    assert {"60623", "60608", "60612"} <= zips


def test_sample_has_the_hard_cases(sample_index, es, settings):
    def count(query):
        return es.count(index=settings.index_alias, query=query)["count"]

    assert count({"term": {"confidential": True}}) >= 2
    assert count({"bool": {"must_not": {"exists": {"field": "location"}}}}) >= 6
    assert count({"term": {"service_areas": "state:IL"}}) >= 3
    assert count({"bool": {"must_not": {"term": {"timezone": "America/Chicago"}}}}) >= 3
    assert count({"range": {"eligibility.min_age": {"gte": 60}}}) >= 3
    assert count({"term": {"languages": "es"}}) >= 100


def test_index_uses_english_stemming_the_node_offers(sample_index):
    # The minimal build has no stemmer module; the project installs hunspell en_US for it.
    assert sample_index.analysis in {"english-stemmer", "hunspell-en_US"}


def test_node_status_reports_version_health_and_data_path():
    out = subprocess.run(
        [str(ROOT / "scripts" / "elasticsearch"), "status"],
        capture_output=True,
        text=True,
        check=False,
    )
    if "127.0.0.1" not in out.stdout:  # tests pointed at another cluster
        return
    assert out.returncode == 0
    assert "Elasticsearch 9." in out.stdout and "data path" in out.stdout
    assert " is green" in out.stdout or " is yellow" in out.stdout
