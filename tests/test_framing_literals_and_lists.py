"""Look-alikes met in unseen essays of the genre, on invented sentences: times, lists, people and
prepositions read as frames, and the wordings those essays use for real frames."""
from __future__ import annotations

import pytest

from corpus_tools.framing import ContrastExtractor


@pytest.fixture(scope="module")
def extractor(nlp):
    return ContrastExtractor().fit(nlp)


def frames(nlp, extractor, text):
    doc = nlp(text)
    return [(f.cue, doc[f.old[0]:f.old[1]].text if f.old else "", doc[f.new[0]:f.new[1]].text if f.new else "")
            for f in extractor.extract(doc)]


@pytest.mark.parametrize("text", [
    "From the spring of 2021 to now, regulators have tightened the rules on group buying.",  # a time range
    "Group buying platforms kept subsidising until the end of July.",  # a month, not a framing
    "The promotion that started at the end of May is in full swing.",
])
def test_times_are_no_sides(nlp, extractor, text):
    assert frames(nlp, extractor, text) == []
