"""Loading a source behind the search alias, in one of two modes.

Every source has its own versioned indices, `<alias>--<source>--<timestamp>`, all behind the
one alias searches read, so sources coexist and each is replaced on its own.

- full (`rebuild`): new index, streaming bulk load, count check, atomic alias swap of this
  source's index; records absent from the file disappear with the old index. On any failure
  the live alias is untouched and the half-built index is deleted.
- incremental (`upsert`): index by stable id into the source's live index; loading the same
  file twice changes nothing and creates no duplicates. (Duplicates of the same service under
  other ids are looked for by full loads only; see indexer.dedupe.)

Counts always reconcile per file: read = indexed + rejected + duplicates + skipped (rows that
are not services to refer to, counted by kind: records.SKIP_KINDS).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from elasticsearch import ApiError, Elasticsearch

from indexer import changes, dedupe, formats, pipeline
from indexer.hsds import Converter
from indexer.limits import DEFAULT, Limits
from indexer.records import SKIP_KINDS, Problem, ReadError, SourceRow, row_number
from indexer.side_table import SideTable, with_categories
from linkage.config import Settings
from linkage.search import hybrid, semantic
from linkage.search.document import (
    BULK_LOAD_SETTINGS,
    MAPPINGS,
    REFRESH_INTERVAL,
    SPANISH_STEMMING_CHOICES,
    STEMMING_CHOICES,
    index_settings,
    replica_settings,
)
from linkage.search.index import IndexMeta, ResourceIndex
from linkage.taxonomy import Taxonomy

MAX_WARNINGS = 10_000  # kept in full in a report; all are counted
REPLICA_WAIT = "30s"  # at most, for a new index's replicas before it goes live


class LoadError(RuntimeError):
    """The load did not complete; the live alias was not changed. `report` is what the load
    had counted when it failed (None if it failed before reading)."""

    def __init__(self, message: str, report: Report | None = None):
        super().__init__(message)
        self.report = report


def failed_report(exc: BaseException) -> Report | None:
    """The partial report a failed load left on its exception (LoadError, or a ReadError met
    midway), marked with the reason; None when there is none."""
    report = getattr(exc, "report", None)
    if report is not None:
        report.failed = str(exc)
    return report


def after_failure(mode: str) -> str:
    """What a failed load of `mode` left behind, for the people told of the failure."""
    if mode == "full":
        return "the live index was not changed"
    return "records loaded before the failure stay updated; the rest are as they were"


@dataclass
class FileCounts:
    read: int = 0
    indexed: int = 0
    rejected: int = 0
    duplicates: int = 0
    skipped: Counter = field(default_factory=Counter)  # by kind (records.SKIP_KINDS)

    def reconciles(self) -> bool:
        return self.read == (
            self.indexed + self.rejected + self.duplicates + sum(self.skipped.values())
        )

    def as_dict(self) -> dict:
        counts = {
            "read": self.read,
            "indexed": self.indexed,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
        }
        return counts | {f"skipped_{kind}": self.skipped[kind] for kind in SKIP_KINDS}


@dataclass
class Report:
    """What a load did. Records are services; documents are services at locations."""

    source: str
    mode: str
    files: dict[str, FileCounts] = field(default_factory=dict)
    documents: int = 0
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # the first MAX_WARNINGS
    warnings_total: int = 0
    warnings_by_field: Counter = field(default_factory=Counter)
    unmapped_terms: Counter = field(default_factory=Counter)
    # What the converter counted on the way, by dotted name ("free_text.languages.understood",
    # "crosswalk.codes.mapped", "categories.inferred", ...): see Converter.tally.
    tallies: Counter = field(default_factory=Counter)
    index: str | None = None
    analysis: str | None = None
    seconds: float = 0.0
    # Full loads: what changed since the source's last load, by service (indexer.changes).
    changes: dict | None = None
    verified_over_a_year_ago: int | None = None  # services last verified > 365 days ago
    no_verified_date: int | None = None  # services with no verification date
    failed: str | None = None  # why the load failed (its report is then partial)

    def total(self) -> FileCounts:
        t = FileCounts()
        for c in self.files.values():
            t.read += c.read
            t.indexed += c.indexed
            t.rejected += c.rejected
            t.duplicates += c.duplicates
            t.skipped.update(c.skipped)
        return t

    @property
    def read(self) -> int:
        return self.total().read

    @property
    def indexed(self) -> int:
        return self.total().indexed

    @property
    def rejected(self) -> int:
        return self.total().rejected

    @property
    def duplicates(self) -> int:
        return self.total().duplicates

    def reconciles(self) -> bool:
        return all(c.reconciles() for c in self.files.values())

    def warn(self, problems: Iterable[Problem]) -> None:
        """Count every warning; keep the first MAX_WARNINGS in full, so a file where every
        row has one (placeholder coordinates, say) cannot grow the report without bound."""
        for problem in problems:
            self.warnings_total += 1
            self.warnings_by_field[problem.field] += 1
            if len(self.warnings) < MAX_WARNINGS:
                self.warnings.append(problem)

    def as_dict(self, max_rejections: int | None = None) -> dict:
        """The report as JSON; `max_rejections` keeps the first so many (a job document must
        stay well inside Elasticsearch's request limit; the CLI's CSV has them all)."""
        total = self.total()
        return {
            "source": self.source,
            "mode": self.mode,
            **total.as_dict(),
            "documents": self.documents,
            "files": {name: c.as_dict() for name, c in self.files.items()},
            "tallies": dict(sorted(self.tallies.items())),
            "index": self.index,
            "analysis": self.analysis,
            "seconds": round(self.seconds, 2),
            "unmapped_terms": [
                {"taxonomy": t, "term": name, "records": n}
                for (t, name), n in self.unmapped_terms.most_common()
            ],
            "rejections": [r.as_dict() for r in self.rejections[:max_rejections]],
            "rejections_listed": len(self.rejections[:max_rejections]),
            "warnings_total": self.warnings_total,
            "warnings_by_field": dict(self.warnings_by_field.most_common()),
            "warnings": [w.as_dict() for w in self.warnings],
            **({"changes": self.changes} if self.changes is not None else {}),
            **(
                {
                    "verified_over_a_year_ago": self.verified_over_a_year_ago,
                    "no_verified_date": self.no_verified_date,
                }
                if self.verified_over_a_year_ago is not None
                else {}
            ),
            **({"failed": self.failed} if self.failed else {}),
        }


def choose_stemming(
    client: Elasticsearch, choices: list[tuple[str, dict]] = STEMMING_CHOICES
) -> tuple[str, dict] | None:
    """The richest stemming of `choices` (English unless told) the cluster supports (probed,
    never assumed: a missing module or dictionary fails the probe)."""
    for name, definition in choices:
        try:
            client.indices.analyze(tokenizer="standard", filter=[definition], text="pantries")
            return name, definition
        except ApiError:
            continue
    return None


@dataclass
class _Pending:
    """One record whose documents are in a bulk request."""

    file: str
    row: str
    record_id: str | None
    ids: list[str]  # its documents'


@dataclass
class _Batch:
    """One bulk request's worth of converted records, and what reading them found."""

    lines: list[bytes] = field(default_factory=list)  # action and source, one per document
    records: list[_Pending] = field(default_factory=list)
    read: Counter = field(default_factory=Counter)  # rows per file, rejected ones included
    rejected: Counter = field(default_factory=Counter)
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # (file, kind) → rows
    tallies: Counter = field(default_factory=Counter)
    size: int = 0  # bytes in lines
    rows: int = 0  # rows read into it
    texts: list[str] = field(default_factory=list)  # what each document's vector is made from
    unfiled: list[bool] = field(default_factory=list)  # no category of the directory's holds it


