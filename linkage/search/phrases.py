"""The words the API writes in results, facets and referrals, in the case manager's display
language (data/result-words.json). Codes never change with the language; only these words."""

from __future__ import annotations

import json
from functools import cache

from babel import Locale

from linkage.config import DATA_DIR
from linkage.languages import language_name
from linkage.taxonomy import Taxonomy

LANGS = ("en", "es")
DEFAULT_LANG = "en"


@cache
def _table() -> dict:
    return json.loads((DATA_DIR / "result-words.json").read_text(encoding="utf-8"))


class Phrases:
    """One display language's words: `say("why", "open_now")`, `name("fees", "free")`."""

    def __init__(self, lang: str = DEFAULT_LANG):
        self.lang = lang
        self._words = _table()[lang]

    def say(self, part: str, key: str, **values) -> str:
        return self._words[part][key].format(**values)

    def name(self, kind: str, code: str) -> str:
        return self._words["names"][kind].get(code, code)

    def category(self, taxonomy: Taxonomy, code: str) -> str:
        """A category's name (its Spanish one where the taxonomy has it)."""
        c = taxonomy.categories[code]
        return (c.name_es or c.name) if self.lang == "es" else c.name

    def tag(self, taxonomy: Taxonomy, code: str) -> str | None:
        """An eligibility tag's name, None for a tag not in data/eligibility.json."""
        tag = taxonomy.eligibility_tags.get(code)
        if tag is None:
            return None
        return (tag.get("name_es") or tag["name"]) if self.lang == "es" else tag["name"]

    def need_label(self, vocabulary: dict[str, dict], code: str, label: str) -> str:
        """A need's label (data/needs.json's `label_es` in Spanish), else `label`."""
        entry = vocabulary.get(code) or {}
        return (entry.get("label_es") if self.lang == "es" else entry.get("label")) or label

    def language(self, code: str) -> str:
        """A language's name: CLDR's (Babel's locale data) in Spanish, the project's in English."""
        if self.lang != DEFAULT_LANG:
            name = _cldr_languages(self.lang).get(code)
            if name:
                return name
        return language_name(code)

    def tag_names(self, taxonomy: Taxonomy) -> dict[str, str]:
        return {code: self.tag(taxonomy, code) for code in taxonomy.eligibility_tags}


@cache
def _cldr_languages(lang: str) -> dict[str, str]:
    return dict(Locale.parse(lang).languages)


@cache
def phrases(lang: str = DEFAULT_LANG) -> Phrases:
    return Phrases(lang)
