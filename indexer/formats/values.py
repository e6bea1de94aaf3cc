"""Values as directories write them, read as a case manager reads them: one parser per kind.

Every format reader and the converter read free text through these functions, so "Spanish and
ASL.", "M-F 9-5" or "None." mean the same whatever file they came in. Each parser states its
grammar in its docstring, returns what it understood and never guesses: text it cannot read
is kept as text by the caller.

The kinds: dates, plain text, yes/no, numbers, lists, phone numbers, ZIP codes, 211 codes,
weekdays and times of day (the time grammar itself is linkage.hours.parse_time, which the
service reads HSDS schedules with too), ages, fees, languages, weekly hours, states and service
areas (county names spelt as linkage.places.county_name spells them), eligibility. A format
whose convention differs passes it as an argument; no reader keeps a parser of its own.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser

import phonenumbers
import pycountry
import zipcodes

from linkage import hours, places
from linkage.config import DATA_DIR
from linkage.hours import DAY_NAMES, DAYS, hhmm
from linkage.languages import common_language_words, language_words
from linkage.places import county_name

# --- dates ----------------------------------------------------------------------------------

_US_DATE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?)?$", re.I
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def parse_date(text: str) -> date | None:
    """A calendar date: US `m/d/yy` or `m/d/yyyy` (a time after it is ignored) or ISO
    `yyyy-mm-dd`; None when unreadable or not a real date. Two-digit years are 20yy up to
    ten years ahead of today, else 19yy (a verification date is never far in the future)."""
    text = (text or "").strip()
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _US_DATE.match(text):
            month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if len(m.group(3)) == 2:
                year += 2000 if 2000 + year <= date.today().year + 10 else 1900
            return date(year, month, day)
    except ValueError:
        return None
    return None


# --- text -----------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
}
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?\s*>|&[a-zA-Z]+;|&#\d+;")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def plain_text(text: str | None) -> str | None:
    """Text with any HTML markup turned into plain text: tags dropped (block tags become line
    breaks, list items "- " lines), entities decoded, runs of blank lines folded, stray `\\r`
    removed. Text without markup is returned as it was, but for line endings and the ends."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _LOOKS_LIKE_HTML.search(text):
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = html.unescape("".join(parser.parts))
        text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


# --- yes/no ---------------------------------------------------------------------------------

TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "x"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})


def is_true(text: str | None) -> bool:
    """A yes in a spreadsheet cell: true, t, yes, y, 1 or x (any case); anything else is no."""
    return (text or "").strip().lower() in TRUE_WORDS


def is_false(text: str | None) -> bool:
    """A plain no in a spreadsheet cell: false, f, no, n or 0 (any case). An empty cell says
    nothing, so it is neither is_true nor is_false."""
    return (text or "").strip().lower() in FALSE_WORDS


# --- numbers --------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")


def parse_number(value) -> float | None:
    """A number as a cell or a JSON field gives it → float; None when it is not one.

    Grammar: a JSON number, or text Python's float() reads ('12', '-87.63', '1e3') after
    stripping spaces and a trailing `%` ('125%'), with thousands grouped by commas ('1,200');
    not a boolean, not NaN or infinity, not '1_000' nor '41,85' (a decimal comma)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        if "_" in text:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def parse_whole_number(value) -> int | None:
    """parse_number when the number is whole ('18', '18.0', 18); None otherwise ('17.5')."""
    number = parse_number(value)
    return int(number) if number is not None and number == int(number) else None


# --- lists ----------------------------------------------------------------------------------


def split_list(text: str | None, separators: str = ",;") -> list[str]:
    """The items of a list in one cell: 'a, b; c' → ['a', 'b', 'c']. Every character of
    `separators` separates; items are stripped and empty ones dropped."""
    parts = [text or ""]
    for sep in separators:
        parts = [p for part in parts for p in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


# --- phone numbers --------------------------------------------------------------------------

_US_PHONE = re.compile(r"^(?:\+?1[\s.-]*)?\(?([2-9]\d{2})\)?[\s.-]*(\d{3})[\s.-]*(\d{4})$")
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:,|x|ext\.?|extension)\s*(\d{1,6})$", re.I)


def phone_number(raw: str) -> str:
    """A phone number as shown: US numbers in the national format, (650) 780-7525 (an
    extension as ' ext. 12'), others in the international one; what is not a possible number
    ('311') as given."""
    if m := _US_PHONE.match(raw):  # the usual case, without phonenumbers' full parse
        return f"({m.group(1)}) {m.group(2)}-{m.group(3)}"
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_possible_number(parsed):
        return raw
    style = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        parsed, style.NATIONAL if parsed.country_code == 1 else style.INTERNATIONAL
    )


def split_extension(text: str) -> tuple[str, str | None]:
    """(number, extension) of a number written with its extension: '410-555-0100 x12',
    '..., 12', '... ext. 12', '... extension 12'; (text, None) when it has none."""
    if m := _EXTENSION.match(text):
        return m.group(1), m.group(2)
    return text, None


# --- ZIP codes ------------------------------------------------------------------------------

_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")


def postal_code(text: str | None) -> str:
    """A postal code as given ('21218', '21218-1234'), spaces folded, but a 4-digit ZIP code
    that lost its leading zero in a spreadsheet ('2120', '2120-0001') gets it back."""
    text = " ".join(str(text or "").split())  # a JSON number too
    if re.fullmatch(r"\d{4}(?:-\d{4})?", text):
        return "0" + text
    return text


def zip5(text: str | None) -> str | None:
    """The five-digit ZIP code of a US postal code ('21218-1234', '212181234', '2120' →
    '02120'); None when the text is not one."""
    m = _ZIP.match(postal_code(text))
    return m.group(1) if m else None


# --- 211 codes ------------------------------------------------------------------------------

# One 211 (AIRS/211 HSIS) code: `XX-####.####-###.##`, each level optional after the first
# (1-2 capital letters).
_211_CODE = re.compile(r"[A-Z]{1,2}(?:-[0-9]{4}(?:\.[0-9]{4}(?:-[0-9]{3}(?:\.[0-9]{2})?)?)?)?")


def is_211_code(code: str) -> bool:
    """A 211 code as records carry it (capital letters), or a compound of them: a service
    code for some populations, `BD-1800.2000 * YB-8000`."""
    return all(_211_CODE.fullmatch(part.strip()) for part in code.strip().split("*"))


def split_211_codes(text: str | None) -> list[str]:
    """The 211 codes in one value: `;`- or `,`-separated; a compound (`BD-1800.2000 *
    YB-8000`) is one code, written with ` * `; repeats dropped. Codes are not checked
    (is_211_code says which are)."""
    codes: dict[str, None] = {}
    for part in split_list(" ".join((text or "").split()), ";,"):
        if code := " * ".join(p.strip() for p in part.split("*") if p.strip()):
            codes[code] = None
    return list(codes)


# --- days and times of day ------------------------------------------------------------------

_DAY_NAMES = tuple(DAY_NAMES[d].lower() for d in DAYS)


def parse_time(text: str | None) -> str | None:
    """A time of day → 'HH:MM'; None when unreadable. The grammar is linkage.hours.parse_time's
    (the one reader of times): '08:00', '4:00 PM', '3pm', '9 a.m.', '17:00:00'; not '9'."""
    minutes = hours.parse_time(text)
    return None if minutes is None else hhmm(minutes)


def parse_weekday(text: str) -> str | None:
    """A day of the week → 'MO'..'SU'; None when unknown.

    Grammar: a day name or its start of two letters or more ('Monday', 'mon', 'Tues', 'MO'),
    or ISO's number 1..7 (1 = Monday), 0 also Sunday."""
    text = (text or "").strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        return DAYS[(number - 1) % 7] if number <= 7 else None
    if len(text) >= 2:
        for code, name in zip(DAYS, _DAY_NAMES, strict=True):
            if name.startswith(text):
                return code
    return None


