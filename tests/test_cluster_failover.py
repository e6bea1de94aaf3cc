"""A node of three dies: searches go on, an import completes or fails cleanly, the cluster heals.

The cluster is the local one `scripts/elasticsearch cluster start 3` runs (ports from
LINKAGE_CLUSTER_PORT_BASE, beside the single node the rest of the suite uses); this module
starts it and stops it, whatever happens. The service runs under gunicorn, given every node.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
import requests

from devtools.synthetic import generate_services, write_records
from indexer.formats.hsds_json import read as read_hsds_json
from indexer.hsds import Converter
from indexer.load import rebuild
from linkage.config import Settings
from linkage.search.client import make_client
from linkage.search.index import ResourceIndex
from tests.conftest import SAMPLE, TEST_ALIAS
from tests.servers import TEST_KEY, gunicorn

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "elasticsearch"
NODES = 3
UNAVAILABLE = 4  # the script's exit status when Java or Elasticsearch cannot be had
SEARCH = "/v1/search?q=food&near=60614"
SYNTHETIC_RECORDS = 2000


def script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=900, check=False
    )


def restart_missing_nodes() -> None:
    """`cluster start` starts only the nodes that are not running."""
    started = script("cluster", "start", str(NODES))
    said = [line for line in started.stderr.splitlines() if line.startswith("[elasticsearch]")]
    assert started.returncode == 0, "\n".join([*said, started.stderr[-2000:]])


@pytest.fixture(scope="module")
def cluster(keys_file, taxonomy) -> Iterator[tuple[Settings, object]]:
    """The three-node cluster with the sample loaded behind the test alias; stopped at the end."""
    started = script("cluster", "start", str(NODES))
    try:
        if started.returncode == UNAVAILABLE:
            pytest.skip(f"no local cluster: {started.stderr.strip().splitlines()[-1]}")
        assert started.returncode == 0, started.stderr[-3000:]
        urls = re.search(r"ELASTICSEARCH_URL=(\S+)", started.stdout)[1]  # every node's
        settings = Settings.from_env(
            elasticsearch_url=urls, index_alias=TEST_ALIAS, partner_keys=str(keys_file)
        )
        es = make_client(settings).options(request_timeout=180)
        es.options(ignore_status=404).indices.delete(index=f"{TEST_ALIAS}*")  # a clean slate
        converter = Converter("sample", taxonomy, settings.default_timezone)
        report = rebuild(es, TEST_ALIAS, read_hsds_json(SAMPLE), converter)
        assert report.rejected == 0, report.rejections[:5]
        yield settings, es
        es.options(ignore_status=404).indices.delete(index=f"{TEST_ALIAS}*")
    finally:
        script("cluster", "stop")


@pytest.fixture(scope="module")
def service(cluster, keys_file) -> Iterator[str]:
    settings, _ = cluster
    env = {
        "ELASTICSEARCH_URL": settings.elasticsearch_url,
        "LINKAGE_INDEX_ALIAS": TEST_ALIAS,
        "LINKAGE_PARTNER_KEYS": str(keys_file),
    }
    with gunicorn(env) as url:
        yield url


def primary_holder(es, index: str) -> str:
    """The name of the node holding the index's (only) primary shard, once it has started."""
    es.cluster.health(index=index, wait_for_active_shards=1, timeout="60s")
    shards = es.cat.shards(index=index, format="json", h="prirep,state,node")
    return next(s["node"] for s in shards if s["prirep"] == "p" and s["state"] == "STARTED")


