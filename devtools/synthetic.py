"""HSDS 3.0 record builders, and synthetic service directories of any size.

Two uses share this module:

* ``devtools/make_sample_directory.py`` builds the curated Chicago sample from the small
  builders here (``build_service``, ``build_location``, ``attribute``, ``schedule``, ...).
* ``generate_services(count, seed)`` streams realistic random directories over real US ZIP
  codes for load tests and benchmarks::

      python -m devtools.synthetic --count 100000 --seed 1 --out /tmp/x.json [--ndjson]

The words records are made of (service nouns and phrases per category, places, streets,
hours, per-category rules) are data files in ``data/synthetic/``, read by ``load_vocabulary``
from the data directory (``LINKAGE_DATA_DIR`` through ``linkage.config``). A development
tool: not part of the installed packages.

Every record is an HSDS 3.0 *full service* record following the conventions in
``data/README.md`` (categories, eligibility, fees and flags as attributes; hours as weekly
schedules; service areas as ``zip:``/``county:``/``state:``/``nationwide`` text extents).
Everything is deterministic: ids are uuid5 of a fixed namespace and a stable key, randomness
comes from a seeded ``random.Random``, and dates count back from a fixed ``AS_OF`` date, never
from the clock. Records are generated one at a time, so memory stays flat at any count.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import IO, NamedTuple

import click
import zipcodes

from linkage.config import DATA_DIR, Settings
from linkage.hours import DAYS
from linkage.hsds.conventions import (
    ACTIVE,
    CATEGORIES,
    CONFIDENTIAL,
    DEFUNCT,
    ELIGIBILITY,
    FEES,
    FLAGS,
    INACTIVE,
    INCOME,
    STATUSES,
    TEMPORARILY_CLOSED,
)
from linkage.languages import language_name
from linkage.places import (
    AREA_KEY,
    NATIONWIDE,
    county_area,
    county_name,
    state_area,
    valid_coordinates,
    zip_area,
)
from linkage.taxonomy import Taxonomy, load_taxonomy

# ---------------------------------------------------------------------------------------------
# Vocabularies: categories and eligibility tags come from the taxonomy (data/taxonomy.json,
# data/eligibility.json), the words records are made of from data/synthetic/ (Vocabulary).
# ---------------------------------------------------------------------------------------------

#: Fixed namespace of every id this module makes: ``make_id`` = uuid5(NAMESPACE, key).
NAMESPACE = uuid.UUID("5b0f1c3e-7a52-5d8e-9c41-6c1a2f3e4b70")

#: Dates (assured_date, last_modified) count back from this day, never from the clock.
AS_OF = date(2026, 11, 1)

FEE_CODES: dict[str, str] = {
    "free": "Free",
    "sliding-scale": "Sliding-scale fee",
    "fee": "Fee",
}
FEE_TEXT: dict[str, str] = {
    "free": "Free of charge.",
    "sliding-scale": (
        "Sliding-scale fees based on household income; no one is turned away for inability to pay."
    ),
    "fee": "Fees apply; call for current rates. Medicaid and some private insurance accepted.",
}


WEEKDAYS = ",".join(DAYS[:5])
ALL_WEEK = ",".join(DAYS)
OPEN_24_7 = ((ALL_WEEK, "00:00", "23:59"),)

# Stricter than linkage.hours.parse_time: generated records carry canonical HH:MM[:SS].
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")

#: Weekly opening periods ``(byday, opens, closes)``; () means no hours listed.
Periods = tuple[tuple[str, str, str], ...]


def _periods(rows: Iterable[Sequence[str]]) -> Periods:
    return tuple((byday, opens, closes) for byday, opens, closes in rows)


@dataclass(frozen=True)
class Vocabulary:
    """What synthetic records are made of: the taxonomy, and the project's word lists and
    per-category rules in ``data/synthetic/`` (made up for this purpose; see data/README.md)."""

    taxonomy: Taxonomy
    #: Leaf category -> (nouns services are named with, phrases they are described with).
    leaf_text: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    #: What usually comes with a primary category: ages, eligibility tags, income limit
    #: choices (% of the federal poverty guideline), the usual fee code.
    category_rules: dict[str, dict]
    #: Categories open around the clock, hours by weight for any category, and per category.
    always_open: frozenset[str]
    generic_hours: tuple[tuple[float, Periods], ...]
    leaf_hours: dict[str, tuple[Periods, ...]]
    #: Word lists: places, flavors, organization_kinds, streets, street_kinds, site_words,
    #: closings, other_languages.
    words: dict[str, tuple[str, ...]]

    @cached_property
    def parent_of(self) -> dict[str, str]:
        """Category code -> its parent's code, for every category that has a parent."""
        return {
            code: c.parent for code, c in self.taxonomy.categories.items() if c.parent is not None
        }

    @cached_property
    def leaf_categories(self) -> tuple[str, ...]:
        """The categories without children (the codes services are filed under), in file order."""
        return tuple(code for code in self.taxonomy.categories if not self.taxonomy.children(code))

    @cached_property
    def term_names(self) -> dict[str, dict[str, str]]:
        """The name of each code of Linkage's taxonomies, for taxonomy terms."""
        return {
            CATEGORIES: {code: c.name for code, c in self.taxonomy.categories.items()},
            ELIGIBILITY: {
                **{code: t["name"] for code, t in self.taxonomy.eligibility_tags.items()},
                INCOME: "Income limit (% of federal poverty guideline)",
            },
            FEES: FEE_CODES,
            FLAGS: {CONFIDENTIAL: "Confidential address"},
        }


