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


def _fragment(fig, div_id: str, top: int = 40) -> str:
    import plotly.io as pio

    fig.update_layout(font=_FONT, template="plotly_white", margin=dict(l=10, r=10, t=top, b=10))
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_CONFIG,
                       default_width="100%")


#: The entries of the report context that :func:`build_charts` reads (the key of its cache).
CONTEXT_KEYS = ("documents", "concepts", "themes", "framing", "groups")


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
        # The lexicon's core concepts are drawn by default (the 8 most mentioned when it names none).
        core = set(concepts.get("core") or [])
        shown = core or {t["concept"] for t in concepts["trajectories"][:8]}
        for j, traj in enumerate(concepts["trajectories"]):
            fig.add_trace(go.Scatter(
                x=doc_labels, y=_series([s["per_1k"] for s in traj["steps"]], groups),
                name=_esc(traj["concept"]), mode="lines+markers",
                customdata=_series([s["count"] for s in traj["steps"]], groups, "sum"),
                visible=True if traj["concept"] in shown else "legendonly",
                # Corpus text never goes into a template: %{...} in it would be evaluated.
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.2f} per 1k words (%{customdata} mentions)<extra></extra>",
            ))
        which = "the lexicon's core concepts" if core else "the most mentioned concepts"
        # Essay order is not a time axis: dated essays come first by date, then undated ones by file name.
        fig.update_layout(title=f"Concept trajectories in essay order: dated essays by date, then undated ones "
                                f"({which}; click the legend for more)",
                          yaxis_title="mentions per 1,000 words", height=440, hovermode="closest")
        charts["trajectories"] = _fragment(fig, "chart-trajectories")

    themes = ctx.get("themes")
    if themes and themes.get("themes"):
        rows = list(reversed(themes["themes"]))
        fig = go.Figure(go.Bar(
            x=[t["size"] for t in rows], y=[_esc(f"{t['topic']}: {t['label']}") for t in rows], orientation="h",
            marker_color=[theme_colour(t["topic"]) for t in rows],
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
                    marker_color=theme_colour(topic),
                    hovertemplate="%{fullData.name}<br>%{x}: %{y:.0%}<extra></extra>",
                ))
            fig.update_layout(barmode="stack", title=f"Theme share per {per}", yaxis=dict(tickformat=".0%"),
                              height=460, legend=dict(font=dict(size=10)))
            charts["theme_share"] = _fragment(fig, "chart-theme-share")

    compared = ctx.get("groups")
    if compared:
        charts.update(_group_charts(compared))

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
        title=dict(text=f"How {_esc(usable[0]['concept'])} is framed, {by}", y=0.97, yanchor="top"),
        yaxis=dict(tickformat=".0%", range=[-0.05, 1.05], title="share of its mentions"), height=440,
        updatemenus=[dict(buttons=buttons, direction="down", x=0.0, xanchor="left", y=1.02, yanchor="bottom",
                          showactive=True, pad=dict(b=4))],
    )
    # The drop-down sits top left under the title, so plotly's toolbar (top right) stays clear.
    return _fragment(fig, "chart-orientation", top=80)


#: One colour per theme id, the same in every chart (outliers grey).
_THEME_PALETTE = ("#3b6fb6", "#e07b39", "#4a9a5b", "#c4454d", "#8a63b8", "#8c6d4f", "#d07cb8", "#7f7f7f",
                  "#b5b52e", "#2fb3c4")


def theme_colour(topic: Any) -> str:
    """The colour of a theme, keyed by its id so every chart agrees."""
    try:
        t = int(topic)
    except (TypeError, ValueError):
        return _THEME_PALETTE[0]
    return "#bbbbbb" if t == -1 else _THEME_PALETTE[t % len(_THEME_PALETTE)]


def _group_charts(groups: dict[str, Any]) -> dict[str, str]:
    """Concept rates per group with their 95% intervals, and theme share per group."""
    import plotly.graph_objects as go

    out: dict[str, str] = {}
    names = [_esc(g["group"]) for g in groups["groups"]]
    by = _esc(groups["by"])
    if groups.get("rates"):
        fig = go.Figure()
        for item in groups["rates"]:
            values = item["values"]
            y = [v["per_1k"] for v in values]
            trace = dict(
                x=names, y=y, name=_esc(item["concept"]), customdata=[v["count"] for v in values],
                error_y=dict(type="data", symmetric=False, array=[max(0.0, v["high"] - v["per_1k"]) for v in values],
                             arrayminus=[max(0.0, v["per_1k"] - v["low"]) for v in values], thickness=1),
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.2f} per 1k words (%{customdata} mentions)<extra></extra>",
            )
            fig.add_trace(go.Scatter(mode="lines+markers", **trace) if groups["is_period"] else go.Bar(**trace))
        fig.update_layout(title=f"Concept mentions per 1,000 words by {by} (bars: 95% interval)",
                          yaxis_title="mentions per 1,000 words", barmode="group", height=440,
                          xaxis=dict(type="category"))
        out["group_rates"] = _fragment(fig, "chart-group-rates")
    if groups.get("themes"):
        fig = go.Figure()
        for item in groups["themes"]:
            values = item["values"]
            fig.add_trace(go.Bar(
                x=names, y=[v["share"] for v in values], name=_esc(f"{item['topic']}: {item['label']}"),
                marker_color=theme_colour(item["topic"]), customdata=[[v["n"], v["of"]] for v in values],
                hovertemplate="%{fullData.name}<br>%{x}: %{y:.0%} (%{customdata[0]} of %{customdata[1]} units)<extra></extra>",
            ))
        fig.update_layout(barmode="stack", title=f"Theme share by {by}", yaxis=dict(tickformat=".0%"), height=440,
                          xaxis=dict(type="category"), legend=dict(font=dict(size=10)))
        out["group_themes"] = _fragment(fig, "chart-group-themes")
    return out
