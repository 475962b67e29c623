"""UI handlers: plain functions over the public library API, unit-tested without launching Gradio.

They return plain data (strings, lists, HTML); errors become short Chinese messages, never tracebacks.
"""

from __future__ import annotations

import html
import json
import logging
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from assistant import usecases
from assistant.accounts import LOCAL_ADMIN, AccountStore, AuthError, User
from assistant.chains import Assistant
from assistant.conversation import Conversation, Reply
from assistant.domain import vocab
from assistant.drafting.need_session import NeedSession
from assistant.errors import AssistantError, InputError, TooLargeError, UnsupportedTypeError
from assistant.feedback import FeedbackStore
from assistant.knowledge_base import KnowledgeBase
from assistant.profiles import ProfileStore
from assistant.rendering import chat_markdown, render_html, render_text
from assistant.retrieval import SearchFilters
from assistant.settings import Settings
from assistant.support import EnterpriseProfile, SupportReport
from assistant.types import Answer, Citation

log = logging.getLogger(__name__)

TYPE_CHOICES = [("政策文件", "policy"), ("新闻报道", "news"), ("科技需求", "need"), ("专家", "expert"),
                ("科技成果", "achievement"), ("入驻组织", "organization"), ("科技服务团", "service_team")]
EXAMPLES = ["高企认定需要满足哪些条件？", "研发费用加计扣除的比例是多少？", "科小评价对企业规模有什么要求？",
            "巴州的院士专家工作站能获得多少资助？", "我们是镇江市的新材料高企，职工180人，营收8000万元，有哪些政策适用于我？"]


def friendly(exc: BaseException) -> str:
    """One short Chinese sentence for the user; details go to the log."""
    from pydantic import ValidationError

    if isinstance(exc, AssistantError):
        return str(exc).split("\n")[0][:300]
    if isinstance(exc, ValidationError):
        e = exc.errors()[0]
        return f"输入有误：{'.'.join(map(str, e['loc']))} {e['msg']}"
    log.exception("unexpected error in UI handler")
    return f"出错了（{type(exc).__name__}），请稍后重试；如果反复出现，请联系管理员查看日志。"


@dataclass
class Services:
    """What the handlers work on: one knowledge base, one assistant, the feedback store."""

    settings: Settings
    kb: KnowledgeBase
    assistant: Assistant
    feedback: FeedbackStore
    upload_dir: Path
    profiles: ProfileStore
    accounts: AccountStore
    stops: dict[str, threading.Event] = field(default_factory=dict)  # per user: stop the web upload under way

    @classmethod
    def create(cls, settings: Settings) -> Services:
        kb = KnowledgeBase(settings)
        return cls(settings, kb, Assistant(settings, kb=kb), FeedbackStore(settings.data_dir / "feedback.sqlite"),
                   settings.data_dir / "uploads", ProfileStore(settings.data_dir / "profiles.sqlite"),
                   AccountStore(settings.data_dir / "accounts.sqlite"))


def user_of(svc: Services, username: str | None) -> User:
    """Who is using the web app: the account Gradio logged in, or, with no accounts, the single local user. A
    name that is no (longer an) account gets the least role."""
    if not svc.accounts.has_users():
        return LOCAL_ADMIN
    return svc.accounts.user(username or "") or User(username or "", "enterprise")


@dataclass
class ChatSession:
    """Per-browser-session state."""

    conversation: Conversation
    answers: list[Answer] = field(default_factory=list)  # one per assistant message, in order
    last: Answer | None = None
    support: SupportReport | None = None  # the last checklist shown in the 政策匹配 tab (exported as DOCX)
    support_since: Any = None  # when the saved profile it came from was checked before


def new_session(svc: Services) -> ChatSession:
    return ChatSession(Conversation(svc.assistant))


# -- chat -------------------------------------------------------------------------------------------
def _footnotes(ans: Answer) -> str:
    return _understood(ans) + _sources(ans)


def _understood(ans: Answer) -> str:
    said = ans.understood_as()
    return f"\n\n<small>结合上文，按“{chat_markdown(said)}”回答。</small>" if said else ""


def _sources(ans: Answer) -> str:
    if ans.refused:
        near = "；".join(f"《{d['title']}》" for d in ans.closest) or "无"
        return f"\n\n<small>知识库中最接近的资料：{chat_markdown(near)}</small>"
    if not ans.citations:
        return ""
    notes = "\n".join(f"\\[{c.n}\\] {chat_markdown(c.title)}"
                      f"{' · ' + chat_markdown(c.heading.split(' > ')[-1]) if c.heading else ''}" for c in ans.citations)
    warn = f"\n\n⚠️ {len(ans.unsupported)} 句没有出处，请核实。" if ans.unsupported else ""
    return f"\n\n---\n**出处**（在右侧“查看出处”中点开原文）\n\n{notes}{warn}"


def filters_from(types: list[str] | None, regions: list[str] | None, sources: list[str] | None,
                 kbs: list[str] | None = None) -> SearchFilters:
    return SearchFilters(types=types or None, regions=regions or None, sources=sources or None, kbs=kbs)