# A bulk request well under Elasticsearch's 100 MB limit however long the records are.
MAX_BATCH_BYTES = 10 * 1024 * 1024


def _batches(
    rows: Iterable[SourceRow], converter: Converter, index: str, op_type: str, size: int,
    limits: Limits = DEFAULT,
) -> Iterator[_Batch]:  # fmt: skip
    """Read, convert and serialise records: batches of `size` rows or documents, whichever
    comes first (rows that all fail still make batches: progress goes on, memory stays flat).
    A file with more rows than `limits.rows` stops the read (ReadError)."""
    batch = _Batch()
    per_file: Counter = Counter()
    for row in rows:
        per_file[row.file] += 1
        if per_file[row.file] > limits.rows:
            raise ReadError(
                f"{row.file}: more than {limits.rows:,} records (the limit: LINKAGE_MAX_ROWS)"
            )
        _add(batch, row, converter, index, op_type, limits.record_bytes)
        if batch.rows >= size or len(batch.lines) >= size or batch.size >= MAX_BATCH_BYTES:
            yield _sealed(batch, converter)
            batch = _Batch()
    yield _sealed(batch, converter)


def _add(
    batch: _Batch, row: SourceRow, converter: Converter, index: str, op_type: str,
    record_bytes: int = DEFAULT.record_bytes,
) -> None:  # fmt: skip
    batch.rows += 1
    batch.read[row.file] += 1
    if row.skipped:
        batch.skipped[(row.file, row.skipped)] += 1
        return
    if row.record is None:
        batch.rejected[row.file] += 1
        batch.rejections.extend(row.problems)
        return
    batch.warnings.extend(row.problems)
    converter.unmapped.update(row.unmapped)
    converted = converter.convert(row)
    batch.warnings.extend(converted.warnings)
    if converted.rejections:
        batch.rejected[row.file] += 1
        batch.rejections.extend(converted.rejections)
        return
    docs = converted.documents
    lines = []
    for doc in docs:
        doc["fingerprint"] = fingerprint(doc)
        action = orjson.dumps({op_type: {"_index": index, "_id": doc["id"]}})
        lines.append(action + b"\n" + orjson.dumps(doc) + b"\n")
    if (size := sum(map(len, lines))) > record_bytes:  # Elasticsearch would refuse the request
        batch.rejected[row.file] += 1
        batch.rejections.append(Problem(row.file, row.row, "-",
            f"{size:,} bytes as documents, more than one record may hold ({record_bytes:,}: "
            "LINKAGE_MAX_RECORD_BYTES)", docs[0]["source_ids"]["service"]))  # fmt: skip
        return
    batch.records.append(
        _Pending(row.file, row.row, docs[0]["source_ids"]["service"], [d["id"] for d in docs])
    )
    for doc, line in zip(docs, lines, strict=True):
        batch.lines.append(line)
        batch.texts.append(hybrid.document_text(doc))
        batch.unfiled.append(not hybrid.is_filed(doc))
        batch.size += len(line)


