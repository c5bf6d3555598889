"""One settings object, read once (environment ``RIIKG_*`` and an optional TOML file), passed in.

Every field is documented in the README ("Configuration"); a test checks that.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any


class StoreKind(StrEnum):
    """Which store backend to use."""

    OXIGRAPH = "oxigraph"  # embedded pyoxigraph on disk (default)
    MEMORY = "memory"  # embedded pyoxigraph in memory (tests)
    REMOTE = "remote"  # any SPARQL 1.1 Protocol server


class ConfigError(ValueError):
    """A setting has a wrong value; the message names the setting."""


@dataclass(frozen=True)
class Settings:
    """All riikg settings. Environment variable = ``RIIKG_`` + upper-case field name."""

    base_iri: str = "http://localhost:8080/"
    store: StoreKind = StoreKind.OXIGRAPH
    store_path: Path = Path("var/store")
    remote_query_url: str = ""
    remote_update_url: str = ""
    remote_gsp_url: str = ""
    remote_user: str = ""
    remote_password: str = ""
    remote_token: str = ""
    remote_timeout: float = 60.0
    remote_union_default_graph: bool = True
    host: str = "127.0.0.1"
    port: int = 8080
    query_timeout: float = 30.0
    query_timeout_max: float = 60.0
    max_rows: int = 10_000
    max_query_bytes: int = 65_536
    max_query_depth: int = 128
    sparql_workers: int = 2
    max_concurrent_per_client: int = 4
    result_cache_mb: int = 64
    result_cache_ttl: float = 300.0
    service_allowlist: tuple[str, ...] = ()
    allow_unconfined: bool = False
    sources_manifest: Path | None = None
    licence: str = "http://creativecommons.org/licenses/by/4.0/"
    publisher_name: str = "riikg"
    contact_email: str = "mailto:riikg@example.org"
    cache_max_age: int = 60
    oai_page_size: int = 100
    sitemap_max_urls: int = 50_000
    map_tile_url: str = ""
    nuts_geojson: Path | None = None

    def __post_init__(self) -> None:
        if not self.base_iri.startswith(("http://", "https://")) or not self.base_iri.endswith("/"):
            raise ConfigError(
                f"RIIKG_BASE_IRI must be an http(s) IRI ending in '/', got {self.base_iri!r}"
            )
        if self.store is StoreKind.REMOTE and not self.remote_query_url:
            raise ConfigError("RIIKG_STORE=remote needs RIIKG_REMOTE_QUERY_URL")
        for name in ("query_timeout", "query_timeout_max", "remote_timeout", "result_cache_ttl"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"RIIKG_{name.upper()} must be > 0")
        if self.result_cache_mb < 0:
            raise ConfigError("RIIKG_RESULT_CACHE_MB must be >= 0 (0 turns the cache off)")
        if self.cache_max_age < 0:
            raise ConfigError("RIIKG_CACHE_MAX_AGE must be >= 0")
        for name in (
            "max_rows",
            "max_query_bytes",
            "max_query_depth",
            "sparql_workers",
            "oai_page_size",
            "sitemap_max_urls",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"RIIKG_{name.upper()} must be >= 1")

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (values are coerced like env values)."""
        return from_mapping({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _coerce(name: str, raw: Any, default: Any) -> Any:
    ftype = {f.name: f.type for f in dataclasses.fields(Settings)}[name]
    try:
        if isinstance(default, bool) or ftype == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        if ftype == "StoreKind":
            return StoreKind(str(raw).strip().lower())
        if ftype == "int":
            return int(raw)
        if ftype == "float":
            return float(raw)
        if ftype in ("Path", "Path | None"):
            return None if raw in (None, "") else Path(raw)
        if ftype == "tuple[str, ...]":
            if isinstance(raw, str):
                return tuple(x.strip() for x in raw.replace(",", " ").split() if x.strip())
            return tuple(str(x) for x in raw)
        return str(raw)
    except ValueError as exc:
        raise ConfigError(f"RIIKG_{name.upper()}: cannot use {raw!r} ({ftype} expected)") from exc


def from_mapping(values: Mapping[str, Any]) -> Settings:
    """Build settings from a mapping of field names (case-insensitive) to raw values."""
    known = {f.name: f.default for f in dataclasses.fields(Settings)}
    kwargs: dict[str, Any] = {}
    for key, raw in values.items():
        name = key.lower()
        if name not in known:
            raise ConfigError(f"unknown setting {key!r}")
        kwargs[name] = _coerce(name, raw, known[name])
    return Settings(**kwargs)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings: defaults, then the TOML file, then ``RIIKG_*`` variables, then overrides.

    Args:
        config_file: a TOML file with a ``[riikg]`` table (or top-level keys); defaults to
            ``$RIIKG_CONFIG`` when set.
        environ: the environment to read (defaults to ``os.environ``).
        overrides: explicit values (e.g. from CLI options), applied last.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    path = config_file or (Path(env["RIIKG_CONFIG"]) if env.get("RIIKG_CONFIG") else None)
    if path is not None:
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        values.update(doc.get("riikg", doc))
    known = {f.name for f in dataclasses.fields(Settings)}
    for key, raw in env.items():
        if key.startswith("RIIKG_") and key != "RIIKG_CONFIG":
            name = key[len("RIIKG_") :].lower()
            if name in known:
                values[name] = raw
    values.update(overrides or {})
    return from_mapping(values)
