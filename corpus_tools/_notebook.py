"""Short summaries of results for a notebook: ``repr`` in one line, ``_repr_html_`` in a few."""
from __future__ import annotations

import html
from typing import Any, Iterable


def html_summary(title: str, facts: Iterable[tuple[str, Any]], tables: Iterable[tuple[str, Any]] = (),
                 rows: int = 5) -> str:
    """A title, a list of facts and the first ``rows`` rows of a few tables; everything escaped
    (pandas escapes table cells)."""
    parts = [f"<div><strong>{html.escape(title)}</strong><ul>"]
    parts += [f"<li>{html.escape(str(name))}: {html.escape(str(value))}</li>" for name, value in facts]
    parts.append("</ul>")
    for name, frame in tables:
        if frame is None or not len(frame):
            continue
        parts.append(f"<p><code>{html.escape(name)}</code> ({len(frame):,} rows), first {min(rows, len(frame))}:</p>")
        parts.append(frame.head(rows).to_html(index=False, max_cols=8, escape=True))
    parts.append("</div>")
    return "".join(parts)
