"""The referral list of the case-manager page in headless Chromium: kept in the tab across a
reload as resource ids and need codes only, grouped by need, with the case manager's line, sent
by text or email, printed with its toolbar in view, in the client's language, and saved as a
FHIR transaction Bundle.

The page, its fixture and the browser are tests/test_page_browser.py's; screenshots go to
tests/.artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlsplit

from tests.browser import (
    axe_violations,
    drain_requests,
    print_media,
    screenshot,
    viewport,
    wait_until,
)
from tests.screening_steps import find_referrals, need_cards
from tests.test_page_browser import page  # noqa: F401 (the fixture)

FOOD_AND_UTILITIES = {"88122-7": "Often true", "88123-5": "Often true", "96779-4": "Yes"}
CLIENT = {"#client-near": "60623", "#client-household": "2", "#client-income": "21000"}


def add(card) -> tuple[str, str]:
    """Add a result card to the list; its (id, name)."""
    button = card.find_element("css selector", "button.add")
    button.click()
    return button.get_attribute("data-id"), card.find_element("css selector", "h3").text


def screened_list(on) -> list[tuple[str, str, str]]:
    """A list from screening: the first food and the first utility referral, then one found by
    a search. Returns (need code or '', id, name) in the order added."""
    find_referrals(on, FOOD_AND_UTILITIES, CLIENT)
    chosen = []
    for need in ("food-insecurity", "utility-insecurity"):
        taken = {c[1] for c in chosen}
        card = next(
            c
            for c in need_cards(on, need)
            if c.find_element("css selector", "button.add").get_attribute("data-id") not in taken
        )
        chosen.append((need, *add(card)))
    on.el("#tab-search").click()
    on.search("shelter", "60623")
    card = next(
        c
        for c in on.cards()
        if c.find_element("css selector", "button.add").get_attribute("data-id")
        not in {c[1] for c in chosen}
    )
    chosen.append(("", *add(card)))
    wait_until(on.driver, lambda: len(on.els("#referral-items li")) == 3, what="three listed")
    return chosen


def stored(driver):
    return driver.execute_script(
        "var o = {}; for (var i = 0; i < sessionStorage.length; i++) {"
        " var k = sessionStorage.key(i); o[k] = sessionStorage.getItem(k); } return o;"
    )


def test_the_list_survives_a_reload_as_ids_and_need_codes_only(page):  # noqa: F811
    driver = page.driver
    chosen = screened_list(page)
    # Needs the resource was shown for: food and utilities may share a resource, so the stored
    # needs are those of its screening section(s); the search result has none.
    kept = stored(driver)
    assert set(kept) == {"linkage.referrals"}, kept
    items = json.loads(kept["linkage.referrals"])
    assert [i["id"] for i in items] == [c[1] for c in chosen]
    assert all(set(i) == {"id", "needs"} for i in items), items
    for (need, _, _), item in zip(chosen, items, strict=True):
        assert (need in item["needs"]) if need else item["needs"] == [], item
    assert not any(v in kept["linkage.referrals"] for v in ("60623", "21000", "LA", "Often"))
    assert driver.execute_script("return localStorage.length") == 0

    driver.refresh()
    wait_until(
        driver,
        lambda: (
            len(page.els("#referral-items li")) == 3
            and "Loading" not in page.text("#referral-items")
        ),
        what="the list fetched again by id",
    )
    names = [
        li.find_element(page.By.CSS_SELECTOR, ".name").text for li in page.els("#referral-items li")
    ]
    assert sorted(names) == sorted(c[2] for c in chosen)
    assert page.text("#referral-heading") == "Referral list (3)"
    fetched = [urlsplit(r["url"]).path for r in drain_requests(driver)]
    assert {f"/v1/resources/{c[1]}" for c in chosen} <= set(fetched)
    # Grouped by need: a heading per need, the search result last.
    groups = page.els("#referral-items section.referral-group")
    assert [g.get_attribute("data-need") for g in groups] == [
        "food-insecurity",
        "utility-insecurity",
        "",
    ] or [g.get_attribute("data-need") for g in groups] == ["food-insecurity", ""]
    headings = [g.find_element(page.By.TAG_NAME, "h3").text for g in groups]
    assert headings[0] == "Food insecurity" and headings[-1] == "From a search"
    assert json.loads(stored(driver)["linkage.referrals"]) == items  # unchanged by the reload
    screenshot(driver, "referral-list-after-reload")
    assert axe_violations(driver, "#referral-list") == []

    # A kept resource no longer in the directory is dropped, and the case manager told so.
    driver.execute_script(
        "sessionStorage.setItem('linkage.referrals', JSON.stringify(arguments[0]))",
        [{"id": "no-such-resource", "needs": ["food-insecurity"]}, items[0]],
    )
    driver.refresh()
    wait_until(
        driver,
        lambda: "no longer in the directory" in page.text("#referral-status"),
        what="the missing resource reported",
    )
    assert len(page.els("#referral-items li")) == 1
    assert json.loads(stored(driver)["linkage.referrals"]) == [items[0]]


def sent_text(href: str, scheme: str) -> dict[str, str]:
    parts = urlsplit(href)
    assert parts.scheme == scheme, href
    query = parts.query if parts.query else parts.path.partition("?")[2]
    return {k: v[0] for k, v in parse_qs(query.lstrip("&")).items()}


def test_removing_an_entry_while_the_list_reloads_keeps_the_others(page):  # noqa: F811
    driver = page.driver
    page.search("food bank", "60623")
    kept_id = (
        page.cards()[0].find_element(page.By.CSS_SELECTOR, "button.add").get_attribute("data-id")
    )
    gone_id = "00000000-0000-4000-8000-000000000000"  # no longer in the directory: a 404
    driver.execute_script(
        "sessionStorage.setItem('linkage.referrals', arguments[0]);",
        json.dumps([{"id": kept_id, "needs": []}, {"id": gone_id, "needs": []}]),
    )
    driver.execute_cdp_cmd("Network.enable", {})
    slow = {"offline": False, "latency": 3000, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", slow)
    try:
        driver.refresh()
        # The case manager removes the entry still loading; its 404 answers afterwards.
        page.el(f"#referral-items li[data-id='{gone_id}'] button.remove").click()
        wait_until(
            driver,
            lambda: "Loading" not in page.text("#referral-items"),
            timeout=30,
            what="the list fetched again",
        )
    finally:
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    assert [li.get_attribute("data-id") for li in page.els("#referral-items li")] == [kept_id]
    assert [i["id"] for i in json.loads(stored(driver)["linkage.referrals"])] == [kept_id]


def test_text_email_and_print_carry_the_case_manager_line_in_the_clients_language(page):  # noqa: F811
    driver = page.driver
    chosen = screened_list(page)
    page.fill("#cm-name", "Ana Ruiz")
    page.fill("#cm-org", "Westside Clinic")
    driver.execute_script(
        "var d = document.getElementById('cm-date'); d.value = '2026-12-02';"
        "d.dispatchEvent(new Event('change'));"
    )
    sms = sent_text(page.el("#text-list").get_attribute("href"), "sms")["body"]
    assert sms.startswith("Community resources for you:")
    assert "Prepared by Ana Ruiz, Westside Clinic on December 2, 2026." in sms
    assert "Food insecurity:" in sms
    for _, _, name in chosen:
        assert name in sms
    assert len(sms) < 700, len(sms)  # a few text messages, not a letter
    mail = sent_text(page.el("#email-list").get_attribute("href"), "mailto")
    assert mail["subject"] == "Community resources"
    assert "Next steps:" in mail["body"] and "Hours:" in mail["body"]
    assert all(name in mail["body"] for _, _, name in chosen)
    # The week as the cards say it (one helper, dom.js weekRuns): a 12-hour clock, the same
    # words for a day open around the clock.
    hours = "\n".join(line for line in mail["body"].lower().splitlines() if "hours:" in line)
    assert not re.search(r"\b([01]\d|2[0-3]):[0-5]\d\b(?! [ap]m)", hours), hours
    on_cards = {
        times.get_attribute("textContent").lower().replace("\u2013", "-")  # mail: ASCII dashes
        for _, resource_id, _ in chosen
        for times in page.els(f"article[data-id='{resource_id}'] .week .times")
    } - {"closed"}
    assert on_cards and all(times in hours for times in on_cards), (on_cards, hours)

    # In Spanish for a Spanish-speaking client, whatever the page's language.
    # Naming the client's language Spanish on the screening form makes it the list's.
    assert page.Select(page.el("#list-language")).first_selected_option.text == "English"
    page.el("#tab-screening").click()
    page.choose("#client-language", "Spanish")
    assert page.Select(page.el("#list-language")).first_selected_option.text == "Español"
    sms = sent_text(page.el("#text-list").get_attribute("href"), "sms")["body"]
    assert sms.startswith("Recursos comunitarios para usted:")
    assert "Inseguridad alimentaria:" in sms
    assert "Preparado por Ana Ruiz, Westside Clinic el 2 de diciembre de 2026." in sms
    mail = sent_text(page.el("#email-list").get_attribute("href"), "mailto")
    assert mail["subject"] == "Recursos comunitarios"
    assert "Dirección:" in mail["body"] and "Horario:" in mail["body"]
    assert "Llame antes de ir" in mail["body"]

    driver.execute_script("window.print = function () {};")
    page.el("#print-list").click()
    sheet = page.el("#print-body")
    assert sheet.get_attribute("lang") == "es"
    assert page.text("#print-title") == "Recursos comunitarios para usted"
    assert "Preparado por Ana Ruiz, Westside Clinic" in page.text("#print-date")
    groups = [h.text for h in page.els("#print-items section.print-group h2")]
    assert groups[0] == "Inseguridad alimentaria" and groups[-1] == "Otros recursos", groups
    assert len(page.els("#print-items li")) == 3
    # The whole week's hours, in Spanish: never only today's.
    hours = [
        dd.text
        for dd in page.els("#print-items .fact")
        if dd.find_element(page.By.TAG_NAME, "dt").text == "Horario"
    ]
    assert len(hours) == 3 and not any("today" in h.lower() for h in hours), hours
    assert any(re.search(r"\b(lun|mar|mié|jue|vie|sáb|dom)\b", h) for h in hours), hours
    for width, height in ((1280, 900), (390, 844)):
        with viewport(driver, width, height, mobile=width < 600):
            screenshot(driver, f"referral-print-spanish-{width}")
    assert axe_violations(driver) == []
    page.el("#print-close").click()
    # The case manager's line is not kept: only the list is.
    assert "Ana" not in json.dumps(stored(driver))


def test_print_toolbar_is_in_view_when_opened_from_a_scrolled_page(page):  # noqa: F811
    driver = page.driver
    screened_list(page)
    with viewport(driver, 390, 844, mobile=True):
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        assert driver.execute_script("return window.scrollY") > 2000
        driver.execute_script(
            "window.__printed = 0; window.print = () => { window.__printed += 1; };"
        )
        driver.execute_script("document.getElementById('print-list').click()")
        assert driver.execute_script("return window.__printed") == 1

        def toolbar_in_view() -> bool:
            box = driver.execute_script(
                "var r = document.querySelector('.print-toolbar').getBoundingClientRect();"
                "return [r.top, r.bottom, window.innerHeight];"
            )
            return box[0] >= 0 and box[1] <= box[2]

        assert toolbar_in_view()
        screenshot(driver, "referral-print-toolbar-390", full_page=False)
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        assert driver.execute_script("return window.scrollY") > 0, "the sheet is taller"
        assert toolbar_in_view(), "still in view at the sheet's end"
        with print_media(driver):
            assert not page.el(".print-toolbar").is_displayed()
        page.el("#print-close").click()
    with viewport(driver, 1280, 900):
        page.el("#print-list").click()
        assert toolbar_in_view()
        screenshot(driver, "referral-print-toolbar-1280", full_page=False)
        page.el("#print-close").click()


def test_fhir_export_downloads_a_transaction_bundle(page, tmp_path):  # noqa: F811
    driver = page.driver
    screened_list(page)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    page.el("#fhir-export summary").click()
    page.el("#fhir-download").click()
    assert "patient reference" in page.text("#referral-error")
    page.fill("#fhir-patient", "Patient/example-4417")
    drain_requests(driver)
    page.el("#fhir-download").click()
    # Chromium writes a .crdownload and renames it once it is complete.
    wait_until(
        driver,
        lambda: list(tmp_path.glob("*.json")) and not list(tmp_path.glob("*.crdownload")),
        what="the downloaded bundle",
    )
    [saved] = list(tmp_path.glob("*.json"))
    assert saved.name.startswith("referrals-")
    bundle = json.loads(saved.read_text(encoding="utf-8"))
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    requests = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "ServiceRequest"
    ]
    assert len(requests) == 2  # the search result has no need: it is not a referral for one
    assert all(r["subject"]["reference"] == "Patient/example-4417" for r in requests)
    codes = {c["code"] for r in requests for cat in r["category"] for c in cat["coding"]}
    assert codes <= {"food-insecurity", "utility-insecurity"} and "food-insecurity" in codes
    assert all(e["request"]["method"] == "POST" for e in bundle["entry"])
    assert "not in it" in page.text("#referral-status")
    sent = drain_requests(driver)
    post = [r for r in sent if urlsplit(r["url"]).path == "/v1/referrals"]
    assert post and post[0]["method"] == "POST"
    assert json.loads(post[0]["postData"])["patient"] == "Patient/example-4417"
    assert not any("example-4417" in unquote(r["url"]) for r in sent)
    assert "example-4417" not in json.dumps(stored(driver))
    driver.execute_script(
        "var a = document.getElementById('referral-list'); a.scrollIntoView();"
        "a.scrollTop = a.scrollHeight;"
    )
    screenshot(driver, "referral-hand-off-1280", full_page=False)
    with viewport(driver, 390, 844, mobile=True):
        driver.execute_script("document.getElementById('hand-off').scrollIntoView()")
        screenshot(driver, "referral-hand-off-390", full_page=False)
    assert axe_violations(driver, "#referral-list") == []
