"""The page's and widget's languages: English (the source) and Spanish, by Flask-Babel.

Templates use `_()`; scripts use `LinkageDom.t()` with the same catalog: the page embeds the
messages its scripts use as JSON (`script_messages`, in a <script type="application/json">, as
the Content-Security-Policy allows no inline script), the widget fetches them from
/embed/messages/<lang>.json. The language is the case manager's choice for the screen
(`?lang=`), else the browser's; it says nothing about a client, so it may sit in a URL.

The catalogs are translations/<lang>/LC_MESSAGES/messages.po, compiled to messages.mo beside
it; both are in the repository and the package (`make messages` extracts, updates and compiles;
a test checks that the .mo is the .po's and that every message has its translation).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel.messages.pofile import read_po
from flask import Flask, request
from flask_babel import Babel, get_locale

from linkage.search.phrases import DEFAULT_LANG, LANGS

LANGUAGES = LANGS
DEFAULT = DEFAULT_LANG
# Each language's name in itself, for the switch.
NAMES = {"en": "English", "es": "Español"}
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
# The widget's own scripts: /widget.js is widget.js with dom.js inside it.
WIDGET_SCRIPTS = frozenset({"dom.js", "widget.js"})

babel = Babel()


def select_locale() -> str:
    """`?lang=es` when given and known, else the browser's best match, else English."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def locale() -> str:
    """The request's language code ("en" or "es")."""
    return str(get_locale() or DEFAULT)


@cache
def script_messages(lang: str, scripts: frozenset[str] | None = None) -> dict[str, str]:
    """English text -> translation of every message `scripts` (static file names; None: all of
    them) use, for LinkageDom.useCatalog; {} for English. Read from the .po, whose locations
    say which file uses each message (the .mo keeps none)."""
    if lang == DEFAULT:
        return {}
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    return {
        m.id: m.string
        for m in catalog
        if m.id
        and m.string
        and not m.fuzzy
        and isinstance(m.id, str)  # plural forms are for templates only
        and any(
            where.endswith(".js") and (scripts is None or Path(where).name in scripts)
            for where, _line in m.locations
        )
    }


def language_links() -> list[dict]:
    """The switch's links: this page in each language, its query string kept (`lang` set)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    current = locale()
    return [
        {
            "code": code,
            "name": NAMES[code],
            "href": "?" + urlencode([*args, ("lang", code)]),
            "current": code == current,
        }
        for code in LANGUAGES
    ]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def languages_in_templates() -> dict:
        return {"locale": locale, "language_links": language_links}
