"""The embeddable search: /widget.js on a partner's page, /embed/frame in a partner's iframe,
and /embed/demo, in a real headless Chromium (Debian's) against gunicorn.

The partner's page is served from another origin (a small http.server on another loopback
port), as it would be on the partner's own site; the service's keys file lists that origin for
one key (TEST_KEY) and not for another (ELSEWHERE_KEY). Screenshots go to
tests/.artifacts/screenshots/widget-*.png (and one to /tmp/linkage-widget.png). Skipped, with the
reason, when Chromium is absent and we are not root to install it.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
import time
from dataclasses import replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
import requests

from linkage.access.partners import hash_key
from linkage.app import create_app
from tests.browser import (
    axe_violations,
    drain_requests,
    resource_urls,
    screenshot,
    viewport,
    wait_until,
)
from tests.conftest import TEST_ALIAS
from tests.servers import TEST_KEY, gunicorn, write_test_keys

LEAD_SCREENSHOT = "/tmp/linkage-widget.png"
ELSEWHERE = "https://elsewhere.example"
ELSEWHERE_KEY = "widget-test-key-for-another-site"
SLOW_KEY = "widget-test-key-one-search-a-minute"
DEFAULT_ACCENT = "rgb(11, 83, 148)"  # #0b5394, the widget's own default
DEMO_ACCENT = "rgb(106, 27, 154)"  # #6a1b9a, set by the demo page on its <div>

# The partner's own styles: none of them may reach into the widget, nor the widget's out.
HOST_STYLE = """
  body { font-family: "DejaVu Serif", serif; color: rgb(51, 51, 51); background: rgb(250, 250, 240); }
  p.intro { color: rgb(128, 0, 0); font-size: 18px; }
  button, input { background: rgb(255, 105, 180); color: rgb(0, 128, 0); font-size: 30px; }
  h3 { color: rgb(255, 0, 0); }
  a { color: rgb(255, 165, 0); }
  #find-help, #help { margin: 1rem 0; }
"""
# Recorded before the widget's script runs: what the page had of its own.
HOST_BEFORE = """<script>
  window.hostBefore = {
    globals: Object.getOwnPropertyNames(window),
    sheets: document.styleSheets.length,
    styleElements: document.querySelectorAll("style, link").length,
  };