def chat_stream(svc: Services, session: ChatSession, message: str, history: list[dict],
                types: list[str] | None = None, regions: list[str] | None = None,
                sources: list[str] | None = None, bases: list[str] | None = None,
                user: User = LOCAL_ADMIN) -> Iterator[tuple[list[dict], ChatSession, list[str]]]:
    """Streams the chat: yields (messages, session, citation choices) as the answer grows. ``bases``: the knowledge
    bases chosen (none: every one ``user`` may read)."""
    message = (message or "").strip()
    history = list(history or [])
    if not message:
        yield history, session, []
        return
    history.append({"role": "user", "content": chat_markdown(message)})
    history.append({"role": "assistant", "content": ""})
    text = ""
    try:
        reply: Reply | None = None
        scope = usecases.search_scope(svc.kb, user, bases or None)
        for piece in session.conversation.stream(message, filters_from(types, regions, sources, scope)):
            if isinstance(piece, str):
                text += piece
                history[-1]["content"] = chat_markdown(text, formatting=svc.assistant.use_llm)
                yield history, session, []
            else:
                reply = piece
        if reply is not None and reply.answer is not None:
            session.last = reply.answer
            session.answers.append(reply.answer)
            # a model's formatting (bold, lists, tables) is kept; quoted document text never renders
            history[-1]["content"] = (chat_markdown(reply.answer.text, formatting=reply.answer.mode == "llm")
                                      + _footnotes(reply.answer))
            choices = [f"[{c.n}] {c.title}" for c in reply.answer.citations]
        else:
            session.answers.append(None)  # type: ignore[arg-type]
            history[-1]["content"] = chat_markdown(reply.text if reply else text)
            choices = []
        yield history, session, choices
    except Exception as exc:  # noqa: BLE001 - shown as one sentence, logged in full
        history[-1]["content"] = f"⚠️ {chat_markdown(friendly(exc))}"
        yield history, session, []


def reset_chat(svc: Services) -> tuple[list, ChatSession, list[str], str]:
    return [], new_session(svc), [], ""


def highlight(text: str, quote: str) -> str:
    """The passage with the quoted span(s) marked."""
    out = html.escape(text)
    for part in [p for p in quote.split("……") if p.strip()]:
        esc = html.escape(part.strip())
        if esc and esc in out:
            out = out.replace(esc, f"<mark>{esc}</mark>", 1)
    return out


def show_citation(svc: Services, session: ChatSession, choice: str | None) -> str:
    """The source passage of a citation: title, date, file, heading, matched terms, quote highlighted."""
    ans = session.last
    if not ans or not choice:
        return "<p class='kc-muted'>点开一条出处，查看原文段落。</p>"
    m = re.match(r"\[(\d+)\]", choice)
    cite: Citation | None = next((c for c in ans.citations if m and c.n == int(m.group(1))), None)
    if cite is None:
        return "<p>找不到这条出处。</p>"
    ctx = next((c for c in ans.contexts if c.chunk_id == cite.chunk_id), None)
    text = ctx.text if ctx else cite.quote
    meta = ctx.metadata if ctx else {}
    terms = "、".join(ctx.matched_terms) if ctx and ctx.matched_terms else "—"
    return (f"<div class='kc-source'><h4>[{cite.n}] {html.escape(cite.title)}</h4>"
            f"<p class='kc-muted'>文件：{html.escape(cite.source)}"
            f"{' · 日期：' + html.escape(str(meta.get('published'))) if meta.get('published') else ''}"
            f"{' · 章节：' + html.escape(cite.heading) if cite.heading else ''}</p>"
            f"<p class='kc-muted'>命中检索词：{html.escape(terms)}</p>"
            f"<div class='kc-passage'>{highlight(text, cite.quote)}</div></div>")


def record_feedback(svc: Services, session: ChatSession, index: int | None, liked: bool, comment: str = "") -> str:
    """Thumbs up/down on the assistant message at ``index`` (its position in the chat)."""
    answers = [a for a in session.answers]
    pos = (index or 0) // 2 if index is not None else len(answers) - 1
    ans = answers[pos] if 0 <= pos < len(answers) else session.last
    if ans is None:
        return "这条消息没有可评价的回答。"
    svc.feedback.add(ans, 1 if liked else -1, comment)
    return "感谢反馈，已记录。" + ("" if liked else "（可在下方补充说明哪里不对）")


FEEDBACK_FILTERS = [("全部", 0), ("👍 有用", 1), ("👎 没用", -1)]
FEEDBACK_HEADERS = ["编号", "时间", "评价", "问题", "回答", "补充说明"]


def _rating(value: int | None) -> int | None:
    return value if value in (1, -1) else None


def export_feedback(svc: Services, rating: int | None = None, text: str | None = None) -> str:
    path = Path(tempfile.mkdtemp(prefix="kc-feedback-")) / "feedback_golden_draft.jsonl"
    svc.feedback.export_golden(path, _rating(rating), (text or "").strip() or None)
    return str(path)


def feedback_rows(svc: Services, rating: int | None = None, text: str | None = None) -> tuple[str, list[list[Any]]]:
    """Feedback for review in the 知识库 tab, newest first, filtered by 👍/👎 and words."""
    rows = svc.feedback.all(_rating(rating), (text or "").strip() or None)
    table = [[r["id"], datetime.fromtimestamp(r["ts"]).strftime("%Y-%m-%d %H:%M"), "👍" if r["rating"] > 0 else "👎",
              r["question"], (r["answer"] or "")[:160], r["comment"] or ""] for r in reversed(rows)]
    down = sum(r["rating"] < 0 for r in rows)
    return f"共 {len(rows)} 条（👎 {down} 条）。导出的评测集草稿中，👎 的参考答案留空，由人工填写。", table


