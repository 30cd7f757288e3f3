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


# --- the Groups section and the report fixes of issue 13 -------------------------------------

#: Appended to a copy of the page (never to the report itself): checks what a reader sees once the
#: page has loaded and writes the answers into the DOM for --dump-dom.
PROBE = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var out = {};
    var nav = document.querySelector("nav").getBoundingClientRect();
    var target = document.querySelector(":target");
    out.target = target ? target.id : null;
    if (target) {
      var r = target.getBoundingClientRect();
      out.target_top = r.top; out.nav_bottom = nav.bottom; out.view_height = window.innerHeight;
    }
    var table = document.getElementById("groups-table");
    var words = function () {
      return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
        return parseFloat(row.cells[2].textContent.replace(/,/g, ""));
      });
    };
    out.words_before = words();
    table.tHead.rows[0].cells[2].click();
    out.words_ascending = words();
    table.tHead.rows[0].cells[2].click();
    out.words_descending = words();
    var input = document.querySelector("#contrasts-table").previousElementSibling.querySelector("input");
    input.value = "infrastructure";
    input.dispatchEvent(new Event("input"));
    out.filter_count = document.querySelector("#contrasts-table").previousElementSibling.textContent;
    out.visible_rows = Array.prototype.filter.call(document.querySelector("#contrasts-table").tBodies[0].rows,
      function (row) { return !row.hidden; }).length;
    out.group_charts = ["chart-group-rates", "chart-group-themes"].map(function (id) {
      var el = document.getElementById(id); return el ? el.querySelectorAll(".main-svg").length : -1;
    });
    var orientation = document.getElementById("chart-orientation");
    var box = function (el) { var r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    if (orientation && orientation.querySelector(".updatemenu-container") && orientation.querySelector(".modebar")) {
      out.menu = box(orientation.querySelector(".updatemenu-container"));
      out.modebar = box(orientation.querySelector(".modebar"));
    }
    document.body.setAttribute("data-probe", JSON.stringify(out));
  }, 500);
});
</script>
"""


def _probe(binary: str, page: Path, fragment: str, tmp_path: Path) -> dict:
    import html as html_lib
    import json

    probed = page.with_name("probed.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile-probe'}", "--enable-logging=stderr", "--v=0",
            "--window-size=1280,900", "--virtual-time-budget=8000", "--dump-dom", probed.as_uri() + fragment]
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-probe="([^"]*)"', done.stdout)
    assert found, "the probe did not run"
    return {"console": _console_lines(done.stderr), **json.loads(html_lib.unescape(found.group(1)))}


@pytest.fixture(scope="module")
def grouped_run(tmp_path_factory):
    """The starter corpus compared by month: two dated months, three undated essays left out."""
    from corpus_tools.pipeline import analyze

    from .conftest import CORPUS_DIR

    out = tmp_path_factory.mktemp("grouped") / "out"
    result = analyze(CORPUS_DIR, out=out, by="month", formats="md,html")
    return SimpleNamespace(result=result, out=out)


def test_groups_section_renders_sorts_filters_and_targets_below_the_bar(chromium, grouped_run, tmp_path):
    page = grouped_run.out / "report.html"
    source = page.read_text(encoding="utf-8")
    assert 'id="groups"' in source and "3 essays without a date left out" in re.sub(r"\s+", " ", source)
    # A quote in the contrast table links to its sentence; open the page at that sentence.
    href = re.search(r'id="contrasts-table".*?<a class="quote" href="(#s-[^"]+)"', source, re.S).group(1)
    probe = _probe(chromium, page, href, tmp_path)
    assert probe["console"] == [], probe["console"]
    assert probe["target"] == href[1:]
    # The highlighted sentence sits below the sticky navigation bar, inside the window.
    assert probe["nav_bottom"] <= probe["target_top"] < probe["view_height"], probe
    # Clicking a header sorts numerically, again reverses.
    assert probe["words_ascending"] == sorted(probe["words_before"])
    assert probe["words_descending"] == sorted(probe["words_before"], reverse=True)
    # The filter says how many rows it shows, and shows only those.
    n_rows = len(grouped_run.result.framing.contrasts)
    expected = int(grouped_run.result.framing.contrasts["sentence"].str.lower().str.contains("infrastructure").sum()
                   | 0)
    assert probe["visible_rows"] >= expected > 0
    assert f"showing {probe['visible_rows']} of {n_rows} rows" in probe["filter_count"]
    assert probe["group_charts"][0] >= 1 and probe["group_charts"][1] >= 1
    # The concept drop-down of the framing chart is clear of plotly's toolbar (they used to overlap).
    (ml, mt, mr, mb), (bl, bt, br, bb) = probe["menu"], probe["modebar"]
    assert mr > ml and mb > mt and br > bl and bb > bt, probe
    assert mr <= bl or br <= ml or mb <= bt or bb <= mt, (probe["menu"], probe["modebar"])


def test_grouped_report_renders_without_console_errors(chromium, grouped_run, tmp_path):
    rendered = _render(chromium, grouped_run.out / "report.html", tmp_path, "grouped")
    assert rendered.console == [], rendered.console
    for chart_id in ("chart-group-rates", "chart-group-themes", "chart-orientation"):
        assert chart_id in rendered.html
    assert rendered.screenshot.exists() and rendered.screenshot.stat().st_size > 20_000