def kill(es, node: str) -> None:
    """kill -9 the node's process (its pid as the node itself reports it)."""
    found = es.nodes.info(metric="process", filter_path="nodes.*.name,nodes.*.process.id")
    pid = next(n["process"]["id"] for n in found["nodes"].values() if n["name"] == node)
    os.kill(pid, signal.SIGKILL)
    # SIGKILL lands asynchronously: until the process is gone, `cluster start` would take the
    # node for running and not start it again.
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    """Whether the process exists and is not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_green(es) -> dict:
    return es.cluster.health(wait_for_status="green", wait_for_nodes=NODES, timeout="150s")


class SearchTraffic:
    """Threads searching the service without pause; every answer that is not a 200 with
    results, and every request that fails, is kept in `failures`."""

    def __init__(self, url: str, threads: int = 3):
        self.url = url
        self.failures: list[str] = []
        self.answered = 0
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._search, daemon=True) for _ in range(threads)]

    def _search(self) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {TEST_KEY}"
            while not self._stop.is_set():
                try:
                    response = session.get(self.url + SEARCH, timeout=30)
                    failure = (
                        None
                        if response.status_code == 200 and response.json()["results"]
                        else f"{response.status_code}: {response.text[:200]}"
                    )
                except requests.RequestException as exc:
                    failure = repr(exc)
                with self._lock:
                    if failure:
                        self.failures.append(failure)
                    self.answered += 1
                    self._lock.notify_all()

    def wait_for(self, more: int) -> None:
        """Until `more` further searches have been answered."""
        with self._lock:
            target = self.answered + more
            assert self._lock.wait_for(lambda: self.answered >= target, timeout=300)

    @contextlib.contextmanager
    def running(self) -> Iterator[SearchTraffic]:
        for thread in self._threads:
            thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join(timeout=60)


def test_the_client_is_given_every_node():
    client = make_client(Settings(elasticsearch_url="http://127.0.0.1:9250, http://127.0.0.1:9251"))
    hosts = sorted(node.config.port for node in client.transport.node_pool.all())
    assert hosts == [9250, 9251]


@pytest.mark.slow  # three nodes start, and one is killed and restarted
def test_searches_go_on_when_the_node_holding_the_primary_dies(cluster, service):
    _, es = cluster
    live = ResourceIndex.on(es, TEST_ALIAS).source_indices("sample")
    assert len(live) == 1
    assert wait_green(es)["status"] == "green"  # the sample's replica is in place
    with SearchTraffic(service).running() as traffic:
        traffic.wait_for(30)
        kill(es, primary_holder(es, live[0]))
        traffic.wait_for(60)  # searches after the kill, while the cluster reorganises
    assert traffic.failures == []
    restart_missing_nodes()
    assert wait_green(es)["status"] == "green"


@pytest.mark.slow
def test_a_full_import_whose_primary_node_dies_completes_or_fails_cleanly(
    cluster, service, tmp_path
):
    settings, es = cluster
    resources = ResourceIndex.on(es, TEST_ALIAS)
    live_before = resources.source_indices("sample")
    records = tmp_path / "synthetic.json"
    with records.open("w") as out:
        write_records(generate_services(SYNTHETIC_RECORDS, seed=14), out)
    env = {**os.environ, "ELASTICSEARCH_URL": settings.elasticsearch_url,
           "LINKAGE_INDEX_ALIAS": TEST_ALIAS}  # fmt: skip
    with SearchTraffic(service).running() as traffic:
        with (tmp_path / "load.log").open("w+") as log:
            load = subprocess.Popen(
                [sys.executable, "-m", "indexer", "load", str(records), "--source", "synthetic",
                 "--quiet", "--report", str(tmp_path / "report.json")],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                # The new index is made, then filled: kill its primary's node while it fills.
                new_index = None
                while new_index is None and load.poll() is None:
                    new_index = next(iter(resources.built_indices("synthetic")), None)
                    time.sleep(0.05)
                assert new_index is not None, "the load ended before its index was made"
                kill(es, primary_holder(es, new_index))
                # Still loading when its node died: the import below really faced a failover.
                assert load.poll() is None, "the load ended before the kill: make it bigger"
                restart_missing_nodes()  # the import may wait for its shard to come back
                rc = load.wait(timeout=600)
            finally:
                if load.poll() is None:
                    load.kill()
                    load.wait()
            log.seek(0)
            output = log.read()
        traffic.wait_for(10)
    assert traffic.failures == []  # the live sample answered throughout
    assert resources.source_indices("sample") == live_before  # the alias kept its sample
    live = resources.source_indices("synthetic")
    if rc == 0:  # completed: every record loaded is live
        report = orjson.loads((tmp_path / "report.json").read_bytes())
        assert live == [new_index]
        assert report["indexed"] > SYNTHETIC_RECORDS * 0.9  # a few are duplicates of others
        assert es.count(index=new_index)["count"] == report["documents"]
    else:  # failed cleanly: said so, nothing of it went live, and its index is gone
        assert "the live index was not changed" in output, output[-3000:]
        assert live == []
        assert resources.built_indices("synthetic") == []
    assert wait_green(es)["status"] == "green"
