"""Use cases: what a user asks the product to do, as library functions returning typed results. The CLI,
the chat and the web UI only render these results (with the templates in ``assistant/templates``), so the same
request gives the same answer — and the same words (符合 / 可能符合 / 暂不符合 / 已失效) — in every face."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from assistant.accounts import ForbiddenError, User
from assistant.drafting.field_inference import infer_field
from assistant.drafting.match import KIND_LABELS, Match, match_supply
from assistant.drafting.need import (
    LABELS,
    REQUIRED,
    NeedPosting,
    budget_shown,
    deadline_shown,
    extract_need_llm,
    mask_contact,
    near_duplicates,
    render_posting,
)
from assistant.drafting.need_session import NeedSession
from assistant.drafting.report import LENGTHS, Report, ReportType, build_report, polish_overview
from assistant.drafting.report_revision import RevisionNotUnderstood, rewrite_llm
from assistant.drafting.report_revision import revise_report as revise_structure
from assistant.errors import AssistantError, NotFoundError
from assistant.knowledge_base import DEFAULT_BASE, KnowledgeBase
from assistant.profiles import ProfileStore, SavedProfile
from assistant.records import PolicyItem
from assistant.retrieval import SearchFilters
from assistant.support import (
    LEVEL_ORDER,
    EnterpriseProfile,
    MeasureResult,
    SupportFinder,
    SupportReport,
    profile_from_text,
)
from assistant.types import Chunk, Context

STATUS_LABELS = {"eligible": "符合", "possible": "可能符合", "alternative": "择一享受", "not_eligible": "暂不符合",
                 "expired": "已失效"}
CONDITION_MARKS = {"met": "✓", "not_met": "✗", "unknown": "?"}


# -- 哪些政策适用于我 ------------------------------------------------------------------------------------
def hit_json(c: Context) -> dict[str, Any]:
    """One search result as `kechuang search --json` prints it and `POST /api/v1/search` returns it."""
    return {"source": c.source, "chunk_id": c.chunk_id, "score": c.score, "text": c.text, "title": c.title,
            "heading": c.heading, "start": c.start, "end": c.end, "bm25_score": c.bm25_score,
            "dense_score": c.dense_score, "matched_terms": c.matched_terms, "type": c.metadata.get("type"),
            "region": c.metadata.get("region"), "published": c.metadata.get("published")}


def hit_test(assistant, query: str, history: list[dict[str, str]] | None = None,
             filters: SearchFilters | None = None) -> dict[str, Any]:
    """命中测试: the passages a question retrieves exactly as the chat retrieves them (the follow-up rewritten
    from the history, the question split per entity, the filters applied), each with its BM25, dense and fused
    scores and the terms it matched."""
    standalone = assistant.condense(assistant.check_question(query), history)
    passages = assistant.retrieve(standalone, filters)
    return {"query": query, "standalone_question": standalone,
            "filters": filters.model_dump(mode="json", exclude_none=True) if filters else {},
            "passages": [{"rank": i, **hit_json(c)} for i, c in enumerate(passages, 1)]}


def chunk_json(c: Chunk) -> dict[str, Any]:
    """One chunk as `kechuang kb chunks --json` prints it and the API returns it."""
    from assistant._text import count_tokens

    return {"source": c.source, "chunk_id": c.chunk_id, "ordinal": c.ordinal, "title": c.title,
            "heading": c.heading, "start": c.start, "end": c.end, "tokens": count_tokens(c.text), "text": c.text,
            "kb": c.metadata.get("kb", DEFAULT_BASE), "disabled": bool(c.metadata.get("disabled")),
            "edited": bool(c.metadata.get("edited")), "ocr": c.metadata.get("ocr") or ""}


def document_chunks(kb: KnowledgeBase, name: str, user: User | None = None) -> list[dict[str, Any]]:
    """The chunks of a document (or of every record of a record file), in order — disabled ones included and
    marked — with heading, offsets, token counts and the marks edited / OCR; NotFoundError for a name the knowledge
    base does not have (or that ``user`` may not read)."""
    sources = kb.sources_for(name)
    if user is not None:
        readable = set(readable_bases(kb, user))
        sources = [s for s in sources if kb.kb_of_source(s) in readable]
    if not sources:
        raise NotFoundError(f"知识库中没有 {name}。用 `kechuang kb list` 查看已入库的来源。")
    return [chunk_json(c) for s in sources for c in kb.chunks(s, disabled=True)]


# -- several knowledge bases, each readable and writable by some roles or users --------------------------------
def readable_bases(kb: KnowledgeBase, user: User) -> list[str]:
    return [b["id"] for b in kb.bases() if user.can_read(b)]


def search_scope(kb: KnowledgeBase, user: User, requested: list[str] | None = None) -> list[str] | None:
    """The knowledge bases a question of ``user`` searches: those asked for (by id or name; ForbiddenError for one
    the user may not read), else every one the user may read. None means all of them (nothing to filter)."""
    bases = kb.bases()
    readable = [b["id"] for b in bases if user.can_read(b)]
    if requested:
        chosen = [kb.base(r)["id"] for r in requested]
        for ref, base_id in zip(requested, chosen, strict=True):
            if base_id not in readable:
                raise ForbiddenError(f"当前账号（{user.name}，{user.role_label}）无权读取知识库“{ref}”。")
        return list(dict.fromkeys(chosen))
    return None if len(readable) == len(bases) else readable


def scoped(filters: SearchFilters | None, kbs: list[str] | None) -> SearchFilters | None:
    """``filters`` narrowed to the knowledge bases ``kbs`` (None: unchanged)."""
    if kbs is None:
        return filters
    return (filters or SearchFilters()).model_copy(update={"kbs": kbs})


def writable_base(kb: KnowledgeBase, user: User, ref: str | None) -> str:
    """The id of a knowledge base ``user`` may write to (the default one when none is named)."""
    base = kb.base(ref or DEFAULT_BASE)
    if not user.can_write(base):
        raise ForbiddenError(f"当前账号（{user.name}，{user.role_label}）无权修改知识库“{base['name']}”。")
    return base["id"]


def remove_document(kb: KnowledgeBase, user: User, name: str) -> list[str]:
    """Delete a file (or a record) from the knowledge base it is in, if ``user`` may write there."""
    sources = kb.sources_for(name)
    if not sources:
        raise NotFoundError(f"知识库中没有 {name}。用 `kechuang kb list` 查看已入库的来源。")
    for base_id in {kb.kb_of_source(s) for s in sources}:
        writable_base(kb, user, base_id)
    return kb.remove(name)


def set_chunk_disabled(kb: KnowledgeBase, user: User, chunk_id: str, disabled: bool) -> dict[str, Any]:
    writable_base(kb, user, kb.kb_of_chunk(chunk_id))
    return chunk_json(kb.set_chunk_disabled(chunk_id, disabled))


def edit_chunk(kb: KnowledgeBase, user: User, chunk_id: str, text: str) -> dict[str, Any]:
    writable_base(kb, user, kb.kb_of_chunk(chunk_id))
    return chunk_json(kb.edit_chunk(chunk_id, text))


def find_support(kb: KnowledgeBase, *, profile: EnterpriseProfile | None = None, text: str | None = None,
                 include_other_regions: bool = False, today: date | None = None,
                 kbs: list[str] | None = None) -> SupportReport:
    """The measures that apply to an enterprise described by a profile (form, JSON), a sentence, or both (the
    sentence adds to the profile). Raises AssistantError when there is nothing to go on."""
    if profile is None and not (text and text.strip()):
        raise AssistantError("请提供企业画像（表单或 JSON），或用一句话描述企业，例如“镇江市新材料高企，职工180人”。")
    if text and text.strip():
        profile = profile_from_text(text, profile, today=today)
    assert profile is not None
    return SupportFinder(kb, kbs).find(profile, include_other_regions=include_other_regions)


class PolicyListing(BaseModel):
    """The answer to "成都有哪些科技金融政策？": every measure passing the filters the question names, local first
    and grouped by level; with ``report`` when it was asked about the user's own enterprise."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    query: Any  # policy_query.PolicyQuery
    items: list[PolicyItem]
    report: SupportReport | None = None
    profile_note: str = ""  # which enterprise profile was used, said out loud

    def groups(self) -> list[tuple[str, list[PolicyItem]]]:
        by: dict[str, list[PolicyItem]] = {}
        for it in self.items:
            by.setdefault(it.level or "其他", []).append(it)
        return sorted(by.items(), key=lambda kv: LEVEL_ORDER.get(kv[0], len(LEVEL_ORDER)))