@cache
def load_vocabulary(data_dir: Path = DATA_DIR) -> Vocabulary:
    """The vocabulary from a data directory (``Settings.data_dir``: LINKAGE_DATA_DIR)."""
    folder = data_dir / "synthetic"

    def read(name: str):
        return json.loads((folder / name).read_text(encoding="utf-8"))

    hours_table = read("hours.json")
    rules = {
        leaf: {k: tuple(v) if isinstance(v, list) else v for k, v in rule.items()}
        for leaf, rule in read("category-rules.json").items()
    }
    return Vocabulary(
        taxonomy=load_taxonomy(data_dir),
        leaf_text={
            leaf: (tuple(t["names"]), tuple(t["phrases"]))
            for leaf, t in read("leaf-text.json").items()
        },
        category_rules=rules,
        always_open=frozenset(hours_table["always_open"]),
        generic_hours=tuple((g["weight"], _periods(g["periods"])) for g in hours_table["generic"]),
        leaf_hours={
            leaf: tuple(_periods(choice) for choice in choices)
            for leaf, choices in hours_table["by_category"].items()
        },
        words={name: tuple(words) for name, words in read("words.json").items()},
    )


# ---------------------------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------------------------


def make_id(*parts: object) -> str:
    """A deterministic UUID (v5) from the fixed NAMESPACE and a key made of ``parts``."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def _drop_none(**fields) -> dict:
    """The fields that have a value; ``id`` always stays (None until ``build_service`` fills it)."""
    return {k: v for k, v in fields.items() if v is not None or k == "id"}


def taxonomy_term(
    vocabulary: Vocabulary,
    taxonomy: str,
    code: str,
    name: str | None = None,
    description: str | None = None,
) -> dict:
    """The HSDS taxonomy_term for ``code`` in one of Linkage's taxonomies; same id everywhere."""
    if name is None:
        name = vocabulary.term_names.get(taxonomy, {}).get(code) or code
    term = {
        "id": make_id("taxonomy_term", taxonomy, code),
        "code": code,
        "name": name,
        "description": description or name,
    }
    if taxonomy == CATEGORIES and code in vocabulary.parent_of:
        term["parent_id"] = make_id("taxonomy_term", taxonomy, vocabulary.parent_of[code])
    term["taxonomy"] = taxonomy
    return term


