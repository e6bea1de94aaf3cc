"""The page's and widget's Spanish: every message has its translation, the compiled catalog is
the one in the .po, and the page, the frame and the widget's words are served in the language
asked for (the browser tests, test_page_spanish_browser.py and test_widget_browser.py, show it).
"""

from __future__ import annotations

import json
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from linkage.web import i18n

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "linkage" / "web" / "translations"
# `{name}` (scripts, LinkageDom.t), `%(name)s` (templates and Python) and markup (templates):
# kept in a translation.
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s|</?\w+[^>]*>|&\w+;")


def extracted() -> dict[str, list[str]]:
    """Every message `make messages` extracts (babel.cfg, keyword t), with where it is used."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, list[str]] = {}
    keywords = {**DEFAULT_KEYWORDS, "t": None}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        for text in message if isinstance(message, tuple) else (message,):
            found.setdefault(text, []).append(f"{filename}:{lineno}")
    return found


# A script's t("...") call, as written: the extractor must have found each one.
SCRIPT_CALL = re.compile(r'\bt\(\s*"((?:[^"\\]|\\.)*)"')


def test_the_extractor_finds_every_scripts_message():
    # Babel's JavaScript extractor skips a t() inside another call's arguments, and would miss
    # a string built with + : the script's own t("...") calls must all be in the extraction.
    found = extracted()
    missed = [
        f"{path.name}:{script[: call.start()].count(chr(10)) + 1}: {call.group(1)}"
        for path in sorted((ROOT / "linkage" / "web" / "static").glob("*.js"))
        for script in [path.read_text(encoding="utf-8")]
        for call in SCRIPT_CALL.finditer(script)
        if json.loads(f'"{call.group(1)}"') not in found
    ]
    assert not missed, "t() calls the extractor did not find (give each its own statement):\n" + (
        "\n".join(missed)
    )


def catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def translated(messages) -> dict:
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_every_message_of_the_page_and_widget_has_its_translation(lang):
    found = extracted()
    assert len(found) > 100  # the templates', the scripts' and pages.py's
    strings = translated(catalog(lang))
    singular = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog(lang) if m.id}
    missing = [
        f"{text!r} ({', '.join(where[:2])})"
        for text, where in sorted(found.items())
        if not any(text in (k if isinstance(k, tuple) else (k,)) for k in strings)
    ]
    assert not missing, (
        f"{len(missing)} message(s) without a {lang} translation (run `make messages`, then "
        f"translate them in {TRANSLATIONS.relative_to(ROOT)}/{lang}/LC_MESSAGES/messages.po; "
        "a fuzzy one needs checking):\n  " + "\n  ".join(missing)
    )
    stale = sorted(singular - set(found))
    assert not stale, f"messages no longer used (run `make messages`): {stale}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_translations_keep_their_placeholders_and_markup(lang):
    wrong = [
        (m.id, m.string)
        for m in catalog(lang)
        if isinstance(m.id, str)
        and m.string
        and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_the_compiled_catalog_is_the_one_in_the_po(lang):
    # The .mo the app reads is committed beside its .po (a fresh clone and a wheel need no
    # compile step): it must say what the .po says.
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = translated(read_mo(mo))
    assert compiled == translated(catalog(lang)), "stale messages.mo: run `make messages`"


def test_the_catalogs_are_installed_with_the_package():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = setuptools["package-data"]["linkage"]
    for path in TRANSLATIONS.rglob("messages.[pm]o"):
        inside = path.relative_to(ROOT / "linkage").as_posix()
        assert any(fnmatch(inside, p) for p in patterns), inside


# --- Served in the language asked for ----------------------------------------------------------


def page_catalog(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="linkage-catalog">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def test_the_page_follows_the_browsers_language_or_the_switch(client):
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(True)
    assert '<html lang="en">' in english and page_catalog(english) == {}
    assert ">Skip to main content<" in english

    spanish = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    html = spanish.get_data(as_text=True)
    assert '<html lang="es">' in html and ">Saltar al contenido principal<" in html
    words = page_catalog(html)
    assert words["Search"] == "Buscar" and "{n}" in words["Try again in {n} seconds."]
    assert "<script>" not in html  # the catalog is data, under the page's strict CSP
    assert "script-src 'self';" in spanish.headers["Content-Security-Policy"]

    # The switch: this page in each language, the query string kept.
    switched = client.get("/?q=comida&near=60623&lang=en", headers={"Accept-Language": "es"})
    html = switched.get_data(as_text=True)
    assert '<html lang="en">' in html
    links = dict(re.findall(r'<a href="([^"]+)" lang="\w+" hreflang="(\w+)"', html))
    assert links == {
        "?q=comida&amp;near=60623&amp;lang=en": "en",
        "?q=comida&amp;near=60623&amp;lang=es": "es",
    }
    assert re.search(r'hreflang="en" aria-current="true">English<', html)
    assert re.search(r'hreflang="es">Español<', html)


def test_the_widget_fetches_its_words_from_any_site(client):
    response = client.get("/embed/messages/es.json", headers={"Origin": "https://portal.example"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    words = response.json
    assert words["ZIP code"] == "Código postal" and words["Serves your area"]
    # Only the widget's own words (widget.js and dom.js), not the whole page's.
    assert "Client's ZIP code" not in words
    again = client.get(
        "/embed/messages/es.json", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/embed/messages/en.json").json == {}
    assert client.get("/embed/messages/fr.json").status_code == 404


def test_the_frame_is_in_the_visitors_language_and_starts_at_the_partners_zip(client):
    demo = client.get("/embed/demo", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="es">' in demo and "Inserte la búsqueda en su sitio" in demo
    src = re.search(r'<iframe id="demo-frame" src="([^"]+)"', demo).group(1).replace("&amp;", "&")
    assert "near=60623" in src and "lang=es" in src
    frame = client.get(src).get_data(as_text=True)
    assert '<html lang="es">' in frame and "<h1>Buscar recursos comunitarios</h1>" in frame
    assert 'data-lang="es" data-lang-switch="address" data-zip="60623"' in frame
    english = client.get(src.replace("lang=es", "lang=en")).get_data(as_text=True)
    assert '<html lang="en">' in english and "<h1>Find community resources</h1>" in english
    refused = client.get("/embed/frame?key=nope&lang=es").get_data(as_text=True)
    assert "Este servicio no conoce la clave" in refused
