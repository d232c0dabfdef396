"""Throughput benchmark of the extraction pipeline and the store (``newsgraph bench``).

* :mod:`newsgraph.bench.corpus` — deterministic generated news articles;
* :mod:`newsgraph.bench.runner` — the measurements and the JSON report;
* :mod:`newsgraph.bench.chart` — the PNG chart of per-stage cost.
"""
