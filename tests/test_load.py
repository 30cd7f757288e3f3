"""Loading the starter corpus, and every bad-input case of the foundation issue."""
from __future__ import annotations

import codecs
import os
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools.errors import CorpusError
from corpus_tools.load import Corpus, load_corpus, split_paragraphs

from .conftest import doc_id_for_prefix

ESSAY = (
    "Digital retail is changing\n\n"
    "Digital retail is not a platform, but an infrastructure. Players must change. "
    "The era of traffic has ended and the era of retention has begun.\n"
)


# --------------------------------------------------------------------------- starter corpus

def test_starter_counts(starter_corpus):
    docs = starter_corpus.documents
    assert len(docs) == 5
    assert starter_corpus.skipped.empty
    # Ordered by date where known (001 is January 2023, 000 March 2023), then by file name.
    assert [d[:3] for d in docs["doc_id"]] == ["001", "000", "002", "003", "004"]
    assert docs["date"].notna().tolist() == [True, True, False, False, False]
    assert docs.set_index("doc_id")["n_paragraphs"].sum() == len(starter_corpus.paragraphs)
    assert docs["n_words"].between(300, 2200).all()
    assert len(starter_corpus.sentences) > 200


def test_titles_from_metadata_and_first_line(starter_corpus):
    titles = starter_corpus.documents.set_index("doc_id")["title"]
    assert titles[doc_id_for_prefix(starter_corpus, "002")] == "Digital retail: the gravedigger of new retail"
    assert pd.isna(titles[doc_id_for_prefix(starter_corpus, "003")])


def test_extra_metadata_columns_kept(starter_corpus):
    assert "notes" in starter_corpus.documents.columns


def test_repeated_paragraph_of_004_found(starter_corpus):
    doc = doc_id_for_prefix(starter_corpus, "004")
    removed = starter_corpus.removed[starter_corpus.removed["doc_id"] == doc]
    assert len(removed) == 1
    assert removed.iloc[0]["reason"].startswith("verbatim repeat of")
    paras = starter_corpus.paragraphs[starter_corpus.paragraphs["doc_id"] == doc]
    assert (paras["clean_text"].str.startswith("The impact of retail digitalization")).sum() == 1


def test_footer_of_000_removed(starter_corpus):
    doc = doc_id_for_prefix(starter_corpus, "000")
    paras = starter_corpus.paragraphs[starter_corpus.paragraphs["doc_id"] == doc]
    assert not paras["clean_text"].str.contains("Leave a Reply|marked \\*").any()
    reasons = starter_corpus.removed[starter_corpus.removed["doc_id"] == doc]["reason"]
    assert (reasons == "web boilerplate").sum() == 2


def test_exaggeration_once_split(starter_corpus):
    sents = starter_corpus.sentences
    hit = sents[sents["clean_text"].str.contains("exaggeration")]
    assert len(hit) == 1
    assert hit.iloc[0]["clean_text"].endswith("exaggeration.")
    following = sents.iloc[hit.index[0] + 1]
    assert following["clean_text"].startswith("Once, we thought")


def test_offsets_quote_the_original(starter_corpus):
    for frame in (starter_corpus.paragraphs, starter_corpus.sentences):
        for row in frame.itertuples(index=False):
            assert starter_corpus.text(row.doc_id)[row.start:row.end] == row.text


def test_ids_unique_and_joinable(starter_corpus):
    assert starter_corpus.paragraphs["para_id"].is_unique
    assert starter_corpus.sentences["sent_id"].is_unique
    assert set(starter_corpus.sentences["para_id"]) <= set(starter_corpus.paragraphs["para_id"])


def test_curly_quotes_normalised_for_analysis_only(starter_corpus):
    sents = starter_corpus.sentences
    row = sents[sents["clean_text"].str.contains('"digging deep well"')].iloc[0]
    assert "\u201cdigging deep well\u201d" in row["text"]


def test_input_folder_is_not_written(tmp_path):
    (tmp_path / "a.txt").write_text(ESSAY)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    load_corpus(tmp_path)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before


# --------------------------------------------------------------------------- bad input