</script>"""


def host_page(title: str, body: str, lang: str = "en") -> str:
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{title}</title>'
        f"<style>{HOST_STYLE}</style>{HOST_BEFORE}</head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    )


# --- Without a browser: what is served ---------------------------------------------------------


def test_widget_script_is_served_to_any_site_and_names_no_other_host(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.headers.get("ETag")
    script = response.get_data(as_text=True)
    response.close()  # a static file's response holds the file open until closed
    with client.get("/static/widget.js") as static:
        assert static.get_data(as_text=True) == script
    code = re.sub(r"/\*.*?\*/|(?<![:\\])//[^\n]*", "", script, flags=re.S)  # code, not comments
    # What the service tells the widget: its directions link template (a link a visitor may
    # follow, never fetched) and its languages.
    setting = re.search(r"^var SERVICE = (\{.*\});$", code, re.M)
    assert json.loads(setting.group(1)) == {
        "directions_url": "https://www.openstreetmap.org/directions?to={destination}",
        "languages": {"en": "English", "es": "Español"},
    }
    code = code.replace(setting.group(0), "")
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", code, re.I)
    assert "@import" not in code and "@font-face" not in code
    # Nothing written to window or the document's styles; no storage, no cookies.
    assert not re.search(r"window\.\w+\s*=[^=]|window\[", code)
    for forbidden in ("document.head", "document.adoptedStyleSheets", "localStorage",
                      "sessionStorage", "document.cookie", "innerHTML", "eval(", "document.write"):  # fmt: skip
        assert forbidden not in code, forbidden
    assert 'attachShadow({ mode: "open" })' in code and '"X-API-Key"' in code


def test_widget_script_is_one_file_that_caches_revalidate(client):
    with client.get("/widget.js") as response:
        etag = response.headers["ETag"]
        script = response.get_data(as_text=True)
    # The DOM helpers it shares with the page come inside it: a partner includes one file.
    assert "function resultCard(" in script and "function requestJson(" in script
    with client.get("/widget.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and not again.get_data()
        assert again.headers["Cache-Control"] == "public, max-age=3600"


def test_demo_page_shows_the_theme_its_own_widget_wears(client):
    html = client.get("/embed/demo").get_data(as_text=True)
    example = re.search(r"#linkage-widget \{(.*?)\}", html, re.S).group(1)
    assert "--linkage-accent: #6a1b9a;" in example  # DEMO_ACCENT, as the browser test sees it
    assert "--linkage-radius: 2px;" in example


@pytest.fixture
def frame_app(settings, sample_index, tmp_path):
    path = write_test_keys(tmp_path, origins=("https://portal.example", "http://127.0.0.1:8123"))
    entries = json.loads(path.read_text())
    entries += [
        {"name": "match-only", "key_sha256": hash_key("match-only"), "scopes": ["match"],
         "origins": ["https://portal.example"]},
        {"name": "no-origins", "key_sha256": hash_key("no-origins"), "scopes": ["search"]},
    ]  # fmt: skip
    path.write_text(json.dumps(entries))
    return create_app({"SETTINGS": replace(settings, partner_keys=str(path))})


def test_frame_may_be_framed_by_its_keys_origins_only(frame_app):
    client = frame_app.test_client()
    response = client.get("/embed/frame", query_string={"key": TEST_KEY})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    policy = response.headers["Content-Security-Policy"]
    assert policy.endswith("frame-ancestors https://portal.example http://127.0.0.1:8123")
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    html = response.get_data(as_text=True)
    assert TEST_KEY not in html and hash_key(TEST_KEY) in html  # the page has a token, not the key
    token = re.search(r'data-key="(embed\.[^"]+)"', html).group(1)
    assert re.search(r'src="/widget\.js\?v=\w+"', html)

    # The frame's token searches, counted as its partner, and does nothing else.
    search = client.get("/v1/search?q=food", headers={"X-API-Key": token})
    assert search.status_code == 200 and search.json["total"] > 0
    match = client.post("/v1/match", json={"needs": ["food"]}, headers={"X-API-Key": token})
    assert match.status_code == 403
    forged = client.get("/v1/search?q=food", headers={"X-API-Key": token[:-4] + "0000"})
    assert forged.status_code == 401 and forged.json["code"] == 401

    for key, words in (
        ("unknown-key", "not known"),
        ("match-only", "may not search"),
        ("no-origins", "lists no sites"),
        ("", "not known"),
    ):
        refused = client.get("/embed/frame", query_string={"key": key})
        assert refused.status_code == 403, key
        assert words in refused.get_data(as_text=True), key
        assert "frame-ancestors 'self'" in refused.headers["Content-Security-Policy"]


def test_demo_page_shows_both_ways_with_a_page_token(client):
    response = client.get("/embed/demo")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert '&lt;script src="http://localhost/widget.js" data-key="YOUR-PARTNER-KEY"' in html
    assert "/embed/frame?key=YOUR-PARTNER-KEY" in html and "--linkage-accent" in html
    token = re.search(r'data-key="(page\.[^"]+)"', html).group(1)
    frame = re.search(r'<iframe id="demo-frame" src="([^"]+)"', html).group(1)
    assert frame.startswith("/embed/frame?key=page.")
    framed = client.get(frame.replace("&amp;", "&"))
    assert framed.status_code == 200
    assert framed.headers["Content-Security-Policy"].endswith("frame-ancestors http://localhost")
    assert client.get("/v1/search?q=food", headers={"X-API-Key": token}).status_code == 200


# --- In the browser -----------------------------------------------------------------------------


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def sites(sample_index, tmp_path_factory):
    """The partner's site (its own origin, serving the host pages) and the service (gunicorn),
    whose keys file lists the partner's origin for TEST_KEY only."""
    folder = tmp_path_factory.mktemp("partner-site")
    handler = functools.partial(_QuietFiles, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"http://127.0.0.1:{server.server_port}"
    keys = write_test_keys(tmp_path_factory.mktemp("widget-keys"), origins=(host,))
    entries = json.loads(keys.read_text())
    entries += [
        {"name": "widget-elsewhere", "key_sha256": hash_key(ELSEWHERE_KEY), "origins": [ELSEWHERE],
         "scopes": ["search"], "rate_limit": "100000/minute"},
        {"name": "widget-slow", "key_sha256": hash_key(SLOW_KEY), "origins": [host],
         "scopes": ["search"], "rate_limit": "1/minute"},
    ]  # fmt: skip
    keys.write_text(json.dumps(entries))
    try:
        with gunicorn(
            {"LINKAGE_INDEX_ALIAS": TEST_ALIAS, "LINKAGE_PARTNER_KEYS": str(keys)}
        ) as live:
            pages = {
                "host.html": host_page(
                    "Partner portal",
                    '<p class="intro">Welcome to the partner portal.</p>'
                    f'<script src="{live}/widget.js" data-key="{TEST_KEY}" defer></script>'
                    '<div id="find-help"></div><p class="outro">Call us any time.</p>',
                ),
                "denied.html": host_page(
                    "A site the key is not for",
                    f'<script src="{live}/widget.js" data-key="{ELSEWHERE_KEY}" '
                    'data-target="#help" data-zip="60623"></script>'
                    '<p class="intro">Help below.</p><div id="help"></div>',
                ),
                "refusals.html": host_page(
                    "Keys that do not work",
                    f'<script src="{live}/widget.js" data-key="not-a-key" data-target="#unknown" '
                    f'data-zip="60623"></script><script src="{live}/widget.js" data-key="{SLOW_KEY}" '
                    'data-target="#slow" data-zip="60623"></script>'
                    '<div id="unknown"></div><div id="slow"></div>',
                ),
                "spanish.html": host_page(
                    "Portal de socios",
                    '<p class="intro">Bienvenidos.</p>'
                    f'<script src="{live}/widget.js" data-key="{TEST_KEY}" data-zip="60623" defer>'
                    '</script><div id="ayuda"></div>',
                    lang="es-MX",
                ),
                "chosen.html": host_page(
                    "Partner portal, Spanish search",
                    f'<script src="{live}/widget.js" data-key="{TEST_KEY}" data-lang="es" '
                    "data-lang-switch defer>"
                    '</script><div id="busqueda"></div>',
                ),
                "frame-es.html": host_page(
                    "Portal de socios con marco",
                    f'<iframe id="marco" src="{live}/embed/frame?key={TEST_KEY}&near=60623&lang=es" '
                    'title="Buscar recursos comunitarios" width="100%" height="700" style="border:0">'
                    "</iframe>",
                    lang="es",
                ),
                "frames.html": host_page(
                    "Partner portal with frames",
                    f'<iframe id="allowed" src="{live}/embed/frame?key={TEST_KEY}" '
                    'title="Find community resources" width="100%" height="700" style="border:0"></iframe>'
                    f'<iframe id="refused" src="{live}/embed/frame?key={ELSEWHERE_KEY}" '
                    'title="Not allowed here" width="100%" height="200"></iframe>',
                ),
            }
            for name, html in pages.items():
                (folder / name).write_text(html, encoding="utf-8")
            yield {"host": host, "live": live}
    finally:
        server.shutdown()
        server.server_close()  # its listening socket too


class Widget:
    """The widget drawn in the shadow root of `selector` on the current page (or frame)."""

    def __init__(self, driver, selector: str):
        from selenium.webdriver.common.by import By

        self.driver, self.selector, self.By = driver, selector, By
        wait_until(
            driver,
            lambda: driver.execute_script(
                "const h = document.querySelector(arguments[0]);"
                "return !!(h && h.shadowRoot && h.shadowRoot.querySelector('form'));",
                selector,
            ),
            what=f"the widget in {selector}",
        )

    def js(self, expression: str, *args):
        """Evaluate `expression` with `root` bound to the widget's shadow root."""
        return self.driver.execute_script(
            f"const root = document.querySelector(arguments[0]).shadowRoot;return ({expression});",
            self.selector,
            *args,
        )

    def style(self, css: str, prop: str) -> str:
        return self.js(
            "getComputedStyle(root.querySelector(arguments[1])).getPropertyValue(arguments[2])",
            css,
            prop,
        )

    def status(self) -> str:
        return self.js("root.querySelector('[role=status]').textContent")

    def error(self) -> str:
        return self.js(
            "root.querySelector('[role=alert]').hidden ? '' : root.querySelector('[role=alert]').textContent"
        )

    def search(self, q: str, near: str | None = None) -> None:
        """Search as a visitor would: typing in the fields and clicking Search."""
        self.js("root.querySelector('[role=status]').textContent = ''")
        root = self.driver.find_element(self.By.CSS_SELECTOR, self.selector).shadow_root
        field = root.find_element(self.By.CSS_SELECTOR, "#q")
        field.clear()
        field.send_keys(q)
        if near is not None:
            zip_field = root.find_element(self.By.CSS_SELECTOR, "#near")
            zip_field.clear()
            zip_field.send_keys(near)
        root.find_element(self.By.CSS_SELECTOR, "button.search").click()
        wait_until(
            self.driver,
            lambda: (self.status() not in ("", "Searching…", "Buscando…")) or self.error(),
            what=f"the widget's answer to {q!r} near {near}",
        )

    def results(self) -> list[dict]:
        return self.js(
            "Array.from(root.querySelectorAll('article.result')).map(a => ({"
            " name: a.querySelector('h3').textContent,"
            " text: a.textContent,"
            " why: Array.from(a.querySelectorAll('ul.why li')).map(li => li.textContent),"
            " tel: Array.from(a.querySelectorAll('a[href^=\"tel:\"]')).map(x => x.getAttribute('href')),"
            "}))"
        )


def evaluate(driver, expression: str, timeout: float = 15):
    """The value of `expression` in the page, through DevTools' Runtime.evaluate: unlike
    WebDriver's scripts (which leave `ret_nodes` and other helpers on window), it adds nothing
    to the page. A truthy value is waited for, up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        answer = driver.execute_cdp_cmd(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        value = answer.get("result", {}).get("value")
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def outside_of(urls: list[str], *bases: str) -> list[str]:
    """The http(s) URLs that went to none of `bases`."""
    allowed = {urlsplit(b).netloc for b in bases}
    return sorted(
        {u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
        - {u for u in urls if urlsplit(u).netloc in allowed}
    )


def test_widget_on_a_partner_page_finds_resources_and_leaves_the_page_alone(driver, sites):
    drain_requests(driver)
    driver.get(sites["host"] + "/host.html")

    # First a search through DevTools alone, no WebDriver script: what does the widget leave on
    # the page? (The widget draws in the <div> right after its script, by default.)
    ran = evaluate(
        driver,
        "(() => { const host = document.querySelector('#find-help');"
        " const root = host && host.shadowRoot; if (!root || !root.querySelector('form')) return false;"
        " root.getElementById('q').value = 'food bank'; root.getElementById('near').value = '60623';"
        " root.querySelector('button.search').click(); return true; })()",
    )
    assert ran, "the widget did not draw"
    status = evaluate(
        driver,
        "(() => { const t = document.querySelector('#find-help').shadowRoot"
        ".querySelector('[role=status]').textContent; return /found/.test(t) && t; })()",
    )
    assert status and "resources found" in status, status
    host = evaluate(
        driver,
        "(() => { const p = getComputedStyle(document.querySelector('p.intro'));"
        " return {color: p.color, font: p.fontFamily, size: p.fontSize,"
        "  sheets: document.styleSheets.length,"
        "  adopted: document.adoptedStyleSheets.length,"
        "  styleElements: document.querySelectorAll('style, link').length,"
        "  before: window.hostBefore,"
        "  added: Object.getOwnPropertyNames(window).filter("
        "    n => !window.hostBefore.globals.includes(n) && n !== 'hostBefore'),"
        "  hostStyle: document.querySelector('#find-help').getAttribute('style')}; })()",
    )
    assert host["added"] == [], host["added"]  # no new globals
    assert host["color"] == "rgb(128, 0, 0)" and host["size"] == "18px"
    assert "DejaVu Serif" in host["font"]
    assert host["sheets"] == host["before"]["sheets"] == 1  # no style sheet added to the page
    assert host["styleElements"] == host["before"]["styleElements"]
    assert host["adopted"] == 0 and host["hostStyle"] is None

    widget = Widget(driver, "#find-help")

    # Labelled fields, a search landmark, a polite status.
    labels = widget.js("['q', 'near'].map(id => root.getElementById(id).labels[0].textContent)")
    assert labels == ["Need or keyword", "ZIP code"]
    assert widget.js("root.querySelector('form').getAttribute('role')") == "search"
    assert widget.js("root.querySelector('[role=status]').getAttribute('aria-live')") == "polite"
    assert widget.js("root.mode") == "open"

    # ... and the host's styles did not reach into it (its own fonts, colours and sizes).
    assert widget.style("button.search", "background-color") == DEFAULT_ACCENT
    assert widget.style("h3", "color") == "rgb(26, 26, 26)"
    assert widget.style("input", "font-size") == "16px"
    assert "Serif" not in widget.style("form", "font-family")
    assert widget.style("a[href^='tel:']", "color") == DEFAULT_ACCENT

    # Then as a visitor: typing and clicking.
    widget.search("food bank", "60623")
    assert "resources found within 10 mi of Chicago, IL 60623" in widget.status(), widget.status()
    results = widget.results()
    assert 1 <= len(results) <= 5
    for r in results:
        assert r["name"]
        assert any("Food pantry" in w for w in r["why"]), r
        assert "Today" in r["text"] and "mi away" in r["text"], r["text"]
        assert "Why it matched" in r["text"]
    tels = [t for r in results for t in r["tel"]]
    assert tels and all(re.fullmatch(r"tel:\+1\d{10}", t) for t in tels)
    assert any("2888 W 26th St" in r["text"] for r in results)
    driver.execute_script("window.scrollTo(0, 0)")
    lead = screenshot(driver, "widget-host-results")
    shutil.copyfile(lead, LEAD_SCREENSHOT)

    # More results: the next page appended below the first.
    total = int(re.match(r"(\d+) resources found", widget.status()).group(1))
    assert total > 5 and widget.status().endswith("Showing 5.")
    widget.js("root.querySelector('button.more-results').click()")
    wait_until(driver, lambda: len(widget.results()) == min(10, total), what="more results")
    assert [r["name"] for r in widget.results()[:5]] == [r["name"] for r in results]

    # A confidential location says so and gives no address.
    widget.search("safe shelter", "60639")
    confidential = [r for r in widget.results() if "Confidential location" in r["text"]]
    assert confidential and all(r["tel"] for r in confidential)
    assert all("mi away" not in r["text"] for r in confidential)

    # A phone-sized screen: no sideways scrolling.
    with viewport(driver, 375, 812, mobile=True):
        assert driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth"
        )
        screenshot(driver, "widget-host-phone", full_page=False)

    # Only the partner's site and the service were asked for anything.
    urls = [r["url"] for r in drain_requests(driver)] + resource_urls(driver)
    assert {urlsplit(u).path for u in urls} >= {"/host.html", "/widget.js", "/v1/search"}
    assert not outside_of(urls, sites["host"], sites["live"])


def test_custom_properties_on_the_host_div_theme_the_widget(driver, sites):
    driver.get(sites["host"] + "/host.html")
    widget = Widget(driver, "#find-help")
    assert widget.style("button.search", "background-color") == DEFAULT_ACCENT
    driver.execute_script(
        "const host = document.querySelector('#find-help');"
        "host.style.setProperty('--linkage-accent', 'rgb(0, 100, 0)');"
        "host.style.setProperty('--linkage-radius', '0px');"
        "host.style.setProperty('--linkage-bg', 'rgb(240, 255, 240)');"
    )
    assert widget.style("button.search", "background-color") == "rgb(0, 100, 0)"
    assert widget.style("button.search", "border-top-left-radius") == "0px"
    assert widget.style(".widget", "background-color") == "rgb(240, 255, 240)"
    widget.search("food bank", "60623")
    assert widget.style("article.result", "border-left-color") == "rgb(0, 100, 0)"
    # The host's own paragraph is still the host's.
    assert (
        driver.execute_script("return getComputedStyle(document.querySelector('p.intro')).color")
        == "rgb(128, 0, 0)"
    )
    screenshot(driver, "widget-host-themed")


def test_a_key_not_allowed_for_the_site_shows_the_403_in_the_widget(driver, sites):
    driver.get(sites["host"] + "/denied.html")
    widget = Widget(driver, "#help")  # data-target
    assert widget.js("root.getElementById('near').value") == "60623"  # data-zip
    widget.search("food bank")
    error = widget.error()
    assert error.startswith("This site may not use this search"), error
    assert f"may not be used from {sites['host']}" in error, error
    assert widget.js("root.querySelector('[role=alert]').getAttribute('role')") == "alert"
    assert not widget.results()
    screenshot(driver, "widget-denied")


def test_unknown_keys_and_rate_limits_are_said_in_plain_words(driver, sites):
    driver.get(sites["host"] + "/refusals.html")
    unknown = Widget(driver, "#unknown")
    unknown.search("food bank")
    assert unknown.error() == "This search box is not set up correctly: unknown API key."
    # One search a minute (counted per gunicorn worker, two of them): the third at the latest
    # is refused, with the wait the API asks for.
    slow = Widget(driver, "#slow")
    for _ in range(3):
        slow.search("food bank")
        if slow.error():
            break
    assert re.fullmatch(r"Too many searches right now\. Try again in \d+ seconds\.", slow.error())
    screenshot(driver, "widget-refusals")


def test_the_frame_shows_on_the_keys_own_site_only(driver, sites):
    driver.get(sites["host"] + "/frames.html")
    driver.switch_to.frame(driver.find_element("css selector", "#allowed"))
    try:
        widget = Widget(driver, "#search")
        assert driver.execute_script("return location.origin") == sites["live"]
        assert driver.execute_script("return document.querySelector('h1').textContent") == (
            "Find community resources"
        )
        widget.search("food bank", "60623")
        results = widget.results()
        assert results and all(any("Food pantry" in w for w in r["why"]) for r in results)
        assert any(r["tel"] for r in results)
    finally:
        driver.switch_to.default_content()
    # The other key lists another site: the browser refuses to show its frame here.
    driver.switch_to.frame(driver.find_element("css selector", "#refused"))
    try:
        wait_until(
            driver,
            lambda: driver.execute_script("return document.readyState") == "complete",
            what="the refused frame to settle",
        )
        assert driver.execute_script("return location.href").startswith("chrome-error:")
        assert driver.execute_script("return document.querySelector('#search')") is None
    finally:
        driver.switch_to.default_content()
    refusals = [
        e["message"] for e in driver.get_log("browser") if "frame-ancestors" in e["message"]
    ]
    assert any(f'"frame-ancestors {ELSEWHERE}"' in m for m in refusals), refusals
    screenshot(driver, "widget-frame")


def test_demo_page_shows_the_widget_and_the_frame(driver, sites):
    driver.get(sites["live"] + "/embed/demo")
    widget = Widget(driver, "#demo-widget")
    assert widget.style("button.search", "background-color") == DEMO_ACCENT
    snippets = driver.execute_script(
        "return Array.from(document.querySelectorAll('pre code')).map(c => c.textContent)"
    )
    assert any(f'<script src="{sites["live"]}/widget.js"' in s for s in snippets)
    assert any("<iframe" in s and "/embed/frame?key=" in s for s in snippets)
    widget.search("food bank")  # the ZIP code came with data-zip
    assert "within 10 mi of Chicago, IL 60623" in widget.status()
    assert widget.results()
    driver.switch_to.frame(driver.find_element("css selector", "#demo-frame"))
    try:
        framed = Widget(driver, "#search")
        framed.search("rent help", "60623")
        assert framed.results(), framed.status() or framed.error()
    finally:
        driver.switch_to.default_content()
    screenshot(driver, "widget-demo")


def sections(widget: Widget) -> list[dict]:
    """The widget's result lists in order: each one's heading (None for the local results) and
    the names of its cards."""
    return widget.js(
        "Array.from(root.querySelectorAll('ol.results')).filter(l => !l.closest('[hidden]'))"
        ".map(l => ({heading: l.getAttribute('aria-labelledby')"
        "  ? root.getElementById(l.getAttribute('aria-labelledby')).textContent : null,"
        " names: Array.from(l.querySelectorAll('article.result h3')).map(h => h.textContent)}))"
    )


def test_widget_shows_local_results_first_then_phone_and_online(driver, sites):
    # What the API says of each result's reach, for the same search the widget makes.
    answer = requests.get(
        sites["live"] + "/v1/search",
        params={"q": "crisis", "near": "60623", "per_page": 5},
        headers={"X-API-Key": TEST_KEY, "Origin": sites["host"]},
        timeout=30,
    ).json()
    by_reach: dict[str, list[str]] = {}
    for r in answer["results"]:
        by_reach.setdefault(r["reach"], []).append(r["service_name"])
    assert by_reach.get("local") and by_reach.get("remote"), by_reach  # the sample has both

    driver.get(sites["host"] + "/host.html")
    widget = Widget(driver, "#find-help")
    widget.search("crisis", "60623")
    shown = sections(widget)
    headings = [s["heading"] for s in shown]
    order = [None, "Serves your area", "Phone and online"]
    assert headings == [h for h in order if h in headings], headings  # only those with results
    assert shown[0]["names"] == by_reach["local"]
    assert shown[-1] == {"heading": "Phone and online", "names": by_reach["remote"]}
    # A phone or online service says how it is reached, not how far its office is.
    remote = [r for r in widget.results() if r["name"] in by_reach["remote"]]
    assert remote and all("How to reach" in r["text"] for r in remote)
    assert all("mi away" not in r["text"] for r in remote)
    assert axe_violations(driver) == []
    screenshot(driver, "widget-reach-sections")


def test_widget_speaks_the_host_pages_language(driver, sites):
    drain_requests(driver)
    driver.get(sites["host"] + "/spanish.html")  # <html lang="es-MX">
    # Drawn once its Spanish words are in; through DevTools alone, so that what the page holds
    # of its own afterwards is what the widget left: no global.
    drawn = evaluate(
        driver,
        "(() => { const root = document.querySelector('#ayuda').shadowRoot;"
        " const label = root && root.querySelector('label[for=q]');"
        " return label && label.textContent; })()",
    )
    assert drawn == "Necesidad o palabra clave"
    added = evaluate(
        driver,
        "JSON.stringify(Object.getOwnPropertyNames(window).filter("
        " n => !window.hostBefore.globals.includes(n) && n !== 'hostBefore'))",
    )
    assert added == "[]", added
    widget = Widget(driver, "#ayuda")
    labels = widget.js("['q', 'near'].map(id => root.getElementById(id).labels[0].textContent)")
    assert labels == ["Necesidad o palabra clave", "Código postal"]
    assert widget.js("root.querySelector('button.search').textContent") == "Buscar"
    assert widget.js("root.querySelector('.widget').lang") == "es"
    assert widget.js("root.getElementById('near').value") == "60623"  # data-zip

    widget.search("despensa de comida")  # a Spanish query finds the pantries (issue 10)
    status = widget.status()
    assert re.fullmatch(
        r"Se encontraron \d+ recursos a menos de 10 millas de Chicago, IL 60623\.( Se muestran \d+\.)?",
        status,
    ), status
    results = widget.results()
    assert results and all("Teléfono" in r["text"] for r in results)
    assert any("millas" in r["text"] for r in results)
    assert axe_violations(driver) == []
    screenshot(driver, "widget-spanish")

    # Its words came from the service: no other host was asked for anything.
    urls = [r["url"] for r in drain_requests(driver)] + resource_urls(driver)
    assert f"{sites['live']}/embed/messages/es.json" in urls
    assert not outside_of(urls, sites["host"], sites["live"])

    # An English page may ask for the Spanish widget with data-lang, and offer the switch.
    driver.get(sites["host"] + "/chosen.html")
    chosen = Widget(driver, "#busqueda")
    chosen.search("")
    assert chosen.error() == "Escriba una necesidad o palabra clave, o un código postal."
    chosen.search("food bank", "60623")
    assert chosen.status().startswith("Se encontraron"), chosen.status()
    switch = "Array.from(root.querySelectorAll('.lang-switch button'))"
    assert chosen.js(f"{switch}.map(b => [b.textContent, b.getAttribute('aria-pressed')])") == [
        ["English", "false"],
        ["Español", "true"],
    ]
    chosen.js(f"{switch}[0].click()")
    # Drawn again in English, in place: the words and ZIP code kept, the search made again.
    wait_until(
        driver,
        lambda: (
            chosen.js("root.querySelector('.widget').lang") == "en"
            and chosen.status().endswith(".")
        ),
        what="the widget in English",
    )
    assert chosen.js("root.querySelector('button.search').textContent") == "Search"
    assert chosen.js("[root.getElementById('q').value, root.getElementById('near').value]") == [
        "food bank",
        "60623",
    ]
    assert "resources found within 10 mi of Chicago, IL 60623" in chosen.status()
    assert chosen.js("root.activeElement && root.activeElement.textContent") == "English"
    screenshot(driver, "widget-switched-to-english")


def test_the_frame_in_spanish_starts_at_the_partners_zip(driver, sites):
    driver.get(sites["host"] + "/frame-es.html")
    driver.switch_to.frame(driver.find_element("css selector", "#marco"))
    try:
        widget = Widget(driver, "#search")
        assert driver.execute_script("return document.documentElement.lang") == "es"
        assert driver.execute_script("return document.querySelector('h1').textContent") == (
            "Buscar recursos comunitarios"
        )
        assert widget.js("root.getElementById('near').value") == "60623"  # near= in its address
        widget.search("rent help")
        assert widget.status().startswith("Se encontraron"), widget.status() or widget.error()
        assert axe_violations(driver) == []
        driver.switch_to.default_content()
        screenshot(driver, "widget-frame-spanish")

        # Its switch draws the frame again in English, at the same address but for `lang`.
        driver.switch_to.frame(driver.find_element("css selector", "#marco"))
        widget.js("root.querySelector('.lang-switch button[lang=en]').click()")
        wait_until(
            driver,
            lambda: driver.execute_script("return document.documentElement.lang") == "en",
            what="the frame in English",
        )
        widget = Widget(driver, "#search")
        assert driver.execute_script("return document.querySelector('h1').textContent") == (
            "Find community resources"
        )
        assert widget.js("root.getElementById('near').value") == "60623"
        assert driver.execute_script("return location.search") == (
            f"?key={TEST_KEY}&near=60623&lang=en"
        )
    finally:
        driver.switch_to.default_content()
