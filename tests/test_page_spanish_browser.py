"""The case-manager page in Spanish, in a real headless Chromium (Debian's) against gunicorn: by
the switch in the header, then a search for a Spanish-speaking client, at desktop and phone
widths, with axe-core. Screenshots go to tests/.artifacts/screenshots/page-spanish-*.png.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.browser import axe_violations, drain_requests, screenshot, viewport, wait_until


@pytest.fixture
def spanish(driver, live_server):
    """The page opened in English (the browser's language), then switched to Spanish."""
    from selenium.webdriver.common.by import By

    drain_requests(driver)
    driver.get(live_server + "/?lang=en")
    assert driver.execute_script("return document.documentElement.lang") == "en"
    driver.find_element(By.CSS_SELECTOR, ".lang-switch a[hreflang=es]").click()
    wait_until(
        driver,
        lambda: driver.execute_script("return document.documentElement.lang") == "es",
        what="the page in Spanish",
    )
    wait_until(
        driver,
        lambda: len(driver.find_elements(By.CSS_SELECTOR, "#category option")) > 10,
        what="the categories to load",
    )
    yield driver
    driver.execute_script("sessionStorage.clear()")


def text(driver, css: str) -> str:
    return driver.execute_script(
        "const n = document.querySelector(arguments[0]); return n ? n.textContent.trim() : ''",
        css,
    )


def test_the_switch_turns_the_page_and_its_scripts_to_spanish(spanish):
    driver = spanish
    assert dict(parse_qsl(urlsplit(driver.current_url).query)) == {"lang": "es"}
    assert driver.title == "Linkage: recursos comunitarios para sus clientes"
    assert text(driver, "#tab-search") == "Buscar"
    assert text(driver, "#tab-screening") == "Evaluación"
    assert text(driver, ".skip-link") == "Saltar al contenido principal"
    assert text(driver, ".lang-switch a[aria-current]") == "Español"

    # A search for a Spanish-speaking client: the words the script writes are Spanish too.
    driver.find_element("css selector", "#q").send_keys("despensa de comida")
    driver.find_element("css selector", "#near").send_keys("60623")
    driver.find_element("css selector", "#search-submit").click()
    wait_until(
        driver,
        lambda: re.search(r"\d", text(driver, "#search-status")) or text(driver, "#search-error"),
        what="the Spanish search's results",
    )
    assert not text(driver, "#search-error")
    cards = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results article.result'))"
        ".map(a => a.textContent)"
    )
    assert cards, text(driver, "#search-status")
    assert all("Teléfono" in c and "Horario" in c for c in cards)
    assert any("millas" in c for c in cards)
    assert "Agregar a la lista de referidos" in cards[0]
    # The API's why lines come in the page's language (the search sent lang=es).
    why = driver.execute_script(
        "return Array.from(document.querySelectorAll('#search-results ul.why li'))"
        ".map(li => li.textContent)"
    )
    assert any(re.fullmatch(r"a \d+(\.\d)? mi", w) for w in why), why
    assert not any("mi away" in w for w in why), why
    violations = axe_violations(driver)
    assert violations == [], json.dumps(violations)
    screenshot(driver, "page-spanish-results")

    with viewport(driver, 375, 812, mobile=True):
        assert driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        violations = axe_violations(driver)
        assert violations == [], json.dumps(violations)
        screenshot(driver, "page-spanish-phone", full_page=False)

    # Back to English: the search in the address (if any) comes along, the language changes.
    before = dict(parse_qsl(urlsplit(driver.current_url).query))
    driver.find_element("css selector", ".lang-switch a[hreflang=en]").click()
    wait_until(
        driver,
        lambda: driver.execute_script("return document.documentElement.lang") == "en",
        what="the page in English again",
    )
    after = dict(parse_qsl(urlsplit(driver.current_url).query))
    assert after == {**before, "lang": "en"}
    assert text(driver, "#tab-screening") == "Screening"


def test_a_spanish_browser_gets_the_spanish_page_without_asking(client):
    # Chromium here speaks English; the browser's language is checked on the server's side.
    html = client.get("/", headers={"Accept-Language": "es-US,es;q=0.9"}).get_data(True)
    assert '<html lang="es">' in html
    assert '<button type="button" role="tab" id="tab-screening"' in html
    assert ">Evaluación</button>" in html
