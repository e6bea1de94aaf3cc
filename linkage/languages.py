"""Language codes (ISO 639) and their English names.

The full ISO 639 list comes from `pycountry` (ISO 639-3, with the 639-1 and 639-2 codes of each
language); `data/languages.json` keeps the project's display names and the aliases directories
write ("Farsi", "ASL", "Creole"). Every code is normalised to ISO 639-1 where one exists, else
ISO 639-3: `language_code` is the one reader of a code or name a request or a record gives.
Every function reads `data/languages.json` from the data directory it is given
(`Settings.data_dir`; the packaged one by default).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pycountry

from linkage.config import DATA_DIR

# What a request may give for a language, as its error messages and API docs say it.
LANGUAGE_FORMS = (
    "an ISO 639-1 code ('es'), an ISO 639-2 or 639-3 code ('spa', 'ger') "
    "or an English name ('Spanish')"
)

# A BCP 47 language tag: its primary subtag, then region, script or variant subtags.
_BCP47 = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})+")


@cache
def _table(data_dir: Path) -> dict:
    return json.loads((data_dir / "languages.json").read_text(encoding="utf-8"))


def language_names(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The project's languages (code → display name), as the page's language list shows them."""
    return _table(data_dir)["languages"]


def language_name(code: str, data_dir: Path = DATA_DIR) -> str:
    """The display name of a code: the project's, else ISO 639's, else the code itself."""
    return language_names(data_dir).get(code) or _iso().display.get(code) or code


class _Iso(NamedTuple):
    """The ISO 639-3 list read once: lower-case codes and English names → the code Linkage
    uses, and that code → its ISO English name."""

    codes: dict[str, str]
    names: dict[str, str]
    display: dict[str, str]


@cache
def _iso() -> _Iso:
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    display: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        display[code] = display[lang.alpha_3] = lang.name
        codes[lang.alpha_3] = code
        if alpha_2 := getattr(lang, "alpha_2", None):
            codes[alpha_2] = code
        for name in (lang.name, getattr(lang, "common_name", None)):
            if name:
                names.setdefault(name.lower(), code)
    # ISO 639-2/B codes ("ger", "fre", "chi") never spell another language's 639-3 code; the
    # pass after the others keeps that so even if the list changes.
    for lang in pycountry.languages:
        if bibliographic := getattr(lang, "bibliographic", None):
            codes.setdefault(bibliographic, getattr(lang, "alpha_2", None) or lang.alpha_3)
    # "Modern Greek (1453-)", "Tonga (Tonga Islands)": also by the name without the bracket.
    for name, code in list(names.items()):
        short = re.sub(r"\s*\([^)]*\)$", "", name)
        if short != name:
            names.setdefault(short, code)
    return _Iso(codes, names, display)


@cache
def language_codes(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Lower-case code (ISO 639-1, 639-2/T, 639-2/B or 639-3) or English name → the code
    Linkage uses (639-1 where one exists, else 639-3), for normalising imported data and
    requests. A code wins over a name spelt the same ("hu" is Hungarian, not the Hu language
    of China; "dan" is Danish, not Dan); the project's names and aliases win over both."""
    iso = _iso()
    table = {**iso.names, **iso.codes}
    table.update({name.lower(): code for code, name in language_names(data_dir).items()})
    table.update({code: code for code in language_names(data_dir)})
    table.update(_table(data_dir).get("aliases", {}))
    return table


def language_code(value: str, data_dir: Path = DATA_DIR) -> str | None:
    """The code Linkage uses for a language given as one of LANGUAGE_FORMS, in any case and
    spacing; a BCP 47 tag ("es-MX", "zh_Hant") is read by its primary subtag. None when the
    value names no language."""
    key = " ".join(value.split()).lower()
    table = language_codes(data_dir)
    if key in table:
        return table[key]
    tag = _BCP47.fullmatch(key)
    return table.get(tag.group(1)) if tag else None


@cache
def language_words(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Lower-case names a directory may write for a language, without bare codes (so a word
    such as "per" or "mon" is never read as one): ISO 639 names, the project's names, and its
    aliases (which name codes only where a directory writes them, like "ASL")."""
    table = dict(_iso().names)
    table.update({name.lower(): code for code, name in language_names(data_dir).items()})
    table.update(
        (name, code)
        for name, code in _table(data_dir).get("aliases", {}).items()
        if len(name) > 3 or name == "asl"
    )
    return table


@cache
def common_language_words(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The names safe to look for inside prose ("Spanish speaking counselors"): the project's
    names and aliases and the names of languages with a 639-1 code, four letters or more (the
    3,000 rarer names of ISO 639-3 include English words such as "Are", "Even" or "Male")."""
    table = {
        name.lower(): lang.alpha_2
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2")
        for name in (re.sub(r"\s*\([^)]*\)$", "", lang.name),)
        if ";" not in name
    }
    table.update({name.lower(): code for code, name in language_names(data_dir).items()})
    table.update(_table(data_dir).get("aliases", {}))
    # "sign" alone is read only as a whole entry ("Sign."): in prose it is mostly the verb.
    return {n: code for n, code in table.items() if (len(n) >= 4 or n == "asl") and n != "sign"}
