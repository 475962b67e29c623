"""The knowledge base: ingest files and records into the manifest, Chroma and BM25; list, stats, remove.

Ingest is idempotent and incremental: a document whose normalized content hash is unchanged is skipped;
a changed one replaces its chunks; the same content under another file name is recorded as a duplicate
of the first and indexed once. Embeddings come from a content-hash cache.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant._text import search_key, tokenize
from assistant.bm25 import BM25Index
from assistant.embeddings import count_tokens, make_embeddings
from assistant.errors import AssistantError, IngestError, InputError, NotFoundError
from assistant.manifest import Manifest
from assistant.records import (
    RECORD_EXTENSIONS,
    PolicyItem,
    RecordBase,
    load_records,
    parse_record,
    to_document,
)
from assistant.settings import Settings
from assistant.store import VectorStore, collection_name
from assistant.types import Chunk, Context, Document
from assistant.write_lock import WriteLock, WriterBusyError

if TYPE_CHECKING:
    from assistant.ingest.chunking import Chunker
    from assistant.policy_rules import PolicyDraft
    from assistant.retrieval import SearchFilters

log = logging.getLogger(__name__)


def _writes(method):
    """The method changes the index: it runs holding the index's write lock (one writer at a time)."""
    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._write_lock.hold():
            return method(self, *args, **kwargs)
    return locked

DEFAULT_BASE = "default"
EMBED_BATCH = 64  # chunks embedded between two progress reports of an ingest
DEFAULT_BASE_NAME = "默认知识库"
# who may read and write a new knowledge base unless told otherwise: roles by name, single users as "user:<name>";
# administrators may always do both
DEFAULT_READERS = ("enterprise", "staff")
DEFAULT_WRITERS = ("staff",)


@dataclass
class FileResult:
    file: str
    status: str  # added | updated | unchanged | duplicate | partial | failed
    documents: int = 0
    chunks: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)  # files left when the ingest was stopped

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def chunks(self) -> int:
        return sum(f.chunks for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status in {"failed", "partial"}]

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": len(self.files), "chunks": self.chunks,
            "added": self.count("added"), "updated": self.count("updated"), "unchanged": self.count("unchanged"),
            "duplicate": self.count("duplicate"), "partial": self.count("partial"), "failed": self.count("failed"),
            "details": [f.__dict__ for f in self.files], "stopped": bool(self.not_started),
            "not_started": self.not_started,
        }


def _is_repo_note(name: str) -> bool:
    """README/LICENSE/CHANGELOG files describe a folder; they are not part of its content."""
    return name.split(".")[0].upper() in {"README", "LICENSE", "CHANGELOG", "NOTICE"}


def iter_files(paths: Iterable[Path], extensions: Iterable[str]) -> list[Path]:
    """Files under the given paths with an accepted extension, hidden ones skipped, in a stable order.
    A file given explicitly is always returned, so an unsupported type gets a clear error."""
    exts = {e.lower() for e in extensions}
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            # a symbolic link inside a folder is not followed: it could point anywhere (/etc/passwd)
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.is_symlink()
                              and not any((p / q).is_symlink() for q in f.relative_to(p).parents if q != Path("."))
                              and f.suffix.lower() in exts
                              and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)
                              and not _is_repo_note(f.name)))
        else:
            out.append(p)
    return out


