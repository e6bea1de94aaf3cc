"""Geocoding addresses on import: geopy, rate limited, cached on disk, never fatal.

A re-import finds every address it looked up before in the cache (SQLite, one row per
normalised address, misses included) and asks the geocoder nothing. When the geocoder fails
several times in a row it is left alone for the rest of the import; the converter then falls
back to the ZIP code's centroid and records that precision.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter

from linkage.places import valid_coordinates

GIVE_UP_AFTER = 3  # consecutive failures before the geocoder is left alone for this import


def _key(address: str) -> str:
    return re.sub(r"\s+", " ", address.lower()).strip()


class AddressGeocoder:
    def __init__(self, geocoder, cache_path: Path, min_delay_seconds: float = 1.0):
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        self.cache_path = cache_path
        self._db: sqlite3.Connection | None = None
        self._db_pid = 0
        self.lookup = RateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=1,
            error_wait_seconds=max(min_delay_seconds, 0.0),
            swallow_exceptions=False,
        )
        self.failures = 0
        self.asked = 0  # requests sent to the geocoder (not answered from the cache)

    @property
    def db(self) -> sqlite3.Connection:
        """This process's connection to the cache, opened on first use: imports convert in a
        forked process, and an SQLite connection must not cross a fork."""
        if self._db is None or self._db_pid != os.getpid():
            self._db, self._db_pid = sqlite3.connect(self.cache_path), os.getpid()
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS geocode (address TEXT PRIMARY KEY, lat REAL, lon REAL)"
            )
        return self._db

    @property
    def available(self) -> bool:
        return self.failures < GIVE_UP_AFTER

    def locate(self, address: str) -> tuple[float, float] | None:
        """Coordinates for an address, from the cache or the geocoder; None if unknown or down."""
        key = _key(address)
        row = self.db.execute("SELECT lat, lon FROM geocode WHERE address = ?", (key,)).fetchone()
        if row is not None:
            return (row[0], row[1]) if row[0] is not None else None
        if not self.available:
            return None
        self.asked += 1
        try:
            found = self.lookup(address, exactly_one=True, country_codes="us")
        except GeopyError:
            self.failures += 1
            return None  # not cached: try again on a later import
        self.failures = 0
        point = (found.latitude, found.longitude) if found else None
        if point and not valid_coordinates(*point):
            point = None
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO geocode VALUES (?, ?, ?)",
                (key, point[0] if point else None, point[1] if point else None),
            )
        return point

    def close(self) -> None:
        if self._db is not None and self._db_pid == os.getpid():
            self._db.close()
        self._db = None
