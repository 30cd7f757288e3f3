"""Profiles, shifts across essays and summaries: built from the tidy rows, with computed counts."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from corpus_tools.errors import NotFittedError
from corpus_tools.framing import FramingExtractor, FramingResult
from corpus_tools.framing.summaries import times


@pytest.fixture(scope="module")
def extractor(nlp):
    return FramingExtractor().fit(nlp)


@pytest.fixture(scope="module")
def rows(extractor, parsed_starter, starter_corpus):
    return [extractor.transform_document(d, starter_corpus.text(d.doc_id)) for d in parsed_starter]


@pytest.fixture(scope="module")
def framing(extractor, rows, starter_corpus) -> FramingResult:
    return extractor.aggregate(rows, starter_corpus)


def test_streaming_rows_are_plain_dicts(rows):
    assert set(rows[0]) == {"contrasts", "orientation", "context"}
    for part in rows[0].values():
        assert all(isinstance(r, dict) for r in part)


def test_unfitted_extractor_refuses(parsed_starter):
    with pytest.raises(NotFittedError):
        FramingExtractor().transform_document(parsed_starter[0])


def test_profiles_columns_and_values(framing, starter_corpus):
    p = framing.profiles
    for col in ["doc_id", "concept", "prominence", "n_mentions", "share_old", "share_new", "contrast_old",
                "contrast_new", "evaluation", "top_terms", "top_concepts"]:
        assert col in p.columns
    assert p["share_old"].between(0, 1).all() and p["evaluation"].between(-1, 1).all()
    words = dict(zip(starter_corpus.documents["doc_id"], starter_corpus.documents["n_words"]))
    row = p.iloc[0]
    assert row["prominence"] == pytest.approx(1000 * row["n_mentions"] / words[row["doc_id"]], abs=1e-3)
    assert not p["top_terms"].map(lambda v: isinstance(v, list)).any()


def test_profile_side_counts_agree_with_contrasts(framing):
    c = framing.contrasts
    p = framing.profiles.set_index(["doc_id", "concept"])
    for (doc_id, concept), n in c.assign(oc=c["old_concept"].str.split("; ")).explode("oc").groupby(
            ["doc_id", "oc"]).size().items():
        if concept:
            assert p.loc[(doc_id, concept), "contrast_old"] == n


def test_shifts_follow_corpus_order(framing, starter_corpus):
    order = {d: i for i, d in enumerate(starter_corpus.doc_ids)}
    s = framing.shifts
    assert len(s) > 0
    assert (s["from_doc"].map(order) < s["to_doc"].map(order)).all()
    assert s["drift"].dropna().between(0, 1).all()
    # consecutive: no essay mentioning the concept is skipped between from_doc and to_doc
    p = framing.profiles
    for row in s.itertuples(index=False):
        mentioned = set(p.loc[p["concept"] == row.concept, "doc_id"])
        between = [d for d in starter_corpus.doc_ids if order[row.from_doc] < order[d] < order[row.to_doc]]
        assert not mentioned.intersection(between)


def test_shift_evidence_points_at_real_sentences(framing, starter_corpus):
    sentences = set(starter_corpus.sentences["sent_id"])
    for row in framing.shifts.itertuples(index=False):
        for sid in filter(None, row.evidence.split("; ")):
            assert sid in sentences and sid.startswith(row.to_doc)


def test_document_summary_counts_are_computed(framing):
    gravedigger = next(d for d in framing.doc_ids if d.startswith("002"))
    text = framing.summary(gravedigger)
    c = framing.contrasts
    mine = c[(c["doc_id"] == gravedigger) & (c["speaker"] == "author")]
    n = int(((mine["old_concept"].str.split("; ").map(lambda v: "platform" in v))
             & (mine["new_concept"].str.split("; ").map(lambda v: "infrastructure" in v))).sum())
    assert n >= 2
    assert f"platform is rejected in favour of infrastructure {times(n)}" in text or \
        f"platform in favour of infrastructure {times(n)}" in text
    assert text.startswith("In 'Digital retail: the gravedigger of new retail'")


def test_concept_summaries_cite_evidence(framing, starter_corpus):
    s = framing.summaries
    assert {"concept", "document"} <= set(s["scope"]) <= {"concept", "document", "reframing"}
    assert set(s.loc[s["scope"] == "document", "key"]) == set(starter_corpus.doc_ids)
    traffic = framing.summary("traffic")
    m = re.search(r"on the old side in (\d+) of (\d+) contrasts", traffic)
    assert m, traffic
    c = framing.contrasts
    on_old = c["old_concept"].str.split("; ").map(lambda v: "traffic" in v).sum()
    assert int(m.group(1)) == on_old
    evidence = s.loc[s["key"] == "traffic", "evidence"].iloc[0].split("; ")
    assert set(evidence) <= set(starter_corpus.sentences["sent_id"])


def test_trajectory_and_write(framing, tmp_path):
    t = framing.trajectory("traffic")
    assert list(t["doc_id"]) == [d for d in framing.doc_ids if d in set(t["doc_id"])]
    files = framing.write(tmp_path / "out")
    assert [f.name for f in files] == ["framing_contrasts.csv", "framing_orientation.csv", "framing_profiles.csv",
                                       "framing_shifts.csv", "framing_summaries.csv"]
    back = pd.read_csv(files[0])
    assert len(back) == len(framing.contrasts)


def _sides(value) -> list[str]:
    return [v for v in str(value if isinstance(value, str) else "").split("; ") if v]


def test_reframings_count_concept_pairs_rejections_and_head_terms(framing):
    """The reframings the report's highlights list, counted by the stage, checked against the frames."""
    r = framing.reframings()
    assert list(r.columns) == ["level", "old", "new", "count", "n_author", "n_docs", "sent_ids"]
    c = framing.contrasts
    by_sent = c.set_index("sent_id")
    # Traffic -> reserve: 7 frames in the starter essays, all in the authors' voice, in 2 essays (one of
    # them "traffic" is beside e-commerce on the old side, two name data beside reserve on the new side).
    row = r[(r["level"] == "concept") & (r["old"] == "traffic") & (r["new"] == "reserve")].iloc[0]
    assert (row["count"], row["n_author"], row["n_docs"]) == (7, 7, 2)
    frames = c[c["old_concept"].map(lambda v: "traffic" in _sides(v)) & c["new_concept"].map(lambda v: "reserve" in _sides(v))]
    assert len(frames) == 7 and row["sent_ids"].split("; ") == list(dict.fromkeys(frames["sent_id"]))
    # A side naming two concepts counts once for each pair: that frame is also e-commerce -> reserve.
    two = frames[frames["old_concept"].map(lambda v: len(_sides(v)) == 2)]
    assert len(two) == 1
    pair = r[(r["level"] == "concept") & (r["old"] == "e_commerce") & (r["new"] == "reserve")]
    assert two["sent_id"].iloc[0] in pair["sent_ids"].iloc[0].split("; ")
    # A frame whose new side names no concept is a rejection of the old one (new == "").
    rejected = r[(r["level"] == "concept") & (r["new"] == "")]
    for x in rejected.itertuples():
        for sid in x.sent_ids.split("; "):
            rows = by_sent.loc[[sid]]
            assert any(x.old in _sides(o) and not (set(_sides(n)) - {x.old})
                       for o, n in zip(rows["old_concept"], rows["new_concept"])), (x.old, sid)
    # Head terms only for frames pairing no two concepts; a frame reported from others is counted
    # but not as the author's.
    heads = r[r["level"] == "head"]
    assert len(heads) and not set(heads["sent_ids"].str.split("; ").explode()) & set(frames["sent_id"])
    for x in heads.itertuples():
        speakers = by_sent.loc[x.sent_ids.split("; "), "speaker"]
        assert x.n_author <= x.count and (x.n_author < x.count) == (speakers == "others").any()
    assert (r["n_author"] <= r["count"]).all() and r["count"].sum() >= len(c[c["old_concept"].fillna("") != ""])
    # Concepts first, then commonest first.
    assert r["level"].tolist() == sorted(r["level"].tolist(), key=lambda v: v != "concept")
    concept_counts = r[r["level"] == "concept"]["count"].tolist()
    assert concept_counts == sorted(concept_counts, reverse=True)


