"""The corpus-level framing result and :func:`analyze_framing`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

if TYPE_CHECKING:
    import pandas as pd

    from .._rows import RowChunks
    from spacy.language import Language

    from ..concepts import ConceptResult
    from ..lexicon import Lexicon
    from ..load import Corpus
    from ..parse import ParsedDocument


#: Columns of :meth:`FramingResult.reframings`.
REFRAMING_COLUMNS = ["level", "old", "new", "count", "n_author", "n_docs", "sent_ids"]


@dataclass
class FramingResult:
    """What :func:`analyze_framing` found.

    Attributes:
        contrasts: one row per contrast frame: ``doc_id, para_id, sent_id, old, new, cue,
            old_concept, new_concept, speaker, sentence, old_start, old_end, new_start, new_end,
            family`` (``text(doc_id)[old_start:old_end] == old``; ``new`` is empty for bare
            rejections such as "bid farewell to X").
        orientation: one row per concept mention: ``temporal`` (old/new/mixed/""), ``temporal_cues``,
            ``evaluation`` (negative/positive/mixed/""), ``evaluation_cues``, ``contrast_side``,
            ``speaker``, with ``doc_id, para_id, sent_id, concept, text, start, end``.
        profiles: one row per essay and concept (see :func:`~corpus_tools.framing.profiles.build_profiles`).
        shifts: one row per concept and consecutive pair of essays mentioning it, with ``change``,
            ``drift`` and ``evidence`` (sent_ids) / ``evidence_text`` (quotes).
        summaries: ``scope`` ("concept"/"document"), ``key``, ``text``, ``evidence`` (sent_ids).
        context: long table of co-occurring terms: ``doc_id, sent_id, concept, term, count``
            (the id and term columns are ``category`` dtype: millions of rows on large corpora).
        doc_ids: essays in corpus order; titles: doc_id -> title (or doc_id).
    """

    contrasts: "pd.DataFrame"
    orientation: "pd.DataFrame"
    profiles: "pd.DataFrame"
    shifts: "pd.DataFrame"
    summaries: "pd.DataFrame"
    context: "pd.DataFrame"
    doc_ids: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        others = int((self.contrasts["speaker"] == "others").sum()) if len(self.contrasts) else 0
        return (f"FramingResult({len(self.contrasts):,} contrast frames ({others} attributed to others), "
                f"{len(self.orientation):,} mentions oriented, {len(self.shifts):,} shifts, "
                f"{len(self.doc_ids)} documents)")

    def _repr_html_(self) -> str:
        from .._notebook import html_summary

        shown = self.contrasts[["doc_id", "old", "cue", "new", "old_concept", "new_concept", "speaker"]] \
            if len(self.contrasts) else None
        return html_summary(repr(self), [("concepts profiled", self.profiles["concept"].nunique() if len(self.profiles) else 0)],
                            [("contrasts", shown), ("summaries", self.summaries[["scope", "key", "text"]])])

    def trajectory(self, concept: str) -> "pd.DataFrame":
        """The concept's profile in every essay that mentions it, in corpus order."""
        prof = self.profiles[self.profiles["concept"] == concept]
        rank = {d: i for i, d in enumerate(self.doc_ids)}
        return prof.assign(_r=prof["doc_id"].map(rank)).sort_values("_r").drop(columns="_r").reset_index(drop=True)

    def reframings(self) -> "pd.DataFrame":
        """Every reframing the contrast frames make, counted: one row per level and (old, new).

        ``level`` is ``"concept"`` (``old``/``new`` are concept ids; a side naming several
        concepts counts once for each old/new pair, a concept on both sides is no pair, and a
        frame whose new side names no other concept is a rejection with ``new == ""``) or
        ``"head"`` (frames that pair no two concepts, by the lowercase head lemmas of their sides,
        ``old_head``/``new_head``; ``new == ""`` for a bare rejection). Columns: ``level, old, new,
        count`` (frames), ``n_author`` (of them in the author's own voice, not reported from
        others), ``n_docs``, ``sent_ids`` (``"; "``-joined, in corpus order). Sorted by level
        (concepts first), count (largest first), then ``old`` and ``new``.
        """
        import pandas as pd

        from .summaries import _head_pairs, _pairs

        columns = REFRAMING_COLUMNS
        frames = self.contrasts
        if frames.empty:
            return pd.DataFrame(columns=columns)
        own = frames[frames["speaker"].astype(str) != "others"]
        doc_of = dict(zip(frames["sent_id"], frames["doc_id"]))

        def counted(table) -> dict[tuple[str, str, str], list]:
            pairs, rejected, where = _pairs(table)
            out = {("concept", old, new or ""): where[(old, new)] for (old, new) in where}
            if "old_head" in table.columns:
                _, head_where = _head_pairs(table)
                out.update({("head", old, new or ""): sents for (old, new), sents in head_where.items()})
            return out

        every, authors = counted(frames), counted(own)
        rows = [{"level": level, "old": old, "new": new, "count": len(sents),
                 "n_author": len(authors.get((level, old, new), ())),
                 "n_docs": len({doc_of.get(s) for s in sents}), "sent_ids": "; ".join(dict.fromkeys(sents))}
                for (level, old, new), sents in every.items()]
        out = pd.DataFrame(rows, columns=columns)
        if len(out):
            out = out.assign(_l=(out["level"] != "concept").astype(int)) \
                .sort_values(["_l", "count", "old", "new"], ascending=[True, False, True, True], kind="stable") \
                .drop(columns="_l").reset_index(drop=True)
        return out

    def profile_table(self, value: str = "share_old") -> "pd.DataFrame":
        """The essay x concept wide table of one column of :attr:`profiles` (``share_old``,
        ``share_new``, ``share_negative``, ``share_positive``, ...): essays as rows in corpus order,
        the concepts profiled as columns (sorted by id); NaN where an essay does not mention a concept."""
        import pandas as pd

        if self.profiles.empty:
            return pd.DataFrame(index=pd.Index(list(self.doc_ids), name="doc_id"))
        wide = self.profiles.pivot(index="doc_id", columns="concept", values=value)
        wide = wide.reindex(index=list(self.doc_ids) or list(wide.index), columns=sorted(wide.columns, key=str))
        wide.columns.name = None
        return wide

    def summary(self, key: str) -> str:
        """The summary text for a concept id or a doc_id ('' when there is none)."""
        hit = self.summaries[self.summaries["key"] == key]
        return str(hit["text"].iloc[0]) if len(hit) else ""

    def write(self, out: str | Path, input_root: str | Path | None = None) -> list[Path]:
        """Write ``framing_contrasts.csv``, ``framing_orientation.csv``, ``framing_profiles.csv``,
        ``framing_shifts.csv`` and ``framing_summaries.csv`` into ``out`` (never the input folder)."""
        from .._fileio import prepare_output_dir, write_table

        folder = prepare_output_dir(out, input_root)
        return [
            write_table(self.contrasts, folder / "framing_contrasts.csv"),
            write_table(self.orientation, folder / "framing_orientation.csv"),
            write_table(self.profiles, folder / "framing_profiles.csv"),
            write_table(self.shifts, folder / "framing_shifts.csv"),
            write_table(self.summaries, folder / "framing_summaries.csv"),
        ]


