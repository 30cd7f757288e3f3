"""``find_topics``: themes of a corpus, per unit and per essay, with quality measures."""
from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from ..errors import TopicModelError
from ._model import TopicModel
from ._units import build_units, check_unit

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..load import Corpus

logger = logging.getLogger(__name__)

#: Documents are grouped into at most this many ordered bins for the prevalence table.
MAX_PREVALENCE_BINS = 20
#: Files written by :meth:`TopicResult.save`.
TABLE_FILES = {
    "topics": "topics.csv", "assignments": "topic_assignments.csv", "terms": "topic_terms.csv",
    "representatives": "topic_representatives.csv", "doc_topics": "doc_topics.csv",
    "prevalence": "topic_prevalence.csv", "similar_docs": "similar_docs.csv",
}


@dataclass
class TopicResult:
    """Themes of a corpus.

    Attributes:
        assignments: unit_id, doc_id, topic (-1 = outlier), label, similarity (cosine to the
            topic centroid), n_words, folded ("; "-joined ids of headings/short pieces folded in).
        topics: topic, label, size, share, top_terms ("; "-joined c-TF-IDF terms, best first).
        terms: topic, rank, term, weight: every kept term, long format.
        representatives: topic, rank, unit_id, doc_id, start, end, similarity, text: the units
            closest to each topic's centroid, ``text`` an exact quote of ``corpus.text(doc_id)[start:end]``.
        doc_topics: doc_id, topic, n_units, share: each essay's units by topic (all pairs).
        prevalence: bin, first_doc, last_doc, first_date, last_date, n_docs, topic, n_units,
            share: topic shares along the essay order (by date where known, else corpus order),
            one bin per essay up to 20 essays, else 20 bins of consecutive essays.
        similar_docs: doc_id, other_doc_id, similarity, rank: the most similar essay pairs by
            the cosine of their mean unit embeddings.
        metrics: n_topics, outlier_share, npmi, diversity, largest_share, silhouette, ...,
            plus unit, seed, wall_seconds and the sub-models chosen.
        baseline_metrics: the same measures for vanilla BERTopic on the same units and
            embeddings (None unless asked).
        dropped: pieces not modelled (unit_id, doc_id, reason).
        model: the fitted :class:`TopicModel`.
    """

    assignments: "pd.DataFrame"
    topics: "pd.DataFrame"
    terms: "pd.DataFrame"
    representatives: "pd.DataFrame"
    doc_topics: "pd.DataFrame"
    prevalence: "pd.DataFrame"
    similar_docs: "pd.DataFrame"
    metrics: dict[str, Any]
    baseline_metrics: dict[str, Any] | None = None
    baseline_topics: "pd.DataFrame | None" = None
    dropped: "pd.DataFrame | None" = None
    model: TopicModel | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        m = self.metrics
        return (f"TopicResult({m.get('n_topics')} topics over {m.get('n_units')} {m.get('unit')}s, "
                f"outliers {m.get('outlier_share', 0):.0%}, npmi {m.get('npmi', math.nan):.3f}, "
                f"diversity {m.get('diversity', math.nan):.2f})")

    def _repr_html_(self) -> str:
        from .._notebook import html_summary

        return html_summary(repr(self), [], [("topics", self.topics[["topic", "label", "size", "share"]])], rows=10)

    def save(self, out: str | os.PathLike, *, input_root: str | os.PathLike | None = None,
             save_model: bool = True) -> list[Path]:
        """Write the tables as CSV, the measures as ``topic_metrics.json`` and the fitted model
        under ``topic_model/``. Refuses to write inside ``input_root``."""
        from .._fileio import atomic_write_text, prepare_output_dir, write_table

        folder = prepare_output_dir(out, input_root)
        written = []
        for name, filename in TABLE_FILES.items():
            written.append(write_table(getattr(self, name), folder / filename))
        if self.baseline_topics is not None:
            written.append(write_table(self.baseline_topics, folder / "baseline_topics.csv"))
        payload = _finite({"metrics": self.metrics, "baseline_metrics": self.baseline_metrics})
        written.append(atomic_write_text(folder / "topic_metrics.json",
                                         json.dumps(payload, indent=2, ensure_ascii=False, default=_json_default)))
        if save_model and self.model is not None:
            written.append(self.model.save(folder / "topic_model"))
        return written


