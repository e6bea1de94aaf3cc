"""Match query building is pure: need, client and options → the Elasticsearch body."""

from datetime import UTC, datetime

from linkage.places import zip_place
from linkage.screening.needs import Need, need_vocabulary
from linkage.search.eligibility import Client
from linkage.search.match import LANGUAGE_WEIGHT, groups_for, need_query

NOW = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)


def food_group(taxonomy):
    need = Need("food-insecurity", "Food insecurity", 2)
    return groups_for([need], [], taxonomy, need_vocabulary())[0]


def functions(body):
    return body["query"]["function_score"]["functions"]


def test_language_outweighs_everything_else_together(taxonomy):
    client = Client(place=zip_place("60623"), languages=("es",))
    body = need_query(food_group(taxonomy), client, 10, NOW, ["America/Chicago"], 5)
    weights = [f["weight"] for f in functions(body)]
    assert weights[0] == LANGUAGE_WEIGHT and sum(weights[1:]) < LANGUAGE_WEIGHT
    assert body["query"]["function_score"]["score_mode"] == "sum"


def test_need_group_filters_on_the_need_and_prefers_its_own_categories(taxonomy):
    group = food_group(taxonomy)
    assert group.filter == {"term": {"needs": "food-insecurity"}}
    assert "food-pantry" in group.primary and "food-pantry" in group.categories
    body = need_query(group, Client(), 10, NOW, [], 5)
    fit = [
        f
        for f in functions(body)
        if "terms" in f.get("filter", {}) and "categories" in f["filter"]["terms"]
    ]
    assert fit and set(fit[0]["filter"]["terms"]["categories"]) == set(group.primary)


def test_named_categories_and_needs_become_groups(taxonomy):
    groups = groups_for([], ["food", "utility-insecurity"], taxonomy, need_vocabulary())
    assert [g.key for g in groups] == ["food", "utility-insecurity"]
    assert groups[0].filter == {"term": {"category_tree": "food"}}
    assert groups[1].filter == {"term": {"needs": "utility-insecurity"}}


def test_eligibility_filters_are_dropped_only_when_asked(taxonomy):
    client = Client(age=30)
    strict = need_query(food_group(taxonomy), client, 10, NOW, [], 5)
    loose = need_query(food_group(taxonomy), client, 10, NOW, [], 5, include_ineligible=True)
    assert (
        len(strict["query"]["function_score"]["query"]["bool"]["filter"])
        == len(loose["query"]["function_score"]["query"]["bool"]["filter"]) + 1
    )


def test_open_soon_looks_two_hours_ahead_in_local_time(taxonomy):
    body = need_query(food_group(taxonomy), Client(), 10, NOW, ["America/Chicago"], 5)
    soon = next(f for f in functions(body) if "bool" in f.get("filter", {}))
    window = soon["filter"]["bool"]["should"][0]["bool"]["filter"][1]["range"]["open_minutes"]
    assert window == {
        "gte": 2 * 1440 + 15 * 60,
        "lte": 2 * 1440 + 17 * 60,
        "relation": "intersects",
    }
