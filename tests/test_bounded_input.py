"""Bounded work for every input (issue 16, item 2): files that cost far more to read than their size says are
refused while they are read, each with a clear per-file error naming the setting, and the rest of the batch is
ingested. Every file is generated here and kept small on disk (the limits are lowered where a real bomb would be
hundreds of MB)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import make_settings

GOOD = "某县科普活动通知\n第一条 每年举办科普活动不少于12场。\n"


def _kb(tmp_path, embed_cache, **ingest):
    from assistant.knowledge_base import KnowledgeBase

    return KnowledgeBase(make_settings(tmp_path / "data", embed_cache, ingest=ingest))


def _docx_bomb(path: Path, inflated_mb: int) -> Path:
    """A valid-looking DOCX whose document.xml inflates to ``inflated_mb`` MB of spaces (a few hundred KB on disk)."""
    import docx

    ok = path.with_name("seed.docx")
    d = docx.Document()
    d.add_paragraph("正文")
    d.save(ok)
    with zipfile.ZipFile(ok) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "word/document.xml":
                with dst.open("word/document.xml", "w") as out:
                    out.write(src.read(item)[:-30])
                    block = b" " * (1024 * 1024)
                    for _ in range(inflated_mb):
                        out.write(block)
                    out.write(b"</w:body></w:document>")
            else:
                dst.writestr(item, src.read(item))
    ok.unlink()
    return path


def test_a_docx_bomb_is_refused_before_it_is_inflated(tmp_path, embed_cache):
    bomb = _docx_bomb(tmp_path / "通知.docx", inflated_mb=40)
    assert bomb.stat().st_size < 1024 * 1024  # under 1 MB on disk
    (tmp_path / "ok.txt").write_text(GOOD, encoding="utf-8")
    kb = _kb(tmp_path, embed_cache, max_unzipped_mb=20)
    report = kb.ingest([bomb, tmp_path / "ok.txt"])
    failed = {f.file: f.errors[0] for f in report.files if f.status == "failed"}
    assert "解压后超过 20 MB" in failed["通知.docx"] and "MAX_UNZIPPED_MB" in failed["通知.docx"]
    assert [f.file for f in report.files if f.status == "added"] == ["ok.txt"]


def test_a_highly_compressed_entry_is_refused_even_under_the_total(tmp_path, embed_cache):
    bomb = _docx_bomb(tmp_path / "压缩.docx", inflated_mb=30)
    report = _kb(tmp_path, embed_cache).ingest([bomb])  # default total limit (200 MB) is not reached
    assert "压缩比异常" in report.files[0].errors[0]


def test_a_sheet_with_a_huge_cell_is_refused(tmp_path, embed_cache):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "type", "name", "region", "date", "description"])
    ws.append(["N-1", "need", "需求", "巴州", "2025-01-01", "PLACEHOLDER"])
    seed = tmp_path / "seed.xlsx"
    wb.save(seed)
    path = tmp_path / "needs.xlsx"  # the shared string rewritten past Excel's own 32,767 (openpyxl would cut it)
    with zipfile.ZipFile(seed) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if b"PLACEHOLDER" in data:
                data = data.replace(b"PLACEHOLDER", ("字" * 40_000).encode("utf-8"))
            dst.writestr(item, data)
    report = _kb(tmp_path, embed_cache).ingest([path])
    assert report.files[0].status == "failed" and "第 2 行" in report.files[0].errors[0]
    assert "单元格上限" in report.files[0].errors[0]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "xlsx"])
def test_record_files_past_the_row_limit_are_refused(tmp_path, embed_cache, fmt):
    rows = [{"id": f"N-{i}", "type": "need", "name": f"需求{i}", "region": "巴州", "date": "2025-01-01",
             "description": "棉花加工企业的技术需求"} for i in range(60)]
    path = tmp_path / f"needs.{fmt}"
    if fmt == "csv":
        path.write_text("id,type,name,region,date,description\n" + "\n".join(",".join(r.values()) for r in rows),
                        encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        import openpyxl

        wb = openpyxl.Workbook()
        wb.active.append(list(rows[0]))
        for r in rows:
            wb.active.append(list(r.values()))
        wb.save(path)
    report = _kb(tmp_path, embed_cache, max_rows=50).ingest([path])
    assert report.files[0].status == "failed" and "超过 50 行" in report.files[0].errors[0], report.as_dict()
    assert "MAX_ROWS" in report.files[0].errors[0]
    assert _kb(tmp_path / "again", embed_cache, max_rows=60).ingest([path]).files[0].status == "added"


def _pdf(path: Path, pages: int, line: str) -> Path:
    from fpdf import FPDF

    from tests.test_ui_kb_journey import _font

    pdf = FPDF()
    pdf.add_font("cjk", "", _font())
    pdf.set_font("cjk", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"第{i + 1}页 {line}")
    pdf.output(str(path))
    return path


def test_a_pdf_past_the_page_limit_is_refused_before_its_text_is_read(tmp_path, embed_cache):
    path = _pdf(tmp_path / "长文件.pdf", 30, "科技型中小企业评价工作指引。")
    report = _kb(tmp_path, embed_cache, max_pdf_pages=20).ingest([path])
    assert "有 30 页，超过上限 20 页" in report.files[0].errors[0] and "MAX_PDF_PAGES" in report.files[0].errors[0]


def test_a_pdf_whose_text_runs_past_the_limit_is_refused(tmp_path, embed_cache):
    path = _pdf(tmp_path / "文字多.pdf", 10, "高新技术企业认定管理办法" * 8)
    report = _kb(tmp_path, embed_cache, max_text_chars=1000).ingest([path])
    assert "提取出的文字超过 1000 字" in report.files[0].errors[0]


def test_ordinary_office_files_pass_the_checks(tmp_path, embed_cache):
    import docx
    import openpyxl

    d = docx.Document()
    d.add_paragraph("某县科技局通知")
    d.add_paragraph("第一条 每家企业每年可申领创新券最高30万元。")
    d.save(tmp_path / "通知.docx")
    wb = openpyxl.Workbook()
    wb.active.append(["id", "type", "name", "region", "date", "description"])
    wb.active.append(["N-1", "need", "籽棉清理", "巴州", "2025-01-01", "棉花加工企业需要清理异性纤维"])
    wb.save(tmp_path / "needs.xlsx")
    report = _kb(tmp_path, embed_cache).ingest([tmp_path / "通知.docx", tmp_path / "needs.xlsx"])
    assert [f.status for f in report.files] == ["added", "added"], report.as_dict()
