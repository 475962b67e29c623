"""Bounds on the work one input file may cause, checked while reading, each with a clear per-file error.

A file's size on disk says little about what reading it costs: a 6.6 MB .docx inflated to 2.2 GB, a 127 KB .xlsx
with one huge shared string drove the server to 7.7 GB, a million-row sheet or a 10,000-page PDF ran for minutes.
So zip-based files (DOCX, XLSX) are measured by what their entries declare they inflate to (Python's zipfile never
inflates an entry past its declared size), sheets and record files by rows and cell length, PDFs by pages and
extracted text. The limits are settings (``ingest.*``) and every message names the one to raise.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from assistant.errors import IngestError
from assistant.settings import IngestSettings

MB = 1024 * 1024
# an entry this much larger than its compressed bytes is a bomb, not a document (real DOCX/XLSX parts: under 30x)
MAX_RATIO = 250
MAX_CELL_CHARS = 32_767  # Excel's own limit on a cell's text


def check_zip(path: Path, source: str, ingest: IngestSettings) -> None:
    """Refuse a DOCX/XLSX whose entries would inflate past ``ingest.max_unzipped_mb`` in all, or one entry
    inflating far beyond its compressed size."""
    limit = int(ingest.max_unzipped_mb * MB)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise IngestError(f"{source}: 无法读取 {path.suffix.lstrip('.').upper()} 文件：已损坏或不是有效的 Office 文件（{type(exc).__name__}）。请用 Office 或 WPS "
                          "重新保存后重试。", source=source) from exc
    total = 0
    for info in infos:
        total += info.file_size
        if total > limit:
            raise IngestError(f"{source}: 解压后超过 {ingest.max_unzipped_mb:g} MB（文件 {path.stat().st_size / MB:.1f} MB"
                              "），内容异常庞大或是压缩炸弹，已拒绝。如确为正常文件，请拆分，或调高设置项 "
                              "KECHUANG_INGEST__MAX_UNZIPPED_MB。", source=source)
        if info.file_size > 10 * MB and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise IngestError(f"{source}: 其中的 {info.filename} 压缩比异常（{info.file_size // max(1, info.compress_size)}"
                              " 倍），像是压缩炸弹，已拒绝。", source=source)


def check_rows(n: int, source: str, ingest: IngestSettings) -> None:
    """Called with each row number read: refuse a record file past ``ingest.max_rows`` rows."""
    if n > ingest.max_rows:
        raise IngestError(f"{source}: 超过 {ingest.max_rows} 行（设置项 KECHUANG_INGEST__MAX_ROWS）。请拆成几个文件分批导入。",
                          source=source)


def check_cell(value: object, source: str, row: int) -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise IngestError(f"{source}: 第 {row} 行有一个单元格长 {len(value)} 字，超过表格单元格上限 {MAX_CELL_CHARS} 字，"
                          "文件可能已损坏或被篡改。", source=source, row=row)


def check_pages(n: int, source: str, ingest: IngestSettings) -> None:
    if n > ingest.max_pdf_pages:
        raise IngestError(f"{source}: PDF 有 {n} 页，超过上限 {ingest.max_pdf_pages} 页（设置项 "
                          "KECHUANG_INGEST__MAX_PDF_PAGES）。请拆分文件。", source=source)


def check_text(chars: int, source: str, ingest: IngestSettings) -> None:
    """Called as extracted text accumulates: refuse past ``ingest.max_text_chars`` characters."""
    if chars > ingest.max_text_chars:
        raise IngestError(f"{source}: 提取出的文字超过 {ingest.max_text_chars} 字（设置项 KECHUANG_INGEST__MAX_TEXT_CHARS）"
                          "，请拆分文件。", source=source)
