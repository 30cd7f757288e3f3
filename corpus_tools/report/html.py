"""``report.html``: one self-contained page (styles, plotly.js and essay text inline)."""
from __future__ import annotations

from typing import Any

from .context import anchor


def _env(cache_dir=None):
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # Autoescape is on for everything: corpus text only ever reaches the page escaped.
    from ._reuse import bytecode_cache

    env = Environment(loader=PackageLoader("corpus_tools.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, bytecode_cache=bytecode_cache(cache_dir))
    env.globals["anchor"] = anchor
    return env


def render_html(ctx: dict[str, Any], charts: dict[str, str] | None = None, *, plotly_js: str | None = None,
                cache_dir: Any = None) -> str:
    """Render the page. ``charts`` are fragments from :func:`~corpus_tools.report.charts.build_charts`
    (built when omitted, or reused from ``cache_dir`` when built from the same context before);
    ``plotly_js`` is the bundle inlined once in the head."""
    from .charts import build_charts, plotly_bundle

    if charts is None:
        from ._reuse import cached_charts

        charts = cached_charts(ctx, build_charts, cache_dir)
    if plotly_js is None:
        plotly_js = plotly_bundle() if charts else ""
    charts = {k: charts.get(k, "") for k in ("heatmap", "trajectories", "theme_sizes", "theme_share", "orientation",
                                       "group_rates", "group_themes")}
    return _env(cache_dir).get_template("report.html.j2").render(**ctx, charts=charts, plotly_js=plotly_js)
