"""Results in a notebook: a one-line ``repr`` and a short ``_repr_html_`` for every stage result."""
from __future__ import annotations

import corpus_tools as ct

from .test_pipeline import starter_analysis_run


def test_results_have_short_reprs_and_html_summaries(tmp_path_factory):
    result = starter_analysis_run(tmp_path_factory).result
    cmp = ct.compare(result, by="month")
    for obj in (result, result.concepts, result.framing, result.topics, cmp):
        text = repr(obj)
        assert "\n" not in text and len(text) < 200, text
        page = obj._repr_html_()
        assert page.startswith("<") and len(page) < 20_000
    assert "516 mentions" in repr(result.concepts)
    assert f"{len(result.framing.contrasts)} contrast frames" in repr(result.framing)
    assert "<table" in result.concepts._repr_html_() and "<table" in result.framing._repr_html_()
    assert "3 essays" not in repr(cmp) and "2 groups" in repr(cmp) and "3 left out" in repr(cmp)
