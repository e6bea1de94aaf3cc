"""The filters, sorts and facets of a search as Elasticsearch bodies: pure, no cluster."""

from datetime import UTC, datetime

from linkage.places import zip_place
from linkage.search.facets import COUNTS, SHOWN
from linkage.search.filters import open_on_filter, taxonomy_filter
from linkage.search.queries import SearchRequest, build_query, weekday

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def test_open_on_a_weekday_is_any_minute_of_that_day_or_the_minute_asked():
    assert open_on_filter("TU") == {
        "range": {"open_minutes": {"gte": 1440, "lt": 2880, "relation": "intersects"}}
    }
    assert open_on_filter("SU", 9 * 60 + 30) == {"term": {"open_minutes": 6 * 1440 + 570}}
    assert (weekday("saturday"), weekday("SA"), weekday(None)) == ("SA", "SA", None)


def test_taxonomy_matches_any_prefix_in_upper_case():
    should = taxonomy_filter(["bd-1800", "LR"])["bool"]["should"]
    assert should == [{"prefix": {"codes_211": "BD-1800"}}, {"prefix": {"codes_211": "LR"}}]


def test_narrowings_are_post_filters_and_each_facet_counts_under_the_others_only():
    req = SearchRequest(fees=("free",), serves=("veterans", "seniors"))
    body = build_query(req, NOW, [])
    fees = {"terms": {"fees": ["free"]}}
    serves = {"terms": {"eligibility.tags": ["veterans", "seniors"]}}
    assert body["post_filter"] == {"bool": {"filter": [serves, fees]}}
    aggs = body["aggs"]
    # the shown facets count under every narrowing
    assert aggs[SHOWN]["filter"] == body["post_filter"] and "categories" in aggs[SHOWN]["aggs"]
    # a narrowing's facet under the others, never its own
    assert aggs["fees"]["filter"] == serves
    assert aggs["fees"]["aggs"][COUNTS] == {"terms": {"field": "fees", "size": 100}}
    assert aggs["serves"]["filter"] == fees
    # a facet with no narrowing besides its own... or none: counted unfiltered
    assert aggs["delivery"]["filter"] == body["post_filter"]
    assert "filter" not in build_query(SearchRequest(), NOW, [])["aggs"]["fees"]


def test_reach_is_one_narrowing_among_the_others():
    place = zip_place("60623")
    body = build_query(SearchRequest(place=place, reach=("local",), fees=("fee",)), NOW, [])
    fee = {"terms": {"fees": ["fee"]}}
    narrowed = body["post_filter"]["bool"]["filter"]
    assert len(narrowed) == 2 and fee in narrowed  # the fees and the reaches asked for
    assert body["aggs"]["reach"]["filter"] == fee
    assert "filters" in body["aggs"]["reach"]["aggs"][COUNTS]


def test_sort_by_name_or_organization():
    assert [list(s) for s in build_query(SearchRequest(sort="name"), NOW, [])["sort"]] == [
        ["service_name.sort"],
        ["organization_name.sort"],
    ]
    by_org = build_query(SearchRequest(sort="organization", place=zip_place("60623")), NOW, [])
    assert list(by_org["sort"][0]) == ["organization_name.sort"]
