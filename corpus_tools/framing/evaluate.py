"""Score found contrast frames against gold annotations (the rule of the gold README).

A found frame matches a gold row when all three hold:

- **Same sentence**: the frame's sentence contains the gold evidence, after straight/curly
  quotes are treated alike, whitespace collapsed and case folded. A frame read across two
  adjacent sentences (:mod:`~corpus_tools.framing.discourse`) quotes both in its ``sentence``
  column; its "sentence" is then that passage, so gold evidence in either sentence, or spanning
  the two, is found. For every other frame it is the corpus sentence of its ``sent_id``.
- **Old side**: the found old side holds a word that marks the gold old side (a content word of
  the gold old side that the gold new side lacks), holds no word that marks the gold new side,
  and is at most about twice as long as the gold old side (``length_factor`` x gold words +
  ``length_slack``; default 2x + 1 word).
- **New side**: the same with old and new swapped; an empty gold ``new`` accepts anything.

Each gold row matches at most one found frame and each found frame at most one gold row (a
maximum bipartite matching, so the score does not depend on row order).
Precision = matched found frames / all found frames; recall = matched gold rows / gold rows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

from ..errors import GoldFileError

if TYPE_CHECKING:
    import pandas as pd

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'", "‚": "'",
                         "′": "'", "«": '"', "»": '"'})
_WORD = re.compile(r"\w+(?:[-']\w+)*")
GOLD_COLUMNS = ("doc", "old", "new", "cue", "level", "speaker", "evidence")


def normalize(text: str) -> str:
    """Quotes made straight, whitespace collapsed, case folded."""
    return re.sub(r"\s+", " ", str(text).translate(_QUOTES)).strip().casefold()


def words(text: str) -> list[str]:
    """Word tokens of a span (hyphenated words count as one)."""
    return _WORD.findall(normalize(text))


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def marking_words(side: str, other: str, stop_words: frozenset[str] | None = None) -> set[str]:
    """Content words of ``side`` that ``other`` lacks."""
    stop = _stop_words() if stop_words is None else stop_words
    other_words = set(words(other))
    return {w for w in words(side) if w not in other_words and (w not in stop or w.isdigit())}


def side_matches(found: str, gold: str, gold_other: str, *, length_factor: float = 2.0, length_slack: int = 1,
                 stop_words: frozenset[str] | None = None) -> bool:
    """Does a found side match a gold side under the README rule?"""
    if not str(gold).strip():
        return True
    found_words = words(found or "")
    if not found_words:
        return False
    gold_words = words(gold)
    if len(found_words) > length_factor * len(gold_words) + length_slack:
        return False
    mine = marking_words(gold, gold_other, stop_words)
    theirs = marking_words(gold_other, gold, stop_words) if str(gold_other).strip() else set()
    found_set = set(found_words)
    if found_set & theirs:
        return False
    if not mine:  # every content word also occurs on the other side: fall back to shared content
        stop = _stop_words() if stop_words is None else stop_words
        mine = {w for w in gold_words if w not in stop}
    return bool(found_set & mine)


@dataclass
class Score:
    """Precision, recall and F1 with their counts."""

    precision: float
    recall: float
    f1: float
    n_found: int
    n_gold: int
    matched_found: int
    matched_gold: int

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _score(matched_found: int, n_found: int, matched_gold: int, n_gold: int) -> Score:
    p = matched_found / n_found if n_found else 0.0
    r = matched_gold / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f, n_found, n_gold, matched_found, matched_gold)


def match_frames(found_df: "pd.DataFrame", gold_df: "pd.DataFrame", sentences: "pd.DataFrame | Mapping[str, str] | None" = None,
                 *, length_factor: float = 2.0, length_slack: int = 1) -> dict[int, int]:
    """Maximum one-to-one matching ``{gold row position: found row position}``."""
    stop = _stop_words()
    sent_text = _sentence_lookup(found_df, sentences)
    found = found_df.reset_index(drop=True)
    norm_sent = [normalize(sent_text.get(str(sid), "")) for sid in found["sent_id"]]
    if sentences is not None and "sentence" in found:
        # a two-sentence frame quotes the corpus sentence and the one before it: match on both
        firsts = found["first_sent_id"] if "first_sent_id" in found else None
        for i, own in enumerate(found["sentence"]):
            if firsts is not None:
                if _s(firsts.iat[i]) not in ("", _s(found["sent_id"].iat[i])):
                    norm_sent[i] = normalize(_s(own))
                continue
            own = normalize(_s(own))  # frames saved without first_sent_id: the passage ends with the sentence
            if len(own) > len(norm_sent[i]) and norm_sent[i] and own.endswith(norm_sent[i]):
                norm_sent[i] = own
    doc_ids = [str(d) for d in found["doc_id"]]
    candidates: dict[int, list[int]] = {}
    for gi, g in enumerate(gold_df.reset_index(drop=True).itertuples(index=False)):
        evidence = normalize(g.evidence)
        prefix = str(g.doc)
        cands = []
        for fi in range(len(found)):
            if not (doc_ids[fi] == prefix or doc_ids[fi].startswith(prefix)):
                continue
            if evidence not in norm_sent[fi]:
                continue
            row = found.iloc[fi]
            if not side_matches(_s(row["old"]), g.old, g.new, length_factor=length_factor,
                                length_slack=length_slack, stop_words=stop):
                continue
            if not side_matches(_s(row["new"]), g.new, g.old, length_factor=length_factor,
                                length_slack=length_slack, stop_words=stop):
                continue
            cands.append(fi)
        candidates[gi] = cands
    return _bipartite(candidates)


def score_frames(found_df: "pd.DataFrame", gold_df: "pd.DataFrame",
                 sentences: "pd.DataFrame | Mapping[str, str] | None" = None, *,
                 length_factor: float = 2.0, length_slack: int = 1) -> dict[str, Score]:
    """Precision, recall and F1 of found frames against gold rows: ``{"all", "core", "hard"}``.

    Args:
        found_df: frames with ``doc_id``, ``sent_id``, ``old``, ``new`` (and ``sentence``).
        gold_df: gold rows with ``doc`` (doc id or its prefix), ``old``, ``new``, ``level``, ``evidence``.
        sentences: ``corpus.sentences`` (or ``{sent_id: text}``) giving each frame's sentence;
            default: the frames' own ``sentence`` column.

    Per level, recall counts that level's gold rows; precision counts the frames matched to that
    level among all frames not matched to another level.
    """
    gold = gold_df.reset_index(drop=True)
    matching = match_frames(found_df, gold, sentences, length_factor=length_factor, length_slack=length_slack)
    n_found = len(found_df)
    scores = {"all": _score(len(matching), n_found, len(matching), len(gold))}
    levels = gold["level"].astype(str) if "level" in gold else None
    for level in ("core", "hard"):
        if levels is None:
            continue
        rows = set(gold.index[levels == level])
        mine = sum(1 for g in matching if g in rows)
        others = len(matching) - mine
        scores[level] = _score(mine, n_found - others, mine, len(rows))
    return scores


def matched_table(found_df: "pd.DataFrame", gold_df: "pd.DataFrame",
                  sentences: "pd.DataFrame | Mapping[str, str] | None" = None, **kwargs) -> "pd.DataFrame":
    """Gold rows with the found frame each matched (empty when unmatched), for inspection."""
    import pandas as pd

    gold = gold_df.reset_index(drop=True)
    found = found_df.reset_index(drop=True)
    matching = match_frames(found, gold, sentences, **kwargs)
    out = gold.copy()
    out["found_old"] = [_s(found.at[matching[i], "old"]) if i in matching else "" for i in range(len(gold))]
    out["found_new"] = [_s(found.at[matching[i], "new"]) if i in matching else "" for i in range(len(gold))]
    out["matched"] = [i in matching for i in range(len(gold))]
    return pd.DataFrame(out)


def unmatched_found(found_df: "pd.DataFrame", gold_df: "pd.DataFrame",
                    sentences: "pd.DataFrame | Mapping[str, str] | None" = None, **kwargs) -> "pd.DataFrame":
    """Found frames that match no gold row."""
    found = found_df.reset_index(drop=True)
    matching = match_frames(found, gold_df, sentences, **kwargs)
    used = set(matching.values())
    return found.loc[[i for i in range(len(found)) if i not in used]]


def _s(value) -> str:
    if value is None:
        return ""
    try:
        import math

        if isinstance(value, float) and math.isnan(value):
            return ""
    except TypeError:
        pass
    return str(value)


def _sentence_lookup(found_df: "pd.DataFrame", sentences) -> dict[str, str]:
    if sentences is None:
        if "sentence" not in found_df:
            raise ValueError("found frames need a 'sentence' column, or pass the corpus sentences")
        return {str(s): _s(t) for s, t in zip(found_df["sent_id"], found_df["sentence"])}
    if hasattr(sentences, "columns"):
        return {str(s): _s(t) for s, t in zip(sentences["sent_id"], sentences["text"])}
    return {str(k): _s(v) for k, v in dict(sentences).items()}


def _bipartite(candidates: dict[int, list[int]]) -> dict[int, int]:
    """Maximum bipartite matching by augmenting paths (gold rows are few)."""
    owner: dict[int, int] = {}  # found -> gold

    def assign(g: int, seen: set[int]) -> bool:
        for f in candidates.get(g, []):
            if f in seen:
                continue
            seen.add(f)
            if f not in owner or assign(owner[f], seen):
                owner[f] = g
                return True
        return False

    for g in sorted(candidates):
        assign(g, set())
    return {g: f for f, g in owner.items()}


def load_gold(path) -> "pd.DataFrame":
    """Read a gold CSV in the format of ``seed_contrasts.csv``; a clear error when columns are missing."""
    import pandas as pd

    try:
        gold = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"cannot read gold file {path}: {exc}") from None
    if "doc" not in gold.columns and "file" in gold.columns:
        # a folder's gold names essays by file name; doc ids are file names without the extension
        gold.insert(0, "doc", gold["file"].map(doc_id_of_file))
    missing = [c for c in ("doc", "old", "new", "evidence") if c not in gold.columns]
    if missing:
        raise GoldFileError(f"gold file {path} lacks column(s) {', '.join(missing)}; "
                            f"expected the columns {', '.join(GOLD_COLUMNS)} (or 'file' instead of 'doc')")
    if "level" not in gold.columns:
        gold["level"] = "core"
    return gold


def doc_id_of_file(name: str) -> str:
    """The doc id the loader gives a file: its name without folder and extension."""
    from pathlib import PurePath

    return PurePath(str(name)).stem


def load_split(path) -> dict[str, str]:
    """Read a split CSV (``file, half``): ``{doc_id: half}``; a clear error when it is malformed."""
    import pandas as pd

    try:
        split = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise GoldFileError(f"cannot read split file {path}: {exc}") from None
    if not {"file", "half"} <= set(split.columns):
        raise GoldFileError(f"split file {path} needs the columns file, half (one row per essay)")
    return {doc_id_of_file(f): h for f, h in zip(split["file"], split["half"])}


def score_by_half(found_df: "pd.DataFrame", gold_df: "pd.DataFrame", halves: Mapping[str, str],
                  sentences: "pd.DataFrame | Mapping[str, str] | None" = None, **kwargs) -> dict[str, dict[str, Score]]:
    """:func:`score_frames` on each half of a split by essay (``halves``: doc_id -> half), plus ``"all"``.

    A gold row belongs to the half of its ``doc``; a found frame to the half of its ``doc_id``.
    The split lists the essays scored: ``"all"`` is every half together, and documents in no half
    (a README beside the essays) are left out.
    """
    out: dict[str, dict[str, Score]] = {}
    gold_half = gold_df["doc"].map(lambda d: halves.get(str(d), ""))
    found_half = found_df["doc_id"].map(lambda d: halves.get(str(d), ""))
    for half in sorted(set(halves.values())):
        out[half] = score_frames(found_df[found_half == half], gold_df[gold_half == half], sentences, **kwargs)
    out["all"] = score_frames(found_df[found_half != ""], gold_df[gold_half != ""], sentences, **kwargs)
    return out


def bootstrap_scores(found_df: "pd.DataFrame", gold_df: "pd.DataFrame",
                     sentences: "pd.DataFrame | Mapping[str, str] | None" = None, *, doc_ids: "Iterable[str]",
                     n_resamples: int = 1000, confidence: float = 0.95, seed: int = 0,
                     **kwargs) -> "pd.DataFrame":
    """How much precision, recall and F1 move with the choice of essays: a bootstrap over essays.

    The frames are matched once (:func:`match_frames`); then ``n_resamples`` times, as many essays
    as ``doc_ids`` lists are drawn with replacement and the scores recomputed from their counts.
    A score on 15 essays is one draw among many possible essay sets; the interval says how far
    another draw of the same genre could land.

    Args:
        doc_ids: the essays scored (every essay of the corpus or of one half, also those with no
            gold row and no frame). A gold row belongs to the essay its ``doc`` names (as in
            :func:`match_frames`: the doc id or its prefix); found frames outside ``doc_ids`` are
            left out.
        n_resamples: bootstrap resamples (at least 1).
        confidence: the interval's coverage, between 0 and 1.
        seed: the random generator's seed (same input and seed, same interval).

    Returns:
        One row per metric (``precision``, ``recall``, ``f1``): ``metric, value`` (the score on
        the essays as given), ``low, high`` (the percentile interval), ``n_essays, n_resamples``.
    """
    import numpy as np
    import pandas as pd

    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    essays = [str(d) for d in doc_ids]
    position = {d: i for i, d in enumerate(essays)}
    found = found_df[found_df["doc_id"].astype(str).isin(position)].reset_index(drop=True)
    gold = gold_df.reset_index(drop=True)
    matching = match_frames(found, gold, sentences, **kwargs)

    def essay_of(prefix: str) -> int | None:
        exact = position.get(prefix)
        if exact is not None:
            return exact
        return next((i for d, i in position.items() if d.startswith(prefix)), None)

    n = len(essays)
    n_found, n_gold, n_matched = np.zeros(n), np.zeros(n), np.zeros(n)
    for d in found["doc_id"].astype(str):
        n_found[position[d]] += 1
    for gi, prefix in enumerate(gold["doc"].astype(str)):
        i = essay_of(prefix)
        if i is None:
            continue
        n_gold[i] += 1
        if gi in matching:
            n_matched[i] += 1

    def scores(weights: "np.ndarray") -> "np.ndarray":
        f, g, m = weights @ n_found, weights @ n_gold, weights @ n_matched
        p = np.divide(m, f, out=np.zeros_like(m), where=f > 0)
        r = np.divide(m, g, out=np.zeros_like(m), where=g > 0)
        f1 = np.divide(2 * p * r, p + r, out=np.zeros_like(p), where=(p + r) > 0)
        return np.stack([p, r, f1])

    point = scores(np.ones((1, n)))[:, 0] if n else np.zeros(3)
    rng = np.random.default_rng(seed)
    if n:
        draws = rng.integers(0, n, size=(n_resamples, n))
        weights = np.zeros((n_resamples, n))
        np.add.at(weights, (np.repeat(np.arange(n_resamples), n), draws.ravel()), 1)
        resampled = scores(weights)
        tail = (1 - confidence) / 2 * 100
        low, high = np.percentile(resampled, tail, axis=1), np.percentile(resampled, 100 - tail, axis=1)
    else:
        low = high = np.zeros(3)
    return pd.DataFrame({"metric": ["precision", "recall", "f1"], "value": point, "low": low, "high": high,
                         "n_essays": n, "n_resamples": n_resamples})