def load_topic_model(folder: str | os.PathLike) -> TopicModel:
    """The :class:`TopicModel` saved by :meth:`TopicResult.save` in ``folder`` (or its
    ``topic_model/`` subfolder)."""
    folder = Path(folder)
    if (folder / "topic_model").is_dir():
        folder = folder / "topic_model"
    return TopicModel.load(folder)


def find_topics(corpus: "Corpus", unit: str = "paragraph", seed: int = 42, n_topics: int | str = "auto",
                guided: Any = False, embedding_model: Any = None, cache_dir: str | os.PathLike | None = None,
                progress: Callable[[Iterable], Iterable] | None = None, *, baseline: bool = False,
                representation: str = "ctfidf", min_words: int | None = None, n_representatives: int = 3,
                n_similar: int = 10, model: TopicModel | None = None, use_cache: bool = True,
                embedder: str = "static", fit_sample: int | None = None, executor: Any = None) -> TopicResult:
    """Find the themes of ``corpus``.

    Args:
        corpus: a loaded :class:`~corpus_tools.load.Corpus`.
        unit: ``"paragraph"`` (default) or ``"sentence"``. Headings and units under ``min_words``
            words (8 for paragraphs, 5 for sentences) are folded into the next unit.
        seed: seed for every random step; the same input and seed give the same result.
        n_topics: ``"auto"`` or a number of themes.
        guided: seed themes with concepts: True (the built-in lexicon), a lexicon path or
            :class:`~corpus_tools.lexicon.Lexicon`, or lists of seed words. Only concepts that
            occur in at least two units seed a theme.
        embedding_model: local sentence-transformers (or model2vec) folder or loaded model;
            None = the built-in ``embedder``. Never downloaded.
        cache_dir: cache root for embeddings.
        progress: optional wrapper over embedding batches (e.g. ``tqdm``).
        baseline: also fit vanilla BERTopic on the same units and embeddings.
        representation: label terms from ``"ctfidf"``, ``"mmr"`` or ``"keybert"``.
        n_representatives: quoted units per theme.
        n_similar: essay pairs in ``similar_docs``.
        model: an unfitted :class:`TopicModel` to use instead of the automatic one.
        embedder: the built-in embedder when ``embedding_model`` is None: ``"static"`` (default;
            a static model distilled locally from all-MiniLM-L6-v2, made once on first use) or
            ``"minilm"`` (all-MiniLM-L6-v2 itself, slower). See :mod:`corpus_tools.embeddings`.
        fit_sample: past this many units, fit the theme model (UMAP, HDBSCAN, c-TF-IDF) on a
            random sample of this many, drawn with ``seed``, and assign the other units with the
            fitted model's ``transform``; every unit is still embedded. None or 0: fit on all
            units. ``metrics`` records it (``fit_sample``, ``n_fit_units``). For a ``model`` you
            pass, set it on the model instead.
        executor: where the units the embedding cache misses are embedded: an executor with
            ``map_embeddings`` (a :class:`~corpus_tools.executors.DaskExecutor` embeds on its
            workers, bitwise as here); None: this process. The vectors are cached and the theme
            model fitted here either way. A model passed as a loaded object is always used here.

    Raises:
        TopicModelError: too few units, an impossible ``n_topics`` or ``fit_sample``.
    """
    import numpy as np

    from ..embeddings import Embedder

    started = time.perf_counter()
    unit = check_unit(unit)
    units, dropped = build_units(corpus, unit, min_words)
    if len(units) == 0:
        raise TopicModelError(f"no {unit} of at least {min_words or 'a few'} words to model in this corpus")
    if model is not None and fit_sample is not None:
        raise TopicModelError("fit_sample is set on the TopicModel passed as model=, not on find_topics")
    if model is None:
        # Refuse before loading the embedding model: the answer is known from the count alone.
        TopicModel(n_topics, fit_sample=fit_sample)._check_input(len(units))
    texts = units["text"].tolist()
    seed_topics = _seed_topics(guided, texts) if guided is not None and guided is not False else None

    embed_start = time.perf_counter()
    embedder = Embedder(embedding_model, embedder=embedder, cache_dir=cache_dir, use_cache=use_cache)
    map_embeddings = getattr(executor, "map_embeddings", None)
    elsewhere = callable(map_embeddings) and (embedding_model is None or isinstance(embedding_model, (str, os.PathLike)))
    # Embedding elsewhere, this process only needs the model's fingerprint (for the cache keys).
    embedder.fit(load=not elsewhere)
    encode = None
    if elsewhere:
        spec = embedder.spec()

        def encode(missing: list[str], progress: Any = None) -> "np.ndarray":
            return map_embeddings(spec, missing, progress=progress)

    embeddings = embedder.embed(texts, progress=progress, encode=encode)
    embed_seconds = time.perf_counter() - embed_start
    model_arg = embedder.model_path_ if embedder.model_path_ is not None else embedder.model_
    if model is None:
        model = TopicModel(n_topics, seed=seed, embedding_model=model_arg, representation=representation,
                           seed_topics=seed_topics, cache_dir=cache_dir, use_cache=use_cache, fit_sample=fit_sample)
    model.fit(texts, embeddings=embeddings)
    model.timings_["embed"] += embed_seconds
    topics = model.topics_

    assignments = units[["unit_id", "doc_id"]].copy()
    assignments["topic"] = topics
    assignments["label"] = [model.labels_[t] for t in topics]
    assignments["similarity"] = _centroid_similarity(embeddings, topics, model.centroids_).round(4)
    assignments["n_words"] = units["n_words"].to_numpy()
    assignments["folded"] = units["folded"].to_numpy()

    metrics = model.score(texts)
    metrics.update(unit=unit, seed=seed, n_docs=int(units["doc_id"].nunique()), guided=seed_topics is not None,
                   n_seed_topics=len(seed_topics or []), embedding_model=str(model.embedding_model_path_ or "object"),
                   embedder=embedder.embedder_, embedding_fingerprint=embedder.model_id_,
                   fit_sample=int(model.fit_sample or 0), n_fit_units=int(model.n_fit_units_),
                   **{f"model_{k}": v for k, v in model.plan_.items()},
                   **{f"seconds_{k}": round(v, 3) for k, v in model.timings_.items()})
    tables = {
        "topics": model.topic_table(),
        "terms": model.terms_table(),
        "representatives": _representatives(units, topics, embeddings, model.centroids_, model.labels_,
                                             n_representatives),
        "doc_topics": _doc_topics(assignments, corpus, model.labels_),
        "prevalence": _prevalence(assignments, corpus, model.labels_),
        "similar_docs": _similar_docs(assignments, embeddings, corpus, n_similar),
    }
    metrics["wall_seconds"] = round(time.perf_counter() - started, 3)
    baseline_metrics = baseline_topics = None
    if baseline:
        baseline_metrics, baseline_topics = _fit_baseline(texts, embeddings, seed, model_arg, cache_dir)

    return TopicResult(
        assignments=assignments,
        **tables,
        metrics=metrics,
        baseline_metrics=baseline_metrics,
        baseline_topics=baseline_topics,
        dropped=dropped,
        model=model,
    )