def attribute(
    vocabulary: Vocabulary, taxonomy: str, code: str, value: str | None = None, *, link_id: str
) -> dict:
    """An HSDS attribute tagging the entity ``link_id`` (a service) with ``taxonomy``/``code``."""
    term = taxonomy_term(vocabulary, taxonomy, code)
    return _drop_none(
        id=make_id(link_id, "attribute", taxonomy, code),
        link_id=link_id,
        taxonomy_term_id=term["id"],
        link_type="service_category"
        if taxonomy == CATEGORIES
        else taxonomy.removeprefix("linkage-"),
        link_entity="service",
        value=None if value is None else str(value),
        taxonomy_term=term,
    )


def schedule(
    byday: str | Iterable[str], opens: str, closes: str, *, description: str | None = None
) -> dict:
    """A weekly opening period in local time; ``closes`` <= ``opens`` runs past midnight.

    24/7 is ``schedule(ALL_WEEK, "00:00", "23:59")``. The id is filled in by ``build_service``.
    """
    days = byday if isinstance(byday, str) else ",".join(byday)
    if not days or any(d not in DAYS for d in days.split(",")):
        raise ValueError(f"bad byday {days!r}")
    for t in (opens, closes):
        if not _HHMM.match(t):
            raise ValueError(f"bad time {t!r}")
    return _drop_none(
        id=None,
        freq="WEEKLY",
        wkst="MO",
        byday=days,
        opens_at=opens,
        closes_at=closes,
        description=description,
    )


def hours(periods: Iterable[tuple[str, str, str] | dict]) -> list[dict]:
    """Schedules from ``(byday, opens, closes)`` tuples (dicts pass through)."""
    return [p if isinstance(p, dict) else schedule(*p) for p in periods]


def language(code: str, *, note: str | None = None) -> dict:
    return _drop_none(id=None, name=language_name(code), code=code, note=note)


def phone(
    number: str,
    type: str = "voice",
    *,
    description: str | None = None,
    languages: Sequence[str] = (),
) -> dict:
    return _drop_none(
        id=None,
        number=number,
        type=type,
        description=description,
        languages=[language(c) for c in languages] or None,
    )


def fictional_phone(area_code: str, n: int) -> str:
    """A number in the 555-0100..0199 block reserved for fiction: ``(312) 555-0142``."""
    if not 0 <= n <= 99:
        raise ValueError("n must be 0..99")
    return f"({area_code}) 555-01{n:02d}"


def service_area(extent: str, *, name: str | None = None) -> dict:
    """A service area as a text extent.

    ``extent`` is ``zip:60623``, ``county:IL:Cook``, ``state:IL`` or ``nationwide``.
    """
    if not AREA_KEY.match(extent):
        raise ValueError(f"bad service area extent {extent!r}")
    return _drop_none(id=None, name=name or _area_name(extent), extent=extent, extent_type="text")


def _area_name(extent: str) -> str:
    kind, _, rest = extent.partition(":")
    if kind == "zip":
        return f"ZIP code {rest}"
    if kind == "county":
        state, _, county = rest.partition(":")
        return f"{county} County, {state}"
    if kind == "state":
        return f"State of {rest}"
    return "Nationwide"


def county_extent(state: str, county: str) -> str | None:
    """``county:IL:Cook`` from a state and a zipcodes-style county name ("Cook County")."""
    name = county_name(county or "")
    return county_area(state, name) if state and name else None


def address(
    address_1: str,
    city: str,
    state: str,
    postal_code: str,
    *,
    address_2: str | None = None,
    country: str = "US",
) -> dict:
    return _drop_none(
        id=None,
        address_1=address_1,
        address_2=address_2,
        city=city,
        state_province=state,
        postal_code=postal_code,
        country=country,
        address_type="physical",
    )


