"""report.html in a real browser: headless Chromium renders the charts, logs nothing to the
console, and runs none of the scripts hidden in corpus text. A screenshot lands in tmp_path.

Skipped, with the reason, when no Chromium is installed (``.ci/run`` installs Debian's).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from ._html import HtmlCollector

from .test_pipeline import starter_analysis_run

pytestmark = pytest.mark.browser

CHART_IDS = ("chart-heatmap", "chart-trajectories", "chart-theme-sizes", "chart-theme-share")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Payloads that would announce themselves on the console if the page ever ran them.
CANARY = "XSS-CANARY-RAN"
PAYLOADS = (
    "<script>alert(1)</script>",
    f"<script>console.error('{CANARY}')</script>",
    f"\"><img src=x onerror=\"console.error('{CANARY}')\">",
    f"' onmouseover='console.error(\"{CANARY}\")' x='",
    f"</textarea></title><svg onload=console.error('{CANARY}')>",
)


def _chromium() -> str | None:
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="module")
def chromium() -> str:
    path = _chromium()
    if path is None:
        pytest.skip("no Chromium found (tried chromium, chromium-browser, google-chrome); install it with "
                    "'apt-get install chromium' (Debian/Ubuntu; .ci/run does this) and run the tests again")
    return path


def _run_chromium(binary: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={profile}",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000", *extra, page.as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=180)


def _console_lines(stderr: str) -> list[str]:
    # Chromium logs every console message (log, warning, error, uncaught exception) as CONSOLE.
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _render(binary: str, page: Path, tmp_path: Path, name: str) -> SimpleNamespace:
    dump = _run_chromium(binary, page, tmp_path / f"profile-{name}", "--dump-dom")
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = HtmlCollector()
    dom.feed(dump.stdout)
    shot = tmp_path / f"{name}.png"
    snap = _run_chromium(binary, page, tmp_path / f"profile-{name}-shot", "--window-size=1280,2000",
                         f"--screenshot={shot}")
    assert snap.returncode == 0, snap.stderr[-2000:]
    return SimpleNamespace(dom=dom, html=dump.stdout, console=_console_lines(dump.stderr) + _console_lines(snap.stderr),
                           screenshot=shot)


def _chart_html(html: str, chart_id: str) -> str:
    """The DOM between the chart's div and the next chart (or the end of the page)."""
    start = html.find(f'id="{chart_id}"')
    assert start >= 0, f"{chart_id} missing from the page"
    following = [html.find(f'id="{other}"', start + 1) for other in (*CHART_IDS, "chart-orientation", "essays")]
    end = min([f for f in following if f > start] + [len(html)])
    return html[start:end]


def _chart_count(html: str, chart_id: str) -> int:
    """main-svg elements plotly drew inside the chart's div."""
    return _chart_html(html, chart_id).count("main-svg")


def test_starter_report_renders_without_console_errors(chromium, tmp_path_factory, tmp_path):
    run = starter_analysis_run(tmp_path_factory)
    page = run.out / "report.html"
    rendered = _render(chromium, page, tmp_path, "report")
    assert rendered.console == [], rendered.console
    for chart_id in CHART_IDS:
        assert _chart_count(rendered.html, chart_id) >= 1, f"plotly did not draw {chart_id}"
    assert "chart-orientation" in rendered.html
    # The heatmap layer holds the rendered cells, the bar charts their bars.
    assert "heatmaplayer" in _chart_html(rendered.html, "chart-heatmap")
    assert 'class="point"' in _chart_html(rendered.html, "chart-theme-share")
    shot = rendered.screenshot
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_xss_fixture_does_not_run_in_browser(chromium, tmp_path):
    from corpus_tools.report import write_reports

    from .test_report import _corpus, _fake_result

    texts = {
        "essay": "Title line\n\n" + " ".join(f"Payload {i}: {p} and traffic." for i, p in enumerate(PAYLOADS)),
        f"doc<script>console.error('{CANARY}')</script>": f"Another essay. {PAYLOADS[2]} Platform talk.",
    }
    result = _fake_result(_corpus(texts))
    out = tmp_path / "out"
    write_reports(result, out, ("html",))
    page = out / "report.html"
    rendered = _render(chromium, page, tmp_path, "xss")
    assert [line for line in rendered.console if CANARY in line] == []
    assert rendered.console == [], rendered.console
    # No element came out of corpus text: no img/svg/iframe, no event-handler attribute.
    assert not [t for t, _ in rendered.dom.tags if t in ("img", "iframe", "object", "embed", "textarea")]
    assert not [(t, k) for t, attrs in rendered.dom.tags for k in attrs if k.lower().startswith("on")]
    # Besides the plotly bundle, scripts are chart calls whose data cannot close the tag.
    from corpus_tools.report.charts import plotly_bundle

    bundle = plotly_bundle().strip()
    chart_scripts = [b for b in rendered.dom.scripts if b.strip() != bundle]
    assert len(chart_scripts) == len(rendered.dom.scripts) - 1
    for body in chart_scripts:
        assert "<script" not in body.lower() and "</" not in body and "<img" not in body
    # The payloads are on the page as text.
    assert "<script>alert(1)</script>" in re.sub(r"\s+", " ", _visible_text(rendered.html))
    for chart_id in ("chart-heatmap", "chart-theme-sizes"):
        assert _chart_count(rendered.html, chart_id) >= 1
    assert rendered.screenshot.exists()


def _visible_text(html: str) -> str:
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            if tag in ("script", "style"):
                self.skip += 1

        def handle_endtag(self, tag):
            if tag in ("script", "style"):
                self.skip -= 1

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)
