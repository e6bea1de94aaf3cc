"""Import quality on the real directories in ../shared: inferred categories against the
source's own, free-text and crosswalk coverage, and what inference costs.

    .venv/bin/python benchmarks/import_quality.py [--no-load] [--runs 3]

1. Category inference. For every real directory that carries categories (Ohana San Mateo's
   taxonomy ids and keywords; Baltimore 211's staff-given 211 codes and, separately, its Open
   Eligibility side table; Florida legal aid through data/mappings/florida-legal-aid.yaml), each
   record's source categories come through the project's crosswalk as it is now (the same
   Converter a load uses). They are then hidden (every taxonomy term taken off the record) and
   inferred from the name, description and keywords alone. Records are split in two halves by
   a hash of their id: the rules are tuned on the first (coordinate search for the best F0.5,
   precision weighted as the inference is) and reported on the second, with the shipped rules
   on both. Precision and recall per top-level category and overall; a record's categories
   count at the top level (Food, Housing, ...) and, for "category precision", exactly (an
   inferred category is right when the source has it or a narrower one). The iCarol fixtures
   (tests/fixtures/icarol/*.csv) are scored too: their 211 codes through the crosswalk are the
   truth.
2. Free-text coverage per field (`free_text.<field>.*`) and crosswalk coverage
   (indexer.crosswalk.crosswalk_coverage) for every directory above and the project's iCarol
   fixtures (tests/fixtures/icarol), each converted as a load converts it.
3. A real load of Baltimore 211 (with its 211-code side table when the CLI offers
   --categories) into a benchmark alias on the node, its report's tallies printed
   (free_text.*, crosswalk.*, categories.*), the alias's indices deleted after.
4. Speed: converting Baltimore's 1,876 records with and without inference (median of --runs),
   and the model's embedding throughput.
No thresholds: it prints figures.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, fields, replace
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import formats  # noqa: E402
from indexer.cli import converter_for  # noqa: E402
from indexer.crosswalk import crosswalk_coverage  # noqa: E402
from indexer.hsds import Converter  # noqa: E402
from indexer.infer import CategoryInferrer, Evidence, Rules  # noqa: E402
from indexer.records import SourceRow  # noqa: E402
from indexer.side_table import read_table, with_categories  # noqa: E402
from linkage.config import Settings  # noqa: E402
from linkage.hsds.conventions import CONVENTION_TAXONOMIES  # noqa: E402
from linkage.search import semantic  # noqa: E402
from linkage.taxonomy import Taxonomy, load_taxonomy  # noqa: E402

DATASETS = ROOT.parent / "shared" / "datasets"
BALTIMORE = DATASETS / "baltimore-211"
# The project's own iCarol exports (invented names; their 211 codes are the ground truth).
ICAROL_FIXTURES = ROOT / "tests" / "fixtures" / "icarol"
ALIAS = "linkage-bench-import-quality"

# Values tried per rule in the coordinate search (the shipped value is always among them).
GRID = {
    "name_min": [0.0, 0.1, 0.2, 0.3],
    "text_min": [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5],
    "lag": [0.0, 0.05, 0.1, 0.15, 0.2, 0.3],
    "semantic_min": [0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 1.01],  # 1.01: never on meaning alone
    "semantic_margin": [0.0, 0.04, 0.08, 0.12, 0.16],
    "name_weight": [0.3, 0.5, 0.7],
    "most": [1, 2, 3],
}


@dataclass
class Case:
    """One record with source categories: its id, its hidden form, and the truth."""

    key: str
    hidden: dict
    truth: list[str]


def _hidden(record: dict) -> dict:
    """The record as an uncategorised directory would send it: no taxonomy terms."""
    out = copy.deepcopy(record)
    out["attributes"] = [
        a
        for a in out.get("attributes") or ()
        if ((a.get("taxonomy_term") or {}).get("taxonomy") or "").lower() in CONVENTION_TAXONOMIES
    ]
    return out


def _baltimore_rows(side: str) -> list[SourceRow]:
    """Baltimore's Ohana records with one side table's categories put on, as `--categories`
    puts them (indexer.side_table): `211` codes, or row ids of its categories.csv."""
    table = read_table(BALTIMORE / side).for_directory(BALTIMORE)
    rows = formats.read(BALTIMORE, "ohana")
    with_codes = with_categories(rows, table, converter_for("bench", Settings()))
    return [row for row in with_codes if isinstance(row.record, dict)]


def datasets() -> dict[str, list[SourceRow]]:
    found: dict[str, list[SourceRow]] = {}
    if (DATASETS / "ohana-san-mateo").is_dir():
        found["ohana-san-mateo"] = list(formats.read(DATASETS / "ohana-san-mateo", "ohana"))
    if BALTIMORE.is_dir():
        found["baltimore-211 (211 codes)"] = _baltimore_rows("service_icarol_categories.json")
        found["baltimore-211 (Open Eligibility)"] = _baltimore_rows("service_categories.json")
    mapping = ROOT / "data" / "mappings" / "florida-legal-aid.yaml"
    if (DATASETS / "florida-legal-aid").is_dir() and mapping.exists():
        found["florida-legal-aid"] = list(
            formats.read(DATASETS / "florida-legal-aid", "mapped-csv", mapping)
        )
    for path in sorted(ICAROL_FIXTURES.glob("*.csv")):
        found[f"fixture {path.name}"] = list(formats.read(path, "icarol"))
    return found


def coverage() -> None:
    """Free-text and crosswalk coverage per directory: every record converted as a load
    converts it (inference on), the converter's tallies printed."""
    print("\n== Free-text and crosswalk coverage per directory (converted, not loaded) ==")
    settings = Settings()
    for name, rows in datasets().items():
        converter = converter_for("bench", settings)
        for row in rows:
            if isinstance(row.record, dict):
                converter.convert(row)
        print(f"\n{name}:")
        print_tallies(converter.tally)


