# Self-contained HTML pages for the run and sweep reports: one file, images inlined, no network.
"""The building blocks report.py and sweep_report.py share: escaping, tables, inlined images."""
import base64
import html

STYLE = """
body { font-family: DejaVu Sans, Arial, sans-serif; margin: 24px auto; max-width: 1440px; color: #222;
       padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 17px; border-bottom: 1px solid #ddd; padding-bottom: 3px; margin-top: 30px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { background: #f5f5f5; padding: 1px 4px; border-radius: 3px; font-size: 12.5px; }
pre { padding: 8px; overflow-x: auto; }
.verdict { display: inline-block; padding: 4px 12px; border-radius: 4px; font-weight: bold; color: #fff; }
.pass { background: #2e7d32; } .fail { background: #c62828; } .warn { background: #ef6c00; }
.ok { color: #2e7d32; font-weight: bold; } .bad { color: #c62828; font-weight: bold; } .off { color: #888; }
figure { margin: 12px 0 24px 0; } figcaption { font-size: 13px; color: #444; max-width: 1100px; }
figure img { max-width: 100%; border: 1px solid #eee; }
.timeline { overflow-x: auto; border: 1px solid #eee; }
.note { font-size: 13px; color: #555; }
.story { max-width: 1100px; line-height: 1.45; }
"""


class Markup(str):
    """Text that is already HTML and must not be escaped again."""


def escape(value):
    return html.escape(str(value))


def cell(value):
    """A table cell: numbers right-aligned with thousands separators; markup passed as Markup."""
    if isinstance(value, Markup):
        return f"<td>{value}</td>"
    if isinstance(value, bool) or value is None:
        return f"<td>{escape('' if value is None else value)}</td>"
    if isinstance(value, int):
        return f'<td class="number">{value:,}</td>'
    if isinstance(value, float):
        return f'<td class="number">{value:,.4g}</td>'
    return f"<td>{escape(value)}</td>"


def table(rows, header=None):
    head = "<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>" if header else ""
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table>{head}{body}</table>"


def key_values(pairs):
    """A two-column table: a heading cell, then a value."""
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th>{cell(v)}</tr>" for k, v in pairs) + "</table>"


def png_image(png_bytes, alt):
    """An <img> holding the PNG itself, so the page needs no other file."""
    data = base64.b64encode(png_bytes).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def figure(png_path, caption, svg_name=None):
    link = f' (<a href="figures/{escape(svg_name)}">SVG</a>)' if svg_name else ""
    return f"<figure>{png_image(png_path.read_bytes(), caption)}<figcaption>{caption}{link}</figcaption></figure>"


def page(title, body):
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")