def fingerprint(doc: dict) -> str:
    """What a document says, as a short hash: equal when a later load gives the same content
    (where in the file it was, `origin`, left out), to count what a load changed."""
    content = {k: v for k, v in doc.items() if k not in ("origin", "fingerprint")}
    return hashlib.blake2b(
        orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=12
    ).hexdigest()


def _sealed(batch: _Batch, converter: Converter) -> _Batch:
    """The batch, with the unmapped terms and tallies the converter counted since the last one."""
    batch.unmapped, converter.unmapped = converter.unmapped, Counter()
    batch.tallies, converter.tally = converter.tally, Counter()
    return batch


def _add_vectors(batch: _Batch, taxonomy: Taxonomy) -> None:
    """Every document's `embedding`, from one model call for the whole batch, and for those
    no category of the directory's holds, their `meaning` scores (hybrid.meaning_scores).
    Spliced into the serialised source (whose last bytes are `}\n`) rather than serialising
    it twice; left out of the fingerprint, which they follow from. The vector goes as base64
    of its bytes (hybrid.encoded): far fewer bytes than a JSON array of 256 numbers, and
    far less for the node to parse."""
    unique = list(dict.fromkeys(batch.texts))  # a service's locations share one text
    vectors = dict(zip(unique, semantic.embed(unique), strict=True))
    unfiled = [n for n, flag in enumerate(batch.unfiled) if flag]
    scores = dict(
        zip(
            unfiled,
            hybrid.meaning_scores([vectors[batch.texts[n]] for n in unfiled], taxonomy),
            strict=True,
        )
    )
    sent = dict(zip(unique, hybrid.encoded([vectors[t] for t in unique]), strict=True))
    for n, text in enumerate(batch.texts):
        line = batch.lines[n]
        extra = b',"' + hybrid.FIELD.encode() + b'":"' + sent[text].encode() + b'"'
        if scores.get(n):
            extra += b',"' + hybrid.MEANING_SCORES.encode() + b'":' + orjson.dumps(scores[n])
        batch.lines[n] = line[:-2] + extra + b"}\n"
        batch.size += len(batch.lines[n]) - len(line)
    batch.texts, batch.unfiled = [], []