# -- support finder -----------------------------------------------------------------------------------
def statement_choices() -> list[str]:
    """What an applicant can confirm in the form (labels of the vocabulary's statements)."""
    from assistant.domain import enterprise

    return [enterprise.statement_label(k) for k in enterprise.statement_keys()]


def statement_keys_of(labels: list[str]) -> list[str]:
    from assistant.domain import enterprise

    by_label = {enterprise.statement_label(k): k for k in enterprise.statement_keys()}
    return [by_label[x] for x in labels if x in by_label]


# -- drafted support items (知识库 tab) -----------------------------------------------------------------
_DRAFT_STATUS = {"draft": "待审核", "accepted": "已接受", "rejected": "已拒绝"}


def draft_choices(svc: Services) -> list[tuple[str, str]]:
    return [(f"[{_DRAFT_STATUS[d.status]}] {d.item.name}（{d.source}）", d.id) for d in svc.kb.policy_drafts()]


def draft_view(svc: Services, draft_id: str | None) -> tuple[str, Any, str]:
    """(the draft as text, the choices of its conditions to reject, its name for editing)."""
    import gradio as gr

    from assistant.rendering import render_text

    d = svc.kb.policy_draft(draft_id) if draft_id else None
    if d is None:
        return "从上面的列表选择一个提取出的支持事项。", gr.update(choices=[], value=[]), ""
    choices = [f"{i + 1}. {c.text}" for i, c in enumerate(d.item.conditions)]
    rejected = [choices[i] for i, r in enumerate(d.reviews()) if r == "rejected"]
    return render_text("policy_draft", d=d), gr.update(choices=choices, value=rejected), d.item.name


def review_draft(svc: Services, draft_id: str | None, rejected: list[str] | None, name: str | None,
                 decision: str) -> tuple[str, str]:
    """Accept or reject the selected draft with the conditions ticked as rejected; returns (status, view)."""
    from assistant.rendering import render_text

    if not draft_id:
        return "请先选择一个支持事项。", ""
    try:
        d = svc.kb.policy_draft(draft_id)
        if d is None:
            return f"⚠️ 没有编号为 {draft_id} 的支持事项（可能已被删除），请刷新列表。", ""
        marks = {int(x.split(".", 1)[0]) - 1 for x in rejected or []}
        conditions = {i: ("rejected" if i in marks else "pending") for i in range(len(d.item.conditions))}
        edits = {"name": name.strip()} if name and name.strip() and name.strip() != d.item.name else None
        d = svc.kb.review_policy_draft(draft_id, decision, conditions=conditions, edits=edits)
    except Exception as exc:  # noqa: BLE001
        return f"⚠️ {friendly(exc)}", ""
    word = {"accept": "已接受，政策匹配将使用它", "reject": "已拒绝，政策匹配不会使用它"}[decision]
    return f"{d.item.name}：{word}（拒绝了 {len(marks)} 条条件）。", render_text("policy_draft", d=d)


def support_html(report: SupportReport) -> str:
    """The checklist as HTML (template, autoescaped): readings of typed values, warnings, every measure."""
    return render_html("support", report=report)


Typed = str | float | int | None


def find_support(svc: Services, session: ChatSession, region: str | None, industry: str | None,
                 qualifications: list[str] | None, employees: Typed, revenue_wan: Typed, assets_wan: Typed,
                 rd_expense_wan: Typed, rd_ratio: Typed, founded_year: Typed, confirmed: list[str] | None = None,
                 recognitions: str | None = None, awards: str | None = None, tech_staff_ratio: Typed = None,
                 high_tech_income_ratio: Typed = None, ip_count: Typed = None,
                 name: str | None = None) -> tuple[str, ChatSession]:
    """The profile form: amounts as people type them (八千万, 1.2亿, 3000000元 — read by the domain layer, the
    reading shown above the result); its qualification checkboxes are exhaustive. The profile is kept for chat
    follow-ups."""
    def given(v: Typed) -> Typed:
        # An empty box arrives as "" (or 0 from a number box): both mean "not given".
        if isinstance(v, str):
            return v.strip() or None
        return None if v is None or float(v) == 0 else float(v)

    try:
        emp, year = given(employees), given(founded_year)
        profile = EnterpriseProfile(
            region=region or None, industry=industry or None, qualifications=qualifications or [],
            qualifications_complete=True, employees=int(emp) if isinstance(emp, float) else emp,
            revenue_wan=given(revenue_wan), assets_wan=given(assets_wan), rd_expense_wan=given(rd_expense_wan),
            rd_ratio=given(rd_ratio), founded_year=int(float(year)) if year is not None else None,
            statements={k: True for k in statement_keys_of(confirmed or [])},
            recognitions=(recognitions or "").strip() or {}, awards_received=(awards or "").strip() or [],
            tech_staff_ratio=given(tech_staff_ratio), high_tech_income_ratio=given(high_tech_income_ratio),
            ip_count=given(ip_count), name=(name or "").strip() or None, as_of=date.today())
        report = usecases.find_support(svc.kb, profile=profile)
    except Exception as exc:  # noqa: BLE001
        return f"<p class='kc-no'>⚠️ {html.escape(friendly(exc))}</p>", session
    session.conversation.profile = profile
    session.support, session.support_since = report, None
    return support_html(report), session


