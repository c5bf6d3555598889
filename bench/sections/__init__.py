"""The benchmark sections, one module each (``python -m bench.run`` runs them in this order):
``load`` (stores and load throughput), ``queries`` (query latency), ``http`` (SPARQL
throughput, pages, memory and cold start), ``pages`` (bundled data), ``sustained``,
``validation`` and ``faults``; ``common`` holds what they share. The report writer is
``bench/report.py``."""
