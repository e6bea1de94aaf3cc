"""Import throughput and memory: the whole import vs raw streaming_bulk of pre-built documents.

    .venv/bin/python benchmarks/import_throughput.py --count 100000 [--count 1000000 ...] [--repeat 3]
        [--vectors]   # also the import without vectors, same run: with / without ratio

For each size: writes a synthetic HSDS NDJSON file and, from it, the converted documents
(neither timed), then in separate processes (so peak RSS is each one's own):
  (a) the whole import, as `python -m indexer load` does it: read, convert, validate, bulk,
      count check, alias swap;
  (b) the baseline: helpers.streaming_bulk of the pre-built documents into a fresh index with
      the same settings.
With --repeat N, runs the pair N times (alternating which goes first) and prints medians.
Prints documents per second of each, their ratio, and peak RSS. Machines here are shared and
noisy: compare the ratio and the RSS across sizes, not absolute rates.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ALIAS = "linkage-bench-import"  # --alias: another, for runs of this at the same time


def prepare(count: int, folder: Path) -> tuple[Path, Path]:
    from devtools.synthetic import generate_services
    from indexer.hsds import Converter
    from indexer.records import SourceRow
    from linkage.config import Settings
    from linkage.taxonomy import load_taxonomy

    records, documents = folder / f"services-{count}.ndjson", folder / f"documents-{count}.ndjson"
    converter = Converter("bench", load_taxonomy(), Settings().default_timezone)
    pending: list[dict] = []
    with records.open("w") as rec, documents.open("w") as docs:
        for n, service in enumerate(generate_services(count, seed=11), start=1):
            rec.write(json.dumps(service) + "\n")
            pending += converter.convert(SourceRow("bench", f"#{n}", service)).documents
            if len(pending) >= 1000:
                _write_with_vectors(pending, docs)
                pending = []
        _write_with_vectors(pending, docs)
    return records, documents


def _write_with_vectors(batch: list[dict], out) -> None:
    """The ready documents with their embeddings and meaning scores, as the import sends them
    (indexer.load), so the raw bulk baseline carries the same fields."""
    from linkage.search import hybrid, semantic
    from linkage.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    vectors = semantic.embed([hybrid.document_text(doc) for doc in batch])
    for doc, vector, sent in zip(batch, vectors, hybrid.encoded(vectors), strict=True):
        doc[hybrid.FIELD] = sent
        if not hybrid.is_filed(doc) and (scores := hybrid.meaning_scores([vector], taxonomy)[0]):
            doc[hybrid.MEANING_SCORES] = scores
        out.write(json.dumps(doc) + "\n")


def child_import(path: Path, vectors: bool = True) -> dict:
    """(a) The whole import of one file (`vectors=False`: without the documents' embeddings)."""
    from indexer.cli import converter_for
    from indexer.formats.hsds_json import read
    from indexer.load import rebuild
    from linkage.config import Settings
    from linkage.search.client import make_client

    settings = Settings.from_env(index_alias=ALIAS)
    client = make_client(settings).options(request_timeout=120)
    started = time.perf_counter()
    report = rebuild(client, ALIAS, read(path), converter_for("bench", settings), vectors=vectors)
    return {"seconds": time.perf_counter() - started, "documents": report.documents}


def child_bulk(path: Path) -> dict:
    """(b) Raw streaming_bulk of pre-built documents into a fresh index, same settings."""
    from elasticsearch import helpers

    from indexer.load import choose_stemming
    from linkage.config import Settings
    from linkage.search.client import make_client
    from linkage.search.document import MAPPINGS, SPANISH_STEMMING_CHOICES, index_settings
    from linkage.search.index import ResourceIndex

    settings = Settings.from_env(index_alias=ALIAS)
    client = make_client(settings).options(request_timeout=120)
    index = ResourceIndex.on(client, ALIAS).new_index_name("raw")
    body = index_settings(
        choose_stemming(client), choose_stemming(client, SPANISH_STEMMING_CHOICES)
    ) | {"refresh_interval": "-1"}
    client.indices.create(index=index, settings=body, mappings=MAPPINGS)

    def actions():
        with path.open() as fh:
            for line in fh:
                doc = json.loads(line)
                yield {"_op_type": "create", "_index": index, "_id": doc["id"], "_source": doc}

    started = time.perf_counter()
    done = sum(
        1
        for ok, _ in helpers.streaming_bulk(client, actions(), chunk_size=1000, max_retries=5)
        if ok
    )
    client.indices.refresh(index=index)
    seconds = time.perf_counter() - started
    client.indices.delete(index=index)
    return {"seconds": seconds, "documents": done}


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's own peak RSS (VmHWM). getrusage's ru_maxrss would also count the process
    that started this one: Linux keeps that high-water mark across fork and exec."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM:")).split()[1]) / 1024


