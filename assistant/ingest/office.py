"""Legacy office files — Word 97–2003 ``.doc`` and WPS Office's ``.wps`` (to DOCX), Excel 97–2003 ``.xls`` and
WPS's ``.et`` (to XLSX) — converted by LibreOffice headless, so the rest of ingest reads only DOCX and XLSX.

Each conversion runs ``soffice`` with its own throw-away profile (LibreOffice refuses a second instance on a
profile in use, so concurrent ingests would otherwise fail or wait) and under a time limit, after which the
whole process group is killed (``soffice`` starts ``soffice.bin`` as a child)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import IngestError

WORD_EXTENSIONS = {".doc", ".wps"}
SHEET_EXTENSIONS = {".xls", ".et"}
PROFILE_PREFIX = "kc-office-"

_PACKAGE = {"docx": "libreoffice-writer-nogui", "xlsx": "libreoffice-calc-nogui"}
_KIND = {"docx": "Word/WPS 文档", "xlsx": "Excel/WPS 表格"}


def target_of(path: Path) -> str:
    """The modern format a legacy file is converted to: ``docx`` or ``xlsx``."""
    ext = path.suffix.lower()
    if ext in WORD_EXTENSIONS:
        return "docx"
    if ext in SHEET_EXTENSIONS:
        return "xlsx"
    raise ValueError(f"not a legacy office file: {path.name}")


def sniff(path: Path) -> str:
    """What a legacy-named file really holds: ``ole2`` (the 97–2003 binary formats, which WPS also writes),
    ``zip`` (a DOCX/XLSX under an old name), ``rtf``, ``html`` (web pages and HTML tables served as .doc/.xls),
    or ``""``."""
    with path.open("rb") as f:
        head = f.read(1024)
    if head.startswith(bytes.fromhex("d0cf11e0a1b11ae1")):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml", b"<table", b"<meta", b"<head", b"<body")):
        return "html"
    return ""


@contextmanager
def converted(path: Path, source: str, *, soffice: str = "soffice", timeout_s: float = 120.0) -> Iterator[Path]:
    """The file as DOCX (.doc, .wps) or XLSX (.xls, .et), in a temporary folder removed on exit. A DOCX or XLSX
    saved under an old name is passed on as it is. Raises IngestError saying what to do when LibreOffice is
    missing, the file is not what its name says, the conversion fails or takes longer than ``timeout_s``."""
    target = target_of(path)
    ext = path.suffix.lower()
    kind = sniff(path)
    # Writer cannot save an HTML page as DOCX (the loader reads those as HTML); Calc converts HTML tables.
    accepted = {"ole2", "zip"} | ({"rtf"} if target == "docx" else {"html"})
    if kind not in accepted:
        raise IngestError(f"{source}: 不是有效的 {_KIND[target]}（文件内容不是 {ext} 格式），可能已损坏或扩展名有误。",
                          source=source)
    with tempfile.TemporaryDirectory(prefix=PROFILE_PREFIX) as tmp:
        work = Path(tmp)
        # A fixed ASCII name: soffice names its output after the input, and a name starting with "-" or holding
        # odd characters must not reach its command line.
        src = work / "in" / f"input{'.' + target if kind == 'zip' else ext}"
        src.parent.mkdir()
        shutil.copyfile(path, src)
        if kind == "zip":
            yield src
            return
        out = work / "out"
        _run_soffice(soffice, src, target, out, work / "profile", source, ext, timeout_s)
        result = out / f"{src.stem}.{target}"
        yield result


def _run_soffice(soffice: str, src: Path, target: str, out: Path, profile: Path, source: str, ext: str,
                 timeout_s: float) -> None:
    exe = shutil.which(soffice)
    if not exe:
        raise IngestError(
            f"{source}: 读取 {ext} 文件需要 LibreOffice，但找不到命令 {soffice}。请安装 Debian 包 {_PACKAGE[target]}"
            f"（在项目目录以 root 运行 make system-deps 即可；装在别处时用设置项 KECHUANG_INGEST__SOFFICE 指明），"
            f"或用 WPS/Office 把文件另存为 .{target} 后再导入。", source=source)
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
           "--convert-to", target, "--outdir", str(out), str(src)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise IngestError(
            f"{source}: 转换 {ext} 文件超时（超过 {timeout_s:g} 秒，设置项 KECHUANG_INGEST__CONVERT_TIMEOUT_S），"
            f"文件可能过大或已损坏。可调高上限，或用 WPS/Office 另存为 .{target} 后再导入。", source=source) from None
    if not (out / f"{src.stem}.{target}").exists():
        said = [line for line in err.decode("utf-8", "replace").splitlines()
                if line.strip() and "javaldx" not in line]
        detail = f"LibreOffice：{said[-1].strip()}" if said else f"退出码 {proc.returncode}"
        raise IngestError(f"{source}: 无法转换 {ext} 文件（{detail}），文件可能已损坏或加密。"
                          f"请用 WPS/Office 打开后另存为 .{target} 再导入。", source=source)
