"""Free text read as a case manager reads it (indexer/formats/values.py), the converter reading
it in every format, and the real Baltimore 211 directory loaded and searched."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import formats
from indexer.formats.values import (
    DAYS,
    fees_kind,
    is_true,
    language_entries,
    parse_ages,
    parse_eligibility,
    parse_fees,
    parse_hours,
    parse_languages,
    parse_service_areas,
    parse_time,
    parse_weekday,
    service_area_extent,
)
from indexer.hsds import Converter
from indexer.load import rebuild
from indexer.records import SourceRow
from linkage.app import create_app
from linkage.languages import language_codes, language_name
from linkage.places import AREA_KEY as _AREA
from linkage.search.document import FEES
from linkage.taxonomy import load_taxonomy
from tests.conftest import SHARED, api_client, requires_shared

BALTIMORE = SHARED / "datasets" / "baltimore-211"
ALIAS = "linkage-test-values"
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

# --- ages (moved from the Ohana reader) -----------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (("Age 55 or over for most programs, age 60 or over for lunch program",), (55, None)),
        (("ages 18-24",), (18, 24)),
        (("Age 21-60, detoxed, physically able",), (21, 60)),
        (("Seniors 55+",), (55, None)),
        (("Children under 18",), (None, 17)),
        (("youth under the age of 21",), (None, 20)),
        (("age 17 or younger",), (None, 17)),
        (("adults 18 years and older",), (18, None)),
        (("young adults 16 to 24 years old",), (16, 24)),
        (
            ("Homebound", "Senior citizens age 60 or over, disabled individuals age 18-59"),
            (18, None),
        ),
        (("under 18", "age 55 or over"), (None, None)),  # every age together: nothing stated
        (("child in 1st-12th grade",), (None, None)),
        (("income under 200% of poverty",), (None, None)),
        (("$5 and up per class",), (None, None)),
        (("Any age", "None", ""), (None, None)),
        # new phrasings
        (("Ages 18 and older.",), (18, None)),
        (("Open to anyone over 16.",), (16, None)),  # the looser reading of "over"
        (("Children up to age 19",), (None, 19)),
        (("Children from birth to age 3 who show a delay",), (None, 3)),
        (("between the ages of 18 and 24",), (18, 24)),
        (("seniors 60+",), (60, None)),
        (("Adolescents 14- 18 years",), (14, 18)),
        (("Open 24 hours to anyone under 30 minutes away",), (None, None)),
    ],
)
def test_parse_ages(texts, expected):
    assert parse_ages(*texts) == expected


# --- times and days (moved) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", "08:00"),
        ("4:00 PM", "16:00"),
        ("3pm", "15:00"),
        ("9am", "09:00"),
        ("12 a.m.", "00:00"),
        ("12:30pm", "12:30"),
        ("17:00:00", "17:00"),
        ("03:00", "03:00"),
        ("", None),
        ("noon", None),
        ("25:00", None),
        ("13pm", None),
        ("9", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Monday", "MO"), ("tues", "TU"), ("Sun", "SU"), ("1", "MO"), ("7", "SU"), ("8", None),
     ("0", "SU"), ("MO", "MO"), ("Funday", None), ("", None), ("m", None)],
)  # fmt: skip
def test_parse_weekday(text, expected):
    assert parse_weekday(text) == expected


def test_is_true():
    assert [is_true(t) for t in ("Yes", " y ", "TRUE", "1", "x", "no", "", None, "0")] == [
        True, True, True, True, True, False, False, False, False
    ]  # fmt: skip


# --- languages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes", "interpretation"),
    [
        # the examples
        ("Spanish.", ["es"], False),
        ("Spanish and French.", ["es", "fr"], False),
        ("ASL", ["ase"], False),
        ("Sign language", ["ase"], False),
        ("Spanish interpreter on request", ["es"], True),
        ("over 150 languages via interpreter line", [], True),
        ("Oromo, Amharic, Tigrinya, Dutch, Tamil", ["om", "am", "ti", "nl", "ta"], False),
        ("Hmong; Cantonese", ["hmn", "yue"], False),
        ("English, Spanish", ["en", "es"], False),
        ("English; Spanish", ["en", "es"], False),
        ("Spanish and ASL.", ["es", "ase"], False),
        ("Limited Spanish.", ["es"], False),
        ("Language Line.", [], True),
        ("Interpreters available.", [], True),
        ("Accommodations possible.", [], False),
        # our own
        ("A.S.L.", ["ase"], False),
        ("American Sign Language or Interpreter available.", ["ase"], True),
        ("Spanish (Mon only).", ["es"], False),  # "Mon" is also a language: not here
        ("Spanish-speaking officers are usually available 24/7.", ["es"], False),
        ("Offers brochures in Spanish.", [], False),  # written material, not spoken
        ("Spanish (application form only).", [], False),
        ("French, Lakota.", ["fr", "lkt"], False),  # ISO 639-3 only
        ("Spanish, Mai Mai (Somali language)", ["es", "so"], False),
        ("Gujurati, Hindi, Greek.", ["gu", "hi", "el"], False),
        ("Spanish, Cantonese, French, Portugese.", ["es", "yue", "fr", "pt"], False),
        ("Can obtain interpreter for non English speaking clients.", [], True),
        ("Russian and Yiddish.  All other languages: Language Line.", ["ru", "yi"], True),
        ("Medical Spanish -- can communicate enough to treat Spanish speakers.", ["es"], False),
        ("Chinese (Mandarin)", ["zh", "cmn"], False),
        ("Spanish and Haitian Creole.", ["es", "ht"], False),
        ("Farsi & Dari", ["fa", "prs"], False),
        ("Tele-Interpreter Service.", [], True),
        ("Translators available with 24 hour notice thru language link.", [], True),
        ("Bilingual services are available.", [], False),
        ("None.", [], False),
        ("", [], False),
    ],
)
def test_parse_languages(text, codes, interpretation):
    read = parse_languages(text)
    assert (list(read.codes), read.interpretation) == (codes, interpretation)
    assert read.understood == bool(codes or interpretation)


def test_language_codes_take_the_full_iso_list():
    codes = language_codes()
    for given_, expected in [("om", "om"), ("orm", "om"), ("amh", "am"), ("tir", "ti"),
                             ("dut", "nl"), ("nld", "nl"), ("tam", "ta"), ("hmn", "hmn"),
                             ("yue", "yue"), ("ase", "ase"), ("oromo", "om"), ("dutch", "nl"),
                             ("american sign language", "ase"), ("asl", "ase"),
                             ("farsi", "fa"), ("spa", "es"), ("es", "es")]:  # fmt: skip
        assert codes[given_] == expected, given_
    assert language_name("om") == "Oromo" and language_name("es") == "Spanish"
    assert language_name("lkt") == "Lakota"


_SAMPLE_LANGUAGES = ["Spanish", "French", "Korean", "Amharic", "Tigrinya", "Oromo", "Dutch",
                     "Tamil", "Hmong", "Cantonese", "Vietnamese", "Russian", "ASL", "Arabic",
                     "Somali", "Haitian Creole", "Polish", "Lakota", "Yoruba"]  # fmt: skip


@given(
    st.lists(st.sampled_from(_SAMPLE_LANGUAGES), min_size=1, max_size=5, unique=True),
    st.sampled_from([", ", "; ", " and ", " & ", "/", ",  "]),
    st.sampled_from(["", ".", " (limited)", " speaking staff"]),
)
def test_language_lists_round_trip(names, separator, tail):
    text = separator.join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1] + tail
    assert list(parse_languages(text).codes) == [language_codes()[n.lower()] for n in names]


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_languages_never_fail_and_give_known_codes(text):
    read = parse_languages(text)
    known = set(language_codes().values())
    assert all(code in known for code in read.codes)


def test_language_entries_keep_names_for_the_converter():
    assert language_entries("Chinese (Mandarin), Spanish, Taiwanese, spanish") == [
        {"name": "Chinese (Mandarin)"},
        {"name": "Spanish"},
        {"name": "Taiwanese"},
    ]
    assert language_entries("") == [] and language_entries(" , ") == []


# --- hours ----------------------------------------------------------------------------------

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


def _days(days, opens, closes):
    return [(d, opens, closes) for d in days]


@pytest.mark.parametrize(
    ("text", "periods", "notes"),
    [
        ("9:00 am - 5:00 pm, Monday - Friday", _days(WEEKDAYS, "09:00", "17:00"), []),
        ("Monday - Friday 9-5", _days(WEEKDAYS, "09:00", "17:00"), []),
        ("M-F 9-5", _days(WEEKDAYS, "09:00", "17:00"), []),
        ("weekdays 8:30-4:30", _days(WEEKDAYS, "08:30", "16:30"), []),
        ("Tues & Thurs 10am-2pm", _days(("TU", "TH"), "10:00", "14:00"), []),
        ("Mon, Wed, Fri 9-12, 1-5",
         [p for d in ("MO", "WE", "FR") for p in ((d, "09:00", "12:00"), (d, "13:00", "17:00"))], []),
        ("Mon 9:00 AM - 5:00 PM; Tue 9:00 AM - 5:00 PM",
         [("MO", "09:00", "17:00"), ("TU", "09:00", "17:00")], []),
        ("Open 24 hours", _days(DAYS, "00:00", "00:00"), []),
        ("24/7", _days(DAYS, "00:00", "00:00"), []),
        ("By appointment", [], ["By appointment"]),
        ("Call for hours", [], ["Call for hours"]),
        # our own
        ("Monday-Thursday 17:00-21:00", _days(("MO", "TU", "WE", "TH"), "17:00", "21:00"), []),
        ("Mon-Fri 9-5, Sat 10-2, Sun closed",
         [*_days(WEEKDAYS, "09:00", "17:00"), ("SA", "10:00", "14:00")], []),
        ("Daily 9am to noon", _days(DAYS, "09:00", "12:00"), []),
        ("Saturday 10 a.m. - 2 p.m.", [("SA", "10:00", "14:00")], []),
        ("Mon-Fri 9am-5pm. Closed Sat & Sun.", _days(WEEKDAYS, "09:00", "17:00"), []),
        ("Monday through Friday from 8 am until 4:30 pm", _days(WEEKDAYS, "08:00", "16:30"), []),
        ("Fri 8pm-2am", [("FR", "20:00", "02:00")], []),  # past midnight
        ("Thurs 6-8 pm", [("TH", "18:00", "20:00")], []),
        ("Wednesdays 10-12", [("WE", "10:00", "12:00")], []),
        ("Sunday 12 noon - 12 midnight", [("SU", "12:00", "00:00")], []),
        ("7 days a week, 24 hours a day", _days(DAYS, "00:00", "00:00"), []),
        ("Mon-Fri 9-5, by appointment only", _days(WEEKDAYS, "09:00", "17:00"),
         ["By appointment"]),
        ("Mon-Fri 9-5 except holidays", _days(WEEKDAYS, "09:00", "17:00"), ["Closed on holidays"]),
        ("Daily 9-5, closed Sunday", _days(DAYS[:6], "09:00", "17:00"), []),
        ("Fri-Mon 10-4", _days(("MO", "FR", "SA", "SU"), "10:00", "16:00"), []),
        ("M-F 9-12 1-5",
         [p for d in WEEKDAYS for p in ((d, "09:00", "12:00"), (d, "13:00", "17:00"))], []),
        ("Tu/Th 11:30-1:30", _days(("TU", "TH"), "11:30", "13:30"), []),
    ],
)  # fmt: skip
def test_parse_hours(text, periods, notes):
    read = parse_hours(text)
    assert read.understood
    assert sorted(read.periods) == sorted(periods)
    assert list(read.notes) == notes


@pytest.mark.parametrize(
    "text",
    [
        "9-5",  # which days?
        "1st and 3rd Tuesday 9-12",  # not weekly
        "Monday",  # no times
        "Closed",
        "Summer hours vary",
        "Mon-Fri 9-5 during the school year",
        "Tue 9-",
        "",
    ],
)
def test_hours_not_understood_give_no_periods(text):
    read = parse_hours(text)
    assert not read.understood and read.periods == ()


def _clock12(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{(hour % 12) or 12}:{minute:02d} {'am' if hour < 12 else 'pm'}"


_DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                             "Saturday", "Sunday"), strict=True))  # fmt: skip


@given(
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 22 * 4).map(lambda q: q * 15),
    st.integers(1, 8 * 4).map(lambda q: q * 15),
    st.booleans(),
    st.sampled_from(["12", "24"]),
)
def test_hours_round_trip(first, length, opens, duration, time_first, clock):
    closes = min(opens + duration, 24 * 60 - 15)
    if closes <= opens:
        closes = opens + 15
    days = [DAYS[(first + i) % 7] for i in range(min(length, 6) + 1)]
    day_text = (
        _DAY_NAMES[days[0]] if len(days) == 1 else f"{_DAY_NAMES[days[0]]} - {_DAY_NAMES[days[-1]]}"
    )

    def fmt(m: int) -> str:
        return _clock12(m) if clock == "12" else f"{m // 60:02d}:{m % 60:02d}"

    time_text = f"{fmt(opens)} - {fmt(closes)}"
    text = f"{time_text}, {day_text}" if time_first else f"{day_text} {time_text}"
    read = parse_hours(text)
    expected = {(d, f"{opens // 60:02d}:{opens % 60:02d}", f"{closes // 60:02d}:{closes % 60:02d}")
                for d in days}  # fmt: skip
    assert read.understood and set(read.periods) == expected, text


@given(st.text(max_size=120))
@settings(max_examples=300)
def test_hours_never_fail_and_give_valid_periods(text):
    read = parse_hours(text)
    for day, opens, closes in read.periods:
        assert day in DAYS and HHMM.match(opens) and HHMM.match(closes)
    if not read.understood:
        assert read.periods == ()


@given(st.lists(st.sampled_from(["Mon", "Tue", "-", "9", "5", "am", "pm", ",", ";", "closed",
                                 "noon", "12:30", "24/7", "and", "daily", "to", "Sat"]),
                max_size=12))  # fmt: skip
@settings(max_examples=300)
def test_hours_from_hours_words_never_fail(words):
    read = parse_hours(" ".join(words))
    assert all(day in DAYS and HHMM.match(o) and HHMM.match(c) for day, o, c in read.periods)


# --- service areas --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "state", "keys", "unresolved"),
    [
        ("San Mateo County", "CA", ["county:CA:San Mateo"], []),
        ("Orleans Parish", "LA", ["county:LA:Orleans"], []),
        ("Cook County, IL", "CA", ["county:IL:Cook"], []),
        ("San Mateo County", None, [], ["San Mateo County"]),  # which state?
        ("California", "CA", ["state:CA"], []),
        ("New York", None, ["state:NY"], []),
        ("Nationwide", None, ["nationwide"], []),
        ("Statewide", "MD", ["state:MD"], []),
        ("Statewide", None, [], ["Statewide"]),
        ("MD", None, ["state:MD"], []),
        ("State of Maryland", None, ["state:MD"], []),
        ("Alameda County, San Mateo County", "CA", ["county:CA:Alameda", "county:CA:San Mateo"], []),
        ("Anne Arundel and Howard Counties", "MD", ["county:MD:Anne Arundel", "county:MD:Howard"], []),
        ("Anne Arundel, Howard and Carroll Counties", "MD",
         ["county:MD:Anne Arundel", "county:MD:Howard", "county:MD:Carroll"], []),
        # an independent city: zipcodes spells Baltimore's county-equivalent both ways
        ("Baltimore City", "MD", ["county:MD:Baltimore City"], []),
        ("Prince Georges County", "MD", ["county:MD:Prince George's"], []),
        ("Colma, Daly City", "CA",
         ["zip:94014", "zip:94013", "zip:94015", "zip:94016", "zip:94017"], []),
        ("Belmont", "CA", ["zip:94002"], []),
        ("21201; 21202", None, ["zip:21201", "zip:21202"], []),
        ("Ward 3", "MD", [], ["Ward 3"]),
        ("Harbor County, Bay County", "MD", [], ["Harbor County", "Bay County"]),  # invented
        ("Baltimore City, Ward 3", "MD",
         ["county:MD:Baltimore City"], ["Ward 3"]),
        ("United States", None, ["nationwide"], []),
    ],
)  # fmt: skip
def test_parse_service_areas(text, state, keys, unresolved):
    read = parse_service_areas(text, state)
    assert (list(read.keys), list(read.unresolved)) == (keys, unresolved)


def test_metro_area_is_the_counties_of_its_city():
    keys = parse_service_areas("Baltimore Metro Area", "MD").keys
    assert {"county:MD:Baltimore", "county:MD:Baltimore City"} <= set(keys)
    assert parse_service_areas("Greater Baltimore", "MD").keys == keys


@pytest.mark.parametrize(
    ("text", "state", "expected"),
    [
        ("San Mateo County", "CA", "county:CA:San Mateo"),
        ("Orleans Parish", "LA", "county:LA:Orleans"),
        ("Cook County, IL", "CA", "county:IL:Cook"),
        ("San Mateo County", None, None),
        ("California", "CA", "state:CA"),
        ("New York", None, "state:NY"),
        ("Nationwide", None, "nationwide"),
        ("East Palo Alto", "CA", None),  # a city: the converter reads it into ZIP codes
    ],
)
def test_service_area_extent(text, state, expected):
    assert service_area_extent(text, state) == expected


@given(st.text(max_size=100), st.sampled_from([None, "MD", "CA", "TX"]))
@settings(max_examples=200)
def test_service_areas_never_fail_and_give_valid_keys(text, state):
    read = parse_service_areas(text, state)
    assert all(_AREA.match(key) for key in read.keys)


@given(st.lists(st.sampled_from(["Howard", "Carroll", "Harford", "Frederick", "Cecil"]),
                min_size=1, max_size=4, unique=True))  # fmt: skip
def test_county_lists_round_trip(names):
    listed = ", ".join(f"{n} County" for n in names)
    grouped = (
        (", ".join(names[:-1]) + " and " if len(names) > 1 else "")
        + names[-1]
        + (" Counties" if len(names) > 1 else " County")
    )
    expected = tuple(f"county:MD:{n}" for n in names)
    assert parse_service_areas(listed, "MD").keys == expected
    assert parse_service_areas(grouped, "MD").keys == expected


# --- eligibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "min_age", "max_age", "income", "tags", "open_to_all"),
    [
        ("18 and older", 18, None, None, [], False),
        ("ages 5-17", 5, 17, None, [], False),
        ("seniors 60+", 60, None, None, ["seniors"], False),
        ("under 18", None, 17, None, [], False),
        ("Residents of Harbor County", None, None, None, [], False),  # residency stays text
        ("at or below 200% of poverty", None, None, 200, [], False),
        ("Veterans only", None, None, None, ["veterans"], False),
        # our own
        ("Ages 18 and older.", 18, None, None, [], False),
        ("Homeless women, 18 and older, including those with HIV/AIDS", 18, None, None,
         ["homeless", "women"], False),
        ("Low income persons.", None, None, None, ["low-income"], False),
        ("Veterans and their families", None, None, None, ["veterans"], False),
        ("Must be a veteran.", None, None, None, ["veterans"], False),
        ("Youth, ages 8-17, who need positive role models.", 8, 17, None, ["youth"], False),
        ("Youth ages 17-25 years.", 17, 25, None, [], False),  # the ages say more than "youth"
        ("Seniors 55+", 55, None, None, [], False),  # a 57-year-old is eligible: no 60+ tag
        ("Children up to age 19, and pregnant women of any age.", None, 19, None, [], False),
        ("Women and men who are HIV+", None, None, None, [], False),
        ("Persons who have developmental disabilities", None, None, None, [], False),
        ("Children must be homeless or have parents in recovery.", None, None, None, [], False),
        ("Households below 185% of the federal poverty level.", None, None, 185, [], False),
        ("Income under 200% FPL", None, None, 200, [], False),
        ("200% of poverty or below", None, None, 200, [], False),
        ("Income above 200% of poverty", None, None, None, [], False),
        ("Open to anyone.", None, None, None, [], True),
        ("Anyone in need.", None, None, None, [], True),
        ("All ages.", None, None, None, [], True),
        ("See notes.", None, None, None, [], False),
        ("Open to anyone, including veterans.", None, None, None, [], True),
    ],
)  # fmt: skip
def test_parse_eligibility(text, min_age, max_age, income, tags, open_to_all):
    read = parse_eligibility(text)
    assert (read.min_age, read.max_age, read.income_max_fpl, list(read.tags), read.open_to_all) == (
        min_age, max_age, income, tags, open_to_all
    )  # fmt: skip


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_eligibility_never_fails_and_limits_are_sane(text):
    read = parse_eligibility(text)
    if read.min_age is not None and read.max_age is not None:
        assert read.min_age <= read.max_age
    assert all(0 <= a <= 120 for a in (read.min_age, read.max_age) if a is not None)
    assert read.income_max_fpl is None or 50 <= read.income_max_fpl <= 1000


@given(st.integers(0, 99), st.integers(0, 20), st.sampled_from(["ages {}-{}", "Ages {} to {}",
                                                                "{}-{} years old"]))  # fmt: skip
def test_age_ranges_round_trip(low, span, phrasing):
    high = low + span
    read = parse_eligibility(phrasing.format(low, high))
    assert (read.min_age, read.max_age) == ((low or None), high)


# --- fees -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No fee", "free"),
        ("None.", "free"),
        ("None.        ", "free"),
        ("Free", "free"),
        ("No charge", "free"),
        ("Sliding scale", "sliding-scale"),
        ("$25 per visit", "fee"),
        ("See notes.", None),
        # our own (and the Ohana reader's)
        ("None. Donations requested of clients who can afford it.", "free"),
        ("There is no fee for members", "free"),
        ("No cost to families", "free"),
        ("None.  Voluntary donation basket is passed at meetings.", "free"),
        ("Voluntary donations accepted.", "free"),
        ("Vary according to income ($5-$90).", "sliding-scale"),
        ("Sliding fee scale.", "sliding-scale"),
        ("Insurance. Sliding fee scale.", "sliding-scale"),
        ("None, except for permits and photocopying", None),
        ("None for emergency services. Vary for after school activities.", None),
        ("None if eligible. MCHP Premium is $45-$57 per family.", None),
        ("$60 application fee.", "fee"),
        ("$50 Administration fee. $25 for juveniles.", "fee"),
        ("Medicare/Medical Assistance/Insurance/Private Pay.", "fee"),
        ("All payment methods.", "fee"),
        ("Call our toll-free line", None),
        ("Vary.", None),
        ("", None),
    ],
)
def test_parse_fees(text, expected):
    assert parse_fees(text) == expected
    # the Ohana reader's attribute names free and sliding-scale only
    assert fees_kind(text) == (expected if expected != "fee" else None)


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_fees_never_fail_and_give_known_values(text):
    assert parse_fees(text) in (*FEES, None)


# --- the converter reads free text in every format ------------------------------------------


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def _record(**fields) -> dict:
    return {
        "id": "s1",
        "name": "Harbor Street Pantry",
        "service_at_locations": [
            {
                "id": "sal1",
                "location": {
                    "id": "l1",
                    "name": "Harbor Street",
                    "addresses": [
                        {"address_1": "1 Harbor St", "city": "Baltimore", "state_province": "MD",
                         "postal_code": "21201", "address_type": "physical"}
                    ],
                    "languages": [{"name": "Language Line."}],
                },
                "schedules": [{"id": "h1", "description": "M-F 9-5, by appointment only"}],
            }
        ],
        **fields,
    }  # fmt: skip


def _free_text(converter) -> dict:
    return {k: v for k, v in converter.tally.items() if k.startswith("free_text.")}


def test_converter_reads_free_text(taxonomy):
    converter = Converter("values", taxonomy, "America/New_York", inferrer=False)
    record = _record(
        languages=[{"name": "Spanish and ASL."}, {"code": "kor"}],
        service_areas=[{"id": "a1", "name": "Baltimore City, Ward 3"}],
        eligibility_description="Veterans only, ages 18 and older, income at or below 200% of "
        "poverty.",
        fees_description="None.",
    )
    [doc] = converter.convert(SourceRow("f", "row 1", record)).documents
    assert doc["languages"] == ["es", "ase", "ko"] and doc["interpretation"] is True
    assert doc["languages_text"] == "Spanish and ASL.; Language Line."
    assert [(p["day"], p["opens"], p["closes"]) for p in doc["schedule"]] == [
        (d, "09:00", "17:00") for d in WEEKDAYS
    ]
    assert doc["hours_text"] == "M-F 9-5, by appointment only"
    assert set(doc["service_areas"]) == {"county:MD:Baltimore City"}
    assert doc["service_area_text"] == "Baltimore City, Ward 3"
    assert "service area not understood: 'Ward 3'" in doc["notes"]
    e = doc["eligibility"]
    assert (e["min_age"], e["max_age"], e["tags"], e["income_max_fpl"]) == (
        18, None, ["veterans"], 200
    )  # fmt: skip
    assert doc["fees"] == "free"
    assert _free_text(converter) == {
        "free_text.languages.understood": 1,
        "free_text.hours.understood": 1,
        "free_text.service_areas.not_understood": 1,  # Ward 3
        "free_text.eligibility.understood": 1,
        "free_text.fees.understood": 1,
    }


def test_structured_fields_win_over_the_text(taxonomy):
    converter = Converter("values", taxonomy, "America/New_York", inferrer=False)
    record = _record(
        minimum_age=21,
        eligibility_description="Ages 18 and older.",
        fees_description="$25 per visit",
        attributes=[{"id": "f", "taxonomy_term": {"taxonomy": "linkage-fees", "code": "sliding-scale"}}],
        service_areas=[{"id": "a", "extent": "state:MD", "name": "Maryland"}],
    )  # fmt: skip
    record["service_at_locations"][0]["schedules"] = [
        {"id": "h", "byday": "SA", "opens_at": "10:00", "closes_at": "12:00", "description": "x"}
    ]
    [doc] = converter.convert(SourceRow("f", "row 1", record)).documents
    assert doc["eligibility"]["min_age"] == 21 and doc["eligibility"]["max_age"] is None
    assert doc["fees"] == "sliding-scale"
    assert doc["service_areas"] == ["state:MD"] and doc["service_area_text"] is None
    assert doc["schedule"] == [{"day": "SA", "opens": "10:00", "closes": "12:00"}]
    assert doc["hours_text"] is None


def test_text_not_understood_is_kept_and_counted(taxonomy):
    converter = Converter("values", taxonomy, "America/New_York", inferrer=False)
    record = _record(
        languages=[{"name": "Accommodations possible."}],
        eligibility_description="See notes.",
        fees_description="See notes.",
    )
    record["service_at_locations"][0]["location"]["languages"] = []
    record["service_at_locations"][0]["schedules"] = [
        {"id": "h", "description": "1st and 3rd Tuesday, 9-12"}
    ]
    converted = converter.convert(SourceRow("f", "row 1", record))
    [doc] = converted.documents
    assert converted.warnings == []  # not understood is not an error
    assert doc["languages"] == [] and doc["languages_text"] == "Accommodations possible."
    assert doc["schedule"] == [] and doc["hours_text"] == "1st and 3rd Tuesday, 9-12"
    assert doc["fees"] is None and doc["fees_description"] == "See notes."
    assert _free_text(converter) == {
        f"free_text.{f}.not_understood": 1 for f in ("languages", "hours", "eligibility", "fees")
    }


# --- the real Baltimore 211 directory -------------------------------------------------------


@pytest.fixture(scope="module")
def baltimore(es, taxonomy):
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    converter = Converter("baltimore", taxonomy, "America/New_York", inferrer=False)
    report = rebuild(es, ALIAS, formats.read(BALTIMORE, "ohana"), converter)
    yield report.as_dict()
    es.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")


@pytest.fixture
def baltimore_client(settings, baltimore):
    return api_client(create_app({"SETTINGS": replace(settings, index_alias=ALIAS)}))


def _search(client, **params) -> dict:
    response = client.get("/v1/search", query_string={"near": "21201", "radius": 30, **params})
    assert response.status_code == 200, response.json
    return response.json


@requires_shared
def test_baltimore_free_text_is_read_and_counted(baltimore, baltimore_client):
    tallies = baltimore["tallies"]
    for field_name in ("languages", "eligibility", "fees"):
        understood = tallies[f"free_text.{field_name}.understood"]
        assert understood > tallies.get(f"free_text.{field_name}.not_understood", 0), field_name
    assert "free_text.hours.understood" not in tallies  # the export has no hours at all

    spanish = _search(baltimore_client, language="es", per_page=100)
    assert spanish["total"] > 100
    assert all("es" in r["languages"] for r in spanish["results"])
    assert any(r["languages_text"] == "Spanish." for r in spanish["results"])
    asl = _search(baltimore_client, language="ase", q="deaf sign language")
    assert asl["total"] > 0

    adults = _search(baltimore_client, q="Ages 18 and older", per_page=100)
    assert any(r["eligibility"].get("min_age") == 18 for r in adults["results"])
    # a 16-year-old is not offered services for adults only
    teen = _search(baltimore_client, q="Ages 18 and older", age=16, per_page=100)
    assert all((r["eligibility"].get("min_age") or 0) <= 16 for r in teen["results"])

    free = _search(baltimore_client, free="true", per_page=100)
    assert free["total"] > 500 and all(r["fees"] == "free" for r in free["results"])


@requires_shared
def test_baltimore_text_not_understood_is_shown(baltimore_client):
    found = _search(baltimore_client, q="interpreter", per_page=100)
    assert any(r["interpretation"] for r in found["results"])
    # "Accommodations possible." names no language and is shown as written
    everything = _search(baltimore_client, q="services", per_page=100)
    shown = [r for r in everything["results"] if r["languages_text"] == "Accommodations possible."]
    assert shown and all(r["languages"] == [] for r in shown)


def test_wednesday_is_a_day(taxonomy):
    """Parsed hours feed open-now: a service open M-F 9-5 is open on a Wednesday at 3 PM."""
    from linkage import hours

    converter = Converter("values", taxonomy, "America/New_York", inferrer=False)
    [doc] = converter.convert(SourceRow("f", "row 1", _record())).documents
    wednesday = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("America/New_York"))
    assert hours.is_open(doc["open_minutes"], doc["timezone"], wednesday)
    assert hours.hours_today(doc["schedule"], doc["timezone"], wednesday) == "9:00 AM–5:00 PM"