# --- ages -----------------------------------------------------------------------------------

_NUM = r"(\d{1,3})(?!\s*(?:%|percent))"
_AGE_RULES = (
    # "ages 18-24", "age 21 to 60", "between the ages of 18 and 24"
    ("range", re.compile(rf"\bage[sd]?\s+(?:of\s+)?{_NUM}\s*(?:-|–|to|through|and)\s*{_NUM}\b", re.I)),
    # "18-24 years old"
    ("range", re.compile(rf"(?<![\d$.,]){_NUM}\s*(?:-|–|to)\s*{_NUM}\s*(?:years?|yrs?)\b", re.I)),
    # "from birth to age 3", "birth through 5"
    ("max", re.compile(r"\bbirth\s*(?:-|–|to|through|thru)\s*(?:age\s+)?(\d{1,2})\b", re.I)),
    # "age 55 or over", "60 years and older", "18 and up"
    ("min", re.compile(rf"(?<![\d$.,]){_NUM}\s*(?:years?\s*(?:old\s*|of\s+age\s*)?)?(?:or|and)\s+(?:over|older|above|up)\b", re.I)),
    # "55+"
    ("min", re.compile(r"(?<![\d$.,])(\d{2})\s*\+")),
    # "over 16", "older than 21": read as 16 and 21 (the looser limit, never excluding one
    # who says "over 18" meaning 18)
    ("min", re.compile(r"\b(?:over|older\s+than|at\s+least)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?(\d{1,3})\b"
                       r"(?!\s*(?:%|percent|hours?|minutes?|miles?|days?|weeks?|months?|lbs?|pounds?|dollars?|languages?))", re.I)),
    # "under 18", "younger than 21", "under the age of 5"
    ("under", re.compile(r"\b(?:under|younger\s+than|below)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?(\d{1,3})\b"
                         r"(?!\s*(?:%|percent|hours?|minutes?|miles?|days?|weeks?|months?|lbs?|pounds?|dollars?))", re.I)),
    # "up to age 19"
    ("max", re.compile(r"\bup\s+to\s+(?:the\s+)?age\s+(?:of\s+)?(\d{1,3})\b", re.I)),
    # "age 17 or under", "5 and younger"
    ("max", re.compile(rf"(?<![\d$.,]){_NUM}\s*(?:years?\s*(?:old\s*)?)?(?:or|and)\s+(?:under|younger|below)\b", re.I)),
)  # fmt: skip


def parse_ages(*texts: str) -> tuple[int | None, int | None]:
    """(minimum_age, maximum_age) stated in eligibility text; None where nothing is stated.

    Grammar (anywhere in the text): `age[s] N-M` | `N-M years` | `birth to [age] N` |
    `N [years] (or|and) (over|older|up)` | `N+` | `(over|older than) N` |
    `(under|younger than) [the age of] N` | `up to age N` | `N (or|and) (under|younger)`.
    "age 55 or over" → (55, None); "ages 18-24" → (18, 24); "55+" → (55, None);
    "under 18" → (None, 17). When several groups are named ("age 60 or over, disabled
    individuals age 18-59") the range covers all of them (18, None); when that is every age,
    nothing is stated.
    """
    spans: list[tuple[int, int | None]] = []
    for text in texts:
        work = text or ""
        for kind, pattern in _AGE_RULES:
            for m in list(pattern.finditer(work)):
                work = work[: m.start()] + " " * (m.end() - m.start()) + work[m.end() :]
                numbers = [int(g) for g in m.groups()]
                if any(n > 120 for n in numbers):
                    continue
                if kind == "range" and numbers[0] <= numbers[1]:
                    spans.append((numbers[0], numbers[1]))
                elif kind == "min":
                    spans.append((numbers[0], None))
                elif kind == "under" and numbers[0] >= 1:
                    spans.append((0, numbers[0] - 1))
                elif kind == "max":
                    spans.append((0, numbers[0]))
    if not spans:
        return None, None
    low = min(s[0] for s in spans)
    high = None if any(s[1] is None for s in spans) else max(s[1] for s in spans)
    return (low or None), high


