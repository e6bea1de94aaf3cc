"""The case-manager page at `/`, in a real headless Chromium (Debian's) against gunicorn.

One browser serves the whole module. Screenshots of the main screens go to
tests/.artifacts/screenshots/ (and one to /tmp/linkage-page.png). Every request the browser
makes is recorded from the DevTools Network events; the last test checks none left the server.
Skipped, with the reason, when Chromium is absent and we are not root to install it.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urlsplit

import pytest

from tests.browser import (
    SCREENSHOTS,
    drain_requests,
    print_media,
    resource_urls,
    screenshot,
    viewport,
    wait_until,
)
from tests.screening_steps import answer

LEAD_SCREENSHOT = "/tmp/linkage-page.png"
SEEN: list[str] = []  # every URL the browser requested during this module


# --- Without a browser: the page and its files name no outside host -----------------------------


def test_page_and_assets_are_served_with_no_outside_urls(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in page.headers
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert {urlsplit(a).path for a in assets} >= {"/static/linkage.js", "/static/linkage.css"}
    # The directions template is a link the case manager may follow, never a request.
    texts = {"/": re.sub(r'<meta name="linkage-directions-url"[^>]*>', "", html)}
    for asset in assets:
        with client.get(asset) as response:  # closed: a static file's response holds it open
            assert response.status_code == 200, asset
            texts[asset] = response.get_data(as_text=True)
    for name, text in texts.items():
        if name.endswith(".svg") or ".svg?" in name:
            continue  # an SVG names its XML namespace, which is no request
        if name.startswith("/static/vendor/"):
            continue  # Leaflet's comments and credit link: test_page_map_browser watches requests
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), name
        assert "@import" not in text and "@font-face" not in text, name
    script = texts[next(a for a in assets if "linkage.js" in a)]
    script = re.sub(r"/\*.*?\*/|(?<![:\\])//[^\n]*", "", script, flags=re.S)  # code, not comments
    # Screening answers never reach storage or a log from the page; the tab's referral list
    # (ids and need codes, tests/test_page_referrals_browser.py) is its one sessionStorage key.
    for forbidden in ("localStorage", "document.cookie", "console."):
        assert forbidden not in script, forbidden
    stored = re.findall(r"sessionStorage\.(\w+)\(([^,)]*)", script)
    assert stored and {key for _, key in stored} == {"STORED_LIST"}, stored
    # Every form control of the page has a label.
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids and ids <= labelled, ids - labelled


# --- In the browser -----------------------------------------------------------------------------


@pytest.fixture
def page(driver, live_server):
    """The page freshly loaded (referral list empty), its categories and questions in."""
    from selenium.webdriver.common.by import By

    drain_requests(driver)  # forget what came before (e.g. Chromium's own start page)
    driver.get(live_server + "/")
    wait_until(
        driver,
        lambda: (
            driver.find_element(By.ID, "instrument").is_enabled()
            and len(driver.find_elements(By.CSS_SELECTOR, "#category option")) > 10
        ),
        what="categories and instruments to load",
    )
    yield Page(driver, live_server)
    driver.execute_script("sessionStorage.clear()")  # the next test's list starts empty
    SEEN.extend(r["url"] for r in drain_requests(driver))
    SEEN.extend(resource_urls(driver))


class Page:
    """What the tests do on the page, in a case manager's words."""

    def __init__(self, driver, base_url: str):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select

        self.driver, self.base_url, self.By, self.Select = driver, base_url, By, Select

    def el(self, css: str):
        return self.driver.find_element(self.By.CSS_SELECTOR, css)

    def els(self, css: str):
        return self.driver.find_elements(self.By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.el(css).text

    def fill(self, css: str, value: str) -> None:
        field = self.el(css)
        field.clear()
        field.send_keys(value)

    def choose(self, css: str, visible_text: str) -> None:
        self.Select(self.el(css)).select_by_visible_text(visible_text)

    def search(self, q: str, near: str, **filters) -> None:
        self.fill("#q", q)
        self.fill("#near", near)
        if "language" in filters:
            self.choose("#language", filters["language"])
        if "radius" in filters:
            self.choose("#radius", filters["radius"])
        before = self.text("#search-status")
        self.el("#search-submit").click()
        wait_until(
            self.driver,
            lambda: (
                (self.text("#search-status") not in ("", "Searching…", before))
                or self.text("#search-error")
            ),
            what=f"search results for {q!r} near {near}",
        )

    def cards(self, css: str = "#search-results") -> list:
        return self.els(f"{css} article.result")

    def total(self) -> int:
        found = re.match(r"(\d+) resources? found", self.text("#search-status"))
        assert found, self.text("#search-status")
        return int(found.group(1))

    def no_horizontal_scroll(self) -> bool:
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )


