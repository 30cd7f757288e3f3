"""Train the candidate-frame filter (:class:`~corpus_tools.framing.frame_filter.FrameFilter`).

The grammar's unfiltered candidates on the training corpora are labelled by the gold README's
matching rule (:func:`~corpus_tools.framing.evaluate.match_frames`: a candidate is positive when it
is the frame matched to a gold row). The regularisation strength and the threshold are chosen by
cross-validation grouped by essay, scoring the kept out-of-fold frames with the same matcher against
all gold rows (so recall counts the rows no candidate reaches); the final model is then fitted on
all candidates. Seeded and deterministic.

Run from the repository root (trains on the starter corpus and the dev set's ``tune`` half only)::

    python benchmarks/train_frame_filter.py [--permissive] --out corpus_tools/data/frame_filter.json
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .frame_filter import FrameFilter, frame_features

if TYPE_CHECKING:
    import pandas as pd

    from ..load import Corpus

logger = logging.getLogger(__name__)

C_GRID = (0.1, 0.3, 1.0, 3.0)
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(2, 19))


class _Recorder:
    """Stands in for a filter: keeps every candidate and records its features."""

    coefficients_: dict = {}

    def __init__(self) -> None:
        self.features: list[dict[str, float]] = []

    def keep(self, doc, frames, headline: bool = False):
        for frame in frames:
            frame.extra["features"] = frame_features(doc, frame, headline)
        return frames


@dataclass
class TrainingSet:
    """Candidates of one corpus (``frames``: rows for the matcher plus ``features``, ``label``) and
    that corpus's gold rows."""

    name: str
    frames: "pd.DataFrame"
    gold: "pd.DataFrame"


#: Checks switched off to propose the looser candidates the filter also learns from (literal heads,
#: enumerations, additive "not only ... but also", non-framing predicate nouns): more negatives of
#: the kinds a grammar line can let through, without labelling anything by hand.
RELAXED_CHECKS = ("literal_heads", "literal_entities", "list_markers", "non_framings", "additive",
                  "additive_after_restrictive")


def relaxed_grammar(grammar=None, *, permissive: bool = False):
    """The grammar with :data:`RELAXED_CHECKS` emptied; with ``permissive``, no class requires its new
    side either ("leave X", "avoid X", "X turns into" alone are proposed too), for many more negatives."""
    import dataclasses

    from .grammar import load_grammar

    grammar = load_grammar(grammar)
    checks = {k: (frozenset() if k in RELAXED_CHECKS else v) for k, v in grammar.checks.items()}
    predicates = grammar.predicates
    if permissive:
        predicates = [dataclasses.replace(p, require_new=False) for p in predicates]
    return dataclasses.replace(grammar, checks=checks, predicates=predicates)


def collect_candidates(corpus: "Corpus", gold: "pd.DataFrame", name: str, *, doc_ids: Iterable[str] | None = None,
                       nlp=None, cache_dir=None, relaxed: bool = True, permissive: bool = False) -> TrainingSet:
    """The grammar's unfiltered candidates in ``corpus`` (only ``doc_ids`` if given), labelled by
    :func:`match_frames` against ``gold``. With ``relaxed``, the candidates of
    :func:`relaxed_grammar` (``permissive``: its permissive form) are added; column ``strict`` says which ones the shipped grammar proposes
    (the only ones the filter sees at run time, and the only ones cross-validation scores)."""
    import pandas as pd

    from ..parse import stream_parsed
    from .contrasts import ContrastExtractor
    from .evaluate import match_frames

    wanted = set(doc_ids) if doc_ids is not None else None
    parsed, nlp = stream_parsed(corpus, None, nlp=nlp, cache_dir=cache_dir)
    extractors = None
    rows = []
    for parsed_doc in parsed:
        if wanted is not None and parsed_doc.doc_id not in wanted:
            continue
        if extractors is None:
            vocab_source = nlp or parsed_doc.sentences[0].doc.vocab
            extractors = [ContrastExtractor(frame_filter=_Recorder()).fit(vocab_source)]
            if relaxed:
                extractors.append(ContrastExtractor(relaxed_grammar(permissive=permissive),
                                                    frame_filter=_Recorder()).fit(vocab_source))
        for sent in parsed_doc.sentences:
            doc = sent.doc
            seen: set[tuple] = set()
            for n, extractor in enumerate(extractors):
                for frame in extractor.extract(doc):
                    key = (frame.cue, frame.old, frame.new)
                    if key in seen:
                        continue
                    seen.add(key)
                    rows.append({"doc_id": sent.doc_id, "sent_id": sent.sent_id, "sentence": doc.text,
                                 "old": doc[frame.old[0]:frame.old[1]].text if frame.old else "",
                                 "new": doc[frame.new[0]:frame.new[1]].text if frame.new else "",
                                 "cue": frame.cue, "family": frame.family, "features": frame.extra["features"],
                                 "strict": n == 0})
    frames = pd.DataFrame(rows, columns=["doc_id", "sent_id", "sentence", "old", "new", "cue", "family", "features",
                                         "strict"])
    if wanted is not None:
        gold = gold[gold["doc"].astype(str).isin(wanted)]
    # labels come from matching the shipped grammar's candidates first, so a looser duplicate of a
    # matched frame is no extra positive
    strict = frames[frames["strict"]]
    pairs = match_frames(strict, gold)
    matched = {strict.index[i] for i in pairs.values()}
    rest = frames[~frames["strict"]]
    unmatched_gold = gold.reset_index(drop=True).drop(index=list(pairs))
    if len(rest) and len(unmatched_gold):
        matched |= {rest.index[i] for i in match_frames(rest, unmatched_gold).values()}
    frames["label"] = [int(i in matched) for i in frames.index]
    return TrainingSet(name, frames, gold.reset_index(drop=True))


