"""Build data/sample/chicago.json: the curated sample directory for the Chicago metro area.

    .venv/bin/python devtools/make_sample_directory.py [--out FILE] [--check-only]

A JSON array of HSDS 3.0 full service records following data/README.md, from fictional
organizations at real Chicago-area ZIP codes (Cook County, plus a few in DuPage and Lake), built
with the record builders of devtools/synthetic.py. The organizations and their services are
written down in data/sample/chicago-organizations.json, the ZIP codes they are at (neighborhood,
languages, streets, phone area codes) in data/sample/chicago-zips.json; both are read from the
data directory (LINKAGE_DATA_DIR through linkage.config). Deterministic: running it twice gives
byte-identical output (fixed ids from uuid5, a seeded Random per record, dates counted back from
a fixed AS_OF date; written with indent=1, ensure_ascii=False).

Guaranteed properties (asserted by ``self_check`` at the end of every run, tested later):
  1. At least 320 services from 100-120 fictional organizations (unique names); unique service ids;
     every ``id`` in every record is a valid UUID.
  2. Every physical location is at a real ZIP from the zipcodes package, with that ZIP's city and
     state in its address, and coordinates within 1 km of the ZIP centroid.
  3. Categories are leaf codes only, 1-3 per service; every leaf category has >= 3 services and
     every top-level category >= 8.
  4. Hours: most weekday daytime; >= 5 with evening hours (closing after 19:00); >= 5 open on
     Saturday; >= 5 open 24/7 (00:00-23:59 every day); >= 3 with two periods on the same day;
     >= 1 period crossing midnight (overnight drop-in 20:00-08:00); >= 10 with no schedule.
  5. Languages: every service offers English; 35-45% offer Spanish ("es"); Polish, Chinese,
     Arabic, Vietnamese, Korean and Tagalog are each offered by >= 3 services.
  6. Age limits: senior meal programs min 60, youth shelters 12-24, after-school 5-13, child care
     max 5. Eligibility tags: veteran housing -> veterans, senior centers -> seniors, a WIC-style
     program -> pregnant + families-with-children. Income limits (income-max-fpl 150/200/250)
     on >= 15 services. Fees: mostly free, >= 15 sliding-scale, >= 3 fee.
  7. >= 6 virtual services (location_type "virtual", no address, no coordinates), including
     a statewide Illinois utility help line (state:IL), a Cook County senior-ride booking line
     (county:IL:Cook), a national crisis line (nationwide) and an online benefits screener
     (state:IL).
  8. >= 2 confidential-address domestic-violence shelters (linkage-flags/confidential-address),
     each physical with coordinates and an address, open 24/7, with a 24-hour hotline phone.
  9. >= 3 services located outside Illinois in another time zone (Washington DC 20001,
     Los Angeles 90012, Denver 80202), serving nationwide.
 10. >= 2 inactive services (status "inactive"); >= 3 services last verified (assured_date)
     more than 2 years before AS_OF; all others within the year before AS_OF.
 11. Phones are fictional "(AAA) 555-01xx" numbers; voice on every service, some text lines.
 12. Physical services carry service areas where realistic (zip:, county:IL:Cook, ...).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.synthetic import (  # noqa: E402
    ALL_WEEK,
    AS_OF,
    OPEN_24_7,
    WEEKDAYS,
    Vocabulary,
    address,
    build_location,
    build_organization,
    build_service,
    category_defaults,
    county_extent,
    describe,
    fictional_phone,
    jitter,
    load_vocabulary,
    phone,
    service_noun,
    typical_hours,
    zip_info,
)
from indexer.hsds import _codes  # noqa: E402
from linkage.config import DATA_DIR, Settings  # noqa: E402
from linkage.hsds.conventions import (  # noqa: E402
    ACTIVE,
    CATEGORIES,
    CONFIDENTIAL,
    ELIGIBILITY,
    FEES,
    FLAGS,
    INACTIVE,
    INCOME,
)
from linkage.places import (  # noqa: E402
    METERS_PER_MILE,
    NATIONWIDE,
    county_area,
    miles_between,
    state_area,
    zip_area,
)

#: Where the sample is written, inside the data directory.
OUT = Path("sample") / "chicago.json"


@dataclass(frozen=True)
class SampleTables:
    """What the sample is made of, from ``data/sample/`` (written by the project, fictional).

    ``zips``: ZIP -> neighborhood, share offering Spanish, other languages (each offered half
    the time), streets with a plausible house-number range, and the phone area codes handed
    out there (else ``default_area_codes``). City, state and centroid come from zipcodes.
    ``organizations``: name, short name used in service names, home ZIP, description, and its
    services: categories (leaf codes) and any overrides of ``build_directory``: name, text
    (extra sentence), description, hours, langs (extra language codes), areas, virtual (no
    address; areas required), eligibility, income, fee, min_age, max_age, status, stale,
    confidential, sms, zip (a second site), phone_desc, application.
    """

    zips: dict[str, dict]
    default_area_codes: tuple[str, ...]
    organizations: list[dict]


def load_sample_tables(data_dir: Path = DATA_DIR) -> SampleTables:
    folder = data_dir / "sample"
    places = json.loads((folder / "chicago-zips.json").read_text(encoding="utf-8"))
    organizations = json.loads((folder / "chicago-organizations.json").read_text(encoding="utf-8"))
    return SampleTables(places["zips"], tuple(places["default_area_codes"]), organizations)


# Fewer services are tied to one ZIP or county by category: (neighborhood-only, county-wide).
NEIGHBORHOOD_LEAVES = {
    "food-pantry",
    "free-meals",
    "after-school",
    "senior-centers",
    "clothing",
    "baby-supplies",
}
COUNTYWIDE_LEAVES = {
    "tenant-legal-aid",
    "immigration-legal",
    "protective-orders",
    "reentry-legal",
    "utility-assistance",
    "weatherization",
    "rent-assistance",
    "veteran-benefits",
    "veteran-housing",
    "domestic-violence-services",
    "dv-shelter",
    "elder-abuse-services",
    "medical-rides",
    "senior-rides",
    "home-delivered-meals",
    "tax-preparation",
    "benefits-help",
    "home-repair",
    "caregiver-support",
    "insurance-enrollment",
}

# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


class PhoneBook:
    """Hands out each fictional (AAA) 555-01xx number once, in a fixed order."""

    def __init__(self, tables: SampleTables):
        self.tables = tables
        self.used: Counter[str] = Counter()

    def next(self, zip_code: str | None) -> str:
        place = self.tables.zips.get(zip_code or "", {})
        for code in place.get("area_codes", self.tables.default_area_codes):
            n = self.used[code]
            if n < 100:
                self.used[code] += 1
                return fictional_phone(code, (n * 37 + 11) % 100)  # spread, still unique per code
        raise RuntimeError(f"out of fictional numbers for {zip_code}")


def _words(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", text)}


def _service_name(vocabulary: Vocabulary, rng: random.Random, short: str, leaf: str) -> str:
    """'<short> <noun>', avoiding 'Youth Sanctuary Youth Shelter'-style repeats."""
    nouns = vocabulary.leaf_text[leaf][0]
    fresh = [n for n in nouns if not _words(short) & _words(n)]
    if fresh:
        return f"{short} {rng.choice(fresh)}"
    noun = service_noun(vocabulary, rng, leaf)
    last, first = short.split()[-1], noun.split()[0]
    if last.lower()[:5] == first.lower()[:5]:
        return f"{short} {noun.split(maxsplit=1)[1]}" if " " in noun else short
    return f"{short} {noun}"


WALK_IN_LEAVES = {
    "food-pantry",
    "free-meals",
    "drop-in-center",
    "emergency-shelter",
    "clothing",
    "youth-shelter",
}


def _closing(rng: random.Random, leaf: str) -> str:
    if leaf in WALK_IN_LEAVES:
        return rng.choice(("Walk-ins welcome.", "No one is turned away for lack of documents."))
    return rng.choice(
        (
            "Walk-ins welcome.",
            "Call ahead for an appointment.",
            "Bring a photo ID if you have one.",
            "No one is turned away for lack of documents.",
            "Appointments preferred; walk-ins seen as time allows.",
        )
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("í", "i").replace("ł", "l")).strip("-")


def _site(tables: SampleTables, rng: random.Random, key: str, name: str, zip_code: str) -> dict:
    z = zip_info(zip_code)
    street = rng.choice(tables.zips[zip_code]["streets"])
    lo, hi = street["numbers"]
    line2 = rng.choice((None, None, None, "Suite 200", "2nd Floor", "Suite 110", "Lower Level"))
    lat, lon = jitter(rng, z.lat, z.lon, 900)
    return build_location(
        key,
        name=name,
        latitude=lat,
        longitude=lon,
        address=address(
            f"{rng.randint(lo, hi)} {street['street']}", z.city, z.state, z.zip, address_2=line2
        ),
    )


def _areas(rng: random.Random, leaf: str, zip_code: str) -> list[str]:
    z = zip_info(zip_code)
    if leaf in NEIGHBORHOOD_LEAVES and rng.random() < 0.5:
        return [zip_area(zip_code)]
    if leaf in COUNTYWIDE_LEAVES and rng.random() < 0.8:
        return [county_extent(z.state, z.county)]
    return []


def _languages(
    tables: SampleTables, rng: random.Random, zip_code: str, extra: tuple[str, ...]
) -> list[str]:
    place = tables.zips[zip_code]
    langs = ["en"]
    if rng.random() < place["spanish_share"]:
        langs.append("es")
    langs += [c for c in place["languages"] if rng.random() < 0.5]
    langs += [c for c in extra if c not in langs]
    return langs


def build_directory(data_dir: Path = DATA_DIR) -> list[dict]:
    """The sample's service records, from the tables and vocabulary in ``data_dir``."""
    vocabulary, tables = load_vocabulary(data_dir), load_sample_tables(data_dir)
    zips = tables.zips
    phones = PhoneBook(tables)
    services: list[dict] = []
    for org_spec in tables.organizations:
        org_name, short, home_zip = org_spec["name"], org_spec["short_name"], org_spec["zip"]
        org_text, specs = org_spec["description"], org_spec["services"]
        slug = _slug(org_name)
        org_key = f"chicago:{slug}"
        rng = random.Random(org_key)
        org = build_organization(
            org_key,
            name=org_name,
            description=org_text,
            website=f"https://{slug}.example.org",
            email=f"info@{slug}.example.org",
            year_incorporated=rng.randint(1968, 2021),
        )
        main_line = phones.next(home_zip)
        sites: dict[str, dict] = {}
        for spec in specs:
            cats = list(spec["categories"])
            leaf = cats[0]
            key = f"{org_key}:{_slug(spec['name']) if spec.get('name') else leaf}"
            rng = random.Random(key)
            opts = category_defaults(vocabulary, rng, leaf)
            for mine, theirs in (
                ("min_age", "minimum_age"),
                ("max_age", "maximum_age"),
                ("income", "income_max_fpl"),
            ):
                if mine in spec:
                    opts[theirs] = spec[mine]
            for k in ("eligibility", "fee"):
                if k in spec:
                    opts[k] = list(spec[k]) if k == "eligibility" else spec[k]
            name = spec.get("name") or _service_name(vocabulary, rng, short, leaf)
            description = spec.get("description") or describe(vocabulary, rng, cats, closing=False)
            if "description" not in spec:
                if spec.get("text"):
                    description += " " + spec["text"]
                if spec.get("confidential"):
                    description += (
                        " Call the 24-hour hotline for intake;"
                        " the shelter's location is kept confidential."
                    )
                else:
                    if not spec.get("virtual") and not spec.get("areas"):
                        where = zips[spec.get("zip", home_zip)]["neighborhood"]
                        description += f" Serving {where} and nearby neighborhoods."
                    description += " " + _closing(rng, leaf)
            hours = spec["hours"] if "hours" in spec else typical_hours(vocabulary, rng, leaf)
            # phones: the org's main line or the program's own line; texting where offered
            number = (
                main_line
                if rng.random() < 0.45 and not spec.get("confidential")
                else phones.next(home_zip)
            )
            phone_rows = [phone(number, "voice", description=spec.get("phone_desc"))]
            if spec.get("confidential"):
                phone_rows[0] = phone(
                    number,
                    "voice",
                    description="24-hour hotline. Call for shelter intake; "
                    "the shelter address is shared only with residents.",
                )
                hours = OPEN_24_7
            elif leaf == "crisis-lines":
                phone_rows[0] = phone(
                    number, "voice", description="Answered 24 hours a day, 7 days a week."
                )
            if spec.get("sms"):
                phone_rows.append(phone(phones.next(home_zip), "text", description="Text line"))
            # where
            if spec.get("virtual"):
                location = build_location(
                    key,
                    name=f"{name} (phone and online)",
                    location_type="virtual",
                    description="Phone and online service; no walk-in location.",
                )
                areas = list(spec["areas"])
                lang_zip = "60604"
            else:
                site_zip = spec.get("zip", home_zip)
                if spec.get("confidential"):
                    location = _site(tables, rng, key, "Confidential shelter location", site_zip)
                elif site_zip not in sites:
                    label = (
                        org_name
                        if site_zip == home_zip
                        else f"{org_name} – {zips[site_zip]['neighborhood'].removeprefix('the ')}"
                    )
                    sites[site_zip] = _site(
                        tables,
                        random.Random(f"{org_key}:{site_zip}"),
                        f"{org_key}:{site_zip}",
                        label,
                        site_zip,
                    )
                    location = sites[site_zip]
                else:
                    location = sites[site_zip]
                if "areas" in spec:
                    areas = list(spec["areas"])
                elif spec.get("confidential"):
                    z = zip_info(site_zip)
                    areas = [county_extent(z.state, z.county)]
                else:
                    areas = _areas(rng, leaf, site_zip)
                lang_zip = site_zip
            langs = _languages(tables, rng, lang_zip, tuple(spec.get("langs", ())))
            if spec.get("stale"):
                assured = AS_OF - timedelta(days=rng.randint(900, 1300))
            else:
                assured = AS_OF - timedelta(days=rng.randint(3, 330))
            services.append(
                build_service(
                    vocabulary,
                    key,
                    name=name,
                    description=description,
                    organization=org,
                    categories=cats,
                    location=location,
                    schedules=hours,
                    phones=phone_rows,
                    languages=langs,
                    service_areas=areas,
                    confidential_address=bool(spec.get("confidential")),
                    status=spec.get("status", ACTIVE),
                    assured_date=assured,
                    url=f"https://{slug}.example.org/{_slug(name)}",
                    email=f"info@{slug}.example.org" if rng.random() < 0.3 else None,
                    application_process=spec.get("application")
                    or (
                        "Call to get started."
                        if spec.get("virtual")
                        else rng.choice(
                            (
                                "Walk in during open hours.",
                                "Call for an appointment.",
                                "Walk in or call ahead.",
                                "Apply in person; bring ID and proof of address if you have them.",
                            )
                        )
                    ),
                    **opts,
                )
            )
    return services