# -- saved profiles (政策匹配 tab) ----------------------------------------------------------------------
def saved_profile_choices(svc: Services) -> list[tuple[str, str]]:
    return [(f"{p.name}（{'上次检查 ' + p.checked_at.strftime('%Y-%m-%d') if p.checked_at else '未检查'}）", p.id)
            for p in svc.profiles.list()]


def save_profile(svc: Services, session: ChatSession, name: str | None) -> tuple[str, Any]:
    """Save the profile of the last checklist under the enterprise's name; returns (status, dropdown update)."""
    import gradio as gr

    profile = session.support.profile if session.support else None
    if profile is None:
        return "请先填写企业情况并点击“查找适用政策”，再保存。", gr.update()
    try:
        saved = svc.profiles.save((name or "").strip() or profile.name or "", profile)
    except Exception as exc:  # noqa: BLE001
        return f"⚠️ {friendly(exc)}", gr.update()
    return (f"已保存“{saved.name}”。以后在下拉框选中它并点击“重新匹配”，新增的措施会标为“新匹配”。",
            gr.update(choices=saved_profile_choices(svc), value=saved.id))


def check_profile(svc: Services, session: ChatSession, ref: str | None) -> tuple[str, ChatSession, str, Any]:
    """Check a saved profile against today's measures: (checklist HTML, session, status, dropdown update)."""
    import gradio as gr

    if not ref:
        return gr.update(), session, "请先在下拉框选择一个已保存的画像。", gr.update()
    try:
        check = usecases.check_saved_profile(svc.kb, svc.profiles, ref)
    except Exception as exc:  # noqa: BLE001
        return gr.update(), session, f"⚠️ {friendly(exc)}", gr.update(choices=saved_profile_choices(svc))
    session.conversation.profile = check.report.profile
    session.support, session.support_since = check.report, check.since
    if check.first_check:
        status = f"首次检查“{check.saved.name}”：以后再检查时，新增的措施会标为“新匹配”。"
    elif check.new:
        status = (f"自 {check.since:%Y-%m-%d %H:%M} 上次检查以来，新匹配 {len(check.new)} 项："
                  + "、".join(m.name for m in check.new))
    else:
        status = f"自 {check.since:%Y-%m-%d %H:%M} 上次检查以来没有新匹配的措施。"
    banner = f"<p class='kc-new-summary'>{html.escape(status)}</p>"
    return (banner + support_html(check.report), session, status,
            gr.update(choices=saved_profile_choices(svc), value=ref))


def export_checklist(svc: Services, session: ChatSession) -> tuple[str | None, str]:
    """The last checklist as a DOCX (公文 layout): (file path, status)."""
    if session.support is None:
        return None, "请先查找适用政策（或重新匹配一个保存的画像），再导出申报清单。"
    name = session.support.profile.name or "企业"
    stem = re.sub(r"[^\w\u4e00-\u9fff（）()]+", "_", name)[:40]
    out = Path(tempfile.mkdtemp(prefix="kc-checklist-")) / f"{stem}政策申报清单.docx"
    try:
        usecases.support_checklist_docx(session.support, out, since=session.support_since)
    except Exception as exc:  # noqa: BLE001
        return None, f"⚠️ {friendly(exc)}"
    return str(out), f"已生成申报清单：{out.name}"


# -- need posting ------------------------------------------------------------------------------------
def posting_html(session: NeedSession | None) -> str:
    """The posting as it fills in: required fields still missing in red, optional ones asked for in amber,
    values inferred from the description marked for confirmation, declined ones greyed."""
    p = session.posting if session is not None else None
    css = {"missing": "kc-missing", "asked": "kc-asked", "inferred": "kc-inferred", "declined": "kc-declined"}
    rows = [{**r, "css": css.get(r["state"], "")} for r in
            usecases.posting_rows(p, session.inferred if session else (), session.declined if session else ())]
    return render_html("posting", posting=p, rows=rows)


