"""The CLI through click's CliRunner."""
from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from corpus_tools.cli import COMMANDS, main


def test_help_lists_commands_and_imports_nothing_heavy():
    code = (
        "import sys; from click.testing import CliRunner; from corpus_tools.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output;"
        "heavy = [m for m in ('spacy', 'torch', 'bertopic', 'sentence_transformers', 'sklearn', 'pandas', 'dask', 'distributed') if m in sys.modules];"
        "assert not heavy, heavy; print(r.output)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "corpus" in out


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "corpus-tools, version" in result.output


def test_every_available_command_has_help():
    runner = CliRunner()
    for name in main.list_commands(None):
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert len(result.output) > 100
    assert "corpus" in COMMANDS


def test_corpus_inventory_table(corpus_dir):
    result = CliRunner().invoke(main, ["corpus", str(corpus_dir)])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    assert "verbatim repeat" in result.output
    assert "Skipped files: none" in result.output


def test_corpus_json(corpus_dir):
    result = CliRunner().invoke(main, ["corpus", str(corpus_dir), "--json"])
    payload = json.loads(result.output)
    assert len(payload["documents"]) == 5
    assert payload["documents"][2]["date"] is None
    assert payload["skipped"] == []


def test_corpus_out_writes_tables_outside_input(corpus_dir, tmp_path):
    result = CliRunner().invoke(main, ["corpus", str(corpus_dir), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "sentences.csv").read_text().startswith("doc_id,para_id,sent_id")


def test_out_inside_input_refused(tmp_path):
    (tmp_path / "a.txt").write_text("Traffic is over. Reserve is next.")
    result = CliRunner().invoke(main, ["corpus", str(tmp_path), "--out", str(tmp_path / "reports")])
    assert result.exit_code != 0
    assert "inside the input folder" in result.output
    assert not (tmp_path / "reports").exists()


def test_bad_paths_exit_2_without_traceback(tmp_path):
    runner = CliRunner()
    (tmp_path / "a.txt").write_text("x")
    for target in (tmp_path / "missing", tmp_path / "a.txt"):
        result = runner.invoke(main, ["corpus", str(target)])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert "Error:" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(main, ["corpus", str(empty)])
    assert result.exit_code == 2 and "no readable" in result.output


def test_skipped_files_listed(tmp_path):
    (tmp_path / "a.txt").write_text("Traffic is over. Reserve is next.")
    (tmp_path / "b.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["corpus", str(tmp_path)])
    assert result.exit_code == 0
    assert "b.txt: empty file" in result.output


def _leaf_commands():
    import click

    for name in main.list_commands(None):
        command = main.get_command(None, name)
        if isinstance(command, click.Group):
            for sub in command.list_commands(None):
                yield f"{name} {sub}", command.get_command(None, sub)
        else:
            yield name, command


def test_every_command_takes_json_and_out():
    """The README promises --json or --out DIR on every command."""
    for name, command in _leaf_commands():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert {"--json", "--out"} <= options, (name, sorted(options))


def test_group_help_shows_the_default_actions_options():
    runner = CliRunner()
    for group, wanted in (("concepts", ("--all", "--lexicon", "--out", "table", "suggest")),
                          ("framing", ("--concept", "--lexicon", "--out", "show", "eval"))):
        result = runner.invoke(main, [group, "--help"])
        assert result.exit_code == 0, result.output
        for word in wanted:
            assert word in result.output, (group, word, result.output)
