"""Token-bounded chunks cut on Chinese sentence boundaries, sections first.

Policy texts are split on their own structure (第X章 / 第X条 / 一、 / （一）) before size: every heading
starts a new chunk, so a clause stays whole and can be cited by its heading. Inside a section, sentences
are packed up to ``chunk_tokens`` with ``overlap_tokens`` of trailing sentences repeated. Tables are cut
by rows, each chunk repeating the header row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from assistant._text import PUNCT, count_tokens, search_key, split_sentences
from assistant.ingest.structure import SECTION_LEVEL
from assistant.settings import ChunkingSettings
from assistant.types import Block, Chunk, Document


@dataclass
class _Unit:
    start: int
    end: int
    tokens: int
    para_end: bool  # last sentence of its paragraph


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` past whitespace and punctuation, ``end`` before whitespace."""
    while start < end and (text[start].isspace() or text[start] in PUNCT):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Chunker:
    def __init__(self, settings: ChunkingSettings):
        self.max_tokens = settings.chunk_tokens
        self.overlap = settings.overlap_tokens
        self.enc = settings.encoding

    def _tokens(self, s: str) -> int:
        return count_tokens(s, self.enc)

    # -- units ---------------------------------------------------------------------------------
    def _units(self, doc: Document, block: Block) -> list[_Unit]:
        units: list[_Unit] = []
        spans = split_sentences(block.text)
        for i, (s, e) in enumerate(spans):
            a, b = _trim(doc.text, block.start + s, block.start + e)
            if a >= b:
                continue
            n = self._tokens(doc.text[a:b])
            if n <= self.max_tokens:
                units.append(_Unit(a, b, n, i == len(spans) - 1))
            else:
                units.extend(self._hard_split(doc.text, a, b, i == len(spans) - 1))
        if units:
            units[-1].para_end = True
        return units

    def _hard_split(self, text: str, a: int, b: int, para_end: bool) -> list[_Unit]:
        """A sentence longer than the budget (tables pasted as text, lists without 。) is cut by size,
        never leaving punctuation at the start of a piece."""
        out: list[_Unit] = []
        # cl100k gives roughly 1–1.5 tokens per Chinese character; step by characters and verify.
        step = max(16, int(self.max_tokens * 0.6))
        pos = a
        while pos < b:
            end = min(b, pos + step)
            while end < b and self._tokens(text[pos:end]) < self.max_tokens * 0.9 and end - pos < step * 3:
                end = min(b, end + step // 4)
            while end - pos > 1 and self._tokens(text[pos:end]) > self.max_tokens:
                end -= max(1, (end - pos) // 10)
            while end < b and text[end] in PUNCT:
                end += 1
            out.append(_Unit(pos, end, self._tokens(text[pos:end]), False))
            pos = end
            while pos < b and text[pos].isspace():
                pos += 1
        if out:
            out[-1].para_end = para_end
        return out

    # -- packing -------------------------------------------------------------------------------
    def chunk(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        stack: dict[int, str] = {}
        buf: list[_Unit] = []
        buf_heading_only = False
        section = ""

        def heading_path() -> str:
            return " > ".join(stack[k] for k in sorted(stack))

        def emit(units: list[_Unit]) -> None:
            if not units:
                return
            start, end = units[0].start, units[-1].end
            self._add(chunks, doc, doc.text[start:end], start, end, section)

        def flush() -> None:
            nonlocal buf, buf_heading_only
            emit(buf)
            buf = []
            buf_heading_only = False

        for block in doc.blocks:
            if block.kind == "table":
                flush()
                section = heading_path()
                self._table(chunks, doc, block, section)
                continue
            if block.kind == "heading" or 0 < block.level <= SECTION_LEVEL:
                # A heading (or a numbered clause) opens a section; a heading directly followed by another
                # heading stays with it ("第一章 总则" + "第一条 …").
                if not buf_heading_only:
                    flush()
                level = block.level or 2
                for lvl in [k for k in stack if k >= level]:
                    del stack[lvl]
                stack[level] = _label(block)
                section = heading_path()
            units = self._units(doc, block)
            if block.kind == "heading" and (not buf or buf_heading_only):
                buf.extend(units)
                buf_heading_only = True
                continue
            buf_heading_only = False
            for u in units:
                total = sum(x.tokens for x in buf)
                if buf and total + u.tokens > self.max_tokens:
                    cut = self._cut_point(buf)
                    emit(buf[:cut])
                    buf = self._overlap(buf[:cut]) + buf[cut:]
                    while buf and sum(x.tokens for x in buf) + u.tokens > self.max_tokens:
                        buf.pop(0)
                buf.append(u)
        flush()
        _mark_bylines(chunks)
        return chunks

    def _cut_point(self, buf: list[_Unit]) -> int:
        """Prefer to end a chunk at a paragraph end in its second half."""
        total = sum(u.tokens for u in buf)
        acc = 0
        best = len(buf)
        for i, u in enumerate(buf):
            acc += u.tokens
            if u.para_end and acc >= total / 2:
                best = i + 1
        return best

    def _overlap(self, units: list[_Unit]) -> list[_Unit]:
        out: list[_Unit] = []
        acc = 0
        for u in reversed(units):
            if acc + u.tokens > self.overlap:
                break
            out.insert(0, u)
            acc += u.tokens
        if len(out) == len(units):  # never repeat a whole chunk
            out = out[1:]
        return out

    def _table(self, chunks: list[Chunk], doc: Document, block: Block, section: str) -> None:
        rows = block.rows or block.text.split("\n")
        offsets, pos = [], block.start
        for r in rows:
            offsets.append((pos, pos + len(r)))
            pos += len(r) + 1
        header, body = rows[0], list(zip(rows[1:], offsets[1:], strict=True))
        budget = max(16, self.max_tokens - self._tokens(header))
        group: list[tuple[str, tuple[int, int]]] = []
        acc = 0

        def emit_group(first: bool) -> None:
            start = offsets[0][0] if first else group[0][1][0]
            end = group[-1][1][1]
            text = "\n".join([header] + [r for r, _ in group])
            self._add(chunks, doc, text, start, end, section, kind="table")

        first = True
        for row, span in body:
            n = self._tokens(row)
            if group and acc + n > budget:
                emit_group(first)
                first, group, acc = False, [], 0
            group.append((row, span))
            acc += n
        if group:
            emit_group(first)
        elif not body:
            self._add(chunks, doc, header, offsets[0][0], offsets[0][1], section, kind="table")

    def _add(self, chunks: list[Chunk], doc: Document, text: str, start: int, end: int, heading: str,
             kind: str = "prose") -> None:
        base = hashlib.sha1(f"{doc.source}\x00{text}".encode()).hexdigest()[:16]
        ids = {c.chunk_id for c in chunks}
        chunk_id, n = base, 1
        while chunk_id in ids:  # the same passage twice in one document
            n += 1
            chunk_id = f"{base}-{n}"
        chunks.append(Chunk(
            chunk_id=chunk_id, source=doc.source, title=doc.title, heading=heading, text=text,
            start=start, end=end, ordinal=len(chunks), search_key=search_key(text),
            metadata=chunk_metadata(doc, kind, start),
        ))


def _mark_bylines(chunks: list[Chunk]) -> None:
    """Every chunk knows which chunk holds the line naming the author (``author_chunk``), so an answer cites
    that line whichever chunk was retrieved."""
    at = chunks[0].metadata.get("author_start") if chunks else None
    holder = next((c for c in chunks if at is not None and c.start <= at < c.end), None)
    if holder is not None:
        for c in chunks:
            c.metadata["author_chunk"] = holder.chunk_id


def _label(block: Block) -> str:
    """A heading's label: the whole heading line, or the clause number of a long numbered paragraph."""
    from assistant.ingest.structure import CLAUSE_RE

    if block.kind == "heading":
        return block.text[:40]
    m = CLAUSE_RE.match(block.text)
    if m:
        return m.group(1)
    return block.text[:20]


def chunk_metadata(doc: Document, chunk_kind: str = "prose", start: int = 0) -> dict:
    """Filterable metadata shared by every chunk of a document (scalar values only, as Chroma needs);
    ``chunk_kind`` says whether the chunk is prose (a slice of the text), table rows or a record. In a
    compilation, the chunk at ``start`` has its article's place."""
    meta = {
        "chunk_kind": "record" if doc.kind == "record" else chunk_kind,
        "source": doc.source,
        "title": doc.title,
        "kind": doc.kind,
        "type": doc.doc_type,
        "region": doc.region or "",
        "published": doc.published.isoformat() if doc.published else "",
        "date_int": int(doc.published.strftime("%Y%m%d")) if doc.published else 0,
        "kb": doc.kb,
    }
    for a, b, region in doc.articles:
        if a <= start < b:
            meta["region"] = region
            meta["article_region"] = region or "?"  # the article's own place; "?" when it names none
    for k, v in doc.metadata.items():
        if isinstance(v, str | int | float | bool) and k not in meta:
            meta[k] = v
    return meta