def _draft_file(draft: usecases.NeedDraft) -> str:
    """The draft's JSON (as ``draft need --json`` prints it) in a file to download."""
    path = Path(tempfile.mkdtemp(prefix="kc-need-")) / "need_posting.json"
    path.write_text(json.dumps(draft.public_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def need_chat(svc: Services, session: ChatSession, message: str, history: list[dict]
              ) -> tuple[list[dict], ChatSession, str, list[list[Any]], str | None]:
    """Need drafting by chat: (messages, session, posting HTML, match rows, JSON file path)."""
    message = (message or "").strip()
    history = list(history or [])
    conv = session.conversation
    if not message:
        return history, session, posting_html(conv.need), [], None
    history.append({"role": "user", "content": chat_markdown(message)})
    try:
        draft = usecases.draft_need(svc.assistant, message, conv.need, k=10)
        conv.need = draft.session
        history.append({"role": "assistant", "content": chat_markdown(render_text("need_turn_short", draft=draft))})
        return history, session, posting_html(conv.need), draft.match_rows(), _draft_file(draft)
    except Exception as exc:  # noqa: BLE001
        history.append({"role": "assistant", "content": f"⚠️ {chat_markdown(friendly(exc))}"})
        return history, session, posting_html(conv.need), [], None


EDITABLE = ("title", "need_type", "field", "region", "organization", "description", "goals", "cooperation", "budget_wan",
            "deadline", "contact")


def posting_table(session: NeedSession | None) -> list[list[str]]:
    """The posting as an editable two-column table (字段, 内容); the contact is shown in full to its owner."""
    if session is None:
        return []
    rows = {r["key"]: r for r in usecases.posting_rows(session.posting, session.inferred, session.declined)}
    out = []
    for key in EDITABLE:
        r = rows[key]
        value = session.posting.contact if key == "contact" else r["value"]
        empty = r["state"] in ("missing", "asked", "declined") or value == "（未填写）"
        out.append([r["label"], "" if empty else (value or "")])
    return out


def edit_need(svc: Services, session: ChatSession, table: Any
              ) -> tuple[ChatSession, str, list[list[str]], str, list[list[Any]], str | None]:
    """Edits typed into the posting table: (session, posting HTML, table, message, match rows, JSON file path).
    The JSON is the same draft JSON as after a chat turn; a value that cannot be read is not applied and is named
    in the message."""
    conv = session.conversation
    if conv.need is None:
        return session, posting_html(None), [], "还没有需求草稿：先在左侧描述需求。", [], None
    rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
    values = {str(r[0]): "" if r[1] is None else str(r[1]) for r in rows if len(r) >= 2 and r[0]}
    try:
        draft, errors = usecases.edit_need(svc.assistant, conv.need, values, k=10)
    except Exception as exc:  # noqa: BLE001
        return session, posting_html(conv.need), posting_table(conv.need), f"⚠️ {friendly(exc)}", [], None
    conv.need = draft.session
    message = "；".join(errors) if errors else "已保存修改。"
    return session, posting_html(conv.need), posting_table(conv.need), message, draft.match_rows(), _draft_file(draft)


def reset_need(session: ChatSession) -> tuple[list, ChatSession, str, list, None]:
    session.conversation.need = None
    return [], session, posting_html(None), [], None


# -- reports -----------------------------------------------------------------------------------------
def _report_files(report_title: str, markdown: str, docx_from) -> tuple[str, str]:
    out = Path(tempfile.mkdtemp(prefix="kc-report-"))
    stem = re.sub(r"[^\w\u4e00-\u9fff]+", "_", report_title)[:60]
    md = out / f"{stem}.md"
    md.write_text(markdown, encoding="utf-8")
    return str(docx_from(out / f"{stem}.docx")), str(md)


def make_report(svc: Services, session: ChatSession, region: str, period: str, report_type: str, length: str
                ) -> tuple[str, str | None, str | None, ChatSession, str, str]:
    """(Markdown preview, DOCX path, Markdown path, session, editable Markdown, status). The report is kept in the
    session, so that revisions by chat (here or in the chat tab) work on it."""
    try:
        report = usecases.draft_report(svc.assistant, region, period, report_type, length)
    except Exception as exc:  # noqa: BLE001
        return f"⚠️ {friendly(exc)}", None, None, session, "", ""
    session.conversation.report = report
    md = report.markdown()
    docx_path, md_path = _report_files(report.title, md, report.docx)
    return md, docx_path, md_path, session, md, "已起草。可以在下方提修改意见，或直接编辑正文后导出。"


def no_report_preview() -> str:
    return "（还没有报告：选择地区和时间段后点“起草”。）"


def revise_report(svc: Services, session: ChatSession, instruction: str
                  ) -> tuple[str, str | None, str | None, ChatSession, str, str]:
    """A revision asked for in words ("把第二部分写详细一点", "去掉存在问题", "改成工作亮点")."""
    report = session.conversation.report
    if report is None:
        return no_report_preview(), None, None, session, "", "请先起草报告，再提修改意见。"
    try:
        report, said = usecases.revise_report(svc.assistant, report, instruction)
    except AssistantError as exc:
        md = report.markdown()
        return md, None, None, session, md, f"⚠️ {exc}"
    session.conversation.report = report
    md = report.markdown()
    docx_path, md_path = _report_files(report.title, md, report.docx)
    return md, docx_path, md_path, session, md, said


def export_edited_report(svc: Services, session: ChatSession, markdown: str) -> tuple[str | None, str | None, str]:
    """The report as its author edited it, laid out in 公文 form: (DOCX path, Markdown path, status)."""
    from assistant import gongwen
    from assistant.drafting.report import markdown_to_markup

    text = (markdown or "").strip()
    if not text:
        return None, None, "正文是空的：先起草报告。"
    if len(text) > 200_000:
        return None, None, "正文超过 20 万字，无法导出：请分成几份。"
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "工作报告")
    docx_path, md_path = _report_files(title, text, lambda p: gongwen.layout(markdown_to_markup(text), p, title=title))
    return docx_path, md_path, "已按编辑后的正文导出。"


# -- knowledge base ---------------------------------------------------------------------------------
KB_HEADERS = ["标题", "文件", "知识库", "类别", "地区", "日期", "分块", "状态", "备注"]
_FILE_STATUS = {"complete": "已入库", "pending": "导入中", "partial": "部分导入（中断）"}


def allowed_uploads(svc: Services) -> list[str]:
    return sorted(svc.settings.ingest.extensions)


def base_choices(svc: Services, user: User, *, write: bool = False) -> list[tuple[str, str]]:
    """(label, id) of the knowledge bases ``user`` may read (or write)."""
    return [(f"{b['name']}（{b['documents']} 项）", b["id"]) for b in svc.kb.bases()
            if (user.can_write(b) if write else user.can_read(b))]


def _base_names(svc: Services) -> dict[str, str]:
    return {b["id"]: b["name"] for b in svc.kb.bases()}


def _visible_files(svc: Services, user: User, base: str | None = None) -> list[dict[str, Any]]:
    readable = set(usecases.readable_bases(svc.kb, user))
    return [r for r in svc.kb.list_files() if r["kb"] in readable and (not base or r["kb"] == base)]


def kb_table(svc: Services, user: User = LOCAL_ADMIN, base: str | None = None) -> list[list[Any]]:
    """The files of the knowledge bases ``user`` may read (of ``base`` only when given), listed by title."""
    names = _base_names(svc)
    rows = []
    for r in _visible_files(svc, user, base):
        marks = [r["note"]] if r["note"] else []
        if r["ocr"]:
            marks.append(f"扫描件，{r['ocr']} 识别")
        if r["disabled_chunks"]:
            marks.append(f"{r['disabled_chunks']} 个分块已停用")
        if r["edited_chunks"]:
            marks.append(f"{r['edited_chunks']} 个分块已修改")
        kind = "记录" if r["kind"] == "record" else (vocab.type_label(r["type"]) or "文档")
        rows.append([r["title"] or r["file"], r["file"], names.get(r["kb"], r["kb"]), kind, r["region"] or "",
                     r["published"] or "", r["chunks"] or 0, _FILE_STATUS.get(r["status"], r["status"]),
                     "；".join(marks)])
    return rows


def kb_stats_md(svc: Services) -> str:
    s = svc.kb.stats()
    by_type = "，".join(f"{vocab.type_label(k) or k} {v}" for k, v in sorted(s["by_type"].items()))
    return (f"**{s['documents']}** 份文档 · **{s['records']}** 条平台记录 · **{s['chunks']}** 个分块 · "
            f"重复未索引 {s['duplicates']} · 存储：{s['store']}  \n按类型：{by_type or '—'}")


ROLE_CHOICES = [("企业用户", "enterprise"), ("工作人员", "staff")]


def bases_md(svc: Services, user: User) -> str:
    """The knowledge bases ``user`` may read, who may read and write each, and their sizes."""
    def who(items: list[str]) -> str:
        labels = dict((v, k) for k, v in ROLE_CHOICES)
        return "、".join(labels.get(x, x.replace("user:", "用户 ")) for x in items) or "仅管理员"

    lines = ["| 知识库 | 文档/记录 | 分块 | 可检索 | 可修改 |", "|---|---|---|---|---|"]
    for b in svc.kb.bases():
        if user.can_read(b):
            lines.append(f"| {html.escape(b['name'])} | {b['documents']} | {b['chunks']} | {who(b['readers'])} | "
                         f"{who(b['writers'])} |")
    return "\n".join(lines)


def create_base(svc: Services, user: User, name: str | None, readers: list[str] | None) -> tuple[str, str | None]:
    """(message, id of the new base or None)."""
    try:
        user.require("documents")
        base = svc.kb.create_base(name or "", readers=readers or [], writers=["staff"])
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}", None
    return f"已创建知识库“{base['name']}”。上传的文件将导入到这里。", base["id"]


