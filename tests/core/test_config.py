"""Settings: defaults, environment, TOML, errors that name the setting."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from riikg.config import ConfigError, Settings, StoreKind, load_settings


def test_defaults_serve_localhost_8080() -> None:
    s = load_settings(environ={})
    assert s.base_iri == "http://localhost:8080/"
    assert s.store is StoreKind.OXIGRAPH
    assert (s.port, s.query_timeout, s.max_rows, s.max_query_depth) == (8080, 30.0, 10_000, 128)


def test_environment_overrides_file(tmp_path: Path) -> None:
    conf = tmp_path / "riikg.toml"
    conf.write_text('[riikg]\nmax_rows = 50\nbase_iri = "https://ri.example.org/"\n')
    s = load_settings(environ={"RIIKG_CONFIG": str(conf), "RIIKG_MAX_ROWS": "7"})
    assert s.max_rows == 7
    assert s.base_iri == "https://ri.example.org/"


def test_overrides_win_and_lists_parse() -> None:
    s = load_settings(
        environ={"RIIKG_SERVICE_ALLOWLIST": "http://a.example/sparql, http://b.example/sparql"},
        overrides={"store": "memory"},
    )
    assert s.store is StoreKind.MEMORY
    assert s.service_allowlist == ("http://a.example/sparql", "http://b.example/sparql")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"RIIKG_BASE_IRI": "ftp://x/"}, "RIIKG_BASE_IRI"),
        ({"RIIKG_BASE_IRI": "http://x"}, "RIIKG_BASE_IRI"),
        ({"RIIKG_MAX_ROWS": "many"}, "RIIKG_MAX_ROWS"),
        ({"RIIKG_STORE": "mongo"}, "RIIKG_STORE"),
        ({"RIIKG_STORE": "remote"}, "RIIKG_REMOTE_QUERY_URL"),
        ({"RIIKG_QUERY_TIMEOUT": "0"}, "RIIKG_QUERY_TIMEOUT"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(environ=env)


def test_unreadable_config_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("max_rows = = 3")
    with pytest.raises(ConfigError, match="bad.toml"):
        load_settings(environ={"RIIKG_CONFIG": str(bad)})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for f in dataclasses.fields(Settings):
        assert f"RIIKG_{f.name.upper()}" in readme, f"RIIKG_{f.name.upper()} not in README"


def test_web_settings_read_like_the_others() -> None:
    s = load_settings(
        environ={
            "RIIKG_OAI_PAGE_SIZE": "7",
            "RIIKG_SITEMAP_MAX_URLS": "9",
            "RIIKG_CACHE_MAX_AGE": "0",
            "RIIKG_MAP_TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png",
            "RIIKG_NUTS_GEOJSON": "/srv/nuts.geojson",
        }
    )
    assert (s.oai_page_size, s.sitemap_max_urls, s.cache_max_age) == (7, 9, 0)
    assert s.map_tile_url == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert s.nuts_geojson == Path("/srv/nuts.geojson")
    with pytest.raises(ConfigError, match="RIIKG_OAI_PAGE_SIZE"):
        load_settings(environ={"RIIKG_OAI_PAGE_SIZE": "0"})
