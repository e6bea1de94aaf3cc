"""The Screening tab in Spanish, in headless Chromium against gunicorn: the page opened with
?lang=es shows each instrument's name, questions and answers in Spanish (data/instruments'
name_es, text_es, label_es), and the AHC food item answered in Spanish finds referrals for the
food need, named in Spanish with the question and answer that found it. Screenshots go to tests/.artifacts/screenshots/.
"""

from __future__ import annotations

import json

import pytest

from linkage.screening.needs import load_instruments
from tests.browser import axe_violations, drain_requests, screenshot, viewport, wait_until
from tests.screening_steps import find_referrals, match_bodies, need_cards
from tests.test_page_browser import Page

AHC = load_instruments()["ahc-hrsn"].raw
ITEMS = {item["code"]: item for item in AHC["items"]}


@pytest.fixture
def spanish_page(driver, live_server):
    """The page loaded in Spanish, its categories and questions in."""
    from selenium.webdriver.common.by import By

    drain_requests(driver)
    driver.get(live_server + "/?lang=es")
    wait_until(
        driver,
        lambda: (
            driver.find_element(By.ID, "instrument").is_enabled()
            and len(driver.find_elements(By.CSS_SELECTOR, "#category option")) > 10
        ),
        what="categories and instruments to load",
    )
    assert driver.execute_script("return document.documentElement.lang") == "es"
    yield Page(driver, live_server)
    driver.execute_script("sessionStorage.clear()")


def test_the_ahc_food_item_answered_in_spanish_finds_food_referrals(spanish_page):
    page = spanish_page
    page.el("#tab-screening").click()
    chosen = page.Select(page.el("#instrument")).first_selected_option.text
    assert chosen == "AHC HRSN: " + AHC["name_es"]
    # Every question shown and every answer under it in Spanish.
    for fieldset in page.els("fieldset.item"):
        item = ITEMS[fieldset.get_attribute("data-code")]
        assert fieldset.find_element(page.By.TAG_NAME, "legend").text == item["text_es"]
        labels = [
            label.text
            for label in fieldset.find_elements(page.By.CSS_SELECTOR, ".check label")
            if label.text != "Sin respuesta"
        ]
        assert labels == [a["label_es"] for a in item["answers"]], item["code"]
    food = ITEMS["88122-7"]
    assert food["text_es"] != food["text"]

    sent = find_referrals(page, {"88122-7": "A menudo es cierto"}, {"#client-near": "60623"})
    [body] = match_bodies(sent)
    assert body["assessment"]["answers"] == {"88122-7": "LA28397-0"}
    assert body["lang"] == "es"  # the API answers in the page's language
    needs = [s.get_attribute("data-need") for s in page.els("section.need")]
    assert needs == ["food-insecurity"], needs
    assert need_cards(page, "food-insecurity")
    # The need named in Spanish (data/needs.json's label_es), the question and answer too.
    assert page.text("section.need[data-need='food-insecurity'] h3") == "Inseguridad alimentaria"
    evidence = page.text("section.need[data-need='food-insecurity'] ul.evidence")
    assert evidence == food["text_es"] + " — A menudo es cierto", evidence

    violations = axe_violations(page.driver)
    assert violations == [], json.dumps(violations)
    with viewport(page.driver, 390, 844, mobile=True):
        assert page.no_horizontal_scroll()
        screenshot(page.driver, "screening-spanish-390")