def build_location(
    key: str,
    *,
    name: str,
    latitude: float | None = None,
    longitude: float | None = None,
    address: dict | None = None,
    location_type: str = "physical",
    description: str | None = None,
    transportation: str | None = None,
    url: str | None = None,
) -> dict:
    """A location; ``physical`` needs coordinates and an address, ``virtual`` has neither."""
    if location_type == "physical" and (latitude is None or longitude is None or address is None):
        raise ValueError("a physical location needs latitude, longitude and an address")
    if location_type == "virtual" and (latitude is not None or address is not None):
        raise ValueError("a virtual location has no address or coordinates")
    return _drop_none(
        id=make_id("location", key),
        location_type=location_type,
        url=url,
        name=name,
        description=description,
        transportation=transportation,
        latitude=None if latitude is None else round(latitude, 6),
        longitude=None if longitude is None else round(longitude, 6),
        addresses=[address] if address else None,
    )


def build_organization(
    key: str,
    *,
    name: str,
    description: str,
    website: str | None = None,
    email: str | None = None,
    year_incorporated: int | None = None,
) -> dict:
    return _drop_none(
        id=make_id("organization", key),
        name=name,
        description=description,
        email=email,
        website=website,
        year_incorporated=year_incorporated,
    )


def eligibility_text(
    vocabulary: Vocabulary,
    minimum_age: int | None,
    maximum_age: int | None,
    tags: Sequence[str],
    income_max_fpl: int | None,
) -> str | None:
    """A plain-language eligibility sentence from the structured fields, or None."""
    parts = []
    if minimum_age is not None and maximum_age is not None:
        parts.append(f"Ages {minimum_age} to {maximum_age}.")
    elif minimum_age is not None:
        parts.append(f"Ages {minimum_age} and over.")
    elif maximum_age is not None:
        parts.append(f"Ages {maximum_age} and under.")
    if tags:
        names = [vocabulary.taxonomy.eligibility_tags[t]["name"] for t in tags]
        parts.append("For " + ", ".join(n[0].lower() + n[1:] for n in names) + ".")
    if income_max_fpl:
        parts.append(
            f"Household income at or below {income_max_fpl}% of the federal poverty guideline."
        )
    return " ".join(parts) or None


def build_service(
    vocabulary: Vocabulary,
    key: str,
    *,
    name: str,
    description: str,
    organization: dict,
    categories: Sequence[str],
    location: dict | None = None,
    schedules: Iterable[tuple[str, str, str] | dict] = (),
    phones: Sequence[dict] = (),
    languages: Sequence[str] = ("en",),
    service_areas: Sequence[str] = (),
    eligibility: Sequence[str] = (),
    income_max_fpl: int | None = None,
    fee: str = "free",
    fees_description: str | None = None,
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    eligibility_description: str | None = None,
    confidential_address: bool = False,
    status: str = ACTIVE,
    assured_date: date | str | None = None,
    url: str | None = None,
    email: str | None = None,
    application_process: str | None = None,
    interpretation_services: str | None = None,
    alternate_name: str | None = None,
) -> dict:
    """One HSDS 3.0 full service record following data/README.md.

    ``categories`` are 1-3 leaf category codes. Hours go on the service-at-location for a
    physical location and on the service itself for a virtual one (phone line, website). Every
    nested object without an id gets uuid5(parent id + its path), so ids are stable.
    """
    leaves = vocabulary.leaf_categories
    if not 1 <= len(categories) <= 3 or any(c not in leaves for c in categories):
        raise ValueError(f"{key}: categories must be 1-3 leaf codes, got {categories!r}")
    if len(set(categories)) != len(categories):
        raise ValueError(f"{key}: duplicate categories {categories!r}")
    if unknown := [t for t in eligibility if t not in vocabulary.taxonomy.eligibility_tags]:
        raise ValueError(f"{key}: unknown eligibility tags {unknown!r}")
    if fee not in FEE_CODES:
        raise ValueError(f"{key}: unknown fee code {fee!r}")
    if status not in STATUSES:
        raise ValueError(f"{key}: unknown status {status!r}")
    if minimum_age is not None and maximum_age is not None and minimum_age > maximum_age:
        raise ValueError(f"{key}: minimum_age > maximum_age")
    if confidential_address and (location is None or location["location_type"] != "physical"):
        raise ValueError(f"{key}: a confidential address needs a physical location")
    sid = make_id("service", key)
    if isinstance(assured_date, date):
        assured_date = assured_date.isoformat()
    rows = hours(schedules)
    physical = location is not None and location["location_type"] == "physical"

    def tag(taxonomy: str, code: str, value: str | None = None) -> dict:
        return attribute(vocabulary, taxonomy, code, value, link_id=sid)

    attrs = [tag(CATEGORIES, c) for c in categories]
    attrs += [tag(ELIGIBILITY, t) for t in eligibility]
    if income_max_fpl is not None:
        attrs.append(tag(ELIGIBILITY, INCOME, str(income_max_fpl)))
    attrs.append(tag(FEES, fee))
    if confidential_address:
        attrs.append(tag(FLAGS, CONFIDENTIAL))

    sals = None
    if location is not None:
        sals = [
            _drop_none(
                id=None,
                service_id=sid,
                location_id=location["id"],
                schedules=rows if physical else None,
                location=location,
            )
        ]
    record = _drop_none(
        id=sid,
        organization_id=organization["id"],
        name=name,
        alternate_name=alternate_name,
        description=description,
        url=url,
        email=email,
        status=status,
        interpretation_services=interpretation_services,
        application_process=application_process,
        fees_description=fees_description or FEE_TEXT[fee],
        eligibility_description=eligibility_description
        or eligibility_text(vocabulary, minimum_age, maximum_age, eligibility, income_max_fpl),
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        assured_date=assured_date,
        last_modified=f"{assured_date}T12:00:00Z" if assured_date else None,
        phones=list(phones) or None,
        schedules=(rows or None) if not physical else None,
        service_areas=[service_area(a) for a in service_areas] or None,
        service_at_locations=sals,
        languages=[language(c) for c in languages] or None,
        organization=organization,
        attributes=attrs,
    )
    _assign_ids(record, sid)
    return record


