"""Stage 3: concept mentions, per-document profiles and co-occurrence.

Concepts come from a :class:`~corpus_tools.lexicon.Lexicon`. Matching uses spaCy's
:class:`~spacy.matcher.PhraseMatcher` (lexicon phrases, on lemmas, case-insensitively) and
:class:`~spacy.matcher.Matcher` (expert ``token_patterns``), so the cost of a sentence hardly
depends on the size of the lexicon. Overlapping matches are resolved longest-first
(:func:`spacy.util.filter_spans`): "private domain traffic" is one traffic mention, "existing
traffic" one reserve mention.

Streaming: :meth:`ConceptExtractor.transform_document` turns one parsed document into mention
rows; :func:`extract_concepts` parses (through the cache) when no parsed documents are given.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from .errors import LexiconError, NotFittedError
from .lexicon import Lexicon, load_lexicon

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language
    from spacy.tokens import Doc, Span

    from .load import Corpus
    from .parse import ParsedDocument

logger = logging.getLogger(__name__)

MENTION_COLUMNS = ["doc_id", "para_id", "sent_id", "concept", "text", "start", "end",
                   "token_start", "token_end", "matched", "lemma"]
BY_DOCUMENT_COLUMNS = ["doc_id", "concept", "label", "count", "per_1k_words", "n_paragraphs",
                       "share_paragraphs", "first_position", "first_sent_id"]
COOCCURRENCE_COLUMNS = ["concept_a", "concept_b", "scope", "count", "n_docs"]
#: Columns of :meth:`ConceptResult.ranked`.
RANKED_COLUMNS = ["concept", "label", "count", "n_docs", "per_1k_words", "peak_doc_id", "peak_count",
                  "peak_per_1k_words", "forms"]
_EXCLUDE_SUFFIX = "\x00exclude"


def _token_key(token) -> str:
    """The form a token is matched on: its lemma, lower-cased (the surface form when the
    pipeline has no lemmatiser, e.g. ``spacy.blank``)."""
    return (token.lemma_ or token.text).lower()


def _hyphen_variants(pattern: str) -> list[str]:
    """"omni-channel" also as "omni channel" and "omnichannel": these essays spell compounds
    every way."""
    if "-" not in pattern:
        return [pattern]
    return [pattern, pattern.replace("-", " "), pattern.replace("-", "")]


def _required_lowers(patterns: list, strings: Any) -> frozenset[int] | None:
    """Lower-case hashes of which every Matcher pattern in ``patterns`` needs at least one in a
    sentence to match there (from a token it requires, whose ``LOWER``, ``ORTH`` or ``TEXT`` is
    a literal or an ``IN`` list), so the token matcher runs only on sentences holding one;
    ``None`` when some pattern has no such token (then it runs on every sentence)."""
    required: set[int] = set()
    for pattern in patterns:
        found = None
        for spec in pattern:
            if not isinstance(spec, dict) or str(spec.get("OP", "1")) not in ("1", "+"):
                continue
            for attr, value in spec.items():
                if str(attr).upper() not in ("LOWER", "ORTH", "TEXT"):
                    continue
                if isinstance(value, str):
                    found = [value]
                elif isinstance(value, dict) and set(value) == {"IN"} and all(isinstance(v, str) for v in value["IN"]):
                    found = list(value["IN"])
                if found is not None:
                    break
            if found is not None:
                break
        if found is None:
            return None
        required.update(strings.add(v.lower()) for v in found)
    return frozenset(required)


class ConceptExtractor:
    """Finds lexicon concepts in parsed sentences.

    Follows scikit-learn manners: ``__init__`` stores parameters, :meth:`fit` builds the
    matchers (patterns are lemmatised with the same pipeline that parses the texts).

    Args:
        lexicon: a :class:`Lexicon`, a path to a TOML lexicon, or ``None`` for the built-in one.

    Attributes (after ``fit``):
        lexicon_: the loaded lexicon.
        nlp_: the pipeline used to lemmatise patterns.
        phrase_matcher_: the :class:`~spacy.matcher.PhraseMatcher` over lemma sequences.
        token_matcher_: the :class:`~spacy.matcher.Matcher` for ``token_patterns``.
    """

    def __init__(self, lexicon: "Lexicon | str | Path | None" = None) -> None:
        self.lexicon = lexicon

    def fit(self, nlp: "Language | None" = None) -> "ConceptExtractor":
        """Load the lexicon and build the matchers on ``nlp.vocab``.

        Args:
            nlp: the spaCy pipeline whose lemmatiser matches the parsed texts; by default
                :func:`corpus_tools.parse.load_spacy_model`.

        Raises:
            LexiconError: the lexicon is invalid, or a ``token_patterns`` entry is not a valid
                spaCy Matcher pattern.
        """
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokens import Doc

        if nlp is None:
            from .parse import load_spacy_model

            nlp = load_spacy_model()
        lexicon = load_lexicon(self.lexicon)
        vocab = nlp.vocab
        phrase_matcher = PhraseMatcher(vocab, attr="ORTH")
        token_matcher = Matcher(vocab, validate=True)

        # Every phrase is added twice: as the lemmas the pipeline gives it in isolation and as
        # its lower-cased words, because a lone phrase is sometimes tagged differently from the
        # same words in a sentence ("platformed" -> "platforme", "deep well" as adverbs).
        keyed: list[tuple[str, str]] = []
        for entry in lexicon.entries:
            for pattern in entry.patterns:
                keyed += [(entry.id, v) for v in _hyphen_variants(pattern)]
            for pattern in entry.exclude:
                keyed += [(entry.id + _EXCLUDE_SUFFIX, v) for v in _hyphen_variants(pattern)]
        texts = list(dict.fromkeys(text for _, text in keyed))
        forms: dict[str, set[tuple[str, ...]]] = {}
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=512)):
            forms[text] = {tuple(_token_key(t) for t in doc), tuple(t.text.lower() for t in doc)}
        by_key: dict[str, set[tuple[str, ...]]] = {}
        for key, text in keyed:
            by_key.setdefault(key, set()).update(forms[text])
        for key, sequences in by_key.items():
            phrase_matcher.add(key, [Doc(vocab, words=list(seq)) for seq in sorted(sequences) if seq])

        for entry in lexicon.entries:
            if not entry.token_patterns:
                continue
            try:
                token_matcher.add(entry.id, entry.token_patterns)
            except (ValueError, TypeError, KeyError) as exc:
                where = f"{lexicon.source}: line {entry.line}" if entry.line else lexicon.source
                first = str(exc).strip().splitlines()
                raise LexiconError(f"{where}: concept {entry.id!r}: invalid token_patterns: "
                                   f"{' '.join(first)[:300]}") from None

        self.lexicon_ = lexicon
        self.nlp_ = nlp
        self.vocab_ = vocab
        self.phrase_matcher_ = phrase_matcher
        self.token_matcher_ = token_matcher
        self.token_anchors_ = _required_lowers([p for e in lexicon.entries for p in e.token_patterns or ()], vocab.strings)
        self.n_phrase_patterns_ = sum(len(s) for s in by_key.values())
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "phrase_matcher_"):
            raise NotFittedError("ConceptExtractor is not fitted; call fit(nlp) first")

    def match(self, doc: "Doc | Span") -> list[tuple[str, int, int]]:
        """Concept matches in ``doc`` as ``(concept_id, token_start, token_end)``, in text order.

        Exclusions are applied per concept, then overlapping matches are resolved longest
        first, so every token belongs to at most one mention. For a ``Span``, offsets are
        token indices of ``span.doc``.
        """
        self._check_fitted()
        from spacy.attrs import LEMMA, LOWER, ORTH
        from spacy.tokens import Doc, Span
        from spacy.util import filter_spans

        offset = 0
        if isinstance(doc, Span):
            offset = doc.start
            doc = doc.as_doc()
        if len(doc) == 0:
            return []
        strings = self.vocab_.strings
        # _token_key of every token, read from the Doc's arrays (no Token object per word)
        features = doc.to_array([LEMMA, ORTH, LOWER]).tolist()
        proxy = Doc(self.vocab_, words=[(strings[lemma] or strings[orth]).lower() for lemma, orth, _ in features])
        raw = [(strings[key], s, e) for key, s, e in self.phrase_matcher_(proxy)]
        anchors = self.token_anchors_
        if len(self.token_matcher_) and (anchors is None or not anchors.isdisjoint(row[2] for row in features)):
            raw += [(strings[key], s, e) for key, s, e in self.token_matcher_(doc)]

        excluded: dict[str, list[tuple[int, int]]] = {}
        candidates = []
        for key, s, e in raw:
            if key.endswith(_EXCLUDE_SUFFIX):
                excluded.setdefault(key[: -len(_EXCLUDE_SUFFIX)], []).append((s, e))
            else:
                candidates.append((key, s, e))
        kept = [
            Span(doc, s, e, label=key) for key, s, e in set(candidates)
            if not any(xs <= s and e <= xe for xs, xe in excluded.get(key, ()))
        ]
        # filter_spans keeps the longest and, among equals, the earliest; sorting first makes
        # the outcome independent of matcher order.
        kept.sort(key=lambda sp: (sp.start, -len(sp), self._order(sp.label_)))
        return [(sp.label_, sp.start + offset, sp.end + offset)
                for sp in sorted(filter_spans(kept), key=lambda sp: sp.start)]

    def _order(self, concept: str) -> int:
        if not hasattr(self, "_order_map"):
            self._order_map = {cid: i for i, cid in enumerate(self.lexicon_.ids)}
        return self._order_map.get(concept, len(self._order_map))

    def transform_document(self, parsed_doc: "ParsedDocument", text: str | None = None) -> list[dict[str, Any]]:
        """Mention rows for one parsed document.

        Args:
            parsed_doc: one :class:`~corpus_tools.parse.ParsedDocument`.
            text: the document's original text (``corpus.text(doc_id)``); when given, ``text``
                of each row is the exact original evidence, else the cleaned match.

        Returns:
            dicts with ``doc_id, para_id, sent_id, concept, text, start, end`` (original-text
            offsets), ``token_start, token_end`` (token indices in the sentence doc),
            ``matched`` (the cleaned matched text) and ``lemma`` (its matched form).
        """
        self._check_fitted()
        rows = []
        for sent in parsed_doc.sentences:
            for concept, ts, te in self.match(sent.doc):
                span = sent.doc[ts:te]
                start, end = sent.original_span(span.start_char, span.end_char)
                rows.append({
                    "doc_id": sent.doc_id, "para_id": sent.para_id, "sent_id": sent.sent_id,
                    "concept": concept, "text": text[start:end] if text is not None else span.text,
                    "start": start, "end": end, "token_start": ts, "token_end": te,
                    "matched": span.text, "lemma": " ".join(_token_key(t) for t in span),
                })
        return rows


@dataclass
class ConceptResult:
    """What :func:`extract_concepts` found.

    Attributes:
        mentions: one row per mention: ``doc_id, para_id, sent_id, concept, text, start, end``
            (``corpus.text(doc_id)[start:end] == text``), plus ``token_start, token_end, matched,
            lemma``.
        by_document: the full document x concept grid (zero rows included, so every concept
            appears for every document): ``doc_id, concept, label, count, per_1k_words,
            n_paragraphs`` (paragraphs mentioning it), ``share_paragraphs``, ``first_position``
            (offset of the first mention / document length, empty when absent), ``first_sent_id``.
        cooccurrence: ``concept_a, concept_b, scope`` ("sentence" or "paragraph"), ``count`` (units
            where both occur) and ``n_docs``; pairs that never co-occur are left out.
        suggestions: candidate new concepts (see :mod:`corpus_tools.discovery`): ``term, score,
            n_docs, count, variants, example, ...``.
        suggestions_by_document: the best candidates of each document.
        lexicon: the lexicon used.
        doc_ids: the documents, in corpus order.
        total_words: words in the corpus.
        doc_words: words in each document (``{doc_id: n_words}``), so rates can be computed
            unrounded where ``by_document`` keeps them rounded.
    """

    mentions: "pd.DataFrame"
    by_document: "pd.DataFrame"
    cooccurrence: "pd.DataFrame"
    suggestions: "pd.DataFrame"
    lexicon: Lexicon
    suggestions_by_document: "pd.DataFrame | None" = None
    doc_ids: list[str] = field(default_factory=list)
    total_words: int = 0
    doc_words: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        n_concepts = int(self.mentions["concept"].nunique()) if len(self.mentions) else 0
        return (f"ConceptResult({len(self.mentions):,} mentions of {n_concepts} of {len(self.lexicon)} concepts "
                f"in {len(self.doc_ids) or self.by_document['doc_id'].nunique()} documents; "
                f"{len(self.suggestions)} suggestions)")

    def _repr_html_(self) -> str:
        from ._notebook import html_summary

        counts = self.mentions["concept"].value_counts() if len(self.mentions) else None
        top = ", ".join(f"{c} ({n})" for c, n in counts.head(5).items()) if counts is not None else "none"
        return html_summary(repr(self), [("most mentioned", top), ("lexicon", getattr(self.lexicon, "name", ""))],
                            [("mentions", self.mentions), ("suggestions", self.suggestions)])

    def table(self, value: str = "count", *, labels: bool = False, drop_empty: bool = False) -> "pd.DataFrame":
        """The document x concept wide table (documents as rows, concepts as columns).

        Args:
            value: ``"count"``, ``"per_1k_words"`` or ``"share_paragraphs"``.
            labels: use concept labels instead of ids as column names.
            drop_empty: leave out concepts never mentioned.

        ``per_1k_words`` is computed unrounded from the counts and ``doc_words`` when the result
        has them (``by_document`` keeps it rounded to 2 decimals), so that a reader rounds it once.
        """
        frame = self.by_document
        if value == "per_1k_words":
            frame = frame.assign(per_1k_words=self._rates(frame))
        wide = frame.pivot(index="doc_id", columns="concept", values=value)
        wide = wide.reindex(index=self.doc_ids or list(wide.index), columns=self.lexicon.ids)
        if drop_empty:
            totals = self.by_document.groupby("concept")["count"].sum()
            wide = wide[[c for c in wide.columns if totals.get(c, 0) > 0]]
        if labels:
            wide = wide.rename(columns=self.lexicon.labels)
        wide.columns.name = None
        return wide

    def _rates(self, rows: "pd.DataFrame") -> "pd.Series":
        """Mentions per 1,000 words of rows of ``by_document``, unrounded: recomputed from ``count``
        and ``doc_words`` (``by_document`` rounds them to 2 decimals, so a reader would round twice);
        the rounded column when the result has no ``doc_words``."""
        if not self.doc_words:
            return rows["per_1k_words"]
        words = rows["doc_id"].map(self.doc_words).astype(float)
        return (rows["count"] * 1000 / words.where(words > 0)).fillna(0.0)

    def totals(self) -> "pd.DataFrame":
        """One row per concept: ``concept, label, count, n_docs, per_1k_words`` over the corpus."""
        import pandas as pd

        frame = self.by_document
        grouped = frame.groupby("concept", sort=False)
        out = pd.DataFrame({
            "concept": self.lexicon.ids,
            "label": [self.lexicon.labels[c] for c in self.lexicon.ids],
        })
        counts = grouped["count"].sum()
        n_docs = grouped["count"].apply(lambda s: int((s > 0).sum()))
        out["count"] = out["concept"].map(counts).fillna(0).astype(int)
        out["n_docs"] = out["concept"].map(n_docs).fillna(0).astype(int)
        total = self.total_words
        out["per_1k_words"] = (out["count"] * 1000 / total).round(2) if total else 0.0
        return out

    def ranked(self, n_forms: int = 4) -> "pd.DataFrame":
        """The concepts the corpus mentions, most mentioned first (ties: by concept id).

        One row per concept with at least one mention (:meth:`totals` keeps the others):
        ``concept, label, count`` (mentions), ``n_docs`` (essays mentioning it), ``per_1k_words``
        (over the whole corpus, unrounded), ``peak_doc_id, peak_count, peak_per_1k_words`` (the
        essay where it is densest and its rate there, unrounded: ``count * 1000 / n_words`` of
        that essay, so a report rounds it once; ties: the smaller doc_id; a result without
        ``doc_words`` falls back on the rounded ``by_document.per_1k_words``) and
        ``forms``: its commonest surface forms in these texts, lowercased, ``"; "``-joined, at
        most ``n_forms``.
        """
        import pandas as pd

        columns = RANKED_COLUMNS
        frame = self.by_document
        if self.doc_ids:
            frame = frame[frame["doc_id"].isin(self.doc_ids)]
        totals = frame.groupby("concept")["count"].sum()
        order = sorted([c for c in totals.index if totals[c] > 0], key=lambda c: (-totals[c], str(c)))
        if not order:
            return pd.DataFrame(columns=columns)
        n_docs = frame[frame["count"] > 0].groupby("concept")["doc_id"].nunique()
        peaks = frame[frame["concept"].isin(order)]
        peaks = peaks.assign(_rate=self._rates(peaks)) \
            .sort_values(["concept", "_rate", "doc_id"], ascending=[True, False, True]) \
            .drop_duplicates("concept").set_index("concept")
        labels = {c: lab for c, lab in zip(frame["concept"], frame["label"]) if isinstance(lab, str) and lab}
        labels.update({c: lab for c, lab in (getattr(self.lexicon, "labels", None) or {}).items() if lab})
        total_words = max(int(self.total_words or 0), 1)
        mentions = self.mentions
        rows = []
        for concept in order:
            own = mentions[mentions["concept"] == concept]
            # value_counts: commonest first, which shows what the concept matched in these texts.
            forms = own["text"].astype(str).str.lower().value_counts().index[:n_forms] if len(own) else []
            peak = peaks.loc[concept]
            rows.append({
                "concept": concept, "label": labels.get(concept, str(concept)), "count": int(totals[concept]),
                "n_docs": int(n_docs.get(concept, 0)), "per_1k_words": 1000 * totals[concept] / total_words,
                "peak_doc_id": peak["doc_id"], "peak_count": int(peak["count"]),
                "peak_per_1k_words": float(peak["_rate"]), "forms": "; ".join(forms),
            })
        return pd.DataFrame(rows, columns=columns)

    def write(self, out: str | Path, input_root: str | Path | None = None) -> list[Path]:
        """Write ``concept_mentions.csv``, ``concepts_by_document.csv``, ``concept_table.csv``,
        ``concept_cooccurrence.csv`` and ``concept_suggestions.csv`` into ``out`` (never into
        the input folder)."""
        from ._fileio import prepare_output_dir, write_table

        folder = prepare_output_dir(out, input_root)
        table = self.table().reset_index()
        files = [
            write_table(self.mentions, folder / "concept_mentions.csv"),
            write_table(self.by_document, folder / "concepts_by_document.csv"),
            write_table(table, folder / "concept_table.csv"),
            write_table(self.cooccurrence, folder / "concept_cooccurrence.csv"),
            write_table(self.suggestions, folder / "concept_suggestions.csv"),
        ]
        return files


def extract_concepts(corpus: "Corpus", lexicon: "Lexicon | str | Path | None" = None, *,
                     parsed: "Iterable[ParsedDocument] | None" = None, nlp: "Language | None" = None,
                     cache_dir: str | Path | None = None,
                     progress: Callable[[Iterable], Iterable] | None = None,
                     suggest: bool = True, extractor: ConceptExtractor | None = None,
                     suggester: Any = None) -> ConceptResult:
    """Find lexicon concepts in a corpus, profile them per document, and suggest new ones.

    Args:
        corpus: a loaded :class:`~corpus_tools.load.Corpus`.
        lexicon: a :class:`Lexicon`, a TOML path, or ``None`` for the built-in retail lexicon.
        parsed: parsed documents (e.g. from a shared pipeline); parsed here, with the cache, if
            ``None``.
        nlp: the spaCy pipeline (default: :func:`corpus_tools.parse.load_spacy_model`).
        cache_dir: parse cache folder.
        progress: optional wrapper around the document iterator (e.g. ``tqdm``).
        suggest: also look for candidate new concepts (``result.suggestions``).
        extractor: a fitted or unfitted :class:`ConceptExtractor` to use instead of a new one.
        suggester: a :class:`~corpus_tools.discovery.ConceptSuggester` to use instead of the
            default one.

    Raises:
        LexiconError: the lexicon is invalid.
    """
    from .discovery import ConceptSuggester

    if extractor is None:
        extractor = ConceptExtractor(lexicon)
    from .parse import stream_parsed

    parsed, nlp = stream_parsed(corpus, parsed, nlp=nlp, cache_dir=cache_dir, progress=progress)
    if not hasattr(extractor, "phrase_matcher_"):
        extractor.fit(nlp)
    lex = extractor.lexicon_
    if suggest:
        suggester = suggester if suggester is not None else ConceptSuggester()
        suggester.start()

    rows: list[dict[str, Any]] = []
    for parsed_doc in parsed:
        doc_rows = extractor.transform_document(parsed_doc, corpus.text(parsed_doc.doc_id))
        rows.extend(doc_rows)
        if suggest:
            suggester.partial_fit(parsed_doc, doc_rows, corpus.text(parsed_doc.doc_id))

    return build_result(corpus, rows, lex, suggester if suggest else None)


def build_result(corpus: "Corpus", rows: "list[dict[str, Any]] | pd.DataFrame", lexicon: Lexicon,
                 suggester: Any = None) -> ConceptResult:
    """Assemble a :class:`ConceptResult` from mention rows collected while streaming.

    For pipelines that parse once and call :meth:`ConceptExtractor.transform_document` (and
    ``ConceptSuggester.partial_fit``) per document themselves.

    Args:
        corpus: the corpus the rows come from.
        rows: mention rows (dicts or a DataFrame with :data:`MENTION_COLUMNS`).
        lexicon: the lexicon the extractor used (``extractor.lexicon_``).
        suggester: a ``ConceptSuggester`` that has seen every document, or ``None``.
    """
    import pandas as pd

    from .discovery import DOC_SUGGESTION_COLUMNS, SUGGESTION_COLUMNS

    mentions = rows.reindex(columns=MENTION_COLUMNS) if isinstance(rows, pd.DataFrame) else \
        pd.DataFrame(rows, columns=MENTION_COLUMNS)
    by_document = _by_document(corpus, mentions, lexicon)
    cooccurrence = _cooccurrence(mentions, lexicon)
    if suggester is not None:
        suggester.finish()
        suggestions = suggester.suggestions_
        suggestions_by_document = suggester.by_document_
    else:
        suggestions = pd.DataFrame(columns=SUGGESTION_COLUMNS)
        suggestions_by_document = pd.DataFrame(columns=DOC_SUGGESTION_COLUMNS)
    return ConceptResult(mentions=mentions, by_document=by_document, cooccurrence=cooccurrence,
                         suggestions=suggestions, lexicon=lexicon,
                         suggestions_by_document=suggestions_by_document,
                         doc_ids=list(corpus.doc_ids),
                         total_words=int(corpus.documents["n_words"].sum()),
                         doc_words={str(d): int(n) for d, n in zip(corpus.documents["doc_id"],
                                                                   corpus.documents["n_words"])})


def _by_document(corpus: "Corpus", mentions: "pd.DataFrame", lexicon: Lexicon) -> "pd.DataFrame":
    """The full doc x concept grid: a concept a document never mentions is a zero row, which
    is what reports and cross-document comparisons need."""
    import pandas as pd

    docs = corpus.documents.set_index("doc_id")
    n_paragraphs = corpus.paragraphs.groupby("doc_id")["para_id"].nunique()
    grid = pd.MultiIndex.from_product([list(corpus.doc_ids), lexicon.ids], names=["doc_id", "concept"])
    frame = pd.DataFrame(index=grid).reset_index()
    if len(mentions):
        ordered = mentions.sort_values(["doc_id", "start"], kind="stable")
        grouped = ordered.groupby(["doc_id", "concept"], sort=False)
        stats = pd.DataFrame({
            "count": grouped.size(),
            "n_paragraphs": grouped["para_id"].nunique(),
            "first_start": grouped["start"].min(),
            "first_sent_id": grouped["sent_id"].first(),
        }).reset_index()
        frame = frame.merge(stats, on=["doc_id", "concept"], how="left")
    else:
        frame = frame.assign(count=0, n_paragraphs=0, first_start=float("nan"), first_sent_id=None)
    frame["count"] = frame["count"].fillna(0).astype(int)
    frame["n_paragraphs"] = frame["n_paragraphs"].fillna(0).astype(int)
    words = frame["doc_id"].map(docs["n_words"]).astype(float)
    frame["per_1k_words"] = (frame["count"] * 1000 / words.where(words > 0)).fillna(0.0).round(2)
    paras = frame["doc_id"].map(n_paragraphs).astype(float)
    frame["share_paragraphs"] = (frame["n_paragraphs"] / paras.where(paras > 0)).fillna(0.0).round(3)
    lengths = pd.Series({doc_id: len(corpus.text(doc_id)) for doc_id in corpus.doc_ids})
    doc_len = frame["doc_id"].map(lengths).astype(float)
    frame["first_position"] = (frame["first_start"] / doc_len.where(doc_len > 0)).round(3)
    frame["label"] = frame["concept"].map(lexicon.labels)
    frame["first_sent_id"] = frame["first_sent_id"].where(frame["count"] > 0, None)
    return frame[BY_DOCUMENT_COLUMNS]


def _cooccurrence(mentions: "pd.DataFrame", lexicon: Lexicon) -> "pd.DataFrame":
    """Pairs of concepts sharing a sentence or a paragraph, counted once per unit."""
    import pandas as pd

    order = {cid: i for i, cid in enumerate(lexicon.ids)}
    frames = []
    # The self-join is done on integer codes: it has one row per pair of concepts in a unit, and
    # string columns made it the largest allocation of the concept stage at 5,000 essays.
    concept_rank = mentions["concept"].map(order)
    known = concept_rank.notna()
    doc_code = pd.factorize(mentions["doc_id"])[0]
    for scope, unit in (("sentence", "sent_id"), ("paragraph", "para_id")):
        units = pd.DataFrame({"unit": mentions.groupby(["doc_id", unit], sort=False).ngroup().to_numpy(),
                              "doc": doc_code, "c": concept_rank})[known].astype("int64").drop_duplicates()
        pairs = units.merge(units[["unit", "c"]], on="unit", suffixes=("_a", "_b"))
        pairs = pairs[pairs["c_a"] < pairs["c_b"]]
        if pairs.empty:
            continue
        counted = pairs.groupby(["c_a", "c_b"]).agg(count=("unit", "size"), n_docs=("doc", "nunique")).reset_index()
        del pairs
        counted["concept_a"] = [lexicon.ids[i] for i in counted["c_a"]]
        counted["concept_b"] = [lexicon.ids[i] for i in counted["c_b"]]
        counted["scope"] = scope
        frames.append(counted.drop(columns=["c_a", "c_b"]))
    if not frames:
        return pd.DataFrame(columns=COOCCURRENCE_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["_a"] = out["concept_a"].map(order)
    out["_b"] = out["concept_b"].map(order)
    out = out.sort_values(["scope", "count", "_a", "_b"], ascending=[False, False, True, True], kind="stable")
    return out[COOCCURRENCE_COLUMNS].reset_index(drop=True)
