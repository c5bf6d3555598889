"""Where pyoxigraph's SPARQL parser runs out of stack, construct by construct.

Each probe runs one query in a fresh Python process (main thread, the stack ``ulimit -s``
gives it, 8 MB by default: what a forked query worker has) or, with ``--thread-stack``, in a
thread with that stack size. A probe "crashes" when the process dies from a signal. The
smallest crashing size is found by bisection up to what fits in 64 KiB of query text
(``RIIKG_MAX_QUERY_BYTES``'s default). The guard's caps (``endpoint/sparql/guard.py``) are set
far below these figures.

    python -m bench.parser_depth                       # main thread, as in a worker
    python -m bench.parser_depth --thread-stack 256    # a thread with a 256 MiB stack
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

MAX_BYTES = 65_536

#: query text for ``n`` repetitions of each construct
CONSTRUCTS: dict[str, Callable[[int], str]] = {
    "braces {": lambda n: "ASK " + "{" * n + "}" * n,
    "parens (": lambda n: "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    "brackets [": lambda n: "ASK { ?s ?p " + "[ ?p " * n + "]" * n + " }",
    "binary +": lambda n: "ASK { FILTER(1" + "+1" * n + " > 0) }",
    "binary + spaced": lambda n: "ASK { FILTER(1" + " + 1" * n + " > 0) }",
    "binary *": lambda n: "ASK { FILTER(1" + "*1" * n + " > 0) }",
    "binary ||": lambda n: "ASK { FILTER(false" + "||false" * n + ") }",
    "binary &&": lambda n: "ASK { FILTER(true" + "&&true" * n + ") }",
    "unary !": lambda n: "ASK { FILTER(" + "!" * n + "true) }",
    "unary -": lambda n: "ASK { FILTER(" + "-" * n + "1 < 0) }",
    "unary +": lambda n: "ASK { FILTER(" + "+" * n + "1 < 0) }",
    "path /": lambda n: "ASK { ?s <p:p>" + "/<p:p>" * n + " ?o }",
    "path |": lambda n: "ASK { ?s <p:p>" + "|<p:p>" * n + " ?o }",
    "path ^(": lambda n: "ASK { ?s " + "^(" * n + "<p:p>" + ")" * n + " ?o }",
    "object list ,": lambda n: "ASK { ?s ?p 1" + ",1" * n + " }",
    "predicate list ;": lambda n: "ASK { ?s ?p 1" + ";?p 1" * n + " }",
    "IN list": lambda n: "ASK { FILTER(1 IN (1" + ",1" * n + ")) }",
    "function args": lambda n: "ASK { FILTER(CONCAT(''" + ",''" * n + ")='') }",
    "UNION chain": lambda n: "ASK { {}" + " UNION {}" * n + " }",
    "OPTIONAL chain": lambda n: "ASK { ?s ?p ?o" + " OPTIONAL{?s ?p ?o}" * n + " }",
    "MINUS chain": lambda n: "ASK { ?s ?p ?o" + " MINUS{?s ?p ?o}" * n + " }",
    "group sequence": lambda n: "ASK { " + "{?s ?p ?o}" * n + " }",
    "FILTER sequence": lambda n: "ASK { " + "FILTER(true)" * n + " }",
    "BIND chain": lambda n: "ASK { " + "".join(f"BIND(1 AS ?v{i})" for i in range(n)) + " }",
    "triples sequence": lambda n: "ASK { " + "?s ?p ?o." * n + " }",
    "VALUES rows": lambda n: "ASK { VALUES ?x {" + " 1" * n + " } }",
    "collection ( )": lambda n: "ASK { ?s ?p (" + " 1" * n + " ) }",
}

_PROBE = """
import sys, threading
import pyoxigraph as ox
text = sys.stdin.read()
stack = int(sys.argv[1])
def run():
    try:
        r = ox.Store().query(text)
        if not isinstance(r, ox.QueryBoolean):
            list(r)
    except Exception:
        pass
if stack:
    threading.stack_size(stack << 20)
    t = threading.Thread(target=run)
    t.start()
    t.join()
else:
    run()
"""


@dataclass
class Threshold:
    construct: str
    #: smallest crashing repetition count (None: no crash up to the size limit)
    crash_at: int | None
    #: largest repetition count tried that fits in the size limit
    max_tried: int


#: a probe still running after this many seconds has parsed the query (it is evaluating)
PROBE_SECONDS = 15.0


def crashes(text: str, stack_mib: int) -> bool:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _PROBE, str(stack_mib)],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=PROBE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False
    return proc.returncode < 0


def largest_fitting(make: Callable[[int], str]) -> int:
    lo, hi = 1, 2
    while len(make(hi).encode("utf-8")) <= MAX_BYTES:
        lo, hi = hi, hi * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if len(make(mid).encode("utf-8")) <= MAX_BYTES:
            lo = mid
        else:
            hi = mid
    return lo


def threshold(name: str, make: Callable[[int], str], stack_mib: int) -> Threshold:
    top = largest_fitting(make)
    if not crashes(make(top), stack_mib):
        return Threshold(name, None, top)
    lo, hi = 0, top  # lo never crashes, hi crashes
    while hi - lo > max(1, hi // 50):  # 2 % precision is plenty
        mid = (lo + hi) // 2
        if crashes(make(mid), stack_mib):
            hi = mid
        else:
            lo = mid
    return Threshold(name, hi, top)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thread-stack", type=int, default=0, help="MiB; 0 = main thread")
    parser.add_argument("--only", nargs="*", default=None, help="construct names")
    args = parser.parse_args(argv)
    for name, make in CONSTRUCTS.items():
        if args.only and name not in args.only:
            continue
        found = threshold(name, make, args.thread_stack)
        print(json.dumps(found.__dict__), flush=True)


if __name__ == "__main__":
    main()
