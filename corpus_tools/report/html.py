"""``report.html``: one self-contained page (styles, plotly.js and essay text inline)."""
from __future__ import annotations

from typing import Any

from .context import anchor


def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # Autoescape is on for everything: corpus text only ever reaches the page escaped.
    from ._templates import bytecode_cache

    env = Environment(loader=PackageLoader("corpus_tools.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, bytecode_cache=bytecode_cache())
    env.globals["anchor"] = anchor
    return env


def render_html(ctx: dict[str, Any], charts: dict[str, str] | None = None, *, plotly_js: str | None = None) -> str:
    """Render the page. ``charts`` are fragments from :func:`~corpus_tools.report.charts.build_charts`
    (built when omitted); ``plotly_js`` is the bundle inlined once in the head."""
    from .charts import build_charts, plotly_bundle

    if charts is None:
        charts = build_charts(ctx)
    if plotly_js is None:
        plotly_js = plotly_bundle() if charts else ""
    charts = {k: charts.get(k, "") for k in ("heatmap", "trajectories", "theme_sizes", "theme_share", "orientation")}
    return _env().get_template("report.html.j2").render(**ctx, charts=charts, plotly_js=plotly_js)