def test_profile_table_is_the_essay_by_concept_view_of_profiles(framing):
    wide = framing.profile_table("share_old")
    assert list(wide.index) == framing.doc_ids and wide.index.name == "doc_id"
    assert list(wide.columns) == sorted(framing.profiles["concept"].unique())
    p = framing.profiles
    for r in p.head(10).itertuples():
        assert wide.at[r.doc_id, r.concept] == pytest.approx(r.share_old, nan_ok=True)
    # An essay that does not mention a concept has no share, not 0.
    assert wide.isna().sum().sum() == len(wide.index) * len(wide.columns) - len(p)


def test_empty_corpus_parts_do_not_crash(extractor, starter_corpus):
    result = extractor.aggregate([], starter_corpus)
    assert result.contrasts.empty and result.profiles.empty and result.shifts.empty
    assert len(result.summaries) == len(starter_corpus.doc_ids)
    assert result.reframings().empty and list(result.reframings().columns)[:3] == ["level", "old", "new"]
    assert result.profile_table().shape == (len(starter_corpus.doc_ids), 0)


def test_analyze_framing_reuses_a_concept_result(starter_corpus, parsed_starter, nlp):
    import corpus_tools as ct

    concepts = ct.extract_concepts(starter_corpus, parsed=parsed_starter, nlp=nlp, suggest=False)
    result = ct.analyze_framing(starter_corpus, concepts, parsed=parsed_starter, nlp=nlp)
    assert isinstance(result, ct.FramingResult)
    assert set(result.orientation["concept"]) <= set(concepts.mentions["concept"])