RETRIES = 5  # for documents Elasticsearch refuses with 429 (too busy), with doubling waits
FIRST_WAIT_SECONDS = 2.0


def _send(client: Elasticsearch, lines: list[bytes]) -> list[dict]:
    """Bulk-send `lines`; one result per document ({"status": ..., "error": ...}), in order.

    Documents refused as too many requests are sent again after a wait, as
    helpers.streaming_bulk does."""
    results: list[dict | None] = [None] * len(lines)
    todo = list(range(len(lines)))
    for attempt in range(RETRIES + 1):
        try:
            response = client.bulk(
                operations=b"".join(lines[i] for i in todo),
                filter_path="errors,items.*.status,items.*.error.type,items.*.error.reason",
            )
        except ApiError as exc:  # a whole request refused (413: over http.max_content_length)
            raise LoadError(f"Elasticsearch refused a bulk request ({exc.meta.status})") from exc
        items = [next(iter(item.values())) for item in response["items"]]
        busy = []
        for position, item in zip(todo, items, strict=True):
            if item["status"] == 429 and attempt < RETRIES:
                busy.append(position)
            else:
                results[position] = item
        if not busy:
            break
        time.sleep(FIRST_WAIT_SECONDS * 2**attempt)
        todo = busy
    return results


def _stream(
    client: Elasticsearch, rows: Iterable[SourceRow], converter: Converter, report: Report,
    index: str, op_type: str, progress: Callable[[int], None] | None, chunk_size: int,
    vectors: bool = True, limits: Limits = DEFAULT,
) -> None:  # fmt: skip
    """Bulk-load and settle every record: indexed, rejected (with Elasticsearch's reason) or a
    duplicate (its id was already loaded). Records are converted in a second process, and
    each batch's vectors made here while the one before it is sent (a thread that waits on
    Elasticsearch leaves the model this process's time): the converter, the busiest, does
    no more with vectors than without. Memory is bounded by the few batches in flight."""
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="bulk") as sender:
            sending = None
            for batch in pipeline.ahead(
                _batches(rows, converter, index, op_type, chunk_size, limits)
            ):
                if vectors and batch.lines:
                    _add_vectors(batch, converter.taxonomy)
                if sending is not None:
                    sending.result()  # in order, and its failure stops the load here
                sending = sender.submit(
                    _send_batch, client, index, batch, report, progress, op_type == "index"
                )
            if sending is not None:
                sending.result()
    except pipeline.ProducerDied as exc:
        raise LoadError(str(exc)) from exc


def _send_batch(
    client: Elasticsearch, index: str, batch: _Batch, report: Report,
    progress: Callable[[int], None] | None, updating: bool,
) -> None:  # fmt: skip
    for file, n in batch.read.items():
        report.files.setdefault(file, FileCounts()).read += n
    for file, n in batch.rejected.items():
        report.files[file].rejected += n
    for (file, kind), n in batch.skipped.items():
        report.files[file].skipped[kind] += n
    report.tallies.update(batch.tallies)
    report.rejections.extend(batch.rejections)
    report.warn(batch.warnings)
    report.unmapped_terms.update(batch.unmapped)
    if progress:
        progress(sum(batch.read.values()))
    results = iter(_send(client, batch.lines)) if batch.lines else iter(())
    withdrawn: list[str] = []
    updated: dict[str, list[str]] = {}  # service id → its documents now
    for record in batch.records:
        outcome = [next(results) for _ in record.ids]
        if _settle(record, outcome, report):
            updated.setdefault(record.record_id, []).extend(record.ids)
        else:
            # Not indexed as a whole: none of its documents may stay (a repeated id with
            # more locations than the first, say, has some created before the refusal).
            withdrawn += [i for i, r in zip(record.ids, outcome, strict=True) if r["status"] < 300]
    if withdrawn:
        client.bulk(operations=[{"delete": {"_index": index, "_id": i}} for i in withdrawn])
    if updating and updated:
        _drop_unlisted_locations(client, index, updated)


