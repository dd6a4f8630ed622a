"""Pictures of the evidence, drawn on the server as SVG (no script, no network):

- ``page_map``: a page's claims down the side, study designs across; each cell
  shows how many curated studies of that design support, contradict or are
  mixed about the claim (coloured by stance), and links to them;
- ``by_year``: one claim's curated evidence by publication year, stacked by
  stance.

Each comes with the same numbers as a table (its text equivalent). The
drawings are sized for a phone (under 360 px wide) and scale up with the page;
the colours are the stance colours of web/static/litref.css (classes
``stance-<code>``). Elements are built with ElementTree, which escapes every
text and attribute.
"""

import textwrap
import xml.etree.ElementTree as ET

from markupsafe import Markup

from litref.evidence.vocabularies import designs, stances

SVG_NS = "http://www.w3.org/2000/svg"
LABEL_WIDTH = 134
LABEL_CHARS = 21  # characters of claim text per label line at 11 px
CELL = 22
ROW = 32
HEADER = 86
MAP_STANCES = stances.DECISIVE  # context links say nothing for or against
YEAR_STANCES = stances.CODES
BAR = 22
CHART_HEIGHT = 120


def columns():
    """The designs across the map: every design that can be evidence (not notices)."""
    return [design for design in designs.DESIGNS if design["rank"]]


def page_map(claims, counts, link):
    """The map (an SVG as Markup) and its table. ``claims``: dicts with id, number and
    text, in page order; ``counts``: (claim id, design) → {stance: n};
    ``link(claim id, design)``: where a cell leads."""
    cols = columns()
    width = LABEL_WIDTH + CELL * len(cols) + 26  # room for the last column's slanted name
    height = HEADER + ROW * len(claims) + 4
    svg = _svg(width, height, "evidence-map", "Evidence map: the page's claims down the side, study "
               "designs across; each cell counts the studies that support, contradict or are mixed.")
    for index, design in enumerate(cols):
        x = LABEL_WIDTH + CELL * index + CELL / 2
        label = _el(svg, "text", x=x, y=HEADER - 6, transform=f"rotate(-60 {x} {HEADER - 6})",
                    **{"class": "map-column"})
        label.text = design["short"]
    for row, claim in enumerate(claims):
        y = HEADER + ROW * row
        _claim_label(svg, claim, y)
        for index, design in enumerate(cols):
            cell = counts.get((claim["id"], design["code"]))
            x = LABEL_WIDTH + CELL * index
            _el(svg, "rect", x=x + 1, y=y + 4, width=CELL - 2, height=ROW - 8,
                **{"class": "map-empty"})
            if cell:
                _cell(svg, x, y, cell, link(claim["id"], design["code"]),
                      f"Claim {claim['number']}, {design['label']}: {_in_words(cell)}")
    return {"svg": _markup(svg), "columns": cols,
            "rows": [{**claim, "cells": [counts.get((claim["id"], d["code"]), {}) for d in cols]}
                     for claim in claims],
            "stances": [s for s in stances.STANCES if s["code"] in MAP_STANCES]}


def _claim_label(svg, claim, y):
    lines = textwrap.wrap(f"{claim['number']}. {claim['text']}", LABEL_CHARS, max_lines=2,
                          placeholder="…")
    label = _el(svg, "text", x=0, y=y + 13, **{"class": "map-claim"})
    _el(label, "title").text = claim["text"]
    for number, line in enumerate(lines):
        _el(label, "tspan", x=0, dy=0 if number == 0 else 12).text = line


def _cell(svg, x, y, cell, href, title):
    """One rectangle per stance present, side by side, each with its count."""
    present = [stance for stance in MAP_STANCES if cell.get(stance)]
    link = _el(svg, "a", href=href)
    _el(link, "title").text = title
    part = (CELL - 2) / len(present)
    for index, stance in enumerate(present):
        left = x + 1 + part * index
        _el(link, "rect", x=round(left, 1), y=y + 4, width=round(part, 1), height=ROW - 8,
            rx=3, **{"class": f"stance-{stance}"})
        number = _el(link, "text", x=round(left + part / 2, 1), y=y + ROW / 2 + 4,
                     **{"class": "map-count"})
        number.text = str(cell[stance])


def _in_words(cell):
    return ", ".join(f"{cell[s]} {s}" for s in MAP_STANCES if cell.get(s))


def by_year(rows):
    """A claim's evidence by year. ``rows``: dicts with year, stance and n."""
    years = list(range(min(r["year"] for r in rows), max(r["year"] for r in rows) + 1))
    counts = {(r["year"], r["stance"]): r["n"] for r in rows}
    tallest = max(sum(counts.get((year, s), 0) for s in YEAR_STANCES) for year in years)
    unit = CHART_HEIGHT / tallest
    width = 30 + BAR * len(years)
    svg = _svg(width, CHART_HEIGHT + 40, "evidence-by-year",
               "The claim's curated evidence by publication year, stacked by stance.")
    for index, year in enumerate(years):
        x, top = 30 + BAR * index, CHART_HEIGHT + 10
        for stance in YEAR_STANCES:
            n = counts.get((year, stance), 0)
            if n:
                top -= n * unit
                bar = _el(svg, "rect", x=x + 2, y=round(top, 1), width=BAR - 4,
                          height=round(n * unit, 1), **{"class": f"stance-{stance}"})
                _el(bar, "title").text = f"{year}: {n} {stance}"
        if index % max(1, len(years) // 6) == 0 or year == years[-1]:
            label = _el(svg, "text", x=x + BAR / 2, y=CHART_HEIGHT + 26, **{"class": "year"})
            label.text = str(year)
    axis = _el(svg, "text", x=0, y=18, **{"class": "axis"})
    axis.text = str(tallest)
    _el(svg, "line", x1=28, y1=CHART_HEIGHT + 10, x2=width, y2=CHART_HEIGHT + 10,
        **{"class": "baseline"})
    table = [{"year": year, "counts": [counts.get((year, s), 0) for s in YEAR_STANCES]}
             for year in years if any(counts.get((year, s)) for s in YEAR_STANCES)]
    return {"svg": _markup(svg), "rows": table, "stances": stances.STANCES}


def _svg(width, height, css_class, description):
    return ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {width} {height}", "width": str(width),
        "height": str(height), "class": css_class, "role": "img", "aria-label": description,
    })


def _el(parent, tag, **attributes):
    return ET.SubElement(parent, tag, {key: str(value) for key, value in attributes.items()})


def _markup(svg):
    return Markup(ET.tostring(svg, encoding="unicode"))
