"""The answer chain (LangChain LCEL): condense a follow-up with the history → retrieve (hybrid, filters) →
build the context within a token budget → answer with citation markers (LLM) or by quoting sentences
(offline) → validate citations → an Answer stamped with the settings fingerprint and prompt hashes."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant._text import answer_sentences, count_tokens, search_key, split_sentences
from assistant.citations import best_sentence, cite, normalize_markers
from assistant.decompose import per_entity
from assistant.domain import wording
from assistant.errors import InputError, ProviderError
from assistant.extractive import answer_extractive
from assistant.injection import looks_like_injection
from assistant.knowledge_base import KnowledgeBase
from assistant.llm.factory import describe, llm_enabled, make_chat_model, resolve
from assistant.llm.gateway import LLMGateway
from assistant.prompts import NOT_FOUND, PROMPTS_DIR, prompt_hash, render
from assistant.retrieval import SearchFilters
from assistant.settings import Settings
from assistant.types import Answer, Citation, Context

if TYPE_CHECKING:
    from assistant.langchain_retriever import KechuangRetriever

_MARKER = re.compile(r"\[(\d{1,3})\]")  # after normalize_markers every marker reads [n]
_BLOCKED = "〔已屏蔽：疑似指令文本〕"


def _history_turns(history: list[dict[str, str]] | None) -> list[dict[str, str]]:
    return [t for t in (history or []) if t.get("role") in ("user", "assistant") and t.get("content")]


def condense_offline(question: str, history: list[dict[str, str]] | None) -> str:
    """Without an LLM: a follow-up (by what it says, see ``followup``) is rewritten from the conversation."""
    from assistant import followup

    return followup.standalone(question, [t["content"] for t in _history_turns(history) if t["role"] == "user"])


def sanitize_passage(text: str) -> str:
    """Replace sentences that try to instruct the assistant before a passage reaches the LLM."""
    parts, before = [], ""
    for s, e in split_sentences(text):
        seg = text[s:e]
        parts.append(_BLOCKED if looks_like_injection(seg, before) else seg)
        before = seg
    return "".join(parts)


def build_context(contexts: list[Context], budget: int) -> list[dict[str, Any]]:
    """Numbered passages for the prompt, best first, within ``budget`` tokens."""
    out, used = [], 0
    for c in contexts:
        item = {"n": len(out) + 1, "title": c.title, "heading": c.heading, "published": c.metadata.get("published"),
                "text": sanitize_passage(c.text), "ctx": c}
        cost = count_tokens(f"{c.title} {c.heading}\n{item['text']}") + 8
        if out and used + cost > budget:
            break
        out.append(item)
        used += cost
    return out


def validate(text: str, numbered: list[dict[str, Any]], system_prompt: str) -> tuple[str, list[Citation], list[str], bool]:
    """Keep only citation markers that name a passage; flag sentences with none; refuse on a leak."""
    if _leaks(text, system_prompt):
        return NOT_FOUND, [], [], True
    if search_key(NOT_FOUND.rstrip("。")) in search_key(text) and len(text) < len(NOT_FOUND) + 40:
        return NOT_FOUND, [], [], True
    valid = {item["n"]: item["ctx"] for item in numbered}
    # every marker shape a model writes becomes [n] (unknown numbers dropped) before sentences are read
    text = normalize_markers(text, lambda ns: list(dict.fromkeys(n for n in ns if n in valid)))
    cited: dict[int, list[str]] = {}
    unsupported: list[str] = []
    out_parts: list[str] = []
    for s, e in answer_sentences(text):
        seg = text[s:e]
        nums = [int(n) for n in _MARKER.findall(seg)]
        cleaned = seg
        plain = _MARKER.sub("", cleaned).strip()
        if plain and not nums and len(plain) > 6 and not plain.endswith(("：", ":")):
            unsupported.append(plain)
        for n in nums:
            cited.setdefault(n, []).append(plain)
        out_parts.append(cleaned)
    citations = []
    for n in sorted(cited):
        ctx = valid[n]
        found = best_sentence(ctx, " ".join(cited[n]))
        quote, at = found if found else (ctx.text[:120], 0)
        citations.append(cite(ctx, quote, at, n))
    return "".join(out_parts).strip(), citations, unsupported, False


def _leaks(text: str, system_prompt: str) -> bool:
    key = search_key(text)
    lines = [search_key(line.strip()) for line in system_prompt.splitlines() if len(line.strip()) >= 16]
    return any(line[:24] in key for line in lines)


def closest_documents(contexts: list[Context], n: int = 3) -> list[dict[str, Any]]:
    out, seen = [], set()
    for c in contexts:
        if c.source in seen:
            continue
        seen.add(c.source)
        out.append({"source": c.source, "title": c.title, "chunk_id": c.chunk_id, "score": c.score})
        if len(out) >= n:
            break
    return out


class Assistant:
    """Answers questions over a knowledge base, with an LLM when configured and offline otherwise."""

    def __init__(self, settings: Settings, kb: KnowledgeBase | None = None, chat_model=None):
        self.settings = settings
        self.kb = kb or KnowledgeBase(settings)
        self._chat = chat_model
        self.prompts_dir = settings.llm.prompts_dir or PROMPTS_DIR
        self.use_llm = chat_model is not None or llm_enabled(settings.llm)
        if self.use_llm and chat_model is None:
            resolve(settings.llm)  # fail now, with a message naming the setting, not at the first question

    @property
    def chat_model(self):
        if self._chat is None:
            self._chat = make_chat_model(self.settings.llm)
        return self._chat

    @property
    def mode_label(self) -> str:
        return describe(self.settings.llm, injected=self._chat is not None)

    def prompt_hashes(self) -> dict[str, str]:
        names = ["answer_system", "answer_user", "condense"] if self.use_llm else []
        return {n: prompt_hash(n, self.prompts_dir) for n in names}

    # -- steps ---------------------------------------------------------------------------------
    def condense(self, question: str, history: list[dict[str, str]] | None) -> str:
        turns = _history_turns(history)
        if not turns:
            return question
        if not self.use_llm:
            return condense_offline(question, history)
        prompt = render("condense", self.prompts_dir, history=turns[-6:], question=question)
        try:
            from langchain_core.messages import HumanMessage

            out = self.complete([HumanMessage(prompt)]).content.strip()
        except ProviderError:
            return condense_offline(question, history)
        return out.splitlines()[0].strip() if out else question

    def retriever(self, filters: SearchFilters | None = None) -> KechuangRetriever:
        """The LangChain retriever of this assistant's knowledge base (the retrieval step of the model's chain)."""
        from assistant.langchain_retriever import KechuangRetriever

        return KechuangRetriever(searcher=self.kb, k=self.settings.answer.k, filters=filters)

    def retrieve(self, question: str, filters: SearchFilters | None = None) -> list[Context]:
        """The passages for a question; one asked of several entities ("泰安和巴州分别…") is retrieved entity by
        entity and the passages taken in turn, so that every entity has its own.

        With a model, retrieval is the LangChain retriever, the first step of the model's chain. Offline there is
        no LangChain chain, and the same search is called directly: importing LangChain's retriever (its tracing
        schemas) cost a cold ``kechuang ask`` 0.4 s. Both give the same passages (tests/test_answer_llm.py)."""
        queries = per_entity(question) or [question]
        if self.use_llm:
            retriever = self.retriever(filters)
            lists = [[Context(text=d.page_content, **d.metadata) for d in retriever.invoke(q)] for q in queries]
        else:
            lists = [self.kb.search(q, k=self.settings.answer.k, filters=filters) for q in queries]
        seen: set[str] = set()
        out: list[Context] = []
        for rank in range(max(len(ctxs) for ctxs in lists)):
            for ctxs in lists:
                if rank < len(ctxs) and (ctx := ctxs[rank]).chunk_id not in seen:
                    seen.add(ctx.chunk_id)
                    out.append(ctx)
        return out

    def relevant(self, question: str, contexts: list[Context]) -> bool:
        """The retrieval gate of the LLM path: whether the passages share enough of the question's informative
        terms (``llm.min_term_coverage``) to be worth a model call; otherwise the answer is the not-found
        sentinel, without calling the model."""
        base, extra, _ = self.kb.query_terms(question)
        informative = [t for t in dict.fromkeys(base) if not wording.is_generic(t)]
        if not contexts:
            return False
        if not informative:
            return True
        matched = {t for c in contexts for t in c.matched_terms}
        covered = sum(t in matched for t in informative) + min(1, len(matched & set(extra)))
        return covered / len(informative) >= self.settings.llm.min_term_coverage

    def _messages(self, question: str, numbered: list[dict[str, Any]]) -> list:
        from langchain_core.messages import HumanMessage, SystemMessage

        return [SystemMessage(render("answer_system", self.prompts_dir)),
                HumanMessage(render("answer_user", self.prompts_dir, contexts=numbered, question=question))]

    @property
    def gateway(self) -> LLMGateway:
        return LLMGateway(self.chat_model)

    def complete(self, messages):
        """One chat completion with the configured model; provider failures become one clear ProviderError."""
        return self.gateway.complete(messages)

    # -- the pipeline ---------------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question stripped; InputError when it is empty or longer than ``answer.max_question_chars``."""
        question = (question or "").strip()
        if not question:
            raise InputError("问题不能为空：请输入要问的内容。")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise InputError(f"问题过长（{len(question)} 字）：请精简到 {limit} 字以内，或把长文档作为文件导入知识库后再提问。")
        return question

    def stream(self, question: str, history: list[dict[str, str]] | None = None,
               filters: SearchFilters | None = None) -> Iterator[str | Answer]:
        """The one answer pipeline: condense a follow-up → retrieve (the LangChain retriever) → answer by quoting
        (offline) or with the model behind a retrieval gate → validated Answer. Yields text as it is produced,
        then the Answer."""
        question = (question or "").strip()
        if not question:
            yield Answer(question="", text="请输入问题。", refused=True, settings_fingerprint=self.settings.fingerprint())
            return
        self.check_question(question)
        t0 = time.perf_counter()
        standalone = self.condense(question, history)
        contexts = self.retrieve(standalone, filters)
        if contexts and wording.asks_author(standalone) and (by := self.kb.author_passage(contexts[0])) \
                and all(c.chunk_id != by.chunk_id for c in contexts):
            contexts = [*contexts, by]  # "那篇报道是谁写的": the line naming the author, to quote
        base = dict(question=question, standalone_question=standalone, contexts=contexts,
                    settings_fingerprint=self.settings.fingerprint(), prompt_hashes=self.prompt_hashes())
        if not self.use_llm:
            text, citations, refused = answer_extractive(
                standalone, contexts, max_sentences=self.settings.answer.max_sentences,
                min_coverage=self.settings.answer.min_coverage, known=self.kb.vocabulary(),
                similarity=self.kb.similarity, dense_weight=self.settings.answer.dense_weight,
                continuation=self.kb.continuation)
            ans = Answer(text=text, citations=citations, refused=refused, mode="extractive", **base)
            yield from _pieces(ans.text)
        else:
            numbered = build_context(contexts, self.settings.llm.context_tokens)
            if not numbered or not self.relevant(standalone, contexts):
                ans = Answer(text=NOT_FOUND, refused=True, mode="llm", model=self.mode_label, **base)
                yield NOT_FOUND
            else:
                msgs = self._messages(standalone, numbered)
                parts: list[str] = []
                usage = None
                for chunk in self.gateway.stream(msgs):
                    if chunk.content:
                        parts.append(chunk.content)
                        yield chunk.content
                    usage = getattr(chunk, "usage_metadata", None) or usage
                ans = self._finish("".join(parts), numbered, msgs, base, usage)
        if ans.refused:
            ans.closest = closest_documents(contexts)
        ans.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        yield ans

    def _finish(self, raw: str, numbered, msgs, base, usage) -> Answer:
        text, citations, unsupported, refused = validate(raw, numbered, msgs[0].content)
        if not refused and not citations:
            unsupported = unsupported or [text]
        return Answer(text=text, citations=citations, unsupported=unsupported, refused=refused, mode="llm",
                      model=self.mode_label,
                      usage={k: int(v) for k, v in (usage or {}).items() if isinstance(v, int)}, **base)

    def ask(self, question: str, history: list[dict[str, str]] | None = None,
            filters: SearchFilters | None = None) -> Answer:
        """``stream`` drained: the same pipeline, the Answer only."""
        last = deque(self.stream(question, history, filters), maxlen=1)[0]
        assert isinstance(last, Answer)
        return last


def _pieces(text: str, size: int = 8) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i:i + size]
