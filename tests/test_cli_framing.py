"""``corpus-tools framing PATH`` and ``corpus-tools framing eval PATH GOLD.csv``."""
from __future__ import annotations

import json

from click.testing import CliRunner

from corpus_tools.cli import main
from tests.conftest import DATA_DIR


def run(*args):
    return CliRunner().invoke(main, list(map(str, args)))


def test_framing_json(corpus_dir):
    res = run("framing", corpus_dir, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"contrasts", "orientation", "profiles", "shifts", "summaries"} <= set(data)
    assert len(data["orientation"]) > 100 and {"concept", "temporal", "evaluation"} <= set(data["orientation"][0])
    assert any(c["old_concept"] == "platform" and c["new_concept"] == "infrastructure" for c in data["contrasts"])


def test_framing_table_and_concept_filter(corpus_dir):
    res = run("framing", corpus_dir, "--concept", "Traffic")
    assert res.exit_code == 0, res.output
    assert "Trajectories:" in res.output and "Traffic: mentioned in" in res.output
    assert "infrastructure ->" not in res.output


def test_framing_out_writes_tables(corpus_dir, tmp_path):
    res = run("framing", corpus_dir, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "framing_contrasts.csv").exists()


def test_framing_refuses_to_write_into_input(corpus_dir):
    res = run("framing", corpus_dir, "--out", corpus_dir / "out")
    assert res.exit_code != 0 and "Traceback" not in res.output


def test_eval_prints_scores(corpus_dir):
    res = run("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv")
    assert res.exit_code == 0, res.output
    for word in ("precision", "recall", "F1", "all", "core", "hard"):
        assert word in res.output


def test_eval_json(corpus_dir):
    res = run("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv", "--json")
    scores = json.loads(res.output)["scores"]
    assert scores["core"]["recall"] >= 0.85


def test_bad_inputs_are_clear(corpus_dir, tmp_path):
    res = run("framing", tmp_path / "missing")
    assert res.exit_code == 2 and "Traceback" not in res.output
    res = run("framing", "eval", corpus_dir, tmp_path / "nope.csv")
    assert res.exit_code == 2 and "no such gold file" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = run("framing", "eval", corpus_dir, bad)
    assert res.exit_code == 2 and "lacks column" in res.output
    res = run("framing", corpus_dir, "--concept", "nonsense")
    assert res.exit_code == 2 and "unknown concept" in res.output


def test_eval_out_writes_scores_and_gold_rows(corpus_dir, tmp_path):
    import pandas as pd

    res = run("framing", "eval", corpus_dir, str(DATA_DIR / "seed_contrasts.csv"), "--out", str(tmp_path / "ev"))
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(tmp_path / "ev" / "framing_eval_scores.csv")
    assert list(scores["rows"]) == ["all", "core", "hard"] and set(scores["half"]) == {"all"} and (scores["f1"] > 0).any()
    gold = pd.read_csv(tmp_path / "ev" / "framing_eval_gold.csv")
    assert len(gold) == 46 and gold["matched"].sum() >= 30


def test_eval_on_a_folder_with_file_gold_and_split(tmp_path):
    import shutil

    import pandas as pd

    dev = DATA_DIR / "dev"
    split = pd.read_csv(dev / "split.csv")
    folder = tmp_path / "dev"
    folder.mkdir()
    for name in split["file"][:6]:
        shutil.copy(dev / "essays" / name, folder / name)
    meta = pd.read_csv(dev / "essays" / "metadata.csv")
    meta[meta["file"].isin(set(split["file"][:6]))].to_csv(folder / "metadata.csv", index=False)
    split.head(6).to_csv(tmp_path / "split.csv", index=False)
    res = run("framing", "eval", folder, dev / "gold_contrasts.csv", "--split", tmp_path / "split.csv", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data["halves"]) == {"tune", "heldout"}
    gold_rows = pd.read_csv(dev / "gold_contrasts.csv")
    in_folder = gold_rows["file"].isin(set(split["file"][:6]))
    assert data["scores"]["all"]["n_gold"] == int(in_folder.sum())
    assert sum(h["all"]["n_gold"] for h in data["halves"].values()) == int(in_folder.sum())
    res = run("framing", "eval", folder, dev / "gold_contrasts.csv", "--split", tmp_path / "split.csv")
    assert res.exit_code == 0 and "heldout:" in res.output and "tune:" in res.output


