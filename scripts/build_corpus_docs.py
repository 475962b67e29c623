#!/usr/bin/env python3
"""Build the .docx and .pdf policy documents of the sample corpus.

Source texts live in corpora/_src/<stem>.txt (UTF-8, one paragraph per line).
FORMATS below says which output format each stem gets; outputs go to
corpora/policies/<stem>.<fmt>.

Source text conventions:
  * line 1 is the document title;
  * lines starting with "第X章" or "一、" style numerals are level-1 headings;
  * short lines starting with "（一）" style numerals (no full stop) are level-2 headings;
  * consecutive lines starting with "|" form a table, the first of them is the header row;
  * every other line is a body paragraph.

PDF output uses fpdf2 with an embedded (subset) CJK TrueType font so that the
text layer extracts as readable Chinese. Install a font first, e.g.
    apt-get install -y fonts-wqy-microhei   (or fonts-noto-cjk)
or point CJK_FONT=/path/to/font.ttf|.ttc at one.

Usage:  python scripts/build_corpus_docs.py [--check]
  --check  re-extract text from every generated file and verify it matches the source.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC_DIR = ROOT / "corpora" / "_src"
OUT_DIR = ROOT / "corpora" / "policies"

FORMATS = {
    "national_tech_sme_evaluation": "docx",
    "bazhou_academician_workstation": "docx",
    "zhenjiang_tech_broker": "docx",
    "national_specialized_sme": "pdf",
    "taian_enterprise_sci_association": "pdf",
    "tianjin_science_popularization_base": "pdf",
    "chengdu_tech_finance_loan": "pdf",
}

# Fixed timestamp so rebuilds are byte-stable where the libraries allow it.
FIXED_DATE = datetime(2025, 11, 1, tzinfo=UTC)

CN_NUM = "一二三四五六七八九十百零〇"
RE_CHAPTER = re.compile(rf"^第[{CN_NUM}]+章\s*\S")
RE_SECTION = re.compile(rf"^[{CN_NUM}]+、\S")
RE_SUBSECTION = re.compile(rf"^（[{CN_NUM}]+）\S")
RE_ARTICLE = re.compile(rf"^(第[{CN_NUM}]+条)\s*(.*)$")

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
]


def classify(line: str) -> str:
    """Return the block kind of one source line."""
    if line.startswith("|"):
        return "table"
    if RE_CHAPTER.match(line) or RE_SECTION.match(line):
        return "h1"
    if RE_SUBSECTION.match(line) and len(line) <= 24 and "。" not in line and "；" not in line:
        return "h2"
    return "p"


def parse(path: Path) -> tuple[str, list[tuple[str, object]]]:
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    title, body = lines[0], lines[1:]
    blocks: list[tuple[str, object]] = []
    for line in body:
        kind = classify(line)
        if kind == "table":
            cells = [c.strip() for c in line.strip("|").split("|")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(cells)  # type: ignore[union-attr]
            else:
                blocks.append(("table", [cells]))
        else:
            blocks.append((kind, line))
    return title, blocks


# ---------------------------------------------------------------- docx


def build_docx(stem: str, title: str, blocks, out: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        st = doc.styles[style_name]
        st.font.name = "SimSun" if style_name == "Normal" else "SimHei"
        rpr = st.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        rfonts.set(qn("w:eastAsia"), st.font.name)
    doc.styles["Normal"].font.size = Pt(11)

    doc.core_properties.title = title
    doc.core_properties.author = "科创助手项目组（示例语料）"
    doc.core_properties.created = FIXED_DATE
    doc.core_properties.modified = FIXED_DATE

    doc.add_heading(title, level=0)
    for kind, content in blocks:
        if kind == "h1":
            doc.add_heading(content, level=1)
        elif kind == "h2":
            doc.add_heading(content, level=2)
        elif kind == "table":
            rows = content
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell_text in enumerate(row):
                    cell = table.cell(r, c)
                    cell.text = cell_text
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
            # mark the first row as a repeating header row
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tbl_header = tr_pr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
            tr_pr.append(tbl_header)
        else:
            para = doc.add_paragraph()
            m = RE_ARTICLE.match(content)
            if m:
                para.add_run(m.group(1)).bold = True
                para.add_run(" " + m.group(2))
            else:
                para.add_run(content)
    doc.save(out)
    normalize_zip(out)


def normalize_zip(path: Path, stamp: str = "2025-11-01T00:00:00Z") -> None:
    """Rewrite an OOXML zip with fixed entry times and core.xml dates so rebuilds are byte-identical."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(i, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m.group(1) + stamp.encode() + m.group(2),
                    data,
                )
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 11, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)


