"""Places: ZIP codes, cities, coordinates and addresses turned into a point and its areas.

ZIP codes and cities never need the network (the `zipcodes` package ships the USPS list with
each ZIP's city, centroid, county and time zone); street addresses go through a configurable
geopy geocoder.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

import zipcodes
from geopy.distance import great_circle

METERS_PER_MILE = 1609.344
_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
_LATLON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
# "Springfield, IL": a city's name (no digits) and a two-letter state.
_CITY_STATE = re.compile(r"^(?P<city>[^\d,]+?)\s*,\s*(?P<state>[A-Za-z]{2})$")
_CITY = re.compile(r"^[A-Za-z][A-Za-z .'-]*$")
# The abbreviations people type for the words USPS city names spell out.
_CITY_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
_COUNTY_SUFFIX = re.compile(r"\s+(County|Parish|Borough|Census Area|Municipality)$")
# What the messages for a place not understood offer as an example of 'City, ST'.
EXAMPLE_CITY = "'Springfield, IL'"


class PlaceError(ValueError):
    """`near` could not be turned into a place; the message says why, for the person asking."""


class AmbiguousPlace(PlaceError):
    """`near` names a city found in several states: the request must say which."""

    def __init__(self, city: str, states: list[str]):
        self.candidates = [f"{city}, {state}" for state in states]
        super().__init__(
            f"'{city}' is a city in {len(states)} states; say which, as 'City, ST': "
            + "; ".join(self.candidates)
        )


class GeocoderUnavailable(RuntimeError):
    """The address geocoder did not answer."""


# Service-area keys (data/README.md, "Service area"): `zip:60623`, `county:IL:Cook`,
# `state:IL`, `nationwide`. Documents list the areas a service serves, a place the areas it
# lies in; the indexer, search and the HSDS export share this one scheme.
AREA_ZIP, AREA_COUNTY, AREA_STATE, NATIONWIDE = "zip", "county", "state", "nationwide"
AREA_KEY = re.compile(
    rf"^({AREA_ZIP}:\d{{5}}|{AREA_COUNTY}:[A-Z]{{2}}:[^:]+|{AREA_STATE}:[A-Z]{{2}}|{NATIONWIDE})$"
)


def zip_area(postal_code: str) -> str:
    return f"{AREA_ZIP}:{postal_code}"


def county_area(state: str, county: str) -> str:
    return f"{AREA_COUNTY}:{state}:{county}"


def state_area(state: str) -> str:
    return f"{AREA_STATE}:{state}"


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    label: str
    # "zip" centroid, "city" (the mean of its ZIP centroids), "point" given as coordinates,
    # or "address"
    precision: str
    postal_code: str | None = None
    county: str | None = None
    state: str | None = None
    timezone: str | None = None

    def area_keys(self) -> list[str]:
        """Service-area keys that contain this place, as the indexer writes them."""
        keys = []
        if self.postal_code:
            keys.append(zip_area(self.postal_code))
        if self.state and self.county:
            keys.append(county_area(self.state, self.county))
        if self.state:
            keys.append(state_area(self.state))
        keys.append(NATIONWIDE)
        return keys


def county_name(raw: str) -> str:
    """The county's name as area keys spell it: 'Harford County' → 'Harford'; one spelling for
    the ZIP list's variants ('Baltimore city' and 'Baltimore City', 'St Mary's' and 'St. Mary's')."""
    name = _COUNTY_SUFFIX.sub("", " ".join(raw.split()))
    name = re.sub(r"\bcity$", "City", name)
    return re.sub(r"^St\.? ", "St. ", name)


def valid_coordinates(lat: float, lon: float) -> bool:
    """Inside the globe and not the (0, 0) placeholder many exports use for 'unknown'."""
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


@cache
def _zip_table() -> dict[str, dict]:
    return {z["zip_code"]: z for z in zipcodes.list_all() if z["lat"] and z["long"]}


def load() -> None:
    """Read the ZIP database now (it is otherwise read on the first search that needs it)."""
    _zip_grid()
    _city_states()


@cache
def _zip_grid() -> dict[tuple[int, int], list[tuple[float, float, dict]]]:
    """ZIP centroids bucketed by whole degrees, for nearest-ZIP lookups."""
    grid: dict[tuple[int, int], list[tuple[float, float, dict]]] = {}
    for z in _zip_table().values():
        lat, lon = float(z["lat"]), float(z["long"])
        grid.setdefault((math.floor(lat), math.floor(lon)), []).append((lat, lon, z))
    return grid


