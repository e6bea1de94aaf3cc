"""Weekly hours: parsing HSDS schedules, open now in the service's own time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from linkage import hours

CHICAGO = "America/Chicago"


def at(year, month, day, hour, minute=0, tz=CHICAGO):
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def weekday_nine_to_five():
    periods, problems = hours.periods_from_hsds(
        [
            {
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR",
                "opens_at": "09:00",
                "closes_at": "17:00:00",
            }
        ]
    )
    assert problems == []
    return periods


def test_open_during_hours_closed_outside():
    ranges = hours.week_ranges(weekday_nine_to_five())
    assert hours.is_open(ranges, CHICAGO, at(2026, 11, 25, 9, 0))  # Wednesday
    assert hours.is_open(ranges, CHICAGO, at(2026, 11, 25, 16, 59))
    assert not hours.is_open(ranges, CHICAGO, at(2026, 11, 25, 17, 0))
    assert not hours.is_open(ranges, CHICAGO, at(2026, 11, 28, 12, 0))  # Saturday


def test_open_now_uses_the_services_own_time_zone():
    ranges = hours.week_ranges(weekday_nine_to_five())
    # 8:30 AM in Chicago is 6:30 AM in Los Angeles: a Los Angeles 9-to-5 is still closed.
    now = at(2026, 11, 25, 8, 30)
    assert not hours.is_open(ranges, "America/Los_Angeles", now)
    assert hours.is_open(ranges, "America/New_York", now)  # 9:30 AM there


def test_overnight_hours_run_past_midnight():
    periods, _ = hours.periods_from_hsds(
        [{"byday": "SU", "opens_at": "20:00", "closes_at": "08:00"}]
    )
    ranges = hours.week_ranges(periods)
    assert hours.is_open(ranges, CHICAGO, at(2026, 11, 29, 23, 0))  # Sunday night
    assert hours.is_open(ranges, CHICAGO, at(2026, 11, 30, 7, 59))  # Monday morning (wraps)
    assert not hours.is_open(ranges, CHICAGO, at(2026, 11, 30, 8, 0))


def test_the_days_open_include_the_morning_an_overnight_period_runs_into():
    assert hours.days_open(hours.week_ranges(weekday_nine_to_five())) == list(hours.DAYS[:5])
    periods, _ = hours.periods_from_hsds(
        [
            {"byday": "SU", "opens_at": "20:00", "closes_at": "08:00"},
            {"byday": "WE", "opens_at": "22:00", "closes_at": "00:00"},
        ]
    )
    # Sunday night runs into Monday (the week wraps); Wednesday's closes at its own midnight.
    assert hours.days_open(hours.week_ranges(periods)) == ["MO", "WE", "SU"]
    assert hours.days_open([]) == []


def test_all_day_and_two_periods_today():
    periods, _ = hours.periods_from_hsds(
        [
            {"byday": "WE", "opens_at": "09:00", "closes_at": "12:00"},
            {"byday": "WE", "opens_at": "13:00", "closes_at": "17:00"},
            {"byday": "TH", "opens_at": "00:00", "closes_at": "23:59"},
        ]
    )
    schedule = [p.as_dict() for p in periods]  # as indexed
    assert (
        hours.hours_today(schedule, CHICAGO, at(2026, 11, 25, 10))
        == "9:00 AM–12:00 PM, 1:00 PM–5:00 PM"
    )
    assert hours.hours_today(schedule, CHICAGO, at(2026, 11, 26, 3)) == "Open 24 hours"
    assert hours.is_open(hours.week_ranges(periods), CHICAGO, at(2026, 11, 26, 23, 59))
    assert hours.hours_today(schedule, CHICAGO, at(2026, 11, 27, 10)) == "Closed today"
    assert not hours.is_open(hours.week_ranges(periods), CHICAGO, at(2026, 11, 25, 12, 30))


def test_unreadable_rows_are_reported_not_guessed():
    periods, problems = hours.periods_from_hsds(
        [
            {"id": "s1", "byday": "XX", "opens_at": "9", "closes_at": "17:00"},
            {"id": "s2", "freq": "MONTHLY"},
        ]
    )
    assert periods == [] and len(problems) == 2


@given(
    day=st.sampled_from(hours.DAYS),
    opens=st.integers(0, 1439),
    length=st.integers(1, 1440),
)
def test_week_ranges_stay_inside_the_week_and_cover_the_period(day, opens, length):
    period = hours.Period(day, opens, (opens + length) % 1440)
    ranges = hours.week_ranges([period])
    assert all(0 <= r["gte"] < r["lt"] <= hours.MINUTES_PER_WEEK for r in ranges)
    assert sum(r["lt"] - r["gte"] for r in ranges) == length
