"""The search side of the case-manager page, in headless Chromium against gunicorn: cards a
case manager can act on, reach sections, facets, the URL, places and the phone layout.

Uses the Chicago sample (tests/conftest.py) and the page fixture of tests/test_page_browser.py.
Screenshots at desktop (1280 px) and phone (390 px) widths go to tests/.artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests import test_page_browser
from tests.browser import axe_violations, drain_requests, screenshot, viewport, wait_until

page = test_page_browser.page  # its fixture: the page freshly loaded, categories in

PHONE = (390, 844)
CLIENT_VALUES = ("67", "es", "seniors", "SA")


def searches(driver) -> list[dict]:
    """The /v1/search requests the page sent since the last call, bodies parsed."""
    sent = drain_requests(driver)
    found = [r for r in sent if urlsplit(r["url"]).path == "/v1/search"]
    for r in found:
        r["body"] = json.loads(r["postData"]) if r.get("postData") else None
    return found


def no_client_value_in(urls: list[str]) -> None:
    """No URL names an age, a group served, a need, a language or a point."""
    for url in urls:
        for name, values in parse_qs(urlsplit(url).query).items():
            assert name not in ("age", "serves", "need", "language", "lat", "lon"), url
            for value in values:
                assert value not in CLIENT_VALUES and not re.match(r"-?\d+\.\d+,", value), url


def assert_accessible(driver, state: str) -> None:
    # The map's markers are the map's own tests' (test_page_map_browser.py): the page but them.
    violations = axe_violations(driver, {"exclude": [["#search-map"]]})
    assert not violations, (state, violations)


def total_shown(page) -> int:
    return len(page.cards("#search-further")) + len(page.cards("#reach-remote"))


def card_numbers(page) -> list[int]:
    return [int(n.text) for n in page.els("article.result .card-number") if n.is_displayed()]


# --- Cards ---------------------------------------------------------------------------------------


def test_cards_show_the_week_links_and_when_last_verified(page):
    driver = page.driver
    page.search("food bank", "60623")
    cards = page.cards()
    assert card_numbers(page)[: len(cards)] == list(range(1, len(cards) + 1))
    first = cards[0]
    assert "26th Street Mutual Aid" in first.text
    # The whole week, Monday to Sunday, today marked in the service's own time zone.
    days = first.find_elements(page.By.CSS_SELECTOR, ".week li")
    assert [d.get_attribute("data-day") for d in days] == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    today = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][
        datetime.now(ZoneInfo("America/Chicago")).weekday()
    ]
    marked = first.find_elements(page.By.CSS_SELECTOR, ".week li.today")
    assert [m.get_attribute("data-day") for m in marked] == [today]
    assert "Today" in marked[0].text
    closed = [d.text for d in days if "Closed" in d.text]
    assert closed and len(closed) < 7, [d.text for d in days]
    facts = first.find_element(page.By.CSS_SELECTOR, "dl.facts").text
    assert "Cost\nFree" in facts and "Last verified\nMarch 6, 2026" in facts, facts
    website = first.find_element(page.By.CSS_SELECTOR, "a.website")
    assert website.get_attribute("href").startswith("https://26th-street-mutual-aid-network.")
    # Directions from the default template (LINKAGE_DIRECTIONS_URL): OpenStreetMap to the point.
    directions = first.find_element(page.By.CSS_SELECTOR, "a.directions")
    href = directions.get_attribute("href")
    assert href.startswith("https://www.openstreetmap.org/directions?to=41.")
    assert parse_qs(urlsplit(href).query)["to"][0].count(",") == 1
    for card in cards:
        tels = [a.get_attribute("href") for a in card.find_elements(page.By.CSS_SELECTOR, "a.tel")]
        assert len(tels) == len(set(tels)), tels  # each number once
    screenshot(driver, "search-cards-desktop")
    screenshot(driver, "search-cards-desktop-in-view", full_page=False)  # after Search
    assert_accessible(driver, "search results")


def test_a_long_description_is_trimmed_with_a_more_button(page):
    driver = page.driver
    with viewport(driver, *PHONE, mobile=True):
        a_long_description_is_trimmed(page)
        screenshot(driver, "phone-search-description-more", full_page=False)


def a_long_description_is_trimmed(page):
    driver = page.driver
    page.search("", "60623")
    wait_until(
        driver,
        lambda: [b for b in page.els("#search-results button.more") if b.is_displayed()],
        what="a long one",
    )
    button = next(b for b in page.els("#search-results button.more") if b.is_displayed())
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    text = page.el("#" + button.get_attribute("aria-controls"))
    trimmed = text.size["height"]
    assert button.get_attribute("aria-expanded") == "false" and button.text == "More"
    button.click()
    assert button.get_attribute("aria-expanded") == "true" and button.text == "Less"
    assert text.size["height"] > trimmed
    button.click()
    assert text.size["height"] == trimmed


def test_a_card_shows_notice_documents_access_and_each_phone_once(page):
    # A real result, with what some directories add (iCarol's notice, documents, free-text
    # hours, accessibility) and the same number listed twice (organisation's and service's).
    driver = page.driver
    page.search("food bank", "60623")
    card = driver.execute_async_script(
        """
        var done = arguments[0];
        var token = document.querySelector('meta[name="linkage-page-token"]').content;
        fetch("/v1/search", {method: "POST", headers: {"Content-Type": "application/json",
              Authorization: "Bearer " + token}, body: JSON.stringify({q: "food bank", near: "60623"})})
          .then(r => r.json()).then(function (data) {
            var r = data.results[0];
            r.notice = "Closed Thursday November 26 for the holiday.";
            r.hours_text = "Third Saturday of the month, 9 to noon";
            r.accessibility = ["Wheelchair accessible", "Elevator"];
            r.required_documents = ["Photo ID", "Proof of address"];
            r.application_process = "Walk in; bring a bag.";
            r.phones = [{number: "(773) 555-0199", description: "Fax", type: "fax"},
                        {number: "773-555-0118"}, {number: "(773) 555-0118", description: "Main line"},
                        {number: "1 773 555 0118"}];
            var li = LinkageDom.resultCard(r, {id: "t-card", number: 4, directionsUrl: ""});
            document.body.appendChild(li);
            done(li.querySelector("article").innerText);
          });
        """
    )
    assert "Notice: Closed Thursday November 26 for the holiday." in card
    assert "Third Saturday of the month, 9 to noon" in card
    assert "Wheelchair accessible, Elevator" in card
    assert "Photo ID" in card and "Proof of address" in card and "Walk in; bring a bag." in card
    phones = [a.text for a in page.els("article[aria-labelledby=t-card] a.tel")]
    assert phones == ["(773) 555-0118", "(773) 555-0199"], phones  # main line first, once
    assert "(Main line)" in card and "(Fax)" in card
    assert not page.els("article[aria-labelledby=t-card] a.directions")  # no template: no link
    assert page.text("article[aria-labelledby=t-card] .card-number") == "4"


# --- Reach ---------------------------------------------------------------------------------------


def test_local_results_first_then_area_then_phone_and_online(page):
    driver = page.driver
    drain_requests(driver)
    page.search("food", "60623")
    wait_until(
        driver,
        lambda: page.el("#reach-area").is_displayed() and page.el("#reach-remote").is_displayed(),
        what="the reach sections",
    )
    assert page.text("#reach-area-heading") == "Serves your area"
    assert page.text("#reach-remote-heading") == "Phone and online"
    remote = page.cards("#reach-remote")
    assert {c.find_element(page.By.TAG_NAME, "h3").text for c in remote} >= {
        "BenefitsPath SNAP Phone Help"
    }
    for card in remote:  # a phone line's office 1,000 miles off is no distance to show
        assert "mi away" not in card.text
        assert not card.find_elements(page.By.CSS_SELECTOR, "a.directions")
    local = page.cards()
    assert all("mi away" in c.text for c in local)
    # Numbered on from the local results, as the map's markers; each list starts at its first
    # card's number, so a screen reader says the number shown.
    total = len(local) + len(page.cards("#reach-area")) + len(remote)
    assert card_numbers(page) == list(range(1, total + 1))
    for ol in ("#search-results", "#reach-area-results", "#reach-remote-results"):
        first = page.el(f"{ol} .card-number").text
        assert page.el(ol).get_attribute("start") == first, ol
    sent = searches(driver)
    reaches = sorted(tuple(r["body"].get("reach") or ()) for r in sent)
    assert reaches == [("area",), ("local",), ("remote",)], reaches
    assert all(r["method"] == "POST" for r in sent)
    screenshot(driver, "search-reach-sections")
    assert_accessible(driver, "reach sections")


# --- Facets and the URL ------------------------------------------------------------------------


def test_facets_narrow_by_people_served_with_counts_in_the_body_only(page):
    driver = page.driver
    page.search("food", "60623")
    wait_until(driver, lambda: page.el("#search-refine").is_displayed(), what="the facets")
    groups = {g.get_attribute("data-facet"): g.text for g in page.els(".refine-group")}
    assert {"serves", "fees", "delivery", "open_on"} <= set(groups), groups
    seniors = next(
        label
        for label in page.els(".refine-group[data-facet=serves] label")
        if label.text.startswith("Seniors (")
    )
    count = int(re.search(r"\((\d+)\)", seniors.text).group(1))
    before = page.total()
    drain_requests(driver)
    seniors.click()
    wait_until(driver, lambda: page.total() == count, what="the seniors' results")
    assert count < before
    assert page.el(".refine-group input[value=seniors]").is_selected()  # drawn again, checked
    sent = searches(driver)
    assert sent and all(r["body"]["serves"] == ["seniors"] for r in sent)
    # Open on a day: a select with each day's count.
    day = page.Select(page.el("#refine-open_on"))
    saturday = next(o.text for o in day.options if o.text.startswith("Saturday ("))
    day.select_by_visible_text(saturday)
    wait_until(driver, lambda: all(r["body"].get("open_on") == "SA" for r in searches(driver)))
    no_client_value_in([driver.current_url])
    screenshot(driver, "search-facets")
    assert_accessible(driver, "facets chosen")


def test_the_url_keeps_only_words_place_category_and_page(page):
    driver = page.driver
    drain_requests(driver)
    page.fill("#age", "67")
    page.choose("#language", "Spanish")
    page.search("food bank", "60623")
    params = parse_qs(urlsplit(driver.current_url).query)
    assert params == {"q": ["food bank"], "near": ["60623"]}
    sent = drain_requests(driver)
    body = json.loads(next(r for r in sent if urlsplit(r["url"]).path == "/v1/search")["postData"])
    assert body["age"] == 67 and body["language"] == "es"
    no_client_value_in([r["url"] for r in sent] + [driver.current_url])

    page.fill("#age", "")
    page.choose("#language", "Any language")
    page.search("shelter", "Chicago, IL")
    assert parse_qs(urlsplit(driver.current_url).query) == {
        "q": ["shelter"],
        "near": ["Chicago, IL"],
    }
    # Back: the first search again, its words and place in the form.
    driver.back()
    wait_until(driver, lambda: page.el("#q").get_attribute("value") == "food bank")
    wait_until(driver, lambda: "Chicago, IL 60623" in page.text("#search-status"))
    assert page.el("#near").get_attribute("value") == "60623"
    # A bookmark (or reload) of a category's second page.
    driver.get(page.base_url + "/?category=food&near=60623&page=2")
    wait_until(driver, lambda: "Page 2 of" in page.text("#search-status"), what="page 2")
    assert page.el("#category").get_attribute("value") == "food"
    assert page.cards()
    no_client_value_in([r["url"] for r in drain_requests(driver)])


def test_back_while_a_search_is_on_its_way_leaves_the_form_usable(page):
    driver = page.driver
    driver.execute_cdp_cmd("Network.enable", {})
    slow = {"offline": False, "latency": 2500, "downloadThroughput": -1, "uploadThroughput": -1}
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", slow)
    try:
        page.fill("#q", "food bank")
        page.fill("#near", "60623")
        page.el("#search-submit").click()
        assert not page.el("#search-submit").is_enabled()
        assert page.el("#search-results").get_attribute("aria-busy") == "true"
        driver.back()  # to the page as loaded: no search
        wait_until(driver, lambda: page.el("#q").get_attribute("value") == "", what="Back")
        wait_until(
            driver,
            lambda: driver.execute_script(
                "return performance.getEntriesByType('resource').some(function (e) {"
                " return e.name.indexOf('/v1/search') >= 0; });"
            ),
            what="the dropped search's answer to arrive",
        )
    finally:
        driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )
    # The late answer is not drawn, and the form is free again.
    assert page.el("#search-submit").is_enabled()
    assert page.el("#search-results").get_attribute("aria-busy") is None
    assert not page.cards() and page.text("#search-status") == ""
    page.search("food bank", "60623")
    assert page.cards()


def test_back_after_a_facet_change_shows_the_earlier_search_as_it_was(page):
    driver = page.driver
    page.search("food bank", "60623")
    first = page.total()
    page.search("food", "60623")
    wait_until(driver, lambda: page.el("#search-refine").is_displayed(), what="the facets")
    seniors = next(
        label
        for label in page.els(".refine-group[data-facet=serves] label")
        if label.text.startswith("Seniors (")
    )
    count = int(re.search(r"\((\d+)\)", seniors.text).group(1))
    seniors.click()
    wait_until(driver, lambda: page.total() == count, what="the seniors' results")
    drain_requests(driver)
    driver.back()
    wait_until(driver, lambda: page.el("#q").get_attribute("value") == "food bank", what="Back")
    wait_until(driver, lambda: re.match(r"\d+ resources? found", page.text("#search-status")))
    # The earlier search, not narrowed by the later one's facet.
    assert page.total() == first
    assert not page.els(".refine-group input[value=seniors]:checked")
    assert all("serves" not in r["body"] for r in searches(driver))


def test_only_a_zip_code_or_a_city_the_api_placed_goes_in_the_url(page):
    driver = page.driver
    page.search("food", "N Kedzie Ave")  # a street, no number: no city
    wait_until(driver, lambda: page.el("#search-submit").is_enabled())
    assert "near" not in parse_qs(urlsplit(driver.current_url).query)
    page.search("food", "Chicago, IL")
    wait_until(driver, lambda: page.el("#search-submit").is_enabled())
    assert parse_qs(urlsplit(driver.current_url).query) == {"q": ["food"], "near": ["Chicago, IL"]}


def test_a_form_sent_before_the_scripts_run_puts_nothing_in_the_url(client):
    """Enter while the page loads (or a script failing) submits the forms natively: none of
    their controls has a name, so nothing typed reaches a URL; the screening form posts."""
    html = client.get("/").get_data(as_text=True)
    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", html, re.S)
    assert {re.search(r'id="([^"]+)"', attrs).group(1) for attrs, _ in forms} >= {
        "search-form",
        "screening-form",
    }
    for attrs, body in forms:
        controls = re.findall(r"<(?:input|select|textarea|button)\b[^>]*>", body)
        assert controls and not [c for c in controls if re.search(r"\sname=", c)], attrs
    screening = next(attrs for attrs, _ in forms if 'id="screening-form"' in attrs)
    assert 'method="post"' in screening


# --- Places --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "near, says",
    [
        ("6062", "We couldn't find '6062'. Try a ZIP code or 'Springfield, IL'."),
        ("Sprngfield", "We couldn't find 'Sprngfield'. Try a ZIP code or 'Springfield, IL'."),
        ("Springfield", "'Springfield' is a city in more than one state. Add the state, for "),
    ],
)
def test_a_place_not_understood_gets_one_plain_message(page, near, says):
    page.search("food", near)
    assert says in page.text("#search-error")
    assert not page.cards()
    screenshot(page.driver, f"search-place-{near.lower()}")


def test_a_city_and_state_finds_what_serves_it(page):
    page.search("", "Springfield, IL")
    assert "No resources found within 10 mi of Springfield, IL" in page.text("#search-status")
    wait_until(page.driver, lambda: page.cards("#reach-remote"), what="phone and online ones")
    assert not page.text("#search-error")
    shown = len(page.cards("#reach-remote"))
    total = int(re.search(r"of (\d+) shown", page.text("#reach-remote-note")).group(1))
    assert shown < total
    page.el("#reach-remote-more").click()
    wait_until(page.driver, lambda: len(page.cards("#reach-remote")) > shown, what="more of them")
    numbers = card_numbers(page)  # the nearest further away, if any, then these
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= total_shown(page)


def test_use_my_location_sends_the_point_in_the_body_only(page):
    driver = page.driver
    driver.execute_cdp_cmd("Browser.grantPermissions", {"permissions": ["geolocation"]})
    driver.execute_cdp_cmd(
        "Emulation.setGeolocationOverride",
        {"latitude": 41.85, "longitude": -87.7, "accuracy": 50},
    )
    try:
        page.fill("#q", "food bank")
        drain_requests(driver)
        button = page.el("#use-location")
        assert button.is_displayed()
        button.click()
        wait_until(driver, lambda: "of your location" in page.text("#search-status"))
        assert page.cards()
        sent = searches(driver)
        assert sent and sent[0]["body"]["near"] == "41.85000,-87.70000"
        no_client_value_in([r["url"] for r in sent] + [driver.current_url])
        assert parse_qs(urlsplit(driver.current_url).query) == {"q": ["food bank"]}
    finally:
        driver.execute_cdp_cmd("Emulation.clearGeolocationOverride", {})


# --- Phone ---------------------------------------------------------------------------------------


def test_on_a_phone_search_takes_you_to_the_results(page):
    driver = page.driver
    with viewport(driver, *PHONE, mobile=True):
        page.search("food bank", "60623")
        wait_until(
            driver,
            lambda: driver.execute_script(
                "var s = document.getElementById('search-status'), r = s.getBoundingClientRect();"
                "return document.activeElement === s && r.top >= 0 && r.top < innerHeight / 2;"
            ),
            what="the results summary focused and in view",
        )
        assert page.no_horizontal_scroll()
        screenshot(driver, "phone-search-after-search", full_page=False)
        # The referral list's button stays in view however far down the cards go.
        page.els("#search-results button.add")[0].click()
        driver.execute_script("window.scrollTo(0, document.body.scrollHeight / 2)")
        link = page.el(".list-link")
        assert link.is_displayed() and "Referral list (1)" in link.text
        assert driver.execute_script(
            "var r = arguments[0].getBoundingClientRect(); return r.bottom <= innerHeight && r.top >= 0;",
            link,
        )
        screenshot(driver, "phone-search-sticky-list", full_page=False)
        screenshot(driver, "phone-search-cards")
        assert_accessible(driver, "phone results")


# --- The API's side ------------------------------------------------------------------------------


def test_results_carry_when_last_verified_and_plain_place_messages(client):
    found = client.post("/v1/search", json={"q": "food bank", "near": "60623"}).get_json()
    assert found["results"][0]["last_verified"] == "2026-03-06"
    unknown = client.post("/v1/search", json={"near": "Sprngfield"})
    assert unknown.status_code == 400
    assert unknown.get_json()["message"].startswith("near: 'Sprngfield' is not a US city we know")
    short = client.post("/v1/search", json={"near": "6062"}).get_json()
    assert "'6062' is not a place we know" in short["message"]


def test_the_directions_template_is_the_deployers(settings, sample_index):
    from dataclasses import replace

    from linkage.app import create_app

    app = create_app(
        {"SETTINGS": replace(settings, directions_url="https://maps.example/?d={address}")}
    )
    response = app.test_client().get("/")
    html = response.get_data(as_text=True)
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]  # Use my location
    assert (
        '<meta name="linkage-directions-url" content="https://maps.example/?d={address}">' in html
    )
