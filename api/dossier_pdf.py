"""The dossier's printable report as a PDF: the same page as ``api.dossier_report`` (its headings, paragraphs and
tables, in order), laid out on A4 by reportlab.

Why reportlab: it is pure Python (no system libraries, unlike WeasyPrint's Pango and Cairo), well kept, and ships the
Adobe-GB1 CID font ``STSong-Light``: the Chinese text is set in a font every PDF reader provides, so no font file
has to be installed on these machines. The JSON dossier stays what ``zeren dossier verify`` checks; the PDF, like the
HTML page, is for reading and printing.
"""

from __future__ import annotations

from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from api.dossier_report import render

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
STYLES = {
    "h1": ParagraphStyle("h1", fontName=FONT, fontSize=18, leading=24, alignment=1, spaceAfter=8),
    "h2": ParagraphStyle("h2", fontName=FONT, fontSize=13, leading=18, spaceBefore=10, spaceAfter=4),
    "h3": ParagraphStyle("h3", fontName=FONT, fontSize=10.5, leading=15, spaceBefore=6, spaceAfter=2),
    "p": ParagraphStyle("p", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK"),
}
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=10, wordWrap="CJK")
BLOCKS = ("h1", "h2", "h3", "p")


class _Flow(HTMLParser):
    """The report's HTML (our own, escaped: headings, paragraphs and tables) as reportlab flowables."""

    def __init__(self) -> None:
        super().__init__()
        self.flow: list[Flowable] = []
        self.text: list[str] = []
        self.block: str | None = None
        self.skipping = 0
        self.rows: list[list[Any]] | None = None
        self.row: list[Any] | None = None
        self.header = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title"):
            self.skipping += 1
        elif tag in BLOCKS and self.rows is None:
            self.block, self.text = tag, []
        elif tag == "table":
            self.rows = []
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.text, self.header = [], tag == "th"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self.skipping -= 1
        elif tag in BLOCKS and self.block == tag:
            self.flow.append(Paragraph(escape("".join(self.text)), STYLES[tag]))
            self.block = None
        elif tag in ("td", "th") and self.row is not None:
            self.row.append(Paragraph(escape("".join(self.text)), CELL))
        elif tag == "tr" and self.rows is not None and self.row is not None:
            self.rows.append(self.row)
            self.row = None
        elif tag == "table" and self.rows:
            columns = max(len(r) for r in self.rows)
            table = Table(self.rows, colWidths=[WIDTH / columns] * columns, repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            self.flow += [table, Spacer(1, 4)]
            self.rows = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.text.append(data)


def render_pdf(dossier: dict[str, Any]) -> bytes:
    """The dossier's printable report as PDF bytes (A4)."""
    parser = _Flow()
    parser.feed(render(dossier))
    parser.close()
    out = BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=18 * mm,
                                 bottomMargin=18 * mm, title="一案四查卷宗")
    document.build(parser.flow)
    return out.getvalue()