def _drop_unlisted_locations(
    client: Elasticsearch, index: str, updated: dict[str, list[str]]
) -> None:
    """An updated service's locations are the ones it lists now: documents for locations it
    no longer lists go (a full load gets this from its fresh index). Found by search, then
    deleted in bulk: delete_by_query is a module some distributions leave out."""
    stale = {"bool": {
        "filter": [{"terms": {"source_ids.service": list(updated)}}],
        "must_not": [{"ids": {"values": [i for ids in updated.values() for i in ids]}}],
    }}  # fmt: skip
    while hits := client.search(index=index, query=stale, size=1000, source=False)["hits"]["hits"]:
        done = client.bulk(
            operations=[{"delete": {"_index": index, "_id": h["_id"]}} for h in hits], refresh=True
        )
        if done["errors"]:
            raise LoadError("could not remove the locations updated services no longer list")


def _settle(record: _Pending, results: list[dict], report: Report) -> bool:
    """Count one record: indexed (True) if all its documents were, else a duplicate or
    rejected."""
    counts = report.files[record.file]
    failed = next((r for r in results if r["status"] >= 300), None)
    if failed is None:
        counts.indexed += 1
        report.documents += len(record.ids)
        return True
    if failed["status"] == 409:
        counts.duplicates += 1
        report.rejections.append(
            Problem(
                record.file,
                record.row,
                "id",
                "duplicate: a record with this id was already loaded",
                record.record_id,
            )
        )
    else:
        counts.rejected += 1
        reason = (failed.get("error") or {}).get("reason") or f"status {failed['status']}"
        report.rejections.append(
            Problem(
                record.file,
                record.row,
                "-",
                f"Elasticsearch refused it: {reason}",
                record.record_id,
            )
        )
    return False


def _finish(client: Elasticsearch, index: str, report: Report) -> None:
    """Refresh, and keep the time zones present with the index (open-now queries need them)."""
    client.indices.refresh(index=index)
    buckets = client.search(
        index=index, size=0, aggs={"tz": {"terms": {"field": "timezone", "size": 500}}}
    )
    meta = IndexMeta(
        source=report.source,
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        mode=report.mode,
        analysis=report.analysis,
        timezones=tuple(sorted(b["key"] for b in buckets["aggregations"]["tz"]["buckets"])),
    )
    client.indices.put_mapping(index=index, meta=meta.as_dict())


def _drop_duplicates(client: Elasticsearch, alias: str, source: str, report: Report) -> None:
    """Find the new index's duplicates (within it, and against the other sources' live
    indices), drop them, and account for them record by record."""
    resources = ResourceIndex.on(client, alias)
    mine = resources.index_prefix(source)
    others = [i for i in resources.indices() if not i.startswith(mine)]
    found = dedupe.find(client, report.index, others)
    if not found:
        return
    dedupe.drop(client, report.index, found)
    by_record: dict[tuple[str, str], list[dedupe.Duplicate]] = {}
    for d in found:
        by_record.setdefault((d.origin.get("file", "?"), d.origin.get("row", "?")), []).append(d)
    in_file_order = sorted(by_record.items(), key=lambda kv: (kv[0][0], row_number(kv[0][1])))
    for (file, row), dups in in_file_order:
        first = dups[0]
        twin = f"{first.kept_source} service {first.kept_service_id}"
        reason = f"duplicate of {twin} (same organization and service name, same place or phone)"
        report.documents -= len(dups)
        if len(dups) >= first.origin.get("documents", 1):
            counts = report.files[file]
            counts.indexed -= 1
            counts.duplicates += 1
            report.rejections.append(Problem(file, row, "-", reason, first.service_id))
        else:
            report.warn(
                [
                    Problem(
                        file,
                        row,
                        "-",
                        f"{len(dups)} location(s) dropped: {reason}",
                        first.service_id,
                    )
                ]
            )


def _remove_unfinished(client: Elasticsearch, alias: str, source: str) -> None:
    """Delete the source's indices the alias does not point at: loads that failed while the
    node was out of reach, so their half-built index could not be deleted then. (Imports of
    one source never run at once: linkage.jobs holds a lock per source.)"""
    resources = ResourceIndex.on(client, alias)
    for name in set(resources.built_indices(source)) - set(resources.source_indices(source)):
        client.options(ignore_status=404).indices.delete(index=name)


