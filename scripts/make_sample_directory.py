"""Build data/sample/chicago.json: the curated sample directory for the Chicago metro area.

    .venv/bin/python scripts/make_sample_directory.py [--out FILE] [--check-only]

A JSON array of HSDS 3.0 full service records following data/README.md, from fictional
organizations at real Chicago-area ZIP codes (Cook County, plus a few in DuPage and Lake), built
with the record builders of indexer/synthetic.py. Deterministic: running it twice gives
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
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.hsds import _codes  # noqa: E402
from indexer.synthetic import (  # noqa: E402
    ALL_WEEK,
    AS_OF,
    LEAF_CATEGORIES,
    LEAF_TEXT,
    OPEN_24_7,
    PARENT_OF,
    WEEKDAYS,
    address,
    build_location,
    build_organization,
    build_service,
    category_defaults,
    county_extent,
    describe,
    fictional_phone,
    jitter,
    phone,
    service_noun,
    typical_hours,
    zip_info,
)
from linkage.geo import METERS_PER_MILE, miles_between  # noqa: E402
from linkage.taxonomy import load_taxonomy  # noqa: E402

OUT = ROOT / "data" / "sample" / "chicago.json"

# ---------------------------------------------------------------------------------------------
# Places: ZIP -> (neighborhood, share offering Spanish, other languages (each offered half the
# time), streets with a plausible house-number range). City, state and centroid come from zipcodes.
# ---------------------------------------------------------------------------------------------

ZIPS: dict[str, tuple[str, float, tuple[str, ...], tuple[tuple[str, int, int], ...]]] = {
    "60601": ("the Loop", 0.3, (), (("E Randolph St", 100, 400), ("N Michigan Ave", 100, 230))),
    "60602": ("the Loop", 0.3, (), (("W Washington St", 10, 190), ("N Dearborn St", 10, 120))),
    "60604": ("the Loop", 0.3, (), (("W Jackson Blvd", 10, 330), ("S Clark St", 200, 330))),
    "60605": ("the South Loop", 0.3, (), (("S Wabash Ave", 500, 1300), ("S State St", 500, 1200))),
    "60607": (
        "the Near West Side",
        0.3,
        (),
        (("W Roosevelt Rd", 700, 1600), ("S Halsted St", 600, 1200)),
    ),
    "60608": (
        "Pilsen",
        0.75,
        (),
        (("W 18th St", 600, 2300), ("S Blue Island Ave", 1400, 2200), ("W Cermak Rd", 600, 2400)),
    ),
    "60609": (
        "Back of the Yards",
        0.6,
        (),
        (("W 47th St", 600, 2200), ("S Ashland Ave", 3900, 5100)),
    ),
    "60610": (
        "the Near North Side",
        0.2,
        (),
        (("N Clark St", 800, 1600), ("W Division St", 100, 500)),
    ),
    "60611": (
        "Streeterville",
        0.2,
        ("zh",),
        (("E Chicago Ave", 100, 300), ("N St Clair St", 600, 900)),
    ),
    "60612": (
        "the Near West Side",
        0.3,
        (),
        (("W Madison St", 1600, 3100), ("S Western Ave", 10, 300), ("W Ogden Ave", 1500, 2200)),
    ),
    "60613": ("Lakeview", 0.2, (), (("W Irving Park Rd", 600, 1800), ("N Broadway", 3700, 4100))),
    "60614": ("Lincoln Park", 0.2, (), (("N Clark St", 2000, 2600), ("W Armitage Ave", 400, 1600))),
    "60615": ("Kenwood", 0.15, (), (("E 47th St", 10, 1500), ("S Cottage Grove Ave", 4700, 5500))),
    "60616": (
        "Chinatown",
        0.1,
        ("zh",),
        (("S Wentworth Ave", 2100, 2600), ("W 24th Pl", 100, 300), ("S Michigan Ave", 2000, 2900)),
    ),
    "60617": (
        "South Chicago",
        0.6,
        (),
        (("S Commercial Ave", 8000, 9300), ("E 87th St", 2500, 3400)),
    ),
    "60618": (
        "Avondale",
        0.5,
        ("pl",),
        (("N Milwaukee Ave", 2900, 3600), ("W Belmont Ave", 2400, 3600)),
    ),
    "60619": ("Chatham", 0.1, (), (("E 79th St", 10, 1600), ("S Cottage Grove Ave", 7500, 8700))),
    "60620": ("Auburn Gresham", 0.1, (), (("W 79th St", 400, 2200), ("S Halsted St", 7500, 8700))),
    "60621": ("Englewood", 0.15, (), (("W 63rd St", 300, 1200), ("S Halsted St", 5900, 7100))),
    "60622": (
        "Wicker Park",
        0.4,
        ("uk", "pl"),
        (("W Division St", 1600, 2800), ("W Chicago Ave", 1600, 2800)),
    ),
    "60623": (
        "Little Village",
        0.8,
        (),
        (("W 26th St", 2800, 4400), ("S Pulaski Rd", 1600, 3100), ("S Kedzie Ave", 1600, 3100)),
    ),
    "60624": ("Garfield Park", 0.2, (), (("W Madison St", 3100, 4400), ("W Lake St", 3100, 4400))),
    "60625": (
        "Albany Park",
        0.55,
        ("ko", "ar", "tl"),
        (
            ("W Lawrence Ave", 2400, 4400),
            ("N Kedzie Ave", 4400, 5000),
            ("N Kimball Ave", 4400, 5000),
        ),
    ),
    "60626": (
        "Rogers Park",
        0.5,
        ("ar",),
        (("N Clark St", 6800, 7600), ("W Howard St", 1200, 1800), ("W Morse Ave", 1200, 1800)),
    ),
    "60628": ("Roseland", 0.1, (), (("S Michigan Ave", 10300, 11500), ("W 111th St", 10, 800))),
    "60629": (
        "Chicago Lawn",
        0.6,
        ("ar",),
        (("W 63rd St", 2400, 4000), ("S Kedzie Ave", 5500, 7100)),
    ),
    "60630": (
        "Jefferson Park",
        0.3,
        ("pl",),
        (("N Milwaukee Ave", 4400, 5500), ("W Lawrence Ave", 4400, 5500)),
    ),
    "60632": (
        "Brighton Park",
        0.75,
        (),
        (("S Archer Ave", 3800, 4800), ("W 47th St", 2400, 4800), ("S Kedzie Ave", 3900, 5500)),
    ),
    "60636": ("West Englewood", 0.2, (), (("W 63rd St", 1200, 2400), ("S Damen Ave", 5500, 7500))),
    "60637": (
        "Woodlawn",
        0.15,
        (),
        (("E 63rd St", 600, 1600), ("S Cottage Grove Ave", 5500, 6700)),
    ),
    "60639": (
        "Belmont Cragin",
        0.7,
        ("pl",),
        (
            ("W Fullerton Ave", 4000, 6000),
            ("N Central Ave", 2000, 3000),
            ("W Armitage Ave", 4000, 6000),
        ),
    ),
    "60640": (
        "Uptown",
        0.35,
        ("vi", "zh"),
        (("W Argyle St", 1000, 1200), ("N Broadway", 4400, 5600), ("W Lawrence Ave", 800, 1800)),
    ),
    "60641": (
        "Portage Park",
        0.4,
        ("pl",),
        (("W Irving Park Rd", 3600, 5600), ("N Cicero Ave", 3600, 4400)),
    ),
    "60643": ("Beverly", 0.1, (), (("W 103rd St", 1000, 2700), ("S Western Ave", 9500, 11100))),
    "60644": ("Austin", 0.15, (), (("W Chicago Ave", 4800, 6000), ("W Madison St", 4800, 6000))),
    "60645": (
        "West Ridge",
        0.3,
        ("ar", "ur"),
        (("W Devon Ave", 2000, 3000), ("N California Ave", 6000, 7500)),
    ),
    "60647": (
        "Logan Square",
        0.6,
        (),
        (
            ("N Milwaukee Ave", 2200, 2900),
            ("W Fullerton Ave", 2400, 3600),
            ("W North Ave", 2400, 3600),
        ),
    ),
    "60649": ("South Shore", 0.1, (), (("E 71st St", 1600, 3100), ("S Jeffery Blvd", 6700, 7900))),
    "60651": (
        "Humboldt Park",
        0.5,
        (),
        (("W Division St", 2800, 4800), ("W Chicago Ave", 3200, 4800)),
    ),
    "60653": ("Bronzeville", 0.1, (), (("E 43rd St", 10, 800), ("S King Dr", 3500, 4700))),
    "60657": (
        "Lakeview",
        0.2,
        (),
        (("N Halsted St", 2800, 3700), ("N Broadway", 2800, 3700), ("W Belmont Ave", 400, 1800)),
    ),
    "60659": (
        "West Ridge",
        0.3,
        ("ko", "ar"),
        (("W Devon Ave", 2600, 3200), ("N Kedzie Ave", 6000, 7000)),
    ),
    "60660": (
        "Edgewater",
        0.4,
        ("ar", "vi"),
        (("N Broadway", 5600, 6400), ("W Bryn Mawr Ave", 800, 1400)),
    ),
    "60661": ("the West Loop", 0.3, (), (("W Madison St", 500, 700), ("S Canal St", 10, 300))),
    "60302": (
        "Oak Park",
        0.2,
        (),
        (("Lake St", 100, 1200), ("N Oak Park Ave", 100, 1200), ("Chicago Ave", 100, 1200)),
    ),
    "60402": (
        "Berwyn",
        0.5,
        (),
        (("W Cermak Rd", 6300, 7200), ("S Ridgeland Ave", 1500, 3900), ("Ogden Ave", 6300, 7100)),
    ),
    "60804": (
        "Cicero",
        0.8,
        (),
        (("W Cermak Rd", 4800, 6200), ("S Cicero Ave", 1900, 3800), ("W 26th St", 4800, 6200)),
    ),
    "60153": ("Maywood", 0.3, (), (("S 5th Ave", 100, 1500), ("W Madison St", 100, 1500))),
    "60201": (
        "Evanston",
        0.25,
        (),
        (("Sherman Ave", 1500, 2200), ("Church St", 500, 1900), ("Davis St", 500, 1000)),
    ),
    "60202": (
        "south Evanston",
        0.35,
        (),
        (("Howard St", 500, 1300), ("Main St", 500, 1300), ("Chicago Ave", 500, 1500)),
    ),
    "60148": (
        "Lombard",
        0.3,
        (),
        (("S Main St", 10, 800), ("W Roosevelt Rd", 10, 800), ("E St Charles Rd", 10, 500)),
    ),
    "60187": ("Wheaton", 0.2, (), (("W Roosevelt Rd", 100, 900), ("N Main St", 100, 700))),
    "60085": (
        "Waukegan",
        0.55,
        (),
        (("N Genesee St", 10, 1500), ("W Washington St", 10, 1500), ("Grand Ave", 100, 1500)),
    ),
    "60455": (
        "Bridgeview",
        0.2,
        ("ar",),
        (("S Harlem Ave", 7200, 8700), ("W 87th St", 7100, 7900)),
    ),
    "60406": (
        "Blue Island",
        0.5,
        (),
        (("S Western Ave", 11900, 13500), ("Vermont St", 2000, 2500)),
    ),
    "60426": ("Harvey", 0.2, (), (("S Halsted St", 14700, 15800), ("W 147th St", 10, 1000))),
    # outside Illinois, for "open now" across time zones
    "20001": (
        "Washington, DC",
        0.3,
        (),
        (("7th St NW", 1000, 1800), ("Rhode Island Ave NW", 600, 900)),
    ),
    "90012": ("downtown Los Angeles", 1.0, (), (("N Broadway", 700, 1000), ("E 1st St", 100, 400))),
    "80202": ("downtown Denver", 0.3, (), (("Larimer St", 1400, 2000), ("17th St", 600, 1700))),
}

# Fictional 555-01xx numbers, 100 per area code: first choice, then overlays.
AREA_CODES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("60601", "60602", "60603", "60604", "60606", "60605", "60607", "60610", "60611", "60661"),
        ("312", "872"),
    ),
    **dict.fromkeys(
        ("60302", "60402", "60804", "60153", "60455", "60406", "60426"), ("708", "464")
    ),
    **dict.fromkeys(("60201", "60202", "60085"), ("847", "224")),
    **dict.fromkeys(("60148", "60187"), ("630", "331")),
    "20001": ("202",),
    "90012": ("213",),
    "80202": ("303",),
}
DEFAULT_AREA_CODES = ("773", "872", "312")

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

TWO_PERIODS = ((WEEKDAYS, "09:00", "12:00"), (WEEKDAYS, "13:00", "17:00"))
EVENING = (("MO,TU,WE,TH", "10:00", "19:30"), ("FR", "10:00", "17:00"))
WITH_SATURDAY = ((WEEKDAYS, "09:00", "17:00"), ("SA", "09:00", "13:00"))
NO_HOURS: tuple = ()


def S(*categories: str, **options) -> dict:
    """One service of an organization: its categories (leaf codes) and any overrides.

    Overrides: name, text (extra sentence), description, hours, langs (extra language
    codes), areas, virtual (no address; areas required), eligibility, income, fee, min_age,
    max_age, status, stale, confidential, sms, zip (a second site), phone_desc, application.
    """
    return {"categories": categories, **options}


# (name, short name used in service names, home ZIP, description, services)
ORGS: list[tuple[str, str, str, str, list[dict]]] = [
    # --- Pilsen, Little Village, North Lawndale -------------------------------------------
    (
        "Halsted Table Food Collective",
        "Halsted Table",
        "60608",
        "Volunteer-run food network serving Pilsen and Bridgeport families since 1994.",
        [
            S("food-pantry", hours=(("TU,TH", "10:00", "13:00"), ("SA", "09:00", "12:00"))),
            S("free-meals", name="Halsted Table Sunday Supper", hours=(("SU", "16:00", "18:30"),)),
            S("baby-supplies", "clothing"),
        ],
    ),
    (
        "Casa Girasol Family Center",
        "Casa Girasol",
        "60608",
        "Bilingual family center: early learning, after-school programs and parent support.",
        [
            S("child-care", langs=("es",)),
            S("after-school", langs=("es",)),
            S(
                "support-groups",
                name="Casa Girasol Parent Circle",
                hours=(("WE", "18:00", "19:30"),),
            ),
        ],
    ),
    (
        "Eighteenth Street Tenants United",
        "Eighteenth Street Tenants",
        "60608",
        "Tenant organizing and housing help for renters on the Lower West Side.",
        [S("tenant-legal-aid", hours=EVENING), S("rent-assistance"), S("housing-search")],
    ),
    (
        "Clínica Tres Rosas",
        "Tres Rosas",
        "60608",
        "Community health center with bilingual primary care, dental and behavioral health.",
        [
            S(
                "clinics",
                "insurance-enrollment",
                hours=TWO_PERIODS,
                langs=("es",),
                eligibility=("uninsured",),
            ),
            S("dental-care", langs=("es",)),
            S("prescription-help"),
            S("counseling", langs=("es",), zip="60623"),
        ],
    ),
    (
        "26th Street Mutual Aid Network",
        "26th Street Mutual Aid",
        "60623",
        "Neighbors helping neighbors in Little Village with food, clothing and emergency funds.",
        [
            S("food-pantry", hours=(("WE", "16:00", "19:00"), ("SA", "09:00", "12:00"))),
            S("household-goods"),
            S("cash-assistance", income=150),
        ],
    ),
    (
        "Lawndale Renewal Partners",
        "Lawndale Renewal",
        "60623",
        "Workforce and reentry services for North Lawndale residents.",
        [S("job-training", "job-search"), S("work-clothing"), S("reentry-legal", hours=EVENING)],
    ),
    (
        "Kedzie Corridor Immigrant Defense Project",
        "Kedzie Corridor",
        "60623",
        "Legal services and language access for immigrant families on the Southwest Side.",
        [
            S("immigration-legal", langs=("es",)),
            S("esl", langs=("es",)),
            S("interpretation", langs=("es", "ar")),
        ],
    ),
    (
        "Ogden Avenue Recovery Commons",
        "Ogden Avenue Recovery",
        "60623",
        "Peer-led recovery community with outpatient treatment on site.",
        [
            S("addiction-treatment"),
            S("recovery-support", sms=True),
            S("support-groups", name="Ogden Avenue Family Recovery Group"),
        ],
    ),
    # --- West Side: Garfield Park, Austin, Humboldt Park -----------------------------------
    (
        "West Garfield Hope Kitchen",
        "Hope Kitchen West",
        "60624",
        "Daily meals and a day center for West Side residents facing hunger or homelessness.",
        [
            S("free-meals", hours=((ALL_WEEK, "07:00", "08:30"), (ALL_WEEK, "17:00", "18:30"))),
            S("drop-in-center", hours=((ALL_WEEK, "07:00", "15:00"),)),
            S("clothing"),
        ],
    ),
    (
        "Pulaski Park Family Health",
        "Pulaski Park Health",
        "60624",
        "Family medicine, dental care and coverage enrollment in East and West Garfield Park.",
        [S("clinics", hours=WITH_SATURDAY), S("dental-care"), S("insurance-enrollment")],
    ),
    (
        "Austin Ridge Youth Network",
        "Austin Ridge Youth",
        "60644",
        "Shelter, mentoring and job programs for young people on the West Side.",
        [
            S("youth-shelter", sms=True),
            S("after-school"),
            S(
                "job-training",
                name="Austin Ridge Youth Jobs Program",
                min_age=16,
                max_age=24,
                eligibility=("youth",),
            ),
        ],
    ),
    (
        "Central Avenue Seniors Circle",
        "Central Avenue Seniors",
        "60644",
        "Older adult programs in Austin: a senior center, meals at home, rides and caregiver help.",
        [S("senior-centers"), S("home-delivered-meals"), S("senior-rides"), S("caregiver-support")],
    ),
    (
        "Westside Second Chance Works",
        "Second Chance Works",
        "60651",
        "Reentry help for people coming home from incarceration.",
        [
            S("reentry-legal", stale=True),
            S("job-search", eligibility=("people-with-records",)),
            S("recovery-support"),
        ],
    ),
    (
        "Humboldt Boulevard Housing Partners",
        "Humboldt Boulevard Housing",
        "60651",
        "Affordable rental housing and homeowner repair programs in Humboldt Park.",
        [
            S("affordable-housing"),
            S("housing-search", langs=("es",)),
            S("home-repair", eligibility=("seniors",), min_age=62),
        ],
    ),
    # --- South Side: Englewood, Back of the Yards, Auburn Gresham, Chatham --------------------
    (
        "Sixty-Third Street Harvest Pantry",
        "63rd Street Harvest",
        "60621",
        "Food pantry and community meals in Englewood.",
        [
            S("food-pantry", hours=(("MO,WE,FR", "10:00", "14:00"),)),
            S("free-meals", hours=((WEEKDAYS, "11:30", "13:00"),)),
        ],
    ),
    (
        "Englewood Bright Futures Collaborative",
        "Bright Futures",
        "60621",
        "Early learning, after-school and adult education for Englewood families.",
        [S("after-school"), S("child-care", income=200), S("adult-education")],
    ),
    (
        "Hamilton Park Wellness Clinic",
        "Hamilton Park Wellness",
        "60636",
        "Primary and behavioral health care in West Englewood.",
        [S("clinics", hours=TWO_PERIODS), S("psychiatric-care"), S("counseling", hours=EVENING)],
    ),
    (
        "Damen Avenue Family Stability Project",
        "Family Stability Project",
        "60636",
        "Emergency financial help so families can keep their homes and lights on.",
        [S("rent-assistance"), S("utility-assistance"), S("cash-assistance"), S("benefits-help")],
    ),
    (
        "Stockyards Neighborhood Pantry Alliance",
        "Stockyards Pantry",
        "60609",
        "A pantry and diaper bank run by Back of the Yards congregations.",
        [S("food-pantry", hours=(("SA", "08:00", "11:00"),)), S("baby-supplies")],
    ),
    (
        "47th Street Worker Center",
        "47th Street Worker Center",
        "60609",
        "Worker center for day laborers and immigrant workers.",
        [
            S("job-search"),
            S("job-training", langs=("es",)),
            S("tax-preparation", hours=WITH_SATURDAY),
            S("immigration-legal"),
        ],
    ),
    (
        "Seventy-Ninth Street Elders Guild",
        "79th Street Elders",
        "60620",
        "Senior center and lunch program in Auburn Gresham.",
        [
            S("senior-centers"),
            S(
                "free-meals",
                name="79th Street Elders Senior Lunch",
                min_age=60,
                eligibility=("seniors",),
                hours=((WEEKDAYS, "11:30", "13:00"),),
            ),
            S("digital-literacy", min_age=55),
        ],
    ),
    (
        "Gresham Community Health Cooperative",
        "Gresham Health",
        "60620",
        "Patient-governed community clinic.",
        [S("clinics", hours=EVENING), S("prescription-help"), S("insurance-enrollment")],
    ),
    (
        "Chatham Homeowners Repair Fund",
        "Chatham Homeowners",
        "60619",
        "Repair grants, weatherization and coaching that help longtime owners stay in their homes.",
        [S("home-repair"), S("weatherization"), S("financial-coaching")],
    ),
    (
        "Avalon Park Family Counseling Center",
        "Avalon Park Counseling",
        "60619",
        "Counseling and support groups for individuals, couples and families.",
        [
            S("counseling", hours=EVENING),
            S("support-groups", name="Avalon Park Grief Support Group"),
        ],
    ),
    # --- Far South Side --------------------------------------------------------------------
    (
        "Roseland Veterans Welcome Center",
        "Roseland Veterans",
        "60628",
        "Benefits, housing and job help from veterans, for veterans.",
        [
            S("veteran-benefits"),
            S("veteran-housing", eligibility=("veterans", "homeless")),
            S("job-search", eligibility=("veterans",)),
        ],
    ),
    (
        "Roseland Harvest Table",
        "Roseland Harvest",
        "60628",
        "Food and clothing for the Roseland and Pullman communities.",
        [
            S("food-pantry"),
            S("clothing", status="inactive"),
            S("free-meals", hours=(("TU,TH", "17:00", "18:30"),)),
        ],
    ),
    (
        "Far South Youth Sanctuary",
        "Youth Sanctuary",
        "60628",
        "Shelter and support for young people ages 12 to 24.",
        [
            S("youth-shelter", sms=True, eligibility=("youth", "homeless")),
            S("after-school"),
            S("counseling", max_age=24, eligibility=("youth",)),
        ],
    ),
    (
        "South Shore Lakefront Elder Services",
        "Lakefront Elder Services",
        "60649",
        "Protective services, day programs and caregiver support for older adults.",
        [S("elder-abuse-services"), S("senior-centers"), S("caregiver-support"), S("adult-day")],
    ),
    (
        "Jeffery Boulevard Learning Center",
        "Jeffery Learning Center",
        "60649",
        "Adult education, digital skills and job training.",
        [
            S("adult-education", hours=EVENING),
            S("digital-literacy"),
            S("job-training"),
            S("phone-internet", name="Jeffery Learning Center Free Wi-Fi and Devices"),
        ],
    ),
    (
        "Woodlawn Mothers' Circle",
        "Woodlawn Mothers' Circle",
        "60637",
        "Support for pregnant women, new parents and young children.",
        [
            S(
                "food-benefits",
                name="Woodlawn Mothers' Circle WIC Clinic",
                eligibility=("pregnant", "families-with-children"),
                income=200,
                description=(
                    "WIC-style nutrition program: healthy food benefits, breastfeeding support "
                    "and nutrition counseling for pregnant women, new mothers and children "
                    "under 5. Call ahead for an appointment."
                ),
            ),
            S("baby-supplies"),
            S(
                "support-groups",
                name="Woodlawn New Parents Group",
                eligibility=("families-with-children",),
            ),
        ],
    ),
    (
        "Midway Plaisance Legal Clinic",
        "Midway Legal Clinic",
        "60637",
        "Free civil legal help for South Side residents.",
        [S("tenant-legal-aid"), S("protective-orders"), S("reentry-legal")],
    ),
    (
        "Kenwood Open Hearth",
        "Kenwood Open Hearth",
        "60615",
        "Shelter, meals and a day center for adults experiencing homelessness.",
        [
            S("emergency-shelter", hours=((ALL_WEEK, "18:00", "08:00"),)),
            S("drop-in-center"),
            S("free-meals"),
        ],
    ),
    (
        "Bronzeville Heritage Housing Corporation",
        "Bronzeville Heritage Housing",
        "60653",
        "Affordable apartments and housing counseling in Bronzeville.",
        [
            S(
                "affordable-housing",
                name="Bronzeville Heritage Senior Apartments",
                min_age=62,
                eligibility=("seniors",),
            ),
            S("housing-search"),
            S("rent-assistance"),
        ],
    ),
    (
        "King Drive Wellness Collaborative",
        "King Drive Wellness",
        "60653",
        "Integrated mental health and addiction treatment.",
        [S("psychiatric-care"), S("counseling"), S("addiction-treatment", hours=WITH_SATURDAY)],
    ),
    (
        "Commercial Avenue Community Services",
        "Commercial Avenue",
        "60617",
        "Multi-service agency for South Chicago and the East Side.",
        [S("food-pantry"), S("utility-assistance"), S("tax-preparation")],
    ),
    (
        "Calumet Shores Family Clinic",
        "Calumet Shores",
        "60617",
        "Family medicine and dentistry on the Southeast Side.",
        [S("clinics", langs=("es",)), S("dental-care", stale=True)],
    ),
    # --- Southwest Side ---------------------------------------------------------------------
    (
        "Kedzie Family Hub",
        "Kedzie Family Hub",
        "60629",
        "One-stop family resource center in Chicago Lawn.",
        [S("benefits-help", hours=WITH_SATURDAY), S("esl"), S("food-pantry"), S("cash-assistance")],
    ),
    (
        "Crescent Bridge Family Services",
        "Crescent Bridge",
        "60629",
        "Culturally grounded services for Arab American and immigrant families.",
        [
            S("interpretation", langs=("ar",)),
            S("immigration-legal", langs=("ar",)),
            S("counseling", langs=("ar",)),
        ],
    ),
    (
        "Archer Avenue Family Table",
        "Archer Avenue",
        "60632",
        "Food and youth programs for Brighton Park families.",
        [
            S("food-pantry", hours=(("TH", "15:00", "18:00"), ("SA", "09:00", "12:00"))),
            S("free-meals"),
            S("after-school"),
        ],
    ),
    (
        "Southwest Side Money Matters",
        "Money Matters",
        "60632",
        "Free tax help, financial coaching and benefits enrollment.",
        [S("tax-preparation", hours=WITH_SATURDAY), S("financial-coaching"), S("benefits-help")],
    ),
    # --- Chinatown, Uptown ------------------------------------------------------------------
    (
        "Wentworth Golden Years Association",
        "Golden Years",
        "60616",
        "Senior programs for Chinese-speaking elders in Chinatown and Bridgeport.",
        [
            S("senior-centers", langs=("zh",)),
            S("home-delivered-meals", langs=("zh",)),
            S("interpretation", langs=("zh",)),
        ],
    ),
    (
        "Jade Gate Family Services",
        "Jade Gate",
        "60616",
        "Family services for Chinese immigrant families.",
        [
            S("esl", langs=("zh",)),
            S("child-care", langs=("zh",)),
            S("insurance-enrollment", langs=("zh",)),
        ],
    ),
    (
        "Near South Family Health Center",
        "Near South Health",
        "60616",
        "Primary care and dentistry near Chinatown.",
        [S("clinics", langs=("zh",)), S("dental-care")],
    ),
    (
        "Argyle Lantern Community Services",
        "Argyle Lantern",
        "60640",
        "Community services for Southeast Asian and other immigrant families in Uptown.",
        [
            S("esl", langs=("vi",)),
            S("benefits-help", langs=("vi", "zh")),
            S("senior-centers", langs=("vi",)),
            S("phone-internet", langs=("vi",)),
        ],
    ),
    (
        "Uptown Night Harbor",
        "Night Harbor",
        "60640",
        "Overnight drop-in center and shelter on the North Side.",
        [
            S(
                "drop-in-center",
                name="Night Harbor Overnight Drop-In",
                hours=((ALL_WEEK, "20:00", "08:00"),),
                text="Open overnight, 8 PM to 8 AM every night.",
            ),
            S("emergency-shelter", hours=OPEN_24_7),
            S("clothing", hours=NO_HOURS),
        ],
    ),
    (
        "Lawrence Avenue Health Commons",
        "Health Commons",
        "60640",
        "Community health center with integrated psychiatry and pharmacy.",
        [S("clinics"), S("psychiatric-care"), S("prescription-help")],
    ),
    (
        "Sheridan Shore Recovery House",
        "Sheridan Shore",
        "60640",
        "Recovery housing and outpatient addiction treatment.",
        [S("recovery-support", hours=OPEN_24_7), S("addiction-treatment")],
    ),
    # --- Far North Side ---------------------------------------------------------------------
    (
        "Howard Street Neighbors Pantry",
        "Howard Street",
        "60626",
        "Client-choice pantry and community meals in Rogers Park.",
        [S("food-pantry"), S("free-meals")],
    ),
    (
        "Rogers Park Tenants' Legal Desk",
        "Tenants' Legal Desk",
        "60626",
        "Eviction defense and rental assistance for North Side renters.",
        [S("tenant-legal-aid"), S("rent-assistance")],
    ),
    (
        "Lakeside Rainbow Youth Center",
        "Rainbow Youth",
        "60626",
        "Affirming shelter and drop-in space for LGBTQ youth.",
        [
            S("youth-shelter", eligibility=("youth", "lgbtq"), sms=True),
            S("support-groups", eligibility=("lgbtq",)),
            S("drop-in-center"),
        ],
    ),
    (
        "Edgewater Bridges Resettlement Center",
        "Edgewater Bridges",
        "60660",
        "Resettlement, legal and employment help for refugees and immigrants.",
        [
            S("immigration-legal", langs=("ar",)),
            S("esl"),
            S("job-search", eligibility=("immigrants",)),
            S("household-goods"),
        ],
    ),
    (
        "Bryn Mawr Caregiver Network",
        "Bryn Mawr Caregiver",
        "60660",
        "Respite, day programs and support for family caregivers.",
        [
            S("caregiver-support"),
            S("adult-day", fee="fee"),
            S("support-groups", name="Bryn Mawr Dementia Caregivers Group"),
        ],
    ),
    (
        "Devon Avenue Family Services",
        "Devon Avenue",
        "60645",
        "Multilingual benefits, interpretation and English classes on Devon Avenue.",
        [
            S("benefits-help", langs=("ur", "hi")),
            S("interpretation", langs=("ur", "hi", "ar")),
            S("esl"),
        ],
    ),
    (
        "West Ridge Senior Connect",
        "West Ridge Senior Connect",
        "60659",
        "Senior center, rides and tech help for older adults.",
        [
            S("senior-centers", langs=("ko",)),
            S("senior-rides"),
            S("digital-literacy", min_age=60, eligibility=("seniors",)),
        ],
    ),
    # --- Albany Park, Lincoln Square --------------------------------------------------------
    (
        "Kimball Avenue Welcome Center",
        "Kimball Welcome Center",
        "60625",
        "Welcoming center for immigrants and refugees in Albany Park.",
        [
            S("esl", langs=("ko", "ar")),
            S("immigration-legal"),
            S("interpretation", langs=("ko", "ar", "tl")),
            S("benefits-help"),
        ],
    ),
    (
        "Saebyeok Korean Family Services",
        "Saebyeok",
        "60625",
        "Korean-language services for older adults and families.",
        [
            S("senior-centers", langs=("ko",)),
            S("counseling", langs=("ko",)),
            S("caregiver-support", langs=("ko",)),
        ],
    ),
    (
        "Kapitbahay Northside Center",
        "Kapitbahay",
        "60625",
        "Filipino community center with caregiver and senior programs.",
        [
            S("support-groups", langs=("tl",)),
            S("caregiver-support", langs=("tl",)),
            S("home-delivered-meals", langs=("tl",)),
        ],
    ),
    (
        "Ravenswood Legal Help Collective",
        "Ravenswood Legal",
        "60625",
        "Legal help with immigration, housing and family safety.",
        [S("immigration-legal"), S("tenant-legal-aid"), S("protective-orders")],
    ),
    # --- Northwest Side ---------------------------------------------------------------------
    (
        "Jackowo Family Services",
        "Jackowo",
        "60618",
        "Polish- and Spanish-speaking family services in Avondale.",
        [
            S("esl", langs=("pl",)),
            S("benefits-help", langs=("pl",)),
            S("counseling", langs=("pl",)),
            S("senior-centers", langs=("pl",)),
        ],
    ),
    (
        "Avondale Home Repair Corps",
        "Avondale Home Repair",
        "60618",
        "Volunteer and contractor home repairs for low-income homeowners.",
        [S("home-repair", eligibility=("seniors",)), S("weatherization")],
    ),
    (
        "Six Corners Senior Circle",
        "Six Corners Seniors",
        "60641",
        "Older adult center at Six Corners.",
        [
            S("senior-centers", langs=("pl",)),
            S(
                "free-meals",
                name="Six Corners Senior Lunch",
                min_age=60,
                eligibility=("seniors",),
                hours=((WEEKDAYS, "11:30", "12:30"),),
            ),
            S("senior-rides"),
            S("adult-day"),
        ],
    ),
    (
        "Portage Park Pantry Partners",
        "Portage Park",
        "60641",
        "Neighborhood pantry and baby supplies.",
        [S("food-pantry", langs=("pl",)), S("baby-supplies")],
    ),
    (
        "Gateway Northwest Commuter Help",
        "Gateway Northwest",
        "60630",
        "Transportation help for Northwest Side residents.",
        [S("transit-fare-help"), S("medical-rides"), S("car-help", status="inactive")],
    ),
    (
        "Wisła Family Health",
        "Wisła Health",
        "60630",
        "Polish-speaking family medicine and dentistry.",
        [S("clinics", langs=("pl",)), S("dental-care", langs=("pl",)), S("prescription-help")],
    ),
    (
        "Logan Boulevard Food Collective",
        "Logan Boulevard",
        "60647",
        "Food justice collective in Logan Square.",
        [S("food-pantry"), S("free-meals"), S("household-goods")],
    ),
    (
        "Palmer Square Legal Clinic",
        "Palmer Square Legal",
        "60647",
        "Free legal clinic for Northwest Side residents.",
        [S("tenant-legal-aid", hours=EVENING), S("immigration-legal"), S("reentry-legal")],
    ),
    (
        "Coquí Youth and Family Center",
        "Coquí",
        "60647",
        "Puerto Rican and Latino youth and family programs.",
        [
            S("after-school"),
            S("child-care"),
            S("job-training", min_age=16, max_age=24, eligibility=("youth",)),
            S("counseling"),
        ],
    ),
    (
        "Belmont Cragin Family Table",
        "Belmont Cragin",
        "60639",
        "Food and family support in Belmont Cragin and Hermosa.",
        [S("food-pantry"), S("food-benefits"), S("esl", stale=True)],
    ),
    (
        "Hermosa Health Partners",
        "Hermosa Health",
        "60639",
        "Bilingual primary care and coverage enrollment.",
        [
            S("clinics", hours=WITH_SATURDAY, langs=("es",)),
            S("insurance-enrollment"),
            S("prescription-help"),
        ],
    ),
    (
        "Fullerton Avenue Job Works",
        "Fullerton Job Works",
        "60639",
        "Job readiness, training and work supports.",
        [
            S("job-search"),
            S("job-training"),
            S("work-clothing"),
            S("digital-literacy"),
            S("car-help"),
        ],
    ),
    (
        "Wicker Park Family Closet",
        "Wicker Park Family Closet",
        "60622",
        "Free clothing, baby supplies and household goods.",
        [
            S("baby-supplies"),
            S("clothing", hours=(("TU", "12:00", "18:00"), ("SA", "10:00", "14:00"))),
            S("household-goods"),
        ],
    ),
    (
        "Near Northwest Crisis and Counseling Center",
        "Near Northwest",
        "60622",
        "Walk-in crisis care and counseling.",
        [
            S("counseling"),
            S("crisis-lines", name="Near Northwest 24-Hour Crisis Line", sms=True),
            S("psychiatric-care"),
        ],
    ),
    # --- North Side, Near North -------------------------------------------------------------
    (
        "Belmont Harbor Food Share",
        "Belmont Harbor",
        "60657",
        "Lakeview food pantry and community dinners.",
        [S("food-pantry"), S("free-meals", hours=(("MO,WE", "17:30", "19:00"),))],
    ),
    (
        "Northalsted Rainbow Health Collective",
        "Rainbow Health",
        "60657",
        "LGBTQ-affirming health care and support.",
        [
            S("clinics", eligibility=("lgbtq",)),
            S("counseling"),
            S("support-groups", eligibility=("lgbtq",)),
            S("prescription-help"),
        ],
    ),
    (
        "Addison Street Recovery Alliance",
        "Addison Recovery",
        "60613",
        "Recovery meetings, peer coaching and treatment referrals.",
        [
            S("recovery-support"),
            S("addiction-treatment"),
            S("support-groups", hours=(("MO,WE,FR", "19:00", "20:30"),)),
        ],
    ),
    (
        "Lincoln Park Job Bridge",
        "Job Bridge",
        "60614",
        "Employment and money management services.",
        [S("job-search"), S("financial-coaching"), S("tax-preparation")],
    ),
    (
        "Near North Housing Navigators",
        "Housing Navigators",
        "60610",
        "Housing search, placement and rental assistance.",
        [S("housing-search"), S("affordable-housing"), S("rent-assistance")],
    ),
    (
        "Streeterville Interpreters Cooperative",
        "Streeterville Interpreters",
        "60611",
        "Worker-owned interpretation cooperative serving clinics and families.",
        [S("interpretation", langs=("zh", "ko", "pl", "ar")), S("insurance-enrollment")],
    ),
    # --- Loop, South Loop, West Loop, Near West Side ---------------------------------------
    (
        "State Street Benefits Hub",
        "State Street Benefits Hub",
        "60602",
        "Downtown benefits enrollment center.",
        [
            S("benefits-help"),
            S("cash-assistance"),
            S("insurance-enrollment"),
            S("food-benefits"),
            S("veteran-benefits", "benefits-help", name="State Street Veterans Benefits Desk"),
        ],
    ),
    (
        "Loop Legal Aid Collaborative",
        "Loop Legal Aid",
        "60604",
        "Free civil legal services at the Daley Center area.",
        [S("tenant-legal-aid"), S("protective-orders"), S("reentry-legal"), S("immigration-legal")],
    ),
    (
        "Wabash Workforce Center",
        "Wabash Workforce",
        "60605",
        "Downtown job center with training and adult education.",
        [S("job-search"), S("job-training"), S("work-clothing"), S("adult-education")],
    ),
    (
        "West Loop Welcome Shelter",
        "West Loop Welcome",
        "60607",
        "Shelter and day services for adults.",
        [S("emergency-shelter", hours=OPEN_24_7), S("drop-in-center"), S("household-goods")],
    ),
    (
        "Roosevelt Road Ride Partners",
        "Roosevelt Road Rides",
        "60607",
        "Non-emergency medical transportation and senior rides.",
        [S("medical-rides"), S("senior-rides", stale=True)],
    ),
    (
        "Canal Street Veterans Resource Center",
        "Canal Street Veterans",
        "60661",
        "Veterans resource center near Union Station.",
        [S("veteran-benefits"), S("veteran-housing"), S("job-search", eligibility=("veterans",))],
    ),
    (
        "Randolph Street Financial Wellness Center",
        "Randolph Financial Wellness",
        "60601",
        "Free financial coaching and tax preparation.",
        [S("financial-coaching"), S("tax-preparation")],
    ),
    (
        "Near West Mental Health Collaborative",
        "Near West Mental Health",
        "60612",
        "Community mental health center.",
        [
            S("psychiatric-care"),
            S("counseling"),
            S("crisis-lines", name="Near West Mobile Crisis Line"),
        ],
    ),
    (
        "Madison Street Youth Haven",
        "Madison Street Youth",
        "60612",
        "Shelter and drop-in services for youth.",
        [S("youth-shelter"), S("drop-in-center", max_age=24, eligibility=("youth",))],
    ),
    (
        "Damen Dental Commons",
        "Damen Dental",
        "60612",
        "Community dental clinic and pharmacy assistance.",
        [S("dental-care", hours=TWO_PERIODS), S("prescription-help")],
    ),
    (
        "Beverly Hills Caregiver Alliance",
        "Beverly Caregivers",
        "60643",
        "Caregiver support, day programs and elder protection on the Far Southwest Side.",
        [S("caregiver-support"), S("adult-day", fee="fee"), S("elder-abuse-services")],
    ),
    # --- Suburbs ----------------------------------------------------------------------------
    (
        "Oak Park Prairie Housing Collaborative",
        "Prairie Housing",
        "60302",
        "Housing search and rental help in Oak Park and nearby suburbs.",
        [S("housing-search"), S("rent-assistance"), S("affordable-housing")],
    ),
    (
        "Lake Street Clothing Exchange",
        "Lake Street Exchange",
        "60302",
        "Free clothing and household goods.",
        [S("clothing"), S("work-clothing"), S("household-goods")],
    ),
    (
        "Ridgeland Commons Meals",
        "Ridgeland Commons",
        "60302",
        "Meals and social programs for older adults.",
        [
            S("home-delivered-meals"),
            S(
                "free-meals",
                name="Ridgeland Commons Senior Lunch",
                min_age=60,
                eligibility=("seniors",),
            ),
            S("senior-centers"),
        ],
    ),
    (
        "Berwyn Depot Family Services",
        "Berwyn Depot",
        "60402",
        "Family services for Berwyn and Cicero.",
        [S("benefits-help"), S("utility-assistance"), S("tax-preparation"), S("child-care")],
    ),
    (
        "Cermak Road Health Partners",
        "Cermak Road Health",
        "60402",
        "Community health center in Berwyn.",
        [S("clinics", hours=TWO_PERIODS), S("counseling"), S("dental-care")],
    ),
    (
        "Cicero Familias Unidas Center",
        "Familias Unidas",
        "60804",
        "Bilingual family center in Cicero.",
        [S("esl"), S("immigration-legal"), S("food-pantry"), S("after-school")],
    ),
    (
        "Proviso Second Chance Center",
        "Proviso Second Chance",
        "60153",
        "Reentry services for the western suburbs.",
        [
            S("reentry-legal"),
            S("job-training", eligibility=("people-with-records",)),
            S("recovery-support"),
        ],
    ),
    (
        "Evanston Lakeshore Shelter Partners",
        "Lakeshore Shelter",
        "60201",
        "Shelter, housing help and a day center in Evanston.",
        [S("emergency-shelter"), S("housing-search"), S("drop-in-center")],
    ),
    (
        "Sherman Avenue Senior Services",
        "Sherman Avenue Seniors",
        "60201",
        "Senior center, rides, meals and elder protection.",
        [
            S("senior-centers"),
            S("senior-rides"),
            S("elder-abuse-services"),
            S("home-delivered-meals"),
        ],
    ),
    (
        "Howard and Chicago Family Health",
        "Howard Chicago Health",
        "60202",
        "Family health center in south Evanston.",
        [S("clinics"), S("insurance-enrollment")],
    ),
    (
        "DuPage Prairie Community Services",
        "DuPage Prairie",
        "60148",
        "Basic needs help for DuPage County residents.",
        [S("food-pantry"), S("utility-assistance"), S("rent-assistance"), S("transit-fare-help")],
    ),
    (
        "Lilac Counseling Center",
        "Lilac Counseling",
        "60148",
        "Counseling, support groups and caregiver programs.",
        [S("counseling"), S("support-groups"), S("caregiver-support")],
    ),
    (
        "Wheaton Crossroads Veterans Network",
        "Crossroads Veterans",
        "60187",
        "Veterans services for DuPage County.",
        [S("veteran-benefits"), S("veteran-housing"), S("counseling", eligibility=("veterans",))],
    ),
    (
        "Genesee Street Community Services",
        "Genesee Street",
        "60085",
        "Multi-service center in Waukegan.",
        [S("food-pantry"), S("free-meals"), S("benefits-help"), S("esl")],
    ),
    (
        "Cedar and Crescent Family Services",
        "Cedar and Crescent",
        "60455",
        "Arabic-speaking family services in the southwest suburbs.",
        [
            S("benefits-help", langs=("ar",)),
            S("interpretation", langs=("ar",)),
            S("food-pantry", langs=("ar",)),
            S("counseling", langs=("ar",)),
        ],
    ),
    (
        "Calumet Sag Family Pantry",
        "Calumet Sag",
        "60406",
        "Pantry, clothing and utility help in Blue Island.",
        [S("food-pantry"), S("clothing"), S("utility-assistance", stale=True)],
    ),
    (
        "Southland Transit and Jobs Partnership",
        "Southland Transit and Jobs",
        "60426",
        "Transportation and job search help for the south suburbs.",
        [S("transit-fare-help"), S("car-help"), S("job-search")],
    ),
    # --- Domestic violence (shelter addresses are confidential) -----------------------------
    (
        "Lantern Light Survivor Network",
        "Lantern Light",
        "60651",
        "Safety, shelter and advocacy for survivors of domestic violence.",
        [
            S("dv-shelter", name="Lantern House Safe Shelter", confidential=True, zip="60639"),
            S("domestic-violence-services", langs=("es",)),
            S("protective-orders"),
        ],
    ),
    (
        "Quiet Harbor Family Safety Center",
        "Quiet Harbor",
        "60620",
        "Shelter and services for survivors of family violence, including older adults.",
        [
            S(
                "dv-shelter",
                name="Quiet Harbor Emergency Safe Shelter",
                confidential=True,
                zip="60619",
            ),
            S("domestic-violence-services"),
            S("elder-abuse-services"),
        ],
    ),
    (
        "Lakeshore Lantern Survivor Services",
        "Lakeshore Lantern",
        "60085",
        "Domestic violence shelter and legal advocacy for Lake County.",
        [
            S("dv-shelter", name="Lakeshore Lantern Safe House", confidential=True, langs=("es",)),
            S("domestic-violence-services"),
            S("protective-orders"),
        ],
    ),
    # --- Phone and online services (no address) ---------------------------------------------
    (
        "Prairie State Energy Help Partners",
        "Prairie State Energy",
        "60604",
        "Statewide nonprofit helping Illinois households with energy and connectivity costs.",
        [
            S(
                "utility-assistance",
                name="Illinois Energy Help Line",
                virtual=True,
                areas=("state:IL",),
                hours=((WEEKDAYS, "08:00", "18:00"),),
                income=200,
                langs=("es",),
                description=(
                    "Statewide utility help line: help paying gas and electric bills, LIHEAP "
                    "energy assistance applications and shutoff protection. Call or apply by "
                    "phone from anywhere in Illinois."
                ),
            ),
            S(
                "weatherization",
                name="Illinois Weatherization Application Line",
                virtual=True,
                areas=("state:IL",),
            ),
            S(
                "phone-internet",
                name="Illinois Affordable Internet Enrollment Line",
                virtual=True,
                areas=("state:IL",),
                hours=NO_HOURS,
            ),
        ],
    ),
    (
        "Cook County Senior Mobility Cooperative",
        "Cook County Senior Mobility",
        "60602",
        "Ride booking for older adults and people with disabilities in Cook County.",
        [
            S(
                "senior-rides",
                name="Cook County Senior Ride Booking Line",
                virtual=True,
                areas=("county:IL:Cook",),
                hours=((WEEKDAYS, "07:00", "17:00"),),
                langs=("es", "pl"),
            ),
            S(
                "medical-rides",
                name="Cook County Medical Ride Scheduling",
                virtual=True,
                areas=("county:IL:Cook",),
                eligibility=("disability",),
            ),
        ],
    ),
    (
        "Steady Voices Crisis Network",
        "Steady Voices",
        "60601",
        "Crisis and emotional support lines staffed by trained counselors and peers.",
        [
            S(
                "crisis-lines",
                name="Steady Voices National Crisis Line",
                virtual=True,
                areas=("nationwide",),
                sms=True,
                langs=("es",),
            ),
            S(
                "crisis-lines",
                "support-groups",
                name="Steady Voices Illinois Warm Line",
                virtual=True,
                areas=("state:IL",),
                hours=((ALL_WEEK, "12:00", "22:00"),),
                text="A peer warm line for when you need someone to talk to, not an emergency.",
            ),
        ],
    ),
    (
        "BenefitsPath Illinois",
        "BenefitsPath",
        "60606",
        "Online tools and phone help for Illinois public benefits.",
        [
            S(
                "benefits-help",
                "food-benefits",
                name="BenefitsPath Online Benefits Screener",
                virtual=True,
                areas=("state:IL",),
                hours=NO_HOURS,
                langs=("es", "zh", "pl"),
                description=(
                    "Online benefits screener: answer a few questions to see which programs "
                    "you may qualify for (SNAP, Medicaid, LIHEAP, child care assistance and "
                    "more) and start applications online."
                ),
            ),
            S(
                "food-benefits",
                name="BenefitsPath SNAP Phone Help",
                virtual=True,
                areas=("state:IL",),
            ),
        ],
    ),
    (
        "Illinois Tenant Rights Hotline Project",
        "Tenant Rights Hotline",
        "60603",
        "Statewide legal hotline for renters.",
        [
            S(
                "tenant-legal-aid",
                name="Illinois Tenant Rights Hotline",
                virtual=True,
                areas=("state:IL",),
                hours=(("MO,TU,WE,TH", "09:00", "19:00"),),
                langs=("es",),
            ),
            S(
                "tax-preparation",
                name="Cook County Virtual Tax Help",
                virtual=True,
                areas=("county:IL:Cook",),
                hours=(("MO,WE", "17:00", "20:00"), ("SA", "09:00", "13:00")),
            ),
        ],
    ),
    # --- Outside Illinois: other time zones, serving nationwide ------------------------------
    (
        "Liberty Bridge Veterans Alliance",
        "Liberty Bridge",
        "20001",
        "National nonprofit helping veterans and their families with benefits and housing.",
        [
            S(
                "veteran-benefits",
                name="Liberty Bridge National Veterans Benefits Line",
                areas=("nationwide",),
                hours=((WEEKDAYS, "09:00", "17:00"),),
            ),
            S(
                "veteran-housing",
                name="Liberty Bridge Veterans Housing Line",
                areas=("nationwide",),
                hours=((WEEKDAYS, "08:00", "20:00"),),
                eligibility=("veterans",),
            ),
        ],
    ),
    (
        "Puente Sano Telehealth Collective",
        "Puente Sano",
        "90012",
        "Spanish-language telehealth mental health care.",
        [
            S(
                "counseling",
                name="Puente Sano Spanish-Language Telehealth Counseling",
                areas=("nationwide",),
                hours=((WEEKDAYS, "08:00", "20:00"), ("SA", "09:00", "13:00")),
                langs=("es",),
            ),
            S(
                "psychiatric-care",
                name="Puente Sano Telepsychiatry",
                areas=("nationwide",),
                langs=("es",),
            ),
        ],
    ),
    (
        "Front Range Caregiver Alliance",
        "Front Range",
        "80202",
        "National support line and online groups for family caregivers.",
        [
            S(
                "caregiver-support",
                name="Front Range National Caregiver Line",
                areas=("nationwide",),
                hours=((WEEKDAYS, "07:00", "19:00"),),
            ),
            S(
                "support-groups",
                name="Front Range Online Caregiver Groups",
                areas=("nationwide",),
                hours=(("TU,TH", "18:00", "19:30"),),
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


class PhoneBook:
    """Hands out each fictional (AAA) 555-01xx number once, in a fixed order."""

    def __init__(self):
        self.used: Counter[str] = Counter()

    def next(self, zip_code: str | None) -> str:
        for code in AREA_CODES.get(zip_code or "", DEFAULT_AREA_CODES):
            n = self.used[code]
            if n < 100:
                self.used[code] += 1
                return fictional_phone(code, (n * 37 + 11) % 100)  # spread, still unique per code
        raise RuntimeError(f"out of fictional numbers for {zip_code}")


def _words(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[A-Za-z]+", text)}


def _service_name(rng: random.Random, short: str, leaf: str) -> str:
    """'<short> <noun>', avoiding 'Youth Sanctuary Youth Shelter'-style repeats."""
    nouns = LEAF_TEXT[leaf][0]
    fresh = [n for n in nouns if not _words(short) & _words(n)]
    if fresh:
        return f"{short} {rng.choice(fresh)}"
    noun = service_noun(rng, leaf)
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


def _site(rng: random.Random, key: str, name: str, zip_code: str) -> dict:
    z = zip_info(zip_code)
    street, lo, hi = rng.choice(ZIPS[zip_code][3])
    line2 = rng.choice((None, None, None, "Suite 200", "2nd Floor", "Suite 110", "Lower Level"))
    lat, lon = jitter(rng, z.lat, z.lon, 900)
    return build_location(
        key,
        name=name,
        latitude=lat,
        longitude=lon,
        address=address(f"{rng.randint(lo, hi)} {street}", z.city, z.state, z.zip, address_2=line2),
    )


def _areas(rng: random.Random, leaf: str, zip_code: str) -> list[str]:
    z = zip_info(zip_code)
    if leaf in NEIGHBORHOOD_LEAVES and rng.random() < 0.5:
        return [f"zip:{zip_code}"]
    if leaf in COUNTYWIDE_LEAVES and rng.random() < 0.8:
        return [county_extent(z.state, z.county)]
    return []


def _languages(rng: random.Random, zip_code: str, extra: tuple[str, ...]) -> list[str]:
    _, es_share, others, _ = ZIPS[zip_code]
    langs = ["en"]
    if rng.random() < es_share:
        langs.append("es")
    langs += [c for c in others if rng.random() < 0.5]
    langs += [c for c in extra if c not in langs]
    return langs


def build_directory() -> list[dict]:
    phones = PhoneBook()
    services: list[dict] = []
    for org_name, short, home_zip, org_text, specs in ORGS:
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
            opts = category_defaults(rng, leaf)
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
            name = spec.get("name") or _service_name(rng, short, leaf)
            description = spec.get("description") or describe(rng, cats, closing=False)
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
                        where = ZIPS[spec.get("zip", home_zip)][0]
                        description += f" Serving {where} and nearby neighborhoods."
                    description += " " + _closing(rng, leaf)
            hours = spec["hours"] if "hours" in spec else typical_hours(rng, leaf)
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
                    location = _site(rng, key, "Confidential shelter location", site_zip)
                elif site_zip not in sites:
                    label = (
                        org_name
                        if site_zip == home_zip
                        else f"{org_name} – {ZIPS[site_zip][0].removeprefix('the ')}"
                    )
                    sites[site_zip] = _site(
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
            langs = _languages(rng, lang_zip, tuple(spec.get("langs", ())))
            if spec.get("stale"):
                assured = AS_OF - timedelta(days=rng.randint(900, 1300))
            else:
                assured = AS_OF - timedelta(days=rng.randint(3, 330))
            services.append(
                build_service(
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
                    status=spec.get("status", "active"),
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


def summarize(services: list[dict]) -> dict:
    leaf, top = Counter(), Counter()
    for s in services:
        cats = _codes(s, "linkage")
        leaf.update(cats)
        top.update({PARENT_OF[c] for c in cats})
    loc = [s["service_at_locations"][0]["location"] for s in services]
    return {
        "services": len(services),
        "organizations": len({s["organization"]["id"] for s in services}),
        "per_top_level": dict(sorted(top.items())),
        "per_leaf_min": min(leaf[c] for c in LEAF_CATEGORIES),
        "virtual": sum(x["location_type"] == "virtual" for x in loc),
        "confidential": sum("confidential-address" in _codes(s, "linkage-flags") for s in services),
        "out_of_state": sum(
            bool(x.get("addresses")) and x["addresses"][0]["state_province"] != "IL" for x in loc
        ),
        "inactive": sum(s["status"] == "inactive" for s in services),
        "stale": sum(
            date.fromisoformat(s["assured_date"]) < AS_OF - timedelta(days=730) for s in services
        ),
        "spanish": sum("es" in {lang["code"] for lang in s["languages"]} for s in services),
    }


def self_check(services: list[dict], text: str) -> dict:
    n = len(services)
    summary = summarize(services)
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
        cats = _codes(s, "linkage")
        assert 1 <= len(cats) <= 3 and all(c in LEAF_CATEGORIES for c in cats), (s["name"], cats)
        leaf.update(cats)
        top.update({PARENT_OF[c] for c in cats})
    assert all(leaf[c] >= 3 for c in LEAF_CATEGORIES), [c for c in LEAF_CATEGORIES if leaf[c] < 3]
    roots = load_taxonomy().roots()
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
        cats, tags = _codes(s, "linkage"), _codes(s, "linkage-eligibility")
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
        {"pregnant", "families-with-children"} <= set(_codes(s, "linkage-eligibility"))
        for s in services
    )
    incomes = [
        a["value"]
        for s in services
        for a in s["attributes"]
        if a["taxonomy_term"]["code"] == "income-max-fpl"
    ]
    assert len(incomes) >= 15 and set(incomes) <= {"150", "200", "250"}, Counter(incomes)
    fees = Counter(c for s in services for c in _codes(s, "linkage-fees"))
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
    assert len(virtual) >= 6 and {"state:IL", "county:IL:Cook", "nationwide"} <= extents, extents
    assert any(
        "utility-assistance" in _codes(s, "linkage")
        and s["service_areas"][0]["extent"] == "state:IL"
        for s in virtual
    )
    assert any(
        "senior-rides" in _codes(s, "linkage")
        and s["service_areas"][0]["extent"] == "county:IL:Cook"
        for s in virtual
    )
    assert any(
        "crisis-lines" in _codes(s, "linkage") and s["service_areas"][0]["extent"] == "nationwide"
        for s in virtual
    )
    assert any("Online" in s["name"] and "benefits-help" in _codes(s, "linkage") for s in virtual)
    # 8. confidential DV shelters
    conf = [s for s in services if "confidential-address" in _codes(s, "linkage-flags")]
    assert len(conf) >= 2
    for s in conf:
        x = s["service_at_locations"][0]["location"]
        assert (
            "dv-shelter" in _codes(s, "linkage")
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
    assert all(s["service_areas"][0]["extent"] == "nationwide" for s in away)
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
    assert serialize(build_directory()) == text, "not deterministic"
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check-only", action="store_true", help="Build and check, do not write.")
    args = parser.parse_args()
    services = build_directory()
    text = serialize(services)
    summary = self_check(services, text)
    if not args.check_only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        summary["bytes"] = len(text.encode())
        print(f"wrote {len(services)} services to {args.out}")
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