# --- fees -----------------------------------------------------------------------------------

_SLIDING = re.compile(
    r"\bsliding\b|\b(?:according to|based on|depending on|vary according to)\s+(?:family\s+)?"
    r"(?:income|ability to pay)",
    re.I,
)
_FREE_LEAD = re.compile(r"^(?:none|free|no charge|no fees?|no cost|n/a)\s*(?:[.!,]|$)", re.I)
_FREE = re.compile(
    r"(?<!-)\bfree\b|\bno (?:fees?|cost|charge)\b|\bvoluntary (?:donations?|contributions?)\b",
    re.I,
)
_FEE = re.compile(
    r"\$\s*\d|\b\d+\s*dollars\b|\bfees?\b|\bco-?pays?\b|\bper (?:visit|session|class|month|year|"
    r"week|day|hour|night|meal)\b|\bprivate(?:ly)? pa(?:y|id)\b|\binsurance\b|\bmedicare\b|"
    r"\bmedicaid\b|\bmedical assistance\b|\bpayment methods\b|\bcash\b|\bchecks?\b|"
    r"\bcredit cards?\b|\bcharges?\b|\bdues\b|\bpremium\b|\btuition\b",
    re.I,
)
_FEE_CONDITION = re.compile(r"^(?:none|free|no fees?|no charge|no cost)\s+(?:if|for|except)\b",
                            re.I)  # fmt: skip


