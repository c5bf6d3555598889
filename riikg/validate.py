"""Thin wrapper over ``pyshacl.validate`` with reports people can act on.

Shapes and the ontology come only from the repository (``shapes/``, ``ontology/``), parsed
from bytes; ``owl:imports`` are never followed and no URL is fetched (SECURITY.md A6, A7).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from riikg.resources import ontology_dir, shapes_dir
from riikg.sources import SourceGraph


def _parse_dir(directory: Path) -> Graph:
    graph = Graph()
    for path in sorted(directory.rglob("*.ttl")):
        graph.parse(data=path.read_bytes(), format="turtle", publicID=path.as_uri())
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes in ``shapes/`` (parsed once per process)."""
    return _parse_dir(shapes_dir())


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology and the vocabularies in ``ontology/`` (parsed once per process)."""
    return _parse_dir(ontology_dir())


@dataclass(frozen=True)
class Finding:
    """One validation result, flattened."""

    severity: str  # "Violation", "Warning" or "Info"
    focus: str
    path: str | None
    message: str
    shape: str | None
    value: str | None
    location: str | None


@dataclass
class Outcome:
    """What validation found. ``conforms`` is False only when there are violations."""

    conforms: bool
    report: Graph
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "Violation"]

    def summary(self, limit: int = 50) -> str:
        """Findings grouped by entity, each line led by its source location."""
        by_focus: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            by_focus[f.focus].append(f)
        lines = [f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"]
        shown = 0
        for focus, items in sorted(by_focus.items()):
            lines.append(f"  {focus}")
            for f in sorted(items, key=lambda x: (x.severity != "Violation", x.path or "")):
                where = f"{f.location}: " if f.location else ""
                path = f" [{f.path}]" if f.path else ""
                lines.append(f"    {where}{f.severity}{path}: {f.message}")
                shown += 1
                if shown >= limit:
                    lines.append(f"    … {len(self.findings) - shown} more")
                    return "\n".join(lines)
        return "\n".join(lines)


def validate(data: Graph, *, context: Graph | None = None) -> Outcome:
    """Validate ``data`` (plus read-only ``context`` such as referenced reference data).

    Args:
        data: the source graph; a :class:`SourceGraph` lets findings carry file:row:column.
        context: triples the data points to (NUTS regions, KETs, strategies) that the
            shapes need to see; they are validated as part of the data graph but are
            already in the store.

    Returns:
        The outcome; violations make ``conforms`` False, warnings do not.
    """
    target = data
    if context is not None and len(context):
        target = Graph()
        for triple in data:
            target.add(triple)
        for triple in context:
            target.add(triple)
    _, report, _ = pyshacl.validate(
        target,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
        js=False,
    )
    findings = _findings(report, data)
    conforms = not any(f.severity == "Violation" for f in findings)
    return Outcome(conforms=conforms, report=report, findings=findings)


def _findings(report: Graph, data: Graph) -> list[Finding]:
    out: list[Finding] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        location = None
        if isinstance(data, SourceGraph) and isinstance(focus, URIRef):
            loc = data.location_of(focus, path if isinstance(path, URIRef) else None)
            location = str(loc) if loc else None
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        out.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=str(focus),
                path=str(path) if isinstance(path, URIRef) else None,
                message=str(report.value(result, SH.resultMessage) or "constraint not met"),
                shape=str(shape) if isinstance(shape, URIRef) else None,
                value=str(value) if value is not None else None,
                location=location,
            )
        )
    return out
