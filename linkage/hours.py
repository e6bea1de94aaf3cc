"""Weekly opening hours: parsing HSDS schedules, open-now, and today's hours in local time.

Hours are kept in the service's own local time and time zone. For searching, each period
becomes a range of minutes of the week (Monday 00:00 = 0), so "open now" is a plain range
query per time zone, with no scripting on the cluster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=False,
    )
)
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# H[:MM[:SS[.fff]]] then am/pm, or HH:MM[:SS] with a UTC offset (HSDS's `opens_at`).
_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.](?P<minute>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?)?"
    r"(?:\s*(?P<half>[ap])\.?\s*(?:m\.?)?|Z|[+-]\d\d:?\d\d)?$",
    re.I,
)


@dataclass(frozen=True)
class Period:
    """Open on `day` from `opens` to `closes` (minutes after local midnight).

    `closes` <= `opens` means the period runs past midnight into the next day.
    """

    day: str
    opens: int
    closes: int

    def as_dict(self) -> dict:
        return {"day": self.day, "opens": hhmm(self.opens), "closes": hhmm(self.closes)}


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(text: str) -> int | None:
    """A time of day → minutes after midnight; None when unreadable. The one reader of times,
    for HSDS schedules, spreadsheet cells and request parameters alike.

    Grammar: `H[:MM[:SS[.fff]]] [am|pm|a.m.|p.m.]` ('4:00 PM', '3pm', '9 a.m.', '12 a.m.' is
    00:00) or 24-hour `HH:MM[:SS[.fff]]` with an optional UTC offset ('17:30:00Z', the offset
    ignored: hours are the service's local time); `.` may stand for `:` ('9.30 am'). A bare
    number ('9') is not a time, nor is a 12-hour time outside 1..12 ('13pm')."""
    m = _TIME.match(str(text or "").strip())
    if not m or (m["minute"] is None and not m["half"]):
        return None
    hour, minute = int(m["hour"]), int(m["minute"] or 0)
    if m["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m["half"].lower() == "p" else 0)
    return hour * 60 + minute if hour <= 23 else None


def periods_from_hsds(schedules: list[dict]) -> tuple[list[Period], list[str]]:
    """Weekly periods from HSDS schedule rows, and a note for each row that could not be read."""
    periods, problems = [], []
    for row in schedules or ():
        freq = (row.get("freq") or "WEEKLY").upper()
        opens, closes = (
            parse_time(row.get("opens_at") or ""),
            parse_time(row.get("closes_at") or ""),
        )
        days = [d.strip().upper()[-2:] for d in (row.get("byday") or "").split(",") if d.strip()]
        if freq != "WEEKLY" or opens is None or closes is None or not days:
            problems.append(f"schedule {row.get('id', '?')}: not a weekly day/time rule")
            continue
        if any(d not in DAYS for d in days):
            problems.append(f"schedule {row.get('id', '?')}: unknown day in byday")
            continue
        if closes == 23 * 60 + 59:  # "open until 23:59" means until midnight
            closes = 0
        periods.extend(Period(d, opens, closes) for d in days)
    return periods, problems


def week_ranges(periods: list[Period]) -> list[dict]:
    """Minute-of-week ranges (gte/lt) for indexing; a period past Sunday midnight wraps."""
    ranges = []
    for p in periods:
        start = DAYS.index(p.day) * MINUTES_PER_DAY + p.opens
        length = (p.closes - p.opens) % MINUTES_PER_DAY or MINUTES_PER_DAY
        end = start + length
        if end <= MINUTES_PER_WEEK:
            ranges.append({"gte": start, "lt": end})
        else:
            ranges.append({"gte": start, "lt": MINUTES_PER_WEEK})
            ranges.append({"gte": 0, "lt": end - MINUTES_PER_WEEK})
    return ranges


def days_open(ranges: list[dict]) -> list[str]:
    """The weekdays (MO..SU) some minute of which `ranges` (week_ranges) hold: what the
    open-on-a-day filter finds, as one word a day for the facet that counts them."""
    return [
        day
        for i, day in enumerate(DAYS)
        if any(
            r["gte"] < (i + 1) * MINUTES_PER_DAY and r["lt"] > i * MINUTES_PER_DAY for r in ranges
        )
    ]


@cache
def zone(name: str) -> ZoneInfo:
    """The time zone of an IANA name, kept for the process: ZoneInfo itself keeps only the
    last eight strongly, and a national directory's two dozen zones (every open-now filter and
    match names each) would otherwise be read from disk again on every request."""
    return ZoneInfo(name)


def minute_of_week(now: datetime, timezone: str) -> int:
    local = now.astimezone(zone(timezone))
    return local.weekday() * MINUTES_PER_DAY + local.hour * 60 + local.minute


def is_open(ranges: list[dict], timezone: str, now: datetime) -> bool:
    minute = minute_of_week(now, timezone)
    return any(r["gte"] <= minute < r["lt"] for r in ranges)


def _clock(minutes: int) -> str:
    hour, minute = divmod(minutes % MINUTES_PER_DAY, 60)
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def hours_today(schedule: list[dict], timezone: str, now: datetime) -> str | None:
    """Today's hours in the service's local time, e.g. '9:00 AM–12:00 PM, 1:00 PM–5:00 PM'.

    `schedule` is the indexed form: [{"day": "MO", "opens": "09:00", "closes": "17:00"}, ...].
    """
    if not schedule:
        return None
    today = DAYS[now.astimezone(zone(timezone)).weekday()]
    todays = sorted(
        (parse_time(r["opens"]), parse_time(r["closes"])) for r in schedule if r["day"] == today
    )
    if not todays:
        return "Closed today"
    if any(opens == closes for opens, closes in todays):
        return "Open 24 hours"
    return ", ".join(f"{_clock(opens)}–{_clock(closes)}" for opens, closes in todays)
