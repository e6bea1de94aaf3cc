"""HSDS 3.0 record builders, and synthetic service directories of any size.

Two uses share this module:

* ``scripts/make_sample_directory.py`` builds the curated Chicago sample from the small
  builders here (``build_service``, ``build_location``, ``attribute``, ``schedule``, ...).
* ``generate_services(count, seed)`` streams realistic random directories over real US ZIP
  codes for load tests and benchmarks::

      python -m indexer.synthetic --count 100000 --seed 1 --out /tmp/x.json [--ndjson]

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
from datetime import date, timedelta
from functools import cache
from typing import IO, NamedTuple

import click
import zipcodes

from indexer.hsds import _AREA
from linkage.geo import county_name, valid_coordinates
from linkage.hours import DAYS
from linkage.languages import language_name
from linkage.taxonomy import load_taxonomy

# ---------------------------------------------------------------------------------------------
# Vocabularies: categories and eligibility tags come from data/taxonomy.json and
# data/eligibility.json (linkage.taxonomy), language names from data/languages.json.
# ---------------------------------------------------------------------------------------------

#: Fixed namespace of every id this module makes: ``make_id`` = uuid5(NAMESPACE, key).
NAMESPACE = uuid.UUID("5b0f1c3e-7a52-5d8e-9c41-6c1a2f3e4b70")

#: Dates (assured_date, last_modified) count back from this day, never from the clock.
AS_OF = date(2026, 11, 1)

_TAXONOMY = load_taxonomy()
#: Category code -> its parent's code, for every category that has a parent.
PARENT_OF: dict[str, str] = {
    code: c.parent for code, c in _TAXONOMY.categories.items() if c.parent is not None
}
#: The categories without children (the codes services are filed under), in file order.
LEAF_CATEGORIES: tuple[str, ...] = tuple(
    code for code in _TAXONOMY.categories if not _TAXONOMY.children(code)
)
_LEAVES = frozenset(LEAF_CATEGORIES)

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

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
TAXONOMY = "linkage"
ELIGIBILITY_TAXONOMY = "linkage-eligibility"
FEES_TAXONOMY = "linkage-fees"
FLAGS_TAXONOMY = "linkage-flags"

WEEKDAYS = ",".join(DAYS[:5])
ALL_WEEK = ",".join(DAYS)
OPEN_24_7 = ((ALL_WEEK, "00:00", "23:59"),)

# Stricter than linkage.hours.parse_time: generated records carry canonical HH:MM[:SS].
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")

# Words services are named and described with, per leaf category: (name nouns, phrases).
LEAF_TEXT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "food-pantry": (
        ("Food Pantry", "Community Pantry", "Food Shelf", "Grocery Distribution"),
        (
            "weekly groceries",
            "fresh produce",
            "canned and dry goods",
            "dairy and eggs when available",
            "halal and kosher options",
            "client-choice shopping",
            "hygiene items once a month",
        ),
    ),
    "free-meals": (
        ("Community Kitchen", "Free Meal Program", "Soup Kitchen", "Community Table"),
        (
            "hot lunch served daily",
            "free dinner for anyone in need",
            "take-out meals",
            "free breakfast",
            "no questions asked",
            "a vegetarian option every day",
        ),
    ),
    "home-delivered-meals": (
        ("Home Meal Delivery", "Home-Delivered Meals", "Meal Delivery for Seniors"),
        (
            "hot meals delivered to homebound older adults",
            "frozen weekend meals",
            "diabetic and low-sodium menus",
            "a daily wellness check with each delivery",
            "grocery delivery for people who cannot get out",
        ),
    ),
    "food-benefits": (
        ("SNAP Enrollment Help", "Food Benefits Assistance", "WIC Clinic"),
        (
            "help applying for SNAP (food stamps)",
            "WIC nutrition benefits for pregnant women and young children",
            "Link card questions and renewals",
            "same-day application assistance",
            "double-value produce coupons at farmers markets",
        ),
    ),
    "emergency-shelter": (
        ("Emergency Shelter", "Overnight Shelter", "Family Shelter"),
        (
            "emergency beds for adults",
            "shelter for families with children",
            "hot dinner and breakfast",
            "showers and laundry",
            "case management to find housing",
            "lockers and mail service",
        ),
    ),
    "youth-shelter": (
        ("Youth Shelter", "Youth Housing Program", "Safe Place for Youth"),
        (
            "emergency beds for young people",
            "LGBTQ-affirming shelter",
            "help for runaway and homeless youth",
            "family reunification counseling",
            "a transitional living program",
        ),
    ),
    "drop-in-center": (
        ("Drop-In Center", "Day Center", "Warming Center", "Resource Center"),
        (
            "a warm place to rest",
            "showers, laundry and phone charging",
            "mail service and lockers",
            "coffee and snacks",
            "on-site case managers",
            "a cooling center in summer heat",
        ),
    ),
    "rent-assistance": (
        ("Rent Assistance", "Eviction Prevention Fund", "Emergency Rental Help"),
        (
            "one-time help with past-due rent",
            "security deposit assistance",
            "eviction prevention grants",
            "help with first month's rent",
            "payments made directly to landlords",
        ),
    ),
    "housing-search": (
        ("Housing Navigation", "Apartment Search Help", "Housing Counseling"),
        (
            "help finding an apartment",
            "housing counseling",
            "landlord outreach and listings",
            "help applying for housing vouchers",
            "fair housing information",
        ),
    ),
    "home-repair": (
        ("Home Repair Program", "Accessible Home Modifications", "Emergency Home Repair"),
        (
            "free emergency home repairs for homeowners",
            "roof and furnace repair",
            "wheelchair ramps and grab bars",
            "porch and stair repairs for seniors",
            "lead hazard reduction",
        ),
    ),
    "affordable-housing": (
        ("Affordable Apartments", "Supportive Housing", "Senior Apartments"),
        (
            "income-based affordable apartments",
            "permanent supportive housing",
            "waitlist applications",
            "rent based on 30% of income",
            "on-site support services",
        ),
    ),
    "utility-assistance": (
        ("Utility Bill Assistance", "Energy Assistance", "Utility Shutoff Help"),
        (
            "help paying gas and electric bills",
            "LIHEAP energy assistance applications",
            "shutoff and reconnection help",
            "water bill payment plans",
            "percentage-of-income payment plans",
        ),
    ),
    "weatherization": (
        ("Weatherization Program", "Home Energy Upgrades", "Furnace Replacement Program"),
        (
            "free home weatherization",
            "insulation and air sealing",
            "furnace and water heater replacement",
            "home energy audits",
            "window and door repairs to cut heating costs",
        ),
    ),
    "phone-internet": (
        ("Affordable Internet Enrollment", "Lifeline Phone Program", "Free Wi-Fi and Devices"),
        (
            "help signing up for low-cost home internet",
            "free Lifeline cell phones",
            "refurbished laptops and tablets",
            "free public Wi-Fi",
            "hotspot lending",
        ),
    ),
    "medical-rides": (
        ("Medical Transportation", "Rides to Appointments", "Non-Emergency Medical Rides"),
        (
            "free rides to medical appointments",
            "wheelchair-accessible vans",
            "dialysis and chemotherapy transportation",
            "Medicaid ride scheduling",
            "rides to the pharmacy",
        ),
    ),
    "transit-fare-help": (
        ("Transit Fare Help", "Reduced Fare Enrollment", "Bus Pass Program"),
        (
            "free and reduced-fare transit cards",
            "bus passes for job seekers",
            "transit card assistance",
            "ride-free permits for seniors and people with disabilities",
            "gas cards for appointments",
        ),
    ),
    "senior-rides": (
        ("Senior Ride Program", "Senior Shuttle", "Door-to-Door Rides for Seniors"),
        (
            "door-to-door rides for adults 60 and over",
            "grocery shopping trips",
            "rides to senior centers and medical visits",
            "volunteer drivers",
            "rides booked 48 hours ahead",
        ),
    ),
    "car-help": (
        ("Car Repair Assistance", "Vehicle Help Program", "Auto Repair Help"),
        (
            "low-cost car repairs for working families",
            "help with car insurance and registration",
            "donated vehicles for job seekers",
            "driver's license reinstatement help",
            "free oil changes",
        ),
    ),
    "clinics": (
        ("Community Health Clinic", "Family Health Center", "Free Clinic", "Walk-In Clinic"),
        (
            "primary care for adults and children",
            "free and low-cost medical care",
            "vaccinations and physicals",
            "care for diabetes and high blood pressure",
            "walk-in sick visits",
            "prenatal care",
        ),
    ),
    "dental-care": (
        ("Dental Clinic", "Community Dental Center", "Mobile Dental Van"),
        (
            "low-cost cleanings and fillings",
            "emergency tooth pain visits",
            "dentures and extractions",
            "children's dental sealants",
            "Medicaid dental accepted",
        ),
    ),
    "prescription-help": (
        ("Prescription Assistance", "Community Pharmacy", "Medication Help Program"),
        (
            "free and low-cost prescriptions",
            "help with drug company assistance programs",
            "insulin assistance",
            "medication reviews with a pharmacist",
            "discount drug cards",
        ),
    ),
    "insurance-enrollment": (
        ("Health Insurance Enrollment", "Medicaid Enrollment Help", "Coverage Navigators"),
        (
            "help applying for Medicaid",
            "marketplace health insurance enrollment",
            "Medicare counseling",
            "help with renewals and redetermination",
            "free certified navigators",
        ),
    ),
    "counseling": (
        ("Counseling Center", "Family Counseling", "Therapy Program"),
        (
            "individual and family counseling",
            "therapy for anxiety, depression and grief",
            "trauma-informed counseling",
            "counseling for children and teens",
            "telehealth sessions",
        ),
    ),
    "crisis-lines": (
        ("Crisis Line", "24-Hour Crisis Hotline", "Warm Line"),
        (
            "crisis support by phone and text",
            "suicide prevention",
            "mobile crisis team dispatch",
            "someone to talk to when you are struggling",
            "confidential support",
        ),
    ),
    "psychiatric-care": (
        ("Psychiatric Services", "Behavioral Health Clinic", "Medication Management Clinic"),
        (
            "psychiatric evaluations",
            "medication management",
            "care for serious mental illness",
            "assertive community treatment",
            "same-week appointments",
        ),
    ),
    "addiction-treatment": (
        ("Addiction Treatment Program", "Outpatient Recovery Clinic", "Detox and Treatment Center"),
        (
            "outpatient substance use treatment",
            "medication for opioid use disorder",
            "methadone and buprenorphine",
            "withdrawal management",
            "residential treatment referrals",
        ),
    ),
    "recovery-support": (
        ("Recovery Support", "Recovery Community Center", "Peer Recovery Coaching"),
        (
            "peer recovery coaches",
            "recovery meetings",
            "naloxone (Narcan) training and kits",
            "sober living referrals",
            "support for families affected by addiction",
        ),
    ),
    "support-groups": (
        ("Support Groups", "Peer Support Circle", "Grief Support Group"),
        (
            "weekly peer support groups",
            "grief and loss groups",
            "parenting support groups",
            "groups for people living with chronic illness",
            "LGBTQ support groups",
        ),
    ),
    "senior-centers": (
        ("Senior Center", "Older Adult Center", "Senior Social Club"),
        (
            "activities and classes for older adults",
            "a congregate lunch",
            "exercise and wellness programs",
            "benefits counseling for seniors",
            "social events and trips",
        ),
    ),
    "caregiver-support": (
        ("Caregiver Support", "Family Caregiver Program", "Respite Care"),
        (
            "respite care for family caregivers",
            "caregiver training",
            "support for people caring for someone with dementia",
            "help arranging in-home care",
            "caregiver support groups",
        ),
    ),
    "adult-day": (
        ("Adult Day Program", "Adult Day Services", "Memory Care Day Program"),
        (
            "a supervised day program for older adults",
            "memory care activities",
            "meals and transportation",
            "nursing and medication support during the day",
            "respite for family caregivers",
        ),
    ),
    "interpretation": (
        ("Interpretation Services", "Language Access Program", "Translation Help"),
        (
            "free interpreters for appointments",
            "document translation",
            "help with English-only phone calls",
            "sign language interpretation",
            "language line access",
        ),
    ),
    "tenant-legal-aid": (
        ("Tenant Legal Aid", "Eviction Defense", "Housing Law Clinic"),
        (
            "free legal help for tenants facing eviction",
            "eviction court representation",
            "help with repairs, deposits and lockouts",
            "know-your-rights workshops",
            "advice for public housing residents",
        ),
    ),
    "immigration-legal": (
        ("Immigration Legal Services", "Citizenship Clinic", "Immigration Law Clinic"),
        (
            "free citizenship application help",
            "DACA renewals",
            "asylum and family petitions",
            "know-your-rights sessions",
            "DOJ-accredited representatives",
        ),
    ),
    "protective-orders": (
        ("Protective Order Help", "Court Advocacy", "Order of Protection Assistance"),
        (
            "help filing orders of protection",
            "court advocates",
            "safety planning",
            "help with stalking no-contact orders",
            "legal advocacy for survivors",
        ),
    ),
    "reentry-legal": (
        ("Reentry Legal Clinic", "Record Sealing Clinic", "Expungement Help"),
        (
            "criminal record expungement and sealing",
            "help with certificates of rehabilitation",
            "driver's license and fines help",
            "legal help after incarceration",
            "know-your-rights for job applicants with records",
        ),
    ),
    "job-search": (
        ("Job Center", "Employment Services", "Career Connections"),
        (
            "job search help and resume writing",
            "job fairs and hiring events",
            "interview practice",
            "a computer lab for job applications",
            "placement with local employers",
        ),
    ),
    "job-training": (
        ("Job Training Program", "Career Training Academy", "Skills Training"),
        (
            "paid job training",
            "certified nursing assistant classes",
            "construction pre-apprenticeship",
            "forklift and warehouse certification",
            "IT help desk training",
        ),
    ),
    "work-clothing": (
        ("Work Clothing Closet", "Career Clothing Boutique", "Interview Attire Program"),
        (
            "free professional clothing for interviews",
            "work boots and uniforms",
            "styling appointments",
            "clothing for new jobs",
            "safety gear for the trades",
        ),
    ),
    "adult-education": (
        ("Adult Education Center", "GED Program", "High School Equivalency Classes"),
        (
            "free GED and HiSET classes",
            "adult literacy tutoring",
            "math and reading classes",
            "college transition help",
            "evening classes",
        ),
    ),
    "esl": (
        ("English Classes", "ESL Program", "English Conversation Club"),
        (
            "free English as a second language classes",
            "beginner to advanced levels",
            "conversation practice",
            "citizenship test preparation",
            "childcare during class",
        ),
    ),
    "digital-literacy": (
        ("Digital Skills Classes", "Computer Basics Lab", "Tech Help Desk"),
        (
            "basic computer classes",
            "help using email and smartphones",
            "online safety workshops",
            "one-on-one tech help",
            "help with telehealth apps",
        ),
    ),
    "cash-assistance": (
        ("Emergency Cash Assistance", "Emergency Assistance Fund", "Cash Assistance Program"),
        (
            "one-time emergency cash grants",
            "help applying for TANF",
            "general assistance",
            "help with urgent bills",
            "gift cards for emergencies",
        ),
    ),
    "benefits-help": (
        ("Benefits Enrollment Center", "Public Benefits Help", "Benefits Screening"),
        (
            "screening for SNAP, Medicaid and more",
            "help with applications and renewals",
            "Social Security and disability applications",
            "help with appeals",
            "one appointment for many programs",
        ),
    ),
    "tax-preparation": (
        ("Free Tax Preparation", "Tax Help Site", "Volunteer Tax Clinic"),
        (
            "free tax preparation",
            "Earned Income Tax Credit help",
            "child tax credit help",
            "ITIN applications",
            "e-filing with direct deposit",
        ),
    ),
    "financial-coaching": (
        ("Financial Coaching", "Money Management Program", "Credit Counseling"),
        (
            "one-on-one financial coaching",
            "credit repair and budgeting",
            "help opening a bank account",
            "debt management plans",
            "first-time homebuyer classes",
        ),
    ),
    "clothing": (
        ("Clothing Closet", "Free Clothing Store", "Coat Room"),
        (
            "free clothing for all ages",
            "winter coats, hats and gloves",
            "shoes and socks",
            "back-to-school clothing",
            "professional clothing",
        ),
    ),
    "baby-supplies": (
        ("Diaper Bank", "Baby Supplies Closet", "New Parent Pantry"),
        (
            "free diapers and wipes",
            "formula and baby food",
            "car seats and cribs",
            "baby clothing",
            "portable cribs for safe sleep",
        ),
    ),
    "household-goods": (
        ("Furniture Bank", "Household Goods Program", "Home Starter Kits"),
        (
            "free beds and furniture",
            "kitchen and household supplies",
            "move-in kits for people leaving shelter",
            "cleaning supplies",
            "appliances when available",
        ),
    ),
    "child-care": (
        ("Child Care Center", "Early Learning Center", "Child Care Assistance"),
        (
            "full-day child care for infants and toddlers",
            "Head Start and Early Head Start",
            "help applying for child care assistance",
            "preschool for ages 3 to 5",
            "subsidized child care",
        ),
    ),
    "after-school": (
        ("After-School Program", "Youth Center", "Homework Club"),
        (
            "after-school tutoring and homework help",
            "sports and arts",
            "summer camp",
            "healthy snacks",
            "STEM clubs",
        ),
    ),
    "domestic-violence-services": (
        ("Domestic Violence Services", "Survivor Support Program", "Family Violence Program"),
        (
            "counseling for survivors of domestic violence",
            "safety planning",
            "legal and medical advocacy",
            "support groups for survivors",
            "services for children who have witnessed violence",
        ),
    ),
    "dv-shelter": (
        ("Safe House", "Domestic Violence Shelter", "Emergency Safe Shelter"),
        (
            "confidential emergency shelter for survivors and their children",
            "a 24-hour hotline",
            "safety planning",
            "transitional housing",
            "counseling and legal advocacy",
        ),
    ),
    "elder-abuse-services": (
        ("Elder Abuse Services", "Adult Protective Services", "Senior Safety Program"),
        (
            "investigation of abuse, neglect and financial exploitation of older adults",
            "help for adults with disabilities",
            "case management",
            "emergency safety planning",
            "scam and fraud help for seniors",
        ),
    ),
    "veteran-benefits": (
        ("Veterans Benefits Office", "Veteran Services", "VA Claims Assistance"),
        (
            "help filing VA disability claims",
            "military discharge upgrade help",
            "VA health care enrollment",
            "GI Bill and education benefits",
            "survivor benefits for families",
        ),
    ),
    "veteran-housing": (
        ("Veterans Housing Program", "Housing for Veterans", "Veteran Transitional Housing"),
        (
            "transitional housing for veterans",
            "HUD-VASH voucher help",
            "rapid rehousing for veterans",
            "supportive services for veteran families",
            "emergency housing for homeless veterans",
        ),
    ),
}

CLOSINGS = (
    "Walk-ins welcome.",
    "Call ahead for an appointment.",
    "Appointments preferred; walk-ins seen as time allows.",
    "Bring a photo ID and proof of address if you have them.",
    "No one is turned away for lack of documents.",
    "All services are confidential.",
)

#: What usually comes with a category (from its first, primary category): ages, eligibility
#: tags, an income limit (choices, % of the federal poverty guideline), the usual fee code.
CATEGORY_RULES: dict[str, dict] = {
    "home-delivered-meals": {"minimum_age": 60, "eligibility": ("seniors",)},
    "senior-centers": {"minimum_age": 60, "eligibility": ("seniors",)},
    "senior-rides": {"minimum_age": 60, "eligibility": ("seniors",)},
    "elder-abuse-services": {"minimum_age": 60, "eligibility": ("seniors",)},
    "adult-day": {"minimum_age": 18, "fee": "sliding-scale"},
    "youth-shelter": {"minimum_age": 12, "maximum_age": 24, "eligibility": ("youth",)},
    "after-school": {"minimum_age": 5, "maximum_age": 13, "eligibility": ("youth",)},
    "child-care": {
        "maximum_age": 5,
        "eligibility": ("families-with-children",),
        "fee": "sliding-scale",
    },
    "baby-supplies": {"eligibility": ("families-with-children",)},
    "veteran-benefits": {"eligibility": ("veterans",)},
    "veteran-housing": {"eligibility": ("veterans",)},
    "reentry-legal": {"eligibility": ("people-with-records",)},
    "immigration-legal": {"eligibility": ("immigrants",)},
    "emergency-shelter": {"eligibility": ("homeless",)},
    "rent-assistance": {"income_max_fpl": (200, 250)},
    "utility-assistance": {"income_max_fpl": (150, 200)},
    "weatherization": {"income_max_fpl": (200,)},
    "affordable-housing": {"income_max_fpl": (250,)},
    "tenant-legal-aid": {"income_max_fpl": (200,)},
    "tax-preparation": {"income_max_fpl": (250,)},
    "cash-assistance": {"income_max_fpl": (150,)},
    "clinics": {"fee": "sliding-scale"},
    "dental-care": {"fee": "sliding-scale"},
    "counseling": {"fee": "sliding-scale"},
    "psychiatric-care": {"fee": "sliding-scale"},
    "addiction-treatment": {"minimum_age": 18, "fee": "sliding-scale"},
    "car-help": {"fee": "fee"},
}

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
    taxonomy: str, code: str, name: str | None = None, description: str | None = None
) -> dict:
    """The HSDS taxonomy_term for ``code`` in one of Linkage's taxonomies; same id everywhere."""
    if name is None:
        name = _TERM_NAMES.get(taxonomy, {}).get(code) or code
    term = {
        "id": make_id("taxonomy_term", taxonomy, code),
        "code": code,
        "name": name,
        "description": description or name,
    }
    if taxonomy == TAXONOMY and code in PARENT_OF:
        term["parent_id"] = make_id("taxonomy_term", taxonomy, PARENT_OF[code])
    term["taxonomy"] = taxonomy
    return term


