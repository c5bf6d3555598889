"""``riikg query``, ``riikg dump``, ``riikg stats`` and ``riikg graphs``: reading the store."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from riikg.cli import InputError, cli, open_store_or_exit, pass_settings
from riikg.config import Settings
from riikg.formats import Kind, by_word, of_kind
from riikg.store import QueryFailed, RdfFormat


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
    store = open_store_or_exit(settings)
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
    store = open_store_or_exit(settings)
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
    store = open_store_or_exit(settings)
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

    store = open_store_or_exit(settings)
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
