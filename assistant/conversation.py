"""A chat conversation: routes each message by intent (ask a question, or find the support that applies to
an enterprise) and keeps the history and the enterprise profile gathered so far. The CLI REPL and the web
UI are thin layers over this."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.chains import Assistant
from assistant.retrieval import SearchFilters
from assistant.support import EnterpriseProfile, SupportReport
from assistant.types import Answer

Intent = Literal["support", "qa", "need", "report"]

_SUPPORT = re.compile(r"(哪些|什么|有没有|能享受|可以享受|能申请|可以申请|适用).{0,12}(政策|支持|补贴|优惠|奖励|措施|扶持)|"
                      r"(政策|支持|补贴|优惠|扶持).{0,6}(适用于我|适合我|我们能|我能)|我(们)?(是|公司|企业).{0,40}(企业|公司)")


_REPORT = re.compile(r"(起草|撰写|写一份|写个|生成|帮我写|草拟).{0,30}(总结|亮点|报告|进展)")
_NEED = re.compile(r"发布.{0,6}需求|科技需求|技术需求|想解决|想攻克|寻找.{0,8}(技术|专家|团队|合作)|找.{0,6}(专家|团队)帮|"
                   r"(技术|工艺)难题")


def detect_intent(text: str, profile_started: bool = False, need_started: bool = False) -> Intent:
    if _REPORT.search(text):
        return "report"
    if _NEED.search(text):
        return "need"
    if need_started and len(text) < 80 and not re.search(r"[？?]|吗$", text):
        return "need"  # answering the posting's follow-up question
    if _SUPPORT.search(text):
        return "support"
    if profile_started and re.search(r"\d+\s*(人|万|亿|年)|高企|高新技术企业|科小|专精特新|成立", text) and len(text) < 60:
        return "support"  # answering the finder's follow-up question about a missing fact
    return "qa"


def render_support(report: SupportReport, limit: int | None = 8) -> str:
    """The finder's checklist as chat text (the CLI prints the same template with every measure)."""
    from assistant.rendering import render_text

    return render_text("support", report=report, limit=limit, more_regions_hint="")


@dataclass
class Reply:
    intent: Intent
    text: str
    answer: Answer | None = None
    support: SupportReport | None = None
    need: Any = None  # NeedPosting
    matches: list = field(default_factory=list)
    report: Any = None  # drafting.report.Report


@dataclass
class Conversation:
    assistant: Assistant
    history: list[dict[str, str]] = field(default_factory=list)
    profile: EnterpriseProfile | None = None
    need: Any = None  # the need posting being drafted

    def reset(self) -> None:
        self.history = []
        self.profile = None
        self.need = None

    def _need_reply(self, text: str) -> Reply:
        from assistant.usecases import draft_need

        d = draft_need(self.assistant, text, self.need, k=5)
        self.need = d.posting
        out = "需求草稿：\n" + d.published_text
        if d.posting.notes:
            out += "\n\n" + "\n".join(f"按此理解：{n}" for n in d.posting.notes)
        if d.matches:
            out += "\n\n可对接的资源：\n" + "\n".join(
                f"· {m.name}（{m.kind}，匹配度{m.score:.2f}）：{'；'.join(m.reasons)}" for m in d.matches)
        out += f"\n\n{d.next_question}" if d.next_question else "\n\n信息已齐全，可以发布。"
        return Reply("need", out, need=self.need, matches=d.matches)

    def _report_reply(self, text: str) -> Reply:
        from assistant.domain import dates, regions
        from assistant.errors import AssistantError
        from assistant.usecases import draft_report

        place = regions.best_region(text, include_country=False)
        period = dates.find_period(text)
        rtype = "工作亮点" if "亮点" in text else ("试点城市建设进展" if "进展" in text else "工作总结")
        if place is None or period is None:
            return Reply("report", "请说明地区和时间，例如：起草巴州2023年科创中国试点城市建设工作总结。")
        try:
            report = draft_report(self.assistant, place.label, period.label, rtype)
        except AssistantError as exc:
            return Reply("report", str(exc))
        return Reply("report", report.markdown(), report=report)

    def stream(self, text: str, filters: SearchFilters | None = None) -> Iterator[str | Reply]:
        """Yields pieces of text, then the Reply."""
        text = (text or "").strip()
        intent = detect_intent(text, self.profile is not None, self.need is not None and bool(self.need.questions()))
        if intent in ("need", "report"):
            reply = self._need_reply(text) if intent == "need" else self._report_reply(text)
            yield reply.text
        elif intent == "support":
            from assistant.usecases import find_support

            report = find_support(self.assistant.kb, profile=self.profile, text=text)
            self.profile = report.profile
            out = render_support(report)
            yield out
            reply = Reply("support", out, support=report)
        else:
            answer = None
            for piece in self.assistant.stream(text, history=self.history, filters=filters):
                if isinstance(piece, str):
                    yield piece
                else:
                    answer = piece
            reply = Reply("qa", answer.text if answer else "", answer=answer)
        self.history += [{"role": "user", "content": text}, {"role": "assistant", "content": reply.text}]
        yield reply

    def send(self, text: str, filters: SearchFilters | None = None) -> Reply:
        *_, reply = self.stream(text, filters)
        return reply  # type: ignore[return-value]
