"""`python -m indexer` / `linkage-indexer`: load directories into the search index."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from elasticsearch import TransportError
from tqdm import tqdm

from indexer.hsds import Converter
from indexer.load import LoadError, rebuild
from indexer.readers import ReadError, read_hsds_json
from linkage.config import Settings
from linkage.elastic import make_client
from linkage.taxonomy import load_taxonomy


@click.group()
def main() -> None:
    """Load community resource directories into Elasticsearch."""


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", help="Source name (id namespace); defaults to the file name.")
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), help="Write the JSON report here."
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def load(path: Path, source: str | None, report_path: Path | None, quiet: bool) -> None:
    """Rebuild the index from an HSDS 3.0 JSON file (array or NDJSON) and swap the alias."""
    settings = Settings.from_env()
    # Bulk requests can take longer than a search: give them their own timeout.
    client = make_client(settings).options(
        request_timeout=max(60.0, settings.elasticsearch_timeout)
    )
    converter = Converter(
        source or path.stem, load_taxonomy(settings.data_dir), settings.default_timezone
    )
    bar = tqdm(desc="documents", unit="doc", disable=quiet, file=sys.stderr, smoothing=0.1)
    try:
        report = rebuild(client, settings.index_alias, read_hsds_json(path), converter, bar.update)
    except (LoadError, ReadError) as exc:
        bar.close()
        raise click.ClickException(f"{exc}; the live index was not changed") from exc
    except TransportError as exc:
        bar.close()
        raise click.ClickException(
            f"Elasticsearch at {settings.elasticsearch_url} failed: {exc}; the live index was not changed"
        ) from exc
    bar.close()
    if report_path:
        report_path.write_text(json.dumps(report.as_dict(), indent=2))
    click.echo(
        f"{path.name}: read {report.read}, indexed {report.indexed}, rejected {report.rejected} "
        f"({report.documents} documents) into {report.index} as '{settings.index_alias}' "
        f"[analysis: {report.analysis}] in {report.seconds:.1f}s"
    )
    for r in report.rejections[:50]:
        click.echo(f"  rejected {r.record}: {r.field}: {r.reason}")
    if len(report.rejections) > 50:
        click.echo(f"  ... {len(report.rejections) - 50} more rejections (see --report)")
    if report.warnings:
        click.echo(
            f"  {len(report.warnings)} warnings (values dropped, records kept); see --report"
        )
