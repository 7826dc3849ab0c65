"""Timetable grids as PDF (reportlab): one landscape A4 page per class, teacher or room."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from oppvekst.timetable.selectors import Grid

# The same palette as oppvekst/static/timetable/timetable.css (light backgrounds, dark text).
PALETTE = {
    "blue": "#cfe2ff",
    "red": "#f8d7da",
    "indigo": "#dcd6f7",
    "green": "#d1e7dd",
    "orange": "#ffe5d0",
    "purple": "#e9d8fd",
    "pink": "#fcdfee",
    "yellow": "#fff3cd",
    "brown": "#eadbc8",
    "teal": "#c9f0ea",
    "lime": "#e6f5c9",
    "grey": "#e2e3e5",
    "cyan": "#cff4fc",
    "olive": "#e5e8c7",
}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def grids_pdf(title: str, grids: Sequence[Grid]) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
        author="Oppvekst",
    )
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=9.5)
    head = ParagraphStyle("head", parent=styles["BodyText"], fontSize=9, leading=11)
    story: list[object] = []
    for n, grid in enumerate(grids):
        if n:
            story.append(PageBreak())
        story.append(Paragraph(_escape(f"{title} – {grid.title}"), styles["Heading2"]))
        story.append(Spacer(1, 3 * mm))
        data: list[list[object]] = [[Paragraph(_("Tid"), head)]]
        data[0] += [Paragraph(f"<b>{_escape(d)}</b>", head) for d in grid.days]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8a8f98")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f5f8")),
        ]
        for r, row in enumerate(grid.rows, start=1):
            p = row.period
            line: list[object] = [
                Paragraph(f"<b>{_escape(p.label)}</b><br/>{p.starts:%H:%M}–{p.ends:%H:%M}", cell)
            ]
            if p.is_break:
                style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#eeeeee")))
            for c, entries in enumerate(row.cells, start=1):
                parts = []
                for e in entries:
                    extra = " · ".join(x for x in [e.group, ", ".join(e.teachers), e.room] if x)
                    mark = " (forts.)" if e.continued else ""
                    parts.append(f"<b>{_escape(e.subject_code)}</b>{mark} {_escape(extra)}")
                line.append(Paragraph("<br/>".join(parts), cell))
                if len(entries) == 1:
                    colour = PALETTE.get(entries[0].colour)
                    if colour:
                        style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(colour)))
            data.append(line)
        width = doc.width
        table = Table(
            data,
            colWidths=[22 * mm] + [(width - 22 * mm) / max(1, len(grid.days))] * len(grid.days),
            repeatRows=1,
        )
        table.setStyle(TableStyle(style))
        story.append(table)
        if grid.subjects:
            story.append(Spacer(1, 3 * mm))
            legend = ", ".join(f"{code} = {name}" for code, name, _c in grid.subjects)
            story.append(Paragraph(_escape(legend), cell))
    if not grids:
        story.append(Paragraph(_escape(title), styles["Heading2"]))
    doc.build(story)
    return buffer.getvalue()