def list_policies(kb: KnowledgeBase, text: str, *, profile: EnterpriseProfile | None = None,
                  today: date | None = None, kbs: list[str] | None = None) -> PolicyListing:
    """Measures of the topic, region and year a question names. The user's earlier profile is used only when the
    question refers to the user's own enterprise (我们能申请哪些…), and the reply says which profile it used."""
    from assistant import policy_query

    today = today or (profile.as_of if profile else date.today())
    q = policy_query.parse(text, today)
    finder = SupportFinder(kb, kbs)
    items = finder.items()
    if q.refers_to_profile and profile is not None and q.region is None:
        report = finder.find(profile.model_copy(update={"as_of": today}))
        keep = {it.id for it in policy_query.select(items, q, today)}
        report.measures = [m for m in report.measures if m.id in keep]
        who = "、".join(x for x in (profile.name, profile.region, profile.industry) if x) or "此前描述的企业"
        chosen = [it for it in items if it.id in {m.id for m in report.measures}]
        return PolicyListing(query=q, items=chosen, report=report, profile_note=f"按您此前提供的企业信息（{who}）判断")
    chosen = policy_query.select(items, q, today)
    chosen.sort(key=lambda it: (0 if it.region != "全国" else 1, it.id))
    return PolicyListing(query=q, items=chosen)


