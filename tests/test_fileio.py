"""Output safety: the input is never written or read back as output, the report is replaced
whole (a real ``analyze`` process killed while writing), one run at a time per output folder,
and only files this package wrote are ever removed."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from corpus_tools._fileio import (
    MANIFEST_NAME, OutputBusyError, OutputPathError, ReportFolder, check_output_location, csv_safe, write_table,
)
from corpus_tools.cli import main
from corpus_tools.pipeline import analyze
from corpus_tools.report import write_tables

REPO = Path(__file__).resolve().parents[1]
ESSAYS = {
    "a.txt": "Digital retail is not a platform, but an infrastructure.\n\nWe moved from traffic to retention.\n",
    "b.txt": "New retail came and went. The platform era ended.\n\nRetention is the key now, not traffic.\n",
}


def _folder(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the input and the output never overlap ---------------------------------------------------


def test_input_inside_output_is_refused_and_nothing_written(tmp_path):
    project = tmp_path / "proj"
    tables = _folder(project / "tables", {**ESSAYS, "documents.csv": "doc_id\nmine\n",
                                          "topic_baseline_topics.csv": "my own\n"})
    before = _tree(project)
    with pytest.raises(OutputPathError, match="holds the input folder"):
        analyze(tables, out=project, cache_dir=tmp_path / "cache")
    assert _tree(project) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]  # not even a lock folder


def test_the_same_folder_and_output_inside_input_are_refused(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    for out in (essays, essays / "outputs", essays / "sub" / "deeper"):
        with pytest.raises(OutputPathError, match="input folder"):
            check_output_location(out, essays)


def test_a_link_in_the_input_to_the_output_is_refused(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = tmp_path / "out"
    first = analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md", "csv", "json"))
    assert len(first.corpus) == 2
    (essays / "linked").symlink_to(out, target_is_directory=True)
    before = _tree(out)
    with pytest.raises(OutputPathError, match="linked.*leads into the output folder"):
        analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md",))
    assert _tree(out) == before
    # A link to a single file of the report is caught too (through the version folder it resolves to).
    (essays / "linked").unlink()
    (essays / "report.md").symlink_to(out / "report.md")
    with pytest.raises(OutputPathError, match="report.md"):
        check_output_location(out, essays)


def test_cli_says_why_and_exits_cleanly(tmp_path):
    project = tmp_path / "proj"
    tables = _folder(project / "tables", ESSAYS)
    result = CliRunner().invoke(main, ["analyze", str(tables), "--out", str(project), "--cache-dir",
                                       str(tmp_path / "cache")])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert "holds the input folder" in result.output


# --- stale files: only the ones this package wrote ------------------------------------------


def test_only_files_in_the_manifest_are_removed_as_stale(tmp_path):
    folder = tmp_path / "tables"
    _folder(folder, {"topic_baseline_topics.csv": "the user's own\n", ".documents.csv.abc.tmp": "killed write"})
    write_tables({"documents": pd.DataFrame({"a": [1]}), "topics": pd.DataFrame({"b": [2]})}, folder, parquet=False)
    assert json.loads((folder / MANIFEST_NAME).read_text())["files"] == ["documents.csv", "topics.csv"]
    assert not (folder / ".documents.csv.abc.tmp").exists()  # a temp file of a killed write of ours
    write_tables({"documents": pd.DataFrame({"a": [1]})}, folder, parquet=False)
    assert not (folder / "topics.csv").exists()
    assert (folder / "topic_baseline_topics.csv").read_text() == "the user's own\n"


# --- the report folder: switched whole, locked, cleaned ----------------------------------------


def test_report_folder_switches_a_link_and_keeps_one_version(tmp_path):
    out = tmp_path / "out"
    for n in range(3):
        with ReportFolder(out) as folder:
            staging = folder.begin()
            (staging / "report.md").write_text(f"run {n}")
            assert not (out / "report.md").exists() or (out / "report.md").read_text() == f"run {n - 1}"
            folder.commit()
        assert out.is_symlink() and (out / "report.md").read_text() == f"run {n}"
    store = tmp_path / ".out.corpus-tools"
    assert sorted(p.name.split("-")[0] for p in store.iterdir()) == ["lock", "v"]


def test_a_failed_write_leaves_the_old_version_and_no_leftovers(tmp_path):
    out = tmp_path / "out"
    with ReportFolder(out) as folder:
        (folder.begin() / "report.md").write_text("old")
        folder.commit()
    with pytest.raises(RuntimeError):
        with ReportFolder(out) as folder:
            (folder.begin() / "report.md").write_text("half")
            raise RuntimeError("killed")
    assert (out / "report.md").read_text() == "old"
    assert len(list((tmp_path / ".out.corpus-tools").glob("v-*"))) == 1


def test_leftovers_of_killed_runs_are_removed_under_the_lock(tmp_path):
    out = tmp_path / "out"
    with ReportFolder(out) as folder:
        (folder.begin() / "report.md").write_text("old")
        folder.commit()
    store = tmp_path / ".out.corpus-tools"
    (store / "v-19990101T000000-dead").mkdir()
    (store / "v-19990101T000000-dead" / "report.md").write_text("half")
    os.symlink("v-19990101T000000-dead", store / "link-dead")
    with ReportFolder(out):
        assert not (store / "v-19990101T000000-dead").exists() and not (store / "link-dead").is_symlink()
    assert (out / "report.md").read_text() == "old"


def test_a_second_run_on_the_same_folder_stops_with_a_clear_message(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = tmp_path / "out"
    with ReportFolder(out):
        with pytest.raises(OutputBusyError, match="another corpus-tools run is writing"):
            ReportFolder(out).open()
        result = CliRunner().invoke(main, ["analyze", str(essays), "--out", str(out), "--cache-dir",
                                           str(tmp_path / "cache"), "-q"])
        assert result.exit_code != 0 and "Traceback" not in result.output
        assert "another corpus-tools run is writing" in result.output and f"pid {os.getpid()}" in result.output
    assert not out.exists()  # the stopped run wrote nothing
    ReportFolder(out).open().close()  # and the lock is free again


def test_a_folder_with_user_files_is_written_beside_them(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = _folder(tmp_path / "out", {"my_notes.txt": "mine", "report.md": "my own report"})
    (out / "tables").mkdir()
    (out / "tables" / "topics.csv").write_text("my own table")
    result = analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md", "csv", "json"))
    assert not out.is_symlink() and (out / "my_notes.txt").read_text() == "mine"
    assert (out / "tables" / "topics.csv").read_text() == "my own table"  # not one of ours: kept
    assert (out / "report.md").read_text().startswith("# Corpus report")
    assert any("did not write" in w and "left alone" in w for w in result.warnings)


def test_an_older_report_folder_of_ours_is_taken_over(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = _folder(tmp_path / "out", {"report.md": "old report", "run.json": json.dumps(
        {"tool": "corpus_tools", "files": ["report.md", "run.json", "tables/documents.csv"]})})
    _folder(out / "tables", {"documents.csv": "doc_id\nold\n", ".paragraphs.csv.x1.tmp": "killed"})
    analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md", "csv", "json"))
    assert out.is_symlink()
    assert (out / "report.md").read_text().startswith("# Corpus report")
    assert not list(out.rglob("*.tmp"))
    assert [p.name for p in (tmp_path / ".out.corpus-tools").iterdir() if p.name != "lock"][0].startswith("v-")


# --- kill -9 during the write phase ---------------------------------------------------------------


def _check_complete(out: Path) -> int:
    """``out`` holds one complete report; returns its number of essays."""
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    listed = set(run["files"])
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != MANIFEST_NAME}
    assert present == listed, (present ^ listed)
    n = run["corpus"]["documents"]
    assert len(pd.read_csv(out / "tables" / "documents.csv")) == n
    assert f"\n{n} essays · " in (out / "report.md").read_text(encoding="utf-8")
    assert f"{n} essays" in (out / "report.html").read_text(encoding="utf-8")
    return n


def test_analyze_killed_while_writing_leaves_one_complete_report(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = tmp_path / "out"
    store = tmp_path / ".out.corpus-tools"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "corpus_tools", "analyze", str(essays), "--out", str(out),
               "--cache-dir", str(tmp_path / "cache"), "-q"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    last = _check_complete(out)
    seen = {last}
    killed_while_writing = 0
    # Several kills right at the start of the write phase, where a short write phase is still
    # caught on a quiet machine; the late ones let some runs finish.
    delays = (0.0, 0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 6.0)
    for i, delay in enumerate(delays):
        (essays / f"extra{i}.txt").write_text(f"Essay {i} says retail moved from traffic to retention.\n")
        earlier = set(store.glob("v-*"))  # the current version, and the leftover of a killed run
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if set(store.glob("v-*")) - earlier:
                break  # the write phase has begun: a fresh version folder exists
            time.sleep(0.002)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait()
        n = _check_complete(out)
        killed_while_writing += n == last
        assert n in (last, len(ESSAYS) + i + 1)  # the old report or the new one, never a mix
        seen.add(n)
        last = n
    assert killed_while_writing >= 3, seen  # kills landed inside the write phase, before the switch
    assert len(seen) >= 2  # and some runs did get through: the new report replaced the old one
    subprocess.run(command, env=env, check=True, capture_output=True)
    assert _check_complete(out) == len(ESSAYS) + len(delays)
    assert sorted(p.name.split("-")[0] for p in store.iterdir()) == ["lock", "v"]  # leftovers gone


# --- CSV injection ---------------------------------------------------------------------------


def test_csv_cells_that_would_run_as_formulas_are_neutralised_parquet_exact(tmp_path):
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"http://x\",\"click\")", "plain", "-2+3", "@SUM(A1)",
                                    "\tTab", "\rCR", "+1", "a=b"],
                          "n": [-1, 2, 3, 4, 5, 6, 7, 8]})
    write_table(frame, tmp_path / "t.csv")
    raw = (tmp_path / "t.csv").read_bytes()
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False, lineterminator="\n")
    assert back["title"].tolist() == ["'=HYPERLINK(\"http://x\",\"click\")", "plain", "'-2+3", "'@SUM(A1)",
                                      "'\tTab", "'\rCR", "'+1", "a=b"]
    assert b"\n'\rCR," in raw
    assert back["n"].tolist() == frame["n"].tolist()  # numbers stay numbers
    files = write_tables({"documents": frame}, tmp_path / "tables", parquet=True)
    assert pd.read_parquet(files["tables/documents.parquet"])["title"].tolist() == frame["title"].tolist()
    assert csv_safe(frame[["n"]]) is not None and frame["title"][0].startswith("=")  # caller's frame untouched


def test_scraped_formulas_reach_the_csv_tables_neutralised(tmp_path):
    essays = _folder(tmp_path / "essays", {
        "a.txt": "=HYPERLINK(\"http://evil\",\"x\")\n\nDigital retail is not a platform, but an infrastructure.\n",
        "b.txt": ESSAYS["b.txt"]})
    (essays / "metadata.csv").write_text("file,author\na.txt,=1+2\nb.txt,@SUM(A1)\n", encoding="utf-8")
    analyze(essays, out=tmp_path / "out", cache_dir=tmp_path / "cache", formats=("csv",))
    docs = pd.read_csv(tmp_path / "out" / "tables" / "documents.csv").set_index("doc_id")
    assert docs.loc["a", "author"] == "'=1+2" and docs.loc["b", "author"] == "'@SUM(A1)"
    assert docs.loc["a", "title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    exact = pd.read_parquet(tmp_path / "out" / "tables" / "documents.parquet").set_index("doc_id")
    assert exact.loc["a", "author"] == "=1+2" and exact.loc["a", "title"].startswith("=HYPERLINK")


def test_files_others_put_into_the_shown_folder_are_never_removed(tmp_path):
    essays = _folder(tmp_path / "essays", ESSAYS)
    out = tmp_path / "out"
    analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md",))
    _folder(out / "themes", {"topics.csv": "saved by topics.save\n"})  # e.g. topics.save("out/themes")
    again = analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md",))
    assert not (out / "themes").exists()  # the new report is this run's alone ...
    (kept,) = (tmp_path / ".out.corpus-tools").glob("kept-*")  # ... and the old folder is kept whole
    assert (kept / "themes" / "topics.csv").read_text() == "saved by topics.save\n"
    assert any("did not write (themes/topics.csv)" in w and str(kept) in w for w in again.warnings)
    analyze(essays, out=out, cache_dir=tmp_path / "cache", formats=("md",))
    assert kept.is_dir()  # never cleaned up as a leftover
