"""Search quality: judgment lists over real directories, scored through the API.

    .venv/bin/python benchmarks/search_quality.py            # every list (about 5 minutes)
    .venv/bin/python benchmarks/search_quality.py --quick    # 2 places, every other query
    .venv/bin/python benchmarks/search_quality.py --list baltimore-words --unjudged

Each directory (the Baltimore 211 export in ../shared, the iCarol fixtures, the sample) is
loaded twice through `indexer load` into benchmark aliases: with its source categories, and
with them hidden (Baltimore without `--categories`; the fixtures and the sample with their
category codes removed), which is what an uncategorised directory looks like. Every query of
every list in benchmarks/judgments/ is then sent to GET /v1/search (the app in-process, Flask's
test client) at each of the list's places, with `retrieval=lexical`, `semantic` and `hybrid`
(a mode the API rejects with 422 is reported as n/a) and without the parameter (`default`,
today's search), all in the same run.

Relevance:
- `needs` lists (`need` or `category` + ZIP): a record is relevant when its SOURCE codes (the
  staff's 211 codes, the sample's own codes) map through the project's crosswalk
  (indexer.crosswalk) to a category of that need (data/taxonomy.json) or under that category.
  This is computed from the raw records, not from what the index says.
- `words` lists (free text + ZIP): judged by hand, per query, in the list file (`relevant`,
  `not_relevant`, by the directory's own service ids, with a `rationale`). A result nobody
  judged counts as not relevant; their number is printed (`--unjudged` lists them).

Scores, per list, variant, half and mode, over the query-places where at least one relevant
record is within reach (within the radius, or serving an area that contains the place):
- precision@5: relevant results among the first 5, divided by 5, or by the number of relevant
  records in reach when fewer (a page that shows all of them scores 1.0);
- nDCG@10: binary gains, the ideal ranking being the relevant records in reach;
- empty: pages with no result at all; `empty-reach`: empty pages although a relevant record was
  in reach (the target is none).
Queries are split into halves by a hash of the query id: tune on `tune`, judge on `report`.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import formats  # noqa: E402
from indexer.crosswalk import Crosswalk  # noqa: E402
from linkage.hsds.conventions import CONVENTION_TAXONOMIES as NOT_CATEGORIES  # noqa: E402
from linkage.hsds.conventions import TAXONOMY_211  # noqa: E402
from linkage.jobs import jobs_index, locks_index  # noqa: E402
from linkage.places import miles_between, zip_place  # noqa: E402
from linkage.taxonomy import Taxonomy, load_taxonomy  # noqa: E402

JUDGMENTS = Path(__file__).resolve().parent / "judgments"
SHARED = ROOT.parent / "shared" / "datasets"
MODES = ("lexical", "semantic", "hybrid", "default")  # default: no `retrieval` parameter
VARIANTS = ("codes", "hidden")
K_PRECISION, K_NDCG = 5, 10


# ---------------------------------------------------------------- scoring (pure)


def precision_at(relevant: Sequence[bool], reachable: int, k: int = K_PRECISION) -> float:
    """Relevant results among the first k, over k, or over `reachable` when fewer relevant
    records can be found at all (so a page showing every one of them scores 1.0)."""
    denominator = min(k, reachable)
    if denominator <= 0:
        raise ValueError("precision needs at least one relevant record in reach")
    return sum(1 for r in relevant[:k] if r) / denominator


def ndcg_at(relevant: Sequence[bool], reachable: int, k: int = K_NDCG) -> float:
    """Normalised discounted cumulative gain at k, binary gains; the ideal ranking puts the
    `reachable` relevant records first."""
    if reachable <= 0:
        raise ValueError("nDCG needs at least one relevant record in reach")
    dcg = sum(1 / math.log2(rank + 2) for rank, r in enumerate(relevant[:k]) if r)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(k, reachable)))
    return dcg / ideal


def half_of(query_id: str) -> str:
    """`tune` or `report`, fixed by a hash of the query's id (not by its position, so adding a
    query never moves another)."""
    return "tune" if hashlib.sha256(query_id.encode()).digest()[0] % 2 == 0 else "report"


def p50(values: Iterable[float]) -> float | None:
    values = list(values)
    return statistics.median(values) if values else None


# ---------------------------------------------------------------- directories


@dataclass(frozen=True)
class SourceFile:
    path: Path
    fmt: str
    source: str


@dataclass(frozen=True)
class Directory:
    name: str
    files: tuple[SourceFile, ...]
    side_table: Path | None = None  # the source categories, kept beside the records


BALTIMORE = SHARED / "baltimore-211"
ICAROL = ROOT / "tests" / "fixtures" / "icarol"
DIRECTORIES = {
    "baltimore": Directory(
        "baltimore",
        (SourceFile(BALTIMORE, "ohana", "baltimore"),),
        BALTIMORE / "service_icarol_categories.json",
    ),
    "icarol": Directory(
        "icarol",
        (
            SourceFile(ICAROL / "harbor-211.csv", "icarol", "harbor"),
            SourceFile(ICAROL / "prairie-211-cp1252.csv", "icarol", "prairie"),
        ),
    ),
    "chicago": Directory(
        "chicago", (SourceFile(ROOT / "data" / "sample" / "chicago.json", "hsds-json", "sample"),)
    ),
}


def source_codes(directory: Directory) -> dict[str, list[dict]]:
    """Service id → the taxonomy terms its source gave it (records' own and the side table's)."""
    side = json.loads(directory.side_table.read_text()) if directory.side_table else {}
    out: dict[str, list[dict]] = {}
    for f in directory.files:
        for row in formats.read(f.path, f.fmt):
            if not isinstance(row.record, dict):
                continue
            sid = str(row.record.get("id"))
            terms = [
                a["taxonomy_term"]
                for a in row.record.get("attributes") or ()
                if (a.get("taxonomy_term") or {}).get("taxonomy") not in NOT_CATEGORIES
                and a.get("taxonomy_term")
            ]
            terms += [{"taxonomy": TAXONOMY_211, "code": c} for c in side.get(sid, ())]
            out.setdefault(sid, []).extend(terms)
    return out


def source_categories(terms: dict[str, list[dict]], crosswalk: Crosswalk) -> dict[str, set[str]]:
    """Service id → the project categories its source codes map to (indexer.crosswalk)."""
    return {sid: {c for t in ts for c in crosswalk.categories(t)} for sid, ts in terms.items()}


def relevant_to(
    categories_of: dict[str, set[str]], taxonomy: Taxonomy, need: str | None, category: str | None
) -> set[str]:
    """Services relevant to a need (a category their codes map to addresses it) or to a
    category (their codes map to it or to a category under it)."""
    if need:
        return {s for s, cats in categories_of.items() if need in taxonomy.needs_of(sorted(cats))}
    return {
        s
        for s, cats in categories_of.items()
        if any(category in taxonomy.ancestors_and_self(c) for c in cats)
    }


def hidden_copy(f: SourceFile, folder: Path) -> Path:
    """The file with its category codes removed (what an uncategorised directory gives)."""
    if f.fmt == "hsds-json":
        records = json.loads(f.path.read_text(encoding="utf-8"))
        for r in records:
            r["attributes"] = [
                a
                for a in r.get("attributes") or ()
                if (a.get("taxonomy_term") or {}).get("taxonomy") in NOT_CATEGORIES
            ]
        out = folder / f.path.name
        out.write_text(json.dumps(records), encoding="utf-8")
        return out
    if f.fmt == "icarol":
        encoding = "utf-8" if "cp1252" not in f.path.name else "cp1252"
        with f.path.open(encoding=encoding, newline="") as fh:
            rows = list(csv.reader(fh))
        header = [h.strip().lower() for h in rows[0]]
        blank = [
            i for i, h in enumerate(header) if h.startswith("taxonomy") and h != "taxonomylevelname"
        ]
        for row in rows[1:]:
            for i in blank:
                if i < len(row):
                    row[i] = ""
        out = folder / f.path.name
        with out.open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh).writerows(rows)
        return out
    return f.path  # Ohana: the categories are only in the side table, left out


def load_variant(directory: Directory, variant: str, alias: str, folder: Path) -> None:
    """`indexer load` each file of the directory into `alias` (the real import path)."""
    env = {**os.environ, "LINKAGE_INDEX_ALIAS": alias}
    for f in directory.files:
        path = f.path if variant == "codes" else hidden_copy(f, folder)
        cmd = [sys.executable, "-m", "indexer", "load", str(path), "--format", f.fmt,
               "--source", f.source, "--quiet"]  # fmt: skip
        if variant == "codes" and directory.side_table:
            cmd += ["--categories", str(directory.side_table)]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"loading {path} failed:\n{done.stdout}\n{done.stderr}")
        print(f"  {alias}: {done.stdout.splitlines()[0]}")


@dataclass
class Doc:
    """What the benchmark needs of an indexed document."""

    service: str
    name: str
    organization: str
    description: str
    location: tuple[float, float] | None
    areas: frozenset[str]
    categories: tuple[str, ...]
    category_source: str | None


def indexed_docs(es, alias: str) -> dict[str, Doc]:
    from elasticsearch.helpers import scan

    docs = {}
    for hit in scan(es, index=alias, query={"query": {"match_all": {}}}):
        s = hit["_source"]
        loc = s.get("location")
        docs[s["id"]] = Doc(
            str((s.get("source_ids") or {}).get("service")),
            s.get("service_name") or "",
            s.get("organization_name") or "",
            " ".join((s.get("description") or "").split()),
            (loc["lat"], loc["lon"]) if loc else None,
            frozenset(s.get("service_areas") or ()),
            tuple(s.get("categories") or ()),
            s.get("category_source"),
        )
    return docs


def in_reach(doc: Doc, place, radius_miles: float) -> bool:
    """Within the radius of the place or serving an area that contains it (as search does)."""
    if doc.location and miles_between((place.lat, place.lon), doc.location) <= radius_miles:
        return True
    return bool(doc.areas & set(place.area_keys()))


# ---------------------------------------------------------------- lists


@dataclass
class Query:
    id: str
    params: dict
    relevant: set[str]
    judged: set[str]
    rationale: str = ""


@dataclass
class JudgmentList:
    name: str
    directory: str
    kind: str  # needs | words
    places: list[str]
    radius_miles: float
    queries: list[Query] = field(default_factory=list)


def read_list(path: Path, categories_of: dict[str, set[str]], taxonomy: Taxonomy) -> JudgmentList:
    raw = json.loads(path.read_text(encoding="utf-8"))
    out = JudgmentList(
        path.stem, raw["directory"], raw["kind"], raw["places"], raw.get("radius_miles", 10)
    )
    by_id = {}
    if raw.get("judgments_from"):  # a translated list shares its original's judgments
        original = json.loads((path.parent / raw["judgments_from"]).read_text(encoding="utf-8"))
        by_id = {q["id"]: q for q in original["queries"]}
    for q in raw["queries"]:
        if raw["kind"] == "needs":
            params = {"need": q["need"]} if "need" in q else {"category": q["category"]}
            relevant = relevant_to(categories_of, taxonomy, q.get("need"), q.get("category"))
            judged = set(categories_of)
        else:
            source = by_id.get(q.get("same_as", q["id"]), q)
            relevant = set(source.get("relevant", ()))
            judged = relevant | set(source.get("not_relevant", ()))
            params = {"q": q["q"]}
        out.queries.append(Query(q["id"], params, relevant, judged, q.get("rationale", "")))
    return out


# ---------------------------------------------------------------- running


@dataclass
class Outcome:
    """One query at one place in one mode."""

    query: str
    place: str
    results: list[str]  # services, in rank order
    first: str | None  # the first result's name, for failures
    ms: float


def search_all(
    client, lst: JudgmentList, modes: Sequence[str], places: Sequence[str], docs: dict[str, Doc]
) -> dict[str, list[Outcome] | None]:
    """Every query × place in every mode; a mode the API refuses (422) maps to None."""
    out: dict[str, list[Outcome] | None] = {}
    errors: list[str] = []
    for mode in modes:
        extra = {} if mode == "default" else {"retrieval": mode}
        probe = client.get("/v1/search", query_string={"q": "food", **extra})
        if probe.status_code == 422:
            out[mode] = None
            continue
        if mode == "default" and any(out.get(m) is not None for m in modes if m != "default"):
            continue  # the API takes `retrieval`: its default is one of the modes above
        outcomes = []
        for q in lst.queries:
            for zip_code in places:
                args = {**q.params, "near": zip_code, "radius": lst.radius_miles,
                        "per_page": K_NDCG, **extra}  # fmt: skip
                t0 = time.perf_counter()
                response = client.get("/v1/search", query_string=args)
                ms = (time.perf_counter() - t0) * 1000
                if response.status_code != 200:  # counted as an error page, the run goes on
                    errors.append(f"{response.status_code} {args}")
                hits = response.get_json()["results"] if response.status_code == 200 else []
                # A service at two places shows twice: it counts once, where it first shows.
                services = list(
                    dict.fromkeys(
                        docs[h["id"]].service if h["id"] in docs else h["id"] for h in hits
                    )
                )
                first = hits[0]["service_name"] if hits else None
                outcomes.append(Outcome(q.id, zip_code, services, first, ms))
        out[mode] = outcomes
    if errors:
        print(f"  {len(errors)} searches failed (scored as empty pages), e.g. {errors[0]}")
    return out


@dataclass
class Score:
    precision: list[float] = field(default_factory=list)
    ndcg: list[float] = field(default_factory=list)
    empty: int = 0
    empty_in_reach: int = 0
    pages: int = 0
    unjudged: int = 0
    ms: list[float] = field(default_factory=list)


def reachable_counts(
    lst: JudgmentList, places: Sequence[str], docs: dict[str, Doc]
) -> dict[tuple[str, str], int]:
    """(query, place) → relevant services in reach."""
    by_service: dict[str, list[Doc]] = {}
    for d in docs.values():
        by_service.setdefault(d.service, []).append(d)
    counts = {}
    for zip_code in places:
        place = zip_place(zip_code)
        near = {
            s
            for s, ds in by_service.items()
            if any(in_reach(d, place, lst.radius_miles) for d in ds)
        }
        for q in lst.queries:
            counts[(q.id, zip_code)] = len(q.relevant & near)
    return counts


def score(
    lst: JudgmentList, outcomes: list[Outcome], reach: dict[tuple[str, str], int]
) -> dict[str, Score]:
    """Per half (`tune`, `report`, `all`)."""
    queries = {q.id: q for q in lst.queries}
    scores = {h: Score() for h in ("tune", "report", "all")}
    for o in outcomes:
        q = queries[o.query]
        marks = [s in q.relevant for s in o.results]
        n = reach[(o.query, o.place)]
        for half in (half_of(o.query), "all"):
            s = scores[half]
            s.pages += 1
            s.ms.append(o.ms)
            s.unjudged += sum(1 for r in o.results[:K_NDCG] if r not in q.judged)
            if not o.results:
                s.empty += 1
                s.empty_in_reach += n > 0
            if n:
                s.precision.append(precision_at(marks, n))
                s.ndcg.append(ndcg_at(marks, n))
    return scores


# ---------------------------------------------------------------- printing


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def print_table(lst: JudgmentList, variant: str, by_mode: dict[str, dict[str, Score] | None]):
    """Modes side by side; both halves, the report half marked *; pages counted over both."""
    print(f"\n{lst.name} [source categories: {variant}]  "
          f"({len(lst.queries)} queries x {len(lst.places)} places, radius {lst.radius_miles} mi)")  # fmt: skip
    print(f"  {'mode':<10}{'tune P@5':>9}{'nDCG@10':>8}{'report* P@5':>12}{'nDCG@10':>8}"
          f"{'empty':>10}{'empty-reach':>12}{'scored':>8}{'unjudged':>9}{'p50 ms':>8}")  # fmt: skip
    for mode, scores in by_mode.items():
        if scores is None:
            print(f"  {mode:<10}{'n/a':>9}{'n/a':>8}{'n/a':>12}{'n/a':>8}{'n/a':>10}")
            continue
        t, r, a = scores["tune"], scores["report"], scores["all"]
        print(
            f"  {mode:<10}{fmt(mean(t.precision)):>9}{fmt(mean(t.ndcg)):>8}"
            f"{fmt(mean(r.precision)):>12}{fmt(mean(r.ndcg)):>8}"
            f"{f'{a.empty}/{a.pages}':>10}{a.empty_in_reach:>12}{len(a.precision):>8}"
            f"{a.unjudged:>9}{fmt(p50(a.ms), '{:.0f}'):>8}"
        )


def mean(values: list[float]) -> float | None:
    return statistics.mean(values) if values else None


def failures(
    lst: JudgmentList,
    outcomes: list[Outcome],
    reach: dict[tuple[str, str], int],
    docs: dict[str, Doc],
    limit: int,
) -> list[str]:
    """The worst queries: relevant help in reach, none of it on the first 5; the query that
    fails at the most places first, with what came first and the nearest relevant service."""
    queries = {q.id: q for q in lst.queries}
    failed: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if reach[(o.query, o.place)] and not any(
            s in queries[o.query].relevant for s in o.results[:K_PRECISION]
        ):
            failed.setdefault(o.query, []).append(o)
    lines = []
    for qid, bad in sorted(failed.items(), key=lambda item: -len(item[1]))[:limit]:
        o = bad[0]
        place = zip_place(o.place)
        best = min(
            (d for d in docs.values() if d.service in queries[qid].relevant and d.location),
            key=lambda d: miles_between((place.lat, place.lon), d.location),
            default=None,
        )
        what = " ".join(f"{k}={v}" for k, v in queries[qid].params.items())
        lines.append(
            f"  {what}: {len(bad)}/{len(lst.places)} places; near {o.place} first "
            f"{o.first or '(empty page)'!r}, should be e.g. {best.name if best else '?'!r} "
            f"({reach[(qid, o.place)]} relevant in reach)"
        )
    return lines


def unjudged_report(lst: JudgmentList, runs: list[tuple[list[Outcome], dict[str, Doc]]]) -> None:
    """Unjudged results in the top 10 of any mode or variant, per query, to judge next."""
    queries = {q.id: q for q in lst.queries}
    pending: dict[str, dict[str, Doc]] = {}
    for outcomes, docs in runs:
        by_service = {d.service: d for d in docs.values()}
        for o in outcomes:
            for s in o.results[:K_NDCG]:
                if s not in queries[o.query].judged and s in by_service:
                    pending.setdefault(o.query, {})[s] = by_service[s]
    for qid, found in pending.items():
        print(f"\n## {qid}: {queries[qid].params}")
        for s, d in sorted(found.items()):
            print(f"  {s} | {d.name} | {d.organization} | {d.description[:160]}")


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="append", help="only these lists (file stems)")
    parser.add_argument("--quick", action="store_true", help="2 places, every other query")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark indices")
    parser.add_argument("--reuse", action="store_true", help="reuse kept indices (no load)")
    parser.add_argument("--unjudged", action="store_true", help="list unjudged top-10 results")
    parser.add_argument("--failures", type=int, default=8, help="worst failures shown per list")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--alias-prefix", default="linkage-bench-quality")
    opts = parser.parse_args()
    # one line per search otherwise (the client's, and the app's request log)
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)
    logging.getLogger("linkage.requests").setLevel(logging.WARNING)

    from linkage.app import create_app
    from linkage.config import Settings
    from linkage.search.client import make_client
    from tests.conftest import api_client
    from tests.servers import write_test_keys

    taxonomy = load_taxonomy()
    crosswalk = Crosswalk.from_file_211(taxonomy, None)
    paths = sorted(JUDGMENTS.glob("*.json"))
    if opts.list:
        paths = [p for p in paths if p.stem in opts.list]
    wanted = {json.loads(p.read_text())["directory"] for p in paths}
    tmp = Path(tempfile.mkdtemp(prefix="search-quality-"))
    keys = write_test_keys(tmp)
    es = make_client(Settings.from_env())
    results: dict = {}
    aliases = []
    try:
        for name in sorted(wanted):
            directory = DIRECTORIES[name]
            if name == "baltimore" and not BALTIMORE.is_dir():
                print(f"skipping {name}: {BALTIMORE} is absent")
                continue
            categories_of = source_categories(source_codes(directory), crosswalk)
            lists = [
                read_list(p, categories_of, taxonomy)
                for p in paths
                if json.loads(p.read_text())["directory"] == name
            ]
            for lst in lists if opts.quick else ():
                lst.queries, lst.places = lst.queries[::2], lst.places[:2]
            for variant in VARIANTS:
                alias = f"{opts.alias_prefix}-{name}-{variant}"
                aliases.append(alias)
                if not (opts.reuse and es.indices.exists_alias(name=alias)):
                    load_variant(directory, variant, alias, tmp)
                docs = indexed_docs(es, alias)
                settings = Settings.from_env(index_alias=alias, partner_keys=str(keys))
                client = api_client(create_app({"SETTINGS": settings}))
                for lst in lists:
                    reach = reachable_counts(lst, lst.places, docs)
                    runs = search_all(client, lst, MODES, lst.places, docs)
                    by_mode = {
                        m: (score(lst, o, reach) if o is not None else None)
                        for m, o in runs.items()
                    }
                    print_table(lst, variant, by_mode)
                    shown = next((o for o in (runs.get("hybrid"), runs.get("default")) if o), [])
                    if opts.failures:
                        print(
                            "  worst (hybrid, else default): relevant help in reach, none in the first 5"
                        )
                        print(
                            "\n".join(failures(lst, shown, reach, docs, opts.failures)) or "  none"
                        )
                    if opts.unjudged and lst.kind == "words":
                        unjudged_report(lst, [(o, docs) for o in runs.values() if o])
                    results.setdefault(lst.name, {})[variant] = {
                        m: None
                        if s is None
                        else {
                            h: {
                                "precision_at_5": mean(v.precision),
                                "ndcg_at_10": mean(v.ndcg),
                                "empty": v.empty,
                                "empty_in_reach": v.empty_in_reach,
                                "pages": v.pages,
                                "scored": len(v.precision),
                                "unjudged": v.unjudged,
                                "p50_ms": p50(v.ms),
                            }
                            for h, v in s.items()
                        }
                        for m, s in by_mode.items()
                    }
    finally:
        if not opts.keep:
            for alias in aliases:
                es.options(ignore_status=404).indices.delete(index=f"{alias}--*")
                # The load's job queue and locks belong to the alias too (linkage.jobs).
                for index in (jobs_index(alias), locks_index(alias)):
                    es.options(ignore_status=404).indices.delete(index=index)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
