"""Count what an HTML report draws: marks per chart, table rows, and anything that would reach the network."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser


class Shape(HTMLParser):
    """Collect `chart/kind` counts of the marks matplotlib drew (e.g. `bars/bar`) and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.external: list[str] = []
        self.order_rows = 0
        self._chart: str | None = None
        self._groups: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags[tag] += 1
        classes = (values.get("class") or "").split()
        mark = (values.get("id") or "").split("-")
        if tag == "g":
            self._groups.append(None)
            if len(mark) == 4 and mark[0] == "m":  # one mark: <g id="m-chart-kind-n">
                self.marks[f"{mark[1]}/{mark[2]}"] += 1
            elif len(mark) == 3 and mark[0] == "m":  # a scatter: <g id="m-chart-kinds">, a <use> or <path> per point
                self._groups[-1] = f"{mark[1]}/{mark[2].removesuffix('s')}"
        if tag == "use" or (tag == "path" and not values.get("id")):  # a point, inline or a use of a defined one
            scatter = next((g for g in reversed(self._groups) if g), None)
            if scatter:
                self.marks[scatter] += 1
        if tag == "svg" and "chart" in classes:
            self._chart = next(c for c in classes if c != "chart")
        elif self._chart and classes:
            self.marks[f"{self._chart}/{tag}.{classes[0]}"] += 1
        if tag == "tr" and values.get("data-order"):
            self.order_rows += 1
        for key in ("src", "href"):
            if values.get(key):
                self.external.append(f"{tag} {key}={values[key]}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "g":
            self._groups.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "g" and self._groups:
            self._groups.pop()
        if tag == "svg":
            self._chart = None


def shape_of(html: str) -> Shape:
    parser = Shape()
    parser.feed(html)
    parser.close()
    return parser
