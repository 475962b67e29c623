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

Intent = Literal["support", "policies", "more", "qa", "need", "report", "revise"]

# asking which support applies: "有哪些政策适用于我", "能享受什么补贴", "有没有适合我们的补贴", "能申请高企吗" (with a profile)
_SUPPORT = re.compile(r"(哪些|什么|有没有|能享受|可以享受|能申请|可以申请|适用).{0,12}(政策|支持|补贴|优惠|奖励|措施|扶持)|"
                      r"(政策|支持|补贴|优惠|扶持).{0,6}(适用于我|适合我|我们能|我能)")
_CAN_APPLY = re.compile(r"(?:能|可以|符合|够|有资格)\s*(?:申请|申报|评|认定|享受|入库|入|拿到?)[^，。；？?]{0,16}(?:吗|么)[？?]?$|"
                        r"(?:能不能|可不可以|够不够|有没有资格)\s*(?:申请|申报|评|认定|享受|入库|入|拿到?)[^，。；？?]{0,16}[？?]?$|"
                        r"(?:符合|满足|够)[^，。；？?什么哪啥]{0,16}条件(?:吗|么)[？?]?$")
# a particular question: a question word, or the aspect of a measure it asks about ("科技型中小企业评价的条件")
_PARTICULAR = re.compile(r"[？?]|吗|呢|多少|几[个年天次项家月号成]|什么|啥|怎么|怎样|如何|哪|是否|能否|可否|有没有|能不能|可不可以|多久|多长|"
                         r"多大|多高|条件|要求|流程|材料|比例|税率|标准|有效期|时间|截止|申报|办理")
# a self-description: "我们是…企业", "我司在成都…公司"
_SELF = re.compile(r"我(们)?(是|公司|企业).{0,40}(企业|公司)")


_REPORT = re.compile(r"(起草|撰写|写一份|写个|生成|帮我写|草拟).{0,30}(总结|亮点|报告|进展)")
_NEED = re.compile(r"发布.{0,6}需求|科技需求|技术需求|想解决|想攻克|寻找.{0,8}(技术|专家|团队|合作)|找.{0,6}(专家|团队)帮|"
                   r"(技术|工艺)难题")


_DESCRIBES_ENTERPRISE = re.compile(r"我(?:们)?(?:是|公司|企业|司)|本公司|我司|职工|员工|营收|营业收入|销售收入|研发(?:投入|费用)|成立|注册")
_MORE = re.compile(r"^(?:更多|还有呢|继续|下一页|再来|还有吗|剩下的呢|其余的?呢?)[。.!！?？]*$")


def _asked(text: str) -> str:
    """The question a message ends with, after the enterprise it describes ("我们是高企，所得税按多少税率交？")."""
    return re.split(r"[，,。；;！!]", text.rstrip("？?。 "))[-1]


def _described(text: str) -> str:
    """What a message says of the enterprise, without the question it ends with: "…营收五千万，高企认定什么时候申报"
    says nothing of being a 高企."""
    asked = _asked(text)
    return text[:text.rfind(asked)] if asked and _PARTICULAR.search(asked) else text


_REVISE = re.compile(r"写详细|详细一点|展开|加上|增加|补充|去掉|删掉|删除|拿掉|改成|改为|换成|精简|简短|短一点|压缩")


def detect_intent(text: str, profile_started: bool = False, need_started: bool = False,
                  paging: bool = False, report_started: bool = False) -> Intent:
    from assistant import policy_query

    if paging and _MORE.match(text.strip()):
        return "more"
    if report_started and _REVISE.search(text) and len(text) < 60 and not re.search(r"[？?]|吗$", text):
        return "revise"  # "把第二部分写详细一点", "去掉存在问题", "改成工作亮点" after a draft
    if _REPORT.search(text):
        return "report"
    if _NEED.search(text):
        return "need"
    if need_started and len(text) < 80 and not re.search(r"[？?]|吗$", text):
        return "need"  # answering the posting's follow-up question
    if policy_query.is_listing_question(text) and not _DESCRIBES_ENTERPRISE.search(text):
        return "policies"  # 成都有哪些科技金融政策？ / 我们能申请哪些贷款贴息？ (the profile only if referred to)
    if _SUPPORT.search(text):
        return "support"
    from assistant.support import profile_from_text

    # the question the message ends with (a profile is written before it): "我们是高企，所得税按多少税率交？" asks
    # about the tax rate, "…，能申请高企吗" whether the enterprise qualifies
    asked = _asked(text)
    particular = bool(_PARTICULAR.search(asked)) or text.rstrip().endswith(("？", "?"))
    if _DESCRIBES_ENTERPRISE.search(text) and len(text) < 300:
        profile = profile_from_text(text)
        if len(profile.known()) >= 2 or _SELF.search(text):
            if not particular or _CAN_APPLY.search(asked):
                return "support"  # 我们是镇江市新材料高企，职工180人…: a profile, even without a question
    if profile_started and len(text) < 60 and not particular and (
            profile_from_text(text).known() or re.search(r"\d+\s*(人|万|亿|年)|高企|高新技术企业|科小|专精特新|成立", text)):
        return "support"  # answering the finder's follow-up question about a missing fact
    return "qa"


