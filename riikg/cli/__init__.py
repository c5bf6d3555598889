"""The ``riikg`` command line: load, validate, query, serve, dump, stats, graphs, drop.

Exit codes: 0 ok, 1 validation failed (a source was refused), 2 usage or input error.

This package is the one composition root: the only part of ``riikg`` that imports
``loaders`` and ``endpoint``. Here are the click group ``cli``, the console-script entry
point ``main`` and what every command shares (the exit-code exceptions, opening the store);
the commands live in one module per family: ``load`` (load, validate, drop), ``inspect``
(query, dump, stats, graphs) and ``serve``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from riikg.config import ConfigError, Settings, load_settings
from riikg.store import StoreError, open_store


class InputError(click.ClickException):
    """Bad input or usage: exit code 2."""

    exit_code = 2


class ValidationFailed(click.ClickException):
    """A source was refused by validation: exit code 1."""

    exit_code = 1


def fail_input(exc: Exception) -> NoReturn:
    raise InputError(str(exc)) from exc


def os_problem(exc: OSError) -> str:
    """An ``OSError`` in a few words, without the traceback (``no space left on device``)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason.splitlines()[0][:200] if reason else type(exc).__name__


def open_store_or_exit(settings: Settings, *, writable: bool = False) -> Any:
    """The configured store, or exit 2 with one line (unreachable, no permission, ...)."""
    try:
        return open_store(settings, writable=writable)
    except StoreError as exc:
        fail_input(exc)
    except OSError as exc:
        where = exc.filename or settings.store_path
        raise InputError(f"{where}: cannot open the store ({os_problem(exc)})") from exc


pass_settings = click.make_pass_decorator(Settings)


@click.group()
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RIIKG_CONFIG",
    help="TOML configuration file (settings in a [riikg] table).",
)
@click.option("--store", "store_kind", help="Store backend: oxigraph, memory or remote.")
@click.option("--store-path", type=click.Path(path_type=Path), help="Embedded store directory.")
@click.option("--base-iri", help="Base IRI under which data IRIs are minted.")
@click.version_option(package_name="riikg")
@click.pass_context
def cli(
    ctx: click.Context,
    config_file: Path | None,
    store_kind: str | None,
    store_path: Path | None,
    base_iri: str | None,
) -> None:
    """riikg: the Research and Innovation Infrastructure Knowledge Graph."""
    overrides = {
        k: v
        for k, v in {"store": store_kind, "store_path": store_path, "base_iri": base_iri}.items()
        if v is not None
    }
    try:
        ctx.obj = load_settings(config_file, overrides=overrides)
    except ConfigError as exc:
        fail_input(exc)


def main() -> None:
    """Console-script entry point.

    Errors the commands expect end with exit 2 (input) or 1 (refused by validation) and one
    line. Anything else is a bug: it is reported in one line too, with exit 2, and its
    traceback is shown only when ``RIIKG_DEBUG`` is set.
    """
    try:
        cli(prog_name="riikg")
    except Exception as exc:
        if os.environ.get("RIIKG_DEBUG"):
            raise
        text = " ".join(str(exc).split())[:200]
        click.echo(
            f"Error: unexpected {type(exc).__name__}{': ' + text if text else ''} "
            "(set RIIKG_DEBUG=1 to see where)",
            err=True,
        )
        sys.exit(2)


# The command modules register their commands on ``cli`` and use the helpers above, so they
# are imported last, once everything they need from this module exists.
from riikg.cli import inspect, load, serve  # noqa: E402, F401