def rebuild(
    client: Elasticsearch,
    alias: str,
    rows: Iterable[SourceRow],
    converter: Converter,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 1000,
    vectors: bool = True,
    replicas: str = Settings.replicas,
    limits: Limits = DEFAULT,
    allow_shrink: bool = False,
) -> Report:
    """Replace the source's records behind `alias` with `rows`; raises LoadError on failure.
    `vectors=False` leaves out the documents' embeddings (semantic search then finds none);
    `replicas`: the new index's (linkage.search.document.replica_settings), once loaded.
    A load that would drop more than `limits.shrink` of the live source's services stops
    (ShrinkRefused), unless `allow_shrink`."""
    started = time.monotonic()
    source = converter.source
    _remove_unfinished(client, alias, source)
    new_index = ResourceIndex.on(client, alias).new_index_name(source)
    report = Report(source=source, mode="full", index=new_index)
    stemming = choose_stemming(client)
    report.analysis = stemming[0] if stemming else "standard"
    settings = index_settings(stemming, choose_stemming(client, SPANISH_STEMMING_CHOICES))
    settings |= BULK_LOAD_SETTINGS  # no refreshes nor replicas while loading
    client.indices.create(index=report.index, settings=settings, mappings=MAPPINGS)
    try:
        # op_type create: a second record with an id already loaded is refused, not overwritten.
        _stream(client, rows, converter, report, report.index, "create", progress, chunk_size,
                vectors, limits)  # fmt: skip
        client.indices.put_settings(
            index=report.index,
            settings={"refresh_interval": REFRESH_INTERVAL} | replica_settings(replicas),
        )
        _finish(client, report.index, report)
        _drop_duplicates(client, alias, source, report)
        if report.indexed == 0:
            # Swapping in an empty index would take the whole source out of search: far more
            # likely a file that is not what it should be than a directory with no services.
            raise LoadError(
                f"no record could be indexed ({report.read} read, {report.rejected} rejected, "
                f"{report.duplicates} duplicates); first reason: "
                + (
                    report.rejections[0].reason
                    if report.rejections
                    else "the file holds no records"
                )
            )
        _count_changes(client, alias, source, report)
        count = client.count(index=report.index)["count"]
        if count != report.documents or not report.reconciles():
            raise LoadError(
                f"count check failed: {count} documents in the index, {report.documents} loaded; "
                + "; ".join(
                    f"{name}: read {c.read}, indexed {c.indexed}, rejected {c.rejected}, "
                    f"duplicates {c.duplicates}"
                    for name, c in report.files.items()
                )
            )
        if not allow_shrink:
            _refuse_shrink(report, limits.shrink)
        _wait_for_replicas(client, report.index)
        swap_alias(client, alias, source, report.index)
    except BaseException as exc:
        client.options(ignore_status=404).indices.delete(index=report.index)
        _keep_report(exc, report, started)
        raise
    report.seconds = time.monotonic() - started
    return report


def _wait_for_replicas(client: Elasticsearch, index: str) -> None:
    """Give the new index's replicas time to be copied before it goes live, so losing a node
    just after the swap does not take the source down; a cluster without room for them (a
    fixed count above its nodes) goes live after REPLICA_WAIT with what it has."""
    client.options(ignore_status=408).cluster.health(
        index=index, wait_for_status="green", timeout=REPLICA_WAIT
    )


class ShrinkRefused(LoadError):
    """A full load would drop more of a live source's services than allowed."""


def _refuse_shrink(report: Report, share: float) -> None:
    """Raise ShrinkRefused if the new index holds more than `share` fewer services than the
    live one (a file cut short, or a stray quote swallowing rows, looks just like this)."""
    c = report.changes or {}
    live = c.get("removed", 0) + c.get("changed", 0) + c.get("unchanged", 0)
    new = c.get("added", 0) + c.get("changed", 0) + c.get("unchanged", 0)
    if live and (live - new) / live > share:
        raise ShrinkRefused(
            f"this load would shrink source '{report.source}' from {live} to {new} services "
            f"({(live - new) / live:.0%} fewer; at most {share:.0%} allowed: LINKAGE_MAX_SHRINK): "
            f"read {report.read}, rejected {report.rejected} (see the report's rejections); "
            "if the directory really is smaller, load it again with --allow-shrink "
            "(API: allow_shrink=true)"
        )


