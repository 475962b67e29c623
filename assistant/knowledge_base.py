"""The knowledge base: ingest files and records into the manifest, Chroma and BM25; list, stats, remove.

Ingest is idempotent and incremental: a document whose normalized content hash is unchanged is skipped;
a changed one replaces its chunks; the same content under another file name is recorded as a duplicate
of the first and indexed once. Embeddings come from a content-hash cache.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant._text import search_key, tokenize
from assistant.bm25 import BM25Index
from assistant.embeddings import make_embeddings
from assistant.errors import AssistantError, IngestError, NotFoundError
from assistant.ingest.chunking import Chunker, chunk_metadata
from assistant.ingest.documents import build_document
from assistant.ingest.loaders import DOCUMENT_EXTENSIONS
from assistant.manifest import Manifest
from assistant.policy_rules import PolicyDraft, draft_items, fingerprint, looks_like_policy
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

if TYPE_CHECKING:
    from assistant.retrieval import SearchFilters

log = logging.getLogger(__name__)


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
            "details": [f.__dict__ for f in self.files],
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
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in exts
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
        self._manifest = Manifest(self.index_dir / "manifest.sqlite")
        self._store = VectorStore(settings)
        self._bm25 = BM25Index(self.index_dir / "bm25")
        self._chunker = Chunker(settings.chunking)
        self._embeddings = None
        from assistant.retrieval import HybridSearcher

        self._searcher = HybridSearcher(lambda: self.settings.retrieval, self._manifest, self._bm25, self._store,
                                        lambda: self.embeddings)
        self._recover()

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

    def records(self, kind: str | None = None) -> list[RecordBase]:
        """Platform records of one kind (need, expert, achievement, organization, service_team, policy) as
        typed models, re-hydrated from the index."""
        out = [parse_record(r) for r in self._manifest.records(kind)]
        if kind in (None, "policy"):
            out += [d.accepted_item() for d in self.policy_drafts(status="accepted")]
        return out

    # -- support items drafted from policy documents, reviewed by staff ---------------------------
    def policy_drafts(self, source: str | None = None, status: str | None = None) -> list[PolicyDraft]:
        return [PolicyDraft.from_row(r) for r in self._manifest.drafts(source, status)]

    def policy_draft(self, draft_id: str) -> PolicyDraft | None:
        rows = self._manifest.drafts(draft_id=draft_id)
        return PolicyDraft.from_row(rows[0]) if rows else None

    def draft_policy_items(self, source: str) -> list[PolicyDraft]:
        """(Re)draft the support items of one ingested policy document, offline; reviews of unchanged drafts
        are kept."""
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

    def chunks(self, source: str) -> list[Chunk]:
        """The chunks of one document or record, in order."""
        return [Chunk(chunk_id=r["chunk_id"], source=r["source"], title=r["title"], heading=r["heading"] or "",
                      text=r["text"], start=r["start"], end=r["end"], ordinal=r["ordinal"], metadata=r["metadata"])
                for r in self._manifest.chunks_of(source)]

    def documents(self) -> list[dict[str, Any]]:
        """One row per indexed document or record: source, file, title, kind, status, date, region, type."""
        return self._manifest.documents()

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
        self._bm25.ensure(self._manifest)
        return self._bm25.vocab

    def _recover(self) -> None:
        """Finish what an interrupted ingest left: drop every pending document's vectors and rows."""
        for source in self._manifest.pending():
            log.warning("removing half-ingested document %s (an earlier ingest was interrupted)", source)
            self._store.delete_ids(self._manifest.chunk_ids(source))
            self._store.delete_source(source)
            self._manifest.delete_document(source)

    # -- ingest --------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[Path | str],
               progress: Callable[[str, int, int], None] | None = None) -> IngestReport:
        files = iter_files([Path(p) for p in paths], self.settings.ingest.extensions)
        report = IngestReport()
        for i, path in enumerate(files):
            if progress:
                progress(path.name, i, len(files))
            try:
                result = self.ingest_file(path)
            except AssistantError as exc:
                result = FileResult(path.name, "failed", errors=[str(exc)])
            except Exception as exc:  # one broken file must never stop the batch
                log.exception("unexpected error ingesting %s", path)
                result = FileResult(path.name, "failed", errors=[f"{path.name}: 处理失败（{type(exc).__name__}: {exc}）"])
            report.files.append(result)
        if progress:
            progress("", len(files), len(files))
        return report

    def ingest_file(self, path: Path) -> FileResult:
        if not path.exists():
            raise IngestError(f"{path}: 文件不存在。", source=str(path))
        ext = path.suffix.lower()
        if ext in RECORD_EXTENSIONS:
            return self._ingest_records(path)
        if ext not in DOCUMENT_EXTENSIONS:
            raise IngestError(f"{path.name}: 不支持的文件类型 {ext or '(无扩展名)'}。", source=path.name)
        max_bytes = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        doc = build_document(path, path.name, max_bytes)
        status, n, note = self._upsert_documents([doc], path.name)[0]
        if status in {"added", "updated"} and (doc.doc_type == "policy" or looks_like_policy(doc.text)):
            try:
                drafts = self.draft_policy_items(doc.source)
                note = "；".join(x for x in (note, f"已提取 {len(drafts)} 项支持事项待审核" if drafts else "") if x)
            except Exception:  # drafting is a help for staff; it must never fail an ingest
                log.exception("drafting support items of %s failed", doc.source)
        return FileResult(path.name, status, documents=1 if status in {"added", "updated"} else 0, chunks=n, note=note)

    def _ingest_records(self, path: Path) -> FileResult:
        max_bytes = int(self.settings.ingest.max_file_mb * 1024 * 1024)
        if path.stat().st_size > max_bytes:
            raise IngestError(f"{path.name}: 文件超过上限 {self.settings.ingest.max_file_mb:.0f} MB。", source=path.name)
        records, errors = load_records(path)
        docs = [to_document(r, path) for r in records]
        results = self._upsert_documents(docs, path.name)
        # Records deleted from the file since the last ingest leave the index too.
        keep = {d.source for d in docs}
        for source in self._manifest.sources_for(path.name):
            if source not in keep and source != path.name:
                self.remove_source(source)
        changed = [r for r in results if r[0] in {"added", "updated"}]
        status = "unchanged" if not changed else ("added" if all(r[0] == "added" for r in changed) else "updated")
        if errors:
            status = "partial" if records else "failed"
        return FileResult(path.name, status, documents=len(changed), chunks=sum(r[1] for r in changed),
                          skipped=len(results) - len(changed), errors=[str(e) for e in errors])

    def _chunks_for(self, doc: Document) -> list[Chunk]:
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
            twin = seen_hash.get(doc.content_hash) or self._manifest.find_by_hash(doc.content_hash, doc.source)
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
        vectors = self.embeddings.embed_documents([c.embed_text() for c in all_chunks])
        tokens = [tokenize(c.embed_text()) for c in all_chunks]
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

    # -- management ----------------------------------------------------------------------------
    def remove_source(self, source: str) -> None:
        self._store.delete_ids(self._manifest.chunk_ids(source))
        self._store.delete_source(source)
        self._manifest.delete_document(source)

    def sources_for(self, name: str) -> list[str]:
        """The sources a name stands for: a document's file name, a record's id, or every record of a record file."""
        return self._manifest.sources_for(name)

    def remove(self, name: str) -> list[str]:
        """Remove a document (by file name) or a record (by id), or every record of a record file."""
        sources = self._manifest.sources_for(name)
        if not sources:
            raise NotFoundError(f"知识库中没有 {name}。用 `kechuang kb list` 查看已入库的来源。")
        for s in sources:
            self.remove_source(s)
        for row in self._manifest.documents():  # duplicates that pointed at a removed document
            if row["alias_of"] in sources:
                self._manifest.delete_document(row["source"])
        return sources

    def list_files(self) -> list[dict[str, Any]]:
        """One row per ingested file, with a ``note`` on duplicates for display."""
        rows = self._manifest.files()
        for r in rows:
            r["note"] = (f"与 {r['alias_of']} 内容相同" if r["alias_of"] and r["documents"] == 1
                         else f"{r['duplicates']} 条重复" if r["duplicates"] else "")
        return rows

    def stats(self) -> dict[str, Any]:
        s = self._manifest.stats()
        s.update(collection=self._store.name, vectors=self._store.count(), data_dir=str(self.settings.data_dir),
                 store=(f"chroma server {self.settings.store.host}:{self.settings.store.port}"
                        if self.settings.store.host else "chroma (embedded)"))
        return s


def _passage(row: dict[str, Any]) -> Context:
    """A chunk row of the manifest as a passage (a Context not retrieved by a query: score 0)."""
    return Context(chunk_id=row["chunk_id"], source=row["source"], title=row["title"], heading=row["heading"] or "",
                   text=row["text"], start=row["start"], end=row["end"], score=0.0, metadata=row["metadata"])
