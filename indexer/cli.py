"""`python -m indexer` / `linkage-indexer`: load directories into the search index."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import socket
import sys
from pathlib import Path

import click
from elasticsearch import TransportError
from tqdm import tqdm

from indexer import formats, side_table
from indexer.crosswalk import Crosswalk, crosswalk_coverage
from indexer.geocoding import AddressGeocoder
from indexer.hsds import Converter
from indexer.limits import Limits
from indexer.load import LoadError, Report, after_failure, failed_report, load_path
from indexer.records import ReadError
from indexer.worker import work
from linkage import jobs, logs
from linkage.config import Settings
from linkage.places import make_geocoder
from linkage.search import sources
from linkage.search.client import make_client
from linkage.search.document import replica_settings
from linkage.search.index import ResourceIndex
from linkage.taxonomy import load_taxonomy


@click.group()
def main() -> None:
    """Load community resource directories into Elasticsearch."""


def bulk_client(settings: Settings):
    """The client for loading: bulk requests can take longer than a search."""
    return make_client(settings).options(request_timeout=max(60.0, settings.elasticsearch_timeout))


def converter_for(source: str, settings: Settings) -> Converter:
    taxonomy = load_taxonomy(settings.data_dir)
    crosswalk = Crosswalk.from_file_211(  # the shipped 211 crosswalk, and a deployer's over it
        taxonomy,
        Path(settings.crosswalk_211) if settings.crosswalk_211 else None,
        settings.data_dir,
    )
    geocoder = make_geocoder(settings)
    if geocoder is not None:
        geocoder = AddressGeocoder(
            geocoder, Path(settings.geocode_cache), settings.geocoder_min_delay
        )
    return Converter(source, taxonomy, settings.default_timezone, crosswalk, geocoder)


def write_rejections_csv(report: Report, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "row", "record_id", "field", "reason"])
        for r in report.rejections:
            writer.writerow([r.file, r.row, r.record_id or "", r.field, r.reason])


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", *formats.FORMATS]),
    default="auto",
    show_default=True,
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Column mapping (YAML) for mapped-csv.",
)
@click.option(
    "--source",
    help="Source name (its own id namespace and index); defaults to the file or folder name.",
)
@click.option("--mode", type=click.Choice(["full", "incremental"]), default="full", show_default=True,
              help="full: replace the source's records; incremental: add or update by id.")  # fmt: skip
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), help="Write the JSON report here."
)
@click.option(
    "--rejected",
    "rejected_path",
    type=click.Path(path_type=Path),
    help="Write rejected rows as CSV here.",
)
@click.option(
    "--categories",
    "categories_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Side table of categories by service id: CSV (service_id,code) or JSON "
    '{"<service id>": ["<code>", ...]}.',
)
@click.option(
    "--categories-vocabulary",
    type=click.Choice(side_table.VOCABULARIES),
    help="The side table's codes are all of this vocabulary (default: recognised per code).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--allow-shrink", is_flag=True,
              help="A full load may drop more of the source's services than LINKAGE_MAX_SHRINK.")  # fmt: skip
def load(
    path, fmt, mapping, source, mode, report_path, rejected_path, categories_path,
    categories_vocabulary, quiet, allow_shrink,
) -> None:  # fmt: skip
    """Load a directory (HSDS JSON or tabular package, Ohana CSV, or CSV with a mapping)."""
    settings = Settings.from_env()
    client = bulk_client(settings)
    try:
        fmt = formats.detect(mapping or path) if fmt == "auto" else fmt
        name = jobs.source_name(source or (mapping or path).stem)
        limits = Limits.from_settings(settings)  # LINKAGE_MAX_* checked before anything is loaded
        replica_settings(settings.replicas)  # LINKAGE_REPLICAS checked before anything is loaded
        categories = (
            side_table.read_table(categories_path, categories_vocabulary)
            if categories_path
            else None
        )  # all of it checked before anything is loaded
    except (ReadError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        converter = converter_for(name, settings)
    except (ValueError, OSError) as exc:  # a deployer's file (the 211 crosswalk, say)
        raise click.ClickException(f"cannot set up the import: {exc}") from exc
    total = None if quiet else formats.count_records(path, fmt, mapping)
    holder = f"the command line on {socket.gethostname()}, process {os.getpid()}"
    locked = False
    bar = tqdm(total=total, desc=name, unit="record", disable=quiet, file=sys.stderr, smoothing=0.1)
    try:
        # as API imports do: one import of a source at once
        jobs.lock_source(client, settings.index_alias, name, holder)
        locked = True
        with jobs.lock_heartbeat(client, settings.index_alias, name, holder):
            report = load_path(
                client, settings.index_alias, path, fmt, mapping, converter, mode, bar.update,
                categories, replicas=settings.replicas, limits=limits, allow_shrink=allow_shrink,
            )  # fmt: skip
    except jobs.SourceBusy as exc:
        raise click.ClickException(str(exc)) from exc
    except (LoadError, ReadError) as exc:
        if (partial := failed_report(exc)) is not None:  # what it had, for --report/--rejected
            write_report_files(partial, report_path, rejected_path)
        raise click.ClickException(f"{exc}; {after_failure(mode)}") from exc
    except TransportError as exc:
        raise click.ClickException(
            f"Elasticsearch at {settings.elasticsearch_url} failed: {exc}; {after_failure(mode)}"
        ) from exc
    finally:
        bar.close()
        if locked:
            with contextlib.suppress(TransportError):  # if not released, taken over once stale
                jobs.release_source(client, settings.index_alias, name, holder)
    write_report_files(report, report_path, rejected_path)
    total = report.total()
    click.echo(
        f"{name} ({fmt}, {mode}): read {total.read}, indexed {total.indexed}, rejected {total.rejected}, "
        f"duplicates {total.duplicates}{_skipped(total)} ({report.documents} documents) "
        f"into {report.index} [analysis: {report.analysis}] in {report.seconds:.1f}s"
    )
    if categories is not None:
        click.echo("  " + _categories_file_line(categories.name, report.tallies))
    if report.changes is not None:
        click.echo("  " + _changes_line(report))
    if len(report.files) > 1:
        for file, c in report.files.items():
            click.echo(
                f"  {file}: read {c.read}, indexed {c.indexed}, rejected {c.rejected}, "
                f"duplicates {c.duplicates}{_skipped(c)}"
            )
    for r in report.rejections[:50]:
        click.echo(
            f"  rejected {r.file} {r.row}{f' (id {r.record_id})' if r.record_id else ''}: {r.field}: {r.reason}"
        )
    if len(report.rejections) > 50:
        click.echo(f"  ... {len(report.rejections) - 50} more (see --report / --rejected)")
    if report.unmapped_terms:
        top = ", ".join(f"{name!r} ({n})" for (_, name), n in report.unmapped_terms.most_common(10))
        click.echo(f"  {len(report.unmapped_terms)} source terms map to no category: {top}")
    if coverage := crosswalk_coverage(report.tallies):
        click.echo(f"  {coverage}")
    if report.warnings_total:
        click.echo(
            f"  {report.warnings_total} warnings (values dropped, records kept); see --report"
        )


def write_report_files(report: Report, report_path: Path | None, rejected_path: Path | None):
    """The JSON report and the rejections CSV, where asked for (a failed load's too)."""
    if report_path:
        report_path.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    if rejected_path:
        write_rejections_csv(report, rejected_path)


def _categories_file_line(name: str, tallies) -> str:
    t = {k.removeprefix("categories_file."): v for k, v in tallies.items()}
    return (
        f"{name}: {t.get('codes', 0)} codes given to {t.get('records', 0)} records; "
        f"{t.get('ids_unknown', 0)} ids not in the directory, "
        f"{t.get('codes_not_understood', 0)} codes not understood"
    )


def _changes_line(report: Report) -> str:
    c = report.changes
    return (
        f"since the last load: {c['added']} added, {c['removed']} removed, {c['changed']} "
        f"changed, {c['unchanged']} unchanged; last verified over a year ago: "
        f"{report.verified_over_a_year_ago}, never: {report.no_verified_date}"
    )


def _skipped(counts) -> str:
    """', skipped 12 (agency 5, inactive 7)' where rows were skipped, else ''."""
    if not counts.skipped:
        return ""
    kinds = ", ".join(f"{kind} {n}" for kind, n in counts.skipped.items() if n)
    return f", skipped {sum(counts.skipped.values())} ({kinds})"


@main.command()
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
@click.option(
    "--poll", type=float, default=1.0, show_default=True, help="Seconds between looks at the queue."
)
def worker(once: bool, poll: float) -> None:
    """Run import jobs submitted through the API (POST /v1/imports)."""
    settings = Settings.from_env()
    logs.configure(settings.log_format)
    client = bulk_client(settings)
    done = work(client, settings, converter_for, once=once, poll_seconds=poll)
    click.echo(f"ran {done} import job(s)")


@main.command("sources")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
def list_sources(as_json: bool) -> None:
    """The sources behind the alias: records, documents, last load, mode, index."""
    settings = Settings.from_env()
    found = sources.list_sources(ResourceIndex(settings, make_client(settings)))
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in found], indent=2))
        return
    if not found:
        click.echo(f"no sources behind {settings.index_alias}")
    for s in found:
        click.echo(
            f"{s.name}: {s.records} records ({s.documents} documents), last loaded "
            f"{s.loaded_at or 'at an unknown time'} ({s.mode or 'mode unknown'}), index {s.index}"
        )


@main.command()
@click.argument("source")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def remove(source: str, yes: bool) -> None:
    """Take a source out of search: its alias entry and all its indices."""
    settings = Settings.from_env()
    client = make_client(settings)
    resources = ResourceIndex(settings, client)
    known = {s.name: s for s in sources.list_sources(resources)}
    if source not in known:
        listed = ", ".join(known) or "none"
        raise click.ClickException(
            f"no source {source!r} behind {settings.index_alias} (sources: {listed})"
        )
    s = known[source]
    if not yes:
        click.confirm(
            f"Remove {source} ({s.records} records, {s.documents} documents) from search?",
            abort=True,
        )
    holder = f"a removal on {socket.gethostname()}, process {os.getpid()}"
    try:
        # not while an import of it runs
        jobs.lock_source(client, settings.index_alias, source, holder)
    except jobs.SourceBusy as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        gone = sources.remove_source(resources, source)
    except sources.UnknownSource as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        with contextlib.suppress(TransportError):
            jobs.release_source(client, settings.index_alias, source, holder)
    click.echo(f"removed {source}: {', '.join(gone)}")
