"""The page's and widget's languages: English (the source) and Spanish, by Flask-Babel.

Templates use `_()`; scripts use `LinkageDom.t()` with the same catalog, which the page embeds
as JSON (`catalog`). The language is the case manager's choice for the screen (`?lang=`), else
the browser's; it says nothing about a client, so it may sit in a URL.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import Babel

LANGUAGES = ("en", "es")
DEFAULT = "en"

babel = Babel()


def select_locale() -> str:
    """`?lang=es` when given and known, else the browser's best match, else English."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "web/translations")
    babel.init_app(app, locale_selector=select_locale)
