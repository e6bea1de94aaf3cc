"""Steps on the case-manager page's Screening tab shared by the screening and referral-list
browser tests (the page itself and its fixture: tests/test_page_browser.py)."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.browser import drain_requests, wait_until


def answer(page, question_code: str, label: str) -> None:
    """Pick the answer labelled `label` of the item with this LOINC code."""
    item = page.el(f"fieldset.item[data-code='{question_code}']")
    for option in item.find_elements(page.By.CSS_SELECTOR, ".check"):
        if option.find_element(page.By.TAG_NAME, "label").text == label:
            option.find_element(page.By.TAG_NAME, "label").click()
            assert option.find_element(page.By.TAG_NAME, "input").is_selected()
            return
    raise AssertionError(f"no answer {label!r} for {question_code}")


def find_referrals(page, answers: dict[str, str], client: dict[str, str]) -> list[dict]:
    """Answer the AHC HRSN items, fill the client section (field id → value; selects by their
    visible text) and press Find referrals; returns the requests the page sent meanwhile."""
    page.el("#tab-screening").click()
    for code, label in answers.items():
        answer(page, code, label)
    for field, value in client.items():
        if page.el(field).tag_name == "select":
            page.choose(field, value)
        else:
            page.fill(field, value)
    drain_requests(page.driver)
    page.el("#screening-submit").click()
    wait_until(
        page.driver,
        lambda: page.els("section.need") or page.text("#screening-error"),
        what="referrals per need",
    )
    assert not page.text("#screening-error")
    return drain_requests(page.driver)


def match_bodies(sent: list[dict]) -> list[dict]:
    """The JSON bodies of the POST /v1/match requests among `sent`."""
    matches = [r for r in sent if urlsplit(r["url"]).path == "/v1/match"]
    assert all(r["method"] == "POST" for r in matches)
    return [json.loads(r["postData"]) for r in matches]


def need_cards(page, need: str) -> list:
    return page.els(f"section.need[data-need='{need}'] article.result")
