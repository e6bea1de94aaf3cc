"""Language codes (ISO 639) and their English names, from data/languages.json."""

from __future__ import annotations

import json
from functools import cache

from linkage.config import DATA_DIR


@cache
def _table() -> dict:
    return json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))


def language_names() -> dict[str, str]:
    return _table()["languages"]


def language_name(code: str) -> str:
    return language_names().get(code, code)


@cache
def language_codes() -> dict[str, str]:
    """Lower-case code or English name → ISO 639 code, for normalising imported data."""
    table = {code: code for code in language_names()}
    table.update({name.lower(): code for code, name in language_names().items()})
    table.update(_table().get("aliases", {}))
    return table
