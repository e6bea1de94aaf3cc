"""Query building is pure: a validated search request → the Elasticsearch body."""

from datetime import UTC, datetime

from linkage.places import zip_place
from linkage.search.filters import open_now_filter
from linkage.search.queries import SearchRequest, build_query, text_query

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # Wednesday 3 PM in Chicago


def filters_of(body):
    query = body["query"]
    if "function_score" in query:
        query = query["function_score"]["query"]
    return query["bool"]["filter"]


def test_inactive_services_are_never_searched():
    body = build_query(SearchRequest(), NOW, [])
    assert {"term": {"status": "active"}} in filters_of(body)


def test_place_keeps_nearby_doors_and_services_that_serve_its_areas():
    place = zip_place("60623")
    body = build_query(SearchRequest(place=place, radius_miles=5), NOW, [])
    place_filter = filters_of(body)[-1]["bool"]["should"]
    assert place_filter[0]["geo_distance"]["distance"] == "5mi"
    served = place_filter[1]["terms"]["service_areas"]
    assert served == ["zip:60623", "county:IL:Cook", "state:IL"]
    assert place_filter[2] == {"term": {"service_areas": "nationwide"}}


def test_relevance_decays_with_distance_and_distance_sort_sorts_by_it():
    place = zip_place("60623")
    relevance = build_query(SearchRequest(q="food", place=place), NOW, [])
    assert "function_score" in relevance["query"]
    by_distance = build_query(SearchRequest(q="food", place=place, sort="distance"), NOW, [])
    assert "_geo_distance" in by_distance["sort"][0]


def test_recognised_categories_widen_the_text_match():
    from linkage.taxonomy import TermMatch

    named = (TermMatch("food-pantry", "food bank"), TermMatch("legal", "lawyer"))
    req = SearchRequest(q="food bank lawyer", recognised=named)
    should = text_query(req)["bool"]["must"][0]["bool"]["should"]
    boosts = [c["constant_score"] for c in should if "constant_score" in c]
    # one flat score per category named: a record that is all of them ranks above a part
    assert [b["filter"]["term"]["category_tree"] for b in boosts] == ["food-pantry", "legal"]
    assert any("fuzziness" in c.get("multi_match", {}) for c in should)


def test_age_filter_lets_missing_limits_match():
    body = build_query(SearchRequest(age=67), NOW, [])
    age_filter = next(f for f in filters_of(body) if "must_not" in f.get("bool", {}))
    assert age_filter["bool"]["must_not"] == [
        {"range": {"eligibility.min_age": {"gt": 67}}},
        {"range": {"eligibility.max_age": {"lt": 67}}},
    ]


def test_open_now_checks_each_time_zone_at_its_local_minute():
    clauses = open_now_filter(NOW, ["America/Chicago", "America/Los_Angeles"])["bool"]["should"]
    minutes = {
        c["bool"]["filter"][0]["term"]["timezone"]: c["bool"]["filter"][1]["term"]["open_minutes"]
        for c in clauses
    }
    assert minutes == {
        "America/Chicago": 2 * 1440 + 15 * 60,
        "America/Los_Angeles": 2 * 1440 + 13 * 60,
    }


def test_paging():
    body = build_query(SearchRequest(page=3, per_page=25), NOW, [])
    assert (body["from"], body["size"]) == (50, 25)
