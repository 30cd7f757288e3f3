"""The topic model: BERTopic with sub-models chosen for the corpus size, offline and seeded."""
from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from ..errors import NotFittedError, TopicModelError
from ._cluster import AdaptiveClusterer, AutoKMeans, _Params, auto_hdbscan_sizes, auto_k_range
from ._metrics import DIVERSITY_TOP_N, NPMI_TOP_N, diversity, nanmean, nested, npmi_scores

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

logger = logging.getLogger(__name__)

#: Fewer units than this cannot be grouped into themes in any useful way.
MIN_UNITS = 10
#: From this many units on, the model reduces with seeded UMAP and clusters with HDBSCAN.
LARGE_N = 1000
#: Words and two-word phrases of letters/digits, keeping inner hyphens ("e-commerce", "omni-channel").
TOKEN_PATTERN = r"(?u)\b\w[\w-]*\w\b"
REPRESENTATIONS = ("ctfidf", "mmr", "keybert")
PARAMS_FILE = "topic_model_params.json"
#: Units assigned per ``transform`` call when a sample fit assigns the rest: bounds the memory of
#: UMAP's transform (its neighbour graph) whatever the corpus size. Fixed, so results do not
#: depend on anything but the input and the seed.
ASSIGN_BATCH = 20_000


def auto_min_df(n: int) -> int:
    """Units a term must occur in to be a topic term: 1 for tiny corpora, then 2, 3, 5."""
    return 1 if n < 40 else 2 if n < 2000 else 3 if n < 10000 else 5


def make_label(terms: Sequence[str], n_terms: int = 3) -> str:
    """A readable label from ranked terms: the first ``n_terms`` distinct ones, where a phrase
    absorbs its own words ("new", "retail", "new retail" -> "new retail")."""
    chosen: list[str] = []
    for term in terms:
        overlapping = [c for c in chosen if nested(term, c)]
        if overlapping:
            absorbed = [c for c in overlapping if len(c.split()) < len(term.split())]
            if absorbed:
                position = chosen.index(absorbed[0])
                chosen = [c for c in chosen if c not in absorbed]
                chosen.insert(position, term)
            continue
        if len(chosen) >= n_terms:
            break
        chosen.append(term)
    return ", ".join(chosen)


def check_fit_sample(value: Any) -> int | None:
    """``fit_sample`` as a number of units, None for "fit on every unit" (None or 0).

    Raises:
        TopicModelError: not a whole number, negative, or under the 10 units a fit needs.
    """
    import numbers

    if isinstance(value, bool) or not (value is None or isinstance(value, numbers.Integral)):
        raise TopicModelError(f"fit_sample must be a whole number of units (or None); got {value!r}")
    if value is None or value == 0:
        return None
    if value < MIN_UNITS:
        raise TopicModelError(f"fit_sample={value} is too small: fit on at least {MIN_UNITS} units, or 0 to fit on all")
    return int(value)


class _Timed:
    """Delegates to a sub-model and adds the seconds its fit/transform took to ``timings[key]``."""

    def __init__(self, model: Any, timings: dict[str, float], key: str) -> None:
        self.__dict__.update(model=model, timings=timings, key=key)

    def _run(self, name: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return getattr(self.model, name)(*args, **kwargs)
        finally:
            self.timings[self.key] = self.timings.get(self.key, 0.0) + time.perf_counter() - start

    def fit(self, X, y=None):
        result = self._run("fit", X, y=y)
        return self if result is self.model else result

    def fit_transform(self, X, y=None):
        if hasattr(self.model, "fit_transform"):
            return self._run("fit_transform", X, y=y)
        self.fit(X, y=y)
        return self.transform(X)

    def transform(self, X):
        return self._run("transform", X)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["model"], name)


@contextlib.contextmanager
def quiet_bertopic() -> Iterator[None]:
    """Silence BERTopic's own stderr logger and the numba/UMAP warnings for the duration."""
    bt_logger = logging.getLogger("BERTopic")
    level = bt_logger.level
    bt_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*n_jobs value.*")
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", message=".*Graph is not fully connected.*")
            yield
    finally:
        bt_logger.setLevel(level)