# ---------------------------------------------------------------- pdf


def find_font() -> str:
    env = os.environ.get("CJK_FONT")
    if env and Path(env).exists():
        return env
    for cand in FONT_CANDIDATES:
        if Path(cand).exists():
            return cand
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out and Path(out).exists() and out.lower().endswith((".ttf", ".ttc", ".otf")):
            return out
    except FileNotFoundError:
        pass
    sys.exit(
        "No CJK font found. Install one (apt-get install -y fonts-wqy-microhei) "
        "or set CJK_FONT=/path/to/font.ttf"
    )


def build_pdf(stem: str, title: str, blocks, out: Path, font_path: str) -> None:
    from fpdf import FPDF
    from fpdf.enums import WrapMode, XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author("科创助手项目组（示例语料）")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, margin=20)
    kwargs = {"collection_font_number": 0} if font_path.lower().endswith(".ttc") else {}
    pdf.add_font("cjk", "", font_path, **kwargs)
    pdf.add_page()

    def para(text: str, size: float, gap: float = 2, align: str = "L") -> None:
        pdf.set_font("cjk", size=size)
        # CHAR wrapping: Chinese has no spaces, so wrap at any character instead of
        # breaking the line at the one space after "第X条".
        pdf.multi_cell(
            0,
            size * 0.55,
            text,
            align=align,
            wrapmode=WrapMode.CHAR,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.ln(gap)

    para(title, 17, gap=5, align="C")
    for kind, content in blocks:
        if kind == "h1":
            pdf.ln(2)
            para(content, 14, gap=2, align="L")
        elif kind == "h2":
            para(content, 12.5, gap=1.5, align="L")
        elif kind == "table":
            pdf.set_font("cjk", size=10)
            with pdf.table(text_align="LEFT", line_height=6) as table:
                for row in content:
                    r = table.row()
                    for cell_text in row:
                        r.cell(cell_text)
            pdf.ln(3)
        else:
            para(content, 11)
    pdf.output(str(out))


# ---------------------------------------------------------------- check


def extract_text(path: Path) -> str:
    if path.suffix == ".pdf":
        import pypdf

        return "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages)
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append("|".join(c.text for c in row.cells))
    return "\n".join(parts)


def check(stem: str, fmt: str) -> bool:
    src = (SRC_DIR / f"{stem}.txt").read_text(encoding="utf-8")
    got = extract_text(OUT_DIR / f"{stem}.{fmt}")
    norm = lambda s: re.sub(r"[\s|]+", "", s)  # noqa: E731
    got_n = norm(got)
    # Per-line containment is the robust check (PDF lines wrap, docx adds spaces).
    missing = [ln for ln in src.splitlines() if ln.strip() and norm(ln) not in got_n]
    ok = not missing
    print(f"  check {stem}.{fmt}: {'OK' if ok else 'MISMATCH'} ({len(got_n)} chars extracted)")
    for ln in missing[:5]:
        print("    missing:", ln[:60])
    return ok


def main() -> int:
    do_check = "--check" in sys.argv
    font_path = None
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for stem, fmt in FORMATS.items():
        src = SRC_DIR / f"{stem}.txt"
        title, blocks = parse(src)
        out = OUT_DIR / f"{stem}.{fmt}"
        if fmt == "docx":
            build_docx(stem, title, blocks, out)
        else:
            font_path = font_path or find_font()
            build_pdf(stem, title, blocks, out, font_path)
        print(f"wrote {out.relative_to(ROOT)}")
    if do_check:
        results = [check(stem, fmt) for stem, fmt in FORMATS.items()]
        if not all(results):
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