def _place_from_zip(z: dict, lat: float, lon: float, label: str, precision: str) -> Place:
    return Place(
        lat=lat,
        lon=lon,
        label=label,
        precision=precision,
        postal_code=z["zip_code"],
        county=county_name(z["county"]) if z["county"] else None,
        state=z["state"],
        timezone=z["timezone"] or None,
    )


def zip_place(code: str) -> Place | None:
    """The centroid and areas of a US ZIP code, or None when it is not a known ZIP."""
    z = _zip_table().get(code[:5])
    if z is None:
        return None
    return _place_from_zip(
        z, float(z["lat"]), float(z["long"]), f"{z['city']}, {z['state']} {code[:5]}", "zip"
    )


def nearest_zip(lat: float, lon: float, max_miles: float = 30.0) -> dict | None:
    """The ZIP whose centroid is closest to a point (to learn its county and state)."""
    # Rank candidates by a flat-earth approximation (cheap, exact enough at this scale),
    # then measure only the winner on the sphere.
    shrink = math.cos(math.radians(lat)) ** 2
    cell_lat, cell_lon = math.floor(lat), math.floor(lon)
    candidates = [
        z
        for dlat in (-1, 0, 1)
        for dlon in (-1, 0, 1)
        for z in _zip_grid().get((cell_lat + dlat, cell_lon + dlon), ())
    ]
    if not candidates:
        return None
    best_lat, best_lon, best = min(
        candidates, key=lambda c: (c[0] - lat) ** 2 + shrink * (c[1] - lon) ** 2
    )
    if great_circle((lat, lon), (best_lat, best_lon)).miles > max_miles:
        return None
    return best


def point_place(lat: float, lon: float, label: str, precision: str = "point") -> Place:
    z = nearest_zip(lat, lon)
    if z is None:
        return Place(lat=lat, lon=lon, label=label, precision=precision)
    return _place_from_zip(z, lat, lon, label, precision)


def city_key(name: str) -> str:
    """A city's name as the city index spells it: lower case, no periods, 'St' as 'saint'."""
    words = name.lower().replace(".", " ").split()
    return " ".join(_CITY_ABBREVIATIONS.get(w, w) if i == 0 else w for i, w in enumerate(words))


@cache
def _city_table() -> dict[tuple[str, str], list[dict]]:
    """The ZIP codes of each (city key, state), as USPS names their city."""
    table: dict[tuple[str, str], list[dict]] = {}
    for z in _zip_table().values():
        table.setdefault((city_key(z["city"]), z["state"]), []).append(z)
    return table


@cache
def _city_states() -> dict[str, list[str]]:
    """The states that have a city of each name, in alphabetical order."""
    states: dict[str, set[str]] = {}
    for key, state in _city_table():
        states.setdefault(key, set()).add(state)
    return {key: sorted(found) for key, found in states.items()}


def city_states(city: str) -> list[str]:
    """The states with a city of this name (none when the ZIP list knows no such city)."""
    return _city_states().get(city_key(city), [])


def city_place(city: str, state: str) -> Place | None:
    """A city: the mean of its ZIP codes' centroids (street ZIPs, when it has any, not PO
    boxes), with the county, time zone and ZIP of its ZIP nearest that point."""
    zips = _city_table().get((city_key(city), state.upper()))
    if not zips:
        return None
    street = [z for z in zips if z["zip_code_type"] == "STANDARD"] or zips
    lat = sum(float(z["lat"]) for z in street) / len(street)
    lon = sum(float(z["long"]) for z in street) / len(street)
    central = min(
        street, key=lambda z: miles_between((lat, lon), (float(z["lat"]), float(z["long"])))
    )
    return _place_from_zip(central, lat, lon, f"{central['city']}, {central['state']}", "city")


@cache
def _state_timezones() -> dict[str, str]:
    zones: dict[str, Counter] = {}
    for z in _zip_table().values():
        if z["timezone"]:
            zones.setdefault(z["state"], Counter())[z["timezone"]] += 1
    return {state: counts.most_common(1)[0][0] for state, counts in zones.items()}


def state_timezone(state: str) -> str | None:
    """The time zone most of a state's ZIP codes use."""
    return _state_timezones().get(state)


