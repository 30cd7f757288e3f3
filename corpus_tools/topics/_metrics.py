"""Topic quality measures: NPMI coherence over the units, and topic diversity.

NPMI (Bouma 2009; Roeder et al. 2015) is computed from document co-occurrence: each unit is a
"document", ``P(w)`` is the share of units containing term ``w`` and ``P(w1, w2)`` the share
containing both. For a pair that never co-occurs NPMI is -1. A pair where one term is part of the
other ("retail" in "digital retail") is skipped: such terms co-occur by construction, which would
reward a model for listing a phrase and its own words. A topic's coherence is the mean over the
pairs of its top ``top_n`` terms; a model's is the mean over its topics.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

#: Terms per topic for NPMI (the usual 10) and for diversity (the usual 25).
NPMI_TOP_N = 10
DIVERSITY_TOP_N = 25


def nested(a: str, b: str) -> bool:
    """True if one term's words are a contiguous run of the other's ("retail", "new retail")."""
    wa, wb = a.split(), b.split()
    if len(wa) > len(wb):
        wa, wb = wb, wa
    return any(wb[i:i + len(wa)] == wa for i in range(len(wb) - len(wa) + 1))


def npmi_scores(top_terms: Sequence[Sequence[str]], texts: Sequence[str], vectorizer_params: dict,
                top_n: int = NPMI_TOP_N) -> list[float]:
    """NPMI coherence of each topic's top terms over ``texts`` (NaN for a topic with < 2 terms).

    Args:
        top_terms: per topic, its terms best first.
        texts: the units, as the vectoriser of the topic model saw them.
        vectorizer_params: CountVectorizer parameters used for the topic terms (tokenisation,
            n-gram range, stop words), so that terms are counted as they were found.
    """
    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer

    topics = [list(dict.fromkeys(t for t in terms if t))[:top_n] for terms in top_terms]
    vocab = sorted({t for terms in topics for t in terms})
    if not vocab or not len(texts):
        return [math.nan] * len(topics)
    params = {k: v for k, v in vectorizer_params.items()
              if k in {"token_pattern", "ngram_range", "stop_words", "lowercase", "strip_accents", "tokenizer",
                       "preprocessor", "analyzer"}}
    params.update(vocabulary=vocab, binary=True, dtype=np.float64)
    try:
        matrix = CountVectorizer(**params).fit_transform(texts)
    except ValueError:
        return [math.nan] * len(topics)
    n = matrix.shape[0]
    index = {t: i for i, t in enumerate(vocab)}
    joint = (matrix.T @ matrix).toarray() / n
    marginal = np.diag(joint).copy()
    scores = []
    for terms in topics:
        pairs = []
        for i, a in enumerate(terms):
            for b in terms[i + 1:]:
                if nested(a, b):
                    continue
                pa, pb, pab = marginal[index[a]], marginal[index[b]], joint[index[a], index[b]]
                if pab <= 0 or pa <= 0 or pb <= 0:
                    pairs.append(-1.0)
                elif pab >= 1.0:
                    pairs.append(1.0)
                else:
                    pairs.append(float(math.log(pab / (pa * pb)) / -math.log(pab)))
        scores.append(float(np.mean(pairs)) if pairs else math.nan)
    return scores


def diversity(top_terms: Iterable[Sequence[str]], top_n: int = DIVERSITY_TOP_N) -> float:
    """Share of unique terms among all topics' top ``top_n`` terms (1 = no term shared)."""
    flat = [t for terms in top_terms for t in list(terms)[:top_n]]
    return len(set(flat)) / len(flat) if flat else math.nan


def nanmean(values: Iterable[float]) -> float:
    kept = [v for v in values if v == v]
    return sum(kept) / len(kept) if kept else math.nan