def _skipped_reason(corpus: Corpus, name: str) -> str:
    rows = corpus.skipped[corpus.skipped["path"].str.endswith(name)]
    assert len(rows) == 1, corpus.skipped
    return rows.iloc[0]["reason"]


@pytest.fixture
def messy_folder(tmp_path):
    root = tmp_path / "essays"
    root.mkdir()
    (root / "good.txt").write_text(ESSAY, encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("  \n\t\n ")
    (root / "doc.pdf.txt").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\nbinary")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / "nul.txt").write_bytes(b"abc\x00def\x00ghi")
    (root / "bom8.txt").write_bytes(codecs.BOM_UTF8 + "Caf\u00e9 culture is retail culture.".encode("utf-8"))
    (root / "bom16.txt").write_bytes(codecs.BOM_UTF16_LE + "Traffic is not reserve.".encode("utf-16-le"))
    (root / "cp1252.txt").write_bytes(
        "The \u201cplatform\u201d era \u2013 na\u00efve, caf\u00e9-style retail \u2013 is over.".encode("cp1252"))
    (root / "gb.txt").write_bytes(("数字零售不是平台，而是基础设施。流量时代已经结束，存量时代已经到来。" * 3).encode("gb18030"))
    (root / "bad_utf8.txt").write_bytes("Digital retail \u2014 it is in the deep water of the market. ".encode("utf-8") * 20 + b"\xff tail.")
    nested = root / "2023" / "march"
    nested.mkdir(parents=True)
    (nested / "nested.md").write_text("# Deep water\n\nDigital retail is entering the deep water zone.\n")
    (root / "notes.docx").write_bytes(b"PK\x03\x04rest")
    os.symlink(root, root / "2023" / "loop")
    os.symlink(root / "missing.txt", root / "dangling.txt")
    return root


def test_bad_inputs_skipped_or_read(messy_folder):
    corpus = load_corpus(messy_folder)
    loaded = set(corpus.documents["doc_id"])
    assert {"good", "bom8", "bom16", "cp1252", "gb", "bad_utf8", "2023__march__nested"} <= loaded
    assert "empty" in _skipped_reason(corpus, "empty.txt")
    assert "whitespace" in _skipped_reason(corpus, "blank.txt")
    assert "PDF" in _skipped_reason(corpus, "doc.pdf.txt")
    assert "PNG" in _skipped_reason(corpus, "image.txt")
    assert "NUL" in _skipped_reason(corpus, "nul.txt")
    assert "not a text file" in _skipped_reason(corpus, "notes.docx")
    assert "link" in _skipped_reason(corpus, "dangling.txt")
    assert corpus.skipped["reason"].str.contains("symlink loop").any()


def test_encodings_decoded(messy_folder):
    corpus = load_corpus(messy_folder)
    text = {d: corpus.text(d) for d in corpus.doc_ids}
    assert text["bom8"].startswith("Caf\u00e9")
    assert text["bom16"] == "Traffic is not reserve."
    assert "\u201cplatform\u201d" in text["cp1252"] and "na\u00efve" in text["cp1252"]
    assert text["gb"].startswith("数字零售不是平台")
    assert "\ufffd" in text["bad_utf8"] and "\u2014" in text["bad_utf8"]
    warned = corpus.warnings.groupby("path")["message"].apply(" | ".join)
    by_name = {os.path.basename(p): m for p, m in warned.items() if p}
    assert "detected encoding" in by_name["cp1252.txt"]
    assert "invalid UTF-8" in by_name["bad_utf8.txt"]


def test_non_english_flagged(messy_folder):
    corpus = load_corpus(messy_folder)
    flags = corpus.documents.set_index("doc_id")["language_flag"]
    assert flags["gb"] != ""
    assert flags["good"] == ""


def test_unreadable_file_skipped(tmp_path, monkeypatch):
    (tmp_path / "good.txt").write_text(ESSAY)
    locked = tmp_path / "locked.txt"
    locked.write_text(ESSAY + " different")
    from pathlib import Path

    real_read = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["good"]
    assert _skipped_reason(corpus, "locked.txt") == "permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path):
    (tmp_path / "good.txt").write_text(ESSAY)
    locked = tmp_path / "locked.txt"
    locked.write_text(ESSAY)
    locked.chmod(0)
    corpus = load_corpus(tmp_path)
    assert _skipped_reason(corpus, "locked.txt") == "permission denied"


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing", "no such folder"),
    (lambda p: (p / "file.txt").write_text(ESSAY) and p / "file.txt", "is a file"),
    (lambda p: p, "no readable .txt or .md files"),
])
def test_unusable_paths_raise_clear_errors(tmp_path, make, message):
    target = make(tmp_path)
    if message == "no readable .txt or .md files":
        (tmp_path / "picture.png").write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError, match=message):
        load_corpus(target)