def cases(rows: list[SourceRow], name: str, converter: Converter) -> tuple[list[Case], int]:
    """Records whose source gives categories (through the crosswalk), and how many gave none."""
    out, without = [], 0
    for row in rows:
        if not isinstance(row.record, dict):
            continue
        docs = converter.convert(row).documents
        if not docs:
            continue
        if not docs[0]["categories"]:
            without += 1
            continue
        out.append(Case(f"{name}:{row.record['id']}", _hidden(row.record), docs[0]["categories"]))
    return out, without


def in_tuning_half(case: Case) -> bool:
    return hashlib.sha1(case.key.encode()).digest()[0] % 2 == 0


class Scores:
    """Precision and recall of inferred categories against the source's."""

    def __init__(self, taxonomy: Taxonomy):
        self.taxonomy = taxonomy
        self.tp: Counter[str] = Counter()
        self.predicted: Counter[str] = Counter()
        self.actual: Counter[str] = Counter()
        self.exact_right = self.exact_predicted = self.records = self.inferred = 0

    def root(self, code: str) -> str:
        return self.taxonomy.ancestors_and_self(code)[-1]

    def add(self, inferred: list[str], truth: list[str]) -> None:
        self.records += 1
        self.inferred += bool(inferred)
        got, want = {self.root(c) for c in inferred}, {self.root(c) for c in truth}
        for r in got:
            self.predicted[r] += 1
            self.tp[r] += r in want
        for r in want:
            self.actual[r] += 1
        tree = {a for c in truth for a in self.taxonomy.ancestors_and_self(c)}
        self.exact_predicted += len(inferred)
        self.exact_right += sum(c in tree for c in inferred)

    def overall(self) -> tuple[float, float]:
        tp, p, a = sum(self.tp.values()), sum(self.predicted.values()), sum(self.actual.values())
        return (tp / p if p else 0.0), (tp / a if a else 0.0)

    def f(self, beta: float = 0.5) -> float:
        p, r = self.overall()
        return (1 + beta**2) * p * r / (beta**2 * p + r) if p + r else 0.0


def score(
    inferrer: CategoryInferrer, evidence: list[Evidence], chosen: list[Case], rules: Rules
) -> Scores:
    s = Scores(inferrer.taxonomy)
    for ev, case in zip(evidence, chosen, strict=True):
        s.add(inferrer.decide(ev, rules).categories, case.truth)
    return s


