"""Places: ZIP codes offline, coordinates, and addresses only through a configured geocoder."""

import pytest
from geopy.distance import geodesic
from hypothesis import given
from hypothesis import strategies as st

from linkage.places import (
    AmbiguousPlace,
    PlaceError,
    PlaceResolver,
    miles_between,
    valid_coordinates,
    zip_place,
)

resolver = PlaceResolver(geocoder=None)


def test_zip_code_needs_no_network():
    place = resolver.resolve("60623")
    assert (place.state, place.county, place.timezone, place.precision) == (
        "IL",
        "Cook",
        "America/Chicago",
        "zip",
    )
    assert 41.7 < place.lat < 42.0 and -87.8 < place.lon < -87.6


def test_zip_plus_four_is_accepted():
    assert resolver.resolve("60623-1234").postal_code == "60623"


def test_coordinates_learn_their_county_and_state():
    place = resolver.resolve("41.8781, -87.6298")
    assert (place.state, place.county, place.precision) == ("IL", "Cook", "point")


@pytest.mark.parametrize(
    "near, says",
    [
        ("00000", "not a known US ZIP code"),
        ("95.0,10.0", "coordinates must be"),
        ("12", "'12' is not a place we know; try a 5-digit ZIP code"),
        ("1600 Pennsylvania Ave, Washington DC", "no geocoder is configured"),
    ],
)
def test_unusable_places_say_why(near, says):
    with pytest.raises(PlaceError, match=says):
        resolver.resolve(near)


@pytest.mark.parametrize(
    "near, label, county",
    [
        ("Springfield, IL", "Springfield, IL", "Sangamon"),
        ("springfield,il", "Springfield, IL", "Sangamon"),
        ("St. Louis, MO", "Saint Louis, MO", "St. Louis"),  # USPS spells out 'Saint'
        ("Chicago", "Chicago, IL", "Cook"),  # a city of one state needs no state
    ],
)
def test_a_city_is_found_offline_by_its_zip_codes(near, label, county):
    place = resolver.resolve(near)
    assert (place.label, place.county, place.precision) == (label, county, "city")
    # Near its middle: within a few miles of the ZIP its county and ZIP code come from.
    centre = zip_place(place.postal_code)
    assert miles_between((place.lat, place.lon), (centre.lat, centre.lon)) < 5


def test_a_city_in_several_states_names_them():
    with pytest.raises(AmbiguousPlace) as raised:
        resolver.resolve("Springfield")
    assert {"Springfield, IL", "Springfield, MA", "Springfield, MO"} <= set(raised.value.candidates)
    assert "'City, ST'" in str(raised.value)


@pytest.mark.parametrize("near", ["Springfield, XX", "Nowhere Town", "Atlantis, IL"])
def test_an_unknown_city_says_so_without_a_geocoder(near):
    with pytest.raises(PlaceError, match="not a US city we know; try a 5-digit ZIP code"):
        resolver.resolve(near)


def test_placeholder_and_out_of_range_coordinates_are_invalid():
    assert not valid_coordinates(0, 0)
    assert not valid_coordinates(100, 101)  # the HSDS 3.0 example location
    assert valid_coordinates(41.85, -87.71)


@given(st.floats(-80, 80), st.floats(-179, 179), st.floats(-80, 80), st.floats(-179, 179))
def test_result_distances_agree_with_geopy(lat1, lon1, lat2, lon2):
    ours = miles_between((lat1, lon1), (lat2, lon2))
    reference = geodesic((lat1, lon1), (lat2, lon2)).miles
    assert abs(ours - reference) <= 0.006 * reference + 0.01  # sphere vs ellipsoid