def test_metadata_sidecar_and_front_matter(tmp_path):
    (tmp_path / "b.txt").write_text(ESSAY)
    (tmp_path / "a.md").write_text("---\ntitle: Front matter title\ndate: 2022-05-01\n---\n\nTraffic is over. Reserve is next.\n")
    (tmp_path / "metadata.csv").write_text("file,title,date,url,author,outlet\nb.txt,Sidecar title,2021-01-02,http://x,Ann,Daily\n")
    corpus = load_corpus(tmp_path)
    docs = corpus.documents.set_index("doc_id")
    assert corpus.doc_ids == ["b", "a"]
    assert docs.loc["b", "title"] == "Sidecar title"
    assert docs.loc["b", "source"] == "http://x"
    assert docs.loc["b", "author"] == "Ann"
    assert docs.loc["b", "outlet"] == "Daily"
    assert docs.loc["a", "title"] == "Front matter title"
    assert not corpus.paragraphs["clean_text"].str.contains("title:").any()


def test_duplicate_document_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(ESSAY)
    (tmp_path / "copy.txt").write_text(ESSAY)
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["a"]
    assert "same text" in _skipped_reason(corpus, "copy.txt")


def test_hard_wrapped_lines_join_into_one_paragraph():
    text = "A heading\n\nThis sentence is wrapped\nacross two lines. It ends here.\nA new paragraph.\n"
    spans = [text[s:e] for s, e in split_paragraphs(text)]
    assert spans == ["A heading", "This sentence is wrapped\nacross two lines. It ends here.", "A new paragraph."]


def test_from_texts_builds_a_corpus():
    corpus = Corpus.from_texts({"x": ESSAY})
    assert corpus.doc_ids == ["x"]
    assert corpus.documents.loc[0, "title"] == "Digital retail is changing"
    assert len(corpus.sentences) == 4


# --- hostile and odd input: never a traceback, never the wrong metadata ------------------------


def _warnings(corpus: Corpus) -> str:
    return "\n".join(corpus.warnings["message"])


def _essays(tmp_path, n: int = 3):
    for i in range(n):
        (tmp_path / f"e{i}.txt").write_text(f"{ESSAY} Essay number {i}.", encoding="utf-8")
    return tmp_path


