"""Full-text search over names and descriptions in every language.

An in-process inverted index, rebuilt once per data version from one query: tokens are
folded (NFKD, accents dropped, case-folded), every query word matches as a prefix, and
results are ranked by where the words occur (name > other name > place > description).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode
from rdflib.namespace import DCTERMS, ORG, RDFS, SKOS

from endpoint.cache import per_version
from endpoint.pages.queries import q
from riikg.namespaces import RIIKG
from riikg.store import Store

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 12
WEIGHTS = {
    str(SKOS.prefLabel): 10.0,
    str(RDFS.label): 10.0,
    str(SKOS.notation): 9.0,
    str(SKOS.altLabel): 8.0,
    str(RIIKG.locality): 3.0,
    str(DCTERMS.description): 1.0,
    str(SKOS.definition): 1.0,
}
#: result kinds, most specific first (a resource is shown under the first that fits)
KINDS = (
    (str(RIIKG.ResearchInfrastructure), "Infrastructure"),
    (str(RIIKG.Equipment), "Equipment"),
    (str(RIIKG.Service), "Service"),
    (str(ORG.Organization), "Organisation"),
    (str(RIIKG.NUTSRegion), "Region"),
    (str(RIIKG.RIS3Priority), "RIS3 priority"),
    (str(RIIKG.RIS3Strategy), "RIS3 strategy"),
    (str(RIIKG.Network), "Network"),
    (str(SKOS.Concept), "Concept"),
)
_KIND_RANK = {iri: i for i, (iri, _) in enumerate(KINDS)}
SNIPPET_PROPERTIES = (str(DCTERMS.description), str(SKOS.definition))


def fold(text: str) -> str:
    """Accent- and case-insensitive form of a text.

    >>> fold("Università ÅNGSTRÖM Straße")
    'universita angstrom strasse'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of a text.

    >>> words("NanoLab@TU/e, Eindhoven")
    ['nanolab', 'tu', 'e', 'eindhoven']
    """
    return _WORD.findall(fold(text))


@dataclass
class SearchIndex:
    postings: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    docs: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    names: list[set[str]] = field(default_factory=list)
    vocabulary: list[str] = field(default_factory=list)
    snippets: dict[str, dict[str, str]] = field(default_factory=dict)

    def snippet(self, iri: str, langs: tuple[str, ...], size: int = 180) -> str:
        """The description of a resource in the first available language, shortened."""
        texts = self.snippets.get(iri)
        if not texts:
            return ""
        text = next((texts[lang] for lang in langs if lang in texts), None)
        if text is None:
            text = texts[sorted(texts)[0]]
        return text if len(text) <= size else text[: size - 1].rsplit(" ", 1)[0] + "…"

    def search(self, text: str, kind: str = "") -> list[tuple[str, str, float]]:
        """Ranked ``(iri, kind, score)`` for every resource matching all words as prefixes."""
        query = words(text)[:MAX_QUERY_WORDS]
        if not query:
            return []
        scores: dict[int, float] | None = None
        for word in query:
            hits: dict[int, float] = {}
            start = bisect_left(self.vocabulary, word)
            for token in self.vocabulary[start:]:
                if not token.startswith(word):
                    break
                factor = 1.0 if token == word else 0.6
                for doc, weight in self.postings[token].items():
                    score = weight * factor
                    if score > hits.get(doc, 0.0):
                        hits[doc] = score
            if scores is None:
                scores = hits
            else:
                scores = {d: s + hits[d] for d, s in scores.items() if d in hits}
            if not scores:
                return []
        assert scores is not None
        phrase = " ".join(query)
        results = []
        for doc, score in scores.items():
            if kind and self.kinds[doc] != kind:
                continue
            if any(name.startswith(phrase) for name in self.names[doc]):
                score += 5.0
            results.append((self.docs[doc], self.kinds[doc], score))
        results.sort(key=lambda r: (-r[2], _KIND_RANK.get(r[1], 99), r[0]))
        return results


def build_index(store: Store) -> SearchIndex:
    index = SearchIndex()
    doc_of: dict[str, int] = {}
    kind_rank: dict[int, int] = {}
    for row in store.select(q("search_texts")):
        x, t, p, text = row["x"], row["type"], row["p"], row["text"]
        if not isinstance(x, NamedNode) or not isinstance(text, Literal):
            continue
        doc = doc_of.get(x.value)
        if doc is None:
            doc = doc_of[x.value] = len(index.docs)
            index.docs.append(x.value)
            index.kinds.append(t.value)
            index.names.append(set())
        rank = _KIND_RANK.get(t.value, 99)
        if rank < kind_rank.get(doc, 100):
            kind_rank[doc] = rank
            index.kinds[doc] = t.value
        weight = WEIGHTS.get(p.value, 1.0)
        if p.value in SNIPPET_PROPERTIES:
            index.snippets.setdefault(x.value, {}).setdefault(text.language or "", text.value)
        if weight >= 8.0:
            index.names[doc].add(" ".join(words(text.value)))
        for token in set(words(text.value)):
            posting = index.postings[token]
            if weight > posting.get(doc, 0.0):
                posting[doc] = weight
    index.vocabulary = sorted(index.postings)
    return index


def search_index() -> SearchIndex:
    """The index of the current data version."""
    return per_version("search", build_index)


def kind_label(type_iri: str) -> str:
    return dict(KINDS).get(type_iri, "Resource")
