"""What the views need at run time: settings, taxonomy, place resolver, the resource index, clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from flask import current_app

from linkage import places
from linkage.config import Settings
from linkage.places import PlaceResolver, make_geocoder
from linkage.screening.needs import Instrument, NeedsConfig, load_instruments, need_vocabulary
from linkage.search import semantic
from linkage.search.client import get_client
from linkage.search.index import ResourceIndex
from linkage.taxonomy import Taxonomy, load_taxonomy


class Runtime:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self.taxonomy: Taxonomy = load_taxonomy(settings.data_dir)
        self.places = PlaceResolver(make_geocoder(settings))
        self.instruments: dict[str, Instrument] = load_instruments(settings.data_dir)
        self.need_vocabulary: dict[str, dict] = need_vocabulary(settings.data_dir)
        self.needs_config = NeedsConfig.from_settings(settings)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.index = ResourceIndex(settings)

    def warm_up(self) -> None:
        """Read the ZIP database and load the embedding model before the first request, so
        no client waits ~20 s for them (a served worker's first search otherwise does)."""
        places.load()
        semantic.load()

    @property
    def es(self) -> Elasticsearch:
        """The client, for import jobs and their per-source locks (linkage.jobs)."""
        return get_client(self.settings)


def runtime() -> Runtime:
    return current_app.extensions["linkage"]
