"""Headless Debian Chromium driven by Selenium, for the page's browser tests.

Only the machine's own Chromium and ChromeDriver are used (/usr/bin/chromium,
/usr/bin/chromedriver, installed by scripts/browser): Selenium is given the driver's path, so
Selenium Manager never runs and nothing is downloaded.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("LINKAGE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("LINKAGE_CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOTS = ROOT / "tests" / ".artifacts" / "screenshots"
# axe-core from the project's npm install step (package.json; `make` runs `npm ci`).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The rules the page must pass: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Without the background-networking flags Chromium keeps calling Google's hosts, which a
# closed network refuses; --no-sandbox because tests may run as root.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--window-size=1280,900",
)


def _installed() -> bool:
    return CHROMIUM.is_file() and CHROMEDRIVER.is_file()


def browser_missing_reason() -> str | None:
    """None when Chromium and ChromeDriver are usable (installing them first as root), else
    why the browser tests must be skipped."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not _installed() and os.geteuid() == 0:
        subprocess.run([str(ROOT / "scripts" / "browser")], check=False, timeout=900)
    if not _installed():
        return (
            f"no Chromium ({CHROMIUM}) or ChromeDriver ({CHROMEDRIVER}), and not root to install "
            "them: run `sudo apt-get install chromium chromium-driver` (or scripts/browser as root)"
        )
    return None


@contextmanager
def chromium() -> Iterator:
    """One headless Chromium with a fresh profile; network events are logged (see requests)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="linkage-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def drain_requests(driver) -> list[dict]:
    """Every request the browser sent since the last call, from the DevTools Network events:
    dicts with url, method and postData (when there was a body)."""
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            request = message["params"]["request"]
            requests.append(
                {
                    "url": request["url"],
                    "method": request["method"],
                    "postData": request.get("postData"),
                }
            )
    return requests


def resource_urls(driver) -> list[str]:
    """The URLs in the page's own performance entries (navigation and resources)."""
    return driver.execute_script(
        "return performance.getEntriesByType('navigation').map(e => e.name)"
        ".concat(performance.getEntriesByType('resource').map(e => e.name));"
    )


def outside_requests(urls: list[str], base_url: str) -> list[str]:
    """The URLs that went to any host other than the server under test."""
    own = urlsplit(base_url).netloc
    outside = []
    for url in urls:
        parts = urlsplit(url)
        # The browser's own pages (its new-tab page, chrome://...) are no network request.
        if parts.scheme in ("data", "blob", "about", "chrome-error", "chrome", "chrome-untrusted"):
            continue
        if parts.netloc != own:
            outside.append(url)
    return sorted(set(outside))


def wait_until(
    driver, condition: Callable[[], object], timeout: float = 15, what: str = "the page"
) -> object:
    """Poll `condition` until it returns something truthy; fail with `what` and page errors."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # stale elements while the page re-renders
            last_error = exc
        time.sleep(0.1)
    errors = driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=alert]')).map(e => e.textContent)"
    )
    raise AssertionError(
        f"timed out waiting for {what}; alerts: {errors}; last error: {last_error}"
    )


def screenshot(driver, name: str, full_page: bool = True) -> Path:
    """A PNG of the page (the whole page, not only the window) in tests/.artifacts/screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        viewport = metrics.get("cssLayoutViewport") or metrics["layoutViewport"]
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": viewport["clientWidth"],
                    "height": min(size["height"], 12000),
                    "scale": 1,
                },
            },
        )
        path.write_bytes(base64.b64decode(shot["data"]))
    else:
        driver.save_screenshot(str(path))
    return path


@contextmanager
def viewport(driver, width: int, height: int, mobile: bool = False) -> Iterator[None]:
    """Emulate a screen of this size (e.g. a 375 px phone) for the duration."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@contextmanager
def print_media(driver) -> Iterator[None]:
    """Render with the print style sheet, as the page would be printed."""
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def axe_violations(driver, context: str | None = None) -> list[dict]:
    """axe-core's WCAG A/AA violations on the page as it is now (or inside the `context` CSS
    selector): [] when it passes. Each is axe's id, impact, help and the failing nodes' targets
    and summaries, ready for an assertion message. Skips the test when axe-core is absent.

    axe is injected through WebDriver, which the page's Content-Security-Policy does not
    govern, so the page needs no exception for it."""
    import pytest

    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE} missing): run `npm ci` (make does)")
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(arguments[0] || document, {runOnly: {type: 'tag', values: arguments[1]}})"
        ".then(function (r) { done(r.violations); }, function (e) { done({error: String(e)}); });",
        context,
        list(AXE_TAGS),
    )
    if isinstance(result, dict):
        raise AssertionError(f"axe-core failed to run: {result['error']}")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [
                {"target": n["target"], "summary": n.get("failureSummary", "")} for n in v["nodes"]
            ],
        }
        for v in result
    ]
