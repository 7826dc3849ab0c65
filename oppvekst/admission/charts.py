"""A server-rendered bar chart of wishes against places (inline SVG, no script, CSP-clean)."""

from __future__ import annotations

from typing import Any

WIDTH = 640
ROW = 34
LABEL = 200
PAD = 44


def wishes_vs_places(units: list[dict[str, Any]], *, limit: int = 15) -> dict[str, Any]:
    """Geometry for the most wanted units: first wishes and all wishes against seats.

    `units` are the preview's unit rows (already sorted by first wishes, most first)."""
    rows = units[:limit]
    top = max([max(u["first_wishes"], u["wishes"], u["seats_total"]) for u in rows] or [1]) or 1
    span = WIDTH - LABEL - PAD
    out = []
    for i, u in enumerate(rows):
        y = i * ROW + 4
        bars = []
        for j, (kind, value) in enumerate(
            (("first", u["first_wishes"]), ("wishes", u["wishes"]), ("seats", u["seats_total"]))
        ):
            width = round(span * value / top, 1)
            bars.append(
                {
                    "kind": kind,
                    "x": LABEL,
                    "y": y + j * 9,
                    "width": max(width, 0.5),
                    "value": value,
                    "text_x": LABEL + width + 4,
                    "text_y": y + j * 9 + 8,
                }
            )
        out.append({"label": u["name"][:30], "label_y": y + 15, "bars": bars})
    return {"width": WIDTH, "height": max(ROW, len(rows) * ROW + 8), "rows": out}
