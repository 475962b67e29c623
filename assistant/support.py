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

from pydantic import BaseModel, Field, field_validator, model_validator

from assistant._text import search_key
from assistant.citations import find_citation
from assistant.domain import dates, quantities, regions, vocab
from assistant.knowledge_base import KnowledgeBase
from assistant.records import Condition, Guard, PolicyItem
from assistant.types import Citation

Status = Literal["met", "not_met", "unknown"]

_FACT_LABELS = {
    "region": "企业所在地区", "industry": "所属行业/领域", "not_industry": "所属行业/领域", "qualification": "已获资质",
    "employees": "职工总数", "revenue_wan": "上年度销售收入（万元）", "assets_wan": "资产总额（万元）",
    "rd_ratio": "研发费用占销售收入比例（%）", "years_since_founded": "成立年份",
}
_FACT_UNITS = {"employees": "人", "revenue_wan": "万元", "assets_wan": "万元", "rd_ratio": "%", "years_since_founded": "年"}
REVENUE_LABELS = ("营收", "营业收入", "销售收入", "年收入", "收入", "销售额", "年销售", "产值")
RD_LABELS = ("研发投入", "研发费用", "研发支出", "研发经费", "研发")
ASSET_LABELS = ("资产总额", "总资产", "资产")
TAXABLE_LABELS = ("应纳税所得额", "利润总额", "利润")


