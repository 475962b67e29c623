"""File → cleaned Document (display text, structure, metadata, content hash)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from assistant._text import search_key
from assistant.errors import IngestError
from assistant.ingest.clean import clean_elements
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import (
    extract_date,
    extract_region,
    extract_title,
    find_articles,
    find_byline,
    guess_doc_type,
)
from assistant.ingest.structure import assemble
from assistant.settings import IngestSettings
from assistant.types import Document


def content_hash(text: str) -> str:
    """Hash of the normalized content: the same policy reposted under another name hashes the same."""
    key = re.sub(r"\s+", "", search_key(text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def build_document(path: Path, source: str, max_bytes: int, ingest: IngestSettings | None = None,
                   cache_dir: Path | None = None) -> Document:
    """``ingest`` carries the OCR and LibreOffice settings; ``cache_dir`` is the settings' cache dir (the OCR
    engine keeps its optimized models in ``cache_dir/ocr``)."""
    loaded = load_file(path, source, max_bytes, ingest, cache_dir / "ocr" if cache_dir else None)
    # A first pass without a title finds the title; the second removes repeats of it (page headers).
    first = clean_elements(loaded.elements)
    _, blocks0 = assemble(first.elements)
    title = extract_title(blocks0, loaded.title_hint)
    cleaned = clean_elements(loaded.elements, title_hint=title)
    text, blocks = assemble(cleaned.elements)
    if not text.strip():
        raise IngestError(f"{source}: 清洗后没有可用的正文（可能全是页眉页脚或垃圾文本）。", source=source)
    title = extract_title(blocks, loaded.title_hint)
    return Document(
        source=source,
        path=str(path),
        title=title,
        text=text,
        blocks=blocks,
        published=extract_date(blocks),
        region=extract_region(title, text),
        articles=find_articles(text, blocks),
        doc_type=guess_doc_type(title, blocks),
        metadata={"encoding": loaded.encoding, **find_byline(text), **loaded.metadata},
        content_hash=content_hash(text),
        removed=cleaned.removed,
    )
