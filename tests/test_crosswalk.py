"""Source taxonomy terms → project categories."""

import pytest

from indexer.crosswalk import Crosswalk


@pytest.fixture
def crosswalk(taxonomy, tmp_path):
    codes = tmp_path / "211.csv"
    codes.write_text(
        "code_prefix,category\nBD-1800,food-pantry\nBD,food\nBH-1800.8500,emergency-shelter\n"
    )
    return Crosswalk.from_file_211(taxonomy, codes)


def test_project_codes_pass_through(crosswalk):
    assert crosswalk.categories({"taxonomy": "linkage", "code": "food-pantry"}) == ["food-pantry"]
    assert crosswalk.categories({"taxonomy": "linkage", "code": "nope"}) == []


def test_211_codes_map_by_longest_prefix(crosswalk):
    assert crosswalk.categories({"taxonomy": "211", "code": "BD-1800.2000"}) == ["food-pantry"]
    assert crosswalk.categories({"taxonomy": "AIRS", "code": "BD-5000"}) == [
        "food"
    ]  # parent covers children
    assert crosswalk.categories({"taxonomy": "211", "code": "ZZ-1"}) == []


def test_open_eligibility_names_plurals_and_parents(crosswalk):
    assert crosswalk.categories({"taxonomy": "open-eligibility", "name": "Food Pantry"}) == [
        "food-pantry"
    ]
    assert crosswalk.categories({"taxonomy": "ohana-keywords", "name": "Food Pantries"}) == [
        "food-pantry"
    ]
    unknown_child = {
        "taxonomy": "open-eligibility",
        "name": "Something Unlisted",
        "parent_name": "Food Pantry",
    }
    assert crosswalk.categories(unknown_child) == ["food-pantry"]
    assert crosswalk.categories({"taxonomy": "open-eligibility", "name": "Zebra Grooming"}) == []


def test_a_211_file_naming_an_unknown_category_is_refused(taxonomy, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code_prefix,category\nBD,snacks\n")
    with pytest.raises(ValueError, match="unknown category 'snacks'"):
        Crosswalk.from_file_211(taxonomy, bad)