def _assign_ids(node: dict, base: str) -> None:
    """Fill every nested ``"id": None`` with uuid5(nearest ancestor id + path)."""
    for field, value in node.items():
        if isinstance(value, dict):
            children: Iterable[tuple[str, dict]] = ((field, value),)
        elif isinstance(value, list):
            children = ((f"{field}/{i}", v) for i, v in enumerate(value) if isinstance(v, dict))
        else:
            continue
        for path, child in children:
            if "id" in child and child["id"] is None:
                child["id"] = make_id(base, path)
            _assign_ids(child, child.get("id") or f"{base}/{path}")


# ---------------------------------------------------------------------------------------------
# Text, hours, places
# ---------------------------------------------------------------------------------------------


def service_noun(vocabulary: Vocabulary, rng: random.Random, leaf: str) -> str:
    return rng.choice(vocabulary.leaf_text[leaf][0])


def describe(
    vocabulary: Vocabulary, rng: random.Random, categories: Sequence[str], *, closing: bool = True
) -> str:
    """A description made of the categories' phrases, e.g. 'Food pantry: weekly groceries, ...'."""
    names = vocabulary.taxonomy.categories
    lead = categories[0]
    a, b, c = rng.sample(vocabulary.leaf_text[lead][1], 3)
    text = f"{names[lead].name}: {a}, {b} and {c}."
    for extra in categories[1:]:
        x, y = rng.sample(vocabulary.leaf_text[extra][1], 2)
        text += f" Also {names[extra].name.lower()}: {x} and {y}."
    if closing:
        text += " " + rng.choice(vocabulary.words["closings"])
    return text


def category_defaults(vocabulary: Vocabulary, rng: random.Random, leaf: str) -> dict:
    """``build_service`` keyword arguments usual for a primary category.

    Ages, eligibility tags, an income limit and the fee code, from ``category_rules``.
    """
    rule = vocabulary.category_rules.get(leaf, {})
    out: dict = {}
    for k in ("minimum_age", "maximum_age"):
        if k in rule:
            out[k] = rule[k]
    if rule.get("eligibility"):
        out["eligibility"] = list(rule["eligibility"])
    if rule.get("income_max_fpl"):
        out["income_max_fpl"] = rng.choice(rule["income_max_fpl"])
    out["fee"] = rule.get("fee", "free")
    return out


