"""Extraction on a Dask cluster (a LocalCluster of two worker processes): same records as the
local path, in input order, stored through the CLI."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsgraph.ingest import read_documents
from newsgraph.ingest.base import SourceDocument
from newsgraph.parallel import ExtractorSpec, RunStats

distributed = pytest.importorskip("distributed")

from newsgraph.dask_engine import DaskUnavailable, dask_client, extract_dask  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


@pytest.fixture(scope="module")
def sources():
    paths = [EXAMPLES / "lavrov_ouagadougou_visit.txt", EXAMPLES / "niger_cuts_ties_ukraine.txt"]
    return [d for d in read_documents([str(p) for p in paths]) if isinstance(d, SourceDocument)]


def test_dask_gives_the_records_of_the_local_path(cluster, sources, extractor):
    expected = [r.model_dump(mode="json") for r in extractor.extract_many(sources)]
    stats = RunStats()
    got = list(extract_dask(sources, ExtractorSpec.of(), scheduler=cluster.scheduler_address, chunk_size=1,
                            stats=stats))
    assert [r.model_dump(mode="json") for r in got] == expected
    assert stats.documents == len(sources) and stats.cpu_s > 0
    # the work ran in the cluster's worker processes, not here
    import os

    assert os.getpid() not in stats.worker_pids


def test_ingest_on_dask_stores_every_document(cluster, tmp_path):
    from newsgraph.cli import app
    from newsgraph.store import Store

    db = tmp_path / "dask.db"
    paths = [str(EXAMPLES / "niger_cuts_ties_ukraine.txt"), str(EXAMPLES / "lavrov_ouagadougou_visit.txt"),
             str(tmp_path / "missing.txt")]
    result = CliRunner().invoke(app, ["ingest", *paths, "--db", str(db), "--engine", "dask",
                                      "--scheduler", cluster.scheduler_address, "--json"])
    assert result.exit_code == 1, result.output  # the missing file is reported; the others are stored
    assert "missing.txt" in result.output
    summary = json.loads(result.output[result.output.index("{"):result.output.index("}") + 1])
    assert summary["added"] == 2 and summary["failed"] == 0 and summary["input_errors"] == 1
    with Store(str(db)) as store:
        assert store.stats()["documents"] == 2


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(DaskUnavailable, match="cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        with dask_client("tcp://127.0.0.1:9", timeout=2):
            pass