class PlaceResolver:
    """Turns the `near` parameter into a Place; geocodes addresses with the configured geocoder."""

    def __init__(self, geocoder=None):
        self.geocoder = geocoder

    def resolve(self, near: str) -> Place:
        text = near.strip()
        if _ZIP.match(text):
            place = zip_place(text)
            if place is None:
                raise PlaceError(f"'{text[:5]}' is not a known US ZIP code")
            return place
        if m := _LATLON.match(text):
            lat, lon = float(m.group(1)), float(m.group(2))
            if not valid_coordinates(lat, lon):
                raise PlaceError("coordinates must be 'lat,lon' with -90..90 and -180..180")
            return point_place(lat, lon, f"{lat:.5f},{lon:.5f}")
        if m := _CITY_STATE.match(text):
            city, state = " ".join(m["city"].split()), m["state"].upper()
            if place := city_place(city, state):
                return place
            if self.geocoder is None:
                raise PlaceError(
                    f"'{city}, {state}' is not a US city we know; try a 5-digit ZIP code, "
                    f"'City, ST' (e.g. {EXAMPLE_CITY}) or 'lat,lon' coordinates"
                )
            return self._geocode(text)
        if _CITY.match(text):
            city = " ".join(text.split())
            states = city_states(city)
            if len(states) > 1:
                raise AmbiguousPlace(city, states)
            if states:
                return city_place(city, states[0])
            if self.geocoder is None and len(city) >= 4:
                raise PlaceError(
                    f"'{city}' is not a US city we know; try a 5-digit ZIP code, 'City, ST' "
                    f"(e.g. {EXAMPLE_CITY}) or 'lat,lon' coordinates"
                )
        if not re.search(r"[A-Za-z]", text) or len(text) < 4:
            raise PlaceError(
                f"'{text[:20]}' is not a place we know; try a 5-digit ZIP code, 'City, ST' "
                f"(e.g. {EXAMPLE_CITY}), 'lat,lon' coordinates or a street address"
            )
        return self._geocode(text)

    def _geocode(self, address: str) -> Place:
        if self.geocoder is None:
            raise PlaceError(
                "street addresses cannot be looked up here (no geocoder is configured); "
                "give a 5-digit ZIP code, 'City, ST' or 'lat,lon' coordinates"
            )
        from geopy.exc import GeopyError  # noqa: PLC0415 (geopy loads only where a geocoder is on)

        try:
            found = self.geocoder.geocode(address, exactly_one=True, country_codes="us")
        except GeopyError as exc:
            raise GeocoderUnavailable(str(exc)) from exc
        if found is None:
            raise PlaceError("that address could not be found")
        return point_place(found.latitude, found.longitude, found.address, "address")


def make_geocoder(settings):
    """The configured geopy geocoder, or None when address lookup is off."""
    if settings.geocoder == "none":
        return None
    if settings.geocoder == "nominatim":
        from geopy.geocoders import Nominatim  # noqa: PLC0415 (as above)

        options = {"user_agent": settings.geocoder_user_agent, "timeout": settings.geocoder_timeout}
        if settings.geocoder_domain:
            options.update(domain=settings.geocoder_domain, scheme=settings.geocoder_scheme)
        return Nominatim(**options)
    raise ValueError(f"unknown LINKAGE_GEOCODER {settings.geocoder!r} (use 'none' or 'nominatim')")


EARTH_RADIUS_MILES = 3958.7613


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine). Written out because it runs for every result on
    the search hot path, where geopy's Point parsing cost more than the search itself."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(h))


def zips_within(lat: float, lon: float, metres: float) -> list[str]:
    """ZIP codes whose centroid lies within `metres` of a point."""
    miles = metres / METERS_PER_MILE
    dlat = miles / 69.0 + 1
    dlon = miles / max(69.0 * math.cos(math.radians(min(abs(lat), 89.0))), 1e-6) + 1
    grid = _zip_grid()
    found = []
    lat_cells = range(math.floor(lat - dlat), math.floor(lat + dlat) + 1)
    lon_cells = range(math.floor(lon - dlon), math.floor(lon + dlon) + 1)
    if len(lon_cells) > 360:
        lon_cells = range(-180, 181)
    for cell in itertools.product(lat_cells, lon_cells):
        for zlat, zlon, z in grid.get(cell, ()):
            if miles_between((lat, lon), (zlat, zlon)) <= miles:
                found.append(z["zip_code"])
    return found
