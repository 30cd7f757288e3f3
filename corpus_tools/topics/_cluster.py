"""Clustering sub-models chosen by corpus size (swappable like any BERTopic sub-model).

- :class:`AutoKMeans`: k-means with k chosen by the silhouette criterion over a small range,
  refusing solutions with a near-empty cluster. Used for small corpora, where density-based
  clustering calls nearly everything noise, and whenever ``n_topics`` is fixed.
- :class:`AdaptiveClusterer`: HDBSCAN with sizes scaled to n for large corpora, falling back to
  :class:`AutoKMeans` when HDBSCAN's answer is degenerate (one blob, or mostly noise).

Both follow the scikit-learn contract BERTopic expects: ``fit(X, y=None)`` returns self and sets
``labels_``; ``predict(X)`` assigns new points.
"""
from __future__ import annotations

import logging
import math
from typing import Any

logger = logging.getLogger(__name__)


def auto_k_range(n: int) -> tuple[int, int]:
    """The k range searched for ``n`` units: from 3 ("several themes"; 2 below 30 units) to
    about sqrt(n), at most 20."""
    k_min = 3 if n >= 30 else 2
    k_max = max(k_min, min(20, int(round(math.sqrt(n)))))
    return k_min, min(k_max, max(k_min, n // 2))


def auto_min_size(n: int) -> int:
    """Smallest acceptable theme: 2 units, or 2% of units on larger corpora."""
    return max(2, int(math.ceil(0.02 * n)))


class _Params:
    """``get_params``/``set_params`` from the ``__init__`` signature (scikit-learn manners)."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> "_Params":
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class AutoKMeans(_Params):
    """k-means whose k maximises the silhouette score over ``[k_min, k_max]``.

    Args:
        n_clusters: ``"auto"`` or a fixed k.
        k_min, k_max: the search range; None -> :func:`auto_k_range`.
        min_size: a solution with a smaller cluster is not chosen (None -> :func:`auto_min_size`).
        metric: silhouette metric ("cosine" for raw sentence embeddings).
        random_state: seed for k-means and silhouette sampling.
        n_init: k-means restarts; "auto" = 10 below 2,000 points, else 3 (each restart costs a
            full pass, and large corpora have stable optima).
        sample_size: silhouette is computed on at most this many points (it is quadratic).

    Attributes:
        labels_, cluster_centers_, n_clusters_, scores_ (k -> silhouette; NaN when refused).
    """

    def __init__(self, n_clusters: int | str = "auto", *, k_min: int | None = None, k_max: int | None = None,
                 min_size: int | None = None, metric: str = "cosine", random_state: int = 42,
                 n_init: int | str = "auto", sample_size: int = 3000) -> None:
        self.n_clusters = n_clusters
        self.k_min = k_min
        self.k_max = k_max
        self.min_size = min_size
        self.metric = metric
        self.random_state = random_state
        self.n_init = n_init
        self.sample_size = sample_size

    def fit(self, X, y=None) -> "AutoKMeans":
        import numpy as np
        from sklearn.cluster import KMeans
        from sklearn.metrics import silhouette_score
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            # One thread: k-means on a few thousand points is dominated by OpenMP start-up, which
            # is far slower on a busy 2-core machine; one thread is also the most reproducible.
            return self._fit(np.asarray(X, dtype=np.float64), silhouette_score, KMeans)

    def _fit(self, X, silhouette_score, KMeans) -> "AutoKMeans":
        import numpy as np

        n = len(X)
        if self.n_clusters != "auto":
            ks = [int(self.n_clusters)]
        else:
            lo, hi = auto_k_range(n)
            lo = self.k_min or lo
            hi = max(lo, self.k_max or hi)
            ks = list(range(lo, hi + 1))
        min_size = self.min_size if self.min_size is not None else auto_min_size(n)
        sample = min(n, self.sample_size) if n > self.sample_size else None
        fits, scores, sizes_ok = {}, {}, {}
        n_init = (10 if n < 2000 else 3) if self.n_init == "auto" else int(self.n_init)
        for k in ks:
            if k >= n:
                break
            model = KMeans(n_clusters=k, n_init=n_init, random_state=self.random_state).fit(X)
            fits[k] = model
            counts = np.bincount(model.labels_, minlength=k)
            sizes_ok[k] = bool(counts.min() >= min_size)
            if len(ks) == 1:
                scores[k] = math.nan
                continue
            scores[k] = float(silhouette_score(X, model.labels_, metric=self.metric, sample_size=sample,
                                               random_state=self.random_state))
        if not fits:
            raise ValueError(f"cannot make {ks[0]} clusters from {n} points")
        valid = [k for k in fits if sizes_ok[k]] or list(fits)
        # Ties go to the smaller k (fewer, broader themes).
        best = max(valid, key=lambda k: (scores[k] if scores[k] == scores[k] else -math.inf, -k))
        self.scores_ = {k: (scores[k] if sizes_ok[k] else math.nan) for k in fits}
        self.kmeans_ = fits[best]
        self.n_clusters_ = best
        self.labels_ = fits[best].labels_.astype(int)
        self.cluster_centers_ = fits[best].cluster_centers_
        return self

    def predict(self, X):
        import numpy as np
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            return self.kmeans_.predict(np.asarray(X, dtype=np.float64)).astype(int)


def auto_hdbscan_sizes(n: int) -> tuple[int, int]:
    """HDBSCAN ``min_cluster_size`` (~sqrt(n)/2, at least 10) and ``min_samples`` for n units."""
    min_cluster_size = max(10, int(round(0.5 * math.sqrt(n))))
    return min_cluster_size, max(5, min_cluster_size // 3)


class AdaptiveClusterer(_Params):
    """HDBSCAN scaled to n, with a k-means fallback when its answer is degenerate.

    Degenerate means fewer than ``min_clusters`` clusters, more than ``max_noise`` of the points
    as noise, or one cluster holding more than ``max_largest`` of them: the "all outliers" and
    "one blob" failures BERTopic's defaults show on homogeneous corpora.

    Attributes:
        labels_; method_ ("hdbscan" or "kmeans"); reason_ (why the fallback ran, else "");
        model_ (the fitted HDBSCAN or AutoKMeans); probabilities_ (HDBSCAN only).
    """

    def __init__(self, min_cluster_size: int | str = "auto", min_samples: int | str = "auto", *,
                 min_clusters: int = 3, max_noise: float = 0.5, max_largest: float = 0.5,
                 random_state: int = 42) -> None:
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.min_clusters = min_clusters
        self.max_noise = max_noise
        self.max_largest = max_largest
        self.random_state = random_state

    def fit(self, X, y=None) -> "AdaptiveClusterer":
        import numpy as np
        from hdbscan import HDBSCAN

        X = np.asarray(X)
        n = len(X)
        auto_mcs, auto_ms = auto_hdbscan_sizes(n)
        mcs = auto_mcs if self.min_cluster_size == "auto" else int(self.min_cluster_size)
        ms = (min(auto_ms, mcs) if self.min_samples == "auto" else int(self.min_samples))
        # core_dist_n_jobs=1: HDBSCAN's default forks joblib workers that each copy the data,
        # which costs more memory than the few seconds of parallelism are worth on large corpora.
        model = HDBSCAN(min_cluster_size=mcs, min_samples=ms, metric="euclidean",
                        cluster_selection_method="eom", prediction_data=True, core_dist_n_jobs=1).fit(X)
        labels = model.labels_.astype(int)
        clustered = labels[labels >= 0]
        n_clusters = len(set(clustered.tolist()))
        noise = float(np.mean(labels < 0)) if n else 0.0
        largest = float(np.bincount(clustered).max() / n) if len(clustered) else 0.0
        reason = ""
        if n_clusters < self.min_clusters:
            reason = f"HDBSCAN found {n_clusters} cluster(s)"
        elif noise > self.max_noise:
            reason = f"HDBSCAN left {noise:.0%} as noise"
        elif largest > self.max_largest:
            reason = f"HDBSCAN put {largest:.0%} in one cluster"
        self.reason_ = reason
        self.hdbscan_params_ = {"min_cluster_size": mcs, "min_samples": ms}
        if not reason:
            self.method_ = "hdbscan"
            self.model_ = model
            self.labels_ = labels
            self.probabilities_ = model.probabilities_
            return self
        logger.info("%s; using k-means with k chosen by silhouette instead", reason)
        self.method_ = "kmeans"
        self.model_ = AutoKMeans(metric="euclidean", random_state=self.random_state).fit(X)
        self.labels_ = self.model_.labels_
        return self

    def predict(self, X):
        import numpy as np

        if self.method_ == "hdbscan":
            from hdbscan import approximate_predict

            labels, _ = approximate_predict(self.model_, np.asarray(X))
            return labels.astype(int)
        return self.model_.predict(X)
