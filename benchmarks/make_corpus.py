#!/usr/bin/env python3
"""Build a larger corpus of distinct essays for benchmarks, from the sentences of a source folder.

Each essay is a new random sequence of real sentences (so no two essays share their text and a
content-hash cache cannot short-cut the work), grouped into paragraphs, with a title line, and a
date (2019 to 2024) and a site in metadata.csv, so ``compare --by year`` and ``--by site`` run at scale. The output is deterministic for the same arguments.

With ``--topical`` every paragraph draws all its sentences from one source file (chosen per
paragraph), so paragraphs have a known subject and a theme model has real structure to find;
``paragraph_sources.csv`` lists each paragraph's source file. Without it, sentences come from the
whole pool and paragraphs are random mixtures.

    python benchmarks/make_corpus.py OUT_DIR --docs 2000 [--source corpus] [--seed 0] [--words 900] [--topical]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Made-up publishers for the ``site`` column (sizes differ: picked with weights).
SITES = ("retail-weekly.example", "commerce-review.example", "shopfloor.example", "data-retail.example",
         "market-notes.example", "new-channels.example")
SITE_WEIGHTS = (30, 25, 15, 15, 10, 5)


def sentences_of(folder: Path) -> list[str]:
    """Sentences of at least five words from every .txt file in ``folder``."""
    return [s for path in sorted(folder.glob("*.txt")) for s in sentences_of_file(path)]


def sentences_of_file(path: Path) -> list[str]:
    """Sentences of at least five words in one file."""
    found = []
    text = path.read_text(encoding="utf-8", errors="replace")
    text = re.sub(r"([.!?])(?=[A-Z])", r"\1 ", text)  # "exaggeration.Once" -> two sentences
    for piece in re.split(r"(?<=[.!?])\s+|\n+", text):
        piece = piece.strip()
        if len(piece.split()) >= 5:
            found.append(piece)
    return found


def make_corpus(out: Path, docs: int, *, source: Path = REPO / "corpus", seed: int = 0, words: int = 900,
                topical: bool = False) -> int:
    """Write ``docs`` essays and a metadata.csv to ``out``; returns the number of words written."""
    pool = sentences_of(source)
    if not pool:
        raise SystemExit(f"no sentences found under {source}")
    # Per-file pools for --topical (files with fewer than 3 sentences give no subject).
    files = [(path.name, sentences_of_file(path)) for path in sorted(source.glob("*.txt"))]
    files = [(name, found) for name, found in files if len(found) >= 3]
    sources_written = []
    rng = random.Random(seed)
    site_rng = random.Random(f"{seed}-site")  # its own stream: essays and dates stay as they were
    out.mkdir(parents=True, exist_ok=True)
    start = dt.date(2019, 1, 1)
    total_words = 0
    with open(out / "metadata.csv", "w", newline="", encoding="utf-8") as meta:
        writer = csv.writer(meta)
        writer.writerow(["file", "title", "date", "site"])
        for i in range(docs):
            target = max(120, int(rng.gauss(words, words / 4)))
            paragraphs, n_words = [], 0
            while n_words < target:
                if topical:
                    origin, sentences = rng.choice(files)
                    para = [rng.choice(sentences) for _ in range(rng.randint(2, 6))]
                    sources_written.append((f"essay_{i:06d}.txt", len(paragraphs), origin))
                else:
                    para = [rng.choice(pool) for _ in range(rng.randint(2, 6))]
                n_words += sum(len(s.split()) for s in para)
                paragraphs.append(" ".join(para))
            title = rng.choice(pool).rstrip(".!?")[:90]
            name = f"essay_{i:06d}.txt"
            (out / name).write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
            date = start + dt.timedelta(days=rng.randrange(365 * 6))
            writer.writerow([name, title, date.isoformat(), site_rng.choices(SITES, SITE_WEIGHTS)[0]])
            total_words += n_words
    if topical:
        with open(out / "paragraph_sources.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "paragraph", "source"])
            writer.writerows(sources_written)
    return total_words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--source", type=Path, default=REPO / "corpus")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--words", type=int, default=900, help="mean words per essay")
    ap.add_argument("--topical", action="store_true", help="each paragraph from one source file")
    args = ap.parse_args()
    total = make_corpus(args.out, args.docs, source=args.source, seed=args.seed, words=args.words,
                        topical=args.topical)
    print(f"wrote {args.docs} essays, about {total} words, to {args.out}")


if __name__ == "__main__":
    main()