def parse_fees(text: str | None) -> str | None:
    """'free', 'sliding-scale', 'fee' or None (not stated, or not plain) from fees text.

    Grammar: `sliding [fee] scale` or `(according to|based on) income` → sliding-scale;
    a text that opens with `None|Free|No fee|No charge|No cost` (then `.`, `!`, `,` or its end),
    or says `free`, `no fee(s)`, `no cost`, `no charge`, `voluntary donation(s)`, and names no
    charge → free; one that names a charge (`$25`, `fee`, `per visit`, `copay`, insurance,
    Medicare, Medicaid, `private pay`, payment methods, `dues`) → fee. "None if eligible" or
    "None for emergency services" (free only for some), or free and a charge together (not
    after a leading "None."), or anything else ("See notes.", "Varies.") → None."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if _SLIDING.search(text):
        return "sliding-scale"
    if _FEE_CONDITION.match(text):
        return None
    leading_free = bool(_FREE_LEAD.match(text))
    # "None, except for permits" / "None. $5 for copies": free for most, but not plainly.
    rest = text[len(_FREE_LEAD.match(text).group(0)) :] if leading_free else text
    charged = bool(_FEE.search(_FREE.sub(" ", rest)))
    if leading_free:
        return None if charged or re.match(r"^\s*except\b", rest, re.I) else "free"
    if _FREE.search(text):
        return None if charged else "free"
    return "fee" if charged else None


def fees_kind(text: str) -> str | None:
    """'sliding-scale' or 'free' from fees text, else None: parse_fees without 'fee' (the
    Ohana reader's linkage-fees attribute names only these two)."""
    kind = parse_fees(text)
    return kind if kind in ("free", "sliding-scale") else None


# --- languages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Languages:
    """What a languages text says: the languages spoken (ISO 639-1 codes where one exists,
    else ISO 639-3) and whether interpretation is offered for others."""

    codes: tuple[str, ...] = ()
    interpretation: bool = False

    @property
    def understood(self) -> bool:
        return bool(self.codes) or self.interpretation


_INITIALS = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_SENTENCE = re.compile(r"[.;!?\n]+(?:\s|$)|\n")
_CLAUSE = re.compile(
    r"[,:/&+()\[\]]|\s-+\s|--|\b(?:and|or|with|plus|also|but|including|except)\b", re.I
)
# Written material in a language is not a language spoken: "Brochures in Spanish."
_MATERIAL = re.compile(
    r"\b(?:brochures?|materials?|literature|publications?|applications?|forms?|books?|"
    r"pamphlets?|flyers?|handouts?|documents?|website|signage|written)\b",
    re.I,
)
_INTERPRETATION = re.compile(
    r"\binterpret(?:er|ers|ation|ations|ing)?\b|\btele-?interpret|\btranslat(?:or|ors|ion|ions)\b|"
    r"\blanguages?\s+(?:lines?|links?|bank)\b|\b\d+\s+(?:different\s+)?languages\b|"
    r"\b(?:all|other|many|various|numerous|most)\s+(?:other\s+)?languages\b",
    re.I,
)
_WORD = re.compile(r"[a-zà-ÿ]+(?:['’][a-zà-ÿ]+)*", re.I)


def _clause_language(clause: str) -> list[str]:
    """The languages one clause names: the whole clause is a language name or code (noise
    words aside), else the common language names found in it."""
    words = [w.lower() for w in _WORD.findall(clause)]
    core = " ".join(w for w in words if w not in _language_noise())
    common = common_language_words()
    # A rare ISO 639-3 name only when it is the whole clause and not a short word: "Lakota",
    # but not "Mon" (a Mon-Khmer language, and Monday) in "Spanish (Mon only)".
    if core and (code := common.get(core) or (len(core) >= 5 and language_words().get(core))):
        return [code]
    found: list[str] = []
    i = 0
    while i < len(words):
        for size in (3, 2, 1):  # the longest name first: "American Sign Language"
            name = " ".join(words[i : i + size])
            if len(words[i : i + size]) == size and name in common:
                if i == 0 or words[i - 1] != "non":  # "non English speaking clients"
                    found.append(common[name])
                i += size
                break
        else:
            i += 1
    return found


def parse_languages(text: str | None) -> Languages:
    """The languages a directory's languages text names, and whether it offers interpretation.

    Grammar: text := sentence (`.` | `;` | `!` | newline) ...; sentence := clause
    (`,` | `/` | `&` | `and` | `or` | `with` | `(` `)` | `:` | ` - `) ...; a clause that is one
    language name or code (ISO 639 English names, 639-1/2/3 codes, data/languages.json aliases;
    "A.S.L." = "ASL"), give or take words such as "limited", "speaking", "staff",
    "interpreter" or "on request", names that language; any other clause names the common
    languages in it ("Spanish groups available" → es). A sentence about written material
    ("Brochures in Spanish.") names no spoken language. Interpretation is offered when a
    sentence says interpreter, interpretation, translator, Language Line, "150 languages" or
    "other languages". Anything else ("Accommodations possible.") is not understood: no codes,
    no interpretation, and no error."""
    text = _INITIALS.sub(lambda m: m.group(0).replace(".", ""), " ".join((text or "").split()))
    codes: dict[str, None] = {}
    interpretation = False
    for sentence in _SENTENCE.split(text):
        if not sentence.strip() or _MATERIAL.search(sentence):
            continue
        if _INTERPRETATION.search(sentence):
            interpretation = True
        for clause in _CLAUSE.split(sentence):
            codes.update(dict.fromkeys(_clause_language(clause)))
    return Languages(tuple(codes), interpretation)


def language_entries(text: str) -> list[dict]:
    """A languages cell as HSDS language entries, one per listed item, names only:
    'Chinese (Mandarin), Spanish' → [{'name': 'Chinese (Mandarin)'}, {'name': 'Spanish'}].
    The converter reads the names (parse_languages), as it does for every format."""
    entries: dict[str, dict] = {}
    for name in split_list(text):
        if name.strip(" ."):
            entries.setdefault(name.lower(), {"name": name})
    return list(entries.values())


# --- weekly hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """What an hours text says: weekly periods (day, opens 'HH:MM', closes 'HH:MM'; closes at
    or before opens runs past midnight, opens == closes is the whole day) and notes such as
    "By appointment". `understood` is False when any part of the text could not be read; then
    no periods are given (the caller keeps and shows the text)."""

    periods: tuple[tuple[str, str, str], ...] = ()
    notes: tuple[str, ...] = ()
    understood: bool = False


_DAY_WORDS = {
    **{name: (code,) for code, name in zip(DAYS, _DAY_NAMES, strict=True)},
    "mon": ("MO",), "m": ("MO",), "mo": ("MO",),
    "tue": ("TU",), "tues": ("TU",), "tu": ("TU",), "t": ("TU",),
    "wed": ("WE",), "weds": ("WE",), "we": ("WE",), "w": ("WE",),
    "thu": ("TH",), "thur": ("TH",), "thurs": ("TH",), "th": ("TH",), "r": ("TH",),
    "fri": ("FR",), "fr": ("FR",), "f": ("FR",),
    "sat": ("SA",), "sa": ("SA",), "sun": ("SU",), "su": ("SU",),
    "weekdays": DAYS[:5], "weekday": DAYS[:5], "weekends": DAYS[5:], "weekend": DAYS[5:],
    "daily": DAYS, "everyday": DAYS,
}  # fmt: skip
_HOURS_TOKEN = re.compile(
    r"(?P<h24>24\s*/\s*7|24\s*(?:-\s*)?(?:hours?|hrs?)(?:\s+(?:a|per)\s+day)?|around the clock)"
    r"|(?P<alldays>(?:7|seven)\s+days(?:\s+(?:a|per)\s+week)?|every\s+day|all\s+week)"
    r"|(?P<note>by\s+appointments?(?:\s+only)?|appointments?\s+(?:only|required|necessary|needed)"
    r"|call(?:\s+ahead)?\s+(?:for|to\s+(?:get|confirm|check|schedule))\s+(?:an?\s+)?"
    r"(?:hours|times|schedule|appointments?|information|details|availability)"
    r"|(?:closed\s+(?:on\s+)?|except\s+(?:on\s+)?|excluding\s+)(?:all\s+)?(?:major\s+|federal\s+"
    r"|legal\s+|state\s+|national\s+)?holidays|walk-?ins?\s+welcome)"
    r"|(?P<time>(?:\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a|p)\b|\d{1,2}[:.]\d{2}|\d{1,2})"
    r"(?:\s*(?:noon|midnight))?|noon|midnight|midday)"
    r"|(?P<range>-+|to\b|through\b|thru\b|until\b|till\b|til\b)"
    r"|(?P<list>,|&|\band\b|/|\+)"
    r"|(?P<sep>;|\n|\.(?=\s|$)|\|)"
    r"|(?P<closed>closed\b)"
    r"|(?P<word>[a-z]+)"
    r"|(?P<skip>[\s:()\[\]*'’\"]+)"
    r"|(?P<other>.)"
)
# Words that say nothing about when: "Open Monday - Friday from 9 to 5".
_HOURS_FILLER = frozenset(
    [
        "open",
        "opens",
        "hours",
        "hour",
        "hrs",
        "from",
        "at",
        "office",
        "offices",
        "business",
        "is",
        "are",
        "the",
        "on",
        "of",
        "every",
        "each",
        "only",
        "s",
        "pm",
        "am",
    ]
)
_NOTE_TEXT = {
    "appoint": "By appointment",
    "call": "Call for hours",
    "holiday": "Closed on holidays",
    "walk": "Walk-ins welcome",
}


def _clock(text: str) -> tuple[int, int, str | None] | None:
    """(hour, minute, 'am' | 'pm' | '24' | None) of one time token; None when impossible."""
    text = text.strip()
    if text in ("noon", "midday") or text.endswith(("noon", "midday")):
        return 12, 0, "pm"
    if text.endswith("midnight"):
        return 0, 0, "24"
    m = re.match(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a|p)?$", text)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    half = {"a": "am", "p": "pm"}.get(m.group(3) or "", m.group(3))
    if minute > 59 or hour > 24 or (half and not 1 <= hour <= 12):
        return None
    if half is None and (hour == 0 or hour >= 13 or (m.group(2) and m.group(1).startswith("0"))):
        half = "24"  # "17:00", "09:00", "0:00": a 24-hour clock
    return hour % 24, minute, half


def _minutes(clock: tuple[int, int, str | None], after: int) -> int | None:
    """Minutes after midnight; a time without am/pm is the first of its two readings at or
    after `after` (9 → 9:00 but 1 → 13:00 after 9:00; bare 1..6 as an opening hour → PM)."""
    hour, minute, half = clock
    if half == "24":
        return hour * 60 + minute
    if half in ("am", "pm"):
        return (hour % 12 + (12 if half == "pm" else 0)) * 60 + minute
    readings = sorted({(hour % 12) * 60 + minute, (hour % 12 + 12) * 60 + minute})
    return next((r for r in readings if r >= after), None)


def _time_range(opens, closes, after: int) -> tuple[int, int] | None:
    """One opening range in minutes; bare hours read as people write them ("9-5" is 9 AM to
    5 PM, "1-5pm" 1 PM to 5 PM, "9am-12" 9 AM to noon)."""
    if opens[2] is None and closes[2] in ("am", "pm"):
        end = _minutes(closes, 0)
        # the later reading of the opening hour that is still before the closing time
        candidates = [
            r
            for r in ((opens[0] % 12) * 60 + opens[1], (opens[0] % 12 + 12) * 60 + opens[1])
            if r < end
        ]
        start = max(candidates) if candidates else None
    else:
        start = _minutes(opens, after)
        if start is None:
            return None
        end = _minutes(closes, start + 1) if closes[2] is None else _minutes(closes, 0)
    if start is None or end is None:
        return None
    if (end == 0 and closes[2] == "24") or closes[0] == 24:
        end = 0  # midnight closes the day
    if start == end:
        return None
    return start, end


def parse_hours(text: str | None) -> Hours:
    """Weekly opening hours from text, as a front-desk sign writes them.

    Grammar: text := part ((`;` | `.` | newline | `,`) part)*;
    part := days times | times days | days `closed` | `closed` days | `24/7` | `open 24 hours`
    [days] | note; days := day ((`-` | `to` | `through`) day)? ((`,` | `&` | `and` | `/`) ...)*
    | `weekdays` | `weekends` | `daily` | `7 days a week`; day := a day name or its short forms
    ('Mon', 'Tues', 'Thurs', 'M', 'T', 'W', 'R', 'F'); times := range ((`,` | `and`) range)*;
    range := time (`-` | `to` | `until`) time; time := `H[:MM] [am|pm]`, 24-hour `HH:MM`,
    `noon`, `midnight`; note := `by appointment`, `call for hours`, `closed on holidays`
    (kept as notes). A bare time is read as people write hours: "9-5" is 9 AM to 5 PM,
    "9-12, 1-5" 9 AM to noon and 1 PM to 5 PM. Any other word (a "1st Tuesday", "summer"),
    days without times or times without days make the text not understood: no periods."""
    raw = (text or "").lower().replace("–", "-").replace("—", "-")
    raw = re.sub(r"\b([ap])\.\s?m\.?", r"\1m", raw)
    tokens: list[tuple[str, str]] = []
    notes: dict[str, None] = {}
    for m in _HOURS_TOKEN.finditer(raw):
        kind, value = m.lastgroup, m.group(0)
        if kind == "skip":
            continue
        if kind == "note":
            notes[next(v for k, v in _NOTE_TEXT.items() if k in value)] = None
            continue
        if kind == "word":
            if value in _DAY_WORDS or (value.rstrip("s") in _DAY_WORDS and len(value) > 3):
                tokens.append(("day", value if value in _DAY_WORDS else value.rstrip("s")))
                continue
            if value in _HOURS_FILLER:
                continue
            return Hours(notes=tuple(notes), understood=False)
        if kind == "other":
            return Hours(notes=tuple(notes), understood=False)
        tokens.append((kind, value.strip()))
    items = _hours_items(tokens)
    if items is None:
        return Hours(notes=tuple(notes), understood=False)
    periods = _pair_hours(items)
    if periods is None:
        return Hours(notes=tuple(notes), understood=False)
    if not periods and not notes:
        return Hours(understood=False)
    return Hours(tuple(periods), tuple(notes), understood=True)


def _hours_items(tokens: list[tuple[str, str]]) -> list[tuple[str, object]] | None:
    """Tokens grouped into ('days', [codes]), ('times', [(opens, closes)]), ('closed', None)
    and ('sep', None); None when they do not follow the grammar."""
    items: list[tuple[str, object]] = []
    i, n = 0, len(tokens)

    def kind(at: int) -> str | None:
        return tokens[at][0] if at < n else None

    while i < n:
        k = tokens[i][0]
        if k == "day" or k == "alldays":
            days: list[str] = []
            while True:
                first = DAYS if tokens[i][0] == "alldays" else _DAY_WORDS[tokens[i][1]]
                i += 1
                if kind(i) == "range" and kind(i + 1) == "day" and len(first) == 1:
                    last = _DAY_WORDS[tokens[i + 1][1]]
                    if len(last) != 1:
                        return None
                    a, b = DAYS.index(first[0]), DAYS.index(last[0])
                    days += [DAYS[(a + j) % 7] for j in range((b - a) % 7 + 1)]
                    i += 2
                else:
                    days += first
                if kind(i) == "list" and kind(i + 1) in ("day", "alldays"):
                    i += 1
                    continue
                break
            items.append(("days", list(dict.fromkeys(days))))
        elif k == "time":
            ranges: list[tuple[int, int]] = []
            after = 7 * 60  # a bare hour before 7 opens in the afternoon ("1-5")
            while True:
                if not (kind(i) == "time" and kind(i + 1) == "range" and kind(i + 2) == "time"):
                    return None
                opens, closes = _clock(tokens[i][1]), _clock(tokens[i + 2][1])
                if opens is None or closes is None:
                    return None
                found = _time_range(opens, closes, after)
                if found is None:
                    return None
                ranges.append(found)
                after = found[1] if found[1] > found[0] else 24 * 60
                i += 3
                if kind(i) == "list" and kind(i + 1) == "time":
                    i += 1
                    continue
                break
            items.append(("times", ranges))
        elif k == "h24":
            items.append(("times", [(0, 0)]))
            i += 1
        elif k == "closed":
            items.append(("closed", None))
            i += 1
        elif k in ("sep", "list"):
            items.append(("sep", None))
            i += 1
        else:  # a dash or "to" out of place
            return None
    return items


def _pair_hours(items: list[tuple[str, object]]) -> list[tuple[str, str, str]] | None:
    """Days paired with the times next to them, in either order; closed days removed."""
    periods: dict[tuple[str, int, int], None] = {}
    closed: set[str] = set()
    days: list[str] | None = None  # days waiting for their times
    times: list[tuple[int, int]] | None = None  # times waiting for their days
    last_days: list[str] | None = None  # days just given times ("M-F 9-12 1-5")
    pending_closed = False

    def add(on: list[str], ranges: list[tuple[int, int]]) -> None:
        periods.update(dict.fromkeys((d, o, c) for d in on for o, c in ranges))

    for kind, value in items:
        if kind == "sep":
            if pending_closed:
                return None  # "closed" then a separator: not which days
            last_days = None
            continue
        if kind == "closed":
            if days is not None:
                closed.update(days)
                days = None
            else:
                pending_closed = True
            last_days = None
            continue
        if kind == "days":
            if pending_closed:
                closed.update(value)
                pending_closed = False
            elif times is not None:
                add(value, times)
                times = None
            elif days is not None:
                return None  # two day lists in a row: which times go with which?
            else:
                days = value
            last_days = None
        elif days is not None:  # times after their days
            add(days, value)
            last_days, days = days, None
        elif last_days is not None:  # more times for the same days
            add(last_days, value)
        elif times is None:
            times = value
        else:
            return None
    if days is not None or pending_closed:
        return None
    if times is not None:
        if times != [(0, 0)] or periods:
            return None  # times without days: not said which days
        add(list(DAYS), times)  # "Open 24 hours", "24/7"
    return [
        (d, hhmm(o), hhmm(c))
        for d, o, c in sorted(periods, key=lambda p: (DAYS.index(p[0]), p[1]))
        if d not in closed
    ]


# --- service areas --------------------------------------------------------------------------

# US states, DC and territories by lower-case name, from ISO 3166-2 (pycountry).
STATES = {
    s.name.lower(): s.code.split("-")[1] for s in pycountry.subdivisions.get(country_code="US")
}
STATES["virgin islands"] = "VI"
_STATE_CODES = frozenset(STATES.values())


def state_code(text: str | None) -> str | None:
    """The two-letter code of a US state, DC or territory, by its code or name in any case
    ('IL', 'il', 'Illinois'); None for anything else."""
    text = " ".join((text or "").split())
    code = STATES.get(text.lower(), text.upper())
    return code if code in _STATE_CODES else None


_NATIONWIDE = frozenset({
    "nationwide", "national", "nationally", "united states", "usa", "us", "u.s.", "u.s.a.",
    "all states", "all 50 states", "anywhere in the us", "anywhere in the united states",
})  # fmt: skip
_COUNTY = re.compile(r"^(.+?)\s+(county|parish|borough)(?:\s*[,@]\s*([A-Za-z]{2}))?$", re.I)
# "Cook County, IL": the state after a county belongs to it, not to the list.
_COUNTY_STATE = re.compile(
    r"\b(county|parish|borough)\s*,\s*([A-Za-z]{2})\b(?=\s*(?:[,;/\n]|and\b|&|$))", re.I
)
_COUNTIES = re.compile(r"^(.+?)\s+(?:counties|parishes)$", re.I)
_METRO = re.compile(
    r"^(?:greater\s+(.+?)(?:\s+area)?|(.+?)\s+(?:metro(?:politan)?(?:\s+area)?|area|region))$",
    re.I,
)


def _place_key(name: str) -> str:
    """A place name compared loosely: case, periods and apostrophes aside (St. Mary's)."""
    return " ".join(re.sub(r"[.'’]", "", name.lower()).split())


@cache
def _places() -> tuple[dict, dict]:
    """({(state, county key): {county names as zipcodes spells them}},
    {(state, city key): [ZIP codes]}) from the offline ZIP list."""
    counties: dict[tuple[str, str], set[str]] = {}
    cities: dict[tuple[str, str], list[str]] = {}
    also: set[tuple[str, str]] = set()
    for z in zipcodes.list_all():
        state, county = z["state"], z.get("county") or ""
        if county:
            short = county_name(county)
            for key in {_place_key(short), _place_key(county)}:
                counties.setdefault((state, key), set()).add(short)
        if z.get("zip_code_type") != "MILITARY" and z.get("city"):
            cities.setdefault((state, _place_key(z["city"])), []).append(z["zip_code"])
    # A town no ZIP code is named after ("Colma"): the ZIP codes that accept its name.
    for z in zipcodes.list_all():
        if z.get("zip_code_type") != "MILITARY":
            for city in z.get("acceptable_cities") or ():
                key = (z["state"], _place_key(city))
                if key not in cities or key in also:
                    cities.setdefault(key, []).append(z["zip_code"])
                    also.add(key)
    return counties, cities


def _county_keys(name: str, state: str | None) -> list[str]:
    """county:ST:<Name> keys for a county of the state, spelt as linkage.geo.county_name
    spells the ZIP list's counties; [] when unknown."""
    if not state:
        return []
    found = _places()[0].get((state, _place_key(name)), ())
    return [places.county_area(state, n) for n in sorted(found)]


def _city_zips(name: str, state: str | None) -> list[str]:
    return sorted(_places()[1].get((state, _place_key(name)), ())) if state else []


@dataclass(frozen=True)
class Areas:
    """Service-area keys read from text, and the parts of it that did not resolve."""

    keys: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()

    @property
    def understood(self) -> bool:
        return bool(self.keys) and not self.unresolved


def _area(item: str, state: str | None) -> list[str]:
    """The keys of one named area, or [] when it does not resolve."""
    text = " ".join(item.split()).strip(" .")
    low = text.lower()
    if low in _NATIONWIDE:
        return [places.NATIONWIDE]
    if low in ("statewide", "state-wide", "state wide", "entire state", "the entire state"):
        return [places.state_area(state)] if state else []
    if code := STATES.get(low.removesuffix(" state").removeprefix("state of ").strip()):
        return [places.state_area(code)]
    if text.upper() == text and text in _STATE_CODES:
        return [places.state_area(text)]
    if re.fullmatch(r"\d{5}", text):
        return [places.zip_area(text)] if places.zip_place(text) else []
    if m := _COUNTY.match(text):
        county_state = (m.group(3) or state or "").upper()
        return _county_keys(m.group(1), county_state) or _county_keys(text, county_state)
    if m := _METRO.match(text):
        city = m.group(1) or m.group(2)
        return _metro_counties(city, state)  # the counties its city's ZIP codes lie in
    # "Baltimore City", an independent city: a county-equivalent where zipcodes has one
    if keys := _county_keys(text, state):
        return keys
    return [places.zip_area(z) for z in _city_zips(text, state)]


def _metro_counties(city: str, state: str) -> list[str]:
    found = (places.zip_place(z) for z in _city_zips(city, state))
    return sorted({places.county_area(p.state, p.county) for p in found if p and p.county})


def parse_service_areas(text: str | None, state: str | None = None) -> Areas:
    """Area keys (`nationwide`, `state:XX`, `county:XX:<Name>`, `zip:NNNNN`) from the text of
    a service area; `state` is the one "Statewide" and bare county or city names are in.

    Grammar: text := item ((`,` | `;` | `/` | newline | `and` | `&`) item)*; item :=
    `Nationwide` | `United States` | `Statewide` | a state name or its two capitals ("MD") |
    `<Name> County|Parish|Borough [, ST]` | `<Name> and <Name> Counties` | an independent city
    or other county-equivalent ("Baltimore City", as the ZIP list names it) |
    `<City> Metro Area` | `Greater <City>` (the counties its ZIP codes lie in) | a city (its ZIP
    codes) | a ZIP code. Counties are checked against the ZIP list; what does not resolve
    ("Ward 3", "East Side") is kept in `unresolved`."""
    text = _COUNTY_STATE.sub(r"\1 @\2", text or "")
    parts = [p.strip(" .") for p in re.split(r"[,;/\n]|\band\b|&", text, flags=re.I)]
    parts = [p for p in parts if p]
    keys: dict[str, None] = {}
    unresolved: list[str] = []
    plain: list[str] = []  # names before "... Counties" that share its suffix
    for part in parts:
        if m := _COUNTIES.match(part):
            for name in (*plain, m.group(1)):
                found = _county_keys(name, state)
                keys.update(dict.fromkeys(found))
                if not found:
                    unresolved.append(f"{name} County")
            plain = []
            continue
        found = _area(part, state)
        if found:
            keys.update(dict.fromkeys(found))
            plain = []
        else:
            plain.append(part)
    unresolved.extend(plain)
    return Areas(tuple(keys), tuple(unresolved))


def service_area_extent(text: str, state: str | None) -> str | None:
    """The one state, county or nationwide key a named area gives ('San Mateo County' →
    'county:CA:San Mateo'), for readers that keep one extent per area; None for cities (the
    converter reads those into ZIP codes) and for names that give none or several keys."""
    found = parse_service_areas(text, state)
    if len(found.keys) == 1 and not found.unresolved and not found.keys[0].startswith("zip:"):
        return found.keys[0]
    return None


# --- eligibility ----------------------------------------------------------------------------


@cache
def _language_noise() -> frozenset[str]:
    """Words around a language name that do not change which language it is: "Limited
    Spanish", "Spanish speaking staff" (data/languages.json `noise_words`)."""
    table = json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))
    return frozenset(table["noise_words"]["words"])