def _seed_topics(guided: Any, texts: Sequence[str]) -> list[list[str]] | None:
    """Seed word lists from ``guided``; lexicon concepts that occur in under two units are left out
    (a seed with nothing to attract only pulls unrelated paragraphs toward it)."""
    import re

    if guided is True or isinstance(guided, (str, os.PathLike)) or hasattr(guided, "entries"):
        try:
            from ..lexicon import load_lexicon
        except ImportError:
            raise TopicModelError("guided themes need the concept lexicon (corpus_tools.lexicon), which is not available") from None
        lexicon = load_lexicon(None if guided is True else guided)
        candidates = [list(entry.patterns) for entry in lexicon.entries]
    else:
        candidates = [list(words) for words in guided]
    lowered = [t.lower() for t in texts]
    seeds = []
    for words in candidates:
        words = list(dict.fromkeys(str(w).lower().strip() for w in words if str(w).strip()))
        patterns = [re.compile(r"(?<!\w)" + re.escape(w) + r"(?!\w)") for w in words]
        hits = sum(1 for text in lowered if any(p.search(text) for p in patterns))
        if hits >= 2:
            seeds.append(words)
    if not seeds:
        logger.warning("no guided concept occurs in two or more units; fitting unguided")
        return None
    return seeds


def _fit_baseline(texts, embeddings, seed, model_arg, cache_dir) -> tuple[dict[str, Any], "pd.DataFrame | None"]:
    """Vanilla BERTopic on the same units and embeddings; its failure is a result, not an error."""
    start = time.perf_counter()
    vanilla = TopicModel.vanilla(seed=seed, embedding_model=model_arg, cache_dir=cache_dir)
    try:
        vanilla.fit(texts, embeddings=embeddings)
    except Exception as exc:  # vanilla BERTopic crashes on tiny corpora (UMAP/HDBSCAN): report it
        logger.info("vanilla BERTopic failed: %s", exc)
        return {"n_units": len(texts), "error": f"vanilla BERTopic failed: {exc}",
                "wall_seconds": round(time.perf_counter() - start, 3)}, None
    metrics = vanilla.score(texts)
    metrics.update({f"model_{k}": v for k, v in vanilla.plan_.items()})
    metrics["wall_seconds"] = round(time.perf_counter() - start, 3)
    return metrics, vanilla.topic_table()


