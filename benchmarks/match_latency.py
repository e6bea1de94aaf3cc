"""Match latency: POST /v1/match for a five-need assessment vs five single searches, same run.

    .venv/bin/python benchmarks/match_latency.py [--synthetic 100000] [--rounds 30]

Loads the directory into its own alias, serves it with gunicorn on loopback, then alternates
(a) one /v1/match with an AHC HRSN assessment showing five needs and a client profile, and
(b) the five /v1/search requests a case manager would otherwise make, one per need, in turn.
Prints p50/p95 of each and their ratio; compare ratios, not absolute times (shared machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.search_latency import FIVE_NEEDS, fetch, load, percentile  # noqa: E402
from linkage.config import Settings  # noqa: E402
from linkage.search.client import make_client  # noqa: E402
from tests.servers import keyed_service  # noqa: E402

NEEDS = [
    "housing-instability",
    "food-insecurity",
    "transportation-insecurity",
    "utility-insecurity",
    "inadequate-housing",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", type=int, help="load N synthetic services instead of the sample"
    )
    parser.add_argument("--rounds", type=int, default=30)
    opts = parser.parse_args()
    alias = f"linkage-bench-match-{opts.synthetic or 'sample'}"
    settings = Settings.from_env(index_alias=alias)
    load(settings, opts.synthetic)
    match_times: list[float] = []
    search_times: list[float] = []
    try:
        with keyed_service(alias) as (base, http):
            found = fetch(http.post(f"{base}/v1/match", json=FIVE_NEEDS))
            assert [r["need"] for r in found["referrals"]] and len(found["needs"]) == 5, found[
                "needs"
            ]
            for round_ in range(opts.rounds + 3):  # the first three warm up
                t0 = time.perf_counter()
                fetch(http.post(f"{base}/v1/match", json=FIVE_NEEDS))
                t1 = time.perf_counter()
                for need in NEEDS:
                    fetch(
                        http.get(
                            f"{base}/v1/search",
                            params={
                                "need": need,
                                "near": "60623",
                                "language": "es",
                                "age": 67,
                                "per_page": 5,
                            },
                        )
                    )
                t2 = time.perf_counter()
                if round_ >= 3:
                    match_times.append((t1 - t0) * 1000)
                    search_times.append((t2 - t1) * 1000)
    finally:
        make_client(settings).options(ignore_status=404).indices.delete(index=f"{alias}-*")
    print(f"\n{opts.rounds} rounds; one match (5 needs) vs 5 searches (one per need)")
    print(f"{'path':<34}{'p50 ms':>10}{'p95 ms':>10}")
    for name, times in (
        ("POST /v1/match (5 needs)", match_times),
        ("5 x GET /v1/search", search_times),
    ):
        print(f"{name:<34}{percentile(times, 50):>10.1f}{percentile(times, 95):>10.1f}")
    print(
        f"ratio match / five searches, p50: {statistics.median(match_times) / statistics.median(search_times):.2f}"
    )


if __name__ == "__main__":
    main()
