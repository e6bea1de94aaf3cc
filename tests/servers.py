"""Run the real service under gunicorn on a loopback port (tests and benchmarks)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import requests

from linkage.access.partners import hash_key

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(
    env: dict[str, str], workers: int = 2, threads: int = 4, log_path: Path | None = None
) -> Iterator[str]:
    """Serve wsgi:app with `env` added to the environment; yields the base URL. Its log lines
    go to `log_path` when given (a test reads them), else to a file removed afterwards."""
    port = free_port()
    # Its log lines go to a file: a pipe nobody reads would fill and stall the workers.
    log = (
        log_path.open("wb")
        if log_path
        else tempfile.NamedTemporaryFile(prefix="linkage-gunicorn-", suffix=".log")  # noqa: SIM115
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
         "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--no-control-socket",  # one a user: not shared
         # gunicorn's longest request line (its HTML 414 above it); the app answers its own
         # 414 above linkage.api.limits.MAX_URL_BYTES, as under `make serve`.
         "--limit-request-line", "8190", "wsgi:app"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url + "/healthz", timeout=1).ok:
                    break
            except (requests.ConnectionError, requests.Timeout):  # workers still starting
                if proc.poll() is not None or time.monotonic() > deadline:
                    output = Path(log.name).read_bytes().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"gunicorn did not start:\n{output}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()  # reaped: a Popen left running warns when collected
        log.close()


def serve_loopback(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """`handler` served in a thread on a free loopback port (port 0: the system picks one);
    stop it with stop_server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_server(server: ThreadingHTTPServer) -> None:
    server.shutdown()
    server.server_close()  # its listening socket too


class NominatimStandIn:
    """A loopback server answering Nominatim's /search protocol from a fixed table.

    The machine has no internet; geopy's real Nominatim client talks to this. `asked` counts
    the lookups it received."""

    def __init__(self, known: dict[str, tuple[float, float]]):
        self.known = {k.lower(): v for k, v in known.items()}
        self.asked: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
                stand_in.asked.append(query)
                found = stand_in.known.get(query.lower())
                body = (
                    [{"lat": str(found[0]), "lon": str(found[1]), "display_name": query}]
                    if found
                    else []
                )
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = serve_loopback(Handler)
        self.domain = f"127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        stop_server(self.server)


TEST_KEY = "test-partner-key-with-every-scope"


def write_test_keys(
    folder: Path, origins: tuple[str, ...] = (), rate_limit: str = "100000/minute"
) -> Path:
    """A partner keys file with one key (TEST_KEY) that has every scope; its path."""
    path = folder / "partner-keys.json"
    path.write_text(json.dumps([{
        "name": "test-suite", "key_sha256": hash_key(TEST_KEY), "origins": list(origins),
        "rate_limit": rate_limit, "scopes": ["search", "match", "import"],
    }]))  # fmt: skip
    return path


@contextlib.contextmanager
def keyed_service(alias: str) -> Iterator[tuple[str, requests.Session]]:
    """The service on `alias` with a throw-away partner key: its URL, and a session presenting
    the key (benchmarks)."""
    with tempfile.TemporaryDirectory() as folder:
        keys = write_test_keys(Path(folder))
        with gunicorn({"LINKAGE_INDEX_ALIAS": alias, "LINKAGE_PARTNER_KEYS": str(keys)}) as base:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {TEST_KEY}"
            yield base, session