class EnterpriseProfile(BaseModel):
    name: str | None = None
    region: str | None = Field(None, description="所在城市或地区，如 巴州、泰安市、库尔勒市")
    province: str | None = None
    region_path: str | None = Field(None, description="The gazetteer path of the region (set from ``region``).")
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

    notes: list[str] = Field(default_factory=list, description="How typed values were read (八千万 = 8,000 万元).")

    @field_validator("qualifications", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [x.strip() for x in re.split(r"[、,，;；|/ ]+", v) if x.strip()]
        return [vocab.normalize_qualification(q) or q for q in v] if isinstance(v, list) else v

    @model_validator(mode="before")
    @classmethod
    def _read_typed(cls, data: Any) -> Any:
        """Amounts and counts as people type them in a form (八千万, 3000000元, 1.2亿, 一百八十人)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        notes = list(data.get("notes") or [])
        for key in ("revenue_wan", "assets_wan", "rd_expense_wan", "taxable_income_wan"):
            v = data.get(key)
            if isinstance(v, str):
                m = quantities.parse_money(v, "万元")
                if v.strip() and (m is None or m.wan is None):
                    raise ValueError(f"{_FIELD_NAMES.get(key, key)}：无法识别的金额 {v!r}（例如 8000万、1.2亿、3000000元）")
                data[key] = m.wan if m else None
                if m and m.note:
                    notes.append(f"{_FIELD_NAMES.get(key, key)}：{m.note}")
        if isinstance(data.get("employees"), str):
            v = data["employees"]
            n = quantities.parse_count(v)
            if v.strip() and n is None:
                raise ValueError(f"职工人数：无法识别 {v!r}（例如 180、一百八十人）")
            data["employees"] = n
        if isinstance(data.get("rd_ratio"), str):
            data["rd_ratio"] = quantities.parse_percent(data["rd_ratio"]) if data["rd_ratio"].strip() else None
        data["notes"] = notes
        return data

    @model_validator(mode="after")
    def _place(self) -> EnterpriseProfile:
        r = regions.resolve(self.region) if self.region else (regions.resolve(self.province) if self.province else None)
        if r is not None:
            self.region = r.label if r.level != "province" or not self.province else self.region
            self.region_path = r.path
            self.province = r.province or self.province
        return self

    def warnings(self) -> list[str]:
        """Facts that contradict each other, shown to the user next to the result (the UI form shows them)."""
        out = []
        if self.rd_expense_wan is not None and self.revenue_wan is not None and self.rd_expense_wan > self.revenue_wan > 0:
            out.append(f"研发费用（{self.rd_expense_wan:g} 万元）大于营业收入（{self.revenue_wan:g} 万元），请核对。")
        if self.employees == 0 and (self.revenue_wan or 0) > 0:
            out.append("职工人数为 0 但有营业收入，请核对职工人数。")
        if self.founded_year is not None and self.founded_year > self.as_of.year:
            out.append(f"成立年份 {self.founded_year} 晚于今年，请核对。")
        return out

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


_FIELD_NAMES = {"revenue_wan": "上年度销售收入", "assets_wan": "资产总额", "rd_expense_wan": "研发费用",
                "taxable_income_wan": "应纳税所得额"}


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


def _region_match(profile: EnterpriseProfile, measure_regions: list[str]) -> bool | None:
    """Whether a measure of these regions applies where the enterprise is (None: not known well enough)."""
    where = profile.region_path or profile.region or profile.province
    answers = [regions.applies(r, where) for r in measure_regions]
    if any(a is True for a in answers):
        return True
    return None if any(a is None for a in answers) else False


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
    """Whether the enterprise's industry or field is one of ``values`` (fields and negative-list industries)."""
    key = search_key(industry)
    mine = {vocab.classify_field(industry), vocab.classify_industry(industry)} - {None}
    for v in values:
        vk = search_key(v)
        if vk in key or key in vk or v in mine:
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
        have = {vocab.normalize_qualification(q) or q for q in profile.qualifications}
        wanted = {vocab.normalize_qualification(w) or w for w in _as_list(want)}
        if have & wanted:
            return "met", "、".join(sorted(have & wanted))
        # From chat a list of qualifications is rarely complete: not mentioned is unknown, not "no".
        return ("not_met" if profile.qualifications_complete else "unknown"), ""
    have = profile.value(key)
    if have is None:
        return "unknown", ""
    shown = f"{have:g}" if isinstance(have, float) else str(have)
    return ("met" if _compare(op, have, want) else "not_met"), f"{shown}{_FACT_UNITS.get(key, '')}"


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
        return [r for r in self.kb.records("policy") if isinstance(r, PolicyItem)]

    def _cite(self, item: PolicyItem, text: str) -> Citation | None:
        """The chunk of the source document that states ``text``: an exact quote when the wording is there,
        else the closest sentence of the clause's chunks."""
        if not item.source_doc:
            return None
        chunks = self.kb.chunks(item.source_doc)
        clause = search_key(item.clause or "")
        in_clause = [c for c in chunks if clause and clause in search_key(c.heading or "")]
        return find_citation(in_clause + [c for c in chunks if c not in in_clause], text) if chunks else None

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


def profile_from_text(text: str, base: EnterpriseProfile | None = None, today: date | None = None) -> EnterpriseProfile:
    """Gather profile facts from what a user wrote in chat; facts not stated stay unknown. Every amount, count,
    date and place is read by the domain layer, exactly as the form and the need drafter read them."""
    today = today or (base.as_of if base else date.today())
    data = (base or EnterpriseProfile(as_of=today)).model_dump()
    data["as_of"] = today
    place = regions.best_region(text, include_country=False)
    if place is not None:
        data.update(region=place.label, region_path=place.path, province=place.province)
    quals = list(data.get("qualifications") or [])
    for q in vocab.find_qualifications(text):
        if q not in quals:
            quals.append(q)
    if "专精特新“小巨人”企业" in quals and "专精特新中小企业" in quals and "专精特新中小企业" not in vocab.find_qualifications(
            text.replace("小巨人", "")):
        quals.remove("专精特新中小企业")
    data["qualifications"] = quals
    industry = vocab.classify_industry(text)
    field = vocab.classify_field(text)
    if industry or field:
        data["industry"] = industry or field
    n = quantities.find_count(text, nouns=("职工", "员工", "人员", "人", "名"))
    if n is not None:
        data["employees"] = n
    notes = list(data.get("notes") or [])
    for key, labels in (("revenue_wan", REVENUE_LABELS), ("rd_expense_wan", RD_LABELS), ("assets_wan", ASSET_LABELS),
                        ("taxable_income_wan", TAXABLE_LABELS)):
        m = quantities.find_money(text, labels)
        if m is not None and m.wan is not None:
            data[key] = m.wan
            if m.note:
                notes.append(f"{_FIELD_NAMES[key]}：{m.note}")
    data["notes"] = notes
    pct = quantities.find_percent(text, ("研发", "占比", "比例", "比重"))
    if pct is not None:
        data["rd_ratio"] = pct
    year = dates.find_event_year(text, ("成立", "注册", "创立", "创办", "创建"), today)
    if year is not None:
        data["founded_year"] = year
    return EnterpriseProfile.model_validate(data)