class ProfileCheck(BaseModel):
    """A saved profile checked again: the report, with 新匹配 (measures that appeared since ``since``) marked."""

    saved: SavedProfile
    report: SupportReport
    first_check: bool
    since: datetime | None = None
    new: list[MeasureResult] = Field(default_factory=list)


_LIVE = ("eligible", "possible", "alternative")


def check_saved_profile(kb: KnowledgeBase, store: ProfileStore, ref: str, *, today: date | None = None,
                        now: datetime | None = None) -> ProfileCheck:
    """Check a saved profile against today's measures. A measure the enterprise may use that was not in the
    list at the last check is 新匹配; a verdict that changed says what it was. The first check marks nothing."""
    saved = store.get(ref)
    today = today or date.today()
    report = SupportFinder(kb).find(saved.profile.model_copy(update={"as_of": today}))
    first = saved.checked_at is None
    for m in report.measures:
        if first:
            continue
        was = saved.seen.get(m.id)
        m.new = was is None and m.status in _LIVE
        m.previous_status = was if was is not None and was != m.status else None
    store.mark_checked(saved.id, {m.id: m.status for m in report.measures}, now or datetime.now())
    return ProfileCheck(saved=saved, report=report, first_check=first, since=saved.checked_at,
                        new=[m for m in report.measures if m.new])


def support_checklist_docx(report: SupportReport, path: Path, *, today: date | None = None,
                           since: datetime | None = None) -> Path:
    """The checklist an enterprise prints (DOCX, 公文 layout): its facts, every measure by verdict with
    conditions, what to supply, deadlines and sources."""
    from assistant import gongwen

    title = f"{report.profile.name or '企业'}政策申报清单"
    return gongwen.write("support_checklist", path, title=title, report=report, today=today or report.profile.as_of,
                         since=since)


# -- 需求发布 -------------------------------------------------------------------------------------------
POSTING_KEYS = ("title", "need_type", "field", "region", "organization", "description", "goals", "cooperation",
                "budget_wan", "deadline", "contact", "keywords")


def posting_rows(p: NeedPosting | None, inferred: list[str] | tuple[str, ...] = (),
                 declined: list[str] | tuple[str, ...] = ()) -> list[dict[str, str]]:
    """The posting as a reader sees it, one row per field: label, value as shown (contact masked, budget with
    its qualifier), and its state: ``missing`` (required, empty), ``asked`` (optional, empty), ``declined``,
    ``inferred`` (read from the description: to confirm) or ``""``."""
    if p is None:
        return []
    data = p.public_json()
    rows = []
    for key in POSTING_KEYS:
        value = data.get(key)
        if key == "contact":
            value = mask_contact(value)
        if key == "budget_wan":
            value = budget_shown(p)
        if key == "deadline":
            value = deadline_shown(p)
        if isinstance(value, list):
            value = "、".join(value)
        empty = value in (None, "")
        state = ("declined" if key in declined else "missing" if key in REQUIRED else "asked"
                 if key in ("budget_wan", "deadline") else "") if empty else ("inferred" if key in inferred else "")
        shown = {"declined": "未提供", "missing": "必填，待补充", "asked": "待补充"}.get(state, "（未填写）") if empty \
            else str(value)
        rows.append({"key": key, "label": LABELS[key], "value": shown, "state": state})
    return rows


MATCH_HEADERS = ["类型", "名称", "擅长/内容", "所属单位", "地区", "匹配度", "匹配理由", "联系方式", "编号"]


