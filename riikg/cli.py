"""The ``riikg`` command line: load, validate, query, serve, dump, stats, graphs, drop.

Exit codes: 0 ok, 1 validation failed (a source was refused), 2 usage or input error.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from riikg.config import ConfigError, Settings, load_settings
from riikg.errors import LoadError, SourceRefused
from riikg.formats import Kind, by_word, of_kind
from riikg.sources import Source, read_manifest, source_for_file
from riikg.store import QueryFailed, RdfFormat, StoreError, open_store


class InputError(click.ClickException):
    """Bad input or usage: exit code 2."""

    exit_code = 2


class ValidationFailed(click.ClickException):
    """A source was refused by validation: exit code 1."""

    exit_code = 1


def _fail_input(exc: Exception) -> NoReturn:
    raise InputError(str(exc)) from exc


def _os_problem(exc: OSError) -> str:
    """An ``OSError`` in a few words, without the traceback (``no space left on device``)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return reason.splitlines()[0][:200] if reason else type(exc).__name__


def _open_store(settings: Settings, *, writable: bool = False) -> Any:
    """The configured store, or exit 2 with one line (unreachable, no permission, ...)."""
    try:
        return open_store(settings, writable=writable)
    except StoreError as exc:
        _fail_input(exc)
    except OSError as exc:
        where = exc.filename or settings.store_path
        raise InputError(f"{where}: cannot open the store ({_os_problem(exc)})") from exc


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
    what = "the disk is full" if full else _os_problem(exc)
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
        _fail_input(exc)


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
        _fail_input(exc)
    store = _open_store(settings, writable=True)
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
                _fail_input(exc)
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
        _fail_input(exc)
    except OSError as exc:
        raise InputError(f"{exc.filename or report_path}: {_os_problem(exc)}") from exc
    if failed:
        raise ValidationFailed(f"{failed} source(s) do not conform")


def _format_table(rows: list[dict[str, str]], names: list[str]) -> str:
    widths = {n: max([len(n)] + [len(r.get(n, "")) for r in rows]) for n in names}
    lines = [" | ".join(n.ljust(widths[n]) for n in names)]
    lines.append("-+-".join("-" * widths[n] for n in names))
    lines += [" | ".join(r.get(n, "").ljust(widths[n]) for n in names) for r in rows]
    return "\n".join(lines)


@cli.command()
@click.argument("query", required=False)
@click.option("--file", "query_file", type=click.File("r"), help="Read the query from a file.")
@click.option(
    "--output",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format for SELECT results.",
)
@pass_settings
def query(settings: Settings, query: str | None, query_file: Any, output: str) -> None:
    """Run a SPARQL query against the store (trusted local use; no limits)."""
    from riikg.store import ResultFormat

    text = query_file.read() if query_file else query
    if not text:
        raise InputError("give a QUERY or --file")
    store = _open_store(settings)
    from riikg.store.remote import query_form

    try:
        if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
            click.echo(store.query_raw(text, RdfFormat.TURTLE).decode("utf-8"))
            return
        raw = store.query_raw(text, ResultFormat.JSON)
    except QueryFailed as exc:
        raise InputError(str(exc)) from exc
    doc = json.loads(raw)
    if "boolean" in doc:
        click.echo("true" if doc["boolean"] else "false")
        return
    names = doc["head"]["vars"]
    rows = [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
    else:
        click.echo(_format_table(rows, names))


@cli.command()
@click.option("--graph", "graph_id", help="Dump only this source (id); default: every source.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.key for f in of_kind(Kind.DATASET)]),
    default="nq",
    show_default=True,
    help="Serialisation (a triple format holds the union of the graphs).",
)
@click.option("--output", "out", type=click.File("wb"), default="-", help="Output file.")
@pass_settings
def dump(settings: Settings, graph_id: str | None, fmt: str, out: Any) -> None:
    """Write the data (one source or all) as RDF."""
    import pyoxigraph as ox

    from riikg.namespaces import PREFIXES, source_graph

    chosen = by_word(fmt, Kind.DATASET)
    assert chosen is not None  # one of the choices
    store = _open_store(settings)
    graphs = [str(source_graph(settings.base_iri, graph_id))] if graph_id else store.source_graphs()
    if graph_id and graphs[0] not in store.named_graphs():
        raise InputError(f"--graph {graph_id}: no such source (see 'riikg graphs')")
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
        for g in graphs
        for t in ox.parse(store.dump(g, RdfFormat.NTRIPLES), format=ox.RdfFormat.N_TRIPLES)
    ]
    data = quads if not chosen.is_a(Kind.GRAPH) else [q.triple for q in quads]
    out.write(ox.serialize(data, format=chosen.rdf, prefixes=dict(PREFIXES)) or b"")