def _labels(lexicon: Any) -> dict[str, str]:
    if lexicon is None:
        return {}
    labels = getattr(lexicon, "labels", None)
    if callable(labels):
        labels = labels()
    if isinstance(labels, dict):
        return {k: (v or k) for k, v in labels.items()}
    return {e.id: (e.label or e.id) for e in getattr(lexicon, "entries", [])}


def _titles(corpus: "Corpus") -> dict[str, str]:
    # An untitled essay is named by its first words, never by its hash (issue 13).
    from .._plain import doc_titles

    return doc_titles(corpus)


def row_tables() -> "dict[str, RowChunks]":
    """Empty row collectors for the three per-document framing tables (``contrasts``,
    ``orientation``, ``context``), for pipelines that stream documents and pass the tables to
    :func:`build_result`. The context table, by far the longest, keeps its ids and terms as
    categories."""
    from .._rows import RowChunks
    from .extractor import CONTEXT_COLUMNS, CONTRAST_COLUMNS, ORIENTATION_COLUMNS

    return {"contrasts": RowChunks(CONTRAST_COLUMNS), "orientation": RowChunks(ORIENTATION_COLUMNS),
            "context": RowChunks(CONTEXT_COLUMNS, categorical=("doc_id", "sent_id", "concept", "term"))}