def serialize(services: list[dict]) -> str:
    return json.dumps(services, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------
# Self-check (no pytest): every property promised at the top of this file
# ---------------------------------------------------------------------------------------------


def _schedules(s: dict) -> list[dict]:
    sal = (s.get("service_at_locations") or [{}])[0]
    return sal.get("schedules") or s.get("schedules") or []


def _ids(node, out: list[str]) -> None:
    if isinstance(node, dict):
        if "id" in node:
            out.append(node["id"])
        for v in node.values():
            _ids(v, out)
    elif isinstance(node, list):
        for v in node:
            _ids(v, out)


def summarize(vocabulary: Vocabulary, services: list[dict]) -> dict:
    leaf, top = Counter(), Counter()
    for s in services:
        cats = _codes(s, CATEGORIES)
        leaf.update(cats)
        top.update({vocabulary.parent_of[c] for c in cats})
    loc = [s["service_at_locations"][0]["location"] for s in services]
    return {
        "services": len(services),
        "organizations": len({s["organization"]["id"] for s in services}),
        "per_top_level": dict(sorted(top.items())),
        "per_leaf_min": min(leaf[c] for c in vocabulary.leaf_categories),
        "virtual": sum(x["location_type"] == "virtual" for x in loc),
        "confidential": sum(CONFIDENTIAL in _codes(s, FLAGS) for s in services),
        "out_of_state": sum(
            bool(x.get("addresses")) and x["addresses"][0]["state_province"] != "IL" for x in loc
        ),
        "inactive": sum(s["status"] == INACTIVE for s in services),
        "stale": sum(
            date.fromisoformat(s["assured_date"]) < AS_OF - timedelta(days=730) for s in services
        ),
        "spanish": sum("es" in {lang["code"] for lang in s["languages"]} for s in services),
    }


def self_check(services: list[dict], text: str, data_dir: Path = DATA_DIR) -> dict:
    vocabulary = load_vocabulary(data_dir)
    leaves, parent_of = vocabulary.leaf_categories, vocabulary.parent_of
    n = len(services)
    summary = summarize(vocabulary, services)
    # 1. counts, ids
    assert n >= 320, n
    assert 100 <= summary["organizations"] <= 120, summary["organizations"]
    org_names = {s["organization"]["id"]: s["organization"]["name"] for s in services}
    assert len(set(org_names.values())) == len(org_names), "duplicate organization names"
    assert len({s["id"] for s in services}) == n, "duplicate service ids"
    all_ids: list[str] = []
    _ids(services, all_ids)
    for i in all_ids:
        uuid.UUID(i)
    # 2. places
    zip_re = re.compile(r"^\d{5}$")
    for s in services:
        x = s["service_at_locations"][0]["location"]
        if x["location_type"] == "virtual":
            continue
        a = x["addresses"][0]
        assert zip_re.match(a["postal_code"]), a
        z = zip_info(a["postal_code"])
        assert (a["city"], a["state_province"]) == (z.city, z.state), (a, z)
        meters = miles_between((x["latitude"], x["longitude"]), (z.lat, z.lon)) * METERS_PER_MILE
        assert meters <= 1000.0, s["name"]
    # 3. categories
    leaf, top = Counter(), Counter()
    for s in services:
        cats = _codes(s, CATEGORIES)
        assert 1 <= len(cats) <= 3 and all(c in leaves for c in cats), (s["name"], cats)
        leaf.update(cats)
        top.update({parent_of[c] for c in cats})
    assert all(leaf[c] >= 3 for c in leaves), [c for c in leaves if leaf[c] < 3]
    roots = vocabulary.taxonomy.roots()
    assert all(top[t] >= 8 for t in roots), [t for t in roots if top[t] < 8]
    # 4. hours
    hours_counts = Counter()
    for s in services:
        rows = _schedules(s)
        if not rows:
            hours_counts["none"] += 1
            continue
        if any(
            r["closes_at"] > "19:00" and r["opens_at"] < r["closes_at"] != "23:59" for r in rows
        ):
            hours_counts["evening"] += 1
        if any("SA" in r["byday"] for r in rows):
            hours_counts["saturday"] += 1
        if any(
            r["byday"] == ALL_WEEK and (r["opens_at"], r["closes_at"]) == ("00:00", "23:59")
            for r in rows
        ):
            hours_counts["24/7"] += 1
        if any(r["closes_at"] < r["opens_at"] for r in rows):
            hours_counts["overnight"] += 1
        per_day = Counter(d for r in rows for d in r["byday"].split(","))
        if any(c >= 2 for c in per_day.values()):
            hours_counts["two_periods"] += 1
        if any(
            r["byday"] == WEEKDAYS and r["opens_at"] <= "10:00" and r["closes_at"] >= "16:00"
            for r in rows
        ):
            hours_counts["weekday_daytime"] += 1
    assert hours_counts["weekday_daytime"] > n / 3, hours_counts
    assert hours_counts["evening"] >= 5 and hours_counts["saturday"] >= 5, hours_counts
    assert hours_counts["24/7"] >= 5 and hours_counts["two_periods"] >= 3, hours_counts
    assert hours_counts["overnight"] >= 1 and hours_counts["none"] >= 10, hours_counts
    summary["hours"] = dict(sorted(hours_counts.items()))
    # 5. languages
    lang = Counter(c for s in services for c in {x["code"] for x in s["languages"]})
    assert lang["en"] == n
    assert 0.35 <= lang["es"] / n <= 0.45, lang["es"] / n
    assert all(lang[c] >= 3 for c in ("pl", "zh", "ar", "vi", "ko", "tl")), lang
    summary["languages"] = dict(lang.most_common())
    # 6. ages, eligibility, income, fees
    for s in services:
        cats, tags = _codes(s, CATEGORIES), _codes(s, ELIGIBILITY)
        if (
            "home-delivered-meals" in cats
            or "senior-centers" in cats
            or "Senior Lunch" in s["name"]
        ):
            assert s.get("minimum_age") == 60 and "seniors" in tags, s["name"]
        if cats[0] == "youth-shelter":
            assert (s.get("minimum_age"), s.get("maximum_age")) == (12, 24), s["name"]
        if cats[0] == "after-school":
            assert (s.get("minimum_age"), s.get("maximum_age")) == (5, 13), s["name"]
        if cats[0] == "child-care":
            assert s.get("maximum_age") == 5, s["name"]
        if cats[0] == "veteran-housing":
            assert "veterans" in tags, s["name"]
    assert any(
        {"pregnant", "families-with-children"} <= set(_codes(s, ELIGIBILITY)) for s in services
    )
    incomes = [
        a["value"]
        for s in services
        for a in s["attributes"]
        if a["taxonomy_term"]["code"] == INCOME
    ]
    assert len(incomes) >= 15 and set(incomes) <= {"150", "200", "250"}, Counter(incomes)
    fees = Counter(c for s in services for c in _codes(s, FEES))
    assert (
        sum(fees.values()) == n
        and fees["free"] > n / 2
        and fees["sliding-scale"] >= 15
        and fees["fee"] >= 3
    ), fees
    summary["fees"] = dict(fees)
    summary["income_limits"] = dict(Counter(incomes))
    # 7. virtual
    virtual = [
        s
        for s in services
        if s["service_at_locations"][0]["location"]["location_type"] == "virtual"
    ]
    for s in virtual:
        x = s["service_at_locations"][0]["location"]
        assert "addresses" not in x and "latitude" not in x and s.get("service_areas"), s["name"]
    extents = {a["extent"] for s in virtual for a in s["service_areas"]}
    assert (
        len(virtual) >= 6 and {state_area("IL"), county_area("IL", "Cook"), NATIONWIDE} <= extents
    ), extents
    assert any(
        "utility-assistance" in _codes(s, CATEGORIES)
        and s["service_areas"][0]["extent"] == state_area("IL")
        for s in virtual
    )
    assert any(
        "senior-rides" in _codes(s, CATEGORIES)
        and s["service_areas"][0]["extent"] == county_area("IL", "Cook")
        for s in virtual
    )
    assert any(
        "crisis-lines" in _codes(s, CATEGORIES) and s["service_areas"][0]["extent"] == NATIONWIDE
        for s in virtual
    )
    assert any("Online" in s["name"] and "benefits-help" in _codes(s, CATEGORIES) for s in virtual)
    # 8. confidential DV shelters
    conf = [s for s in services if CONFIDENTIAL in _codes(s, FLAGS)]
    assert len(conf) >= 2
    for s in conf:
        x = s["service_at_locations"][0]["location"]
        assert (
            "dv-shelter" in _codes(s, CATEGORIES)
            and x["location_type"] == "physical"
            and x["addresses"]
        ), s["name"]
        assert isinstance(x["latitude"], float) and isinstance(x["longitude"], float)
        assert _schedules(s) == [
            dict(_schedules(s)[0], byday=ALL_WEEK, opens_at="00:00", closes_at="23:59")
        ]
        assert any("24-hour" in (p.get("description") or "") for p in s["phones"]), s["name"]
    # 9. outside Illinois, other time zones
    away = [
        s
        for s in services
        if (x := s["service_at_locations"][0]["location"]).get("addresses")
        and x["addresses"][0]["state_province"] != "IL"
    ]
    zones = {
        zip_info(s["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]).timezone
        for s in away
    }
    assert len(away) >= 3 and len(zones - {"America/Chicago"}) >= 3, zones
    assert all(s["service_areas"][0]["extent"] == NATIONWIDE for s in away)
    # 10. status and verification dates
    assert summary["inactive"] >= 2 and summary["stale"] >= 3, summary
    for s in services:
        age = (AS_OF - date.fromisoformat(s["assured_date"])).days
        assert age <= 365 or age >= 731, (s["name"], age)
    # 11. phones
    phone_re = re.compile(r"^\(\d{3}\) 555-01\d\d$")
    for s in services:
        assert s["phones"] and s["phones"][0]["type"] == "voice", s["name"]
        assert all(phone_re.match(p["number"]) for p in s["phones"]), s["phones"]
    assert sum(any(p["type"] == "text" for p in s["phones"]) for s in services) >= 5
    # 12. service areas on physical services
    physical_areas = Counter(
        a["extent"].split(":")[0]
        for s in services
        if s["service_at_locations"][0]["location"]["location_type"] == "physical"
        for a in s.get("service_areas") or ()
    )
    assert physical_areas["county"] >= 30 and physical_areas["zip"] >= 10, physical_areas
    # determinism: a second build serializes to the same bytes
    assert serialize(build_directory(data_dir)) == text, "not deterministic"
    return summary


def main() -> None:
    data_dir = Settings.from_env().data_dir
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir / OUT)
    parser.add_argument("--check-only", action="store_true", help="Build and check, do not write.")
    args = parser.parse_args()
    services = build_directory(data_dir)
    text = serialize(services)
    summary = self_check(services, text, data_dir)
    if not args.check_only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        summary["bytes"] = len(text.encode())
        print(f"wrote {len(services)} services to {args.out}")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