def test_frames_option_uses_the_given_grammar(corpus_dir, tmp_path):
    grammar = tmp_path / "frames.toml"
    grammar.write_text('[[connective]]\nclass = "only_rather"\nreader = "preference"\nwords = ["rather than"]\n',
                       encoding="utf-8")
    res = run("framing", corpus_dir, "--frames", grammar, "--json")
    assert res.exit_code == 0, res.output
    families = {c["family"] for c in json.loads(res.output)["contrasts"]}
    # the two-sentence readers have their own file (data/discourse_frames.toml); every in-sentence
    # frame comes from the given grammar
    assert families - {"discourse"} == {"only_rather"}


def test_discourse_option_uses_the_given_file(corpus_dir, tmp_path):
    def two_sentence_cues(*args):
        res = run("framing", corpus_dir, "--json", *args)
        assert res.exit_code == 0, res.output
        return [c["cue"] for c in json.loads(res.output)["contrasts"] if c["first_sent_id"] != c["sent_id"]]

    builtin = two_sentence_cues()
    assert builtin and all(c.startswith("X is no longer the ") for c in builtin)  # the restatement reader's
    held_only = tmp_path / "held.toml"
    held_only.write_text('[[pair]]\nclass = "held_view"\nreader = "held_turn"\ncue = "X; {turn} Y"\n'
                         'held = ["in the past"]\nbelieve = ["believe"]\nholders = ["many"]\nturns = ["today"]\n',
                         encoding="utf-8")
    assert two_sentence_cues("--discourse", held_only) == []


def test_broken_discourse_file_is_a_clear_error(corpus_dir, tmp_path):
    pairs = tmp_path / "pairs.toml"
    pairs.write_text('[discourse]\nname = "mine"\n\n[[pair]]\nclass = "x"\nreader = "nowhere"\n', encoding="utf-8")
    for args in (("framing", corpus_dir), ("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv"),
                 ("analyze", corpus_dir, "--out", tmp_path / "out")):
        res = run(*args, "--discourse", pairs)
        assert res.exit_code == 2, res.output
        assert f"{pairs}: line 6:" in res.output and "unknown reader 'nowhere'" in res.output
        assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_broken_frames_file_is_a_clear_error(corpus_dir, tmp_path):
    grammar = tmp_path / "frames.toml"
    grammar.write_text('[[predicate]]\nclass = "x"\nverbs = ["replace"]\nactive = { old = ["nowhere"] }\n',
                       encoding="utf-8")
    for args in (("framing", corpus_dir), ("framing", "eval", corpus_dir, DATA_DIR / "seed_contrasts.csv"),
                 ("analyze", corpus_dir, "--out", tmp_path / "out")):
        res = run(*args, "--frames", grammar)
        assert res.exit_code == 2, res.output
        assert f"{grammar}: line 4:" in res.output and "unknown role 'nowhere'" in res.output
        assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_eval_bootstrap_gives_a_seeded_interval(corpus_dir, tmp_path):
    gold = DATA_DIR / "seed_contrasts.csv"
    res = run("framing", "eval", corpus_dir, gold, "--bootstrap", 200, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = {r["metric"]: r for r in data["intervals"]["all"]}
    assert set(rows) == {"precision", "recall", "f1"}
    assert rows["f1"]["value"] == data["scores"]["all"]["f1"] and rows["f1"]["n_essays"] == 5
    assert all(0 <= r["low"] <= r["value"] <= r["high"] <= 1 for r in rows.values())
    assert json.loads(run("framing", "eval", corpus_dir, gold, "--bootstrap", 200, "--json").output)["intervals"] \
        == data["intervals"]
    res = run("framing", "eval", corpus_dir, gold, "--bootstrap", 200, "--out", tmp_path / "out")
    assert res.exit_code == 0 and "95% of 200 resamples of its 5 essays: P " in res.output
    assert len((tmp_path / "out" / "framing_eval_intervals.csv").read_text("utf-8").splitlines()) == 4
    res = run("framing", "eval", corpus_dir, gold, "--bootstrap", 0)
    assert res.exit_code == 2 and "Traceback" not in res.output