def test_search_shows_results_with_why_and_phone_links(page):
    page.search("food bank", "60623")
    status = page.text("#search-status")
    assert "within 10 mi of Chicago, IL 60623" in status and "Food pantry" in status
    cards = page.cards()
    assert 1 <= len(cards) <= 10 and page.total() >= len(cards)
    for card in cards:
        name = card.find_element(page.By.TAG_NAME, "h3").text
        assert name, "every result has a name"
        why = [li.text for li in card.find_elements(page.By.CSS_SELECTOR, "ul.why li")]
        assert any("Food pantry" in w for w in why), (name, why)
        facts = card.find_element(page.By.CSS_SELECTOR, "dl.facts").text
        assert "Hours" in facts and "Languages" in facts and "mi away" in facts, facts
    tel = page.els("#search-results a[href^='tel:']")
    assert tel and all(re.fullmatch(r"tel:\+1\d{10}", a.get_attribute("href")) for a in tel)
    first = cards[0].text
    assert "26th Street Mutual Aid" in first and "2888 W 26th St" in first
    assert "(773) 555-0118" in first
    screenshot(page.driver, "search-results")
    # A second page of results, through the pager.
    if page.total() > 10:
        page.el("#page-next").click()
        wait_until(page.driver, lambda: "Page 2 of" in page.text("#search-status"), what="page 2")
        assert page.cards()


def test_language_filter_narrows_the_results(page):
    page.search("food bank", "60623")
    everyone = page.total()
    page.search("food bank", "60623", language="Spanish")
    spanish = page.total()
    assert 0 < spanish < everyone
    for card in page.cards():
        facts = card.find_element(page.By.CSS_SELECTOR, "dl.facts").text
        assert "Spanish" in facts, facts
    screenshot(page.driver, "search-filter-spanish")


def test_unknown_zip_says_so_plainly(page):
    page.search("food bank", "00000")
    error = page.text("#search-error")
    assert "We couldn't find '00000'. Try a ZIP code or 'Springfield, IL'." in error
    assert page.el("#search-error").get_attribute("role") == "alert"
    assert not page.cards()
    screenshot(page.driver, "search-unknown-zip")


def test_empty_search_offers_the_nearest_further_away(page):
    page.search("food bank", "60623", language="Polish", radius="Within 1 mi")
    assert "No resources found within 1 mi of Chicago, IL 60623" in page.text("#search-status")
    wait_until(page.driver, lambda: page.cards("#search-further"), what="the nearest further away")
    assert "further away" in page.text("#further-note")
    for card in page.cards("#search-further"):
        assert "Further away" in card.find_element(page.By.CSS_SELECTOR, ".badges").text
        assert "Polish" in card.text
    screenshot(page.driver, "search-empty-further-away")


