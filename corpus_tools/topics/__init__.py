"""Stage 3: themes (topic modelling) with BERTopic, offline, seeded, sized to the corpus.

    import corpus_tools as ct
    topics = ct.find_topics(ct.load_corpus("corpus/"), unit="paragraph", seed=42)
    topics.topics        # topic, label, size, share, top_terms
    topics.assignments   # unit_id, doc_id, topic (-1 = outlier), ...
    topics.metrics       # n_topics, outlier_share, npmi, diversity, ...

See :func:`find_topics` and :class:`TopicModel`.
"""
from __future__ import annotations

from ._api import TopicResult, find_topics, load_topic_model
from ._cluster import AdaptiveClusterer, AutoKMeans
from ._metrics import diversity, npmi_scores
from ._model import TopicModel, make_label
from ._units import build_units

__all__ = [
    "find_topics", "TopicResult", "TopicModel", "load_topic_model", "AutoKMeans", "AdaptiveClusterer",
    "build_units", "npmi_scores", "diversity", "make_label",
]
