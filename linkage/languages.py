"""Language codes (ISO 639) and their English names, from data/languages.json."""

from __future__ import annotations

import json
from functools import cache

from linkage.config import DATA_DIR


@cache
def language_names() -> dict[str, str]:
    return json.loads((DATA_DIR / "languages.json").read_text(encoding="utf-8"))["languages"]


def language_name(code: str) -> str:
    return language_names().get(code, code)