def test_screening_finds_referrals_per_need_without_putting_answers_in_urls(page):
    driver = page.driver
    page.el("#tab-screening").click()
    assert page.el("#panel-screening").is_displayed()
    assert not page.el("#panel-search").is_displayed()

    # AHC HRSN core items by default, from GET /v1/instruments.
    assert page.Select(page.el("#instrument")).first_selected_option.get_attribute("value") == (
        "ahc-hrsn"
    )
    assert len(page.els("fieldset.item")) >= 8
    answer(page, "88122-7", "Often true")  # worried food would run out
    answer(page, "88123-5", "Often true")  # food ran out
    answer(page, "96779-4", "Yes")  # utility shut-off threatened
    page.fill("#client-near", "60623")
    page.fill("#client-age", "67")
    page.choose("#client-language", "Spanish")
    screenshot(driver, "screening-form")
    drain_requests(driver)
    url_before = driver.current_url
    page.el("#screening-submit").click()
    wait_until(driver, lambda: len(page.els("section.need")) >= 2, what="referrals per need")

    needs = {s.get_attribute("data-need"): s for s in page.els("section.need")}
    assert {"food-insecurity", "utility-insecurity"} <= set(needs)
    assert "2 needs found" in page.text("#screening-status")
    for code in ("food-insecurity", "utility-insecurity"):
        cards = needs[code].find_elements(page.By.CSS_SELECTOR, "article.result")
        assert cards, code
        for card in cards:
            why = card.find_element(page.By.CSS_SELECTOR, "ul.why").text
            assert "speaks Spanish" in why or "does not list Spanish" in why, why
        assert "Often true" in needs[code].text or "Yes" in needs[code].text
    utilities = needs["utility-insecurity"].text
    assert "Check eligibility: income limit 150% of poverty" in utilities
    assert page.els("section.need a[href^='tel:']")
    screenshot(driver, "screening-referrals")

    # The answers went in a POST body only: not in any URL, nor in the page's storage.
    sent = drain_requests(driver)
    SEEN.extend(r["url"] for r in sent)
    match = [r for r in sent if urlsplit(r["url"]).path == "/v1/match"]
    assert match and all(r["method"] == "POST" for r in match)
    assert "LA28397-0" in (match[0]["postData"] or "")
    assert not any("LA28397-0" in r["url"] or "60623" in r["url"] for r in sent)
    assert driver.current_url == url_before
    assert driver.execute_script("return localStorage.length + sessionStorage.length") == 0
    assert driver.execute_script("return document.cookie") == ""


def test_referral_list_prints_and_copies_two_resources(page):
    driver = page.driver
    page.search("food bank", "60623")
    cards = page.cards()[:2]
    chosen = []
    for card in cards:
        name = card.find_element(page.By.TAG_NAME, "h3").text
        phone = card.find_element(page.By.CSS_SELECTOR, "a[href^='tel:']").text
        chosen.append((name, phone))
        card.find_element(page.By.CSS_SELECTOR, "button.add").click()
    wait_until(driver, lambda: len(page.els("#referral-items li")) == 2, what="two on the list")
    assert page.text("#referral-heading") == "Referral list (2)"
    assert cards[0].find_element(page.By.CSS_SELECTOR, "button.add").get_attribute(
        "aria-pressed"
    ) == ("true")
    # The first one's next step comes from its full record (application_process).
    wait_until(
        driver,
        lambda: (
            "Walk in during open hours." in page.el("#print-items").get_attribute("textContent")
        ),
        what="the next steps from the full record",
    )
    driver.execute_script("window.scrollTo(0, 0)")
    lead = screenshot(driver, "referral-list", full_page=False)
    shutil.copyfile(lead, LEAD_SCREENSHOT)

    # Print: the sheet replaces the page, and the browser's print is asked for.
    driver.execute_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.el("#print-list").click()
    assert driver.execute_script("return window.__printed") == 1
    sheet = page.el("#print-sheet")
    assert sheet.is_displayed() and not page.el("#app").is_displayed()
    for name, phone in chosen:
        assert name in sheet.text and phone in sheet.text
    items = page.els("#print-items li")
    assert len(items) == 2
    for item in items:
        text = item.text
        assert "Address" in text and "Hours" in text and "Next steps" in text, text
    assert "Walk in during open hours." in items[0].text
    with print_media(driver):
        assert not page.el(".print-toolbar").is_displayed()
        screenshot(driver, "print-view")
    page.el("#print-close").click()
    assert page.el("#app").is_displayed() and not sheet.is_displayed()
    assert driver.switch_to.active_element == page.el("#print-list")

    # Printing from the browser's menu prints the sheet too.
    with print_media(driver):
        assert page.el("#print-sheet").is_displayed() and not page.el("#app").is_displayed()

    # Copy as text: on the clipboard when allowed, and shown in any case.
    driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": page.base_url,
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    page.el("#copy-list").click()
    wait_until(driver, lambda: page.text("#referral-status").startswith(("Copied", "Could not")))
    text = page.el("#copy-text").get_attribute("value")
    for name, phone in chosen:
        assert name in text and phone in text
    assert "Next steps: Walk in during open hours." in text
    assert page.el("#copy-output").is_displayed()
    if page.text("#referral-status").startswith("Copied"):
        pasted = driver.execute_async_script(
            "const done = arguments[0];"
            "navigator.clipboard.readText().then(done, e => done('unreadable: ' + e));"
        )
        assert pasted == text
    screenshot(driver, "referral-copy-text")

    # Remove one from the list.
    page.el("#referral-items li button.remove").click()
    wait_until(driver, lambda: len(page.els("#referral-items li")) == 1, what="one left")
    assert chosen[0][0] not in page.text("#referral-items")


