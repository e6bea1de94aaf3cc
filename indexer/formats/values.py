"""Values as directories write them, read as a case manager reads them: one parser per kind.

Every format reader and the converter read free text through these functions, so "Spanish and
ASL.", "M-F 9-5" or "None." mean the same whatever file they came in. Each parser states its
grammar in its docstring, returns what it understood and never guesses: text it cannot read
is kept as text by the caller.
"""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

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
