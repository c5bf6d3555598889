"""``riikg load``, ``riikg validate`` and ``riikg drop``: sources into and out of the store."""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import Any

import click

from riikg.cli import (
    InputError,
    ValidationFailed,
    cli,
    fail_input,
    open_store_or_exit,
    os_problem,
    pass_settings,
)
from riikg.config import Settings
from riikg.errors import LoadError, SourceRefused
from riikg.sources import Source, read_manifest, source_for_file
from riikg.store import StoreError, open_store


def _published(settings: Settings) -> str | None:
    """The name of the published snapshot of the on-disk store (``None`` for other stores)."""
    from riikg.config import StoreKind
    from riikg.store.oxigraph import SnapshotLayout

    if settings.store is not StoreKind.OXIGRAPH:
        return None
    try:
        current = SnapshotLayout(settings.store_path).current()
    except OSError:
        return None
    return current.name if current else None


def _write_failed(settings: Settings, source_id: str, exc: OSError, before: str | None) -> str:
    """One line for a load that failed while writing: what happened and what is intact."""
    full = exc.errno == errno.ENOSPC or "no space left" in str(exc).lower()  # RocksDB: no errno
    what = "the disk is full" if full else os_problem(exc)
    after = _published(settings)
    if after == before:
        kept = (
            f"nothing was published; the previous version ({before}) is still served"
            if before
            else "nothing was published"
        )
    else:
        kept = f"version {after} was published, but the write did not finish cleanly"
    return f"{settings.store_path}: writing source {source_id!r} failed ({what}); {kept}"


def _sources(
    paths: tuple[Path, ...],
    default: bool,
    loader: str | None,
    sid: str | None,
    manifest: Path | None,
) -> list[Source]:
    from loaders import loader_for_path

    sources: list[Source] = []
    if default or manifest:
        sources.extend(read_manifest(manifest))
    if sid is not None and len(paths) > 1:
        raise LoadError("--id", "a single SOURCE when --id is given")
    for path in paths:
        try:
            if sid == "":
                raise ValueError("an empty --id")
            sources.append(source_for_file(path, loader or loader_for_path(path), sid))
        except ValueError:
            hint = "" if sid is not None else "; give one with --id"
            raise LoadError(
                "--id" if sid is not None else str(path),
                f"a source id of 1 to 64 lower-case letters, digits and hyphens, starting with a "
                f"letter or digit (got {sid if sid is not None else path.stem!r}{hint})",
            ) from None
    if not sources:
        raise LoadError("arguments", "at least one SOURCE file, or --default, or --manifest")
    return sources


def _progress() -> Any:
    if sys.stderr.isatty():
        from tqdm import tqdm

        return tqdm
    return None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--default", "default", is_flag=True, help="Load the bundled sources (data/sources.toml)."
)
@click.option("--manifest", type=click.Path(path_type=Path), help="Load the sources of a manifest.")
@click.option("--loader", help="Loader to use for SOURCE files (default: by file extension).")
@click.option("--id", "sid", help="Source id for a single SOURCE file (default: its name).")
@click.option("--force", is_flag=True, help="Reload even if the source is unchanged.")
@pass_settings
def load(
    settings: Settings,
    paths: tuple[Path, ...],
    default: bool,
    manifest: Path | None,
    loader: str | None,
    sid: str | None,
    force: bool,
) -> None:
    """Load SOURCE files (or the bundled data) into the store, each validated first."""
    from loaders import get_loader
    from riikg.pipeline import load_source

    try:
        sources = _sources(paths, default, loader, sid, manifest)
        loaders = [get_loader(s.loader) for s in sources]
    except LoadError as exc:
        fail_input(exc)
    store = open_store_or_exit(settings, writable=True)
    tqdm = _progress()
    bar = tqdm(total=len(sources), unit="source", file=sys.stderr) if tqdm else None
    refused = 0
    try:
        for source, fn in zip(sources, loaders, strict=True):
            if bar is not None:
                bar.set_description(source.id)
            before = _published(settings)
            try:
                report = load_source(
                    store, source, fn, force=force, progress=bar.set_postfix_str if bar else None
                )
            except LoadError as exc:
                fail_input(exc)
            except OSError as exc:  # the store's disk: full, read-only, no permission
                raise InputError(_write_failed(settings, source.id, exc, before)) from exc
            except SourceRefused as exc:
                click.echo(str(exc), err=True)
                refused += 1
                continue
            finally:
                if bar is not None:
                    bar.update(1)
            click.echo(report.describe())
    finally:
        if bar is not None:
            bar.close()
        store.close()
    if refused:
        raise ValidationFailed(
            f"{refused} source(s) refused; the store keeps their previous version"
        )


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--default", "default", is_flag=True, help="Validate the bundled sources.")
@click.option("--loader", help="Loader to use (default: by file extension).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Write the sh:ValidationReport (Turtle) of the last source here.",
)
@pass_settings
def validate(
    settings: Settings,
    paths: tuple[Path, ...],
    default: bool,
    loader: str | None,
    report_path: Path | None,
) -> None:
    """Validate SOURCE files against the shapes without loading (pySHACL exit codes)."""
    from loaders import get_loader
    from riikg.namespaces import source_graph
    from riikg.pipeline import check_source, to_oxigraph
    from riikg.store.oxigraph import OxigraphStore

    # Reference data (regions, strategies) that sources point to comes from the store when
    # there is one, else from the sources validated before in this run (manifest order).
    scratch = OxigraphStore.memory(settings.base_iri)
    store: Any
    try:
        store = open_store(settings)
    except (StoreError, OSError):
        store = scratch
    failed = 0
    try:
        for source in _sources(paths, default, loader, None, None):
            checked = check_source(store, source, get_loader(source.loader))
            outcome = checked.outcome
            click.echo(f"{source.id}: {outcome.summary()}")
            failed += 0 if outcome.conforms else 1
            if store is scratch:
                target = str(source_graph(settings.base_iri, source.id))
                scratch.replace_graphs({target: to_oxigraph(checked.graph)})
            if report_path:
                report_path.write_bytes(outcome.report.serialize(format="turtle", encoding="utf-8"))
    except LoadError as exc:
        fail_input(exc)
    except OSError as exc:
        raise InputError(f"{exc.filename or report_path}: {os_problem(exc)}") from exc
    if failed:
        raise ValidationFailed(f"{failed} source(s) do not conform")


@cli.command()
@click.argument("source_id")
@pass_settings
def drop(settings: Settings, source_id: str) -> None:
    """Remove a source's graph, provenance and validation report."""
    from riikg.namespaces import source_graph
    from riikg.pipeline import drop_source

    store = open_store_or_exit(settings, writable=True)
    if str(source_graph(settings.base_iri, source_id)) not in store.named_graphs():
        store.close()
        raise InputError(f"{source_id}: no such source (see 'riikg graphs')")
    version = drop_source(store, source_id)
    store.close()
    click.echo(f"dropped {source_id}; store version {version}")
