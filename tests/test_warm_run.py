"""A fully cached ``analyze`` imports none of the heavy libraries (spaCy, torch, BERTopic,
sentence-transformers): cached sentence boundaries need no spaCy, a cached theme result no torch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("spacy", "thinc", "torch", "bertopic", "sentence_transformers", "transformers", "umap", "model2vec",
         "dask", "distributed")

_RUN = r"""
import sys
from corpus_tools.cli import main
try:
    main(["analyze", sys.argv[1], "--out", sys.argv[2], "-q"])
except SystemExit as exc:
    if exc.code:
        raise
print("IMPORTED=" + ",".join(m for m in sys.argv[3].split(",") if m in sys.modules))
"""


def _analyze(corpus_dir: Path, out: Path, env: dict) -> tuple[list[str], dict]:
    proc = subprocess.run([sys.executable, "-c", _RUN, str(corpus_dir), str(out), ",".join(HEAVY)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [l for l in proc.stdout.splitlines() if l.startswith("IMPORTED=")][-1]
    imported = [m for m in line.split("=", 1)[1].split(",") if m]
    return imported, json.loads((out / "run.json").read_text(encoding="utf-8"))


def test_a_fully_warm_analyze_imports_no_heavy_library(corpus_dir, tmp_path):
    env = dict(os.environ, CORPUS_TOOLS_CACHE_DIR=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    cold_imports, cold = _analyze(corpus_dir, tmp_path / "out-cold", env)
    assert "spacy" in cold_imports  # the cold run really parsed: the check below can fail
    assert "distributed" not in cold_imports and "dask" not in cold_imports  # the local executor needs no Dask
    warm_imports, warm = _analyze(corpus_dir, tmp_path / "out-warm", env)
    assert warm_imports == [], f"a fully cached run imported {warm_imports}"
    assert warm["parse_cache"].get("results_cached") == 1 and warm["parse_cache"].get("topics_cached") == 1
    # Same results from the cache: the theme tables and the embedder recorded in run.json.
    for name in ("topics.csv", "topic_assignments.csv", "concept_mentions.csv", "framing_contrasts.csv"):
        assert (tmp_path / "out-warm" / "tables" / name).read_bytes() == (tmp_path / "out-cold" / "tables" / name).read_bytes()
    assert warm["versions"]["embedder"] == cold["versions"]["embedder"] == "static"
    assert warm["versions"]["embedding_model"] == cold["topic_metrics"]["embedding_fingerprint"]
    assert warm["versions"]["spacy_model"] == cold["versions"]["spacy_model"]
