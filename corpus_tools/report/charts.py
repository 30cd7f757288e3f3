"""Interactive plotly charts for the HTML report.

Figures are rendered as ``<div>`` fragments without the plotly bundle; the page inlines
the bundle once (:func:`plotly_bundle`), so the report stays one self-contained file that
opens offline. Labels from the corpus are HTML-escaped before plotly sees them: plotly
renders a small HTML subset in labels and turns entities back into plain characters.
"""
from __future__ import annotations

import html
from typing import Any

_CONFIG = {"displaylogo": False, "responsive": True}
#: Essays drawn one by one; past this, charts show consecutive groups of essays (their means), so a
#: 5,000-essay report does not carry every value once per trace (it made report.html 70 MB).
MAX_CHART_ESSAYS = 250
_FONT = dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=12)


def plotly_bundle() -> str:
    """The plotly.js source, to be inlined once per page."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _esc(value: Any, limit: int = 48) -> str:
    """Escaped and shortened: long axis labels make plotly's automatic margins oscillate."""
    s = " ".join(str(value).split())
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return html.escape(s, quote=True)


def _fragment(fig, div_id: str) -> str:
    import plotly.io as pio

    fig.update_layout(font=_FONT, template="plotly_white", margin=dict(l=10, r=10, t=40, b=10))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG,
                       default_width="100%")


#: The entries of the report context that :func:`build_charts` reads (the key of its cache).
CONTEXT_KEYS = ("documents", "concepts", "themes", "framing")


def build_charts(ctx: dict[str, Any]) -> dict[str, str]:
    """Chart fragments keyed by name: ``heatmap``, ``trajectories``, ``theme_sizes``,
    ``theme_share``, ``orientation``; a chart whose data is missing is left out."""
    import plotly.graph_objects as go

    charts: dict[str, str] = {}
    docs = ctx["documents"]
    groups = _essay_groups(len(docs))
    doc_labels = [_esc(d["label"]) for d in docs] if groups is None else \
        [f"essays {g[0] + 1}–{g[-1] + 1}" if len(g) > 1 else f"essay {g[0] + 1}" for g in groups]
    per = "essay" if groups is None else "group of essays (mean)"
    concepts = ctx.get("concepts")
    if concepts and concepts.get("concept_names") and docs:
        names = [_esc(c) for c in concepts["concept_names"]]
        fig = go.Figure(go.Heatmap(
            z=_rows(concepts["matrix"], groups), x=names, y=doc_labels,
            customdata=_rows(concepts["count_matrix"], groups, "sum"),
            colorscale="Blues", colorbar=dict(title="per 1k words"),
            hovertemplate="%{y}<br>%{x}: %{z:.2f} per 1k words (%{customdata} mentions)<extra></extra>",
        ))
        fig.update_yaxes(autorange="reversed")
        fig.update_layout(title=f"Concept mentions per 1,000 words, by {per}",
                          height=max(320, 40 * len(doc_labels) + 160) if len(doc_labels) <= 60 else 1400)
        charts["heatmap"] = _fragment(fig, "chart-heatmap")

        fig = go.Figure()
        for j, traj in enumerate(concepts["trajectories"]):
            fig.add_trace(go.Scatter(
                x=doc_labels, y=_series([s["per_1k"] for s in traj["steps"]], groups),
                name=_esc(traj["concept"]), mode="lines+markers",
                customdata=_series([s["count"] for s in traj["steps"]], groups, "sum"),
                visible=True if j < 8 else "legendonly",
                # Corpus text never goes into a template: %{...} in it would be evaluated.
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.2f} per 1k words (%{customdata} mentions)<extra></extra>",
            ))
        fig.update_layout(title="Concept trajectories along the essay order (click the legend to show more)",
                          yaxis_title="mentions per 1,000 words", height=440, hovermode="closest")
        charts["trajectories"] = _fragment(fig, "chart-trajectories")

    themes = ctx.get("themes")
    if themes and themes.get("themes"):
        rows = list(reversed(themes["themes"]))
        fig = go.Figure(go.Bar(
            x=[t["size"] for t in rows], y=[_esc(f"{t['topic']}: {t['label']}") for t in rows], orientation="h",
            marker_color=["#bbbbbb" if t["is_outlier"] else "#3b6fb6" for t in rows],
            hovertemplate="%{y}<br>%{x} units<extra></extra>",
        ))
        fig.update_layout(title="Theme sizes (units per theme; -1 = outliers)",
                          height=max(280, 34 * len(rows) + 120), yaxis=dict(automargin=True))
        charts["theme_sizes"] = _fragment(fig, "chart-theme-sizes")

        share = themes["share"]
        if docs and share["labels"]:
            fig = go.Figure()
            for k, (topic, label) in enumerate(zip(share["topics"], share["labels"])):
                fig.add_trace(go.Bar(
                    x=doc_labels, y=_series([row[k] for row in share["values"]], groups),
                    name=_esc(f"{topic}: {label}"),
                    marker_color="#bbbbbb" if topic == "-1" else None,
                    hovertemplate="%{fullData.name}<br>%{x}: %{y:.0%}<extra></extra>",
                ))
            fig.update_layout(barmode="stack", title=f"Theme share per {per}", yaxis=dict(tickformat=".0%"),
                              height=460, legend=dict(font=dict(size=10)))
            charts["theme_share"] = _fragment(fig, "chart-theme-share")

    framing = ctx.get("framing")
    if framing and framing.get("orientation") and docs:
        fragment = _orientation_chart(framing["orientation"], doc_labels, concepts, groups)
        if fragment:
            charts["orientation"] = fragment
    return charts