_TERM_NAMES: dict[str, dict[str, str]] = {
    TAXONOMY: {code: c.name for code, c in _TAXONOMY.categories.items()},
    ELIGIBILITY_TAXONOMY: {
        **{code: t["name"] for code, t in _TAXONOMY.eligibility_tags.items()},
        "income-max-fpl": "Income limit (% of federal poverty guideline)",
    },
    FEES_TAXONOMY: FEE_CODES,
    FLAGS_TAXONOMY: {"confidential-address": "Confidential address"},
}


def attribute(taxonomy: str, code: str, value: str | None = None, *, link_id: str) -> dict:
    """An HSDS attribute tagging the entity ``link_id`` (a service) with ``taxonomy``/``code``."""
    term = taxonomy_term(taxonomy, code)
    return _drop_none(
        id=make_id(link_id, "attribute", taxonomy, code),
        link_id=link_id,
        taxonomy_term_id=term["id"],
        link_type="service_category" if taxonomy == TAXONOMY else taxonomy.removeprefix("linkage-"),
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
    if not _AREA.match(extent):
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
    return f"county:{state}:{name}" if state and name else None


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
        names = [_TAXONOMY.eligibility_tags[t]["name"] for t in tags]
        parts.append("For " + ", ".join(n[0].lower() + n[1:] for n in names) + ".")
    if income_max_fpl:
        parts.append(
            f"Household income at or below {income_max_fpl}% of the federal poverty guideline."
        )
    return " ".join(parts) or None


def build_service(
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
    status: str = "active",
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
    if not 1 <= len(categories) <= 3 or any(c not in _LEAVES for c in categories):
        raise ValueError(f"{key}: categories must be 1-3 leaf codes, got {categories!r}")
    if len(set(categories)) != len(categories):
        raise ValueError(f"{key}: duplicate categories {categories!r}")
    if unknown := [t for t in eligibility if t not in _TAXONOMY.eligibility_tags]:
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

    attrs = [attribute(TAXONOMY, c, link_id=sid) for c in categories]
    attrs += [attribute(ELIGIBILITY_TAXONOMY, t, link_id=sid) for t in eligibility]
    if income_max_fpl is not None:
        attrs.append(
            attribute(ELIGIBILITY_TAXONOMY, "income-max-fpl", str(income_max_fpl), link_id=sid)
        )
    attrs.append(attribute(FEES_TAXONOMY, fee, link_id=sid))
    if confidential_address:
        attrs.append(attribute(FLAGS_TAXONOMY, "confidential-address", link_id=sid))

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
        or eligibility_text(minimum_age, maximum_age, eligibility, income_max_fpl),
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


def service_noun(rng: random.Random, leaf: str) -> str:
    return rng.choice(LEAF_TEXT[leaf][0])


def describe(rng: random.Random, categories: Sequence[str], *, closing: bool = True) -> str:
    """A description made of the categories' phrases, e.g. 'Food pantry: weekly groceries, ...'."""
    lead = categories[0]
    a, b, c = rng.sample(LEAF_TEXT[lead][1], 3)
    text = f"{_TAXONOMY.categories[lead].name}: {a}, {b} and {c}."
    for extra in categories[1:]:
        x, y = rng.sample(LEAF_TEXT[extra][1], 2)
        text += f" Also {_TAXONOMY.categories[extra].name.lower()}: {x} and {y}."
    if closing:
        text += " " + rng.choice(CLOSINGS)
    return text


def category_defaults(rng: random.Random, leaf: str) -> dict:
    """``build_service`` keyword arguments usual for a primary category.

    Ages, eligibility tags, an income limit and the fee code, from ``CATEGORY_RULES``.
    """
    rule = CATEGORY_RULES.get(leaf, {})
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


_ALWAYS_OPEN = {"crisis-lines", "dv-shelter"}
_GENERIC_HOURS: tuple[tuple[float, tuple[tuple[str, str, str], ...]], ...] = (
    (0.40, ((WEEKDAYS, "09:00", "17:00"),)),
    (0.10, ((WEEKDAYS, "08:30", "16:30"),)),
    (0.06, ((WEEKDAYS, "10:00", "18:00"),)),
    (0.10, (("MO,TU,WE,FR", "09:00", "17:00"), ("TH", "12:00", "20:00"))),
    (0.10, ((WEEKDAYS, "09:00", "17:00"), ("SA", "10:00", "14:00"))),
    (0.08, ((WEEKDAYS, "09:00", "12:00"), (WEEKDAYS, "13:00", "17:00"))),
    (0.06, (("TU,TH", "10:00", "14:00"),)),
    (0.10, ()),
)
_LEAF_HOURS: dict[str, tuple[tuple[tuple[str, str, str], ...], ...]] = {
    "food-pantry": (
        (("TU,TH", "10:00", "13:00"),),
        (("WE", "16:00", "19:00"), ("SA", "09:00", "12:00")),
        (("MO,WE,FR", "10:00", "14:00"),),
        (("SA", "09:00", "12:00"),),
    ),
    "free-meals": (
        ((ALL_WEEK, "11:30", "13:00"),),
        ((WEEKDAYS, "17:00", "18:30"),),
        ((ALL_WEEK, "07:00", "08:30"), (ALL_WEEK, "17:00", "18:30")),
    ),
    "emergency-shelter": (
        OPEN_24_7,
        ((ALL_WEEK, "18:00", "08:00"),),
        ((ALL_WEEK, "19:00", "07:00"),),
    ),
    "youth-shelter": (OPEN_24_7, OPEN_24_7, ((ALL_WEEK, "17:00", "09:00"),)),
    "drop-in-center": (
        ((ALL_WEEK, "07:00", "15:00"),),
        ((WEEKDAYS, "08:00", "16:00"),),
        ((ALL_WEEK, "20:00", "08:00"),),
    ),
    "after-school": (((WEEKDAYS, "15:00", "18:00"),), ((WEEKDAYS, "14:30", "18:30"),)),
    "child-care": (((WEEKDAYS, "06:30", "18:00"),), ((WEEKDAYS, "07:00", "17:30"),)),
    "esl": (
        (("MO,WE", "18:00", "20:30"), ("TU,TH", "09:30", "12:00")),
        (("SA", "09:00", "12:00"),),
    ),
    "adult-education": ((("MO,TU,WE,TH", "17:30", "20:30"),), (("TU,TH", "09:00", "12:00"),)),
    "support-groups": (
        (("TH", "18:30", "20:00"),),
        (("TU", "18:00", "19:30"), ("SA", "10:00", "11:30")),
    ),
    "senior-centers": (((WEEKDAYS, "08:30", "16:00"),), ((WEEKDAYS, "09:00", "15:00"),)),
    "recovery-support": (((ALL_WEEK, "09:00", "21:00"),), ((WEEKDAYS, "10:00", "19:00"),)),
}


def typical_hours(rng: random.Random, leaf: str) -> tuple[tuple[str, str, str], ...]:
    """Weekly periods ``(byday, opens, closes)`` plausible for a category; () means none listed."""
    if leaf in _ALWAYS_OPEN:
        return OPEN_24_7
    if leaf in _LEAF_HOURS and rng.random() < 0.75:
        return rng.choice(_LEAF_HOURS[leaf])
    r = rng.random()
    for weight, periods in _GENERIC_HOURS:
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

_PLACES = (
    "Eastside",
    "Westside",
    "Northside",
    "Southside",
    "Riverside",
    "Lakeside",
    "Hillside",
    "Parkview",
    "Cedar Grove",
    "Maple Heights",
    "Oak Hill",
    "Union Square",
    "Market Street",
    "Fairview",
    "Brookside",
    "Greenfield",
    "Harbor",
    "Midtown",
    "Uptown",
    "Downtown",
    "Valley",
    "Prairie",
    "Stonebridge",
    "Elm Park",
)
_FLAVORS = (
    "Community ",
    "Neighborhood ",
    "Family ",
    "Hope ",
    "Unity ",
    "Good Neighbor ",
    "Open Door ",
    "",
    "",
    "",
)
_ORG_KINDS = (
    "Community Services",
    "Family Services",
    "Neighbors Network",
    "Outreach Center",
    "Resource Alliance",
    "Community Action Agency",
    "Health Partners",
    "Mutual Aid Collective",
    "Housing Alliance",
    "Community Center",
    "Aid Society",
    "Outreach Ministries",
    "Cooperative",
    "Wellness Collective",
    "Opportunity Council",
)
_STREETS = (
    "Main",
    "Oak",
    "Maple",
    "Washington",
    "Lincoln",
    "Park",
    "Elm",
    "Cedar",
    "Pine",
    "Lake",
    "Hill",
    "Church",
    "Market",
    "Franklin",
    "Jefferson",
    "Madison",
    "Jackson",
    "Center",
    "Union",
    "Spring",
    "River",
    "Highland",
    "Grand",
    "Walnut",
    "Chestnut",
    "Mill",
    "Broad",
    "Liberty",
    "Prospect",
    "Sunset",
)
_STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Way")
_SITE_WORDS = (
    "Community Center",
    "Resource Center",
    "Main Office",
    "Family Center",
    "Annex",
    "Hall",
)
_OTHER_LANGUAGES = ("zh", "vi", "pl", "ar", "ko", "ru", "tl", "fr", "ht")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _street(rng: random.Random) -> str:
    direction = rng.choice(("", "", "N ", "S ", "E ", "W "))
    return f"{rng.randint(10, 9899)} {direction}{rng.choice(_STREETS)} {rng.choice(_STREET_KINDS)}"


def _place_name(rng: random.Random, z: ZipInfo) -> str:
    return z.city if rng.random() < 0.35 else rng.choice(_PLACES)


def _synthetic_location(rng: random.Random, key: str, z: ZipInfo, site: str) -> dict:
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
        address=address(_street(rng), z.city, z.state, z.zip, address_2=suite),
    )


def generate_services(count: int, seed: int = 0, *, as_of: date | None = None) -> Iterator[dict]:
    """Yield ``count`` synthetic HSDS 3.0 full service records, one at a time.

    Deterministic for (seed, as_of), and prefix-stable: the first n records of a longer run
    are the records of a run of n. Mix: ~85% physical locations at real ZIPs (coordinates
    within ~1 km of the centroid), ~10% virtual with a statewide service area, ~5% virtual
    nationwide. Services come in runs of 1-6 per organization.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    as_of = as_of or AS_OF
    rng = random.Random(seed)
    pool = zip_pool()
    produced = 0
    org_n = 0
    while produced < count:
        org_n += 1
        home = rng.choice(pool)
        org_place = _place_name(rng, home)
        org_name = f"{org_place} {rng.choice(_ORG_KINDS)}"
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
            rng, f"{org_key}:main", home, f"{org_name} {rng.choice(_SITE_WORDS)}"
        )
        main_phone = fictional_phone(home.area_code, rng.randrange(100))
        for _ in range(min(rng.randint(1, 6), count - produced)):
            yield _synthetic_service(
                rng, seed, produced, org, org_place, home, main_site, main_phone, as_of
            )
            produced += 1


def _synthetic_service(
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
    r = rng.random()
    mode = "physical" if r < 0.85 else "state" if r < 0.95 else "nationwide"
    # categories: a primary leaf, sometimes 1-2 more (half the time from the same parent)
    primary = rng.choice(LEAF_CATEGORIES)
    cats = [primary]
    for _ in range(rng.choices((0, 1, 2), (0.70, 0.22, 0.08))[0]):
        pick = (
            rng.choice(_TAXONOMY.children(PARENT_OF[primary]))
            if rng.random() < 0.5
            else rng.choice(LEAF_CATEGORIES)
        )
        if pick not in cats:
            cats.append(pick)
    kwargs = category_defaults(rng, primary)
    if rng.random() < 0.15:  # rules are usual, not universal
        kwargs.pop("minimum_age", None)
        kwargs.pop("maximum_age", None)
    # place
    if mode == "physical":
        if rng.random() < 0.5:
            location, z = main_site, home
        else:
            z = home if rng.random() < 0.5 else rng.choice(zip_pool())
            location = _synthetic_location(
                rng, key, z, f"{_place_name(rng, z)} {rng.choice(_SITE_WORDS)}"
            )
        place = org_place if location is main_site else _place_name(rng, z)
        areas = []
        a = rng.random()
        if a < 0.35 and (extent := county_extent(z.state, z.county)):
            areas.append(extent)
        elif a < 0.55:
            areas.append(f"zip:{z.zip}")
        hours_ = typical_hours(rng, primary)
    else:
        location = build_location(
            key,
            name=f"{org['name']} {'Phone Line' if rng.random() < 0.6 else 'Online Services'}",
            location_type="virtual",
        )
        z, place = home, org_place
        areas = [f"state:{home.state}"] if mode == "state" else ["nationwide"]
        h = rng.random()
        hours_ = OPEN_24_7 if h < 0.35 else () if h < 0.6 else ((WEEKDAYS, "08:00", "18:00"),)
    name = f"{place} {rng.choice(_FLAVORS)}{service_noun(rng, primary)}"
    # languages
    langs = ["en"]
    if rng.random() < 0.30:
        langs.append("es")
    langs += [c for c in _OTHER_LANGUAGES if rng.random() < 0.05]
    # eligibility extras
    tags = list(kwargs.pop("eligibility", ()))
    if rng.random() < 0.12:
        extra = rng.choice(tuple(_TAXONOMY.eligibility_tags))
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
        "active"
        if s < 0.95
        else "inactive"
        if s < 0.975
        else "temporarily closed"
        if s < 0.99
        else "defunct"
    )
    slug = _slug(name)[:40]
    return build_service(
        key,
        name=name,
        description=describe(rng, cats),
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
    records: Iterable[dict] = generate_services(count, seed, as_of=as_of.date() if as_of else None)
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
