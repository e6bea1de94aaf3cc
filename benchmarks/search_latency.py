"""Search latency: the API under gunicorn vs the same query sent straight to Elasticsearch.

    .venv/bin/python benchmarks/search_latency.py                 # the sample directory
    .venv/bin/python benchmarks/search_latency.py --synthetic 100000

Loads the directory into its own alias, starts gunicorn on loopback, then sends a fixed mix of
realistic searches, interleaving (a) the API and (b) the identical query body posted directly
to Elasticsearch's _search, in the same run. Prints p50/p95 of each and their ratio; then the
API's p50 with `retrieval=hybrid` (the default) against `retrieval=lexical`, interleaved.
Figures on a shared machine are noisy: compare the ratio, not the absolute times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.synthetic import generate_services  # noqa: E402
from indexer.formats.hsds_json import read as read_hsds_json  # noqa: E402
from indexer.hsds import Converter  # noqa: E402
from indexer.load import rebuild  # noqa: E402
from indexer.records import SourceRow  # noqa: E402
from linkage.app import create_app  # noqa: E402
from linkage.config import Settings  # noqa: E402
from linkage.search import queries  # noqa: E402
from linkage.search.client import make_client  # noqa: E402
from linkage.taxonomy import load_taxonomy  # noqa: E402
from tests.servers import keyed_service  # noqa: E402

# A fixed mix of what case managers search for, in the sample's area.
QUERIES: list[dict] = [
    {"q": "food bank", "near": "60623"},
    {"q": "light bill", "near": "60608", "radius": 5},
    {"category": "shelter", "near": "60612", "open_now": "true"},
    {"need": "food-insecurity", "near": "60629", "language": "es"},
    {"q": "counseling", "near": "60640", "sort": "distance"},
    {"category": "food", "near": "60625", "age": 70},
    {"q": "rent help", "near": "60651", "free": "true"},
    {"q": "job training", "near": "60644", "per_page": 50},
    {"q": "detox", "near": "60617", "radius": 20},
    {"q": "meals on wheels", "near": "41.88,-87.63"},
    {"q": "dentist sliding scale"},
    {"category": "transportation", "near": "60201", "radius": 15},
]


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


def direct_bodies(settings: Settings) -> list[dict]:
    """The exact bodies the API sends for each query, built by the same pure functions."""
    app = create_app({"SETTINGS": settings})
    bodies = []
    with app.test_request_context():
        from linkage.api.schemas.search import SearchArgs
        from linkage.runtime import runtime

        rt = runtime()
        for params in QUERIES:
            raw = {k: [v] if k in ("category", "need") else str(v) for k, v in params.items()}
            args = SearchArgs().load(raw)
            place = rt.places.resolve(args["near"]) if args.get("near") else None
            req = queries.request_from_args(args, place, rt.taxonomy, settings.default_radius_miles)
            bodies.append(queries.build_query(req, rt.clock(), rt.index.timezones()))
    return bodies


def measure(
    api: requests.Session, api_url: str, es_url: str, bodies: list[dict], rounds: int
) -> list[tuple[list, list]]:
    """Per query: (API times, direct times) in ms, the two sent back to back each round."""
    es = requests.Session()
    per_query: list[tuple[list, list]] = [([], []) for _ in QUERIES]
    for _ in range(3):  # warm both paths (caches, connections, JIT)
        for params, body in zip(QUERIES, bodies, strict=True):
            fetch(api.get(api_url + urlencode(params)))
            fetch(es.post(es_url, json=body))
    for _ in range(rounds):
        for (params, body), (api_times, es_times) in zip(
            zip(QUERIES, bodies, strict=True), per_query, strict=True
        ):
            # Both sides receive and decode the whole answer, as a real client would.
            t0 = time.perf_counter()
            fetch(api.get(api_url + urlencode(params)))
            t1 = time.perf_counter()
            fetch(es.post(es_url, json=body))
            t2 = time.perf_counter()
            api_times.append((t1 - t0) * 1000)
            es_times.append((t2 - t1) * 1000)
    return per_query


def measure_retrieval(api: requests.Session, api_url: str, rounds: int) -> dict[str, list]:
    """API times in ms of every query as `retrieval=hybrid` and `retrieval=lexical`, sent back
    to back each round (the hybrid one embeds the words and adds its knn clauses)."""
    times: dict[str, list] = {"hybrid": [], "lexical": []}
    for _ in range(rounds):
        for params in QUERIES:
            for mode, found in times.items():
                t0 = time.perf_counter()
                fetch(api.get(api_url + urlencode({**params, "retrieval": mode})))
                found.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, help="load N synthetic services instead of the sample"
    )
    parser.add_argument("--rounds", type=int, default=30, help="times each query is sent each way")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark index afterwards")
    opts = parser.parse_args()

    alias = f"linkage-bench-{opts.synthetic or 'sample'}"
    settings = Settings.from_env(index_alias=alias)
    load(settings, opts.synthetic)
    bodies = direct_bodies(settings)
    es_url = f"{settings.elasticsearch_url}/{alias}/_search"
    try:
        with keyed_service(alias) as (base, api):
            per_query = measure(api, base + "/v1/search?", es_url, bodies, opts.rounds)
            by_retrieval = measure_retrieval(api, base + "/v1/search?", opts.rounds)
    finally:
        if not opts.keep:
            make_client(settings).options(ignore_status=404).indices.delete(index=f"{alias}-*")
    api_times = [t for api, _ in per_query for t in api]
    es_times = [t for _, direct in per_query for t in direct]

    print(f"{'query':<60}{'API p50':>9}{'ES p50':>9}{'ratio':>7}")
    for params, times in zip(QUERIES, per_query, strict=True):
        a, e = (statistics.median(t) for t in times)
        print(f"{urlencode(params)[:58]:<60}{a:>9.1f}{e:>9.1f}{a / e:>7.2f}")
    n = len(api_times)
    print(f"\n{n} requests each way, {len(QUERIES)} queries x {opts.rounds} rounds, interleaved")
    print(f"{'path':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name, times in (
        ("API (gunicorn, 2 workers)", api_times),
        ("Elasticsearch direct", es_times),
    ):
        print(f"{name:<28}{percentile(times, 50):>10.1f}{percentile(times, 95):>10.1f}")
    print(
        f"ratio API/direct p50: {statistics.median(api_times) / statistics.median(es_times):.2f}  "
        f"p95: {percentile(api_times, 95) / percentile(es_times, 95):.2f}  (target p50 <= 1.5)"
    )
    hybrid, lexical = by_retrieval["hybrid"], by_retrieval["lexical"]
    print(f"\n{'API retrieval':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name, times in by_retrieval.items():
        print(f"{name:<28}{percentile(times, 50):>10.1f}{percentile(times, 95):>10.1f}")
    print(
        f"ratio hybrid/lexical p50: {statistics.median(hybrid) / statistics.median(lexical):.2f}"
        "  (target <= 1.3)"
    )


if __name__ == "__main__":
    main()