def rename_base(svc: Services, user: User, base: str | None, name: str | None) -> str:
    try:
        usecases.writable_base(svc.kb, user, base)
        renamed = svc.kb.rename_base(base or "", name or "")
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}"
    return f"已改名为“{renamed['name']}”。"


def set_base_readers(svc: Services, user: User, base: str | None, readers: list[str] | None) -> str:
    try:
        usecases.writable_base(svc.kb, user, base)
        b = svc.kb.set_base_access(base or "", readers=readers or [])
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}"
    labels = dict((v, k) for k, v in ROLE_CHOICES)
    return f"“{b['name']}”现在可由 {'、'.join(labels.get(x, x) for x in b['readers']) or '仅管理员'} 检索。"


def delete_base(svc: Services, user: User, base: str | None) -> str:
    try:
        base_id = usecases.writable_base(svc.kb, user, base)
        name = svc.kb.base(base_id)["name"]
        removed = svc.kb.delete_base(base_id)
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}"
    return f"已删除知识库“{name}”及其中 {len(removed)} 个来源。"


HIT_HEADERS = ["名次", "标题", "来源", "章节", "融合得分", "BM25", "向量", "命中的词", "段落"]
CHUNK_HEADERS = ["序号", "来源", "章节", "位置", "词元", "标记", "正文"]


def hit_test_rows(svc: Services, query: str, types: list[str] | None = None, user: User = LOCAL_ADMIN,
                  bases: list[str] | None = None) -> tuple[str, list[list[Any]]]:
    """命中测试 in the 知识库 tab: the passages the chat would retrieve for ``query``, with each score."""
    try:
        scope = usecases.search_scope(svc.kb, user, bases or None)
        out = usecases.hit_test(svc.assistant, query, None, SearchFilters(types=types or None, kbs=scope))
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}", []
    rows = [[p["rank"], p["title"], p["source"], p["heading"], round(p["score"], 4), round(p["bm25_score"] or 0, 3),
             round(p["dense_score"] or 0, 3), "、".join(p["matched_terms"]), p["text"][:200]] for p in out["passages"]]
    said = f"按“{out['standalone_question']}”检索，" if out["standalone_question"] != query.strip() else ""
    return f"{said}共 {len(rows)} 个段落（与对话中的检索相同：混合检索、按地区和措施调整后的顺序）。", rows


