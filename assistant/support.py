"""The support finder: "我是……企业，有哪些支持政策适用于我？"

From an enterprise profile it evaluates the structured policy items in the knowledge base (records of type
``policy``, hand-checked in the sample corpus): each condition met / not met / unknown with a citation of the
clause that states it, the benefit with an estimate where the profile allows one, validity, deadline and
level. Expired measures are marked, not recommended. Conditions are data, never guessed at answer time.
"""

from __future__ import annotations

import ast
import operator
import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from assistant._text import search_key, split_sentences
from assistant.knowledge_base import KnowledgeBase
from assistant.records import Condition, Guard, PolicyItem
from assistant.types import Citation

Status = Literal["met", "not_met", "unknown"]

QUALIFICATION_ALIASES = {
    "高新技术企业": ["高新技术企业", "高企", "国高"],
    "科技型中小企业": ["科技型中小企业", "科小", "科技型中小"],
    "专精特新中小企业": ["专精特新中小企业", "专精特新企业", "专精特新"],
    "专精特新“小巨人”企业": ["小巨人", "专精特新“小巨人”", "专精特新小巨人"],
    "创新型中小企业": ["创新型中小企业"],
}
FIELD_KEYWORDS = {
    "纺织服装": ["棉", "纺织", "服装", "纱", "印染"],
    "石油化工": ["石油", "化工", "炼化", "油气", "天然气"],
    "现代农业": ["农业", "种植", "香梨", "番茄", "畜牧", "农机", "种业"],
    "食品加工": ["食品", "农产品加工", "果蔬", "乳制品"],
    "新能源": ["光伏", "风电", "储能", "新能源", "氢能"],
    "新材料": ["新材料", "玻纤", "复合材料", "合金", "高分子"],
    "高端装备制造": ["装备", "机械", "机床", "机器人", "矿山"],
    "电子信息": ["电子", "芯片", "半导体", "软件", "通信", "集成电路"],
    "生物医药": ["医药", "生物", "制药", "医疗器械", "疫苗"],
    "航空航天": ["航空", "航天", "无人机", "卫星"],
    "节能环保": ["环保", "节能", "污水", "固废"],
    "数字经济": ["数字", "大数据", "人工智能", "云计算", "互联网"],
}

_FACT_LABELS = {
    "region": "企业所在地区", "industry": "所属行业/领域", "not_industry": "所属行业/领域", "qualification": "已获资质",
    "employees": "职工总数", "revenue_wan": "上年度销售收入（万元）", "assets_wan": "资产总额（万元）",
    "rd_ratio": "研发费用占销售收入比例（%）", "years_since_founded": "成立年份",
}