class TopicModel(_Params):
    """BERTopic with sub-models chosen for the corpus size; scikit-learn manners.

    ``"auto"`` sub-models are chosen at :meth:`fit` from the number of units ``n``:

    - ``n < 10``: :class:`~corpus_tools.errors.TopicModelError` (too few units to group).
    - ``n < 1000``: no dimensionality reduction (k-means works well on the 384-d sentence
      embeddings) and :class:`AutoKMeans`: k chosen by the cosine silhouette over
      3..sqrt(n) (2.. below 30 units), never with a theme under 2% of the units. Density-based
      clustering marks nearly everything as noise at this size.
    - ``n >= 1000``: seeded UMAP (15 neighbours, 5 dimensions, cosine) and
      :class:`AdaptiveClusterer` (HDBSCAN with ``min_cluster_size`` ~ sqrt(n)/2, k-means fallback
      if HDBSCAN is degenerate), then BERTopic's outlier reduction: an outlier joins its nearest
      topic when it is at least as similar to it as the least typical 5% of that model's members.
    - ``n_topics=K`` always uses k-means with K clusters on the same space.

    Terms come from c-TF-IDF over a CountVectorizer with English stop words, words and two-word
    phrases, and a minimum unit frequency scaled to n (:func:`auto_min_df`).

    With ``fit_sample=N`` and more than N units, everything above (sub-models, UMAP, HDBSCAN,
    c-TF-IDF, outlier reduction) is fitted on a seeded random sample of N units, and the other
    units are assigned by the fitted model's :meth:`transform` (UMAP transform, then HDBSCAN's
    approximate prediction or k-means' nearest centre) followed by the same outlier rule. The
    fit then costs the same at any corpus size; the assignment grows linearly.

    Args:
        n_topics: ``"auto"`` or a number of topics (2 to n/2).
        seed: seed for every random step (k-means, UMAP, silhouette sampling).
        embedding_model: local sentence-transformers (or model2vec) folder, a loaded model, or
            None for the default embedder (the static model distilled from all-MiniLM-L6-v2). Only used when embeddings are not passed to :meth:`fit`,
            for guided seeds and for the MMR/KeyBERT representations.
        reducer, clusterer, vectorizer, ctfidf: ``"auto"`` or any BERTopic-compatible sub-model
            (UMAP/PCA/BaseDimensionalityReduction; HDBSCAN/KMeans/...; CountVectorizer;
            ClassTfidfTransformer). Objects are cloned, never fitted in place.
        representation: ``"ctfidf"`` (labels from c-TF-IDF terms), ``"mmr"`` (labels from
            maximal-marginal-relevance terms) or ``"keybert"`` (KeyBERTInspired). Top terms are
            always the c-TF-IDF ones.
        seed_topics: guided topic modelling: lists of seed words (BERTopic ``seed_topic_list``).
        reduce_outliers: apply outlier reduction after HDBSCAN.
        top_n_words: terms kept per topic (25, for the diversity measure).
        n_label_terms: terms in a label.
        cache_dir, use_cache: the embedding cache.
        fit_sample: fit on a seeded random sample of at most this many units and assign the
            rest with the fitted model (None or 0: fit on every unit). At least 10.

    Attributes (after fit):
        topics_ (topic per unit), embeddings_, bertopic_ (the fitted BERTopic), plan_ (the
        sub-models chosen, as text), terms_ (topic -> ranked c-TF-IDF terms), labels_
        (topic -> label), centroids_ (topic -> unit-embedding centroid), timings_ (seconds by
        stage: embed, reduce, cluster, represent; assign after a sample fit),
        embedding_model_path_, n_fit_units_ (units the model was fitted on; ``n_units_`` when no
        sample was drawn), fit_rows_ (their positions, sorted; None without a sample).
    """

    def __init__(self, n_topics: int | str = "auto", *, seed: int = 42, embedding_model: Any = None,
                 reducer: Any = "auto", clusterer: Any = "auto", vectorizer: Any = "auto", ctfidf: Any = "auto",
                 representation: str = "ctfidf", seed_topics: Sequence[Sequence[str]] | None = None,
                 reduce_outliers: bool = True, top_n_words: int = DIVERSITY_TOP_N, n_label_terms: int = 3,
                 cache_dir: str | os.PathLike | None = None, use_cache: bool = True,
                 fit_sample: int | None = None) -> None:
        self.n_topics = n_topics
        self.seed = seed
        self.embedding_model = embedding_model
        self.reducer = reducer
        self.clusterer = clusterer
        self.vectorizer = vectorizer
        self.ctfidf = ctfidf
        self.representation = representation
        self.seed_topics = seed_topics
        self.reduce_outliers = reduce_outliers
        self.top_n_words = top_n_words
        self.n_label_terms = n_label_terms
        self.cache_dir = cache_dir
        self.use_cache = use_cache
        self.fit_sample = fit_sample

    @classmethod
    def vanilla(cls, *, seed: int = 42, embedding_model: Any = None, **kwargs: Any) -> "TopicModel":
        """BERTopic's defaults, as the baseline: seeded UMAP(15 neighbours, 5 dims, cosine),
        HDBSCAN(min_cluster_size=10), CountVectorizer(stop_words="english"), plain c-TF-IDF,
        no outlier reduction."""
        from hdbscan import HDBSCAN
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

        from bertopic.vectorizers import ClassTfidfTransformer

        return cls(seed=seed, embedding_model=embedding_model,
                   reducer=UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                random_state=seed, n_jobs=1, low_memory=False),
                   clusterer=HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom",
                                     prediction_data=True),
                   vectorizer=CountVectorizer(stop_words="english"), ctfidf=ClassTfidfTransformer(),
                   reduce_outliers=False, top_n_words=DIVERSITY_TOP_N, **kwargs)

    # -- fitting ---------------------------------------------------------------------------

    def _check_input(self, n: int) -> None:
        if n < MIN_UNITS:
            raise TopicModelError(
                f"{n} {'unit is' if n == 1 else 'units are'} too few to find themes (at least {MIN_UNITS} are needed); add essays, "
                "or model sentences instead of paragraphs (--unit sentence)")
        fit_n = self.fit_size(n)
        if self.n_topics != "auto":
            try:
                k = int(self.n_topics)
            except (TypeError, ValueError):
                raise TopicModelError(f"n_topics must be 'auto' or a whole number; got {self.n_topics!r}") from None
            if k < 2 or k > fit_n // 2:
                fitted = f"{fit_n} units" + (f" (the fit sample of {n})" if fit_n < n else "")
                raise TopicModelError(f"n_topics={k} does not fit {fitted}: choose between 2 and {fit_n // 2}, or 'auto'")
        if self.representation not in REPRESENTATIONS:
            raise TopicModelError(f"representation must be one of {', '.join(REPRESENTATIONS)}; got {self.representation!r}")

    def fit_size(self, n: int) -> int:
        """Units the model is fitted on for a corpus of ``n`` units: ``fit_sample`` when set and
        smaller than ``n``, else ``n``. Raises :class:`TopicModelError` for a bad ``fit_sample``."""
        value = check_fit_sample(self.fit_sample)
        return n if value is None else min(n, value)

    def _fit_rows(self, n: int) -> "np.ndarray | None":
        """Positions of the units to fit on, sorted (so the sample keeps corpus order), drawn
        with ``seed``; None when every unit is fitted."""
        import numpy as np

        k = self.fit_size(n)
        if k >= n:
            return None
        return np.sort(np.random.default_rng(self.seed).choice(n, size=k, replace=False))

    def _plan(self, n: int) -> tuple[dict[str, Any], dict[str, str]]:
        """Sub-models for ``n`` units, and a readable description of each."""
        from sklearn.base import clone
        from sklearn.feature_extraction.text import CountVectorizer

        from bertopic.dimensionality import BaseDimensionalityReduction
        from bertopic.vectorizers import ClassTfidfTransformer

        fixed_k = None if self.n_topics == "auto" else int(self.n_topics)
        large = n >= LARGE_N
        models: dict[str, Any] = {}
        desc: dict[str, str] = {}
        if isinstance(self.reducer, str) and self.reducer == "auto":
            if large:
                from umap import UMAP

                models["reducer"] = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine",
                                         random_state=self.seed, n_jobs=1, low_memory=True)
                desc["reducer"] = f"UMAP(n_neighbors=15, n_components=5, metric=cosine, random_state={self.seed})"
            else:
                models["reducer"] = BaseDimensionalityReduction()
                desc["reducer"] = "none (k-means on the sentence embeddings)"
        else:
            models["reducer"] = _clone(self.reducer, clone)
            desc["reducer"] = repr(models["reducer"])
        if isinstance(self.clusterer, str) and self.clusterer == "auto":
            if fixed_k is not None:
                metric = "euclidean" if large else "cosine"
                models["clusterer"] = AutoKMeans(fixed_k, metric=metric, random_state=self.seed)
                desc["clusterer"] = f"k-means (k={fixed_k}, set by n_topics)"
            elif large:
                models["clusterer"] = AdaptiveClusterer(random_state=self.seed)
                mcs, ms = auto_hdbscan_sizes(n)
                desc["clusterer"] = (f"HDBSCAN(min_cluster_size={mcs}, min_samples={ms}) with k-means fallback, "
                                     "then outlier reduction")
            else:
                lo, hi = auto_k_range(n)
                models["clusterer"] = AutoKMeans(metric="cosine", random_state=self.seed)
                desc["clusterer"] = f"k-means, k in {lo}..{hi} chosen by silhouette"
        else:
            models["clusterer"] = _clone(self.clusterer, clone)
            desc["clusterer"] = repr(models["clusterer"])
        if isinstance(self.vectorizer, str) and self.vectorizer == "auto":
            models["vectorizer"] = CountVectorizer(stop_words="english", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN,
                                                   min_df=1)
            desc["vectorizer"] = f"CountVectorizer(stop_words=english, ngram_range=(1, 2), min unit frequency {auto_min_df(n)})"
        else:
            models["vectorizer"] = _clone(self.vectorizer, clone)
            desc["vectorizer"] = repr(models["vectorizer"])
        if isinstance(self.ctfidf, str) and self.ctfidf == "auto":
            models["ctfidf"] = ClassTfidfTransformer(reduce_frequent_words=True)
        else:
            models["ctfidf"] = _clone(self.ctfidf, clone)
        desc["ctfidf"] = repr(models["ctfidf"])
        return models, desc

    def fit(self, documents: Sequence[str], embeddings: "np.ndarray | None" = None,
            progress: Callable[[Iterable], Iterable] | None = None) -> "TopicModel":
        """Fit on ``documents`` (unit texts); embeds them (cached) unless ``embeddings`` are given."""
        self.fit_transform(documents, embeddings=embeddings, progress=progress)
        return self

    def fit_transform(self, documents: Sequence[str], embeddings: "np.ndarray | None" = None,
                      progress: Callable[[Iterable], Iterable] | None = None) -> "np.ndarray":
        """Fit and return the topic of each document (-1 = outlier)."""
        import numpy as np

        from ..embeddings import DEFAULT_EMBEDDER, Embedder, embedder_model_path, set_offline

        set_offline()
        docs = [str(d) for d in documents]
        n = len(docs)
        self._check_input(n)
        timings: dict[str, float] = {"embed": 0.0, "reduce": 0.0, "cluster": 0.0, "represent": 0.0}
        needs_model = self.seed_topics is not None or self.representation != "ctfidf"
        embedder = None
        start = time.perf_counter()
        if embeddings is None or needs_model:
            embedder = Embedder(self.embedding_model, cache_dir=self.cache_dir, use_cache=self.use_cache).fit()
        if embeddings is None:
            embeddings = embedder.embed(docs, progress=progress)
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.shape[0] != n:
            raise TopicModelError(f"got {embeddings.shape[0]} embeddings for {n} documents")
        timings["embed"] = time.perf_counter() - start
        if embedder is not None:
            self.embedding_model_path_ = embedder.model_path_
        elif self.embedding_model is None or isinstance(self.embedding_model, (str, os.PathLike)):
            self.embedding_model_path_ = embedder_model_path(DEFAULT_EMBEDDER, self.embedding_model)
        else:
            self.embedding_model_path_ = None

        # A sample fit sizes, fits and describes everything from the sample alone; the other units
        # only meet the fitted model in _assign_rest.
        rows = self._fit_rows(n)
        fit_docs = docs if rows is None else [docs[i] for i in rows]
        fit_embeddings = embeddings if rows is None else embeddings[rows]
        n_fit = len(fit_docs)
        models, desc = self._plan(n_fit)
        vectorizer = models["vectorizer"]
        if isinstance(self.vectorizer, str) and self.vectorizer == "auto":
            vectorizer = self._restrict_vocabulary(vectorizer, fit_docs, auto_min_df(n_fit))
        start = time.perf_counter()
        topic_model = self._bertopic(embedder, models, vectorizer, timings)
        with quiet_bertopic():
            try:
                # Guided modelling moves the seeded units' embeddings in place; otherwise BERTopic and
                # UMAP (which keeps its input) can share ours instead of holding a second n x d copy.
                # (A sample's embeddings are already a copy: fancy indexing made them.)
                guided = topic_model.seed_topic_list is not None and rows is None
                topics, _ = topic_model.fit_transform(fit_docs, embeddings=fit_embeddings.copy() if guided
                                                      else fit_embeddings)
            except TopicModelError:
                raise
            except (ValueError, TypeError, IndexError) as exc:
                raise TopicModelError(f"the topic model could not be fitted on {n_fit} units: {exc}") from exc
        topic_model.umap_model = topic_model.umap_model.model
        topic_model.hdbscan_model = topic_model.hdbscan_model.model
        topics = np.asarray(topics, dtype=int)
        if isinstance(topic_model.hdbscan_model, AdaptiveClusterer) and topic_model.hdbscan_model.method_ == "kmeans":
            desc["clusterer"] += f" [{topic_model.hdbscan_model.reason_}: k-means fallback used]"
        if isinstance(topic_model.hdbscan_model, AutoKMeans) and self.n_topics == "auto":
            desc["clusterer"] += f" [k={topic_model.hdbscan_model.n_clusters_}]"
        threshold = None
        if self.reduce_outliers and (topics == -1).any() and (topics >= 0).any():
            topics = self._reduce_outliers(topic_model, fit_docs, topics, fit_embeddings, vectorizer, models)
            threshold = self.outlier_threshold_
            desc["outliers"] = f"outlier reduction (embeddings, threshold {threshold:.3f})"
        timings["represent"] = time.perf_counter() - start - timings["reduce"] - timings["cluster"]
        if rows is not None:
            assign_start = time.perf_counter()
            topics = self._assign_rest(topic_model, docs, embeddings, rows, topics, threshold)
            timings["assign"] = time.perf_counter() - assign_start
            desc["sample"] = (f"fitted on a seeded random sample of {n_fit:,} of {n:,} units (seed {self.seed}); "
                              f"the other {n - n_fit:,} assigned by the fitted model"
                              + (" (transform, then outlier reduction)" if threshold is not None else " (transform)"))

        self.bertopic_ = topic_model
        self.n_fit_units_ = n_fit
        self.fit_rows_ = rows
        self.topics_ = topics
        self.embeddings_ = embeddings
        self.plan_ = desc
        self.n_units_ = n
        self.vectorizer_params_ = {k: v for k, v in vectorizer.get_params().items() if k != "vocabulary"}
        self._collect_terms()
        self.centroids_ = {int(t): _unit(embeddings[topics == t].mean(axis=0)) for t in sorted(set(topics.tolist()))}
        self.timings_ = timings
        return topics

    def _assign_rest(self, topic_model, docs: list[str], embeddings, rows, fit_topics, threshold: float | None):
        """Topics of every unit: the fit's for the sampled ``rows``, and for the others the fitted
        model's prediction (BERTopic's transform: UMAP transform, then HDBSCAN's approximate
        prediction or k-means' nearest centre), with the fit's outlier rule (``threshold``) applied
        to the ones predicted as outliers. In fixed batches of :data:`ASSIGN_BATCH` units."""
        import numpy as np

        topics = np.full(len(docs), -1, dtype=int)
        topics[rows] = fit_topics
        rest = np.setdiff1d(np.arange(len(docs)), rows, assume_unique=True)
        for first in range(0, len(rest), ASSIGN_BATCH):
            part = rest[first:first + ASSIGN_BATCH]
            part_docs = [docs[i] for i in part]
            part_embeddings = embeddings[part]
            with quiet_bertopic():
                predicted, _ = topic_model.transform(part_docs, embeddings=part_embeddings)
            predicted = np.asarray(predicted, dtype=int)
            if threshold is not None and (predicted == -1).any():
                _join_nearest_topic(topic_model, predicted, part_embeddings, threshold)
            topics[part] = predicted
            logger.info("assigned %d of %d units not in the fit sample", min(first + ASSIGN_BATCH, len(rest)), len(rest))
        return topics

    def _restrict_vocabulary(self, vectorizer, docs: list[str], min_df: int):
        """Terms must occur in ``min_df`` units: c-TF-IDF counts per topic, so a unit-level floor
        keeps one paragraph's idiosyncratic words out of the top terms."""
        from sklearn.base import clone

        if min_df <= 1:
            return vectorizer
        probe = clone(vectorizer).set_params(min_df=min_df, max_df=1.0)
        try:
            probe.fit(docs)
        except ValueError:  # nothing survives the floor: keep every term
            return vectorizer
        vocabulary = sorted(probe.vocabulary_)
        return clone(vectorizer).set_params(vocabulary=vocabulary, min_df=1)

    def _bertopic(self, embedder, models: dict[str, Any], vectorizer, timings: dict[str, float]):
        from bertopic import BERTopic

        representation = None
        if self.representation == "mmr":
            from bertopic.representation import MaximalMarginalRelevance

            representation = {"MMR": MaximalMarginalRelevance(diversity=0.3, top_n_words=10)}
        elif self.representation == "keybert":
            from bertopic.representation import KeyBERTInspired

            representation = {"KeyBERT": KeyBERTInspired(top_n_words=10, random_state=self.seed)}
        seed_topics = None
        if self.seed_topics is not None:
            seed_topics = [[str(w).lower() for w in words if str(w).strip()] for words in self.seed_topics]
            seed_topics = [words for words in seed_topics if words] or None
        return BERTopic(
            language=None,
            embedding_model=embedder.model_ if embedder is not None else None,
            umap_model=_Timed(models["reducer"], timings, "reduce"),
            hdbscan_model=_Timed(models["clusterer"], timings, "cluster"),
            vectorizer_model=vectorizer,
            ctfidf_model=models["ctfidf"],
            representation_model=representation,
            seed_topic_list=seed_topics,
            top_n_words=self.top_n_words,
            calculate_probabilities=False,
            verbose=False,
        )

    def _reduce_outliers(self, topic_model, docs, topics, embeddings, vectorizer, models) -> "np.ndarray":
        import numpy as np

        topic_emb = np.asarray(topic_model.topic_embeddings_)[topic_model._outliers:]
        members = np.flatnonzero(topics >= 0)
        sims = row_dots(embeddings, members, topic_emb, topics[members], unit=True)
        # An outlier joins its nearest topic if it is as typical as that model's least typical members.
        self.outlier_threshold_ = float(np.quantile(sims, 0.05)) if len(sims) else 1.0
        with quiet_bertopic():
            new = topic_model.reduce_outliers(docs, topics.tolist(), strategy="embeddings", embeddings=embeddings,
                                              threshold=self.outlier_threshold_)
            new = np.asarray(new, dtype=int)
            if (new != topics).any():
                topic_model.update_topics(docs, topics=new.tolist(), top_n_words=self.top_n_words,
                                          vectorizer_model=vectorizer, ctfidf_model=models["ctfidf"],
                                          representation_model=topic_model.representation_model)
        return new

    def _collect_terms(self) -> None:
        model = self.bertopic_
        self.terms_ = {}
        self.labels_ = {}
        aspect = {"mmr": "MMR", "keybert": "KeyBERT"}.get(self.representation)
        for topic in sorted(set(self.topics_.tolist())):
            words = [w for w, score in (model.get_topic(topic) or []) if w and score > 0]
            self.terms_[topic] = words
            label_terms = words
            if aspect and getattr(model, "topic_aspects_", None):
                aspect_terms = [w for w, s in model.topic_aspects_.get(aspect, {}).get(topic, []) if w]
                label_terms = aspect_terms or words
            label = make_label(label_terms, self.n_label_terms) or f"topic {topic}"
            self.labels_[topic] = ("outliers: " + label) if topic == -1 else label

    def _check_fitted(self) -> None:
        if not hasattr(self, "bertopic_"):
            raise NotFittedError("TopicModel is not fitted yet: call .fit() first")

    # -- using a fitted model ---------------------------------------------------------------

    def transform(self, documents: Sequence[str], embeddings: "np.ndarray | None" = None, *,
                  ids_only: bool = False) -> "pd.DataFrame | np.ndarray":
        """Themes of new documents (nearest theme for k-means models, HDBSCAN prediction otherwise).

        Returns one labelled row per document: ``text, topic, label`` (topic -1 = outlier), in
        input order; ``ids_only=True`` returns the bare topic ids as an array, as before.
        """
        import numpy as np
        import pandas as pd

        from ..embeddings import Embedder

        self._check_fitted()
        docs = [str(d) for d in documents]
        if embeddings is None:
            model = self.embedding_model_path_ if self.embedding_model_path_ is not None else self.embedding_model
            embeddings = Embedder(model, cache_dir=self.cache_dir, use_cache=self.use_cache).fit().embed(docs)
        with quiet_bertopic():
            topics, _ = self.bertopic_.transform(docs, embeddings=np.asarray(embeddings, dtype=np.float32))
        ids = np.asarray(topics, dtype=int)
        if ids_only:
            return ids
        return pd.DataFrame({"text": docs, "topic": ids, "label": [self.labels_.get(int(t), str(t)) for t in ids]})

    def topic_table(self) -> "pd.DataFrame":
        """topic, label, size, share, top_terms ("; "-joined c-TF-IDF terms), one row per topic."""
        import pandas as pd

        self._check_fitted()
        counts = pd.Series(self.topics_).value_counts()
        rows = [{"topic": t, "label": self.labels_[t], "size": int(counts.get(t, 0)),
                 "share": float(counts.get(t, 0)) / len(self.topics_),
                 "top_terms": "; ".join(self.terms_[t][:10])} for t in self.terms_]
        table = pd.DataFrame(rows, columns=["topic", "label", "size", "share", "top_terms"])
        return table.sort_values("topic", key=lambda s: s.where(s >= 0, 10**9), kind="stable").reset_index(drop=True)

    def terms_table(self) -> "pd.DataFrame":
        """Long format: topic, rank, term, weight (c-TF-IDF) for every kept term."""
        import pandas as pd

        self._check_fitted()
        rows = []
        for topic in self.terms_:
            for rank, (term, weight) in enumerate(self.bertopic_.get_topic(topic) or [], start=1):
                if term and weight > 0:
                    rows.append({"topic": topic, "rank": rank, "term": term, "weight": float(weight)})
        return pd.DataFrame(rows, columns=["topic", "rank", "term", "weight"])

    def score(self, documents: Sequence[str] | None = None) -> dict[str, Any]:
        """Quality measures: n_topics, outlier_share, npmi (mean NPMI of each topic's top 10 terms
        over the units), diversity (unique share of top-25 terms), largest_share, silhouette.

        When the model found no topic but outliers, NPMI and diversity describe the outlier
        group's terms and ``measured_on`` says so.
        """
        import numpy as np

        self._check_fitted()
        docs = list(documents) if documents is not None else None
        topics = self.topics_
        real = [t for t in self.terms_ if t >= 0]
        scope = real or [t for t in self.terms_ if t == -1]
        npmi = math.nan
        if docs is not None and scope:
            npmi = nanmean(npmi_scores([self.terms_[t] for t in scope], docs, self.vectorizer_params_, NPMI_TOP_N))
        clustered = topics[topics >= 0]
        silhouette = math.nan
        if len(real) >= 2 and len(clustered) > len(real):
            from sklearn.metrics import silhouette_score

            from sklearn.utils import check_random_state

            # The seeded sample silhouette_score(sample_size=...) draws, taken before copying rows:
            # masking first would copy every clustered unit's embedding.
            members = np.flatnonzero(topics >= 0)
            sample = members[check_random_state(self.seed).permutation(len(members))[:3000]]
            silhouette = float(silhouette_score(self.embeddings_[sample], topics[sample], metric="cosine"))
        return {
            "n_units": int(len(topics)),
            "n_topics": len(real),
            "outlier_share": float(np.mean(topics == -1)),
            "npmi": npmi,
            "diversity": diversity([self.terms_[t] for t in scope], DIVERSITY_TOP_N) if scope else math.nan,
            "largest_share": float(np.bincount(clustered).max() / len(topics)) if len(clustered) else 0.0,
            "silhouette": silhouette,
            "measured_on": "topics" if real else "outliers (no topic found)",
        }

    # -- persistence ------------------------------------------------------------------------

    def save(self, path: str | os.PathLike, *, serialization: str = "safetensors") -> Path:
        """Save the fitted BERTopic model (safetensors by default; ``"pickle"`` keeps the
        sub-models too) with the embedding model referenced by its local path, plus this
        object's parameters and results as JSON. Nothing is uploaded anywhere."""
        from .._fileio import atomic_write_text

        self._check_fitted()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_embedding = str(self.embedding_model_path_) if self.embedding_model_path_ is not None else False
        target = path / "bertopic.pkl" if serialization == "pickle" else path / "bertopic"
        with quiet_bertopic():
            self.bertopic_.save(str(target), serialization=serialization, save_ctfidf=True,
                                save_embedding_model=save_embedding)
        params = {k: v for k, v in self.get_params().items() if _jsonable(v)}
        state = {
            "params": params,
            "serialization": serialization,
            "embedding_model_path": str(self.embedding_model_path_) if self.embedding_model_path_ else None,
            "plan": self.plan_,
            "topics": self.topics_.tolist(),
            "terms": {str(k): v for k, v in self.terms_.items()},
            "labels": {str(k): v for k, v in self.labels_.items()},
            "vectorizer_params": {k: v for k, v in self.vectorizer_params_.items() if _jsonable(v)},
            "timings": self.timings_,
            "n_fit_units": int(getattr(self, "n_fit_units_", len(self.topics_))),
        }
        atomic_write_text(path / PARAMS_FILE, json.dumps(state, indent=2, ensure_ascii=False))
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> "TopicModel":
        """Load a model written by :meth:`save`. The embedding model is loaded from its local
        path only (offline); the unit embeddings are not stored, so ``embeddings_`` is None."""
        import numpy as np

        from ..embeddings import set_offline

        path = Path(path)
        params_file = path / PARAMS_FILE
        if not params_file.is_file():
            raise TopicModelError(f"{path}: no saved topic model here (missing {PARAMS_FILE})")
        state = json.loads(params_file.read_text(encoding="utf-8"))
        set_offline()
        from bertopic import BERTopic

        target = path / ("bertopic.pkl" if state.get("serialization") == "pickle" else "bertopic")
        from ..embeddings import load_embedding_model, quiet_progress_bars

        embedding = state.get("embedding_model_path")
        if embedding:
            embedding = load_embedding_model(embedding)
        with quiet_bertopic(), quiet_progress_bars():
            try:
                bertopic = BERTopic.load(str(target), embedding_model=embedding)
            except (OSError, ValueError) as exc:
                raise TopicModelError(f"{target}: cannot load the saved topic model: {exc}") from None
        model = cls(**state["params"])
        model.bertopic_ = bertopic
        model.topics_ = np.asarray(state["topics"], dtype=int)
        model.terms_ = {int(k): v for k, v in state["terms"].items()}
        model.labels_ = {int(k): v for k, v in state["labels"].items()}
        model.plan_ = state["plan"]
        model.vectorizer_params_ = state.get("vectorizer_params", {})
        if isinstance(model.vectorizer_params_.get("ngram_range"), list):
            model.vectorizer_params_["ngram_range"] = tuple(model.vectorizer_params_["ngram_range"])
        model.timings_ = state.get("timings", {})
        model.embedding_model_path_ = Path(state["embedding_model_path"]) if state.get("embedding_model_path") else None
        model.embeddings_ = None
        model.n_units_ = len(model.topics_)
        model.n_fit_units_ = int(state.get("n_fit_units", model.n_units_))
        # Not stored: the sampled rows follow from the unit count, fit_sample and the seed.
        model.fit_rows_ = model._fit_rows(model.n_units_) if model.n_fit_units_ < model.n_units_ else None
        model.centroids_ = {}
        return model


