"""Data contracts: Document → Block → Chunk → retrieved Context."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

BlockKind = Literal["heading", "paragraph", "table"]


class Block(BaseModel):
    """A structural unit of a cleaned document: a heading, a paragraph or a table."""

    kind: BlockKind
    text: str
    start: int  # character offsets into Document.text
    end: int
    level: int = 0  # heading depth (1 = 章 / 一、, 2 = 第X条 / （一）, ...)
    rows: list[str] | None = None  # table rows as text lines; rows[0] is the header


class Document(BaseModel):
    """A cleaned document ready for chunking. ``text`` is the display text (never NFKC-normalized)."""

    source: str  # file name (or record id for records)
    path: str = ""
    kind: Literal["document", "record"] = "document"
    title: str = ""
    text: str
    blocks: list[Block] = Field(default_factory=list)
    published: date | None = None
    region: str | None = None
    # a compilation of several articles ("篇一 … 篇二 …"): each article's span and place ("" when it names none)
    articles: list[tuple[int, int, str]] = Field(default_factory=list)
    doc_type: str = "document"  # "policy", "news", "document", or a record type
    metadata: dict[str, Any] = Field(default_factory=dict)
    content_hash: str = ""
    removed: list[str] = Field(default_factory=list)  # lines the cleaner dropped, for the ingest report
    record: dict[str, Any] | None = None  # the validated platform record this document renders
    kb: str = "default"  # the knowledge base (id) it belongs to


class Chunk(BaseModel):
    """A retrievable passage. ``text`` equals ``document.text[start:end]`` except for table chunks,
    which repeat the header row."""

    chunk_id: str
    source: str
    title: str
    heading: str = ""
    text: str
    start: int
    end: int
    ordinal: int
    search_key: str = ""  # normalized text (traditional→simplified, full-width→half-width)
    metadata: dict[str, Any] = Field(default_factory=dict)

    def embed_text(self) -> str:
        """What the embedding and BM25 see: title and heading give the passage its context."""
        parts = [self.title, self.heading, self.search_key or self.text]
        return "\n".join(p for p in parts if p)


class Context(BaseModel):
    """A retrieved chunk with its scores and the query terms it matched."""

    chunk_id: str
    source: str
    title: str
    heading: str = ""
    text: str
    start: int
    end: int
    score: float
    bm25_score: float | None = None
    dense_score: float | None = None
    bm25_rank: int | None = None
    dense_rank: int | None = None
    matched_terms: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class Citation(BaseModel):
    """One cited passage: which chunk, and the exact span quoted from it."""

    n: int  # the marker number shown in the answer text: [n]
    source: str
    title: str
    chunk_id: str
    heading: str = ""
    quote: str
    start: int | None = None  # offsets of the quote in the source document's display text
    end: int | None = None


class Answer(BaseModel):
    question: str
    standalone_question: str = ""
    text: str
    citations: list[Citation] = Field(default_factory=list)
    contexts: list[Context] = Field(default_factory=list)
    refused: bool = False
    mode: Literal["extractive", "llm"] = "extractive"
    model: str | None = None
    unsupported: list[str] = Field(default_factory=list)  # answer sentences with no valid citation
    closest: list[dict[str, Any]] = Field(default_factory=list)  # on refusal: the nearest documents
    latency_ms: float = 0.0
    usage: dict[str, int] = Field(default_factory=dict)
    settings_fingerprint: str = ""
    prompt_hashes: dict[str, str] = Field(default_factory=dict)

    def understood_as(self) -> str | None:
        """The standalone question answered, when the conversation changed it (a follow-up), to show the user."""
        q, s = self.question.strip(), (self.standalone_question or "").strip()
        return s if s and s != q else None

    def public_json(self) -> dict[str, Any]:
        """The stable JSON shape of an answer (scripts outside the project rely on these names)."""
        return {
            "question": self.question, "answer": self.text, "refused": self.refused, "mode": self.mode,
            "model": self.model,
            "citations": [{"n": c.n, "source": c.source, "title": c.title, "chunk_id": c.chunk_id,
                           "heading": c.heading, "quote": c.quote, "start": c.start, "end": c.end}
                          for c in self.citations],
            "closest": self.closest, "unsupported": self.unsupported, "standalone_question": self.standalone_question,
            "contexts": [{"source": c.source, "chunk_id": c.chunk_id, "score": c.score, "title": c.title}
                         for c in self.contexts],
            "latency_ms": self.latency_ms, "usage": self.usage, "settings_fingerprint": self.settings_fingerprint,
            "prompt_hashes": self.prompt_hashes,
        }
