"""Reading a rendered report back: its chart sections, the marks in each, the exact numbers of
its tables and headline figures (the ``data-*`` attributes report/page.py writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Section:
    attributes: dict[str, str]
    marks: int = 0
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (row key, column) -> data-value
    rows: list[str] = field(default_factory=list)  # row keys in order

    def number(self, row: str, column: str) -> float:
        return float(self.cells[(row, column)])


@dataclass
class Page:
    sections: dict[str, Section]
    kpis: dict[str, str]  # key -> data-value
    as_of: str
    scripts: int
    external: list[str]  # attributes that point outside the page


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page({}, {}, "", 0, [])
        self._section: Section | None = None
        self._row: str | None = None
        self._in_as_of = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.page.scripts += 1
        for name in ("src", "href"):
            value = attributes.get(name, "")
            if value and not value.startswith("#"):
                self.page.external.append(f"{tag} {name}={value}")
        if tag == "link":
            self.page.external.append(f"link {attributes}")
        if "data-kpi" in attributes:
            self.page.kpis[attributes["data-kpi"]] = attributes["data-value"]
        if "data-as-of" in attributes:
            self._in_as_of = True
        if tag == "section" and "data-chart" in attributes:
            self._section = Section(attributes)
            self.page.sections[attributes["data-chart"]] = self._section
        if self._section is None:
            return
        if "mark" in attributes.get("class", "").split():
            self._section.marks += 1
        if tag == "tr" and "data-key" in attributes:
            self._row = attributes["data-key"]
            self._section.rows.append(self._row)
        if tag == "td" and self._row is not None and "data-value" in attributes:
            self._section.cells[(self._row, attributes["data-column"])] = attributes["data-value"]

    def handle_data(self, data: str) -> None:
        if self._in_as_of:
            self.page.as_of += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        elif tag == "tr":
            self._row = None
        elif tag == "strong":
            self._in_as_of = False


def read_report(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.page