def _chunk_marks(c: dict[str, Any]) -> str:
    return "、".join(m for m, on in (("已停用", c["disabled"]), ("已修改", c["edited"]), ("OCR 识别", c["ocr"])) if on)


def chunk_rows(svc: Services, name: str | None, user: User = LOCAL_ADMIN
               ) -> tuple[str, list[list[Any]], list[tuple[str, str]]]:
    """A document's chunks in order, for the 知识库 tab: (message, rows, chunk choices for editing)."""
    if not name:
        return "请先选择一个来源。", [], []
    try:
        chunks = usecases.document_chunks(svc.kb, name, user)
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}", [], []
    rows = [[c["ordinal"], c["source"], c["heading"], f"{c['start']}–{c['end']}", c["tokens"], _chunk_marks(c),
             c["text"]] for c in chunks]
    choices = [(f"#{c['ordinal']} {('[' + _chunk_marks(c) + '] ') if _chunk_marks(c) else ''}{c['text'][:24]}",
                c["chunk_id"]) for c in chunks]
    ocr = " 其中的文字由 OCR 识别，可能有错字：发现后可在下方修改。" if any(c["ocr"] for c in chunks) else ""
    return f"{name}：{len(rows)} 个分块，共 {sum(c['tokens'] for c in chunks)} 个词元。{ocr}", rows, choices


def chunk_text(svc: Services, chunk_id: str | None, user: User = LOCAL_ADMIN) -> str:
    """The full text of one chunk, for editing (empty for a chunk the user may not read)."""
    if not chunk_id:
        return ""
    try:
        chunk = svc.kb.chunk(chunk_id)
    except AssistantError:
        return ""
    return chunk.text if svc.kb.kb_of_chunk(chunk_id) in usecases.readable_bases(svc.kb, user) else ""


def change_chunk(svc: Services, user: User, chunk_id: str | None, action: str, text: str | None = None) -> str:
    """Edit (re-embedded, marked 已修改), disable or enable one chunk; the message says what happened."""
    if not chunk_id:
        return "请先选择一个分块。"
    try:
        if action == "edit":
            c = usecases.edit_chunk(svc.kb, user, chunk_id, text or "")
            return f"已保存分块 #{c['ordinal']} 的修改，并已重新计算向量；检索立即使用新文字。"
        c = usecases.set_chunk_disabled(svc.kb, user, chunk_id, action == "disable")
        return f"分块 #{c['ordinal']} 已{'停用：不再被检索到' if c['disabled'] else '启用'}。"
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}"


def source_choices(svc: Services, user: User = LOCAL_ADMIN, base: str | None = None) -> list[tuple[str, str]]:
    """(title · file, file) of the files ``user`` may read, for the pickers."""
    return [(f"{r['title']} · {r['file']}" if r["title"] and r["title"] != r["file"] else r["file"], r["file"])
            for r in _visible_files(svc, user, base)]


def safe_upload_name(name: str) -> str:
    """A file name that cannot leave the upload directory (no separators, no dot-dot, no hidden file)."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w\u4e00-\u9fff.\-（）() ]+", "_", base).strip(" .")
    if not base or base.startswith("."):
        base = "upload" + Path(name).suffix.lower()
    stem, ext = Path(base).stem, Path(base).suffix
    return base if len(base) <= 120 else stem[:120 - len(ext)] + ext  # a long name keeps its extension


def free_upload_name(svc: Services, safe: str) -> str:
    """``safe`` itself when no file in the index has that name, else ``stem(2).ext``, ``(3)`` …: an upload never
    replaces a corpus document or another upload (to replace one, delete it first). A file left in the upload
    folder by a deleted or failed upload is not in the index and may be overwritten."""
    taken = {r["file"] for r in svc.kb.list_files()}
    stem, ext = Path(safe).stem, Path(safe).suffix
    name, n = safe, 1
    while name in taken:
        n += 1
        name = f"{stem[:110]}({n}){ext}"
    return name


def store_upload(svc: Services, name: str, data: BinaryIO) -> Path:
    """Copy one upload into the data directory under a safe name: UnsupportedTypeError for a type the assistant
    does not read, TooLargeError past ``ingest.max_file_mb`` (checked while copying: nothing partial is kept)."""
    safe = safe_upload_name(name)
    if Path(safe).suffix.lower() not in allowed_uploads(svc):
        raise UnsupportedTypeError(f"{safe}：不支持的文件类型（支持 {'、'.join(allowed_uploads(svc))}）")
    max_bytes = int(svc.settings.ingest.max_file_mb * 1024 * 1024)
    svc.upload_dir.mkdir(parents=True, exist_ok=True)
    safe = free_upload_name(svc, safe)
    dest = (svc.upload_dir / safe).resolve()
    if svc.upload_dir.resolve() not in dest.parents:
        raise InputError(f"{safe}：文件名不合法")
    part = dest.with_name(dest.name + ".part")
    size = 0
    try:
        with part.open("wb") as out:
            while block := data.read(1 << 20):
                size += len(block)
                if size > max_bytes:
                    raise TooLargeError(f"{safe}：超过大小上限 {svc.settings.ingest.max_file_mb:g} MB"
                                        "（KECHUANG_INGEST__MAX_FILE_MB）")
                out.write(block)
        part.replace(dest)
    finally:
        part.unlink(missing_ok=True)
    return dest


def renamed_note(name: str, stored: Path) -> str:
    """What to tell a user whose upload was stored under another name because the name was taken."""
    safe = safe_upload_name(name)
    if stored.name == safe:
        return ""
    return f"已有同名文件 {safe}，这次上传另存为 {stored.name}（不会替换原文件；如要替换，请先删除原文件再上传）。"


_STATUS_WORDS = {"added": "新增", "updated": "已更新", "unchanged": "未变化", "duplicate": "重复",
                 "partial": "部分成功", "failed": "失败"}


def file_line(f) -> str:
    """One ingested file as a line of the import result."""
    line = f"{'✓' if f.status != 'failed' else '✗'} {f.file}：{_STATUS_WORDS[f.status]}，{f.chunks} 个分块"
    if f.note:
        line += f"（{f.note}）"
    if f.errors:
        line += "；" + "；".join(f.errors[:3])
    return line


def stop_upload(svc: Services, user: User) -> str:
    """Ask ``user``'s upload under way to stop: the file being read is abandoned, the files after it not started."""
    flag = svc.stops.get(user.name)
    if flag is None:
        return "没有正在进行的导入。"
    flag.set()
    return "正在停止：正在读取的文件放弃导入，其余文件不再导入；已导入的文件保留。"