def _centroid_similarity(embeddings, topics, centroids) -> "np.ndarray":
    """Dot product of each unit's embedding with its topic's centroid (``centroids``: topic ->
    vector), without stacking every unit's centroid into a second n x d matrix."""
    import numpy as np

    from ._model import row_dots

    keys = list(centroids)
    position = {t: i for i, t in enumerate(keys)}
    matrix = np.vstack([centroids[t] for t in keys])
    return row_dots(embeddings, np.arange(len(topics)), matrix, np.array([position[t] for t in topics]))


def _representatives(units, topics, embeddings, centroids, labels, n: int) -> "pd.DataFrame":
    import numpy as np
    import pandas as pd

    rows = []
    for topic in sorted(set(topics.tolist())):
        if topic < 0:
            continue
        idx = np.flatnonzero(topics == topic)
        sims = embeddings[idx] @ centroids[topic]
        order = idx[np.lexsort((idx, -sims))][:n]
        for rank, i in enumerate(order, start=1):
            unit = units.iloc[i]
            rows.append({"topic": topic, "label": labels[topic], "rank": rank, "unit_id": unit["unit_id"],
                         "doc_id": unit["doc_id"], "start": int(unit["start"]), "end": int(unit["end"]),
                         "similarity": round(float(embeddings[i] @ centroids[topic]), 4), "text": unit["quote"]})
    return pd.DataFrame(rows, columns=["topic", "label", "rank", "unit_id", "doc_id", "start", "end", "similarity", "text"])


def _doc_topics(assignments, corpus, labels) -> "pd.DataFrame":
    import pandas as pd

    counts = assignments.groupby(["doc_id", "topic"]).size()
    present = set(assignments["doc_id"])
    doc_order = [d for d in corpus.doc_ids if d in present]
    topic_order = sorted(labels, key=lambda t: (t < 0, t))
    grid = pd.MultiIndex.from_product([doc_order, topic_order], names=["doc_id", "topic"])
    table = counts.reindex(grid, fill_value=0).rename("n_units").reset_index()
    totals = table.groupby("doc_id")["n_units"].transform("sum")
    table["share"] = (table["n_units"] / totals).round(4)
    table.insert(2, "label", table["topic"].map(labels))
    return table