def test_metadata_with_a_blank_first_line(tmp_path):
    _essays(tmp_path)
    (tmp_path / "metadata.csv").write_text("\nfile,title\ne1.txt,One\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents.set_index("doc_id").loc["e1", "title"] == "One"


def test_metadata_cell_over_128_kib(tmp_path):
    _essays(tmp_path)
    big = "x" * (200 * 1024)
    (tmp_path / "metadata.csv").write_text(f"file,title,notes\ne1.txt,One,{big}\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents.set_index("doc_id").loc["e1", "notes"] == big


def test_metadata_without_a_file_column_names_its_columns(tmp_path):
    _essays(tmp_path)
    (tmp_path / "metadata.csv").write_text("\n\nname,title,,extra\ne1.txt,One,x,y,z\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert "no 'file' column (columns: 'name', 'title', 'extra')" in _warnings(corpus)


def test_metadata_unclosed_quote_never_moves_metadata_to_another_file(tmp_path):
    _essays(tmp_path)
    (tmp_path / "metadata.csv").write_text(
        'file,title\ne0.txt,Zero\ne1.txt,"One, unclosed\ne2.txt,Two\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    titles = corpus.documents.set_index("doc_id")["title"]
    assert titles["e0"] == "Zero"
    assert titles["e1"] != "One, unclosed" and "e2.txt" not in str(titles["e1"])
    assert titles["e2"] != "Two" or "e2.txt" not in str(titles["e1"])
    assert "unclosed quote" in _warnings(corpus)
    # A quote closed much later swallows the records between: that row is refused, not applied.
    (tmp_path / "metadata.csv").write_text(
        'file,title\ne0.txt,"Zero\ne1.txt,One\ne2.txt,Two"\n', encoding="utf-8")
    corpus = load_corpus(tmp_path)
    titles = corpus.documents.set_index("doc_id")["title"]
    assert not any("e1.txt" in str(t) for t in titles)
    assert "spans several lines" in _warnings(corpus)


def test_metadata_duplicate_rows_and_columns_warn_and_never_guess(tmp_path):
    _essays(tmp_path)
    (tmp_path / "metadata.csv").write_text(
        "file,title,Title,author\n"
        "e0.txt,Zero,Other zero,Ann\n"
        "e1.txt,One,,Bob\n"
        "e1.txt,One again,,Cy\n"
        "e2.txt,Two,,Di\n"
        "e2.txt,Two,,Di\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    docs = corpus.documents.set_index("doc_id")
    assert docs.loc["e0", "title"] == "Zero"  # the first of two 'title' columns
    assert pd.isna(docs.loc["e1", "author"]) and docs.loc["e1", "title"] != "One again"
    assert docs.loc["e2", "author"] == "Di"  # an exact repeat is harmless
    text = _warnings(corpus)
    assert "column 'Title' appears more than once" in text
    assert "'e1.txt' is listed more than once with different values; its metadata is ignored" in text
    assert "'e2.txt' is listed again with the same values" in text


def test_unreadable_subfolder_is_reported_in_skipped(tmp_path, monkeypatch):
    _essays(tmp_path, 1)
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden_essay.txt").write_text(ESSAY + " in a locked folder.")
    real_scandir = os.scandir

    def scandir(path="."):
        if os.fspath(path) == os.fspath(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)  # root reads any folder, whatever its mode
    corpus = load_corpus(tmp_path)
    assert corpus.doc_ids == ["e0"]
    assert _skipped_reason(corpus, "locked").startswith("folder cannot be read (permission denied)")


def test_utf16_without_a_byte_order_mark_is_read(tmp_path):
    text = "Digital retail is not a platform, but an infrastructure. Café culture."
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16-le"))
    (tmp_path / "be.txt").write_bytes(("Big endian: " + text).encode("utf-16-be"))
    corpus = load_corpus(tmp_path)
    assert corpus.text("le") == text and corpus.text("be") == "Big endian: " + text
    docs = corpus.documents.set_index("doc_id")
    assert docs.loc["le", "encoding"] == "utf-16-le" and docs.loc["be", "encoding"] == "utf-16-be"
    assert "no byte-order mark; decoded as UTF-16-LE (detected)" in _warnings(corpus)


def test_invalid_utf8_handling_matches_the_readme(tmp_path):
    # Otherwise-UTF-8 text with a damaged byte: replaced with U+FFFD, with a warning.
    (tmp_path / "utf8.txt").write_bytes("Café culture is retail culture, naïve or not. ".encode() * 20 + b"bad \xff byte")
    # Plain ASCII with a lone high byte is a legacy file: decoded as cp1252, with a warning.
    (tmp_path / "legacy.txt").write_bytes(b"Caf\xe9 culture is retail culture.")
    corpus = load_corpus(tmp_path)
    assert "\ufffd" in corpus.text("utf8") and corpus.text("legacy") == "Café culture is retail culture."
    text = _warnings(corpus)
    assert "undecodable byte sequence(s) replaced with U+FFFD" in text and "decoded as detected encoding cp1252" in text
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "replaced with U+FFFD" in readme and "cp1252" in readme


def test_a_paragraph_without_sentence_ends_is_split_at_spaces(tmp_path):
    from corpus_tools.load import MAX_SENTENCE_CHARS

    words = " ".join(f"word{i % 97}" for i in range(300_000))  # about 2 MB, no punctuation
    (tmp_path / "huge.txt").write_text("A title\n\n" + words + "\n", encoding="utf-8")
    _essays(tmp_path, 1)
    corpus = load_corpus(tmp_path)
    huge = corpus.sentences[corpus.sentences["doc_id"] == "huge"]
    assert huge["text"].str.len().max() <= MAX_SENTENCE_CHARS < 1_000_000  # spaCy's limit (E088)
    text = corpus.text("huge")
    assert all(text[s:e] == t for s, e, t in zip(huge["start"], huge["end"], huge["text"]))
    assert " ".join(huge["text"].iloc[1:]) == words  # nothing lost, cut only at spaces
    assert "is analysed in pieces of at most" in _warnings(corpus)
    assert "e0" in corpus.doc_ids


def test_files_above_the_size_limit_are_skipped_with_their_size(tmp_path, monkeypatch):
    _essays(tmp_path, 1)
    (tmp_path / "dump.txt").write_text("Retail commentary without end. " * 200, encoding="utf-8")  # 6,200 bytes
    corpus = load_corpus(tmp_path, max_file_mb=0.005)
    assert corpus.doc_ids == ["e0"]
    reason = _skipped_reason(corpus, "dump.txt")
    assert reason.startswith("file is 0.0 MB, above the 0.005 MB limit per file") and "--max-file-mb" in reason
    assert "dump" in load_corpus(tmp_path, max_file_mb=0).doc_ids  # 0: no limit
    monkeypatch.setenv("CORPUS_TOOLS_MAX_FILE_MB", "0.005")
    assert load_corpus(tmp_path).doc_ids == ["e0"]
    monkeypatch.setenv("CORPUS_TOOLS_MAX_FILE_MB", "lots")
    with pytest.raises(CorpusError, match="not a number of megabytes"):
        load_corpus(tmp_path)


def test_cli_size_limit_and_progress_callable(tmp_path):
    from click.testing import CliRunner

    from corpus_tools.cli import main

    _essays(tmp_path, 1)
    (tmp_path / "dump.txt").write_text("Retail commentary without end. " * 200, encoding="utf-8")
    result = CliRunner().invoke(main, ["corpus", str(tmp_path), "--max-file-mb", "0.005"])
    assert result.exit_code == 0, result.output
    assert "dump.txt: file is 0.0 MB, above the 0.005 MB limit per file" in result.output
    seen = []
    load_corpus(tmp_path, progress=lambda files, desc=None, total=None: seen.append((desc, total)) or files)
    assert seen == [("loading", 2)]


def test_sentence_boundaries_are_reused_without_splitting_again(corpus_dir, tmp_path, monkeypatch):
    import corpus_tools.load as load_module

    first = load_module.load_corpus(corpus_dir, cache_dir=tmp_path)
    assert list((tmp_path / "sentences").rglob("*.json"))

    def no_split(texts):
        raise AssertionError("sentences were split again although cached")

    monkeypatch.setattr(load_module, "_sentence_spans_batch", no_split)
    again = load_module.load_corpus(corpus_dir, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first.sentences, again.sentences)
    with pytest.raises(AssertionError, match="split again"):  # a new cache dir really splits
        load_module.load_corpus(corpus_dir, cache_dir=tmp_path / "other")


DENSE_NEWS = ("Instant retail orders rose 31% year on year to 2.4 billion in Q3 2024, with average basket "
              "value 68 yuan. Active riders reached 7.45 million, merchants 1.9 million. Night orders "
              "made up 38% of the total; pharmacy orders grew 56%, fresh food 24%, beverages 19%, "
              "electronics 47%. Average delivery time fell to 28 minutes across 2,800 counties, while "
              "subsidy spending reached 4.1 billion yuan and the operating margin stood at 2.7%.")
FRENCH = ("Le commerce de détail numérique n'est pas une plateforme, mais une infrastructure. Les marques doivent "
          "abandonner la logique du trafic et construire des relations durables avec leurs clients. Pendant "
          "longtemps, les magasins physiques ont été considérés comme dépassés, mais aujourd'hui ils deviennent "
          "des centres d'expérience où les consommateurs découvrent les produits.")


def test_number_dense_english_is_not_flagged_but_french_is():
    from corpus_tools.load import _language_flag

    assert _language_flag(DENSE_NEWS) == ""
    assert _language_flag(FRENCH) == "few English function words; probably not English"