def test_term_counts_sum_sentence_rows_per_essay_and_concept(framing):
    from corpus_tools.framing.profiles import term_counts

    terms = term_counts(framing.context)
    assert not terms.duplicated(["doc_id", "concept", "term"]).any()
    assert terms["count"].sum() == framing.context["count"].sum()
    again = term_counts(terms)  # already summed: same content
    pd.testing.assert_frame_equal(again, terms)
    # top_terms of a profile are the most frequent of these, ties by name
    row = framing.profiles.iloc[0]
    mine = terms[(terms["doc_id"] == row["doc_id"]) & (terms["concept"] == row["concept"])]
    expected = mine.sort_values(["count", "term"], ascending=[False, True])["term"].head(6).tolist()
    assert row["top_terms"].split("; ") == expected


def test_term_counts_are_summed_once_for_profiles_and_shifts(framing, extractor, starter_corpus, monkeypatch):
    """The profiles' top terms and the shifts' drifts read one term-count table, with the same tables."""
    from corpus_tools.framing import profiles
    from corpus_tools.framing.result import build_result

    calls = []
    summed = profiles.term_counts

    def counting(context):
        calls.append(len(context))
        return summed(context)

    monkeypatch.setattr(profiles, "term_counts", counting)
    again = build_result({"contrasts": framing.contrasts, "orientation": framing.orientation,
                          "context": framing.context}, starter_corpus, lexicon=extractor.lexicon_)
    assert calls == [len(framing.context)]
    pd.testing.assert_frame_equal(again.profiles, framing.profiles)
    pd.testing.assert_frame_equal(again.shifts, framing.shifts)


def test_sparse_drifts_are_cosine_distances_of_term_count_vectors(framing):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    from corpus_tools.framing.profiles import term_counts
    from corpus_tools.framing.shifts import _ContextVectors

    terms = term_counts(framing.context)
    vectors = _ContextVectors(framing.context)
    checked = 0
    for concept, group in framing.profiles.groupby("concept"):
        doc_ids = [d for d in framing.doc_ids if d in set(group["doc_id"])]
        counts = [{str(t): float(n) for t, n in terms[(terms["concept"] == concept) & (terms["doc_id"] == d)]
                   [["term", "count"]].itertuples(index=False)} for d in doc_ids]
        expected = []
        for a, b in zip(counts, counts[1:]):
            if not a or not b:
                expected.append(float("nan"))
                continue
            matrix = DictVectorizer().fit_transform([a, b])
            expected.append(round(float(cosine_distances(matrix[0], matrix[1])[0, 0]), 4))
        assert vectors.consecutive_drifts(concept, doc_ids) == pytest.approx(expected, nan_ok=True, abs=1e-4)
        checked += len(doc_ids) > 1
    assert checked >= 5
    shown = framing.shifts.dropna(subset=["drift"])
    assert len(shown) and shown["drift"].between(0, 1).all()


def test_headline_length_essays_do_not_crash(nlp, tmp_path):
    """Essays of one word or one heading leave no context terms at all: no shift has a drift,
    and nothing raises (this once failed in the context vectors with 0 samples)."""
    from corpus_tools import analyze_framing
    from corpus_tools.load import Corpus

    corpus = Corpus.from_texts({"a": "traffic", "b": "Platform.", "c": "Retention"})
    framing = analyze_framing(corpus, nlp=nlp, cache_dir=tmp_path)
    assert framing.contrasts.empty
    assert framing.shifts.empty or framing.shifts["drift"].isna().all()
