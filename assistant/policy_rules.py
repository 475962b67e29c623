"""Rule-based drafting of support items from a policy document, offline.

The document's structure (clause headings from chunking, enumerated items, 第X条 articles) says where the
conditions are (申报条件 / 支持对象 / 适用范围 …) and where the benefits are (支持标准 / 奖励标准 …). Each benefit
item becomes a draft measure; each condition is quoted verbatim and, where the domain layer can read it, mapped
to a profile fact (职工人数、销售收入、研发费用占比、成立年限、所在地区、资质); the rest stays a 需人工确认
condition. Drafts are reviewed by staff before the finder uses them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from assistant._text import search_key
from assistant.domain import dates, enterprise, quantities, regions, vocab
from assistant.records import Condition, Guard, PolicyItem
from assistant.types import Chunk

COND_HEAD = re.compile(r"申报条件|申请条件|支持对象|资助对象|奖励对象|补助对象|适用范围|适用条件|适用对象|受益企业|服务对象|"
                       r"奖励条件|组建条件|基本条件|申报主体|申请主体|支持范围|资助条件|补助条件|申报要求|申请要求|认定条件|"
                       r"评价条件|对象和条件|对象与条件|申报范围|建站条件|享受条件|条件和标准|准入条件|入库条件|适用主体|"
                       r"(?:单位|企业|主体)条件|条件$")
BENEFIT_HEAD = re.compile(r"支持标准|奖励标准|支持内容|资助标准|支持措施|优惠内容|补助标准|奖补标准|资助方式|奖补方式|扶持标准|"
                          r"支持方式|奖励办法|资助内容|补贴标准|支持政策|奖补内容|扶持政策|优惠政策|奖励措施|兑现标准|券种|额度|"
                          r"政策内容|主要内容")
OTHER_HEAD = re.compile(r"申报时间|申报程序|办理流程|申报流程|监督|附则|咨询|联系|组织实施|管理|总则|目标|概述|流程|材料|解读|"
                        r"附件|抄送|职责|保障")
COND_LINE = re.compile(r"应当?(?:同时)?(?:具备|满足|符合)|下列条件|以下条件|如下条件|可以?申请|方可申请|可申报|可以申报|可享受|"
                       r"申报单位应|申请单位应|申请企业应")
GIVE = re.compile(r"给予|奖励|补助|资助|贴息|补贴|奖补|免费|免申|减按|加计扣除|发放|支持\d|最高\d|按.{0,12}\d+(?:\.\d+)?%")
EXCLUDE = re.compile(r"不予(?:支持|奖励|资助|补助|受理|兑现|立项)|不在.{0,12}(?:支持|补助|资助)范围|不适用|不得申报|不得申请|"
                     r"不纳入|不属于支持范围|除外")
EXCLUSIVE = re.compile(r"(?:只能|仅能|仅可|只可)(?:享受|申报|申请)[^。；]{0,8}(?:一项|其中一项|一次)|就高|择一|择优享受|"
                       r"(?:上述|以上|本办法|本细则|其中)[^。；]{0,12}(?:不重复|不得重复|不可重复)(?:享受|支持|奖励|资助|兑现)")
FREE_OF_APPLICATION = re.compile(r"免申即享|无需申请|无需申报|免于申报|免申报|自动(?:兑现|发放|享受)|直接兑现")
ENUM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．)]|[一二三四五六七八九十]+[、.．]|[①-⑳]|"
                  r"第[一二三四五六七八九十百\d]+条)\s*")
RUN_IN = re.compile(r"(?:[一二三四五六七八九十]是|[（(][一二三四五六七八九十]+[)）]|[①-⑳])")
_CONCRETE = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|万|元|%|倍)|免费|减按|加计扣除|延长至|免申|无偿")
_NOT_FOR_APPLICANT = re.compile(r"合作银行|风险资金池|风险补偿资金|服务团每|特派员每|派出单位|工作经费")
_SPLIT_SENT = re.compile(r"(?<=[。；;])")
_INTRO = re.compile(r"(?:下列|以下|如下)(?:条件|情形|要求)?(?:之一)?[:：]?$|[:：]$")

FACT_WORDS: list[tuple[str, str, quantities.ThresholdKind]] = [
    # (fact, words that must appear, kind of number)
    ("tech_staff_ratio", r"(?:科技|研发|技术)人员.{0,16}(?:比例|比重|占)", "percent"),
    ("high_tech_income_ratio", r"高新技术产品.{0,20}(?:比例|比重|占)", "percent"),
    ("rd_ratio", r"研(?:究开)?发.{0,24}(?:比例|比重|占).{0,12}(?:销售|营业)?收入|(?:销售|营业)收入.{0,12}(?:比例|比重)|"
                 r"^(?:且|其)?(?:比例|比重|占比).{0,6}不低于", "percent"),
    ("employees", r"职工|员工|从业人员|人数|用工", "count"),
    ("assets_wan", r"资产", "money"),
    ("rd_expense_wan", r"研(?:究开)?发(?:费用|投入|经费)", "money"),
    ("revenue_wan", r"销售收入|营业收入|营收|主营业务收入|销售额|收入", "money"),
    ("ip_count", r"知识产权|专利", "count"),
    ("years_since_founded", r"成立|注册|设立|登记|经营|运营", "years"),
]


@dataclass
class Section:
    heading: str
    lines: list[str]
    role: str  # conditions / benefits / other


@dataclass
class Draft:
    """A drafted support item with the evidence a reviewer needs."""

    item: PolicyItem
    notes: list[str] = field(default_factory=list)


ReviewState = Literal["pending", "accepted", "rejected"]


class PolicyDraft(BaseModel):
    """A drafted support item under review. Only an accepted draft is used by the finder, and only with the
    conditions the reviewer did not reject."""

    id: str
    source: str
    status: Literal["draft", "accepted", "rejected"] = "draft"
    item: PolicyItem
    condition_review: list[ReviewState] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    def reviews(self) -> list[ReviewState]:
        """The review of each condition, in order (a condition never reviewed is pending)."""
        n = len(self.item.conditions)
        return (list(self.condition_review) + ["pending"] * n)[:n]

    def accepted_item(self) -> PolicyItem:
        keep = [c for c, r in zip(self.item.conditions, self.reviews(), strict=True) if r != "rejected"]
        return self.item.model_copy(update={"conditions": keep, "sample": False})

    def data(self) -> dict[str, Any]:
        return {"item": self.item.model_dump(mode="json"), "condition_review": self.condition_review,
                "notes": self.notes}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PolicyDraft:
        d = row["data"]
        return cls(id=row["id"], source=row["source"], status=row["status"],
                   item=PolicyItem.model_validate(d["item"]), condition_review=d.get("condition_review") or [],
                   notes=d.get("notes") or [])


def _heading_role(heading: str, first_line: str) -> str:
    parts = [p.strip() for p in heading.split(" > ") if p.strip()]
    for part in reversed(parts):
        if re.search(r"情形$|费用范围|计算示例", part) and not re.search(r"不予|不得|不适用", part):
            return "other"  # what counts as R&D, a worked example: not who may apply
        if COND_HEAD.search(part):
            return "conditions"
        if BENEFIT_HEAD.search(part):
            return "benefits"
        if OTHER_HEAD.search(part) and not re.fullmatch(r"第[一二三四五六七八九十百\d]+条", part):
            return "other"
    if parts and not re.search(r"第[一二三四五六七八九十百\d]+条$", parts[-1]) and len(parts) > 1:
        return "other"  # a titled section whose title says neither
    if COND_LINE.search(first_line[:60]):
        return "conditions"
    if _CONCRETE.search(first_line) and GIVE.search(first_line):
        return "benefits"
    return "other"


def sections(chunks: list[Chunk]) -> list[Section]:
    """The document as sections of lines (a heading line repeated in the chunk text is dropped)."""
    out: list[Section] = []
    for c in chunks:
        lines = [ln.strip() for ln in c.text.split("\n") if ln.strip()]
        last = (c.heading or "").split(" > ")[-1].strip()
        if lines and last and lines[0].startswith(last) and len(lines[0]) <= len(last) + 2:
            lines = lines[1:]
        if out and out[-1].heading == c.heading:
            out[-1].lines.extend(lines)
        else:
            out.append(Section(c.heading or "", lines, ""))
    # hard-wrapped text (a PDF copied line by line): join lines that do not end a sentence or start an item
    for s in out:
        joined: list[str] = []
        for ln in s.lines:
            if " | " in ln:
                cells = [x.strip() for x in ln.split(" | ") if x.strip()]
                ln = "；".join(x for x in cells if not re.fullmatch(r"[\d序号]+|.{0,6}", x)) or ln  # a table row
                joined.append(ln)
                continue
            if joined and not re.search(r"[。；;:：！？!?]$", joined[-1]) and not ENUM.match(ln) and \
                    not re.match(r"^第[一二三四五六七八九十百\d]+[章条节]", ln) and len(joined[-1]) >= 20:
                joined[-1] += ln
            else:
                joined.append(ln)
        s.lines = [ln for ln in joined if not re.fullmatch(r"[-—\s\d第页/共]+", ln)
                   and not re.fullmatch(r"第[一二三四五六七八九十百\d]+[章节]\s*\S{0,20}", ln)]
        s.role = _heading_role(s.heading, s.lines[0] if s.lines else "")
    return out


def _strip_enum(line: str) -> str:
    return ENUM.sub("", line, count=1).strip()


def _units(line: str) -> list[str]:
    """One line of a condition clause split into condition units: sentences, run-in enumerations (一是…；二是…),
    clauses, and threshold lists joined by 、 (职工总数不超过500人、年销售收入不超过2亿元)."""
    out: list[str] = []
    body = _strip_enum(line)
    listed = re.match(r"^(.{4,40}?)[:：](.+?)。?$", body)
    if listed and re.search(r"下列|以下|如下", listed.group(1)):
        items = [x for x in re.split(r"[；;]", listed.group(2)) if x.strip()]
        if items and all(len(x.strip()) <= 12 for x in items):
            return [body.rstrip("。")]  # 下列行业的企业不适用…：烟草制造业；住宿和餐饮业；… is one condition
        return [u for x in items for u in _clauses(x.strip().rstrip("。；;"))]
    for sent in _SPLIT_SENT.split(body):
        sent = sent.strip().rstrip("。；;")
        if not sent:
            continue
        pieces = [p for p in RUN_IN.split(sent) if p.strip()] if RUN_IN.search(sent) else [sent]
        for piece in pieces:
            for clause in _clauses(piece):
                parts = re.split(r"、", clause)
                if len(parts) > 1 and all(re.search(r"\d|[一二两三四五六七八九十百千万]+(?:人|年|万|亿|%|项)", p) for p in parts):
                    out.extend(p.strip() for p in parts if p.strip())
                else:
                    out.extend(_split_enumeration(clause))
    return out


REQUIREMENT = re.compile(r"依法|守法|合规|设有|建有|配备|制定|建立|承诺|提供|有专|有明确|有年度|有稳定|应|须|需|不低于|不高于|不超过|不少于|不多于|以上|以下|以内|满\d|满[一二两三四五六七八九十]|具有|具备|拥有|"
                         r"属于|注册|登记|成立|未发生|未被|无|不得|符合|达到|取得|通过|获得|入库|有效期内|从事|聚焦|面向|小于|"
                         r"大于|低于|高于|超过|不足|占|列入|迁出|发生|认定|评价|为限|限于|年度内")


def _clauses(piece: str) -> list[str]:
    """Clauses split at ，/； outside brackets; a clause that requires nothing by itself (通过自主研发等方式) is
    joined to the next one, and one left over at the end is dropped (按上述分档…越高)."""
    parts, depth, cur = [], 0, ""
    for ch in piece:
        depth += ch in "（(《“"
        depth -= ch in "）)》”"
        if ch in "，,；;" and depth <= 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out, carry = [], ""
    for part in parts:
        part = part.strip(" ：:，,；;。")
        if not part:
            continue
        text = f"{carry}，{part}" if carry else part
        if re.search(r"的(?:企业|单位)?$", part) and re.search(r"\d", part) and not carry:
            carry = part  # 销售收入小于5000万元（含）的企业，比例不低于5%: a tier and its requirement stay together
        elif REQUIREMENT.search(part):
            out.append(text)
            carry = ""
        else:
            carry = text
    if carry and REQUIREMENT.search(carry):
        out.append(carry)
    return [c for c in out if not (len(c) <= 6 and not re.search(r"\d|法人", c))]


def _listed(text: str) -> list[str]:
    """The items of an inline list (属于航空航天、电子信息、新材料等重点产业 → [航空航天, 电子信息, 新材料])."""
    m = re.search(r"(?:属于|从事|为|面向|聚焦|围绕|涉及|包括|限于)(.+?)(?:等)?(?:重点|主导|特色|战略性新兴|新兴|优势)?"
                  r"(?:产业链|产业|领域|行业|方向)", text)
    body = m.group(1) if m else text
    body = re.sub(r"^(?:下列|以下)?(?:行业|领域|产业)?(?:的企业)?(?:[:：])", "", body)
    items = [x.strip("“”\"《》 ") for x in re.split(r"[、；;，,和及与或]", body) if x.strip()]
    return [x for x in items if 1 < len(x) <= 16]


def classify(unit: str, negated: bool = False, place: regions.Region | None = None) -> Condition:
    """A condition unit mapped to a profile fact where the domain layer can read it, else 需人工确认."""
    text = unit.strip()
    core = re.sub(r"[（(](?!含[)）])[^）)]*[）)]", "", text)  # 近三个会计年度（实际经营期不满三年的…）
    quals = [q for q in vocab.find_qualifications(text)]
    if quals and (enterprise.FIRST_WORDS.search(text) or enterprise.RENEWAL_WORDS.search(text)) and \
            re.search(r"认定|评价|评为|获得|通过|公告", text) and not negated:
        kind = "重新认定" if enterprise.RENEWAL_WORDS.search(text) else "首次"
        return Condition(key="recognition", op="is", value={"qualification": quals[0], "kind": kind, "within_years": 1},
                         text=text)
    if negated or EXCLUDE.search(text):
        key = enterprise.policy_statement(text)
        if key:
            return Condition(key="statement", op="is", value=key, text=text)
        items = _listed(text)
        if items and re.search(r"行业|产业|类企业|业$|类", text) and not re.search(r"\d", text):
            return Condition(key="not_industry", op="not_in", value=items, text=text)
        return Condition(key="manual", op="is", value=f"不属于：{text}" if negated else text, text=text)
    key = enterprise.policy_statement(text)
    if key and key != "independent_legal_person":
        return Condition(key="statement", op="is", value=key, text=text)
    if quals and re.search(r"属于|已入库|入库|有效期内|获得|取得|认定为|评为|是|为|具有|具备|拥有|持有", text) and \
            not re.search(r"申请认定|申报认定", text):
        return Condition(key="qualification", op="has", value=quals if len(quals) > 1 else quals[0], text=text)
    for fact, words, kind in FACT_WORDS:
        if re.search(words, core):
            th = quantities.find_threshold(core, kind)
            if th is not None:
                return Condition(key=fact, op=th.op, value=list(th.value) if isinstance(th.value, tuple) else th.value,
                                 text=text)
    if re.search(r"注册|登记|辖区|行政区域|落户|注册地", core):
        named = {m.region.path: m.region for m in regions.find_regions(core)}
        if len(named) > 2:
            return Condition(key="region", op="in", value=[r.label for r in named.values()], text=text)
        where = regions.best_region(core, include_country=True)
        if where is not None and (place is None or regions.applies(place.path, where.path) is not False):
            if where.level == "country":
                return Condition(key="manual", op="is", value=text, text=text)
            stmt = enterprise.policy_statement(text)
            if stmt == "independent_legal_person" and not re.search(r"注册|登记", text.split("独立法人")[0]):
                return Condition(key="statement", op="is", value=stmt, text=text)
            return Condition(key="region", op="in", value=[where.label], text=text)
    key = enterprise.policy_statement(text)
    if key:
        return Condition(key="statement", op="is", value=key, text=text)
    if re.search(r"产业|领域|行业", text) and re.search(r"属于|从事|面向|聚焦|围绕", text):
        items = _listed(text)
        if items:
            return Condition(key="industry", op="in", value=items, text=text)
    return Condition(key="manual", op="is", value=text, text=text)


NUMERIC_FACTS = {"employees", "revenue_wan", "assets_wan", "rd_expense_wan", "rd_ratio", "tech_staff_ratio",
            "high_tech_income_ratio", "ip_count", "years_since_founded"}
_REGISTERED_IN = re.compile(r"^(?:在|于)?([\u4e00-\u9fff]{2,14}?)(?:行政区域内|辖区内|区域内|范围内|境内)?(?:依法)?(?:注册|登记|设立)")


def classify_all(unit: str, negated: bool = False, place: regions.Region | None = None) -> list[Condition]:
    """A unit may state two conditions (在成都市注册登记满1年: place and age): one Condition each, same quote."""
    tier = re.match(r"^(.+?的(?:企业|单位)?)，(.+)$", unit)
    if tier and not negated:
        guard, main = classify(tier.group(1)), classify(tier.group(2))
        if guard.key != main.key and guard.key in NUMERIC_FACTS and main.key in NUMERIC_FACTS:
            return [Condition(key=main.key, op=main.op, value=main.value, text=unit,
                              when=Guard(key=guard.key, op=guard.op, value=guard.value))]
    first = classify(unit, negated, place)
    out = [first]
    if first.key != "region" and not negated:
        m = _REGISTERED_IN.match(unit)
        where = regions.best_region(m.group(1), include_country=True) if m else None
        if where is not None and where.level != "country":
            out.insert(0, Condition(key="region", op="in", value=[where.label], text=unit))
    return out


def _split_enumeration(clause: str) -> list[str]:
    """在镇江市注册、当年首次通过高新技术企业认定的企业 → two units when each part is a condition of its own."""
    parts = [p.strip() for p in clause.split("、")]
    if len(parts) < 2 or any(len(p) < 4 for p in parts):
        return [clause]
    keys = [classify(p).key for p in parts]
    if len(set(keys)) == len(keys) and "manual" not in keys:
        return parts
    return [clause]


def _is_condition_text(unit: str) -> bool:
    if len(unit) < 4 or _INTRO.search(unit):
        return False
    if re.match(r"^(?:按|按照)?上述", unit):
        return False
    if re.search(r"应当?(?:同时)?(?:满足|符合|具备)(?:下列|以下|如下)?\S{0,4}?(?:条件|要求)?(?:之一)?$|^(?:可以?|方可|均可)(?:申请|申报|享受)|"
                 r"^(?:并|且)?(?:同时)?(?:满足|符合)(?:下列|以下|如下)条件", unit):
        return False
    return not re.fullmatch(r"(?:申请|申报)?(?:贴息|补贴|奖励|资助|支持)?的?(?:企业|单位)(?:应当?|须|需)?(?:同时)?"
                            r"(?:满足|符合|具备)?(?:下列|以下)?(?:条件)?", unit)


def _conditions_of(lines: list[str], place: regions.Region | None) -> tuple[list[Condition], dict[str, list[Condition]],
                                                                              list[str]]:
    """(conditions for every measure, conditions under a titled sub-item keyed by its title, exclusive rules)."""
    shared: list[Condition] = []
    titled: dict[str, list[Condition]] = {}
    rules: list[str] = []
    current: str | None = None
    for line in lines:
        body = _strip_enum(line)
        if EXCLUSIVE.search(body):
            rules.append(next(s for s in _SPLIT_SENT.split(body) if EXCLUSIVE.search(s)).strip())
            continue
        m = re.match(r"^([^，。；：:]{2,14}?)(?:[。:：])(.+)$", body)
        if ENUM.match(line) and m and not re.search(r"\d|注册|成立|不超过|不低于", m.group(1)):
            current = m.group(1)
            body = m.group(2)
            titled.setdefault(current, [])
        elif not ENUM.match(line) and current is not None and not COND_LINE.search(body):
            pass  # an item of the titled group (1. 2. 3. under （一）高企培育入库)
        elif ENUM.match(line) and re.match(r"^[（(]", line):
            current = None
        target = titled[current] if current is not None else shared
        negated_block = bool(re.search(r"有下列情形之一|下列情形之一的|以下情形之一", body))
        for unit in _units(body):
            if not _is_condition_text(unit):
                continue
            if negated_block and re.search(r"有下列情形之一|情形之一的", unit):
                continue
            neg = negated_block or bool(EXCLUDE.search(unit))
            target.extend(classify_all(unit, negated=neg, place=place))
    return shared, titled, rules


def _bigrams(text: str) -> set[str]:
    k = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {k[i:i + 2] for i in range(len(k) - 1)}


def _benefit_measures(lines: list[str]) -> list[tuple[str, str]]:
    """(title, benefit sentence) for every benefit item of a benefit clause."""
    out = []
    for line in lines:
        body = _strip_enum(line)
        if EXCLUSIVE.search(body) and not re.search(r"\d+万", body):
            continue
        if not GIVE.search(body) or not _CONCRETE.search(body):
            continue
        if _NOT_FOR_APPLICANT.search(body) and "企业" not in body.split("给予")[0]:
            continue  # paid to banks, service teams or staff, not something an applicant receives
        m = re.match(r"^([^，。；：:]{2,16}?)[。:：](.+)$", body)
        title = m.group(1) if m and not re.search(r"\d", m.group(1)) else ""
        out.append((title, body))
    return out


def _meta(lines: list[str], label: str) -> str | None:
    """A header field (发文机关：…), up to the next field on the same line."""
    for ln in lines:
        m = re.search(rf"{label}\s*[:：]\s*(.+?)(?=\s+[\u4e00-\u9fff]{{2,6}}[:：]|$)", ln)
        if m:
            return m.group(1).strip()
    return None


def _validity(text: str) -> tuple[date | None, date | None]:
    m = re.search(r"有效期\s*[:：]?\s*(?:为|自)?\s*([0-9０-９]{4}[-年.．/][^至到—~]{1,8})\s*(?:至|到|—|~|-)\s*"
                  r"([0-9]{4}[-年.．/][^\s，。；]{1,8})", text)
    if m:
        return dates.find_absolute_date(m.group(1)), dates.find_absolute_date(m.group(2))
    start = re.search(r"自\s*([0-9]{4}\s*年[^起]{1,8})起(?:施行|实施|执行)", text)
    end = re.search(r"有效期(?:至|到|截至)\s*([0-9]{4}\s*年[^，。；]{1,8})", text)
    return (dates.find_absolute_date(start.group(1)) if start else None,
            dates.find_absolute_date(end.group(1)) if end else None)


def _deadline(lines: list[str], today_hint: date | None) -> date | None:
    found = []
    for ln in lines:
        if re.search(r"截止|截至|(?:之前|前)(?:提交|报送|申报|完成申报)|申报时间", ln) and not re.search(r"有效期", ln):
            for m in re.finditer(r"[0-9]{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[0-9]{4}-\d{1,2}-\d{1,2}", ln):
                d = dates.find_absolute_date(m.group(0))
                if d:
                    found.append(d)
    return max(found) if found else None


def _amount_wan(text: str) -> float | None:
    amounts = [m.wan for m in (quantities.parse_money(x) for x in re.findall(r"\d+(?:\.\d+)?\s*(?:万元|亿元|万)", text))
               if m and m.wan is not None]
    return max(amounts) if amounts else None


def draft_items(chunks: list[Chunk], doc: dict[str, Any]) -> list[Draft]:
    """Draft support items of one policy document from its chunks (in order) and its manifest row."""
    if not chunks:
        return []
    source = chunks[0].source
    secs = sections(chunks)
    all_lines = [ln for s in secs for ln in s.lines]
    full = "\n".join(all_lines)
    title = doc.get("title") or chunks[0].title or source
    place = regions.resolve(doc.get("region")) if doc.get("region") else regions.best_region(title, include_country=True)
    shared: list[Condition] = []
    titled: dict[str, list[Condition]] = {}
    rules: list[str] = []
    cond_heading = ""
    for s in secs:
        if s.role == "conditions":
            sh, ti, ru = _conditions_of(s.lines, place)
            shared += sh
            titled.update(ti)
            rules += ru
            cond_heading = cond_heading or s.heading.split(" > ")[-1]
        else:
            for ln in s.lines:
                body = _strip_enum(ln)
                if EXCLUSIVE.search(body):
                    rules.append(next(x for x in _SPLIT_SENT.split(body) if EXCLUSIVE.search(x)).strip())
                elif s.role == "benefits" and re.search(r"有下列情形之一|不予(?:支持|奖励|资助)", body):
                    sh, ti, _ = _conditions_of([ln], place)
                    shared += sh + [c for group in ti.values() for c in group]
    benefits: list[tuple[str, str]] = []
    for s in secs:
        if s.role == "benefits":
            benefits += _benefit_measures(s.lines)
    # a titled group of conditions belongs to the benefit it names (（一）高企培育入库 → 入库培育奖励); a title no
    # benefit shares (（一）注册时间) is just the label of a condition every measure has
    owner: dict[str, int] = {}
    for t in titled:
        scores = [len(_bigrams(t) & _bigrams(bt + b[:30])) for bt, b in benefits]
        if scores and max(scores) >= 2:
            owner[t] = scores.index(max(scores))
        else:
            shared += titled[t]
    if not benefits:
        give = [ln for s in secs if s.role != "conditions" for ln in s.lines if GIVE.search(ln) and re.search(r"\d", ln)]
        benefits = [("", _strip_enum(give[0]))] if give else [("", "")]
    valid_from, valid_to = _validity(full)
    validity_text = _meta(all_lines[:12], "有效期")
    if validity_text and (valid_to is None):
        valid_from, valid_to = _validity("有效期：" + validity_text)
    deadline = _deadline(all_lines, None)
    level = _meta(all_lines[:12], "政策层级") or _level_of(place)
    issuer = _meta(all_lines[:12], "发文机关") or _meta(all_lines[:12], "发文单位")
    region_label = "全国" if place is None or place.level == "country" else place.label
    free = bool(FREE_OF_APPLICATION.search(full))
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:6]
    drafts = []
    rule = rules[0] if rules else None
    for n, (btitle, benefit) in enumerate(benefits, start=1):
        conds = list(shared)
        for t, i in owner.items():
            if i == n - 1:
                conds += titled[t]
        conds = _dedupe(conds)
        if region_label != "全国" and not any(c.key == "region" for c in conds):
            notes_region = True
        else:
            notes_region = False
        name = f"{_short_title(title)}：{btitle}" if btitle else _short_title(title)
        if len(benefits) > 1 and not btitle:
            name = f"{_short_title(title)}（第{n}项）"
        item = PolicyItem(
            id=f"draft-{digest}-{n}", name=name, region=region_label, province=place.province if place else None,
            field="综合", date=dates.find_absolute_date(doc.get("published") or "") if doc.get("published") else None,
            level=level, issuer=issuer, valid_from=valid_from, valid_to=valid_to, deadline=deadline, benefit=benefit,
            benefit_wan=_amount_wan(benefit), apply_mode="免申即享" if free and FREE_OF_APPLICATION.search(benefit)
            else "需申报", source_doc=source, clause=cond_heading or None, conditions=conds,
            exclusive_group=f"{source}#exclusive" if rule and len(benefits) > 1 else None,
            exclusive_rule=rule if len(benefits) > 1 else None, keywords=[], description="", sample=False)
        notes = ["地区只见于文件抬头，未在条件中写明"] if notes_region else []
        drafts.append(Draft(item=item, notes=notes))
    return drafts


def _dedupe(conds: list[Condition]) -> list[Condition]:
    seen, out = set(), []
    for c in conds:
        k = (c.key, c.text)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _short_title(title: str) -> str:
    book = re.search(r"《([^》]{4,40})》?", title or "")
    if book:
        title = book.group(1)
    t = re.sub(r"^关于(?:印发)?|的通知$|（试行）|\(试行\)|实施细则$|实施办法$|管理办法$|办法$|若干措施$|措施$", "", title or "")
    return t.strip("《》 ") or title


def _level_of(place: regions.Region | None) -> str | None:
    if place is None or place.level == "country":
        return "国家级"
    return {"province": "省级", "city": "市级", "county": "区县级"}.get(place.level, None)


def looks_like_policy(text: str) -> bool:
    """A document that states who may apply and what they get (drafting is tried on it even when its title
    does not say 办法/通知)."""
    head = text[:20000]
    return bool(COND_HEAD.search(head) or COND_LINE.search(head)) and bool(GIVE.search(head) and _CONCRETE.search(head))


def fingerprint(item: PolicyItem) -> str:
    """What a reviewer accepted: a change in the drafted conditions reopens the review."""
    key = "|".join(search_key(c.text) for c in item.conditions) + "#" + search_key(item.benefit)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