class KnowledgeBase:
    def __init__(self, settings: Settings):
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.index_dir = settings.data_dir / "index" / collection_name(settings)
        # The index's parts are private: every caller goes through the methods below.
        self._write_lock = WriteLock(self.index_dir / "write.lock")
        self._manifest = Manifest(self.index_dir / "manifest.sqlite")
        # Chroma is opened when first needed (a search of a small index reads its vectors from the index directory
        # and never needs it: a CLI call saves the second it takes); a Chroma server is reached at once, so a
        # wrong address is reported at start.
        self._store_obj: VectorStore | None = VectorStore(settings) if settings.store.host else None
        self._bm25 = BM25Index(self.index_dir / "bm25")
        self._embeddings = None
        self._on_batch: Callable[[str, int, int, int | None], None] | None = None  # set during an ingest
        from assistant.backend import EmbeddedBackend
        from assistant.retrieval import HybridSearcher

        self._backend = EmbeddedBackend(self._manifest, self._bm25, lambda: self._store, self.index_dir / "vectors",
                                        lambda: self.settings.retrieval, writing=self._write_lock.writing_elsewhere)
        self._searcher = HybridSearcher(lambda: self.settings.retrieval, self._manifest, self._backend,
                                        lambda: self.embeddings)
        self._recover()

    @functools.cached_property
    def _chunker(self) -> Chunker:
        from assistant.ingest.chunking import Chunker

        return Chunker(self.settings.chunking)

    @property
    def _store(self) -> VectorStore:
        if self._store_obj is None:
            self._store_obj = VectorStore(self.settings)
        return self._store_obj

    @property
    def embeddings(self):
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def close(self) -> None:
        self._manifest.close()

    # -- reading ---------------------------------------------------------------------------------
    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None,
               mode: str | None = None) -> list[Context]:
        """Hybrid search (BM25 + dense, fused), with filters on type, region, source and date."""
        return self._searcher.search(query, k=k, filters=filters, mode=mode)  # type: ignore[arg-type]

    def query_terms(self, query: str) -> tuple[list[str], list[str], list[str]]:
        return self._searcher.query_terms(query)

    def records(self, kind: str | None = None, kbs: list[str] | None = None) -> list[RecordBase]:
        """Platform records of one kind (need, expert, achievement, organization, service_team, policy) as
        typed models, re-hydrated from the index; only those of the knowledge bases ``kbs`` when given."""
        out = [parse_record(r) for r in self._manifest.records(kind, kbs)]
        if kind in (None, "policy"):
            allowed = None if kbs is None else {s for b in kbs for s in self._manifest.sources_in(b)}
            out += [d.accepted_item() for d in self.policy_drafts(status="accepted")
                    if allowed is None or d.source in allowed]
        return out

    # -- support items drafted from policy documents, reviewed by staff ---------------------------
    def policy_drafts(self, source: str | None = None, status: str | None = None) -> list[PolicyDraft]:
        from assistant.policy_rules import PolicyDraft

        return [PolicyDraft.from_row(r) for r in self._manifest.drafts(source, status)]

    def policy_draft(self, draft_id: str) -> PolicyDraft | None:
        from assistant.policy_rules import PolicyDraft

        rows = self._manifest.drafts(draft_id=draft_id)
        return PolicyDraft.from_row(rows[0]) if rows else None

    def draft_policy_items(self, source: str) -> list[PolicyDraft]:
        """(Re)draft the support items of one ingested policy document, offline; reviews of unchanged drafts
        are kept."""
        from assistant.policy_rules import PolicyDraft, draft_items, fingerprint

        doc = self._manifest.get(source)
        if doc is None or doc["kind"] != "document":
            raise AssistantError(f"知识库中没有文件 {source}。用 `kechuang kb list` 查看已入库的文件。")
        drafts = draft_items(self.chunks(source), doc)
        self._manifest.save_drafts(source, [
            (d.item.id, PolicyDraft(id=d.item.id, source=source, item=d.item,
                                    condition_review=["pending"] * len(d.item.conditions), notes=d.notes).data(),
             fingerprint(d.item)) for d in drafts])
        return self.policy_drafts(source)

    def save_policy_drafts(self, source: str, items: list[PolicyItem], notes: list[str] | None = None) -> list[PolicyDraft]:
        """Store support items extracted by other means (an LLM) as drafts of ``source``, replacing its earlier
        drafts; they go through the same review as offline drafts (reviews of unchanged items are kept)."""
        from assistant.policy_rules import PolicyDraft, fingerprint

        doc = self._manifest.get(source)
        if doc is None or doc["kind"] != "document":
            raise AssistantError(f"知识库中没有文件 {source}。用 `kechuang kb list` 查看已入库的文件。")
        self._manifest.save_drafts(source, [
            (i.id, PolicyDraft(id=i.id, source=source, item=i, condition_review=["pending"] * len(i.conditions),
                               notes=list(notes or [])).data(), fingerprint(i)) for i in items])
        return self.policy_drafts(source)

    def review_policy_draft(self, draft_id: str, decision: str | None = None, *,
                            conditions: dict[int, str] | None = None, edits: dict[str, Any] | None = None) -> PolicyDraft:
        """Accept or reject a drafted item, accept/reject single conditions (by position, 0-based) and edit its
        fields (name, benefit, deadline, valid_to, apply_mode, region, level …). Accepting marks every condition
        not rejected as accepted."""
        draft = self.policy_draft(draft_id)
        if draft is None:
            raise AssistantError(f"没有编号为 {draft_id} 的待审核条目。用 `kechuang policy drafts` 查看。")
        review = draft.reviews()
        for i, state in (conditions or {}).items():
            if not 0 <= i < len(review) or state not in ("pending", "accepted", "rejected"):
                raise AssistantError(f"条件序号 {i + 1} 或状态 {state} 无效（共 {len(review)} 条；状态为 accepted/rejected）。")
            review[i] = state  # type: ignore[assignment]
        item = draft.item
        if edits:
            try:
                item = PolicyItem.model_validate({**item.model_dump(), **edits})
            except Exception as exc:
                raise AssistantError(f"修改无效：{exc}") from exc
        status = draft.status
        if decision == "accept":
            status = "accepted"
            review = ["rejected" if r == "rejected" else "accepted" for r in review]
        elif decision == "reject":
            status = "rejected"
        elif decision == "reopen":
            status = "draft"
        elif decision is not None:
            raise AssistantError("审核结论只能是 accept、reject 或 reopen。")
        draft = draft.model_copy(update={"item": item, "condition_review": review, "status": status})
        self._manifest.update_draft(draft_id, draft.data(), status)
        return draft

    def chunks(self, source: str, *, disabled: bool = False) -> list[Chunk]:
        """The chunks of one document or record, in order; with ``disabled=True`` also those a person disabled
        (their metadata says ``disabled``; an edited one carries ``edited_at``)."""
        return [Chunk(chunk_id=r["chunk_id"], source=r["source"], title=r["title"], heading=r["heading"] or "",
                      text=r["text"], start=r["start"], end=r["end"], ordinal=r["ordinal"],
                      metadata={**r["metadata"], "disabled": r["disabled"],
                                **({"edited_at": r["edited_at"]} if r["edited_at"] else {})})
                for r in self._manifest.chunks_of(source, disabled=disabled)]

    def documents(self, kbs: list[str] | None = None) -> list[dict[str, Any]]:
        """One row per indexed document or record: source, file, title, kind, status, date, region, type, kb."""
        rows = self._manifest.documents()
        return rows if kbs is None else [r for r in rows if r["kb"] in kbs]

    # -- knowledge bases ---------------------------------------------------------------------------
    def bases(self) -> list[dict[str, Any]]:
        """Every knowledge base: id, name, readers, writers, documents, chunks (the default first)."""
        return self._manifest.bases()

    def base(self, ref: str) -> dict[str, Any]:
        """A knowledge base by id or name; NotFoundError naming the ones there are."""
        bases = self._manifest.bases()
        ref = (ref or "").strip()
        found = next((b for b in bases if ref in (b["id"], b["name"])), None)
        if found is None:
            names = "、".join(f"{b['name']}（{b['id']}）" for b in bases)
            raise NotFoundError(f"没有知识库“{ref}”。现有：{names}。")
        return found

    def create_base(self, name: str, readers: Iterable[str] = DEFAULT_READERS,
                    writers: Iterable[str] = DEFAULT_WRITERS) -> dict[str, Any]:
        name = _base_name(name)
        if any(name in (b["id"], b["name"]) for b in self._manifest.bases()):
            raise InputError(f"知识库“{name}”已存在。")
        base_id = "kb-" + secrets.token_hex(4)
        self._manifest.put_base(base_id, name, _principals(readers), _principals(writers))
        return self.base(base_id)

    def rename_base(self, ref: str, name: str) -> dict[str, Any]:
        base, name = self.base(ref), _base_name(name)
        if any(name in (b["id"], b["name"]) for b in self._manifest.bases() if b["id"] != base["id"]):
            raise InputError(f"知识库“{name}”已存在。")
        self._manifest.put_base(base["id"], name, base["readers"], base["writers"])
        return self.base(base["id"])

    def set_base_access(self, ref: str, readers: Iterable[str] | None = None,
                        writers: Iterable[str] | None = None) -> dict[str, Any]:
        """Who may read (search, ask) and write (upload, delete, edit chunks) a knowledge base: role names
        (enterprise, staff) and single users as "user:<name>"; administrators always may."""
        base = self.base(ref)
        self._manifest.put_base(base["id"], base["name"],
                                base["readers"] if readers is None else _principals(readers),
                                base["writers"] if writers is None else _principals(writers))
        return self.base(base["id"])

    @_writes
    def delete_base(self, ref: str) -> list[str]:
        """Delete a knowledge base with every document in it; the default one cannot be deleted."""
        base = self.base(ref)
        if base["id"] == DEFAULT_BASE:
            raise InputError("默认知识库不能删除（可以删除其中的文件）。")
        sources = self._manifest.sources_in(base["id"])
        for source in sources:
            self.remove_source(source)
        self._manifest.delete_base(base["id"])
        return sources

    # -- chunks a person corrects --------------------------------------------------------------------
    def _chunk_row(self, chunk_id: str) -> dict[str, Any]:
        row = self._manifest.chunk(chunk_id)
        if row is None:
            raise NotFoundError(f"没有分块 {chunk_id}。用 `kechuang kb chunks 文件名` 查看分块编号。")
        return row

    def chunk(self, chunk_id: str) -> Chunk:
        """One chunk by id (disabled or not); NotFoundError when there is none."""
        return self._as_chunk(self._chunk_row(chunk_id))

    def kb_of_source(self, source: str) -> str:
        """The knowledge base a document or record belongs to (the default one for a source it does not have)."""
        row = self._manifest.get(source)
        return row["kb"] if row else DEFAULT_BASE

    def kb_of_chunk(self, chunk_id: str) -> str:
        return self._chunk_row(chunk_id)["metadata"].get("kb") or DEFAULT_BASE

    @_writes
    def set_chunk_disabled(self, chunk_id: str, disabled: bool = True) -> Chunk:
        """Take a chunk out of retrieval (BM25 and vectors) or put it back; it stays in the document's chunk list."""
        row = self._chunk_row(chunk_id)
        if disabled:
            self._store.delete_ids([chunk_id])
        else:
            chunk = self._as_chunk(row)
            self._store.upsert([chunk_id], self.embeddings.embed_documents([chunk.embed_text()]), [chunk.text],
                               [row["metadata"]])
        self._manifest.set_chunk_disabled(chunk_id, disabled)
        return self._as_chunk(self._chunk_row(chunk_id))

    @_writes
    def edit_chunk(self, chunk_id: str, text: str) -> Chunk:
        """Replace a chunk's text (a person corrects an OCR error or a bad split): re-tokenized, re-embedded and
        marked edited. The document's other chunks and its offsets stay; re-ingesting a changed file replaces it."""
        text = (text or "").strip()
        if not text:
            raise InputError("分块内容不能为空；不想让它被检索到，请停用它。")
        limit = self.settings.chunking.chunk_tokens * 4  # characters: a few chunks' worth, not a document
        if len(text) > limit:
            raise InputError(f"分块内容过长（{len(text)} 字，上限 {limit} 字）。请拆成几段或修改原文件后重新导入。")
        row = self._chunk_row(chunk_id)
        meta = {**row["metadata"], "edited": True}
        chunk = self._as_chunk({**row, "text": text, "metadata": meta})
        if not row["disabled"]:
            self._store.upsert([chunk_id], self.embeddings.embed_documents([chunk.embed_text()]), [text], [meta])
        self._manifest.edit_chunk(chunk_id, text, tokenize(chunk.embed_text()), meta)
        return self._as_chunk(self._chunk_row(chunk_id))

    @staticmethod
    def _as_chunk(row: dict[str, Any]) -> Chunk:
        return Chunk(chunk_id=row["chunk_id"], source=row["source"], title=row["title"], heading=row["heading"] or "",
                     text=row["text"], start=row["start"], end=row["end"], ordinal=row["ordinal"],
                     search_key=search_key(row["text"]),
                     metadata={**row["metadata"], "disabled": bool(row.get("disabled"))})

    def continuation(self, ctx: Context) -> Context | None:
        """The passage that follows a retrieved one in its document (a list that runs on), as a Context."""
        rows = self._manifest.chunks_of(ctx.source)
        after = [r for r in rows if r["start"] > ctx.start and r["end"] > ctx.end]
        if not after:
            return None
        return _passage(min(after, key=lambda r: r["start"]))

    def author_passage(self, ctx: Context) -> Context | None:
        """The passage of ``ctx``'s document that holds the line naming its author (``find_byline``), if any."""
        want = ctx.metadata.get("author_chunk")
        r = next((r for r in self._manifest.chunks_of(ctx.source) if want and r["chunk_id"] == want), None)
        return _passage(r) if r is not None else None

    def similarity(self, query: str, texts: list[str]) -> list[float]:
        """Cosine similarity of a query to each text by the index's embedding model (vectors cached by content)."""
        return self.similarities([query], texts)[0]

    def similarities(self, queries: list[str], texts: list[str]) -> list[list[float]]:
        """Cosine similarity of each query (embedded as a query) to each text (embedded as a passage, cached by
        content): one row per query."""
        import numpy as np

        if not queries or not texts:
            return [[] for _ in queries]
        q = np.asarray([self.embeddings.embed_query(search_key(x)) for x in queries], dtype=np.float32)
        m = np.asarray(self.embeddings.embed_documents([search_key(t) for t in texts]), dtype=np.float32)
        q /= np.where((n := np.linalg.norm(q, axis=1, keepdims=True)) == 0, 1.0, n)
        m /= np.where((n := np.linalg.norm(m, axis=1, keepdims=True)) == 0, 1.0, n)
        return (q @ m.T).tolist()

    def vocabulary(self) -> set[str]:
        """Every token the index knows (the offline answerer weighs terms the corpus never uses)."""
        self._bm25.ensure(self._manifest, stale_ok=self._write_lock.writing_elsewhere())
        return self._bm25.vocab

    def _recover(self) -> None:
        try:
            with self._write_lock.hold():
                self._recover_unlocked()
        except WriterBusyError:
            pass  # another process is writing: its pending documents are its work in progress, not debris

    def _recover_unlocked(self) -> None:
        """Finish what an interrupted ingest left: drop every pending document's vectors and rows. Then bring an
        index written by an older version up to date: the default knowledge base exists, and every chunk says
        which knowledge base it belongs to (its documents' column, in the manifest and in Chroma)."""
        for source in self._manifest.pending():
            log.warning("removing half-ingested document %s (an earlier ingest was interrupted)", source)
            self._store.delete_ids(self._manifest.chunk_ids(source))
            self._store.delete_source(source)
            self._manifest.delete_document(source)
        if not any(b["id"] == DEFAULT_BASE for b in self._manifest.bases()):
            self._manifest.put_base(DEFAULT_BASE, DEFAULT_BASE_NAME, list(DEFAULT_READERS), list(DEFAULT_WRITERS))
        missing = self._manifest.chunks_missing("kb")
        if missing:
            kb_of = {d["source"]: d["kb"] for d in self._manifest.documents()}
            rows = [(cid, {**meta, "kb": kb_of.get(meta.get("source"), DEFAULT_BASE)}) for cid, meta in missing]
            self._manifest.set_chunk_metadata(rows)
            enabled = set(self._manifest.complete_chunk_ids())
            live = [(cid, m) for cid, m in rows if cid in enabled]
            self._store.update_metadata([cid for cid, _ in live], [m for _, m in live])

    # -- ingest --------------------------------------------------------------------------------
    @_writes
    def ingest(self, paths: Iterable[Path | str],
               progress: Callable[[str, int, int], None] | None = None, *, kb: str = DEFAULT_BASE,
               on_file: Callable[[FileResult], None] | None = None,
               stop: Callable[[], bool] | None = None,
               on_batch: Callable[[str, int, int, int | None], None] | None = None) -> IngestReport:
        """Ingest files and folders into knowledge base ``kb``; ``progress(name, i, n)`` before each file,
        ``on_batch(name, chunks embedded, chunks to embed, model tokens of the batch or None)`` after each batch of
        embeddings within it, and ``on_file(result)`` after it. When ``stop()`` turns true the ingest ends: a file still being read (in the
        worker process, see ``ingest.worker``) is abandoned, one being written is finished (a file is never half in
        the index); the files left are ``report.not_started``."""
        kb = self.base(kb)["id"]
        files = iter_files([Path(p) for p in paths], self.settings.ingest.extensions)
        report = IngestReport()
        self._on_batch = on_batch
        try:
            self._ingest_files(files, kb, report, progress, on_file, stop)
        finally:
            self._on_batch = None
        if progress:
            progress("", len(files), len(files))
        return report

    def _ingest_files(self, files: list[Path], kb: str, report: IngestReport, progress, on_file, stop) -> None:
        """Each file is read (in the worker process) while the one before it is embedded and written: reading a
        scanned PDF (OCR) and embedding the previous file overlap. Only one file is read ahead."""
        from assistant.ingest.worker import IngestStopped

        aborted = threading.Event()  # the caller is gone (an exception here, a second Ctrl+C): stop reading at once

        def stop_reading() -> bool:
            return aborted.is_set() or (stop is not None and stop())

        reader = ThreadPoolExecutor(1, thread_name_prefix="read-ahead")
        reads: dict[int, Future] = {}

        def read(j: int) -> None:
            if j < len(files) and j not in reads:
                reads[j] = reader.submit(self._read_file, files[j], kb, stop_reading)

        try:
            for i, path in enumerate(files):
                if stop is not None and stop():
                    report.not_started = [f.name for f in files[i:]]
                    break
                if progress:
                    progress(path.name, i, len(files))
                read(i)
                read(i + 1)
                try:
                    result = self._index_file(path, kb, reads.pop(i).result())
                except IngestStopped:  # stopped while this file was read: it is left out whole, like the ones after it
                    report.not_started = [f.name for f in files[i:]]
                    break
                except AssistantError as exc:
                    result = FileResult(path.name, "failed", errors=[str(exc)])
                except Exception as exc:  # one broken file must never stop the batch
                    log.exception("unexpected error ingesting %s", path)
                    result = FileResult(path.name, "failed",
                                        errors=[f"{path.name}: 处理失败（{type(exc).__name__}: {exc}）"])
                report.files.append(result)
                if on_file:
                    on_file(result)
        except BaseException:
            aborted.set()
            raise
        finally:
            if reads:  # a file read ahead that will not be written (stopped): abandon it
                aborted.set()
            reader.shutdown(wait=True, cancel_futures=True)

    @_writes
    def ingest_file(self, path: Path, kb: str = DEFAULT_BASE, *, stop: Callable[[], bool] | None = None) -> FileResult:
        return self._index_file(path, kb, self._read_file(path, kb, stop))

    def _read_file(self, path: Path, kb: str, stop: Callable[[], bool] | None) -> tuple[str, Any]:
        """The reading half of a file's ingest (checks, then parsing in the worker process): ("document", Document)
        or ("records", (records, errors)). Writes nothing."""
        # the reading modules are imported by what ingests: a process that only searches never loads them
        from assistant.ingest import worker
        from assistant.ingest.documents import build_document
        from assistant.ingest.loaders import DOCUMENT_EXTENSIONS
        from assistant.ingest.worker import IngestStopped

        if stop is not None and stop():  # a file queued to be read ahead when the ingest was stopped
            raise IngestStopped(f"{path.name}: 已停止，本文件未导入。", source=path.name)
        if not path.exists():
            raise IngestError(f"{path}: 文件不存在。", source=str(path))
        other = {row["kb"] for s in self._manifest.sources_for(path.name)
                 if (row := self._manifest.get(s)) and row["file"] == path.name and row["kb"] != kb}
        if other:
            raise IngestError(f"{path.name}: 同名文件已在知识库“{self.base(other.pop())['name']}”中。"
                              "请改名后上传，或先从那个知识库删除它。", source=path.name)
        ext = path.suffix.lower()
        ing = self.settings.ingest
        max_bytes = int(ing.max_file_mb * 1024 * 1024)
        if ext in RECORD_EXTENSIONS:
            if path.stat().st_size > max_bytes:
                raise IngestError(f"{path.name}: 文件超过上限 {ing.max_file_mb:.0f} MB。", source=path.name)
            return "records", (worker.read_records(path, ing, stop=stop) if ing.read_in_worker
                               else load_records(path, ing))
        if ext not in DOCUMENT_EXTENSIONS:
            raise IngestError(f"{path.name}: 不支持的文件类型 {ext or '(无扩展名)'}。", source=path.name)
        if ing.read_in_worker:
            return "document", worker.read_document(path, path.name, max_bytes, ing, self.settings.cache_dir, stop=stop)
        return "document", build_document(path, path.name, max_bytes, ing, self.settings.cache_dir)

    def _index_file(self, path: Path, kb: str, read: tuple[str, Any]) -> FileResult:
        """The writing half: chunks, embeddings and tokens of what ``_read_file`` returned, into the index."""
        from assistant.policy_rules import looks_like_policy

        kind, value = read
        if kind == "records":
            return self._index_records(path, kb, *value)
        doc = value.model_copy(update={"kb": kb})
        status, n, note = self._upsert_documents([doc], path.name)[0]
        if doc.metadata.get("ocr") and status in {"added", "updated"}:
            note = "；".join(x for x in (note, f"扫描件：第 {doc.metadata.get('ocr_pages')} 页由 OCR（{doc.metadata['ocr']}）"
                                                  "识别，可能有错字：发现后可修改分块（网页“查看分块”，或 kechuang kb edit-chunk）") if x)
        if status in {"added", "updated"} and (doc.doc_type == "policy" or looks_like_policy(doc.text)):
            try:
                drafts = self.draft_policy_items(doc.source)
                note = "；".join(x for x in (note, f"已提取 {len(drafts)} 项支持事项待审核" if drafts else "") if x)
            except Exception:  # drafting is a help for staff; it must never fail an ingest
                log.exception("drafting support items of %s failed", doc.source)
        return FileResult(path.name, status, documents=1 if status in {"added", "updated"} else 0, chunks=n, note=note)

    def _index_records(self, path: Path, kb: str, records: list, errors: list) -> FileResult:
        docs = []
        for r in records:
            doc = to_document(r, path).model_copy(update={"kb": kb})
            prev = self._manifest.get(doc.source)
            if prev is not None and prev["file"] != path.name:  # another file's record: never replaced from here
                errors.append(IngestError(f"{path.name}：编号 {doc.source} 已由文件 {prev['file']} 导入，本条未导入。"
                                          "请改用新的编号，或在原文件中修改。", source=path.name))
                continue
            docs.append(doc)
        # marked as being written until every record is in: an interrupted ingest is shown and finished next time
        self._manifest.begin_file(path.name, len(docs))
        results = self._upsert_documents(docs, path.name)
        self._manifest.end_file(path.name)
        # Records deleted from the file since the last ingest leave the index too.
        keep = {d.source for d in docs}
        for source in self._manifest.sources_for(path.name):
            if source not in keep and source != path.name:
                self.remove_source(source)
        changed = [r for r in results if r[0] in {"added", "updated"}]
        status = "unchanged" if not changed else ("added" if all(r[0] == "added" for r in changed) else "updated")
        if errors:
            status = "partial" if docs else "failed"
        return FileResult(path.name, status, documents=len(changed), chunks=sum(r[1] for r in changed),
                          skipped=len(results) - len(changed), errors=[str(e) for e in errors])

    def _chunks_for(self, doc: Document) -> list[Chunk]:
        from assistant.ingest.chunking import chunk_metadata

        if doc.kind == "record":
            from assistant._text import search_key

            return [Chunk(chunk_id=doc.source, source=doc.source, title=doc.title, text=doc.text, start=0,
                          end=len(doc.text), ordinal=0, search_key=search_key(doc.text),
                          metadata=chunk_metadata(doc))]
        return self._chunker.chunk(doc)

    def _upsert_documents(self, docs: list[Document], file: str) -> list[tuple[str, int, str]]:
        """Returns (status, chunks written, note) per document."""
        out: list[tuple[str, int, str] | None] = [None] * len(docs)
        todo: list[tuple[int, Document, list[Chunk], bool]] = []
        seen_hash: dict[str, str] = {}
        for i, doc in enumerate(docs):
            prev = self._manifest.get(doc.source)
            if prev and prev["status"] == "complete" and prev["content_hash"] == doc.content_hash:
                out[i] = ("unchanged", 0, "")
                continue
            twin = seen_hash.get(doc.content_hash) or self._manifest.find_by_hash(doc.content_hash, doc.source, doc.kb)
            if twin:
                if prev and not prev["alias_of"]:
                    self.remove_source(doc.source)
                self._manifest.record_alias(doc, file, twin)
                out[i] = ("duplicate", 0, f"内容与 {twin} 相同，未重复索引")
                continue
            seen_hash[doc.content_hash] = doc.source
            todo.append((i, doc, self._chunks_for(doc), prev is not None and not prev["alias_of"]))
        if not todo:
            return out  # type: ignore[return-value]
        all_chunks = [c for _, _, cs, _ in todo for c in cs]
        vectors, tokens = self._embed_and_tokenize([c.embed_text() for c in all_chunks], file)
        pos = 0
        for i, doc, chunks, replacing in todo:
            n = len(chunks)
            vecs, toks = vectors[pos:pos + n], tokens[pos:pos + n]
            pos += n
            self._manifest.mark_pending(doc, file)
            if replacing:
                self._store.delete_ids(self._manifest.chunk_ids(doc.source))
            self._store.delete_source(doc.source)
            if chunks:
                self._store.upsert([c.chunk_id for c in chunks], vecs, [c.text for c in chunks],
                                  [c.metadata for c in chunks])
            self._manifest.commit_document(doc, file, chunks, toks)
            out[i] = ("updated" if replacing else "added", n, "")
        return out  # type: ignore[return-value]

    def _embed_and_tokenize(self, texts: list[str], file: str) -> tuple[list[list[float]], list[list[str]]]:
        """Vectors and BM25 tokens of a file's chunks, in batches of ``EMBED_BATCH``: after each one the ingest's
        ``on_batch`` hears how far the file is (a file of 2,000 records takes minutes), and each batch's jieba
        segmentation runs in a thread while the batch is embedded (the engine releases the GIL)."""
        vectors: list[list[float]] = []
        segmented = []
        with ThreadPoolExecutor(1, thread_name_prefix="tokenize") as pool:
            for i in range(0, len(texts), EMBED_BATCH):
                part = texts[i:i + EMBED_BATCH]
                segmented.append(pool.submit(lambda p: [tokenize(t) for t in p], part))
                vectors.extend(self.embeddings.embed_documents(part))
                if self._on_batch is not None:
                    self._on_batch(file, len(vectors), len(texts), count_tokens(self.embeddings, part))
            tokens = [t for f in segmented for t in f.result()]
        return vectors, tokens

    # -- management ----------------------------------------------------------------------------
    @_writes
    def remove_source(self, source: str) -> None:
        self._store.delete_ids(self._manifest.chunk_ids(source))
        self._store.delete_source(source)
        self._manifest.delete_document(source)

    def sources_for(self, name: str) -> list[str]:
        """The sources a name stands for: a document's file name, a record's id, or every record of a record file."""
        return self._manifest.sources_for(name)

    @_writes
    def remove(self, name: str) -> list[str]:
        """Remove a document (by file name) or a record (by id), or every record of a record file."""
        sources = self._manifest.sources_for(name)
        if not sources:
            raise NotFoundError(f"知识库中没有 {name}。用 `kechuang kb list` 查看已入库的来源。")
        for s in sources:
            self.remove_source(s)
        self._manifest.end_file(name)
        for row in self._manifest.documents():  # duplicates that pointed at a removed document
            if row["alias_of"] in sources:
                self._manifest.delete_document(row["source"])
        return sources

    def check(self, repair: bool = False) -> dict[str, Any]:
        """Whether the vectors match the manifest: chunks of complete documents without a vector (a write cut off
        between the two stores, or another writer's interference) and vectors with no chunk. With ``repair``,
        missing vectors are embedded again from the manifest's text and orphans deleted."""
        with self._write_lock.hold():
            chunks = set(self._manifest.complete_chunk_ids())
            vectors = set(self._store.ids())
            missing = sorted(chunks - vectors)
            orphans = sorted(vectors - chunks)
            if missing or orphans:  # the exact-search copy of the vectors may hold what the store lost
                self._backend.forget_exact()
            out: dict[str, Any] = {"chunks": len(chunks), "vectors": len(vectors), "missing_vectors": len(missing),
                                   "orphan_vectors": len(orphans), "pending": len(self._manifest.pending()),
                                   "repaired": False}
            if repair and (missing or orphans):
                self._store.delete_ids(orphans)
                rows = self._manifest.chunks_by_id(missing)
                todo = [self._as_chunk(rows[cid]) for cid in missing if cid in rows]
                for i in range(0, len(todo), 256):
                    part = todo[i:i + 256]
                    self._store.upsert([c.chunk_id for c in part],
                                       self.embeddings.embed_documents([c.embed_text() for c in part]),
                                       [c.text for c in part], [rows[c.chunk_id]["metadata"] for c in part])
                out["repaired"] = True
                self._backend.forget_exact()
            return out

    def list_files(self) -> list[dict[str, Any]]:
        """One row per ingested file, with a ``note`` on duplicates for display."""
        rows = self._manifest.files()
        unfinished = self._manifest.unfinished_files()
        for r in rows:
            r["note"] = (f"与 {r['alias_of']} 内容相同" if r["alias_of"] and r["documents"] == 1
                         else f"{r['duplicates']} 条重复" if r["duplicates"] else "")
            if r["file"] in unfinished:
                r["status"] = "partial"
                r["note"] = "；".join(x for x in (r["note"], f"导入中断：已导入 {r['documents']}/{unfinished[r['file']]} 条，"
                                                  "再次导入该文件即可续完") if x)
        return rows

    def stats(self) -> dict[str, Any]:
        s = self._manifest.stats()
        s.update(collection=self._store.name, vectors=self._store.count(), data_dir=str(self.settings.data_dir),
                 store=(f"chroma server {self.settings.store.host}:{self.settings.store.port}"
                        if self.settings.store.host else "chroma (embedded)"))
        return s


def _base_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name or "").strip()
    if not name:
        raise InputError("知识库名称不能为空。")
    if len(name) > 40:
        raise InputError(f"知识库名称过长（{len(name)} 字，上限 40 字）。")
    return name


def _principals(items: Iterable[str]) -> list[str]:
    """Role names and "user:<name>" entries, checked; anything else is an InputError naming what is allowed."""
    out: list[str] = []
    for item in items:
        item = (item or "").strip()
        if item in ("enterprise", "staff") or (item.startswith("user:") and item[5:].strip()):
            out.append(item)
        elif item:
            raise InputError(f"无效的授权对象“{item}”：只能是 enterprise、staff 或 user:用户名。")
    return list(dict.fromkeys(out))


def _passage(row: dict[str, Any]) -> Context:
    """A chunk row of the manifest as a passage (a Context not retrieved by a query: score 0)."""
    return Context(chunk_id=row["chunk_id"], source=row["source"], title=row["title"], heading=row["heading"] or "",
                   text=row["text"], start=row["start"], end=row["end"], score=0.0, metadata=row["metadata"])
