"""``ct.compare`` and ``corpus-tools compare``: statistics against hand-computed values, grouping,
periods, messages, tables."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import corpus_tools as ct
from corpus_tools.cli import main
from corpus_tools.comparison import (SCHEMAS, chi2_sf, group_documents, log_likelihood, log_ratio,
                                     poisson_interval, wilson_interval)
from corpus_tools.errors import GroupingError

DEV = Path(__file__).resolve().parent / "data" / "dev" / "essays"

# A tiny corpus whose counts can be checked by hand: site a.com writes about traffic, b.com about
# platforms; one b.com essay has no date.
TINY = {
    "a1.txt": "Traffic is everything for the shop. Traffic costs keep rising.\n\n"
              "The shop buys traffic every day and the traffic never stays.",
    "a2.txt": "Traffic is cheap no longer. Merchants chase traffic on every channel.",
    "b1.txt": "The platform decides the rules. Every platform takes a share of the sales.",
    "b2.txt": "A platform is not a partner. The platform sets the price for the merchants.",
}
TINY_META = ("file,site,date\n"
             "a1.txt,a.com,2021-03-01\n"
             "a2.txt,a.com,2021-09-01\n"
             "b1.txt,b.com,2022-02-01\n"
             "b2.txt,b.com,\n")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny") / "essays"
    folder.mkdir()
    for name, body in TINY.items():
        (folder / name).write_text(body, encoding="utf-8")
    (folder / "metadata.csv").write_text(TINY_META, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny_result(tiny_folder, nlp):
    # Themes cannot be fitted on eight paragraphs: that stage degrades and its table stays empty.
    return ct.analyze(tiny_folder, nlp=nlp)


# --- statistics, by hand --------------------------------------------------------------------


def test_log_likelihood_matches_hand_computation():
    # a=10 in c=1000 words vs b=5 in d=2000: E1 = 1000*15/3000 = 5, E2 = 10,
    # G2 = 2 * (10 ln(10/5) + 5 ln(5/10)) = 2 * 5 ln 2 = 10 ln 2.
    assert log_likelihood(10, 5, 1000, 2000) == pytest.approx(10 * math.log(2))
    # A zero count contributes nothing: a=0, b=10, c=d=100: E2 = 5, G2 = 2 * 10 ln 2.
    assert log_likelihood(0, 10, 100, 100) == pytest.approx(20 * math.log(2))
    # Same relative frequency: no difference at all.
    assert log_likelihood(3, 6, 100, 200) == pytest.approx(0.0, abs=1e-12)
    # 52 in 100,000 words vs 18 in 200,000: E1 = 23.333, E2 = 46.667;
    # 52 ln(52/23.333) = 41.671, 18 ln(18/46.667) = -17.148; G2 = 2 * 24.523 = 49.05.
    assert log_likelihood(52, 18, 100_000, 200_000) == pytest.approx(49.05, abs=0.01)


def test_p_values_and_ratio():
    assert chi2_sf(3.841459) == pytest.approx(0.05, abs=1e-6)
    assert chi2_sf(6.634897) == pytest.approx(0.01, abs=1e-6)
    assert chi2_sf(0.0) == pytest.approx(1.0)
    assert log_ratio(10, 5, 1000, 2000) == pytest.approx(2.0)  # 1% vs 0.25%: four times, log2 = 2
    assert log_ratio(4, 0, 100, 100) == pytest.approx(math.log2(4 / 0.5))  # zero smoothed to 0.5


def test_intervals():
    low, high = wilson_interval(5, 10)
    assert (low, high) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 4)[0] == 0.0
    # Exact Poisson: k=0 gives [0, 3.689]; k=10 gives [4.795, 18.39] (Garwood), per unit exposure.
    assert poisson_interval(0, 1.0) == pytest.approx((0.0, 3.6889), abs=1e-3)
    assert poisson_interval(10, 2.0) == pytest.approx((4.7954 / 2, 18.3904 / 2), abs=1e-3)


# --- grouping -------------------------------------------------------------------------------


def _docs(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"doc_id": [f"d{i}" for i in range(n)], "path": [f"{i}.txt" for i in range(n)]}
    return pd.DataFrame({**base, **columns})


def test_periods_are_in_date_order_and_undated_essays_are_left_out():
    docs = _docs(date=pd.to_datetime(["2023-05-01", None, "2021-01-09", "2023-11-30", "2022-07-01"]))
    table, groups, left_out = group_documents(docs, "year")
    assert groups == ["2021", "2022", "2023"]
    assert left_out == 1 and "d1" not in set(table["doc_id"])
    _, quarters, _ = group_documents(docs, "quarter")
    assert quarters == ["2021-Q1", "2022-Q3", "2023-Q2", "2023-Q4"]
    _, months, _ = group_documents(docs, "Month")
    assert months[0] == "2021-01"


def test_clear_messages_for_bad_groupings():
    docs = _docs(site=["a", "a", ""], date=pd.to_datetime([None, None, None]))
    with pytest.raises(GroupingError, match=r"no column 'author'.*site.*year, quarter, month"):
        group_documents(docs, "author")
    with pytest.raises(GroupingError, match="every essay with a value falls in one group .site = a."):
        group_documents(docs, "site")
    with pytest.raises(GroupingError, match="no essay has a date"):
        group_documents(docs, "year")


# --- compare on real text -------------------------------------------------------------------


def test_concept_keyness_on_the_tiny_corpus_is_the_hand_computed_g2(tiny_result):
    cmp = ct.compare(tiny_result, by="site", min_count=3)
    docs = tiny_result.corpus.documents.set_index("doc_id")
    words_a = int(docs.loc[["a1", "a2"], "n_words"].sum())
    words_b = int(docs.loc[["b1", "b2"], "n_words"].sum())
    row = cmp.keyness.query("group == 'a.com' and kind == 'concept' and item == 'traffic'").iloc[0]
    # "traffic" is written 6 times in a.com's essays and never in b.com's.
    assert (row["count"], row["count_rest"], row["words"], row["words_rest"]) == (6, 0, words_a, words_b)
    e1 = words_a * 6 / (words_a + words_b)
    assert row["g2"] == pytest.approx(2 * 6 * math.log(6 / e1))
    assert row["p"] == pytest.approx(math.erfc(math.sqrt(row["g2"] / 2)))
    assert row["direction"] == "over" and bool(row["enough"])
    platform = cmp.keyness.query("group == 'b.com' and kind == 'concept' and item == 'platform'").iloc[0]
    assert (platform["count"], platform["count_rest"]) == (4, 0)
    assert cmp.marking("b.com")["item"].tolist() == ["platform"]
    # Rates with their intervals and the counts behind them.
    rate = cmp.concepts.query("group == 'a.com' and concept == 'traffic'").iloc[0]
    assert rate["per_1k"] == pytest.approx(6000 / words_a)
    assert rate["per_1k_low"] < rate["per_1k"] < rate["per_1k_high"]
    assert (rate["n_docs"], rate["group_docs"]) == (2, 2)
    # Concepts no essay mentions are not listed.
    assert set(cmp.concepts["concept"]) <= set(tiny_result.concepts.mentions["concept"])


def test_concept_totals_and_held_back_claims_on_the_tiny_corpus(tiny_result):
    """What the Groups section charts and counts, from the comparison: "traffic" 6 times in the two
    a.com essays, "platform" 4 times in the two b.com essays (b2 included: a site needs no date)."""
    cmp = ct.compare(tiny_result, by="site", min_count=3)
    totals = cmp.concept_totals()
    assert list(totals.columns) == ["concept", "label", "count", "n_docs"]
    assert totals.set_index("concept").loc[["traffic", "platform"], ["count", "n_docs"]].values.tolist() == [[6, 2], [4, 2]]
    assert totals["count"].tolist() == sorted(totals["count"].tolist(), reverse=True)
    assert int(totals["count"].sum()) == int(cmp.concepts["count"].sum())
    # Both differences are significant (p < 0.05); with 3 mentions needed both are claimed...
    concept_rows = lambda t: set(map(tuple, t[t["kind"] == "concept"][["group", "item"]].values.tolist()))
    assert concept_rows(cmp.held_back()) == set()
    # ... with 10 needed, both are held back, and marking() no longer lists them.
    strict = ct.compare(tiny_result, by="site", min_count=10)
    assert concept_rows(strict.held_back()) == {("a.com", "traffic"), ("b.com", "platform")}
    assert strict.marking("a.com").empty
    assert (strict.held_back()["p"] < 0.05).all() and not strict.held_back()["enough"].any()
    # By year the undated b2 is left out: its 2 platform mentions are not in the totals.
    by_year = ct.compare(tiny_result, by="year", min_count=3).concept_totals().set_index("concept")
    assert by_year.loc["traffic", "count"] == 6 and by_year.loc["platform", "count"] == 2


def test_a_users_own_metadata_column_groups_essays(tmp_path, nlp):
    """Any column of metadata.csv is a grouping, not only site or author."""
    folder = tmp_path / "essays"
    folder.mkdir()
    for name, body in TINY.items():
        (folder / name).write_text(body, encoding="utf-8")
    (folder / "metadata.csv").write_text("file,camp\na1.txt,red\na2.txt,red\nb1.txt,blue\nb2.txt,blue\n",
                                         encoding="utf-8")
    cmp = ct.compare(ct.analyze(folder, nlp=nlp), by="camp", min_count=3)
    assert sorted(cmp.groups["group"]) == ["blue", "red"] and cmp.n_left_out == 0
    assert cmp.marking("red")["item"].tolist() == ["traffic"]  # the a*.txt essays: 6 mentions vs 0


def test_term_keyness_counts_words(tiny_result):
    cmp = ct.compare(tiny_result, by="site", min_count=3)
    terms = cmp.keyness.query("kind == 'term' and group == 'a.com'").set_index("item")
    assert terms.loc["traffic", "count"] == 6 and terms.loc["traffic", "count_rest"] == 0
    assert "platform" in set(cmp.keyness.query("kind == 'term' and group == 'b.com'")["item"])


def test_years_leave_the_undated_essay_out_and_list_shifts(tiny_result):
    cmp = ct.compare(tiny_result, by="year", min_count=3)
    assert cmp.groups["group"].tolist() == ["2021", "2022"]
    assert cmp.n_left_out == 1 and "b2" not in set(cmp.documents["doc_id"])
    shift = cmp.shifts.query("concept == 'traffic'").iloc[0]
    assert (shift["from_group"], shift["to_group"], shift["count_from"], shift["count_to"]) == ("2021", "2022", 6, 0)
    assert "less often" in shift["change"]
    assert "9 essays" not in repr(cmp) and "2 groups" in repr(cmp) and len(repr(cmp)) < 200
    assert "<table" in cmp._repr_html_()


def test_frames_per_group_by_concept_and_head(tiny_result):
    cmp = ct.compare(tiny_result, by="site")
    frames = cmp.frames
    assert list(frames.columns) == SCHEMAS["frames"]
    b = frames.query("group == 'b.com'")
    # "A platform is not a partner": the old side names the platform concept and has head "platform"...
    # whatever the extractor finds, every row counts real contrast frames of the group.
    contrasts = tiny_result.framing.contrasts
    n_b = int(contrasts["doc_id"].isin(["b1", "b2"]).sum())
    assert (b.query("level == 'head'")["count"].sum() <= n_b)
    # By hand: the one frame of the four essays is b2's "A platform is not a partner", a bare
    # rejection of what the platform is said not to be; no concept on either side, so by head word.
    assert n_b == 1 and len(contrasts) == 1
    row = b.iloc[0]
    assert len(b) == 1 and (row["level"], row["old"], row["new"]) == ("head", "partner", "")
    assert (row["count"], row["n_docs"], row["n_author"], row["share"]) == (1, 1, 1, 1.0)
    assert row["example_sent_id"] == contrasts["sent_id"].iloc[0] and not bool(row["enough"])
    assert frames.query("group == 'a.com'").empty
    for table, columns in SCHEMAS.items():
        assert list(getattr(cmp, table).columns) == columns, table


def test_cli_compare_prints_writes_and_explains(tiny_folder, tmp_path):
    runner = CliRunner()
    out = tmp_path / "cmp"
    result = runner.invoke(main, ["compare", str(tiny_folder), "--by", "year", "--min-count", "3", "-q",
                                  "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "compare by year: 3 essays in 2 groups; 1 without a date left out" in result.output
    assert "    concepts: Traffic 6 vs 0, " in result.output
    for name in SCHEMAS:
        table = pd.read_csv(out / f"compare_{name}.csv")
        assert list(table.columns) == SCHEMAS[name]
    bad = runner.invoke(main, ["compare", str(tiny_folder), "--by", "editor", "-q"])
    assert bad.exit_code == 2 and "no column 'editor'" in bad.output and "Traceback" not in bad.output
    bad = runner.invoke(main, ["analyze", str(tiny_folder), "--by", "nosuch", "-q", "--out", str(tmp_path / "o")])
    assert bad.exit_code != 0 and "no column 'nosuch'" in bad.output
    assert not (tmp_path / "o").exists()  # stopped before any work


def test_analyze_by_adds_tables_and_a_groups_section(tiny_folder, tmp_path, nlp):
    result = ct.analyze(tiny_folder, tmp_path / "out", by="site", nlp=nlp, formats="md,csv")
    assert result.comparison is not None and result.stage_status["compare"]["status"] == "ok"
    assert "tables/compare_keyness.csv" in result.files
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "## Groups" in md and "4 essays compared by site in 2 groups" in md
    assert "[Groups](#groups)" in md


def test_file_order_is_used_only_when_asked_and_makes_a_sequence(tiny_result):
    docs = _docs(site=["b", "a", "b", "c"])
    docs["path"] = ["3.txt", "1.txt", "2.txt", "4.txt"]
    assert group_documents(docs, "site")[1] == ["b", "a", "c"]            # by size, then name
    assert group_documents(docs, "site", order="file")[1] == ["a", "b", "c"]  # first essay by file name
    assert group_documents(docs, "site", min_docs=2)[1] == ["b", "(other)"]
    by_site = ct.compare(tiny_result, by="site")
    assert by_site.shifts.empty  # sites are not a sequence...
    in_file_order = ct.compare(tiny_result, by="site", order="file")
    assert not in_file_order.shifts.empty  # ...unless the analyst says so
    assert set(in_file_order.shifts["from_group"]) == {"a.com"}