class EnterpriseProfile(BaseModel):
    name: str | None = None
    region: str | None = Field(None, description="所在城市或地区，如 巴州、泰安市")
    province: str | None = None
    industry: str | None = Field(None, description="领域（新材料、纺织服装……）或国民经济行业（批发和零售业……）")
    qualifications: list[str] = Field(default_factory=list)
    qualifications_complete: bool = Field(False, description="True when the list is exhaustive (a form's "
                                          "checkboxes): a qualification not listed is then 'not met', else 'unknown'.")
    employees: int | None = Field(None, ge=0)
    revenue_wan: float | None = Field(None, ge=0)
    assets_wan: float | None = Field(None, ge=0)
    rd_expense_wan: float | None = Field(None, ge=0)
    rd_ratio: float | None = Field(None, ge=0, le=100, description="研发费用占销售收入比例，百分数")
    taxable_income_wan: float | None = Field(None, ge=0)
    founded_year: int | None = Field(None, ge=1900, le=2100)
    as_of: date = Field(default_factory=date.today)

    @field_validator("qualifications", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [x.strip() for x in re.split(r"[、,，;；|/ ]+", v) if x.strip()]
        return v

    def value(self, key: str) -> Any:
        if key == "rd_ratio":
            if self.rd_ratio is not None:
                return self.rd_ratio
            if self.rd_expense_wan is not None and self.revenue_wan:
                return round(self.rd_expense_wan / self.revenue_wan * 100, 2)
            return None
        if key == "years_since_founded":
            return None if self.founded_year is None else self.as_of.year - self.founded_year
        if key in ("industry", "not_industry"):
            return self.industry
        return getattr(self, key, None)

    def known(self) -> list[str]:
        return [k for k in _FACT_LABELS if self.value(k) not in (None, [], "")]


class ConditionCheck(BaseModel):
    key: str
    text: str
    status: Status
    detail: str = ""
    citation: Citation | None = None


class Estimate(BaseModel):
    label: str
    value_wan: float
    formula: str
    tax_saving_wan: float | None = None


class MeasureResult(BaseModel):
    id: str
    name: str
    level: str | None
    region: str
    issuer: str | None
    benefit: str
    benefit_formula: str | None
    estimate: Estimate | None = None
    valid_from: date | None
    valid_to: date | None
    deadline: date | None
    expired: bool
    deadline_passed: bool
    status: Literal["eligible", "possible", "not_eligible", "expired"]
    conditions: list[ConditionCheck]
    missing_facts: list[str]
    source_doc: str | None
    clause: str | None
    sample: bool

    def shown_conditions(self) -> list[ConditionCheck]:
        """Conditions to display: one sentence of a document may state two conditions; show it once."""
        seen: set[str] = set()
        out = []
        for c in self.conditions:
            if c.text not in seen:
                seen.add(c.text)
                out.append(c)
        return out


class SupportReport(BaseModel):
    profile: EnterpriseProfile
    measures: list[MeasureResult]
    excluded_other_regions: int = 0
    missing_facts: list[str] = Field(default_factory=list)  # facts that would decide at least one measure


def normalize_qualification(q: str) -> str:
    key = search_key(q)
    for canon, aliases in sorted(QUALIFICATION_ALIASES.items(), key=lambda kv: -max(len(a) for a in kv[1])):
        if any(search_key(a) in key for a in aliases):
            return canon
    return q.strip()


def region_forms(name: str) -> set[str]:
    from assistant.ingest.metadata import gazetteer

    key = search_key(name)
    out = {key}
    for alias, canon in gazetteer():
        if alias in key or search_key(canon) == key:
            out |= {search_key(a) for a, c in gazetteer() if c == canon}
    return out


def _region_match(profile: EnterpriseProfile, regions: list[str]) -> bool | None:
    if any(search_key(r) == "全国" for r in regions):
        return True
    mine = [r for r in (profile.region, profile.province) if r]
    if not mine:
        return None
    forms = set().union(*(region_forms(r) for r in mine))
    return any(region_forms(r) & forms for r in regions)


def _compare(op: str, have: Any, want: Any) -> bool:
    if op == "lte":
        return have <= want
    if op == "gte":
        return have >= want
    if op == "lt":
        return have < want
    if op == "gt":
        return have > want
    if op == "eq":
        return have == want
    if op == "between":
        lo, hi = want
        return lo < have <= hi
    raise ValueError(op)


def _as_list(v: Any) -> list[str]:
    return [str(x) for x in v] if isinstance(v, list) else [str(v)]


def _industry_in(industry: str, values: list[str]) -> bool:
    key = search_key(industry)
    for v in values:
        vk = search_key(v)
        if vk in key or key in vk:
            return True
        if any(k in key for k in FIELD_KEYWORDS.get(v, [])):
            return True
    return False


def evaluate(cond: Condition | Guard, profile: EnterpriseProfile) -> tuple[Status, str]:
    key, op, want = cond.key, cond.op, cond.value
    if key == "region":
        m = _region_match(profile, _as_list(want))
        return ("unknown", "") if m is None else (("met" if m else "not_met"), profile.region or profile.province or "")
    if key in ("industry", "not_industry"):
        if not profile.industry:
            return "unknown", ""
        inside = _industry_in(profile.industry, _as_list(want))
        ok = inside if op in ("in", "eq") else not inside
        return ("met" if ok else "not_met"), profile.industry
    if key == "qualification":
        have = {normalize_qualification(q) for q in profile.qualifications}
        wanted = {normalize_qualification(w) for w in _as_list(want)}
        if have & wanted:
            return "met", "、".join(sorted(have & wanted))
        # From chat a list of qualifications is rarely complete: not mentioned is unknown, not "no".
        return ("not_met" if profile.qualifications_complete else "unknown"), ""
    have = profile.value(key)
    if have is None:
        return "unknown", ""
    return ("met" if _compare(op, have, want) else "not_met"), f"{have:g}" if isinstance(have, float) else str(have)


_SAFE_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def safe_eval(expr: str, names: dict[str, Any]) -> float | None:
    """Arithmetic over profile fields only (no calls, no attributes); None when a field is missing."""
    def ev(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            v = names.get(node.id)
            return None if v is None else float(v)
        if isinstance(node, ast.BinOp) and type(node.op) in _SAFE_OPS:
            a, b = ev(node.left), ev(node.right)
            return None if a is None or b is None else _SAFE_OPS[type(node.op)](a, b)
        raise ValueError(f"不支持的估算表达式：{expr}")
    return ev(ast.parse(expr, mode="eval"))


class SupportFinder:
    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def items(self) -> list[PolicyItem]:
        return [PolicyItem.model_validate(r) for r in self.kb.manifest.records("policy")]

    def _cite(self, item: PolicyItem, text: str) -> Citation | None:
        """The chunk of the source document that states ``text``: an exact quote when the wording is there,
        else the clause's chunk and its closest sentence."""
        if not item.source_doc:
            return None
        chunks = self.kb.manifest.chunks_of(item.source_doc)
        if not chunks:
            return None
        want = search_key(text)
        for c in chunks:
            i = search_key(c["text"]).find(want)
            if i >= 0:
                return Citation(n=0, source=c["source"], title=c["title"], chunk_id=c["chunk_id"],
                                heading=c["heading"] or "", quote=c["text"][i:i + len(text)],
                                start=c["start"] + i, end=c["start"] + i + len(text))
        clause = search_key(item.clause or "")
        pool = [c for c in chunks if clause and clause in search_key(c["heading"] or "")] or chunks
        from assistant._text import tokenize

        want_t = set(tokenize(text))
        best = None
        for c in pool:
            for s, e in split_sentences(c["text"]):
                seg = c["text"][s:e].strip()
                score = len(want_t & set(tokenize(seg)))
                if seg and (best is None or score > best[0]):
                    best = (score, c, seg, c["text"].find(seg, s))
        if best is None:
            return None
        _, c, seg, off = best
        return Citation(n=0, source=c["source"], title=c["title"], chunk_id=c["chunk_id"], heading=c["heading"] or "",
                        quote=seg, start=c["start"] + off, end=c["start"] + off + len(seg))

    def check(self, item: PolicyItem, profile: EnterpriseProfile) -> MeasureResult:
        checks: list[ConditionCheck] = []
        missing: list[str] = []
        for cond in item.conditions:
            if cond.when is not None:
                guard, _ = evaluate(cond.when, profile)
                if guard == "not_met":
                    continue  # a tier that does not apply to this profile
                if guard == "unknown":
                    label = _FACT_LABELS.get(cond.when.key, cond.when.key)
                    checks.append(ConditionCheck(key=cond.key, text=cond.text, status="unknown",
                                                 detail=f"取决于{label}", citation=self._cite(item, cond.text)))
                    missing.append(label)
                    continue
            status, have = evaluate(cond, profile)
            label = _FACT_LABELS.get(cond.key, cond.key)
            if status == "unknown":
                if cond.key == "qualification":
                    label = f"是否已获得“{'/'.join(_as_list(cond.value))}”"
                missing.append(label)
                detail = f"需要提供：{label}"
            else:
                detail = f"您的情况：{have}" if have else ""
            checks.append(ConditionCheck(key=cond.key, text=cond.text, status=status, detail=detail,
                                         citation=self._cite(item, cond.text)))
        today = profile.as_of
        expired = bool(item.valid_to and item.valid_to < today)
        deadline_passed = bool(item.deadline and item.deadline < today)
        if expired:
            status = "expired"
        elif any(c.status == "not_met" for c in checks):
            status = "not_eligible"
        elif all(c.status == "met" for c in checks):
            status = "eligible"
        else:
            status = "possible"
        return MeasureResult(
            id=item.id, name=item.name, level=item.level, region=item.region, issuer=item.issuer,
            benefit=item.benefit, benefit_formula=item.benefit_formula, estimate=self._estimate(item, profile),
            valid_from=item.valid_from, valid_to=item.valid_to, deadline=item.deadline, expired=expired,
            deadline_passed=deadline_passed, status=status, conditions=checks,
            missing_facts=list(dict.fromkeys(missing)), source_doc=item.source_doc, clause=item.clause,
            sample=item.sample)

    def _estimate(self, item: PolicyItem, profile: EnterpriseProfile) -> Estimate | None:
        if not item.estimate_expr:
            return None
        names = profile.model_dump()
        names["rd_ratio"] = profile.value("rd_ratio")
        value = safe_eval(item.estimate_expr, names)
        if value is None:
            return None
        tax = round(value * item.estimate_tax_rate, 2) if item.estimate_tax_rate else None
        return Estimate(label=item.estimate_label or "估算金额", value_wan=round(value, 2),
                        formula=item.benefit_formula or item.estimate_expr, tax_saving_wan=tax)

    def find(self, profile: EnterpriseProfile, include_other_regions: bool = False) -> SupportReport:
        results, excluded = [], 0
        for item in self.items():
            applies = _region_match(profile, [item.region])
            if applies is False and not include_other_regions:
                excluded += 1
                continue
            results.append(self.check(item, profile))
        order = {"eligible": 0, "possible": 1, "not_eligible": 2, "expired": 3}
        level = {"国家级": 0, "省级": 1, "市级": 2}
        results.sort(key=lambda r: (order[r.status], level.get(r.level or "", 3), r.id))
        missing = list(dict.fromkeys(f for r in results if r.status == "possible" for f in r.missing_facts))
        return SupportReport(profile=profile, measures=results, excluded_other_regions=excluded, missing_facts=missing)


_NUM = r"(\d+(?:\.\d+)?)"


def _money_wan(text: str, labels: str) -> float | None:
    m = re.search(rf"(?:{labels})[^\d，。；,;]{{0,8}}?{_NUM}\s*(亿|万|千万)?", text)
    if not m:
        return None
    v = float(m.group(1))
    unit = m.group(2)
    return v * 10000 if unit == "亿" else v * 1000 if unit == "千万" else v


def profile_from_text(text: str, base: EnterpriseProfile | None = None) -> EnterpriseProfile:
    """Gather profile facts from what a user wrote in chat; facts not stated stay unknown."""
    from assistant.ingest.metadata import gazetteer

    data = (base or EnterpriseProfile()).model_dump()
    key = search_key(text)
    for alias, canon in gazetteer():
        if alias in key and canon not in ("全国",):
            if canon.endswith(("省", "自治区")) and data.get("region") is None:
                data["province"] = data.get("province") or canon
            elif data.get("region") in (None, data.get("province")):
                data["region"] = canon
            break
    quals = list(data.get("qualifications") or [])
    for canon, aliases in QUALIFICATION_ALIASES.items():
        if any(search_key(a) in key for a in aliases) and canon not in quals:
            if canon == "专精特新中小企业" and "专精特新“小巨人”企业" in quals:
                continue
            quals.append(canon)
    data["qualifications"] = quals
    for field, words in FIELD_KEYWORDS.items():
        if any(w in key for w in words):
            data["industry"] = data.get("industry") or field
            break
    for industry in ("批发和零售业", "房地产业", "住宿和餐饮业", "烟草制造业", "租赁和商务服务业", "娱乐业"):
        if industry[:2] in key and ("业" in key):
            data["industry"] = industry
    m = re.search(rf"{_NUM}\s*(?:名|个|位)?\s*(?:职工|员工|人)", key)
    if m:
        data["employees"] = int(float(m.group(1)))
    rev = _money_wan(key, "营收|营业收入|销售收入|年收入|收入|销售额")
    if rev is not None:
        data["revenue_wan"] = rev
    rd = _money_wan(key, "研发投入|研发费用|研发支出")
    if rd is not None:
        data["rd_expense_wan"] = rd
    m = re.search(rf"研发[^。；;]{{0,12}}?(?:占比|比例|占)[^\d]{{0,6}}{_NUM}\s*%", key)
    if m:
        data["rd_ratio"] = float(m.group(1))
    assets = _money_wan(key, "资产总额|总资产|资产")
    if assets is not None:
        data["assets_wan"] = assets
    m = re.search(r"((?:19|20)\d{2})\s*年\s*(?:成立|注册|创立|创办)", key) or re.search(
        r"成立(?:于)?\s*((?:19|20)\d{2})", key)
    if m:
        data["founded_year"] = int(m.group(1))
    else:
        m = re.search(rf"成立(?:了)?\s*{_NUM}\s*年", key)
        if m:
            data["founded_year"] = (base.as_of if base else date.today()).year - int(float(m.group(1)))
    return EnterpriseProfile.model_validate(data)