class ChildrenPeak:
    """The largest peak RSS of this process's children (the import's converting process),
    sampled while they run. Its peak counts pages it shares with the main process, so the
    two are reported apart rather than added."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self.done.wait(0.1):
            for child in multiprocessing.active_children():
                with contextlib.suppress(OSError, StopIteration):
                    self.peak = max(self.peak, peak_rss_mb(child.pid))

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return self.peak


def run_child(kind: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--alias", ALIAS, "--child", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    global ALIAS  # the children's functions read it
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, action="append", help="services (repeatable)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (medians shown)")
    parser.add_argument(
        "--vectors", action="store_true", help="also time the import without vectors (same run)"
    )
    parser.add_argument("--alias", default=ALIAS, help=f"the alias loaded (default {ALIAS})")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    ALIAS = opts.alias
    if opts.child:
        kind, path = opts.child
        children = ChildrenPeak()
        if kind == "bulk":
            result = child_bulk(Path(path))
        else:
            result = child_import(Path(path), vectors=kind == "import")
        result["peak_rss_mb"] = peak_rss_mb()
        result["converter_rss_mb"] = children.stop()
        print(json.dumps(result))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in opts.count or [100_000]:
            records, documents = prepare(count, Path(tmp))
            runs = []
            for n in range(opts.repeat):
                if n % 2:  # alternate the order, so neither always runs on a warmer node
                    raw, whole = run_child("bulk", documents), run_child("import", records)
                else:
                    whole, raw = run_child("import", records), run_child("bulk", documents)
                # Without vectors, between the two (alternating with the import's position).
                bare = run_child("import-without-vectors", records) if opts.vectors else None
                runs.append((whole, raw, bare))
            rows.append((count, runs))
            records.unlink()
            documents.unlink()

    from linkage.config import Settings
    from linkage.search.client import make_client

    make_client(Settings.from_env()).options(ignore_status=404).indices.delete(index=f"{ALIAS}--*")
    print("\nmedians over the runs; peak RSS in MB, the import's as its main process + its "
          "converting process")  # fmt: skip
    print(f"{'services':>10}{'docs':>10}{'runs':>6}{'import doc/s':>14}{'bulk doc/s':>12}"
          f"{'ratio':>7}{'ratio range':>13}{'import RSS':>14}{'bulk RSS':>10}")  # fmt: skip
    for count, runs in rows:
        imported = [w["documents"] / w["seconds"] for w, _, _ in runs]
        bulk = [r["documents"] / r["seconds"] for _, r, _ in runs]
        ratios = [a / b for a, b in zip(imported, bulk, strict=True)]
        memory = (f"{median(w['peak_rss_mb'] for w, _, _ in runs):.0f} + "
                  f"{median(w['converter_rss_mb'] for w, _, _ in runs):.0f}")  # fmt: skip
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        print(f"{count:>10}{runs[0][0]['documents']:>10}{len(runs):>6}{median(imported):>14.0f}"
              f"{median(bulk):>12.0f}{median(ratios):>7.2f}{spread:>13}{memory:>14}"
              f"{median(r['peak_rss_mb'] for _, r, _ in runs):>10.0f}")  # fmt: skip
    print("target: import >= 0.9 x raw bulk rate; import RSS flat as size grows")
    if opts.vectors:
        print(f"\n{'services':>10}{'with vectors doc/s':>20}{'without doc/s':>15}{'ratio':>7}")
        for count, runs in rows:
            with_ = median(w["documents"] / w["seconds"] for w, _, _ in runs)
            without = median(b["documents"] / b["seconds"] for _, _, b in runs)
            print(f"{count:>10}{with_:>20.0f}{without:>15.0f}{with_ / without:>7.2f}")
        print("target: the import with vectors >= 0.9 x the same import without")


if __name__ == "__main__":
    main()
