"""What the views need at run time: settings, taxonomy, place resolver, Elasticsearch, clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from elasticsearch import Elasticsearch
from flask import current_app

from linkage.config import Settings
from linkage.elastic import get_client
from linkage.geo import PlaceResolver, make_geocoder
from linkage.needs import Instrument, NeedsConfig, load_instruments, need_vocabulary
from linkage.taxonomy import Taxonomy, load_taxonomy

TIMEZONE_CACHE_SECONDS = 60.0


class Runtime:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] | None = None):
        self.settings = settings
        self.taxonomy: Taxonomy = load_taxonomy(settings.data_dir)
        self.places = PlaceResolver(make_geocoder(settings))
        self.instruments: dict[str, Instrument] = load_instruments(settings.data_dir)
        self.need_vocabulary: dict[str, dict] = need_vocabulary(settings.data_dir)
        self.needs_config = NeedsConfig.from_settings(settings)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._timezones: tuple[float, list[str]] | None = None

    @property
    def es(self) -> Elasticsearch:
        return get_client(self.settings)

    def timezones(self) -> list[str]:
        """Time zones present in the live index (kept in its mapping _meta by the indexer)."""
        cached = self._timezones
        if cached and time.monotonic() - cached[0] < TIMEZONE_CACHE_SECONDS:
            return cached[1]
        mappings = self.es.indices.get_mapping(index=self.settings.index_alias)
        zones = sorted(
            {
                tz
                for m in mappings.values()
                for tz in m["mappings"].get("_meta", {}).get("timezones", [])
            }
        )
        self._timezones = (time.monotonic(), zones)
        return zones


def runtime() -> Runtime:
    return current_app.extensions["linkage"]