def _prevalence(assignments, corpus, labels) -> "pd.DataFrame":
    import numpy as np
    import pandas as pd

    docs = corpus.documents.set_index("doc_id")
    present = set(assignments["doc_id"])
    order = [d for d in corpus.doc_ids if d in present]
    n_bins = min(len(order), MAX_PREVALENCE_BINS)
    bins = {doc: int(b) for b, chunk in enumerate(np.array_split(np.array(order, dtype=object), n_bins))
            for doc in chunk}
    frame = assignments[["doc_id", "topic"]].copy()
    frame["bin"] = frame["doc_id"].map(bins)
    counts = frame.groupby(["bin", "topic"]).size()
    topic_order = sorted(labels, key=lambda t: (t < 0, t))
    grid = pd.MultiIndex.from_product([range(n_bins), topic_order], names=["bin", "topic"])
    table = counts.reindex(grid, fill_value=0).rename("n_units").reset_index()
    table["share"] = (table["n_units"] / table.groupby("bin")["n_units"].transform("sum")).round(4)
    info = []
    for b in range(n_bins):
        members = [d for d in order if bins[d] == b]
        dates = docs.loc[members, "date"] if "date" in docs else pd.Series(dtype="datetime64[ns]")
        dates = pd.to_datetime(dates, errors="coerce").dropna()
        info.append({"bin": b, "first_doc": members[0], "last_doc": members[-1],
                     "first_date": dates.min().date().isoformat() if len(dates) else None,
                     "last_date": dates.max().date().isoformat() if len(dates) else None,
                     "n_docs": len(members)})
    table = pd.DataFrame(info).merge(table, on="bin")
    table.insert(7, "label", table["topic"].map(labels))
    return table


def _similar_docs(assignments, embeddings, corpus, n_pairs: int) -> "pd.DataFrame":
    """Top essay pairs by cosine of mean unit embeddings, computed in blocks (no n x n matrix)."""
    import numpy as np
    import pandas as pd

    columns = ["rank", "doc_id", "other_doc_id", "similarity"]
    present = set(assignments["doc_id"])
    order = [d for d in corpus.doc_ids if d in present]
    if len(order) < 2:
        return pd.DataFrame(columns=columns)
    index = {d: i for i, d in enumerate(order)}
    rows = assignments["doc_id"].map(index).to_numpy()
    means = np.zeros((len(order), embeddings.shape[1]), dtype=np.float64)
    np.add.at(means, rows, embeddings)
    means /= np.linalg.norm(means, axis=1, keepdims=True).clip(min=1e-12)
    best: list[tuple[float, int, int]] = []
    block = 256  # rows of the pair matrix at a time: 256 x n_docs floats (10 MB at 5,000 essays)
    for start in range(0, len(order), block):
        sims = means[start:start + block] @ means.T
        for r in range(sims.shape[0]):
            i = start + r
            sims[r, : i + 1] = -np.inf  # each unordered pair once
        flat = sims.ravel()
        # Pairs (i, j > i) in this block, counted instead of testing every cell for finiteness.
        stop = min(start + block, len(order))
        finite = sum(len(order) - i - 1 for i in range(start, stop))
        take = min(n_pairs, finite)
        if take <= 0:
            continue
        np.negative(flat, out=flat)  # in place: argpartition of the negated block, without a copy
        top = np.argpartition(flat, take - 1)[:take]
        # Pairs tied with the last one taken are all kept, so which of equally similar pairs
        # survive is decided by the (similarity, doc, doc) sort below, not by the block size.
        top = np.flatnonzero(flat <= flat[top].max())
        best.extend((-float(flat[t]), start + t // sims.shape[1], t % sims.shape[1]) for t in top)
    best.sort(key=lambda x: (-x[0], x[1], x[2]))
    table = pd.DataFrame([{"rank": k + 1, "doc_id": order[i], "other_doc_id": order[j], "similarity": round(s, 4)}
                          for k, (s, i, j) in enumerate(best[:n_pairs])], columns=columns)
    return table


def _finite(value: Any) -> Any:
    """NaN becomes None, so the JSON is valid."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and value != value:
        return None
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return str(value)
