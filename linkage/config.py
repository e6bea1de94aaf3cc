"""Configuration: the one place that reads environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    """Every setting Linkage reads, with defaults for the local development node."""

    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_api_key: str | None = None
    elasticsearch_username: str | None = None
    elasticsearch_password: str | None = None
    elasticsearch_ca_certs: str | None = None
    # Seconds a single Elasticsearch request may take before the API answers 503.
    elasticsearch_timeout: float = 5.0
    elasticsearch_retries: int = 1
    # The service's calls (linkage/search/client.py): seconds one call may take in all, every
    # retry included (below gunicorn's 30 s timeout), and how many calls of a process may wait
    # on a node that stops answering (below gunicorn's threads: one stays free for /healthz).
    elasticsearch_deadline: float = 8.0
    elasticsearch_concurrency: int = 3
    # The alias searches read from; the indexer builds versioned indices behind it.
    index_alias: str = "linkage-resources"
    # Replicas of each index: a count ("1"), or a range that follows the nodes there are
    # ("0-1": one replica once a second node joins, none on a single node; "0-all").
    replicas: str = "0-1"
    # Address geocoding: "none" (ZIP codes and coordinates only) or "nominatim".
    geocoder: str = "none"
    geocoder_domain: str | None = None
    geocoder_scheme: str = "https"
    geocoder_user_agent: str = "linkage-resource-search"
    geocoder_timeout: float = 3.0
    # Imports: seconds between geocoder requests (Nominatim's policy is one a second), and
    # the on-disk cache so that a re-import geocodes nothing again.
    geocoder_min_delay: float = 1.0
    geocode_cache: str = str(Path.home() / ".cache" / "linkage" / "geocode.sqlite")
    default_radius_miles: float = 10.0
    # When match finds nothing within the radius, "nearest outside the radius" looks this many
    # times the radius away (at most nearest_max_miles) in the client's state, besides the
    # services serving the client's area; beyond that it suggests a wider radius instead.
    nearest_radius_factor: float = 3.0
    nearest_max_miles: float = 50.0
    # Time zone for hours of services that have neither an address nor a state.
    default_timezone: str = "America/Chicago"
    max_request_bytes: int = 1_000_000
    # Screening rules the sources leave uncertain: "instrument:rule" ids to switch off
    # (comma-separated), and the income threshold, % of the poverty guideline (0: as defined).
    disabled_rules: str = ""
    income_rule_percent: float = 0.0
    # Imports through the API: the admin key (unset: the import API is off), the folder whose
    # files may be imported by path, where uploads are kept, and the largest upload.
    admin_api_key: str = ""
    # Partner access: the keys file (JSON; see linkage/access/partners.py), public search without a key,
    # the secret signing the case-manager page's tokens (else one kept on disk), and the
    # rate-limit store (memory:// is per process; give a shared one, e.g.
    # memcached://127.0.0.1:11311, when several gunicorn workers run).
    partner_keys: str = ""
    public_search: bool = False
    secret_key: str = ""
    page_rate_limit: str = "600/minute"
    rate_limit_storage: str = "memory://"
    # Send Strict-Transport-Security on every response, not only on HTTPS requests: for a
    # deployment behind a proxy that ends TLS (the app then sees plain HTTP).
    hsts: bool = False
    import_dir: str = ""
    upload_dir: str = str(Path.home() / ".cache" / "linkage" / "uploads")
    max_upload_bytes: int = 512 * 1024 * 1024
    # Input limits of every import (indexer/limits.py): nesting depth and bytes of one record,
    # bytes of one CSV field, records in one file; a breach rejects that record with a reason.
    # A full load that would drop more than max_shrink of a live source's services stops
    # (unless --allow-shrink / allow_shrink).
    max_depth: int = 64
    max_record_bytes: int = 10 * 1024 * 1024
    max_field_bytes: int = 1024 * 1024
    max_rows: int = 5_000_000
    max_shrink: float = 0.2
    # A deployer's 211 (AIRS) code crosswalk over the shipped one (data/crosswalks/211.csv): CSV
    # `code_prefix,category` or `code,open_eligibility` (data/crosswalks/README.md); its row for
    # a prefix replaces the shipped row. Codes only: 211 term names are licensed.
    crosswalk_211: str = ""
    # /hsds/taxonomy_terms names a source's 211 codes with the names the source gave them (an
    # iCarol export's TaxonomyTerms): only for a deployer licensed to publish them.
    publish_source_term_names: bool = False
    # The page's map: Leaflet's files (npm's leaflet/dist, which `make` installs into
    # node_modules; the page shows a note instead of the map without them), and the tiles drawn
    # under the markers: a URL template ("https://tile.example.org/{z}/{x}/{y}.png", "{s}" for
    # a subdomain) with its attribution (HTML). No template: markers on a plain background, so
    # the page contacts no other host.
    leaflet_dir: str = str(DATA_DIR.parent / "node_modules" / "leaflet" / "dist")
    map_tiles: str = ""
    map_attribution: str = ""
    # Directions links on result cards: a URL template with {lat} and {lon} (the place), or
    # {address} (its street address), or {destination} (the point when known, else the address),
    # each URL-encoded. Never for a confidential location.
    directions_url: str = "https://www.openstreetmap.org/directions?to={destination}"
    # Log lines: "json" (one object a line, for a log collector) or "text" (for a terminal);
    # see linkage/logs.py for the fields, which never include client data.
    log_format: str = "json"
    data_dir: Path = field(default=DATA_DIR)

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        """Read LINKAGE_* / ELASTICSEARCH_* variables; keyword overrides win (tests, tools)."""
        env_names = {
            "elasticsearch_url": "ELASTICSEARCH_URL",
            "elasticsearch_api_key": "ELASTICSEARCH_API_KEY",
            "elasticsearch_username": "ELASTICSEARCH_USERNAME",
            "elasticsearch_password": "ELASTICSEARCH_PASSWORD",
            "elasticsearch_ca_certs": "ELASTICSEARCH_CA_CERTS",
        }
        values = {}
        for f in fields(cls):
            raw = _env(env_names.get(f.name, "LINKAGE_" + f.name.upper()))
            if raw is None:
                continue
            kind = type(f.default) if f.default is not None else str
            if f.name == "data_dir":
                values[f.name] = Path(raw)
            elif kind is bool:
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            else:
                values[f.name] = kind(raw)
        values.update(overrides)
        return cls(**values)
