"""Decode bytes of unknown encoding: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK."""

from __future__ import annotations

from assistant.errors import IngestError

_CANDIDATES = ("utf-8", "gb18030", "big5")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl > max(8, len(sample) // 100)


def _cjk_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:5000]
    good = sum(1 for c in sample if "\u4e00" <= c <= "\u9fff" or c.isascii() or "\u3000" <= c <= "\u303f"
               or "\uff00" <= c <= "\uffef" or c in "“”‘’—…·")
    return good / len(sample)


def decode_bytes(data: bytes, source: str = "") -> tuple[str, str]:
    """Return ``(text, encoding)``. Raises IngestError for binary or undecodable content."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if _looks_binary(data):
        raise IngestError(
            f"{source}: 文件内容是二进制数据，不是文本（扩展名可能有误）。请检查文件或改用正确的扩展名。",
            source=source,
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    best: tuple[float, str, str] | None = None
    for enc in _CANDIDATES[1:]:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        share = _cjk_share(text)
        if best is None or share > best[0]:
            best = (share, text, enc)
    if best and best[0] > 0.9:
        return best[1], best[2]
    # Mixed encodings: decode line by line so one bad line does not lose the file.
    lines, used = [], set()
    for raw in data.split(b"\n"):
        for enc in _CANDIDATES[:2]:
            try:
                lines.append(raw.decode(enc))
                used.add(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            lines.append(raw.decode("utf-8", errors="replace"))
            used.add("utf-8(replace)")
    text = "\n".join(lines)
    if _cjk_share(text) < 0.7:
        raise IngestError(
            f"{source}: 无法识别文本编码（{utf8_error.reason}）。请将文件另存为 UTF-8 后重试。", source=source
        )
    return text, "+".join(sorted(used))
