"""DOCX in 公文 layout, from text templates.

What a document says is a Jinja template (``assistant/templates/*.docx.j2``, like the HTML and text ones); how it
looks is the base document ``assistant/templates/gongwen.docx`` (A4, GB/T 9704 margins, 仿宋/黑体/楷体 styles,
page numbers; rebuilt by ``scripts/build_docx_template.py``). The template renders to a small line markup that
this module lays out with the base document's named styles:

    # 标题                → KC Title (centred, 小标宋)
    > 副标题或说明         → KC Subtitle (centred, 楷体)
    ## 一、一级标题        → KC Heading 1 (黑体)
    ### （一）二级标题     → KC Heading 2 (楷体)
    #### 1. 三级标题       → KC Heading 3 (仿宋 bold)
    - 条目                 → KC Item (no indent: checklists, references)
    ~ 注                   → KC Note (small print)
    >> 落款                → KC Body, right-aligned (issuing body, date)
    | 列 | 列 |           → a table; consecutive rows form one table, the first row is its header
    other text              → KC Body (two-character indent)

Inline, ``**粗体**`` is bold and ``!!提醒!!`` is bold red (deadlines, warnings). A line is never parsed further:
document text with ``<``, ``#`` or ``|`` inside a line is written as it is."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from assistant.rendering import render_markup

_INLINE = re.compile(r"(\*\*.+?\*\*|!!.+?!!)")
_PREFIX = {"# ": "KC Title", "> ": "KC Subtitle", "## ": "KC Heading 1", "### ": "KC Heading 2",
           "#### ": "KC Heading 3", "- ": "KC Item", "~ ": "KC Note"}


def template_path() -> Path:
    return Path(str(resources.files("assistant").joinpath("templates", "gongwen.docx")))


def _runs(paragraph, text: str) -> None:
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("!!") and part.endswith("!!") and len(part) > 4:
            run = paragraph.add_run(part[2:-2])
            run.bold = True
            run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        else:
            paragraph.add_run(part)


def _table(doc, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = doc.add_table(rows=0, cols=width)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Column widths follow their content (a 序号 column stays narrow, a name column gets room), within the text width.
    sec = doc.sections[-1]
    avail = sec.page_width - sec.left_margin - sec.right_margin
    need = [max(min(max((len(r[j]) if j < len(r) else 0) for r in rows), 24), 4) + 1 for j in range(width)]
    widths = [int(avail * n / sum(need)) for n in need]
    for j, col in enumerate(table.columns):
        col.width = widths[j]  # the grid LibreOffice and WPS lay out by
    for i, row in enumerate(rows):
        cells = table.add_row().cells
        for j in range(width):
            cells[j].width = widths[j]
            p = cells[j].paragraphs[0]
            p.style = doc.styles["KC Table"]
            _runs(p, f"**{row[j]}**" if i == 0 and j < len(row) and row[j] else (row[j] if j < len(row) else ""))


def layout(markup: str, path: Path, title: str = "") -> Path:
    """Write ``markup`` (see the module docstring) into a copy of the base document."""
    import docx

    doc = docx.Document(str(template_path()))
    body = doc.element.body
    for el in list(body):  # the base document's own content (if any) is not part of the output
        if el.tag.endswith("}p") or el.tag.endswith("}tbl"):
            body.remove(el)
    doc.core_properties.title = title
    rows: list[list[str]] = []
    for raw in markup.splitlines() + [""]:
        line = raw.rstrip()
        if line.startswith("|") and line.endswith("|") and len(line) > 1:
            rows.append([c.strip() for c in line[1:-1].split("|")])
            continue
        if rows:
            _table(doc, rows)
            rows = []
        if not line.strip():
            continue
        if line.startswith(">> "):  # 落款: issuing body and date, right-aligned, no indent
            para = doc.add_paragraph(style="KC Body")
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            para.paragraph_format.first_line_indent = 0
            _runs(para, line[3:].strip())
            continue
        style = next((s for p, s in _PREFIX.items() if line.startswith(p)), None)
        text = line[line.index(" ") + 1:] if style else line.strip()
        _runs(doc.add_paragraph(style=style or "KC Body"), text)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def write(template: str, path: Path, title: str = "", **context: Any) -> Path:
    """Render ``templates/<template>.docx.j2`` and lay it out."""
    return layout(render_markup(template, **context), path, title=title)


__all__ = ["layout", "template_path", "write"]
