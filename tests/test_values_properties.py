"""The one parser of each kind of value (indexer/formats/values.py, times in linkage/hours.py):
every spelling a directory uses round-trips, and a value one format accepts is read the same in
every format."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pycountry
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.crosswalk import Crosswalk
from indexer.formats import hsds_tabular, ohana
from indexer.formats.values import (
    is_211_code,
    is_false,
    is_true,
    parse_number,
    parse_time,
    parse_weekday,
    parse_whole_number,
    postal_code,
    split_211_codes,
    split_list,
    state_code,
    zip5,
)
from indexer.hsds import Converter
from indexer.records import SourceRow
from indexer.side_table import term_for
from linkage import hours
from linkage.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()

# --- weekdays -------------------------------------------------------------------------------


@st.composite
def weekday_spellings(draw) -> tuple[str, str]:
    """(day code, the day as some directory writes it)."""
    n = draw(st.integers(0, 6))
    code, name = hours.DAYS[n], hours.DAY_NAMES[hours.DAYS[n]]
    text = draw(
        st.sampled_from([
            name, name.lower(), name.upper(), name[:3], name[:3] + ".", code, code.lower(),
            str(n + 1), f" {name} ",
        ])
    )  # fmt: skip
    return code, text


@given(weekday_spellings())
def test_a_weekday_reads_back_in_every_spelling(spelt):
    code, text = spelt
    assert parse_weekday(text) == code


@given(st.text(max_size=12))
def test_weekdays_never_fail_and_give_a_day_code(text):
    assert parse_weekday(text) in (*hours.DAYS, None)


# --- times ----------------------------------------------------------------------------------


@st.composite
def time_spellings(draw) -> tuple[int, str]:
    """(minutes after midnight, the time as some directory writes it)."""
    minutes = draw(st.integers(0, 24 * 60 - 1))
    hour, minute = divmod(minutes, 60)
    twelve, half = (hour % 12) or 12, "am" if hour < 12 else "pm"
    spellings = [
        f"{hour:02d}:{minute:02d}", f"{hour}:{minute:02d}", f"{hour:02d}:{minute:02d}:00",
        f"{hour:02d}:{minute:02d}:00Z", f"{hour:02d}:{minute:02d}:00-05:00",
        f"{twelve}:{minute:02d} {half.upper()}", f"{twelve}:{minute:02d}{half}",
        f"{twelve}.{minute:02d} {half[0]}.m.",
    ]  # fmt: skip
    if minute == 0:
        spellings += [f"{twelve}{half}", f"{twelve} {half[0]}.m."]
    return minutes, draw(st.sampled_from(spellings))


@given(time_spellings())
def test_a_time_reads_back_in_every_spelling(spelt):
    minutes, text = spelt
    assert hours.parse_time(text) == minutes
    assert parse_time(text) == hours.hhmm(minutes)


@given(st.text(max_size=14))
def test_times_never_fail_and_stay_in_the_day(text):
    minutes = hours.parse_time(text)
    assert minutes is None or 0 <= minutes < 24 * 60
    assert (parse_time(text) is None) == (minutes is None)


# --- numbers --------------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@given(finite, st.sampled_from(["{}", "{!r}", " {} ", "{}%"]))
def test_a_number_reads_back(number, spelling):
    assert parse_number(spelling.format(number)) == number
    assert parse_number(number) == number


@given(st.integers(-(10**9), 10**9))
def test_whole_numbers_read_back_with_thousands_commas(number):
    assert parse_whole_number(f"{number:,}") == number
    assert parse_whole_number(f"{number}.0") == number
    assert parse_whole_number(f"{number}.5") is None


@given(st.sampled_from(["nan", "inf", "-Infinity", "", "ten", "1_000", "41,85", "1,2,3"]))
def test_what_is_not_a_plain_number_is_none(text):
    assert parse_number(text) is None
    assert parse_number(True) is None


# --- yes and no -----------------------------------------------------------------------------


@given(st.sampled_from(["true", "t", "yes", "y", "1", "x", "false", "f", "no", "n", "0", ""]),
       st.sampled_from([str.lower, str.upper, str.title]), st.sampled_from(["", " ", "\t"]))  # fmt: skip
def test_yes_and_no_words_in_any_case(word, case, pad):
    text = pad + case(word) + pad
    assert (is_true(text), is_false(text)) == (is_true(word), is_false(word))
    assert not (is_true(text) and is_false(text))


# --- lists and 211 codes --------------------------------------------------------------------

items = st.lists(
    st.text(st.characters(blacklist_characters=",;", blacklist_categories=("Cs",)), min_size=1)
    .map(str.strip)
    .filter(bool),
    max_size=6,
)


@given(items, st.sampled_from([",", ";", ", ", " ; "]))
def test_lists_round_trip(parts, separator):
    assert split_list(separator.join(parts)) == parts


code_211 = st.from_regex(
    r"[A-Z]{1,2}(-[0-9]{4}(\.[0-9]{4}(-[0-9]{3}(\.[0-9]{2})?)?)?)?", fullmatch=True
)


@given(
    st.lists(st.lists(code_211, min_size=1, max_size=3).map(" * ".join), min_size=1, max_size=5),
    st.sampled_from([";", "; ", ",", " , "]),
)
def test_211_codes_read_the_same_by_every_reader(compounds, separator):
    """The iCarol reader's split, a side table's term and the crosswalk see the same codes."""
    text = separator.join(c.replace(" * ", "*") for c in compounds)
    found = split_211_codes(text)
    assert found == list(dict.fromkeys(compounds))
    assert all(is_211_code(c) for c in found)
    assert [term_for(c, "211")["code"] for c in found] == found
    got = Crosswalk(TAXONOMY).resolve_211(text)
    seen = got.mapped + got.outside + got.unmapped + got.tagged + got.noted
    assert sorted(seen) == sorted(c for compound in found for c in compound.split(" * "))


# --- ZIP codes and states -------------------------------------------------------------------


@given(st.integers(0, 99999), st.one_of(st.none(), st.integers(0, 9999)), st.booleans())
def test_zip_codes_read_back(number, plus4, lost_zero):
    five = f"{number:05d}"
    text = five + (f"-{plus4:04d}" if plus4 is not None else "")
    if lost_zero and five.startswith("0") and not five.startswith("00"):
        text = text[1:]  # a spreadsheet dropped the leading zero
    assert zip5(text) == five
    assert postal_code(text).startswith(five)


US_STATES = list(pycountry.subdivisions.get(country_code="US"))


@given(st.sampled_from(US_STATES), st.sampled_from([str.lower, str.upper, str.title]))
def test_states_by_code_or_name(state, case):
    code = state.code.split("-")[1]
    assert state_code(case(code)) == code
    assert state_code(case(state.name)) == code


# --- one value, every format ----------------------------------------------------------------


def _write(folder: Path, name: str, rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def _documents(rows) -> list[dict]:
    converter = Converter("values-properties", TAXONOMY, "America/Chicago", inferrer=False)
    return [
        d for r in rows for d in converter.convert(SourceRow(r.file, r.row, r.record)).documents
    ]


@settings(max_examples=25, deadline=None)
@given(
    weekday_spellings(), time_spellings(), time_spellings(), finite.filter(lambda x: -80 < x < 80)
)
def test_a_schedule_and_a_coordinate_read_the_same_in_ohana_and_hsds_tabular(
    day, opens, closes, lat
):
    """Written in an Ohana export or an HSDS 2.x package, the same cells give the same hours
    and the same place."""
    (code, day_text), (_, opens_text), (_, closes_text) = day, opens, closes
    lat_text, lon_text = repr(lat), "-87.65"
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        o, t = Path(a), Path(b)
        _write(o, "organizations.csv", [["id", "name"], ["1", "Harbor Aid"]])
        _write(o, "locations.csv", [["id", "organization_id", "name", "latitude", "longitude"],
                                    ["10", "1", "Office", lat_text, lon_text]])  # fmt: skip
        _write(o, "services.csv", [["id", "location_id", "name"], ["100", "10", "Pantry"]])
        _write(t, "services.csv", [["id", "name"], ["100", "Pantry"]])
        _write(t, "locations.csv", [["id", "name", "latitude", "longitude"],
                                    ["10", "Office", lat_text, lon_text]])  # fmt: skip
        _write(
            t, "services_at_location.csv", [["id", "service_id", "location_id"], ["1", "100", "10"]]
        )
        for folder in (o, t):
            _write(folder, "regular_schedules.csv", [
                ["id", "service_id", "location_id", "weekday", "opens_at", "closes_at"],
                ["1", "100", "10", day_text, opens_text, closes_text],
            ])  # fmt: skip
        [from_ohana] = _documents(ohana.read(o))
        [from_tabular] = _documents(hsds_tabular.read(t))
    same = ("schedule", "open_minutes", "location")
    assert {k: from_ohana[k] for k in same} == {k: from_tabular[k] for k in same}
    assert [p["day"] for p in from_ohana["schedule"]] == [code]
