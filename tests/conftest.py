"""Fixtures: the real local Elasticsearch node, the sample directory loaded once, the app."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from indexer.cli import main as indexer_cli
from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.app import create_app
from linkage.config import Settings
from linkage.search.client import make_client
from linkage.taxonomy import load_taxonomy
from tests.servers import TEST_KEY, gunicorn, write_test_keys
from tests.tcpproxy import TcpProxy

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "chicago.json"
SHARED = ROOT.parent / "shared"
# LINKAGE_TEST_ALIAS lets two runs share one node without loading into each other.
TEST_ALIAS = os.environ.get("LINKAGE_TEST_ALIAS", "linkage-test-resources")
# Wednesday 25 November 2026, 3:00 PM in Chicago: most weekday services are open.
WEDNESDAY_AFTERNOON = datetime(2026, 11, 25, 15, 0, tzinfo=ZoneInfo("America/Chicago"))


requires_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="../shared (reference files and third-party datasets) is absent"
)


@pytest.fixture(scope="session")
def keys_file(tmp_path_factory) -> Path:
    return write_test_keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
def settings(keys_file) -> Settings:
    return Settings.from_env(index_alias=TEST_ALIAS, partner_keys=str(keys_file))


@pytest.fixture(scope="session")
def es(settings):
    # Loading goes through bulk requests, which take longer than a search: a longer timeout.
    client = make_client(settings).options(request_timeout=120)
    try:
        client.cluster.health(wait_for_status="yellow", timeout="30s")
    except Exception as exc:  # the suite is meaningless without the node: say so once
        pytest.exit(
            f"Elasticsearch is not reachable at {settings.elasticsearch_url}: {exc}. "
            "Start it with scripts/elasticsearch start (make test does).",
            returncode=3,
        )
    return client


def codes(record: dict, taxonomy_name: str) -> list[str]:
    """The codes of an HSDS record's attributes in one taxonomy."""
    return [
        a["taxonomy_term"]["code"]
        for a in record.get("attributes") or ()
        if a["taxonomy_term"].get("taxonomy") == taxonomy_name
    ]


@pytest.fixture(scope="module")
def driver():
    """Headless Debian Chromium (tests.browser), one per test module; skipped if absent."""
    from tests.browser import browser_missing_reason, chromium

    reason = browser_missing_reason()
    if reason:
        pytest.skip(reason)
    with chromium() as browser:
        yield browser


@pytest.fixture
def proxy(settings):
    """A TCP proxy in front of the real node, to cut or stall the link (tests.tcpproxy)."""
    target = urlparse(settings.elasticsearch_url)
    p = TcpProxy(target.hostname, target.port)
    yield p
    p.close()


@pytest.fixture(scope="session")
def taxonomy():
    return load_taxonomy()


@pytest.fixture(scope="session")
def sample_index(es, settings, taxonomy):
    """The sample directory, loaded once into the test alias through the real indexer."""
    es.options(ignore_status=404).indices.delete(index=f"{settings.index_alias}*")  # a clean slate
    converter = Converter("sample", taxonomy, settings.default_timezone)
    report = rebuild(es, settings.index_alias, read_hsds_json(SAMPLE), converter)
    assert report.rejected == 0, report.rejections[:5]
    return report


@pytest.fixture
def app(settings, sample_index):
    return create_app({"SETTINGS": settings, "CLOCK": lambda: WEDNESDAY_AFTERNOON, "TESTING": True})


def api_client(app):
    """A test client that presents the test partner key (every scope) on every request."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {TEST_KEY}"
    return test_client


@pytest.fixture
def client(app):
    return api_client(app)


class IndexerRunner(CliRunner):
    """click's CliRunner bound to the indexer's command line, as Flask's test_cli_runner is to
    the app's: `invoke(["load", path, "--quiet"], env=..., input=...)`."""

    def invoke(self, args=None, **kwargs) -> Result:
        return super().invoke(indexer_cli, args, **kwargs)


@pytest.fixture(scope="session")
def runner() -> IndexerRunner:
    """The indexer's command line run in-process (session-wide: module fixtures load with it)."""
    return IndexerRunner()


@pytest.fixture(scope="session")
def live_server(sample_index, keys_file):
    """The real service: gunicorn on loopback, reading the test alias."""
    with gunicorn(
        {"LINKAGE_INDEX_ALIAS": TEST_ALIAS, "LINKAGE_PARTNER_KEYS": str(keys_file)}
    ) as url:
        yield url
