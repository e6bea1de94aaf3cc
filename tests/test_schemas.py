"""The API's request schemas on their own: the checks that need no cluster."""

import pytest

from linkage.api.schemas.search import SearchArgs

NEEDS_A_PLACE = "radius, reach and sort=distance need a place in `near`"


@pytest.mark.parametrize(
    "params",
    [{"radius": "5"}, {"sort": "distance"}, {"reach": ["local"]}, {"radius": "1", "q": "x"}],
)
def test_distance_without_a_place_is_refused_naming_near(params):
    assert SearchArgs().validate(params) == {"near": [NEEDS_A_PLACE]}


@pytest.mark.parametrize(
    "params",
    [{"near": "60623", "radius": "5"}, {"near": "60623", "sort": "distance"}, {"q": "food"}, {}],
)
def test_distance_with_a_place_or_no_distance_at_all_is_accepted(params):
    assert SearchArgs().validate(params) == {}


def test_an_unknown_parameter_is_refused():
    assert SearchArgs().validate({"colour": "blue"}) == {"colour": ["Unknown field."]}