def typical_hours(vocabulary: Vocabulary, rng: random.Random, leaf: str) -> Periods:
    """Weekly periods ``(byday, opens, closes)`` plausible for a category; () means none listed."""
    if leaf in vocabulary.always_open:
        return OPEN_24_7
    if leaf in vocabulary.leaf_hours and rng.random() < 0.75:
        return rng.choice(vocabulary.leaf_hours[leaf])
    r = rng.random()
    for weight, periods in vocabulary.generic_hours:
        r -= weight
        if r < 0:
            return periods
    return ()


def jitter(
    rng: random.Random, lat: float, lon: float, max_meters: float = 1000.0
) -> tuple[float, float]:
    """A point uniformly within ``max_meters`` of (lat, lon)."""
    distance = max_meters * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    dlat = distance * math.cos(bearing) / 111_320.0
    dlon = distance * math.sin(bearing) / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    return round(lat + dlat, 6), round(lon + dlon, 6)


class ZipInfo(NamedTuple):
    zip: str
    city: str
    state: str
    county: str
    lat: float
    lon: float
    timezone: str
    area_code: str


def _zip_info(z: dict) -> ZipInfo | None:
    try:
        lat, lon = float(z["lat"]), float(z["long"])
    except (TypeError, ValueError):
        return None
    if not z.get("timezone") or not valid_coordinates(lat, lon):
        return None
    codes = z.get("area_codes") or []
    return ZipInfo(
        z["zip_code"],
        z["city"],
        z["state"],
        z.get("county") or "",
        lat,
        lon,
        z["timezone"],
        codes[0] if codes else "800",
    )


@cache
def zip_info(code: str) -> ZipInfo:
    """The zipcodes entry of one ZIP.

    Raises KeyError when the ZIP is unknown or has no coordinates or time zone.
    """
    for z in zipcodes.matching(code):
        if info := _zip_info(z):
            return info
    raise KeyError(code)


@cache
def zip_pool() -> tuple[ZipInfo, ...]:
    """Active standard (street-delivery) US ZIPs with coordinates and a time zone (~29,800).

    Read by two-digit prefix so the full 42k-dict list is never materialised at once.
    """
    pool = []
    for prefix in range(100):
        for z in zipcodes.similar_to(f"{prefix:02d}"):
            if z["zip_code_type"] == "STANDARD" and z["active"] and (info := _zip_info(z)):
                pool.append(info)
    return tuple(pool)


# ---------------------------------------------------------------------------------------------
# Synthetic directories
# ---------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _street(words: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    direction = rng.choice(("", "", "N ", "S ", "E ", "W "))
    number = rng.randint(10, 9899)  # drawn in this order: the same seed gives the same streets
    street, kind = rng.choice(words["streets"]), rng.choice(words["street_kinds"])
    return f"{number} {direction}{street} {kind}"


def _place_name(words: dict[str, tuple[str, ...]], rng: random.Random, z: ZipInfo) -> str:
    return z.city if rng.random() < 0.35 else rng.choice(words["places"])


def _synthetic_location(
    words: dict[str, tuple[str, ...]], rng: random.Random, key: str, z: ZipInfo, site: str
) -> dict:
    lat, lon = jitter(rng, z.lat, z.lon)
    suite = (
        f"Suite {rng.randint(1, 4)}{rng.randint(0, 2)}{rng.randint(0, 9)}"
        if rng.random() < 0.15
        else None
    )
    return build_location(
        key,
        name=site,
        latitude=lat,
        longitude=lon,
        address=address(_street(words, rng), z.city, z.state, z.zip, address_2=suite),
    )