PAGE = 8


def render_support(report: SupportReport, limit: int | None = PAGE, offset: int = 0) -> str:
    """The finder's checklist as chat text (the CLI prints the same template with every measure)."""
    from assistant.rendering import render_text

    return render_text("support", report=report, limit=limit, offset=offset, more_regions_hint="")


def render_listing(listing, offset: int = 0, limit: int = PAGE) -> str:
    from assistant.rendering import render_text

    support_text = render_support(listing.report, limit, offset) if listing.report is not None else ""
    return render_text("policies", listing=listing, offset=offset, limit=limit, support_text=support_text)


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
    need: Any = None  # the need conversation (drafting.need_session.NeedSession)
    last_list: Any = None  # the last SupportReport or PolicyListing, for "更多"
    report: Any = None  # the last drafted report (drafting.report.Report), for revisions
    offset: int = 0

    def reset(self) -> None:
        self.history = []
        self.profile = None
        self.need = None
        self.report = None
        self.last_list = None
        self.offset = 0

    def _base_profile(self, text: str) -> tuple[EnterpriseProfile | None, str]:
        """The earlier profile when this message adds to it (an answer to a follow-up question), none when it
        describes another enterprise (another place, or "我们是…" again); the note says which."""
        from assistant.domain import regions

        if self.profile is None:
            return None, ""
        place = regions.best_region(text, include_country=False)
        new_place = place is not None and self.profile.region_path and place.path != self.profile.region_path
        if new_place or re.match(r"^\s*(?:您好|你好)?[，,]?\s*(?:我是|我们是|我们公司是|本公司是|我司是)", text):
            return None, "按这条消息描述的企业重新判断（未沿用此前的企业信息）。"
        who = "、".join(x for x in (self.profile.region, self.profile.industry) if x) or "此前描述的企业"
        return self.profile, f"沿用此前的企业信息（{who}），并补充了这条消息中的信息。"

    def _need_reply(self, text: str) -> Reply:
        from assistant.rendering import render_text
        from assistant.usecases import draft_need

        d = draft_need(self.assistant, text, self.need, k=5)
        self.need = d.session
        return Reply("need", render_text("need_turn", draft=d), need=d.posting, matches=d.matches)

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
        self.report = report
        return Reply("report", report.markdown() + "\n\n（可以接着提修改意见，如“把第二部分写详细一点”“去掉存在问题”。）",
                     report=report)

    def _revise_reply(self, text: str) -> Reply:
        from assistant.errors import AssistantError
        from assistant.usecases import revise_report

        try:
            report, said = revise_report(self.assistant, self.report, text)
        except AssistantError as exc:
            return Reply("revise", str(exc), report=self.report)
        self.report = report
        return Reply("revise", f"{said}\n\n{report.markdown()}", report=report)

    def stream(self, text: str, filters: SearchFilters | None = None) -> Iterator[str | Reply]:
        """Yields pieces of text, then the Reply."""
        text = (text or "").strip()
        intent = detect_intent(text, self.profile is not None, self.need is not None and self.need.pending is not None,
                               paging=self.last_list is not None, report_started=self.report is not None)
        if intent == "more":
            self.offset += PAGE
            last = self.last_list
            out = render_support(last, PAGE, self.offset) if isinstance(last, SupportReport) else \
                render_listing(last, self.offset)
            yield out
            reply = Reply("more", out)
        elif intent == "policies":
            from assistant.usecases import list_policies

            listing = list_policies(self.assistant.kb, text, profile=self.profile,
                                    kbs=filters.kbs if filters else None)
            self.last_list, self.offset = (listing.report if listing.report is not None else listing), 0
            out = render_listing(listing)
            yield out
            reply = Reply("policies", out, support=listing.report)
        elif intent in ("need", "report", "revise"):
            reply = {"need": self._need_reply, "report": self._report_reply, "revise": self._revise_reply}[intent](text)
            yield reply.text
        elif intent == "support":
            from assistant.usecases import find_support

            base, note = self._base_profile(text)
            report = find_support(self.assistant.kb, profile=base, text=text, kbs=filters.kbs if filters else None)
            self.profile = report.profile
            self.last_list, self.offset = report, 0
            out = (note + "\n" if note else "") + render_support(report)
            yield out
            reply = Reply("support", out, support=report)
        else:
            if self.profile is None and _DESCRIBES_ENTERPRISE.search(text):
                from assistant.support import profile_from_text

                # "我们营收三千万，研发投入要占多少才能入科小库？" is answered; the enterprise it describes is kept for
                # a later "有哪些政策适用于我们"
                described = profile_from_text(_described(text))
                if len(described.known()) >= 2:
                    self.profile = described
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