@cli.command()
@pass_settings
def stats(settings: Settings) -> None:
    """Print figures about the store: version, quads, triples per source, entities per class."""
    store = _open_store(settings)
    click.echo(
        f"store: {settings.store.value}  version: {store.version}  modified: {store.modified}"
    )
    click.echo(f"quads: {store.count()}")
    for g in store.source_graphs():
        click.echo(f"  {g}: {store.count(g)} triples")
    rows = store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
    )
    for row in rows:
        click.echo(f"  {row['c'].value}: {row['n'].value}")


@cli.command()
@pass_settings
def graphs(settings: Settings) -> None:
    """List named graphs with their provenance (source, sha256, load time, triples)."""
    from riikg.namespaces import source_id_of

    store = _open_store(settings)
    rows = store.select(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX void: <http://rdfs.org/ns/void#> "
        "PREFIX riikg: <https://w3id.org/riikg/ontology/> PREFIX dct: <http://purl.org/dc/terms/> "
        "SELECT ?g ?src ?t ?sha ?n ?ok WHERE { GRAPH ?m { ?g a riikg:SourceGraph ; "
        "dct:source ?src ; prov:generatedAtTime ?t ; riikg:sha256 ?sha ; void:triples ?n ; "
        "riikg:validationConforms ?ok } } ORDER BY ?g"
    )
    recorded = set()
    for r in rows:
        recorded.add(r["g"].value)
        click.echo(
            f"{source_id_of(settings.base_iri, r['g'].value)}\t{r['g'].value}\t"
            f"{r['n'].value} triples\tloaded {r['t'].value}\tfrom {r['src'].value}\t"
            f"sha256 {r['sha'].value[:12]}\tconforms {r['ok'].value}"
        )
    for g in store.named_graphs():
        if g not in recorded:
            click.echo(f"-\t{g}\t{store.count(g)} triples")


@cli.command()
@click.argument("source_id")
@pass_settings
def drop(settings: Settings, source_id: str) -> None:
    """Remove a source's graph, provenance and validation report."""
    from riikg.namespaces import source_graph
    from riikg.pipeline import drop_source

    store = _open_store(settings, writable=True)
    if str(source_graph(settings.base_iri, source_id)) not in store.named_graphs():
        store.close()
        raise InputError(f"{source_id}: no such source (see 'riikg graphs')")
    version = drop_source(store, source_id)
    store.close()
    click.echo(f"dropped {source_id}; store version {version}")


@cli.command()
@click.option("--host", help="Interface to bind (default from RIIKG_HOST).")
@click.option("--port", type=int, help="Port (default from RIIKG_PORT).")
@click.option(
    "--workers", type=int, default=2, show_default=True, help="gunicorn worker processes."
)
@click.option("--get", "get_path", help="Print the response to one GET of PATH and exit.")
@click.option(
    "--allow-unconfined",
    is_flag=True,
    help="Serve even if query workers cannot be cut off from the network (unsafe).",
)
@pass_settings
def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    workers: int,
    get_path: str | None,
    allow_unconfined: bool,
) -> None:
    """Serve the endpoint with gunicorn (or answer one --get PATH)."""
    from endpoint import create_app

    if allow_unconfined:
        settings = settings.replace(allow_unconfined=True)
    if get_path:
        app = create_app(settings=settings)
        response = app.test_client().get(get_path)
        click.echo(response.get_data(as_text=True))
        if response.status_code >= 400:
            raise InputError(f"GET {get_path} answered {response.status}")
        return
    from endpoint.server import run_gunicorn

    _check_confinement(settings)
    run_gunicorn(settings, host or settings.host, port or settings.port, workers)


def _check_confinement(settings: Settings) -> None:
    """Before binding: make sure query workers can be cut off from the network.

    A fork of this process tries what every query worker does after its fork; when that
    fails, a public endpoint would let a query reach the network (pyoxigraph's SERVICE),
    so serving needs an explicit ``--allow-unconfined``. Remote stores run no workers;
    with a SERVICE allowlist (federation) workers keep network access on purpose.
    """
    from riikg.config import StoreKind
    from riikg.confine import probe

    if settings.store is StoreKind.REMOTE:
        return
    if settings.service_allowlist:
        click.echo(
            "riikg serve: WARNING: RIIKG_SERVICE_ALLOWLIST is set, so query workers keep "
            "network access; only the query checks limit SERVICE to the allowlist",
            err=True,
        )
        return
    state = probe()
    if state.confined:
        click.echo(f"riikg serve: query workers confined ({state.describe()})", err=True)
        return
    if not settings.allow_unconfined:
        raise InputError(
            f"query workers cannot be cut off from the network ({state.detail}); refusing to "
            "serve: run as root or allow unprivileged user namespaces, or pass "
            "--allow-unconfined (RIIKG_ALLOW_UNCONFINED=1) to serve anyway"
        )
    click.echo(
        "riikg serve: WARNING: query workers are NOT cut off from the network "
        f"({state.detail}); serving anyway because of --allow-unconfined",
        err=True,
    )


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
