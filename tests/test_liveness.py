"""A node that stops answering (frozen, partitioned) while the service runs: searches end in a 503
within the deadline, and /healthz, which never waits on Elasticsearch, answers at once.

The frozen node is a loopback TCP server that accepts connections and never answers, as a node
stopped with SIGSTOP looks to a client (the kernel still completes the handshake); the shared
Elasticsearch node is never frozen.
"""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from elastic_transport import ConnectionTimeout

from linkage.search.client import CallGate
from tests.servers import TEST_KEY, gunicorn, write_test_keys

# gunicorn's worker timeout (its default, which tests.servers.gunicorn keeps; `make serve` sets
# the same 30 s): a request not answered by then is a killed worker, not a 503.
GUNICORN_TIMEOUT = 30
THREADS = 4
SLOTS = THREADS - 1  # LINKAGE_ELASTICSEARCH_CONCURRENCY: calls that may wait on the node


class FrozenNode:
    """Accepts connections and never answers; counts the connections, and the calls that gave
    up waiting (the client closed its connection: its per-try timeout ended the wait).

    It reads what it is sent (a frozen node's kernel buffers it all the same), only to see the
    client close."""

    def __init__(self):
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self.given_up = 0
        self._accepted = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._accepted:
                self._held.append(conn)
                self._accepted.notify_all()
            threading.Thread(target=self._drain, args=(conn,), daemon=True).start()

    def _drain(self, conn: socket.socket) -> None:
        try:
            while conn.recv(65536):
                pass
        except OSError:
            return
        with self._accepted:
            self.given_up += 1

    def wait_for_connections(self, count: int) -> None:
        with self._accepted:
            assert self._accepted.wait_for(lambda: len(self._held) >= count, GUNICORN_TIMEOUT)

    def close(self) -> None:
        self._server.close()
        with self._accepted:
            for conn in self._held:
                conn.close()


@pytest.fixture
def frozen_node():
    node = FrozenNode()
    yield node
    node.close()


def test_a_frozen_node_gives_503_in_time_while_healthz_answers_at_once(frozen_node, tmp_path):
    env = {
        "ELASTICSEARCH_URL": frozen_node.url,
        "LINKAGE_PARTNER_KEYS": str(write_test_keys(tmp_path)),
        # The old per-try timeout and retry: 2 × 5 s per call, more than the deadline allows.
        "LINKAGE_ELASTICSEARCH_TIMEOUT": "5",
        "LINKAGE_ELASTICSEARCH_RETRIES": "1",
        "LINKAGE_ELASTICSEARCH_DEADLINE": "8",
        "LINKAGE_ELASTICSEARCH_CONCURRENCY": str(SLOTS),
    }
    headers = {"Authorization": f"Bearer {TEST_KEY}"}

    def search(i: int) -> tuple[requests.Response, float]:
        started = time.monotonic()
        response = requests.get(
            f"{base}/v1/search", params={"q": f"food {i}"}, headers=headers,
            timeout=GUNICORN_TIMEOUT,
        )  # fmt: skip
        return response, time.monotonic() - started

    with gunicorn(env, workers=1, threads=THREADS) as base, ThreadPoolExecutor(8) as pool:
        # More searches than the worker has threads, as traffic keeps coming to a frozen node.
        searches = [pool.submit(search, i) for i in range(2 * THREADS)]
        frozen_node.wait_for_connections(SLOTS)  # every slot is waiting on the node
        health = requests.get(f"{base}/healthz", timeout=GUNICORN_TIMEOUT)
        given_up_before_health = frozen_node.given_up
        answers = [f.result() for f in searches]

    assert health.status_code == 200 and health.json() == {"status": "ok"}
    # /healthz did not wait for a thread to come free: when it answered, no call waiting on the
    # node had given up yet (a thread frees only after its call gives up and closes).
    assert given_up_before_health == 0
    for response, took in answers:
        assert response.status_code == 503
        assert response.json()["code"] == 503 and response.headers["Retry-After"]
        assert "did not answer in time" in response.json()["message"]
        assert took < GUNICORN_TIMEOUT  # a 503, not a worker killed by gunicorn


def test_after_a_failure_one_call_probes_the_node_and_the_others_are_refused():
    gate = CallGate(slots=3)
    with pytest.raises(ConnectionTimeout), gate.call():
        raise ConnectionTimeout("the node did not answer")
    # The probe is out: a second call is refused at once.
    with gate.call(), pytest.raises(ConnectionTimeout), gate.call():
        pass
    with gate.call(), gate.call():  # the probe was answered: calls go through again
        pass


def test_a_call_finding_every_slot_held_by_a_slow_call_is_refused():
    gate = CallGate(slots=1, slow_seconds=0)
    with gate.call(), pytest.raises(ConnectionTimeout), gate.call():
        pass
    with gate.call():  # the slot is free again
        pass
