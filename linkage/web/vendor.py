"""Third-party browser files the app serves itself, so the page needs no CDN: Leaflet, for the map.

Leaflet comes from npm (package.json, pinned by package-lock.json; `make` runs scripts/assets),
into node_modules/leaflet/dist; a deployed app finds it at LINKAGE_LEAFLET_DIR. Only the files
the map uses are served, looked up by name in a fixed list, so no other file can be asked for.
Without them the page loads no map script and shows a note in the map's place.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from linkage.runtime import runtime

blp = Blueprint("vendor", __name__)

# The files of leaflet/dist the page uses: the script, its style sheet and the images the
# style sheet names (layer control and default marker; the page's markers are its own).
LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
)
# The URLs carry the files' hash (leaflet_version): browsers may keep them a year.
MAX_AGE = 365 * 24 * 3600


# directory -> the version found there. Only a found one is kept: Leaflet installed while the
# app runs (scripts/assets) is served from the next page on.
_VERSIONS: dict[str, str] = {}


def _version_of(directory: str) -> str | None:
    if directory in _VERSIONS:
        return _VERSIONS[directory]
    digest = hashlib.sha256()
    for name in ("leaflet.js", "leaflet.css"):
        path = Path(directory) / name
        if not path.is_file():
            return None
        digest.update(path.read_bytes())
    version = _VERSIONS[directory] = digest.hexdigest()[:12]
    return version


def leaflet_version() -> str | None:
    """A short hash of the installed Leaflet (for its URLs), or None when it is not installed."""
    return _version_of(runtime().settings.leaflet_dir)


@blp.get("/static/vendor/leaflet/<path:name>")
def leaflet(name: str):
    """One of Leaflet's files (LEAFLET_FILES); 404 for any other name or when not installed."""
    if name not in LEAFLET_FILES or leaflet_version() is None:
        abort(404)
    return send_from_directory(runtime().settings.leaflet_dir, name, max_age=MAX_AGE)
