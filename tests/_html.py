"""An HTML collector shared by the report tests: tags, ids, link targets and script bodies."""
from __future__ import annotations

from html.parser import HTMLParser


class HtmlCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def plotly_figures(fragment: str) -> list[dict]:
    """The ``{"data": [...], "layout": {...}}`` of every ``Plotly.newPlot`` call in an HTML
    fragment, decoded as JSON: tests read the figure, not one plotly version's escaping."""
    import json

    decoder = json.JSONDecoder()
    figures = []
    for script in (s for s in _scripts(fragment) if "Plotly.newPlot(" in s):
        rest = script.split("Plotly.newPlot(", 1)[1]
        _div_id, end = decoder.raw_decode(rest.lstrip())
        rest = rest.lstrip()[end:].lstrip().lstrip(",").lstrip()
        data, end = decoder.raw_decode(rest)
        rest = rest[end:].lstrip().lstrip(",").lstrip()
        layout, _ = decoder.raw_decode(rest)
        figures.append({"data": data, "layout": layout})
    return figures


def _scripts(fragment: str) -> list[str]:
    collector = HtmlCollector()
    collector.feed(fragment)
    return collector.scripts
