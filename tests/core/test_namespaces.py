"""IRI minting: slugs are stable across bases, graph names round-trip."""

from __future__ import annotations

from riikg.namespaces import (
    PREFIXES,
    Kind,
    curie,
    meta_graph,
    mint,
    nuts,
    report_graph,
    slugify,
    source_graph,
    source_graph_prefix,
    source_id_of,
    sub_slug,
)


def test_slug_is_independent_of_base() -> None:
    a = mint("http://localhost:8080/", Kind.INFRASTRUCTURE, slugify("CEITEC Nano"))
    b = mint("https://kg.example.eu/", Kind.INFRASTRUCTURE, slugify("CEITEC Nano"))
    assert a.rsplit("/", 1)[1] == b.rsplit("/", 1)[1] == "ceitec-nano"


def test_slug_cut_on_boundary_and_never_empty() -> None:
    long = slugify("word " * 40)
    assert len(long) <= 80 and not long.endswith("-")
    assert slugify("!!!") == "x"


def test_sub_slug_and_nuts() -> None:
    assert sub_slug("a", "b") == "a--b"
    assert str(nuts(" ith55 ")) == "http://data.europa.eu/nuts/code/ITH55"


def test_source_graph_round_trip() -> None:
    g = source_graph("http://x/", "esfri-2016")
    assert source_id_of("http://x/", str(g)) == "esfri-2016"
    assert source_id_of("http://x/", "http://x/graph/meta/esfri-2016") is None


def test_graph_layout_has_one_prefix() -> None:
    base = "https://kg.example.eu/"
    assert source_graph(base, "nuts").startswith(source_graph_prefix(base))
    assert source_id_of(base, str(meta_graph(base, "nuts"))) is None
    assert source_id_of(base, str(report_graph(base, "nuts"))) is None


def test_curie_longest_namespace_and_plain_local_names() -> None:
    prefixes = {"ex": "http://ex.org/", "exa": "http://ex.org/a/"}
    assert curie("http://ex.org/a/b", prefixes) == "exa:b"
    assert curie("http://ex.org/a/b/c", prefixes) == "http://ex.org/a/b/c"  # "/" is not local
    assert curie("http://ex.org/", prefixes) == "http://ex.org/"  # an empty local name
    assert curie(PREFIXES["dct"] + "title") == "dct:title"