def _join_nearest_topic(topic_model, predicted, embeddings, threshold: float) -> None:
    """In place: each -1 in ``predicted`` joins its most similar topic (cosine to the topic
    embeddings) when that similarity reaches ``threshold``. BERTopic's ``reduce_outliers``
    (strategy "embeddings") rule, applied here because BERTopic refuses to run it once its fitted
    model has no outlier topic left, while new units can still be predicted as outliers."""
    import numpy as np
    from sklearn.metrics.pairwise import cosine_similarity

    outliers = np.flatnonzero(predicted == -1)
    topic_embeddings = np.asarray(topic_model.topic_embeddings_)[topic_model._outliers:]
    sims = cosine_similarity(embeddings[outliers], topic_embeddings)
    sims[sims < threshold] = 0
    predicted[outliers] = np.where(sims.sum(axis=1) > 0, sims.argmax(axis=1), -1)


def _clone(model: Any, clone) -> Any:
    try:
        return clone(model)
    except Exception:  # not a scikit-learn estimator: use it as given
        return model


def _unit(vector):
    import numpy as np

    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _unit_rows(matrix):
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def row_dots(left, left_rows, right, right_rows, *, unit: bool = False, block: int = 4096):
    """Dot product of ``left[left_rows[i]]`` with ``right[right_rows[i]]`` for each i (cosine with
    ``unit=True``), a block of rows at a time, so no n x d gathered copy is made (rows are
    independent: the values are those of the whole computation)."""
    import numpy as np

    def rows_of(matrix, index):
        picked = matrix[index]
        return _unit_rows(picked) if unit else picked

    parts = [np.einsum("ij,ij->i", rows_of(left, left_rows[s:s + block]), rows_of(right, right_rows[s:s + block]))
             for s in range(0, len(left_rows), block)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.result_type(left, right))


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False
