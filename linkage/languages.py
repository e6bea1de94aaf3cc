"""Language codes (ISO 639) and their English names.

The full ISO 639 list comes from `pycountry` (ISO 639-3, with the 639-1 and 639-2 codes of each
language); `data/languages.json` keeps the project's display names and the aliases directories
write ("Farsi", "ASL", "Creole"). Every code is normalised to ISO 639-1 where one exists, else
ISO 639-3. Every function reads `data/languages.json` from the data directory it is given
(`Settings.data_dir`; the packaged one by default).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pycountry

from linkage.config import DATA_DIR


@cache
def _table(data_dir: Path) -> dict:
    return json.loads((data_dir / "languages.json").read_text(encoding="utf-8"))


def language_names(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """The project's languages (code → display name), as the page's language list shows them."""
    return _table(data_dir)["languages"]


def language_name(code: str, data_dir: Path = DATA_DIR) -> str:
    """The display name of a code: the project's, else ISO 639's, else the code itself."""
    if name := language_names(data_dir).get(code):
        return name
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    return found.name if found else code


@cache
def _iso() -> tuple[dict[str, str], dict[str, str]]:
    """(lower-case code → code, lower-case English name → code) over the whole ISO 639-3 list."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for lang in pycountry.languages:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        for key in (
            lang.alpha_3,
            getattr(lang, "alpha_2", None),
            getattr(lang, "bibliographic", None),
        ):
            if key:
                codes.setdefault(key.lower(), code)
        for name in (lang.name, getattr(lang, "common_name", None)):
            if name:
                names.setdefault(name.lower(), code)
    # "Modern Greek (1453-)", "Tonga (Tonga Islands)": also by the name without the bracket.
    for name, code in list(names.items()):
        short = re.sub(r"\s*\([^)]*\)$", "", name)
        if short != name:
            names.setdefault(short, code)
    return codes, names


@cache
def language_codes(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Lower-case code (ISO 639-1, 639-2 or 639-3) or English name → the code Linkage uses
    (639-1 where one exists, else 639-3), for normalising imported data and requests."""
    codes, names = _iso()
    table = {**codes, **names}
    table.update({code: code for code in language_names(data_dir)})
    table.update({name.lower(): code for code, name in language_names(data_dir).items()})
    table.update(_table(data_dir).get("aliases", {}))
    return table


@cache
def language_words(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Lower-case names a directory may write for a language, without bare codes (so a word
    such as "per" or "mon" is never read as one): ISO 639 names, the project's names, and its
    aliases (which name codes only where a directory writes them, like "ASL")."""
    _codes, names = _iso()
    table = dict(names)
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