class NeedDraft(BaseModel):
    """A need posting after one more message: what it understood, the one question it asks next, what is still
    missing, and who could take the need on. ``session`` is the conversation to pass with the next message."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    session: NeedSession
    posting: NeedPosting
    changed: list[str] = Field(default_factory=list)
    missing: list[str]
    question: str | None = None
    asking: str | None = None
    inferred: list[str] = Field(default_factory=list)
    declined: list[str] = Field(default_factory=list)
    published_text: str
    matches: list[Match] = Field(default_factory=list)
    near_duplicates: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def next_question(self) -> str | None:
        return self.question

    @property
    def questions(self) -> list[str]:
        return [self.question] if self.question else []

    @property
    def newly_inferred(self) -> list[str]:
        """Values inferred from this message (shown once for confirmation, and again when the draft is done)."""
        return [k for k in self.inferred if k in self.changed]

    def rows(self) -> list[dict[str, str]]:
        return posting_rows(self.posting, self.inferred, self.declined)

    def public_json(self) -> dict[str, Any]:
        """The stable JSON of a draft (CLI ``draft need --json``, the UI's download, scripts)."""
        return {"posting": self.posting.public_json(), "missing": self.missing, "question": self.question,
                "asking": self.asking, "questions": self.questions, "inferred": self.inferred,
                "declined": self.declined, "changed": self.changed,
                "published_text": self.published_text, "notes": self.posting.notes,
                "matches": [m.model_dump() for m in self.matches], "near_duplicates": self.near_duplicates}

    def match_rows(self) -> list[list[Any]]:
        return [[KIND_LABELS.get(m.kind, m.kind), m.name, "、".join(m.expertise), m.organization or "", m.region or "",
                 round(m.score, 3), "；".join(m.reasons), m.contact, m.id] for m in self.matches]


def draft_need(assistant, message: str, session: NeedSession | None = None, k: int = 8,
               today: date | None = None) -> NeedDraft:
    """Read one more message of a need conversation into the posting (never inventing a budget, date or
    contact; a reply to the last question is read as its answer), then the next question (at most one, never
    one already asked), matching resources and near-duplicate needs."""
    if not (message or "").strip():
        raise AssistantError("消息是空的：请用自己的话描述需求，或回答上一个问题。")
    session = session.model_copy(deep=True) if session is not None else NeedSession()
    turn = session.read(message, today=today,
                        extract=lambda text, draft, day: extract_need_llm(
                            assistant, text, draft, today=day, classify=lambda t: infer_field(assistant.kb, t)))
    return _need_draft(assistant, session, turn.changed, turn.asking, turn.question, k)


def edit_need(assistant, session: NeedSession, values: dict[str, str], k: int = 8,
              today: date | None = None) -> tuple[NeedDraft, list[str]]:
    """Edits typed into the posting form (label or field name → text), read as answers to their fields: (the
    draft, exactly as after a chat turn, and the edits that could not be read and were not applied)."""
    session = session.model_copy(deep=True)
    before = session.posting.model_copy(deep=True)
    errors = session.edit(values, today=today)
    changed = [key for key in LABELS if getattr(before, key) != getattr(session.posting, key)]
    asking = session.pending
    return _need_draft(assistant, session, changed, asking, session.question(asking) if asking else None, k), errors


def _need_draft(assistant, session: NeedSession, changed: list[str], asking: str | None, question: str | None,
                k: int) -> NeedDraft:
    posting = session.posting
    kb: KnowledgeBase = assistant.kb
    matches = match_supply(kb, posting, k=k) if (posting.field or posting.keywords) else []
    dups = near_duplicates(posting, kb.records("need"))  # type: ignore[arg-type]
    return NeedDraft(session=session, posting=posting, changed=changed, missing=posting.missing(),
                     question=question, asking=asking, inferred=list(session.inferred),
                     declined=list(session.declined), published_text=render_posting(posting), matches=matches,
                     near_duplicates=dups)


# -- 报告起草 -------------------------------------------------------------------------------------------
def draft_report(assistant, region: str, period: str, report_type: str = "工作总结",
                 length: Literal["short", "standard", "long"] | str = "standard", today: date | None = None) -> Report:
    """A staff report from counted records and quoted documents (an LLM may rewrite the overview only)."""
    if report_type not in get_args(ReportType):
        raise AssistantError(f"报告类型只能是 {'、'.join(get_args(ReportType))}。")
    if length not in LENGTHS:
        raise AssistantError("篇幅只能是 short、standard 或 long。")
    report = build_report(assistant.kb, region, period, report_type, length, today=today)  # type: ignore[arg-type]
    return polish_overview(assistant, report)


def revise_report(assistant, report: Report, instruction: str) -> tuple[Report, str]:
    """A revision asked for in words: applied to the structured report when it names one (写详细, 加上…数据,
    去掉…, 改成…), otherwise, with an LLM, as a rewrite in which every number must already be in the text."""
    try:
        return revise_structure(assistant.kb, report, instruction)
    except RevisionNotUnderstood:
        return rewrite_llm(assistant, report, instruction)


__all__ = ["CONDITION_MARKS", "STATUS_LABELS", "NeedDraft", "PolicyListing", "ProfileCheck", "check_saved_profile",
           "MATCH_HEADERS", "chunk_json", "document_chunks", "edit_chunk", "readable_bases", "remove_document",
           "scoped", "search_scope", "set_chunk_disabled", "writable_base", "draft_need", "draft_report", "edit_need", "hit_json", "hit_test", "posting_rows", "revise_report", "find_support", "list_policies", "support_checklist_docx",
           "mask_contact"]
