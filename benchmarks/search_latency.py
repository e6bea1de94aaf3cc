"""Search latency: the API under gunicorn vs the same requests sent straight to Elasticsearch.

    .venv/bin/python benchmarks/search_latency.py                      # the sample directory
    .venv/bin/python benchmarks/search_latency.py --synthetic 1000000 [--keep] [--retrieval]

Loads the directory into an alias of its own (`linkage-bench-synthetic-<N>`; deleted afterwards unless
--keep, and a kept one holding the same N is reused rather than loaded again), serves it with
gunicorn on loopback as `make serve` does (2 workers x 4 threads, rate limits counted in
memcached), then, in the same run and interleaved, sends each request of a fixed mix
(a) to the API and (b) straight to Elasticsearch: the very calls the API makes for it,
recorded once through the app in this process (its pure query builders, the query's vector
already computed), so the node does the same work on both paths. Kinds: words, need,
words + filters, and a five-need /v1/match (one _msearch). Prints p50/p95 of each kind and
their ratios, and the match against one search; --retrieval adds the API's p50 with
`retrieval=hybrid` (the default) against `retrieval=lexical`.
Figures on a shared machine are noisy: compare the ratios, not the absolute times.
benchmarks/search_throughput.py uses the same stack for requests/s at fixed concurrency.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.synthetic import generate_services  # noqa: E402
from indexer.formats.hsds_json import read as read_hsds_json  # noqa: E402
from indexer.hsds import Converter  # noqa: E402
from indexer.load import rebuild  # noqa: E402
from indexer.records import SourceRow  # noqa: E402
from linkage.access.partners import hash_key, new_key  # noqa: E402
from linkage.app import create_app  # noqa: E402
from linkage.config import Settings  # noqa: E402
from linkage.search.client import make_client, nodes  # noqa: E402
from linkage.taxonomy import load_taxonomy  # noqa: E402
from tests.servers import gunicorn  # noqa: E402

# As `make serve` counts rate limits (the round trip is part of each request's cost).
RATE_LIMIT_STORAGE = "memcached://127.0.0.1:11311"

# What case managers search for, in the sample's area (the synthetic directories cover every
# US ZIP code, Chicago's among them), by kind.
SEARCHES: dict[str, list[dict]] = {
    "words": [
        {"q": "food bank", "near": "60623"},
        {"q": "light bill", "near": "60608", "radius": 5},
        {"q": "counseling", "near": "60640", "sort": "distance"},
        {"q": "job training", "near": "60644", "per_page": 50},
        {"q": "dentist sliding scale", "near": "60612"},
    ],
    "need": [
        {"need": ["food-insecurity"], "near": "60629"},
        {"need": ["housing-instability"], "near": "60623", "radius": 15},
        {"need": ["transportation-insecurity"], "near": "60201"},
        {"category": ["shelter"], "near": "60612"},
    ],
    "words+filters": [
        {"q": "food pantry", "near": "60625", "language": "es", "age": 70, "free": True},
        {"q": "rent help", "near": "60651", "open_now": True, "delivery": ["in_person"]},
        {"q": "counseling", "near": "60640", "fees": ["free", "sliding-scale"], "age": 30},
        {"need": ["food-insecurity"], "q": "meals", "near": "60617", "serves": ["seniors"]},
    ],
}
# One AHC HRSN assessment showing five needs, and a client profile.
FIVE_NEEDS = {
    "assessment": {
        "instrument": "ahc-hrsn",
        "answers": {
            "71802-3": "LA31994-9",  # worried about losing housing → housing-instability
            "88122-7": "LA28397-0",  # food → food-insecurity
            "93030-5": "LA33-6",  # transportation → transportation-insecurity
            "96779-4": "LA33-6",  # utilities → utility-insecurity
            "96778-6": ["LA31996-4"],  # pests → inadequate-housing
        },
    },
    "client": {
        "near": "60623",
        "age": 67,
        "languages": ["es"],
        "household_size": 2,
        "income": 25000,
    },
}


@dataclass(frozen=True)
class Call:
    """One request to Elasticsearch: its endpoint under the alias and its body."""

    endpoint: str  # "_search" or "_msearch"
    body: bytes

    @property
    def content_type(self) -> str:
        return "application/x-ndjson" if self.endpoint == "_msearch" else "application/json"


@dataclass(frozen=True)
class Case:
    """One API request and the Elasticsearch calls the API makes to answer it."""

    kind: str
    path: str  # "/v1/search" or "/v1/match" (POST, JSON body)
    body: dict
    calls: tuple[Call, ...]
    places_resolved: int

    @property
    def label(self) -> str:
        shown = self.body if self.path == "/v1/search" else "five-need assessment"
        return f"{self.path} {json.dumps(shown, separators=(',', ':'))}"


@dataclass(frozen=True)
class Stack:
    """A loaded alias served by gunicorn, and the cases recorded against it."""

    alias: str
    documents: int
    api_url: str
    key: str
    es_url: str  # the alias on the node: <es>/<alias>
    cases: list[Case]
    settings: Settings

    def api_session(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.key}"
        return session


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def fetch(response: requests.Response) -> dict:
    response.raise_for_status()
    return response.json()


def load(settings: Settings, synthetic: int | None) -> None:
    client = make_client(settings).options(request_timeout=120)
    converter = Converter("bench", load_taxonomy(), settings.default_timezone)
    if synthetic:
        records = (
            SourceRow("synthetic", f"#{n}", r)
            for n, r in enumerate(
                generate_services(synthetic, seed=7, data_dir=settings.data_dir), start=1
            )
        )
    else:
        records = read_hsds_json(ROOT / "data" / "sample" / "chicago.json")
    report = rebuild(client, settings.index_alias, records, converter)
    print(f"loaded {report.documents} documents into {report.index} in {report.seconds:.1f}s")


def loaded_documents(settings: Settings) -> int:
    """Documents behind the alias now (0 without one)."""
    client = make_client(settings)
    if not client.indices.exists_alias(name=settings.index_alias):
        return 0
    return client.count(index=settings.index_alias)["count"]


def write_key(folder: Path, alias: str) -> tuple[str, Path]:
    """A throw-away partner key of its own name (its rate-limit counts are nobody else's)."""
    key, digest = new_key()
    path = folder / "partner-keys.json"
    path.write_text(json.dumps([{
        "name": alias, "key_sha256": digest, "rate_limit": "1000000/minute",
        "scopes": ["search", "match"],
    }]))  # fmt: skip
    assert hash_key(key) == digest
    return key, path


def record_cases(settings: Settings, key: str) -> list[Case]:
    """Every case of the mix with the Elasticsearch calls the app makes for it, recorded in this
    process through the API itself (bodies as its pure builders make them, vectors included)."""
    app = create_app({"SETTINGS": settings})
    rt = app.extensions["linkage"]
    index, places = rt.index, rt.places
    calls: list[Call] = []
    resolved = [0]
    search, msearch, resolve = index.search, index.msearch, places.resolve

    def record_search(**body):
        calls.append(Call("_search", orjson.dumps(body)))
        return search(**body)

    def record_msearch(searches):
        calls.append(Call("_msearch", b"".join(orjson.dumps(s) + b"\n" for s in searches)))
        return msearch(searches)

    def count_resolve(near):
        resolved[0] += 1
        return resolve(near)

    index.search, index.msearch, places.resolve = record_search, record_msearch, count_resolve
    index.timezones()  # read once here: the API reads them once a minute, not per request
    wanted = [(kind, "/v1/search", b) for kind, bodies in SEARCHES.items() for b in bodies]
    wanted.append(("match", "/v1/match", FIVE_NEEDS))
    cases = []
    with app.test_client() as http:
        for kind, path, body in wanted:
            calls.clear()
            resolved[0] = 0
            answer = http.post(path, json=body, headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 200, (path, body, answer.get_json())
            cases.append(Case(kind, path, body, tuple(calls), resolved[0]))
    return cases


@contextlib.contextmanager
def stack(synthetic: int | None, keep: bool) -> Iterator[Stack]:
    """The directory loaded into its own alias (reused when kept from a run of the same N),
    gunicorn serving it, and the cases recorded; the alias deleted afterwards unless `keep`."""
    alias = f"linkage-bench-synthetic-{synthetic}" if synthetic else "linkage-bench-sample"
    settings = Settings.from_env(index_alias=alias)
    # The alias points at an index only once a load has finished: one named for N holds N.
    if synthetic and loaded_documents(settings):
        print(f"reusing {alias}: {synthetic} services")
    else:
        load(settings, synthetic)
    documents = loaded_documents(settings)
    try:
        with tempfile.TemporaryDirectory() as folder:
            key, keys = write_key(Path(folder), alias)
            settings = Settings.from_env(
                index_alias=alias, partner_keys=str(keys), rate_limit_storage="memory://"
            )
            cases = record_cases(settings, key)
            env = {
                "LINKAGE_INDEX_ALIAS": alias,
                "LINKAGE_PARTNER_KEYS": str(keys),
                "LINKAGE_RATE_LIMIT_STORAGE": os.environ.get(
                    "LINKAGE_RATE_LIMIT_STORAGE", RATE_LIMIT_STORAGE
                ),
            }
            with gunicorn(env) as base:
                st = Stack(
                    alias, documents, base, key,
                    f"{nodes(settings)[0]}/{alias}", cases, settings,
                )  # fmt: skip
                warm(st)
                yield st
    finally:
        if not keep:
            make_client(settings).options(ignore_status=404).indices.delete(index=f"{alias}--*")


def warm(st: Stack) -> None:
    """A burst of every case at once, before anything is timed, so that connections, caches and
    both workers are warm (each worker reads its data at start: wsgi.py's warm_up). Answers are not checked: cold
    workers may shed some with a 503 (linkage.search.client's gate)."""

    def send(case: Case) -> None:
        st.api_session().post(st.api_url + case.path, json=case.body, timeout=300)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(send, st.cases * 2))


def measure(st: Stack, rounds: int) -> list[tuple[list[float], list[float]]]:
    """Per case: (API times, direct times) in ms, the two sent back to back each round."""
    api, es = st.api_session(), requests.Session()
    api_url = st.api_url

    def direct(case: Case) -> None:
        for call in case.calls:
            headers = {"Content-Type": call.content_type}
            fetch(es.post(f"{st.es_url}/{call.endpoint}", data=call.body, headers=headers))

    per_case: list[tuple[list[float], list[float]]] = [([], []) for _ in st.cases]
    for round_ in range(rounds + 3):  # the first three warm both paths (caches, connections)
        for case, (api_times, es_times) in zip(st.cases, per_case, strict=True):
            # Both sides receive and decode the whole answer, as a real client would.
            t0 = time.perf_counter()
            fetch(api.post(api_url + case.path, json=case.body))
            t1 = time.perf_counter()
            direct(case)
            t2 = time.perf_counter()
            if round_ >= 3:
                api_times.append((t1 - t0) * 1000)
                es_times.append((t2 - t1) * 1000)
    return per_case


def measure_retrieval(st: Stack, rounds: int) -> dict[str, list[float]]:
    """API times in ms of the word searches as `retrieval=hybrid` and `retrieval=lexical`, back
    to back each round (the hybrid one embeds the words and adds its knn clauses)."""
    api = st.api_session()
    times: dict[str, list[float]] = {"hybrid": [], "lexical": []}
    for _ in range(rounds):
        for body in SEARCHES["words"]:
            for mode, found in times.items():
                t0 = time.perf_counter()
                fetch(api.post(st.api_url + "/v1/search", json={**body, "retrieval": mode}))
                found.append((time.perf_counter() - t0) * 1000)
    return times


def report(st: Stack, per_case: list[tuple[list[float], list[float]]], rounds: int) -> None:
    print(f"\n{st.documents} documents behind {st.alias}; {rounds} rounds, API and direct "
          f"interleaved; times in ms; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'case':<72}{'calls':>6}{'API p50':>9}{'ES p50':>8}{'ratio':>7}")
    for case, times in zip(st.cases, per_case, strict=True):
        a, e = (statistics.median(t) for t in times)
        calls = "+".join(c.endpoint.lstrip("_") for c in case.calls)
        print(f"{case.label[:70]:<72}{calls:>6.6}{a:>9.1f}{e:>8.1f}{a / e:>7.2f}")
    kinds = list(dict.fromkeys(c.kind for c in st.cases))
    print(f"\n{'kind':<16}{'API p50':>9}{'API p95':>9}{'ES p50':>8}{'ES p95':>8}"
          f"{'p50 ratio':>11}{'p95 ratio':>11}")  # fmt: skip
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    for kind in [*kinds, "all searches"]:
        chosen = [
            t for c, t in zip(st.cases, per_case, strict=True)
            if c.kind == kind or (kind == "all searches" and c.path == "/v1/search")
        ]  # fmt: skip
        api = [x for a, _ in chosen for x in a]
        es = [x for _, e in chosen for x in e]
        by_kind[kind] = (api, es)
        a50, a95, e50, e95 = (percentile(t, p) for t in (api, es) for p in (50, 95))
        print(f"{kind:<16}{a50:>9.1f}{a95:>9.1f}{e50:>8.1f}{e95:>8.1f}"
              f"{a50 / e50:>11.2f}{a95 / e95:>11.2f}")  # fmt: skip
    print("target: API p50 <= 1.2 x Elasticsearch direct")
    match = next(c for c in st.cases if c.path == "/v1/match")
    msearches = sum(c.endpoint == "_msearch" for c in match.calls)
    print(f"\nfive-need match: {len(match.calls)} Elasticsearch call(s) ({msearches} _msearch), "
          f"{match.places_resolved} place resolution(s)")  # fmt: skip
    match_p50 = statistics.median(by_kind["match"][0])
    for kind in ("words", "need"):
        one = statistics.median(by_kind[kind][0])
        print(
            f"five-need match / one {kind} search, API p50: {match_p50 / one:.2f}  (target <= 1.3)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, help="load N synthetic services instead of the sample"
    )
    parser.add_argument("--rounds", type=int, default=30, help="times each request is sent")
    parser.add_argument(
        "--keep", action="store_true", help="keep the benchmark index (a later run reuses it)"
    )
    parser.add_argument(
        "--retrieval", action="store_true", help="also the API's hybrid against lexical p50"
    )
    opts = parser.parse_args()
    with stack(opts.synthetic, opts.keep) as st:
        per_case = measure(st, opts.rounds)
        by_retrieval = measure_retrieval(st, opts.rounds) if opts.retrieval else None
    report(st, per_case, opts.rounds)
    if by_retrieval:
        hybrid, lexical = by_retrieval["hybrid"], by_retrieval["lexical"]
        print(f"\n{'API retrieval':<16}{'p50 ms':>10}{'p95 ms':>10}")
        for name, times in by_retrieval.items():
            print(f"{name:<16}{percentile(times, 50):>10.1f}{percentile(times, 95):>10.1f}")
        ratio = statistics.median(hybrid) / statistics.median(lexical)
        print(f"ratio hybrid/lexical p50: {ratio:.2f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
