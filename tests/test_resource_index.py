"""ResourceIndex on the real node: one search of a multi-search failing, documents by id, no
index loaded yet, and the time zones kept in the mapping."""

from __future__ import annotations

from dataclasses import replace

import pytest
from elasticsearch import NotFoundError

from linkage.search.client import SearchFailed
from linkage.search.index import IndexMeta, ResourceIndex


@pytest.fixture
def resources(es, settings, sample_index) -> ResourceIndex:
    return ResourceIndex(settings, client=es)


@pytest.fixture
def nothing_loaded(es, settings) -> ResourceIndex:
    return ResourceIndex(replace(settings, index_alias=f"{settings.index_alias}-never-loaded"), es)


def _all_documents(es, settings) -> list[dict]:
    hits = es.search(index=settings.index_alias, size=5000, query={"match_all": {}})
    return [h["_source"] for h in hits["hits"]["hits"]]


def test_msearch_answers_each_search_in_order(resources, es, settings):
    food = {"term": {"categories": "food-pantry"}}
    responses = resources.msearch([{}, {"query": {"match_all": {}}}, {}, {"query": food}])
    totals = [r["hits"]["total"]["value"] for r in responses]
    assert totals == [
        es.count(index=settings.index_alias)["count"],
        es.count(index=settings.index_alias, query=food)["count"],
    ]
    assert 0 < totals[1] < totals[0]


def test_msearch_fails_when_one_search_fails(resources):
    """Elasticsearch answers the good search and an error for the bad one (a date it cannot
    read fails on the shards, not in parsing the request): all fail."""
    bad_date = {"range": {"last_verified": {"gte": "not a date"}}}
    with pytest.raises(SearchFailed, match="search_phase_execution_exception"):
        resources.msearch([{}, {"query": {"match_all": {}}}, {}, {"query": bad_date}])


def test_a_document_by_id(resources, es, settings):
    doc = _all_documents(es, settings)[0]
    assert resources.document(doc["id"]) == doc
    trimmed = resources.document(doc["id"], excludes=["description", "phones"])
    assert trimmed == {k: v for k, v in doc.items() if k not in ("description", "phones")}
    assert resources.document("no-such-document") is None


def test_nothing_loaded_yet(nothing_loaded):
    assert nothing_loaded.indices() == []
    assert nothing_loaded.document("any", missing_index_ok=True) is None
    with pytest.raises(NotFoundError):
        nothing_loaded.document("any")


def test_the_alias_and_its_indices(resources, es, settings):
    (index,) = resources.indices()  # the sample is one source
    assert index.startswith(f"{settings.index_alias}--sample--")
    assert resources.count() == len(_all_documents(es, settings))
    assert resources.source_indices("sample") == [index]
    assert resources.source_indices("samp") == []  # a source's name is matched whole
    assert resources.metas()[index].source == "sample"


def test_a_sources_indices_are_named_oldest_first(es):
    resources = ResourceIndex.on(es, "linkage-resources")  # names only: no request
    first = resources.new_index_name("east-side")
    later = resources.new_index_name("east-side")
    assert first.startswith("linkage-resources--east-side--") and first <= later
    # An index whose _meta no load finished (or an older version's) is known by its name.
    assert resources.source_of(later, IndexMeta.of({"mappings": {}})) == "east-side"
    assert resources.source_of(later, IndexMeta(source="other")) == "other"


def test_time_zones_are_those_of_the_documents(resources, es, settings):
    zones = sorted({d["timezone"] for d in _all_documents(es, settings) if d.get("timezone")})
    assert zones
    assert resources.timezones() == zones
