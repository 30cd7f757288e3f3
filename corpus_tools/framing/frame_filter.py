"""A learned filter over candidate contrast frames: keeps the frames a reader would mark.

The frame grammar proposes candidates; :class:`FrameFilter` scores each one with a logistic model
over general features of the frame (its grammar class, whether it has a new side, the length, part
of speech and shape of each side's head, negation, modality and conditions around the predicate,
headline, speaker) and drops those under a threshold. The model is data: coefficients by feature
name in ``data/frame_filter.json``, trained by :mod:`corpus_tools.framing.train_filter` on the
starter corpus and the dev set's ``tune`` half, with the threshold chosen by cross-validation
grouped by essay. Scoring needs no scikit-learn; training does.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..errors import NotFittedError
from . import cues as C
from .speaker import speaker_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .contrasts import Frame

#: Suffixes of abstract nouns (a "model", a "logic", an "orientation"): framings rather than things.
_ABSTRACT_SUFFIXES = ("tion", "sion", "ment", "ity", "ism", "ness", "ance", "ence", "ship", "ing", "ogy", "ics",
                      "cy", "dom", "hood", "ure")
_MODALS = frozenset({"can", "could", "may", "might", "would", "should", "must", "will", "shall", "need"})
_CONDITIONS = frozenset({"if", "unless", "whether", "when", "once", "until"})
_NEGATORS = frozenset({"not", "n't", "never", "no", "nor", "cannot"})
_QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})


def builtin_filter_path() -> Path:
    """The shipped model (``corpus_tools/data/frame_filter.json``)."""
    return Path(__file__).resolve().parent.parent / "data" / "frame_filter.json"


def _bin(n: int) -> str:
    return "1" if n <= 1 else "2-3" if n <= 3 else "4-6" if n <= 6 else "7+"


def _coarse_pos(tok: "Token") -> str:
    pos = tok.pos_
    return pos if pos in {"NOUN", "PROPN", "VERB", "ADJ"} else "other"


def _side_features(doc: "Doc", name: str, span: tuple[int, int], features: dict[str, float]) -> None:
    sp = doc[span[0]:span[1]]
    head = sp.root
    n_words = sum(1 for t in sp if not t.is_punct)
    features[f"{name}_len={_bin(n_words)}"] = 1.0
    features[f"{name}_pos={_coarse_pos(head)}"] = 1.0
    lemma = head.lemma_.lower()
    if head.pos_ in {"NOUN", "PROPN"} and lemma.endswith(_ABSTRACT_SUFFIXES):
        features[f"{name}_abstract_noun"] = 1.0
    if head.pos_ == "PROPN" or (head.i > 0 and head.is_title):
        features[f"{name}_capitalised"] = 1.0
    if any(t.text in _QUOTES for t in sp):
        features[f"{name}_quoted"] = 1.0
    if "-" in sp.text:
        features[f"{name}_hyphenated"] = 1.0
    children = list(head.children)
    if any(c.dep_ in {"amod", "compound", "nmod"} for c in children):
        features[f"{name}_modified"] = 1.0
    if any(t.lower_ in C.TEMPORAL_OLD for t in sp):
        features[f"{name}_names_past"] = 1.0
    if any(t.lower_ in C.TEMPORAL_NEW for t in sp):
        features[f"{name}_names_new"] = 1.0
    if any(c.dep_ == "det" and c.lower_ in {"a", "an"} for c in children):
        features[f"{name}_indefinite"] = 1.0
    if any(c.dep_ == "poss" for c in children):
        features[f"{name}_possessed"] = 1.0


def frame_features(doc: "Doc", frame: "Frame", headline: bool = False) -> dict[str, float]:
    """General features of one candidate frame in its sentence ``doc`` (binary, by name)."""
    features: dict[str, float] = {f"family={frame.family}": 1.0}
    anchor = doc[frame.anchor] if 0 <= frame.anchor < len(doc) else doc[0]
    features[f"anchor_pos={_coarse_pos(anchor)}"] = 1.0
    if frame.new is None:
        features["no_new_side"] = 1.0
    for name, span in (("old", frame.old), ("new", frame.new)):
        if span is not None:
            _side_features(doc, name, span, features)
    if frame.old is not None and frame.new is not None:
        old_root, new_root = doc[frame.old[0]:frame.old[1]].root, doc[frame.new[0]:frame.new[1]].root
        if old_root.lemma_.lower() == new_root.lemma_.lower():
            features["same_head"] = 1.0
        gap = max(frame.new[0] - frame.old[1], frame.old[0] - frame.new[1], 0)
        features[f"side_gap={_bin(gap)}"] = 1.0
    sides = set()
    for span in (frame.old, frame.new):
        if span is not None:
            sides.update(range(*span))
    outside = [t for t in doc if t.i not in sides]
    if "predicate" in frame.extra and any(c.dep_ == "neg" for c in anchor.children):
        features["predicate_negated"] = 1.0
    if any(c.lower_ in _MODALS and c.dep_ == "aux" for c in anchor.children):
        features["predicate_modal"] = 1.0
    if any(t.lower_ in _CONDITIONS and t.dep_ == "mark" for t in outside):
        features["conditional_clause"] = 1.0
    if any(t.lower_ in C.FIRST_PERSON for t in outside):
        features["first_person"] = 1.0
    n_words = sum(1 for t in doc if not t.is_punct)
    features[f"sentence_len={'short' if n_words <= 12 else 'medium' if n_words <= 30 else 'long'}"] = 1.0
    if headline:
        features["headline"] = 1.0
    if speaker_of(doc, frame.anchor) != "author":
        features["speaker_others"] = 1.0
    return features


class FrameFilter:
    """Keeps the candidate frames whose modelled probability of being a reader's frame reaches
    ``threshold``.

    Args:
        model: a JSON model file (``{"intercept", "coefficients", "threshold"}``), or ``None`` for
            the built-in ``data/frame_filter.json``. Ignored by :meth:`fit` with training data.
        threshold: overrides the model's threshold (its cross-validated choice).
        C: inverse L2 regularisation strength when training.
        seed: random state when training.

    Call :meth:`fit` (no arguments: load ``model``; ``fit(X, y)``: train on feature dicts) before
    :meth:`score` or :meth:`keep`.
    """

    def __init__(self, model: "str | Path | None" = None, threshold: float | None = None, C: float = 1.0,
                 seed: int = 0):
        self.model = model
        self.threshold = threshold
        self.C = C
        self.seed = seed

    def fit(self, X: Sequence[dict[str, float]] | None = None, y: Sequence[int] | None = None) -> "FrameFilter":
        """Load the model (``X is None``) or train a seeded logistic regression on feature dicts."""
        if X is None:
            path = Path(self.model) if self.model is not None else builtin_filter_path()
            data = json.loads(path.read_text(encoding="utf-8"))
            self.intercept_ = float(data["intercept"])
            self.coefficients_ = {str(k): float(v) for k, v in data["coefficients"].items()}
            self.threshold_ = float(self.threshold if self.threshold is not None else data.get("threshold", 0.5))
            self.metadata_ = {k: v for k, v in data.items() if k not in {"intercept", "coefficients"}}
            return self
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        vectorizer = DictVectorizer(sparse=False)
        matrix = vectorizer.fit_transform(list(X))
        model = LogisticRegression(C=self.C, random_state=self.seed, max_iter=1000)
        model.fit(matrix, list(y))
        self.intercept_ = float(model.intercept_[0])
        self.coefficients_ = {name: float(c) for name, c in zip(vectorizer.get_feature_names_out(), model.coef_[0])
                              if abs(c) > 1e-9}
        self.threshold_ = float(self.threshold if self.threshold is not None else 0.5)
        self.metadata_ = {}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "coefficients_"):
            raise NotFittedError("FrameFilter is not fitted; call fit() first")

    def probability(self, features: dict[str, float]) -> float:
        """Modelled probability that a candidate with these features is a reader's frame."""
        self._check_fitted()
        z = self.intercept_ + sum(self.coefficients_.get(k, 0.0) * v for k, v in features.items())
        return 1.0 / (1.0 + math.exp(-z))

    def keep(self, doc: "Doc", frames: Iterable["Frame"], headline: bool = False) -> list["Frame"]:
        """The frames of one sentence that reach the threshold (each gets ``extra["filter_score"]``)."""
        kept = []
        for frame in frames:
            p = self.probability(frame_features(doc, frame, headline))
            frame.extra["filter_score"] = p
            if p >= self.threshold_:
                kept.append(frame)
        return kept

    def to_dict(self, **metadata: Any) -> dict:
        """The model as plain data (what :meth:`save` writes)."""
        self._check_fitted()
        return {"threshold": self.threshold_, "intercept": self.intercept_,
                "coefficients": dict(sorted(self.coefficients_.items(), key=lambda kv: -abs(kv[1]))),
                **metadata}

    def save(self, path: "str | Path", **metadata: Any) -> Path:
        """Write the model as JSON (no pickles: it is data one can read and diff)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(**metadata), indent=2) + "\n", encoding="utf-8")
        return path
