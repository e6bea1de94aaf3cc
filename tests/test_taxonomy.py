"""The project taxonomy file and recognising categories in the words people use."""

import json

from linkage.config import DATA_DIR


def test_every_parent_exists_and_codes_are_unique(taxonomy):
    raw = json.loads((DATA_DIR / "taxonomy.json").read_text())["categories"]
    codes = [c["code"] for c in raw]
    assert len(codes) == len(set(codes))
    assert all(c["parent"] in taxonomy for c in raw if c["parent"])


def test_every_crosswalk_need_is_addressed(taxonomy):
    crosswalk = {
        "homelessness",
        "housing-instability",
        "inadequate-housing",
        "food-insecurity",
        "transportation-insecurity",
        "utility-insecurity",
        "intimate-partner-violence",
        "elder-abuse",
        "financial-insecurity",
        "material-hardship",
        "medical-cost-burden",
        "health-insurance-coverage-status",
        "employment-status",
        "educational-attainment",
        "social-connection",
        "stress",
        "veteran-status",
        "incarceration-status",
        "language-access",
        "digital-access",
    }
    assert crosswalk <= taxonomy.all_needs()


def test_colloquial_words_name_categories(taxonomy):
    assert [m.category for m in taxonomy.recognise("Need a food bank near me")] == ["food-pantry"]
    assert [m.category for m in taxonomy.recognise("help with the LIGHT BILL")] == [
        "utility-assistance"
    ]
    assert [m.category for m in taxonomy.recognise("soup kitchen or meals on wheels")] == [
        "free-meals",
        "home-delivered-meals",
    ]


def test_longest_phrase_wins_and_words_are_used_once(taxonomy):
    matches = taxonomy.recognise("food bank")
    assert len(matches) == 1 and matches[0].term == "food bank"


def test_unrelated_text_names_no_category(taxonomy):
    assert taxonomy.recognise("zzz qqq") == []
    assert taxonomy.recognise("") == []


def test_parent_includes_children(taxonomy):
    assert taxonomy.ancestors_and_self("food-pantry") == ["food-pantry", "food"]
    assert "food-pantry" in taxonomy.children("food")


def test_tree_lists_every_category_once(taxonomy):
    seen = []

    def walk(nodes):
        for node in nodes:
            seen.append(node["code"])
            walk(node["children"])

    walk(taxonomy.tree())
    assert sorted(seen) == sorted(taxonomy.categories)


def test_every_category_has_a_spanish_name_of_its_own(taxonomy):
    # The page and widget in Spanish name categories by these (GET /v1/categories, name_es).
    names = {c.code: c.name_es for c in taxonomy.categories.values()}
    assert all(names.values()), [code for code, name in names.items() if not name]
    assert len(set(names.values())) == len(names)
    assert names["food-pantry"] == "Despensa de comida" and names["rent-assistance"]