def upload_files(svc: Services, paths: list[str] | None, progress=None, user: User = LOCAL_ADMIN,
                 base: str | None = None) -> tuple[str, list[list[Any]], str]:
    """Copy uploads into the data directory (type and size limits enforced) and ingest them into ``base``."""
    if not paths:
        return ("请先选择文件（刚选了文件的，请等文件名出现在上传框里再点“导入”）。", kb_table(svc, user, base),
                kb_stats_md(svc))
    try:
        base_id = usecases.writable_base(svc.kb, user, base)
    except AssistantError as exc:
        return f"⚠️ {friendly(exc)}", kb_table(svc, user, base), kb_stats_md(svc)
    accepted, messages = [], []
    for p in paths:
        try:
            with Path(p).open("rb") as data:
                accepted.append(store_upload(svc, Path(p).name, data))
            if (note := renamed_note(Path(p).name, accepted[-1])):
                messages.append(f"ℹ {note}")
        except InputError as exc:
            messages.append(f"✗ {exc}")
    if accepted:
        from assistant.ingest.progress import IngestProgress

        tracker = IngestProgress(accepted, line=lambda _: None)

        def tick(name: str, i: int, n: int) -> None:
            tracker.started(name, i, n)
            if progress is not None:  # the file now read, and how far the whole upload is (chunks, time left)
                so_far = f" · {tracker.so_far()}" if tracker.done else ""
                progress(tracker.share, desc=f"导入 {name}（{i + 1}/{n}）{so_far}" if name else "完成")

        def batch(name: str, done: int, total: int, tokens: int | None) -> None:
            tracker.batch(name, done, total, tokens)
            if progress is not None:
                progress(tracker.share, desc=f"导入 {name}（{tracker.done + 1}/{tracker.total}）"
                         f"：已嵌入 {done}/{total} 个分块 · {tracker.so_far(embedding=done)}")

        flag = svc.stops[user.name] = threading.Event()
        try:
            report = svc.kb.ingest(accepted, progress=tick, kb=base_id, stop=flag.is_set, on_file=tracker.finished,
                                   on_batch=batch)
        finally:
            svc.stops.pop(user.name, None)
        messages += [file_line(f) for f in report.files]
        if report.not_started:
            messages.append(f"■ 已停止：{len(report.not_started)} 个文件未导入（{'、'.join(report.not_started[:5])}"
                            f"{' …' if len(report.not_started) > 5 else ''}）。")
    return "\n".join(messages), kb_table(svc, user, base), kb_stats_md(svc)


def delete_source(svc: Services, name: str | None, user: User = LOCAL_ADMIN) -> tuple[str, list[list[Any]], str]:
    if not name:
        return "请先选择要删除的来源。", kb_table(svc, user), kb_stats_md(svc)
    try:
        removed = usecases.remove_document(svc.kb, user, name)
        msg = f"已删除 {name}（{len(removed)} 个来源）。"
    except Exception as exc:  # noqa: BLE001
        msg = f"⚠️ {friendly(exc)}"
    return msg, kb_table(svc, user), kb_stats_md(svc)


def regions(svc: Services) -> list[str]:
    found = {r.region for t in ("need", "organization", "expert") for r in svc.kb.records(t)}
    return sorted(x for x in found if x)


def gradio_auth(svc: Services):
    """Gradio's login for the web app: the accounts when there are any (failed attempts count towards the
    lock-out), else the shared password from settings, else none (localhost only)."""
    if svc.accounts.has_users():
        def check(username: str, password: str) -> bool:
            try:
                svc.accounts.verify(username, password)
            except AuthError:
                return False
            return True
        return check
    password = shared_password(svc)
    if not password:
        return None

    def check_shared(username: str, given: str) -> bool:
        try:
            svc.accounts.verify_shared(username, given, svc.settings.ui.user, password)
        except AuthError:
            return False
        return True
    return check_shared


def shared_password(svc: Services) -> str | None:
    """The one password of an installation without accounts (KECHUANG_UI__PASSWORD), if set."""
    return svc.settings.ui.password.get_secret_value() if svc.settings.ui.password else None