def _pooled_score(sets: list[TrainingSet], keep: list["pd.Series"]) -> dict[str, float]:
    from .evaluate import score_frames

    matched_found = n_found = matched_gold = n_gold = 0
    for ts, mask in zip(sets, keep):
        s = score_frames(ts.frames[mask.values & ts.frames["strict"].to_numpy()], ts.gold)["all"]
        matched_found += s.matched_found
        n_found += s.n_found
        matched_gold += s.matched_gold
        n_gold += s.n_gold
    p = matched_found / n_found if n_found else 0.0
    r = matched_gold / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "found": n_found, "matched_gold": matched_gold, "gold": n_gold}


def cross_validate(sets: list[TrainingSet], *, n_splits: int = 5, seed: int = 0) -> dict:
    """Out-of-fold probabilities by essay-grouped folds for each C; the (C, threshold) of the best
    pooled F1, and the scores of every choice (``"grid"``) and of no filter (``"unfiltered"``)."""
    import numpy as np
    import pandas as pd
    from sklearn.model_selection import GroupKFold

    frames = pd.concat([ts.frames.assign(_set=i) for i, ts in enumerate(sets)], ignore_index=True)
    groups = [f"{s}:{d}" for s, d in zip(frames["_set"], frames["doc_id"])]
    X, y = list(frames["features"]), frames["label"].to_numpy()
    # essays shuffled into folds reproducibly (GroupKFold itself is deterministic by group size)
    order = np.random.RandomState(seed).permutation(len(frames))
    folds = list(GroupKFold(n_splits=n_splits).split(order, y[order], [groups[i] for i in order]))
    grid = []
    unfiltered = _pooled_score(sets, [pd.Series([True] * len(ts.frames)) for ts in sets])
    for C in C_GRID:
        oof = np.zeros(len(frames))
        for train, test in folds:
            train, test = order[train], order[test]
            model = FrameFilter(C=C, seed=seed).fit([X[i] for i in train], y[train])
            for i in test:
                oof[i] = model.probability(X[i])
        for threshold in THRESHOLD_GRID:
            keep = oof >= threshold
            masks = [pd.Series(keep[(frames["_set"] == i).to_numpy()]) for i in range(len(sets))]
            grid.append({"C": C, "threshold": threshold, **_pooled_score(sets, masks)})
    best = max(grid, key=lambda g: (round(g["f1"], 4), round(g["precision"], 4), -g["C"]))
    return {"best": best, "grid": grid, "unfiltered": unfiltered, "n_candidates": len(frames),
            "n_positive": int(y.sum()), "n_essays": len(set(groups))}


def train(sets: list[TrainingSet], *, seed: int = 0) -> tuple[FrameFilter, dict]:
    """Cross-validate, then fit the chosen C on all candidates with the chosen threshold."""
    import pandas as pd

    cv = cross_validate(sets, seed=seed)
    frames = pd.concat([ts.frames for ts in sets], ignore_index=True)
    model = FrameFilter(C=cv["best"]["C"], threshold=cv["best"]["threshold"], seed=seed)
    model.fit(list(frames["features"]), frames["label"].to_numpy())
    return model, cv