def generate_services(
    count: int, seed: int = 0, *, as_of: date | None = None, data_dir: Path = DATA_DIR
) -> Iterator[dict]:
    """Yield ``count`` synthetic HSDS 3.0 full service records, one at a time.

    Words and categories come from ``data_dir`` (``load_vocabulary``). Deterministic for
    (seed, as_of, the data files), and prefix-stable: the first n records of a longer run
    are the records of a run of n. Mix: ~85% physical locations at real ZIPs (coordinates
    within ~1 km of the centroid), ~10% virtual with a statewide service area, ~5% virtual
    nationwide. Services come in runs of 1-6 per organization.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    as_of = as_of or AS_OF
    vocabulary = load_vocabulary(data_dir)
    words = vocabulary.words
    rng = random.Random(seed)
    pool = zip_pool()
    produced = 0
    org_n = 0
    while produced < count:
        org_n += 1
        home = rng.choice(pool)
        org_place = _place_name(words, rng, home)
        org_name = f"{org_place} {rng.choice(words['organization_kinds'])}"
        slug = f"{_slug(org_name)}{org_n}"
        org_key = f"synthetic:{seed}:org:{org_n}"
        org = build_organization(
            org_key,
            name=org_name,
            description=(
                f"{org_name} is a nonprofit serving {home.city}, {home.state} "
                "and nearby communities."
            ),
            website=f"https://{slug}.example.org",
            email=f"info@{slug}.example.org",
            year_incorporated=rng.randint(1950, 2022),
        )
        main_site = _synthetic_location(
            words, rng, f"{org_key}:main", home, f"{org_name} {rng.choice(words['site_words'])}"
        )
        main_phone = fictional_phone(home.area_code, rng.randrange(100))
        for _ in range(min(rng.randint(1, 6), count - produced)):
            yield _synthetic_service(
                vocabulary, rng, seed, produced, org, org_place, home, main_site, main_phone, as_of
            )
            produced += 1


def _synthetic_service(
    vocabulary: Vocabulary,
    rng: random.Random,
    seed: int,
    index: int,
    org: dict,
    org_place: str,
    home: ZipInfo,
    main_site: dict,
    main_phone: str,
    as_of: date,
) -> dict:
    key = f"synthetic:{seed}:{index}"
    words, leaves = vocabulary.words, vocabulary.leaf_categories
    r = rng.random()
    mode = "physical" if r < 0.85 else "state" if r < 0.95 else "nationwide"
    # categories: a primary leaf, sometimes 1-2 more (half the time from the same parent)
    primary = rng.choice(leaves)
    cats = [primary]
    for _ in range(rng.choices((0, 1, 2), (0.70, 0.22, 0.08))[0]):
        pick = (
            rng.choice(vocabulary.taxonomy.children(vocabulary.parent_of[primary]))
            if rng.random() < 0.5
            else rng.choice(leaves)
        )
        if pick not in cats:
            cats.append(pick)
    kwargs = category_defaults(vocabulary, rng, primary)
    if rng.random() < 0.15:  # rules are usual, not universal
        kwargs.pop("minimum_age", None)
        kwargs.pop("maximum_age", None)
    # place
    if mode == "physical":
        if rng.random() < 0.5:
            location, z = main_site, home
        else:
            z = home if rng.random() < 0.5 else rng.choice(zip_pool())
            site = f"{_place_name(words, rng, z)} {rng.choice(words['site_words'])}"
            location = _synthetic_location(words, rng, key, z, site)
        place = org_place if location is main_site else _place_name(words, rng, z)
        areas = []
        a = rng.random()
        if a < 0.35 and (extent := county_extent(z.state, z.county)):
            areas.append(extent)
        elif a < 0.55:
            areas.append(zip_area(z.zip))
        hours_ = typical_hours(vocabulary, rng, primary)
    else:
        location = build_location(
            key,
            name=f"{org['name']} {'Phone Line' if rng.random() < 0.6 else 'Online Services'}",
            location_type="virtual",
        )
        z, place = home, org_place
        areas = [state_area(home.state)] if mode == "state" else [NATIONWIDE]
        h = rng.random()
        hours_ = OPEN_24_7 if h < 0.35 else () if h < 0.6 else ((WEEKDAYS, "08:00", "18:00"),)
    name = f"{place} {rng.choice(words['flavors'])}{service_noun(vocabulary, rng, primary)}"
    # languages
    langs = ["en"]
    if rng.random() < 0.30:
        langs.append("es")
    langs += [c for c in words["other_languages"] if rng.random() < 0.05]
    # eligibility extras
    tags = list(kwargs.pop("eligibility", ()))
    if rng.random() < 0.12:
        extra = rng.choice(tuple(vocabulary.taxonomy.eligibility_tags))
        if extra not in tags:
            tags.append(extra)
    if "income_max_fpl" not in kwargs and rng.random() < 0.12:
        kwargs["income_max_fpl"] = rng.choice((130, 150, 185, 200, 250, 300))
    if kwargs.get("fee") == "free":
        f = rng.random()
        kwargs["fee"] = "free" if f < 0.80 else "sliding-scale" if f < 0.93 else "fee"
    if kwargs.get("minimum_age") is None and "maximum_age" not in kwargs and rng.random() < 0.12:
        kwargs["minimum_age"] = 18
    # phones
    number = main_phone if rng.random() < 0.5 else fictional_phone(z.area_code, rng.randrange(100))
    phones = [phone(number, "voice")]
    if rng.random() < 0.10:
        phones.append(
            phone(fictional_phone(z.area_code, rng.randrange(100)), "text", description="Text line")
        )
    s = rng.random()
    status = (
        ACTIVE
        if s < 0.95
        else INACTIVE
        if s < 0.975
        else TEMPORARILY_CLOSED
        if s < 0.99
        else DEFUNCT
    )
    slug = _slug(name)[:40]
    return build_service(
        vocabulary,
        key,
        name=name,
        description=describe(vocabulary, rng, cats),
        organization=org,
        categories=cats,
        location=location,
        schedules=hours_,
        phones=phones,
        languages=langs,
        service_areas=areas,
        eligibility=tags,
        status=status,
        assured_date=as_of - timedelta(days=rng.randint(0, 729)),
        url=f"{org['website']}/{slug}" if rng.random() < 0.6 else None,
        **kwargs,
    )


def write_records(records: Iterable[dict], out: IO[str], *, ndjson: bool = False) -> int:
    """Stream records to ``out`` as a JSON array (or NDJSON); returns how many were written."""
    n = 0
    if not ndjson:
        out.write("[")
    for record in records:
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        if ndjson:
            out.write(text + "\n")
        else:
            out.write(("\n" if n == 0 else ",\n") + text)
        n += 1
    if not ndjson:
        out.write("\n]\n" if n else "]\n")
    return n


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--count",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="Records to generate.",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same output)."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    show_default=True,
    help="Output file.",
)
@click.option("--ndjson", is_flag=True, help="One record per line instead of a JSON array.")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help=f"Date assured_date counts back from (default {AS_OF.isoformat()}).",
)
@click.option("--progress/--no-progress", default=False, help="Show a progress bar on stderr.")
def main(count: int, seed: int, out: str, ndjson: bool, as_of, progress: bool) -> None:
    """Write a synthetic HSDS 3.0 directory of COUNT services."""
    records: Iterable[dict] = generate_services(
        count,
        seed,
        as_of=as_of.date() if as_of else None,
        data_dir=Settings.from_env().data_dir,
    )
    if progress:
        from tqdm import tqdm

        records = tqdm(records, total=count, unit="rec", file=sys.stderr)
    if out == "-":
        n = write_records(records, sys.stdout, ndjson=ndjson)
        click.echo(f"wrote {n} records", err=True)
    else:
        with open(out, "w", encoding="utf-8") as fp:
            n = write_records(records, fp, ndjson=ndjson)
        click.echo(f"wrote {n} records to {out}")


if __name__ == "__main__":
    main()