def build_result(documents: "Iterable[dict[str, list]] | Mapping[str, pd.DataFrame]", corpus: "Corpus", *,
                 lexicon: Any = None) -> FramingResult:
    """Corpus-level tables from per-document rows (:meth:`FramingExtractor.transform_document`).

    ``documents`` is either one ``{"contrasts": rows, "orientation": rows, "context": rows}`` per
    document, or the three tables already gathered (``{"contrasts": DataFrame, ...}``, as a
    streaming pipeline keeps them).
    """
    import pandas as pd

    from .extractor import CONTEXT_COLUMNS, CONTRAST_COLUMNS, ORIENTATION_COLUMNS
    from .profiles import build_profiles, term_counts
    from .shifts import build_shifts
    from .summaries import build_summaries

    columns = {"contrasts": CONTRAST_COLUMNS, "orientation": ORIENTATION_COLUMNS, "context": CONTEXT_COLUMNS}
    if isinstance(documents, Mapping):
        tables = {name: documents[name].reindex(columns=cols) if name in documents else pd.DataFrame(columns=cols)
                  for name, cols in columns.items()}
    else:
        gathered = row_tables()
        for doc in documents:
            for name, rows in gathered.items():
                rows.extend(doc.get(name, ()))
        tables = {name: rows.frame() for name, rows in gathered.items()}
        del gathered
    order = list(corpus.doc_ids)
    rank = {d: i for i, d in enumerate(order)}
    contrasts = _ordered(tables.pop("contrasts"), rank)
    for col in ("old_start", "old_end", "new_start", "new_end"):
        contrasts[col] = contrasts[col].astype("Int64")
    orientation = _ordered(tables.pop("orientation"), rank)
    context = tables.pop("context")
    labels = _labels(lexicon)
    titles = _titles(corpus)
    n_words = dict(zip(corpus.documents["doc_id"], corpus.documents["n_words"]))
    sentences = dict(zip(corpus.sentences["sent_id"], corpus.sentences["text"]))
    terms = term_counts(context)  # per essay and concept: read by the profiles' top terms and the shifts' drifts
    profiles = build_profiles(orientation, contrasts, context, n_words, labels, order, terms=terms)
    shifts = build_shifts(profiles, contrasts, orientation, context, order, titles, labels, sentences, terms=terms)
    summaries = build_summaries(contrasts, profiles, shifts, order, titles, labels)
    return FramingResult(contrasts=contrasts, orientation=orientation, profiles=profiles, shifts=shifts,
                         summaries=summaries, context=context, doc_ids=order, titles=titles, labels=labels)




def _ordered(frame: "pd.DataFrame", rank: dict[str, int]) -> "pd.DataFrame":
    if frame.empty:
        return frame.reset_index(drop=True)
    # rows arrive in document order already; a stable sort keeps sentence order inside documents
    return frame.assign(_r=frame["doc_id"].map(rank)).sort_values("_r", kind="stable").drop(columns="_r").reset_index(drop=True)


def analyze_framing(corpus: "Corpus", concepts: "ConceptResult | None" = None, *,
                    lexicon: "Lexicon | str | Path | None" = None,
                    parsed: "Iterable[ParsedDocument] | None" = None, nlp: "Language | None" = None,
                    cache_dir: str | Path | None = None,
                    progress: Callable[[Iterable], Iterable] | None = None,
                    extractor: Any = None, frames: Any = None, discourse: Any = None) -> FramingResult:
    """Contrast frames, mention orientation, per-essay profiles, shifts across essays, summaries.

    Args:
        corpus: a loaded :class:`~corpus_tools.load.Corpus`.
        concepts: a :class:`~corpus_tools.concepts.ConceptResult` to reuse its lexicon (mentions
            are re-located on the parse so orientation can read their clause).
        lexicon: a lexicon or TOML path (default: ``concepts.lexicon``, else the built-in one).
        parsed: parsed documents; parsed here (with the cache) when ``None``.
        nlp: the spaCy pipeline (default :func:`corpus_tools.parse.load_spacy_model`).
        cache_dir: parse cache folder.
        progress: optional wrapper around the document iterator (e.g. ``tqdm``).
        extractor: a :class:`~corpus_tools.framing.FramingExtractor` to use instead of a new one.
        frames: a frame grammar (TOML path or :class:`~corpus_tools.framing.grammar.FrameGrammar`;
            default: the built-in ``data/frame_grammar.toml``). A broken file raises
            :class:`~corpus_tools.errors.FrameGrammarError` naming file and line.
        discourse: the two-sentence frame readers' words (TOML path or
            :class:`~corpus_tools.framing.discourse.DiscourseGrammar`; default: the built-in
            ``data/discourse_frames.toml``; ``False``: single sentences only). A broken file raises
            :class:`~corpus_tools.errors.FrameGrammarError` the same way.

    Example::

        framing = ct.analyze_framing(ct.load_corpus("corpus/"))
        framing.contrasts[["old", "cue", "new", "old_concept", "new_concept", "speaker"]]
        print(framing.summary("traffic"))
    """
    from .extractor import FramingExtractor
    from .grammar import load_grammar

    grammar = load_grammar(frames) if frames is not None else None  # a bad grammar stops before parsing
    if discourse is not None and discourse is not False:
        from .discourse import load_discourse

        discourse = load_discourse(discourse)
    if lexicon is None and concepts is not None:
        lexicon = getattr(concepts, "lexicon", None)
    from ..parse import stream_parsed

    parsed, nlp = stream_parsed(corpus, parsed, nlp=nlp, cache_dir=cache_dir, progress=progress)
    if extractor is None:
        extractor = FramingExtractor(lexicon, frames=grammar, discourse=discourse)
    if not hasattr(extractor, "contrasts_"):
        extractor.fit(nlp)
    rows = [extractor.transform_document(doc, corpus.text(doc.doc_id)) for doc in parsed]
    return extractor.aggregate(rows, corpus, concepts=concepts)
