"""Frames that touch no lexicon concept still count: by the head terms of their sides; orientation
that agrees with the frames (concessions, "X: the gravedigger of Y")."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def bookshop_framing(nlp, tmp_path_factory):
    from corpus_tools.framing import analyze_framing
    from corpus_tools.load import load_corpus

    folder = tmp_path_factory.mktemp("bookshops")
    (folder / "001_shelves.txt").write_text(
        "Bookshops on the high street\n\n"
        "The bookshop is shifting from ownership to circulation. Readers no longer buy every title they read.\n\n"
        "Membership clubs are replacing the loyalty card, and the age of the bestseller list is over.\n",
        encoding="utf-8")
    (folder / "002_libraries.txt").write_text(
        "Lending as a service\n\n"
        "The shift from ownership to circulation is now visible in every reading room.\n",
        encoding="utf-8")
    corpus = load_corpus(folder)
    return analyze_framing(corpus, nlp=nlp, cache_dir=tmp_path_factory.mktemp("bookshop-cache"))


def test_head_terms_of_frames_without_concepts(bookshop_framing):
    c = bookshop_framing.contrasts
    assert (c["old_concept"] == "").all() and (c["new_concept"] == "").all()
    pairs = set(zip(c["old_head"], c["new_head"]))
    assert ("ownership", "circulation") in pairs
    assert ("card", "club") in pairs


def test_summaries_count_head_term_reframings(bookshop_framing):
    s = bookshop_framing.summaries
    reframings = s[s["scope"] == "reframing"]
    row = reframings[reframings["key"] == "ownership -> circulation"]
    assert len(row) == 1
    assert "'ownership' gives way to 'circulation' twice" in row["text"].iloc[0]
    assert len(row["evidence"].iloc[0].split("; ")) == 2
    doc = s[(s["scope"] == "document") & (s["key"] == "001_shelves")]["text"].iloc[0]
    assert "'ownership' gives way to 'circulation' once" in doc


def test_concession_does_not_praise_the_old_side(nlp, tmp_path):
    from corpus_tools.framing import analyze_framing
    from corpus_tools.load import load_corpus

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(
        "Digital retail: the gravedigger of new retail\n\n"
        "Traffic does have a certain development potential; however, the era of traffic is over. "
        "Retailers must say goodbye to traffic and enter the era of reserve.\n", encoding="utf-8")
    result = analyze_framing(load_corpus(tmp_path / "c"), nlp=nlp, cache_dir=tmp_path / "cache")
    o = result.orientation
    conceded = o[(o["concept"] == "traffic") & (o["sent_id"].str.endswith("p002-s01"))]
    assert len(conceded) and (conceded["evaluation"] != "positive").all()
    assert conceded["evaluation_cues"].str.contains("concession").any()
    c = result.contrasts
    title = c[c["sent_id"].str.endswith("p001-s01")]
    assert list(zip(title["old_concept"], title["new_concept"])) == [("new_retail", "digital_retail")]
    digital = o[(o["concept"] == "digital_retail")]
    assert (digital["evaluation"] != "negative").all()  # "gravedigger" is the frame, not a verdict on X


def test_concessions_are_read_per_paragraph_and_concept(nlp, tmp_path):
    """Concessions are keyed by paragraph (ids carry the essay) and withdrawn per concept: two in one
    paragraph do not mix, a frame in a later sentence of the paragraph counts, another paragraph's
    frame does not."""
    from corpus_tools.framing import analyze_framing
    from corpus_tools.load import load_corpus

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_text(
        "Title one\n\nTraffic certainly has great potential. Admittedly, the platform is valuable too. "
        "However, the era of traffic is over, and retailers must move from traffic to reserve.\n", encoding="utf-8")
    (tmp_path / "c" / "b.txt").write_text(
        "Title two\n\nTraffic certainly has great potential. Indeed, traffic is valuable for brands. "
        "Retailers are shifting from traffic to reserve.\n", encoding="utf-8")
    (tmp_path / "c" / "c.txt").write_text(
        "Title three\n\nRetailers are shifting from traffic to reserve.\n\n"
        "Traffic certainly has real value for small shops.\n", encoding="utf-8")
    o = analyze_framing(load_corpus(tmp_path / "c"), nlp=nlp, cache_dir=tmp_path / "cache").orientation

    def evaluation(sent_id: str, concept: str) -> list[str]:
        return o[(o["sent_id"] == sent_id) & (o["concept"] == concept)]["evaluation"].tolist()

    conceded = o[o["evaluation_cues"].str.contains("concession")]
    assert sorted(conceded["sent_id"]) == ["a-p002-s01", "b-p002-s01", "b-p002-s02"]
    assert (conceded["concept"] == "traffic").all() and (conceded["evaluation"] == "").all()
    assert evaluation("a-p002-s02", "platform") == ["positive"]  # a's other concession: not set aside
    assert evaluation("c-p003-s01", "traffic") == ["positive"]  # the frame is in the paragraph before
