"""Technology-need postings (科技需求发布) from a free-text description.

Extraction is rule-based offline (and merges what each chat turn adds); it never invents a budget, a date or
a contact: a value is taken only when the text states it, otherwise the field stays empty and is asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from assistant._text import search_key, tokenize
from assistant.domain import dates, quantities, regions, vocab
from assistant.errors import ProviderError
from assistant.llm.gateway import LLM_FAILED_NOTE
from assistant.records import Need

FIELDS = tuple(vocab.fields())  # the controlled list of 所属领域
COOPERATION = tuple(vocab.cooperation_mode_names())
BUDGET_LABELS = ("预算", "经费", "研发经费", "研发预算", "技改经费", "技改资金", "项目经费", "投入资金", "资金", "费用", "钱", "出资", "投入", "花费", "拿出", "能出", "可出", "愿意出",
                 "可以出", "最多出", "最高出", "只能出")
REQUIRED = ("title", "need_type", "field", "region", "description", "cooperation", "contact")
LABELS = {"title": "需求名称", "need_type": "需求类型", "field": "所属领域", "region": "所在地区", "description": "需求描述",
          "goals": "预期目标与技术指标", "cooperation": "合作方式", "budget_wan": "预算（万元）", "deadline": "截止日期",
          "contact": "联系人及联系方式", "keywords": "关键词", "organization": "需求单位"}
QUESTIONS = {
    "title": "这项需求用一句话怎么概括？（例如“籽棉异性纤维自动清除技术”）",
    "need_type": "需求属于哪一类：技术、服务、人才还是资金？",
    "field": f"所属领域是哪一个？（{'、'.join(FIELDS)}）",
    "region": "企业在哪个地区？（如 巴州、泰安市）",
    "description": "请简单说说背景、现状和技术难点。",
    "cooperation": f"希望以什么方式合作？（{'、'.join(COOPERATION[:6])}）",
    "contact": "联系人和联系电话是什么？（发布时电话会部分隐藏）",
    "budget_wan": "预算大约多少万元？不确定可以回答“面议”。",
    "deadline": "希望在什么日期前解决？（如 2026年6月30日；没有可回答“不限”）",
}


class NeedPosting(BaseModel):
    title: str | None = None
    need_type: Literal["技术", "服务", "人才", "资金"] | None = None
    field: str | None = None
    region: str | None = None
    organization: str | None = None
    description: str | None = None
    goals: str | None = None
    cooperation: list[str] = Field(default_factory=list)
    budget_wan: float | None = Field(None, ge=0)
    budget_qualifier: str | None = None  # exact | about | at_most | at_least | range | negotiable
    budget_low_wan: float | None = None
    budget_high_wan: float | None = None
    budget_note: str | None = None  # "面议" when the poster declined to give a figure
    deadline: date | None = None
    deadline_note: str | None = None  # "不限"
    region_path: str | None = None
    notes: list[str] = Field(default_factory=list)  # how values were read, and warnings (a past deadline)
    contact: str | None = None
    keywords: list[str] = Field(default_factory=list)

    @field_validator("field")
    @classmethod
    def _field(cls, v: str | None) -> str | None:
        if v is not None and v not in FIELDS:
            raise ValueError(f"所属领域应为：{'、'.join(FIELDS)}")
        return v

    def missing(self) -> list[str]:
        return [k for k in REQUIRED if getattr(self, k) in (None, "", [])]

    def questions(self) -> list[str]:
        keys = self.missing()
        if self.budget_wan is None and not self.budget_note:
            keys.append("budget_wan")
        if self.deadline is None and not self.deadline_note:
            keys.append("deadline")
        return [QUESTIONS[k] for k in keys]

    def public_json(self) -> dict:
        """The stable JSON shape (scripts outside the project rely on these names)."""
        return {"title": self.title, "need_type": self.need_type, "field": self.field, "region": self.region,
                "organization": self.organization, "description": self.description, "goals": self.goals,
                "cooperation": self.cooperation, "budget_wan": self.budget_wan,
                "deadline": self.deadline.isoformat() if self.deadline else None, "contact": self.contact,
                "keywords": self.keywords}


_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def mask_contact(contact: str | None) -> str | None:
    """Phone numbers and e-mail addresses are partly hidden where a posting is shown publicly."""
    if not contact:
        return contact
    out = _PHONE.sub(lambda m: m.group(1)[:3] + "****" + m.group(1)[-4:], contact)
    return _EMAIL.sub(lambda m: m.group(0)[0] + "***@" + m.group(0).split("@", 1)[1], out)


_BARE_MONEY = re.compile(r"^(?:总共|一共|合计|总计|全部|大概|大约|约|差不多|最多|不超过|控制在)*\s*"
                         r"[\d.,０-９一二两三四五六七八九十百千万]+[来多几]?\s*(?:万|万元|元|块|千元|w)"
                         r"(?:以内|以下|左右|上下|之内|封顶)?(?:吧|的样子)?$")


def states_contact(text: str) -> bool:
    """Whether a text gives a phone number or an e-mail address."""
    return bool(_PHONE.search(text) or _EMAIL.search(text))


def _budget(text: str) -> quantities.Money | None:
    """The budget a need states: after (or before) a budget word, or an amount standing alone in its clause
    ("…，50万以内，技术开发"): in a need posting, a sum of money nobody labelled is what the poster can spend."""
    money = quantities.find_money(text, BUDGET_LABELS)
    if money is not None:
        return money
    for clause in _clauses(text):
        if _BARE_MONEY.match(clause):
            return quantities.parse_money(clause)
    return None


_NAME = r"[\u4e00-\u9fff]{1,3}?(?:先生|女士|经理|工|总|老师|主任|部长|科长|厂长)"


def _contact(text: str) -> str | None:
    phone = _PHONE.search(text)
    email = _EMAIL.search(text)
    if not phone and not email:
        return None  # a name alone cannot be contacted
    name = re.search(rf"(?:联系人|请联系|联系|找)[:：\s]*({_NAME}|(?<=联系人)[:：\s]*[\u4e00-\u9fff]{{2,3}})", text)
    if name is None:  # "张工 13912345678", "王经理：0996-1234567"
        at = (phone or email).start()  # type: ignore[union-attr]
        name = re.search(rf"({_NAME}|[\u4e00-\u9fff]{{2,3}})[\s:：,，]*(?:电话|手机|微信|邮箱)?[\s:：]*$", text[:at])
        if name and re.search(r"电话|手机|联系|方式|号码|邮箱|微信|我们|公司|是$", name.group(1)):
            name = None
    parts = [p for p in [name.group(1).strip(":： ") if name else None, phone.group(1) if phone else None,
                         email.group(0) if email else None] if p]
    return " ".join(parts)


_TECH_MARKERS = re.compile(r"研发|攻关|工艺|技术难题|自动化|智能化|设备|装置|系统|改造|生产线|产线|配方|开发")


def _need_type(key: str) -> str | None:
    if re.search(r"引进.{0,10}(?:人才|博士|工程师|专家|骨干)|招聘|引才|人才引进|(?:招|聘)[^，。；,;]{0,20}?"
                 r"(?:工程师|博士|人才|技术员|骨干|专家|研究生|硕士|技工)|需要.{0,10}(?:人才|博士|工程师)", key):
        return "人才"
    if re.search(r"融资|贷款|找投资|引入投资|投资机构|风投|资金需求|资金缺口|缺资金|股权|找资金|质押", key):
        return "资金"
    if re.search(r"外包|标注|代工|代加工|检测|认证|咨询|培训|评估|代理|知识产权布局|标准制定|申报", key) and (
            not _TECH_MARKERS.search(key) or re.search(r"外包|代理|申报|认证", key)):
        return "服务"
    if re.search(r"技术|工艺|研发|难题|攻关|解决|提高|降低|降到|降至|缩短|减少|提升|改进|开发|设备|装置|良率|成品率|合格率|"
                 r"故障|自动化|智能化|数字化|替代|国产化|配方|算法|改造|控温|控制|自动|提到|帮忙做|技术支持|延长|结垢|腐蚀|堵塞|"
                 r"磨损|泄漏|开裂|能耗|污染|衰减|良品", key):
        return "技术"
    return None


_PROBLEM = re.compile(r"(?:想|希望|需要|亟需|急需|寻求|寻找|准备|计划)(?:解决|攻克|突破|开发|研发|引进|找到|实现|提高|降低)?"
                      r"([^，。；！？,;!?]{4,40})")


def _title(text: str, need_type: str | None) -> str | None:
    labelled = re.search(r"(?:需求名称|项目名称|需求标题|名称)[:：]\s*([^。，,；;\n]{4,40})", text)
    if labelled:
        return labelled.group(1).strip()
    m = _PROBLEM.search(text)
    if not m:
        return None
    core = re.sub(r"(?:的)?(?:问题|难题|事情)$", "", m.group(1).strip("“”\"'：: "))
    # "找专家帮忙把吨熟料煤耗降下来" → "降低吨熟料煤耗": who is asked is not the need
    core = re.sub(r"^(?:找|请|邀请)(?:个|些|一些|一位|位)?(?:专家|人|高校|团队|院所|机构|厂家)?来?(?:帮忙|帮助|协助|帮我们|帮)?",
                  "", core)
    turned = re.fullmatch(r"(?:把|将)(.{2,30}?)(降下来|降下去|减下来|减少|降低|提上去|提上来|提高|提升)(?:一些|一点|点)?", core)
    if turned:
        core = ("提高" if turned.group(2).startswith("提") else "降低") + turned.group(1)
    core = re.sub(r"^(?:一下|一个|一项|一些|把|将|让|使)", "", core)
    # "上个能提前发现装置不对劲的系统" → "提前发现装置不对劲的系统": installing, buying or making one is not the need
    core = re.sub(r"^(?:上|搞|弄|买|装|建|做|配|引进|购置|开发)(?:一)?(?:个|套|台|条|款|批|家)(?:能够|能|可以)?", "", core)
    # A target in figures names what is to change, not the need: "固化温度降到120℃以下" → "固化温度"
    core = re.sub(r"(?:降到|降至|降低到|提高到|提升到|提高至|提到|缩短到|缩短至|延长到|延长至|做到|达到|控制在|不低于|不超过|小于|大于|低于|"
                  r"高于)?"
                  r"\s*[\d.一二两三四五六七八九十百千]+\s*[^\d、，和及与]{0,4}?(?:以下|以上|以内|之内|内|左右)?(?=、|和|及|与|$)", "",
                  core)
    core = re.sub(r"[、和及与]+$", "", core)
    if len(core) < 4:
        return None
    suffix = {"技术": "技术需求", "服务": "服务需求", "人才": "人才需求", "资金": "融资需求"}.get(need_type or "", "需求")
    if core.endswith(("需求", "技术")):
        return core
    if core.endswith(suffix[:2]):  # "检测服务" + "服务需求" → "检测服务需求"
        return core + "需求"
    return core + suffix


def _clauses(text: str) -> list[str]:
    """Clauses by punctuation, and by the spaces of voice input ("想找个靠谱的技术 把出水总酚降到0.5以下 预算三四百万")."""
    parts = re.split(r"[，。；！？,;!?\n]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", text)
    return [c.strip() for c in parts if c.strip()]


_GOAL_LEAD = re.compile(r"^(?:我们|公司|企业)?(?:想|希望|需要|要|争取|力争|计划|打算|期望|期待|目标是?|预期目标|技术指标|指标|要求)*"
                        r"[:：]?(?:能|能够|可以)?(?:把|将|使|让)?")
_TARGET = re.compile(r"目标|指标|要求|达到|提高|降低|降到|降至|提升|提到|缩短|减少|延长|控制在|保持在|稳定在|做到|不低于|不超过|不大于|"
                     r"不小于|不少于|不多于|低于|高于|小于|大于|以下|以上|以内|之内|\d\s*\S{0,4}内|≥|≤|[<>]|通过.{0,8}(?:测试|试验|认证)|满足|符合")
_FIGURE = re.compile(r"\d|[一二两三四五六七八九十百千]+(?:个|倍|成|次|天|小时|分钟|年|个月|周)")
_VERB_FIRST = re.compile(r"^(?:降到|降至|降低到|提高到|提升到|提到|提高至|缩短到|缩短至|控制在|达到|做到|减少到)")
_STATUS = re.compile(r"现在|目前|现有|只有|一直|原来|以前|经常|时常")  # how things are, not the target


def _goals(text: str) -> str | None:
    """The technical targets, each kept whole ("固化温度降到120℃以下、固化时间30分钟内"); a labelled 预期目标 is
    taken up to the end of its sentence."""
    labelled = re.search(r"(?:预期目标|技术指标|目标指标|预期指标)(?:与技术指标)?[:：]\s*([^。\n]+)", text)
    if labelled:
        return labelled.group(1).strip()
    clauses = _clauses(text)
    goals = []
    for i, c in enumerate(clauses):
        if not (_TARGET.search(c) and _FIGURE.search(c)) or (_STATUS.search(c) and not re.search(r"[想要希]", c)) \
                or re.search(r"预算|经费|万元|万块|联系|电话|手机|截止|前完成", c) or dates.find_deadline(c) is not None \
                or re.search(r"\d\s*(?:万|元|块)", c):
            continue
        goal = _GOAL_LEAD.sub("", c) or c
        if _VERB_FIRST.match(goal) and i:  # "吨酱耗汽4.5吨，想降到3吨以下": the target names what it is of
            subject = re.match(r"^([\u4e00-\u9fffA-Za-z]{2,12}?)(?:只有|在|为|是|达|约)?\s*[\d一二两三四五六七八九十百]", clauses[i - 1])
            if subject:
                goal = subject.group(1) + goal
        goals.append(goal)
    return "；".join(goals) or None


_ADMIN = re.compile(r"预算|经费|万元|联系|电话|手机|邮箱|截止|之前|前完成")


_GREETING = re.compile(r"(?:你好|您好|喂|嗯+|哈喽|在吗|打扰了|请问|那个|是这样的?哈?|麻烦问一下)[啊呀哈，,！!]*")


def _description(text: str) -> str:
    """Background, status and difficulty: the text without its budget, deadline and contact clauses."""
    keep = [c for c in _clauses(_EMAIL.sub("", _PHONE.sub("", text)))
            if not _ADMIN.search(c) and dates.find_date(c) is None and quantities.find_money(c, BUDGET_LABELS) is None
            and not _GREETING.fullmatch(c)]
    return "，".join(keep) + ("。" if keep else "")


_ORG = re.compile(r"([\u4e00-\u9fff（）()]{2,30}?(?:有限责任公司|股份有限公司|有限公司|股份公司|集团|研究院|研究所|合作社|厂))")
_NOT_A_NAME = re.compile(r"的|我|一家|一个|这|那|某|能|驻|在|是|做|搞|想|本")


def _organization(text: str) -> str | None:
    """The enterprise's own name when the text gives one ("新疆巴州恒信复合材料有限公司"); "我们厂", "昌吉的厂" and
    "和静县的一个养殖合作社" describe it without naming it."""
    for m in _ORG.finditer(re.sub(r"^.*?(?:需求单位|单位名称|企业名称|公司名称)[:：]", "", text)):
        name = re.sub(r"^(?:需求单位|单位名称|企业名称|公司名称)?[:：]?", "", m.group(1))
        if len(name) >= 6 and not _NOT_A_NAME.search(name[:-2]):
            return name
    return None


def _keywords(text: str, k: int = 6) -> list[str]:
    import jieba.analyse

    from assistant._text import jieba_tokenizer

    jieba_tokenizer()
    from assistant.domain import wording

    nouns = ("n", "nz", "vn", "v", "nr", "ns", "nt", "eng", "l", "i", "j")
    cooperation_words = _cooperation_words()
    words = [w for w in jieba.analyse.extract_tags(search_key(text), topK=k * 3, allowPOS=nouns)
             if len(w) >= 2 and not w.isdigit() and not wording.is_generic(w) and not wording.is_counting(w)
             and w not in _NOT_KEYWORDS and w not in cooperation_words and not _GREETING.fullmatch(w)
             and regions.best_region(w, include_country=False) is None]
    return words[:k]


def _cooperation_words() -> set[str]:
    """How people name a way to cooperate (联合攻关, 委托开发): what the need is about is not among them."""
    return {w for ws in vocab.section("cooperation_modes").values() for w in ws} | set(COOPERATION)


# Words of any need posting: they say nothing about what this one is about.
_NOT_KEYWORDS = frozenset("需求 技术 问题 难题 企业 公司 我们 合作 解决 希望 需要 目标 指标 时间 分钟 小时 温度 以下 以上 预算 经费 "
                          "项目 方面 方向 团队 专家 高校 单位 工作 情况 效果 方式 成本 效率 质量 降到 降至 提高 降低 提升 减少 缩短 实现 开发 研发 "
                          "改进 改造 优化 引进 寻找 找到 攻克 突破 做到 达到 控制 进行 存在 没有 出现 导致 影响 采用 使用 想要 完成 "
                          "招聘 招个 联系 对接 帮忙 帮助 提供 支持 做好 不够 不行 现在 目前 准备 计划 打算 延长 特别 厉害 停车 "
                          "想办法 办法 靠谱 用上 上线 投产".split())


_NO_DEADLINE = re.compile(r"不限|没有(?:截止|期限|要求|时间要求)|无(?:截止|期限)|不着急|不急|长期(?:有效)?|都行|随时")
_TYPE_NAMES = {"技术": "技术", "服务": "服务", "人才": "人才", "资金": "资金", "融资": "资金", "找钱": "资金", "招人": "人才",
               "引才": "人才"}
_TITLE_LEAD = re.compile(r"^(?:就)?(?:叫做?|名称(?:是|为|叫)?|标题(?:是|为)?|题目(?:是|为)?|写成?|就写)[:：\s]*")


def _apply(p: NeedPosting, values: dict) -> None:
    """Set the values read for a field on a posting; their notes are added."""
    for key, value in values.items():
        if key == "notes":
            p.notes.extend(value)
        else:
            setattr(p, key, value)


def _deadline_values(when: dates.DateValue, today: date) -> dict:
    notes = [] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", when.text) else [f"截止日期：{when.note}"]
    warn = dates.deadline_warning(when.value, today)
    return {"deadline": when.value, "notes": notes + ([warn] if warn else [])}


def _money_values(money: quantities.Money) -> dict:
    if money.qualifier == "negotiable":
        return {"budget_note": "面议", "budget_qualifier": "negotiable"}
    out = {"budget_wan": money.wan, "budget_low_wan": money.low_wan, "budget_high_wan": money.high_wan,
           "budget_qualifier": money.qualifier}
    if money.note:
        out["notes"] = [f"预算：{money.note}"]
    return out


def read_answer(key: str, text: str, today: date | None = None) -> dict:
    """The values a reply gives to the question about ``key`` ("80万" → 预算 80 万元, "不限" → no deadline,
    "库尔勒" → 库尔勒市, "新材料吧" → 新材料); empty when the reply does not answer it. Read by the domain layer."""
    text = (text or "").strip()
    today = today or date.today()
    if not text:
        return {}
    if key == "budget_wan":
        money = _budget(text)
        if money is None and (re.search(r"万|元|块|面议|待定|未定|没定|看情况|商议|协商|再谈|可谈", text)
                              or re.fullmatch(r"\s*[\d.]+\s*", text)):
            money = quantities.parse_money(text)  # "80" to "预算大约多少万元？"
        return _money_values(money) if money is not None else {}
    if key == "deadline":
        when = dates.find_deadline(text, today)
        if when is not None:
            return _deadline_values(when, today)
        return {"deadline_note": "不限"} if _NO_DEADLINE.search(search_key(text)) else {}
    if key == "region":
        place = regions.best_region(text, include_country=False)
        return {"region": place.label, "region_path": place.path} if place is not None else {}
    if key == "field":
        named = [f for f in FIELDS if f in text]
        field = named[0] if named else vocab.classify_field(text)
        return {"field": field} if field else {}
    if key == "need_type":
        named = re.fullmatch(r"(?:是|属于|算)?\s*(\S{2})(?:类|的|需求|方面|吧|啊|。)*", text)
        if named and named.group(1) in _TYPE_NAMES:
            return {"need_type": _TYPE_NAMES[named.group(1)]}
        kind = _need_type(search_key(text))
        return {"need_type": kind} if kind else {}
    if key == "cooperation":
        modes = vocab.cooperation_modes(text)
        return {"cooperation": modes} if modes else {}
    if key == "contact":
        contact = _contact(text)
        if contact is None:
            name = re.fullmatch(rf"(?:联系人|我是|找)?[:：\s]*({_NAME})[。！!]*", text)
            if name and len(name.group(1)) >= 2:
                return {"contact": name.group(1), "notes": ["联系方式只有姓名：发布前请补充电话或邮箱。"]}
            return {}
        return {"contact": contact}
    if key == "title":
        title = _TITLE_LEAD.sub("", text).strip("“”\"'。！!：: ")
        return {"title": title} if 4 <= len(title) <= 40 else {}
    if key == "description":
        return {"description": text} if len(text) >= 6 else {}
    return {}


def extract_need(text: str, draft: NeedPosting | None = None, today: date | None = None,
                 classify: Callable[[str], str | None] = vocab.classify_field) -> NeedPosting:
    """Fill a posting from what the text states; merge into ``draft`` without overwriting known values.
    Budgets, deadlines and places are read by the domain layer (as in the support profile and reports); the
    field by ``classify`` (keywords by default; ``field_inference.infer_field`` with a knowledge base)."""
    text = (text or "").strip()
    today = today or date.today()
    key = search_key(text)
    d = (draft or NeedPosting()).model_copy(deep=True)
    place = regions.best_region(text, include_country=False)
    if place is not None and d.region is None:
        d.region, d.region_path = place.label, place.path
    money = _budget(text)
    if money is not None and d.budget_wan is None and not d.budget_note:
        _apply(d, _money_values(money))
    when = dates.find_deadline(text, today)
    if when is not None and d.deadline is None:
        _apply(d, _deadline_values(when, today))
    goals = _goals(text)
    if goals and d.goals and goals not in d.goals:
        d.goals = f"{d.goals}；{goals}"  # a later message adds targets
    found: dict = {
        "need_type": _need_type(key), "field": classify(text) if d.field is None else None,
        "organization": _organization(text), "contact": _contact(text), "goals": goals,
    }
    found["title"] = _title(_description(text), found["need_type"] or d.need_type)
    for k, v in found.items():
        if v is not None and getattr(d, k) in (None, "", []):
            setattr(d, k, v)
    if (re.search(r"面议|暂无预算|没有预算|预算(?:还|暂时)?(?:不确定|待定|没定|未定)", key) or key in ("待定", "不确定")) \
            and d.budget_wan is None:
        d.budget_note, d.budget_qualifier = "面议", "negotiable"
    if (re.search(r"(?:时间|期限|截止|日期|工期)\w{0,3}(?:不限|没(?:什么|有)?(?:要求|限制)|无所谓|不急)|不限时间|没有截止|无截止|"
                  r"长期有效", key) or key == "不限") \
            and d.deadline is None:
        d.deadline_note = "不限"
    coop = vocab.cooperation_modes(text)
    if coop:
        d.cooperation = list(dict.fromkeys([*d.cooperation, *coop]))
    if len(text) >= 15:
        desc = _description(text)
        if len(desc) >= 10 and not (d.description and desc in d.description):
            d.description = f"{d.description}\n{desc}" if d.description else desc
    if d.description:
        d.keywords = _keywords(d.description + " " + (d.title or ""))
    return d


_QUALIFIER_MARKS = {"about": "（约）", "at_most": "（上限）", "at_least": "（至少）"}


def budget_shown(p: NeedPosting, marks: bool = True) -> str | None:
    """The budget as a reader sees it: "50–80 万元", "80 万元（约）" (without the mark when ``marks`` is false),
    the 面议 note, or None."""
    if p.budget_qualifier == "range" and p.budget_low_wan is not None and p.budget_high_wan is not None:
        return f"{p.budget_low_wan:g}–{p.budget_high_wan:g} 万元"
    if p.budget_wan is not None:
        return f"{p.budget_wan:g} 万元" + (_QUALIFIER_MARKS.get(p.budget_qualifier or "", "") if marks else "")
    return p.budget_note


def deadline_shown(p: NeedPosting) -> str | None:
    """The deadline as a reader sees it: the ISO date, the 不限 note, or None."""
    return p.deadline.isoformat() if p.deadline else p.deadline_note


def render_posting(p: NeedPosting) -> str:
    """The text a platform would publish (contact details masked)."""
    budget = f"{p.budget_wan:g} 万元" if p.budget_wan is not None else (p.budget_note or "（待补充）")
    deadline = p.deadline.isoformat() if p.deadline else (p.deadline_note or "（待补充）")
    rows = [
        f"【科技需求】{p.title or '（待补充）'}",
        f"需求类型：{p.need_type or '（待补充）'}　所属领域：{p.field or '（待补充）'}　所在地区：{p.region or '（待补充）'}",
        f"需求单位：{p.organization or '（未填写）'}",
        f"需求描述：{p.description or '（待补充）'}",
        f"预期目标与技术指标：{p.goals or '（未填写）'}",
        f"合作方式：{'、'.join(p.cooperation) or '（待补充）'}",
        f"预算：{budget}　截止日期：{deadline}",
        f"联系方式：{mask_contact(p.contact) or '（待补充）'}",
        f"关键词：{'、'.join(p.keywords) or '—'}",
    ]
    return "\n".join(rows)


def near_duplicates(p: NeedPosting, needs: list[Need], threshold: float = 0.45) -> list[dict]:
    """Existing need records that say nearly the same thing (token overlap of title and description)."""
    mine = set(tokenize(f"{p.title or ''} {p.description or ''}"))
    out = []
    for r in needs:
        theirs = set(tokenize(f"{r.name} {r.description}"))
        if not mine or not theirs:
            continue
        sim = len(mine & theirs) / min(len(mine), len(theirs))
        if sim >= threshold:
            out.append({"id": r.id, "name": r.name, "similarity": round(sim, 3), "region": r.region})
    return sorted(out, key=lambda x: -x["similarity"])[:5]


def extract_need_llm(assistant, text: str, draft: NeedPosting | None = None, today: date | None = None,
                     classify: Callable[[str], str | None] = vocab.classify_field) -> NeedPosting:
    """With an LLM: better titles, descriptions and field choices. Budget, deadline and contact always come
    from the rule-based extraction of the text itself, so the model can never invent them; anything the
    model returns that does not validate is ignored in favour of the offline result."""
    import json as _json

    from langchain_core.messages import HumanMessage

    from assistant.prompts import render

    base = extract_need(text, draft, today, classify)
    if not getattr(assistant, "use_llm", False):
        return base
    prompt = render("extract_need", fields="、".join(FIELDS), cooperation="、".join(COOPERATION),
                    draft=_json.dumps(draft.public_json() if draft else {}, ensure_ascii=False), text=text)
    try:
        data = assistant.gateway.structured([HumanMessage(prompt)], dict)
    except ProviderError:
        base.notes.append(LLM_FAILED_NOTE)
        return base
    merged = base.model_dump()
    for key in ("title", "need_type", "field", "region", "organization", "description", "goals"):
        value = data.get(key)
        if isinstance(value, str) and value.strip() and value.strip().lower() != "null":
            merged[key] = value.strip()
    coop = [c for c in data.get("cooperation") or [] if c in COOPERATION]
    if coop:
        merged["cooperation"] = list(dict.fromkeys([*base.cooperation, *coop]))
    kws = [k for k in data.get("keywords") or [] if isinstance(k, str) and 1 < len(k) <= 12]
    if kws:
        merged["keywords"] = kws[:6]
    try:
        return NeedPosting.model_validate(merged)
    except ValueError:
        return base