class EvidenceCache:
    """Evidence per record for each name weight (the only rule that needs re-embedding)."""

    def __init__(self, taxonomy: Taxonomy, all_cases: list[Case]):
        self.taxonomy, self.cases, self._by_weight = taxonomy, all_cases, {}

    def get(self, weight: float) -> tuple[CategoryInferrer, list[Evidence]]:
        if weight not in self._by_weight:
            inferrer = CategoryInferrer(self.taxonomy, Rules(name_weight=weight))
            self._by_weight[weight] = (inferrer, [inferrer.evidence(c.hidden) for c in self.cases])
        return self._by_weight[weight]


def tune(cache: EvidenceCache, start: Rules, passes: int = 2) -> Rules:
    """Coordinate search on the cases in `cache` for the best F0.5."""
    best = start
    inferrer, ev = cache.get(best.name_weight)
    best_f = score(inferrer, ev, cache.cases, best).f()
    for _ in range(passes):
        for name, values in GRID.items():
            for value in values:
                trial = replace(best, **{name: value})
                inferrer, ev = cache.get(trial.name_weight)
                if (f := score(inferrer, ev, cache.cases, trial).f()) > best_f + 1e-9:
                    best, best_f = trial, f
    return best


def print_scores(title: str, s: Scores) -> None:
    p, r = s.overall()
    exact = s.exact_right / s.exact_predicted if s.exact_predicted else 0.0
    print(f"  {title}: {s.records} records, {s.inferred} given a category; "
          f"top-level precision {p:.2f} recall {r:.2f} F0.5 {s.f():.2f}; "
          f"category precision {exact:.2f} ({s.exact_right}/{s.exact_predicted})")  # fmt: skip
    for root in sorted(set(s.actual) | set(s.predicted)):
        pr = s.tp[root] / s.predicted[root] if s.predicted[root] else float("nan")
        rc = s.tp[root] / s.actual[root] if s.actual[root] else float("nan")
        print(f"      {root:16} precision {pr:5.2f} ({s.tp[root]}/{s.predicted[root]})"
              f"  recall {rc:5.2f} ({s.tp[root]}/{s.actual[root]})")  # fmt: skip


def inference_quality(verbose: bool) -> None:
    taxonomy = load_taxonomy()
    settings = Settings()
    per_dataset: dict[str, list[Case]] = {}
    print("== Category inference (source categories hidden, then inferred) ==")
    for name, rows in datasets().items():
        converter = converter_for("bench", settings)
        converter.inferrer = None  # the source's categories only, for the truth
        found, without = cases(rows, name, converter)
        per_dataset[name] = found
        print(f"{name}: {len(rows)} records, {len(found)} with source categories, "
              f"{without} without (not scored)")  # fmt: skip
    everything = [c for found in per_dataset.values() for c in found]
    tuning = EvidenceCache(taxonomy, [c for c in everything if in_tuning_half(c)])
    shipped = Rules()
    tuned = tune(tuning, shipped)
    print(f"\nshipped rules: {shipped}\ntuned on the first half: {tuned}")
    for label, half in (("tuning half", True), ("report half", False)):
        print(f"\n-- {label} --")
        for name, found in per_dataset.items():
            chosen = [c for c in found if in_tuning_half(c) == half]
            if not chosen:
                continue
            print(name)
            for title, rules in (("shipped", shipped), ("tuned", tuned)):
                inferrer = CategoryInferrer(taxonomy, rules)
                ev = [inferrer.evidence(c.hidden) for c in chosen]
                print_scores(title, score(inferrer, ev, chosen, rules))
    if verbose:
        print("\n-- report half, shipped rules: wrong top-level categories --")
        inferrer = CategoryInferrer(taxonomy, shipped)
        for c in everything:
            if in_tuning_half(c):
                continue
            got = inferrer.infer(c.hidden)
            roots = {inferrer.taxonomy.ancestors_and_self(x)[-1] for x in c.truth}
            wrong = [x for x in got.categories if taxonomy.ancestors_and_self(x)[-1] not in roots]
            if wrong:
                print(f"  {c.key} {c.hidden.get('name')!r}: inferred {wrong} ({got.evidence}); "
                      f"source {c.truth}")  # fmt: skip