def _count_changes(client: Elasticsearch, alias: str, source: str, report: Report) -> None:
    """Before the swap: what the new index changes against the source's live one."""
    live = ResourceIndex.on(client, alias).source_indices(source)
    found = changes.changes(client, report.index, live[-1] if live else None, date.today())
    report.changes = found["changes"]
    report.verified_over_a_year_ago = found["verified_over_a_year_ago"]
    report.no_verified_date = found["no_verified_date"]


def _keep_report(exc: BaseException, report: Report, started: float) -> None:
    """A failed load's report goes with its error (the CLI and jobs still write it)."""
    if isinstance(exc, LoadError | ReadError) and getattr(exc, "report", None) is None:
        report.seconds = time.monotonic() - started
        exc.report = report


def upsert(
    client: Elasticsearch,
    alias: str,
    rows: Iterable[SourceRow],
    converter: Converter,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 1000,
    vectors: bool = True,
    limits: Limits = DEFAULT,
) -> Report:
    """Add or update the source's records by stable id; the first load of a source rebuilds."""
    live = ResourceIndex.on(client, alias).source_indices(converter.source)
    if not live:
        return rebuild(client, alias, rows, converter, progress, chunk_size, vectors,
                       limits=limits)  # fmt: skip
    started = time.monotonic()
    report = Report(source=converter.source, mode="incremental", index=live[-1])
    _add_missing_fields(client, live[-1])
    report.analysis = ResourceIndex.on(client, live[-1]).metas()[live[-1]].analysis
    try:
        _stream(client, rows, converter, report, live[-1], "index", progress, chunk_size, vectors,
                limits)  # fmt: skip
        _finish(client, live[-1], report)
        if not report.reconciles():
            raise LoadError(
                "counts do not reconcile: " + str({n: c.as_dict() for n, c in report.files.items()})
            )
    except BaseException as exc:
        _keep_report(exc, report, started)
        raise
    report.seconds = time.monotonic() - started
    return report


def _add_missing_fields(client: Elasticsearch, index: str) -> None:
    """Give an index made before a field joined the document that field (adding is all a live
    mapping allows): its records gain it as they are loaded again."""
    have = client.indices.get_mapping(index=index)[index]["mappings"]
    missing = {
        name: spec
        for name, spec in MAPPINGS["properties"].items()
        if name not in have.get("properties", {})
    }
    templates = MAPPINGS["dynamic_templates"]
    if missing or have.get("dynamic_templates") != templates:
        client.indices.put_mapping(index=index, properties=missing, dynamic_templates=templates)


def swap_alias(client: Elasticsearch, alias: str, source: str, index: str) -> None:
    """Point the alias at the source's new index in one atomic step, then delete its old ones."""
    old = [name for name in ResourceIndex.on(client, alias).source_indices(source) if name != index]
    actions = [{"remove": {"index": name, "alias": alias}} for name in old]
    actions.append({"add": {"index": index, "alias": alias}})
    client.indices.update_aliases(actions=actions)
    _remove_unfinished(client, alias, source)  # the old ones are no longer behind the alias


def load_path(
    client: Elasticsearch,
    alias: str,
    path: Path,
    fmt: str,
    mapping: Path | None,
    converter: Converter,
    mode: str = "full",
    progress: Callable[[int], None] | None = None,
    categories: SideTable | None = None,
    replicas: str = Settings.replicas,
    limits: Limits = DEFAULT,
    allow_shrink: bool = False,
) -> Report:
    """Read `path` as `fmt` ("auto": detected) and load it in `mode` (full or incremental),
    with the categories of a side table (indexer.side_table) if given, a full load's new
    index with `replicas`, within `limits` (`allow_shrink`: see rebuild): what the CLI and
    the import worker both do."""
    fmt = formats.detect(mapping or path) if fmt == "auto" else fmt
    rows = formats.read(path, fmt, mapping, limits)
    if categories is not None:
        # the folder's own term ids too (an Ohana taxonomy.csv): see indexer.side_table
        rows = with_categories(rows, categories.for_directory(path), converter)
    if mode == "full":
        return rebuild(client, alias, rows, converter, progress, replicas=replicas, limits=limits,
                       allow_shrink=allow_shrink)  # fmt: skip
    return upsert(client, alias, rows, converter, progress, limits=limits)
