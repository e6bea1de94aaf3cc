"""The Screening tab of the case-manager page in headless Chromium: every answer of every item
(so a "no" can be recorded), the supplemental items, the client's household, income and veteran
status sent in the POST body only, and "Show more" per need.

The page, its fixture and the browser are tests/test_page_browser.py's; screenshots go to
tests/.artifacts/screenshots/.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from linkage.screening.needs import load_instruments
from tests.browser import axe_violations, drain_requests, screenshot, viewport, wait_until
from tests.screening_steps import answer, find_referrals, match_bodies, need_cards
from tests.test_page_browser import page  # noqa: F401 (the fixture)

INSTRUMENTS = load_instruments()
FOOD = {"88122-7": "Often true", "88123-5": "Often true"}


def flagging_answers(instrument, item: str) -> set[str]:
    """The answer codes of `item` that one of the instrument's rules flags as a need."""
    flagged: set[str] = set()
    for rule in instrument.rules:
        if item not in rule.get("items", ()):
            continue
        if rule["type"] == "answer":
            flagged |= set(rule["answers"])
        elif rule["type"] == "any-answer-except":
            flagged |= set(instrument.items[item].answers) - set(rule["except"])
        elif rule["type"] == "score-at-least":  # flags a total: the lowest score alone never
            scores = {c: a["score"] for c, a in instrument.items[item].answers.items()}
            flagged |= {c for c, s in scores.items() if s != min(scores.values())}
    return flagged


def test_every_item_offers_every_answer_so_a_no_can_be_recorded(page):  # noqa: F811
    page.el("#tab-screening").click()
    page.el("label[for='show-supplemental']").click()
    for instrument in INSTRUMENTS.values():
        page.Select(page.el("#instrument")).select_by_value(instrument.id)
        shown = {fs.get_attribute("data-code"): fs for fs in page.els("fieldset.item")}
        assert set(shown) == {i["code"] for i in instrument.raw["items"]}, instrument.id
        for raw in instrument.raw["items"]:
            fieldset = shown[raw["code"]]
            assert "not available" not in fieldset.text, (instrument.id, raw["code"])
            assert "Only the answers that show a need" not in fieldset.text, raw["code"]
            if raw["type"] == "integer":
                assert fieldset.find_elements(page.By.CSS_SELECTOR, "input[type='number']")
                continue
            labels = [
                label.text
                for label in fieldset.find_elements(page.By.CSS_SELECTOR, ".check label")
                if label.text != "Not answered"
            ]
            assert labels == [a["label"] for a in raw["answers"]], (instrument.id, raw["code"])
            no = set(instrument.items[raw["code"]].answers) - flagging_answers(
                instrument, raw["code"]
            )
            assert no - instrument.declined, (instrument.id, raw["code"], "has no 'no'")
    page.Select(page.el("#instrument")).select_by_value("ahc-hrsn")
    for width, height in ((1280, 900), (390, 844)):
        with viewport(page.driver, width, height, mobile=width < 600):
            screenshot(page.driver, f"screening-all-answers-{width}")
    assert axe_violations(page.driver) == []


def test_no_answers_find_no_need_and_supplemental_answers_do(page):  # noqa: F811
    page.el("#tab-screening").click()
    page.el("label[for='show-supplemental']").click()
    for code in ("88122-7", "88123-5"):
        answer(page, code, "Never true")
    answer(page, "93030-5", "No")
    page.el("#screening-submit").click()
    wait_until(
        page.driver,
        lambda: "No social need" in page.text("#screening-status"),
        what="no need from 'no' answers",
    )
    assert not page.els("section.need")
    # The two supplemental items that had no answers: loneliness and help with daily activities.
    answer(page, "93159-2", "Often")
    answer(page, "96781-0", "I could use a little more help")
    answer(page, "76513-1", "Not hard at all")
    page.el("#screening-submit").click()
    wait_until(page.driver, lambda: page.els("section.need"), what="a need from supplemental items")
    needs = [s.get_attribute("data-need") for s in page.els("section.need")]
    assert needs == ["social-connection"], needs
    evidence = page.text("section.need[data-need='social-connection'] ul.evidence")
    assert "Often" in evidence and "I could use a little more help" in evidence


def test_household_income_and_veteran_go_in_the_post_body_only(page):  # noqa: F811
    driver = page.driver
    client = {
        "#client-near": "60623",
        "#client-household": "3",
        "#client-income": "18500",
        "#client-veteran": "Yes",
    }
    sent = find_referrals(page, {**FOOD, "96779-4": "Yes"}, client)
    [body] = match_bodies(sent)
    assert body["client"] == {
        "near": "60623",
        "household_size": 3,
        "income": 18500,
        "veteran": True,
    }
    for request in sent:
        assert not any(v in request["url"] for v in ("18500", "60623", "veteran", "household"))
    assert driver.execute_script("return localStorage.length + sessionStorage.length") == 0
    assert urlsplit(driver.current_url).query == "" and urlsplit(driver.current_url).fragment == ""
    # With the household's income, an income-limited programme is no longer "check eligibility".
    utilities = page.text("section.need[data-need='utility-insecurity']")
    assert need_cards(page, "utility-insecurity")
    assert "income limit" not in utilities, utilities
    screenshot(driver, "screening-client-income")


def test_show_more_fetches_more_for_that_need_without_the_answers(page):  # noqa: F811
    driver = page.driver
    find_referrals(page, {**FOOD, "96779-4": "Yes"}, {"#client-near": "60623"})
    before = need_cards(page, "food-insecurity")
    assert len(before) == 5
    utilities_before = len(need_cards(page, "utility-insecurity"))
    more = page.el("section.need[data-need='food-insecurity'] button.show-more")
    assert more.text == "Show more for Food insecurity"
    drain_requests(driver)
    more.click()
    wait_until(driver, lambda: len(need_cards(page, "food-insecurity")) > 5, what="more referrals")
    after = need_cards(page, "food-insecurity")
    ids = [
        c.find_element(page.By.CSS_SELECTOR, "button.add").get_attribute("data-id") for c in after
    ]
    assert len(ids) == len(set(ids)) == 10, ids
    assert len(need_cards(page, "utility-insecurity")) == utilities_before
    [body] = match_bodies(drain_requests(driver))
    assert body == {
        "needs": ["food-insecurity"],
        "client": {"near": "60623"},
        "per_need": 10,
        "lang": "en",  # the page's language, for the words of the answer
    }
    # Focus goes to the first new referral, and the count says what is shown.
    assert (
        driver.switch_to.active_element.text == after[5].find_element(page.By.TAG_NAME, "h3").text
    )
    count = page.text("section.need[data-need='food-insecurity'] p.count")
    assert count.startswith("10 of ") or count == "10 referrals shown.", count
    screenshot(driver, "screening-show-more")
    with viewport(driver, 390, 844, mobile=True):
        screenshot(driver, "screening-show-more-390")
    assert axe_violations(driver) == []
