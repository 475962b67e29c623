"""Build ``assistant/templates/gongwen.docx``: the base document of every DOCX the assistant writes (support
checklists, staff reports). It carries the page setup and the named styles of a 党政机关公文 (GB/T 9704-2012):
A4, margins 37/35/28/26 mm, title in 小标宋 二号, body in 仿宋_GB2312 三号 with a two-character indent,
一级标题 黑体, 二级标题 楷体, page numbers "— 1 —" in the footer. A 科协 may replace the file with its own
letterhead template as long as it keeps the style names (see ``assistant/gongwen.py``).

Run: .venv/bin/python scripts/build_docx_template.py"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

OUT = Path(__file__).resolve().parents[1] / "assistant" / "templates" / "gongwen.docx"

# style name → (east-asian font, size pt, bold, alignment, first-line indent in characters)
STYLES = {
    "KC Title": ("方正小标宋简体", 22, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "KC Subtitle": ("楷体_GB2312", 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "KC Heading 1": ("黑体", 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KC Heading 2": ("楷体_GB2312", 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KC Heading 3": ("仿宋_GB2312", 16, True, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "KC Body": ("仿宋_GB2312", 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "KC Item": ("仿宋_GB2312", 14, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "KC Note": ("仿宋_GB2312", 12, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "KC Table": ("仿宋_GB2312", 12, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
}


def set_fonts(font, east_asian: str, latin: str = "Times New Roman") -> None:
    font.name = latin
    rpr = font.element.get_or_add_rPr() if hasattr(font, "element") else font._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def page_number_footer(section) -> None:
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    run = p.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text.strip() == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)
    p.add_run(" —")
    for r in p.runs:
        r.font.size = Pt(14)
        set_fonts(r.font, "宋体")


def build(out: Path = OUT) -> Path:
    d = docx.Document()
    sec = d.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(20)
    normal = d.styles["Normal"]
    set_fonts(normal.font, "仿宋_GB2312")
    normal.font.size = Pt(16)
    for name, (font, size, bold, align, indent) in STYLES.items():
        st = d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        set_fonts(st.font, font)
        st.font.size = Pt(size)
        st.font.bold = bold
        pf = st.paragraph_format
        pf.alignment = align
        pf.first_line_indent = Pt(size * indent) if indent else None
        pf.space_before = Pt(6) if name.startswith("KC Heading") else Pt(0)
        pf.space_after = Pt(12) if name == "KC Title" else Pt(0)
        pf.line_spacing = Pt(28) if size >= 16 else Pt(max(size + 6, 18))
    d.core_properties.title = ""
    d.core_properties.author = "科创助手"
    page_number_footer(sec)
    out.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(out))
    return out


if __name__ == "__main__":
    print(build())