def test_keyboard_alone_searches_and_adds_to_the_list(page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = page.driver
    page.fill("#q", "food bank")
    page.fill("#near", "60623")
    page.el("#near").send_keys(Keys.ENTER)
    wait_until(driver, lambda: page.cards(), what="results after Enter")
    for _ in range(60):  # Tab through the form to the first "Add to referral list"
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if "add" in (driver.switch_to.active_element.get_attribute("class") or ""):
            break
    focused = driver.switch_to.active_element
    assert focused.tag_name == "button" and "add" in focused.get_attribute("class")
    outline = driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none"), "focus is visible"
    focused.send_keys(Keys.SPACE)
    wait_until(driver, lambda: len(page.els("#referral-items li")) == 1, what="added by keyboard")
    assert "Added" in page.text("#referral-status")
    # The tabs answer the arrow keys.
    page.el("#tab-search").send_keys(Keys.ARROW_RIGHT)
    assert driver.switch_to.active_element == page.el("#tab-screening")
    assert page.el("#panel-screening").is_displayed()


def test_phone_width_has_no_horizontal_scroll(page):
    driver = page.driver
    with viewport(driver, 375, 812, mobile=True):
        assert page.no_horizontal_scroll()
        page.search("food bank", "60623")
        page.els("#search-results button.add")[0].click()
        wait_until(driver, lambda: page.els("#referral-items li"), what="the list")
        assert page.no_horizontal_scroll()
        screenshot(driver, "phone-search-full")
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver, "phone-search-form", full_page=False)
        driver.execute_script("document.getElementById('search-status').scrollIntoView()")
        screenshot(driver, "phone-search-results", full_page=False)
        page.el("#tab-screening").click()
        assert page.no_horizontal_scroll()
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver, "phone-screening", full_page=False)
        page.el("#tab-search").click()
        page.search("food bank", "00000")
        assert page.no_horizontal_scroll()


def test_the_page_made_no_request_to_another_host(page):
    page.search("food bank", "60623")
    urls = SEEN + [r["url"] for r in drain_requests(page.driver)] + resource_urls(page.driver)
    paths = {urlsplit(u).path for u in urls}
    assert {"/", "/static/linkage.js", "/static/linkage.css", "/v1/search"} <= paths
    own = urlsplit(page.base_url).netloc
    outside = sorted(
        {u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss", "ftp")}
        - {u for u in urls if urlsplit(u).netloc == own}
    )
    assert not outside, outside
    assert SCREENSHOTS.is_dir()