def load_tallies() -> None:
    """A real load of Baltimore into a benchmark alias; its report's tallies."""
    from click.testing import CliRunner

    from indexer.cli import main as cli
    from linkage.search.client import make_client

    print("\n== Report tallies of a real load of baltimore-211 ==")
    settings = Settings()
    client = make_client(settings)
    args = ["load", str(BALTIMORE), "--source", "bench-baltimore", "--quiet"]
    load_help = CliRunner().invoke(cli, ["load", "--help"]).output
    if "--categories" in load_help:
        args += ["--categories", str(BALTIMORE / "service_icarol_categories.json")]
        print("(with --categories service_icarol_categories.json)")
    else:
        print("(the CLI has no --categories yet: loaded without the side table)")
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        started = time.perf_counter()
        result = CliRunner(env={"LINKAGE_INDEX_ALIAS": ALIAS}).invoke(
            cli, [*args, "--report", str(report_path)]
        )
        took = time.perf_counter() - started
        try:
            if not report_path.exists():
                print(f"load failed (exit {result.exit_code}):\n{result.output[-2000:]}")
                return
            report = json.loads(report_path.read_text())
        finally:
            client.options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    print(f"read {report.get('read')}, indexed {report.get('indexed')}, "
          f"rejected {report.get('rejected')}, duplicates {report.get('duplicates')} in {took:.1f} s")  # fmt: skip
    print_tallies(report.get("tallies") or {})


def print_tallies(tallies) -> None:
    """A report's tallies: free text understood per field, crosswalk coverage, the rest."""
    free_text: dict[str, dict[str, int]] = {}
    for key, value in sorted(tallies.items()):
        parts = key.split(".")
        if parts[0] == "free_text" and len(parts) == 3:
            free_text.setdefault(parts[1], {})[parts[2]] = value
    print("free text understood per field:")
    for field_name, counts in free_text.items():
        total = sum(counts.values())
        understood = counts.get("understood", 0)
        share = understood / total if total else 0.0
        print(f"  {field_name:18} {understood}/{total} ({share:.0%}) {counts}")
    if not free_text:
        print("  (no free_text.* tallies)")
    print(f"crosswalk coverage: {crosswalk_coverage(tallies) or 'no 211 codes'}")
    others = {k: v for k, v in tallies.items() if not k.startswith("free_text.")}
    print("crosswalk and categories:")
    for key, value in sorted(others.items()):
        print(f"  {key} = {value}")
    if not others:
        print("  (no other tallies in the report)")


def speed(runs: int) -> None:
    print("\n== Speed (one process; machines here are shared and noisy) ==")
    taxonomy, tz = load_taxonomy(), Settings().default_timezone
    rows = [r for r in formats.read(BALTIMORE, "ohana") if isinstance(r.record, dict)]
    for label, inferrer in (("without inference", False), ("with inference", True)):
        times = []
        for _ in range(runs):
            converter = Converter("bench", taxonomy, tz, inferrer=inferrer)
            started = time.perf_counter()
            for row in rows:
                converter.convert(row)
            times.append(time.perf_counter() - started)
        t = median(times)
        print(f"convert {len(rows)} Baltimore records {label}: median {t:.2f} s "
              f"({len(rows) / t:.0f} records/s) over {runs} runs; {dict(converter.tally)}")  # fmt: skip
    texts = [r.record.get("name") or "" for r in rows] + [
        (r.record.get("description") or "")[: semantic.DESCRIPTION_CHARS] for r in rows
    ]
    texts = (texts * (10_000 // len(texts) + 1))[:10_000]
    random.Random(7).shuffle(texts)  # names and descriptions mixed, as in the one-by-one run
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        semantic.embed(texts)
        times.append(time.perf_counter() - started)
    t = median(times)
    print(f"embed 10,000 Baltimore names and descriptions in one call: median {t:.2f} s "
          f"({len(texts) / t:.0f} texts/s)")  # fmt: skip
    started = time.perf_counter()
    for text in texts[:2000]:
        semantic.embed([text])
    t = time.perf_counter() - started
    print(f"embed the same texts one per call: {2000 / t:.0f} texts/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-load", action="store_true", help="skip the real load (no node)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--verbose", action="store_true", help="list wrong inferences")
    args = parser.parse_args()
    assert {f.name for f in fields(Rules)} >= set(GRID)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    started = time.perf_counter()
    semantic.load()
    print(f"model load: {time.perf_counter() - started:.2f} s\n")
    inference_quality(args.verbose)
    coverage()
    if not args.no_load:
        load_tallies()
    speed(args.runs)


if __name__ == "__main__":
    main()
