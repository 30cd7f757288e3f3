"""Wordings of the frame classes on invented sentences (none from the starter corpus or the dev essays).

``tests/data/framing_probe.csv`` holds one sentence a row with the old and new side a reader would
mark; empty old and new mean that no frame may be found (look-alikes: "not only X but also Y",
literal closures, ranges, "from time to time"). ``status`` is ``miss`` for a wording the grammar does
not read yet: the test then fails strictly once it is read, so that its row is updated.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest


PROBE = Path(__file__).parent / "data" / "framing_probe.csv"


def _rows() -> list:
    with PROBE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    params = []
    for row in rows:
        marks = [pytest.mark.xfail(strict=True, reason="wording not read yet")] if row["status"] == "miss" else []
        params.append(pytest.param(row["sentence"], row["old"], row["new"], marks=marks, id=row["sentence"][:60]))
    return params


def _found(nlp, extractor, text: str) -> list[tuple[str, str, str]]:
    doc = nlp(text)
    return [(f.cue, doc[f.old[0]:f.old[1]].text if f.old else "", doc[f.new[0]:f.new[1]].text if f.new else "")
            for f in extractor.extract(doc)]


def test_probe_file_is_well_formed():
    with PROBE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and set(rows[0]) == {"sentence", "old", "new", "status"}
    assert len({r["sentence"] for r in rows}) == len(rows)
    assert all(r["status"] in {"", "miss"} for r in rows)
    assert all(r["old"] or not r["new"] for r in rows)  # a new side is always set against an old one
    assert sum(not r["old"] for r in rows) >= 15  # look-alikes stay part of the set


@pytest.mark.parametrize("text, old, new", _rows())
def test_probe_sentence(nlp, extractor, text, old, new):
    found = _found(nlp, extractor, text)
    if not old:
        assert found == [], found
    else:
        assert any(o == old and n == new for _, o, n in found), found