_SERIES_NAMES = {
    "share_old": "mentions framed as the past",
    "share_new": "framed as present or future",
    "share_negative": "evaluated as in trouble",
    "share_positive": "evaluated favourably",
}


def _essay_groups(n: int) -> "list[list[int]] | None":
    """Consecutive groups of essay positions when there are too many essays to draw one by one."""
    if n <= MAX_CHART_ESSAYS:
        return None
    import numpy as np

    return [g.tolist() for g in np.array_split(np.arange(n), MAX_CHART_ESSAYS)]


def _series(values: list, groups: "list[list[int]] | None", how: str = "mean") -> list:
    """``values`` (one per essay) as one value per group: the mean of the known ones, or the sum."""
    if groups is None:
        return list(values)
    import numpy as np

    arr = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    out = []
    for g in groups:
        part = arr[g]
        known = part[~np.isnan(part)]
        if how == "sum":
            out.append(int(known.sum()))
        else:
            out.append(round(float(known.mean()), 4) if len(known) else None)
    return out


def _rows(matrix: list[list], groups: "list[list[int]] | None", how: str = "mean") -> list[list]:
    """A per-essay matrix (rows = essays) as one row per group."""
    if groups is None:
        return matrix
    columns = list(zip(*matrix)) if matrix else []
    return [list(r) for r in zip(*(_series(list(c), groups, how) for c in columns))]


def _orientation_chart(items: list[dict], doc_labels: list[str], concepts: dict | None,
                       groups: "list[list[int]] | None" = None) -> str | None:
    """One concept at a time (a dropdown picks it): how its mentions are framed in each essay."""
    import plotly.graph_objects as go

    rank = {c: i for i, c in enumerate((concepts or {}).get("concept_names", []))}
    usable = [it for it in items
              if sum(1 for values in it["series"].values() for v in values if v == v) >= 2]
    usable.sort(key=lambda it: (rank.get(it["concept"], len(rank)), it["concept"]))
    usable = usable[:30]
    if not usable:
        return None
    by = "essay by essay" if groups is None else "by group of essays (means)"
    fig = go.Figure()
    spans = []
    for i, item in enumerate(usable):
        first = len(fig.data)
        for col, values in item["series"].items():
            fig.add_trace(go.Scatter(
                x=doc_labels, y=_series(values, groups), mode="lines+markers", connectgaps=False, visible=(i == 0),
                name=_esc(_SERIES_NAMES.get(col, col.replace("_", " "))),
                hovertemplate="%{x}: %{y:.0%}<extra></extra>",
            ))
        spans.append((first, len(fig.data)))
    n = len(fig.data)
    buttons = []
    for item, (a, b) in zip(usable, spans):
        visible = [a <= k < b for k in range(n)]
        buttons.append(dict(label=_esc(item["concept"]), method="update",
                            args=[{"visible": visible},
                                  {"title.text": f"How {_esc(item['concept'])} is framed, {by}"}]))
    fig.update_layout(
        title=f"How {_esc(usable[0]['concept'])} is framed, {by}",
        yaxis=dict(tickformat=".0%", range=[-0.05, 1.05], title="share of its mentions"), height=440,
        updatemenus=[dict(buttons=buttons, direction="down", x=1.0, xanchor="right", y=1.18, yanchor="top",
                          showactive=True)],
    )
    return _fragment(fig, "chart-orientation")