@cache
def _eligibility_words() -> dict:
    return json.loads((DATA_DIR / "eligibility-text.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Eligibility:
    """What eligibility text plainly says: age limits, an income limit (% of the federal
    poverty guideline), eligibility tags, and whether it says the service is open to all."""

    min_age: int | None = None
    max_age: int | None = None
    income_max_fpl: int | None = None
    tags: tuple[str, ...] = field(default=())
    open_to_all: bool = False

    @property
    def understood(self) -> bool:
        return (
            self.min_age is not None
            or self.max_age is not None
            or self.income_max_fpl is not None
            or bool(self.tags)
            or self.open_to_all
        )


_INCOME = re.compile(
    r"(?P<before>at\s+or\s+below|at\s+or\s+under|below|under|up\s+to|less\s+than|not\s+(?:to\s+)?"
    r"exceed(?:ing)?|no\s+more\s+than|within|<=?|≤)\s+(?:the\s+)?(?P<a>\d{2,3})\s*%"
    r"|(?P<b>\d{2,3})\s*%\s*(?:of\s+)?(?:the\s+)?(?:federal\s+)?(?:poverty|fpl|fpg)[\w\s]{0,20}?"
    r"\s+or\s+(?:below|less|under|lower)",
    re.I,
)
_POVERTY = re.compile(r"\bpoverty\b|\bfpl\b|\bfpg\b|\bfederal\s+poverty", re.I)
_SUBJECT_END = re.compile(r"[,.;:()]|\s(?:who|with|that|age[sd]?|in|of|from|living)\s|\d", re.I)


def _income_limit(text: str) -> int | None:
    """The largest 'at or below N% of poverty' limit stated (the looser one), else None."""
    limits = []
    for m in _INCOME.finditer(text):
        tail = text[m.end() : m.end() + 60] if m.group("a") else m.group(0)
        if m.group("a") and not _POVERTY.search(tail):
            continue
        limits.append(int(m.group("a") or m.group("b")))
    limits = [n for n in limits if 50 <= n <= 1000]
    return max(limits) if limits else None


@cache
def _group_phrases() -> dict[str, str]:
    """Each group word or phrase of data/eligibility-text.json → its tag."""
    return {p: tag for tag, names in _eligibility_words()["groups"].items() for p in names}


@cache
def _restrictions() -> tuple[tuple[re.Pattern, str], ...]:
    """For each group phrase, text that restricts a service to it ("veterans only", "only
    for veterans", "must be a veteran"), and its tag: compiled once, not per record."""
    restrictions = []
    for phrase, tag in _group_phrases().items():
        p = re.escape(phrase)
        restrictions.append((re.compile(rf"\b{p}\s+only\b|\bonly\s+(?:for\s+)?{p}\b"
                             rf"|\bmust\s+be\s+(?:an?\s+)?{p}(?=\s*(?:[.,;!]|$))"), tag))  # fmt: skip
    return tuple(restrictions)


def _tags(text: str) -> list[str]:
    """Tags the text's subject names ("Homeless women, 18 and older" → homeless, women), or
    that it restricts plainly ("Veterans only", "Must be a veteran")."""
    phrases = _group_phrases()
    people = set(_eligibility_words()["people"])
    found: dict[str, None] = {}
    low = " ".join(text.lower().split())
    subject = re.sub(r"^(?:open\s+to|for|serves|serving|must\s+be|only)\s+(?:an?\s+)?", "", low)
    subject = _SUBJECT_END.split(subject + " ", maxsplit=1)[0].strip()
    tokens = subject.replace("-", " - ").split()
    tags: list[str] = []
    i = 0
    while i < len(tokens):
        for size in (4, 3, 2, 1):
            phrase = " ".join(tokens[i : i + size]).replace(" - ", "-")
            if len(tokens[i : i + size]) == size and phrase in phrases:
                tags.append(phrases[phrase])
                i += size
                break
        else:
            if tokens[i] not in people:
                tags = []  # the subject says more than who: not plain
                break
            i += 1
    if "men" in tokens:  # "Women and men who ...": not for women only
        tags = [t for t in tags if t != "women"]
    found.update(dict.fromkeys(tags))
    if "only" in low or "must" in low:  # what every restriction says; most texts say neither
        for pattern, tag in _restrictions():
            if pattern.search(low):
                found[tag] = None
    return list(found)


def parse_eligibility(text: str | None) -> Eligibility:
    """Age limits, income limit, tags and "open to all" that eligibility text states plainly.

    Grammar: ages as parse_ages; income := (`at or below` | `below` | `under` | `up to` |
    `not to exceed` | `less than` | `within`) N`%` ... `poverty` | N`% of poverty ... or below`
    → income_max_fpl N (the largest when several); tags := the text's subject (before the
    first `,` `.` `who` `with` `ages` or number, after `Open to` / `For` / `Must be`) made only
    of the group words and people words in data/eligibility-text.json ("Low income persons",
    "Veterans and their families"), or `<group> only`, `must be a <group>`; open to all := the
    whole text (or its first sentence) is one of that file's open_to_all phrases ("Open to
    anyone.", "All ages."). Residency ("residents of Harbor County") stays text: the document
    has no field for it. Everything else is left as text."""
    text = " ".join((text or "").split())
    if not text:
        return Eligibility()
    low, high = parse_ages(text)
    first = re.split(r"[.;!,]", text.lower(), maxsplit=1)[0].strip()
    phrases = set(_eligibility_words()["open_to_all"])
    open_to_all = first in phrases or text.lower().strip(" .;!") in phrases
    tags = _tags(text)
    # The ages say it more exactly than the tag, whose filter assumes 60+ or up to 24.
    if low is not None and low < 60:
        tags = [t for t in tags if t != "seniors"]
    if high is not None and high > 24:
        tags = [t for t in tags if t != "youth"]
    return Eligibility(low, high, _income_limit(text), tuple(tags), open_to_all)


def names_county(text: str) -> bool:
    """Whether a service-area name is a county ('Harbor County', 'Orleans Parish')."""
    return bool(_COUNTY.match(" ".join((text or "").split())))
