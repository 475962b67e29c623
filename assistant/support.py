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
from assistant.domain import dates, enterprise, quantities, regions, vocab
from assistant.knowledge_base import KnowledgeBase
from assistant.records import Condition, Guard, PolicyItem
from assistant.types import Citation

Status = Literal["met", "not_met", "unknown"]

FACT_LABELS = {
    "region": "企业所在地区", "industry": "所属行业/领域", "not_industry": "所属行业/领域", "qualification": "已获资质",
    "employees": "职工总数", "revenue_wan": "上年度销售（营业）收入", "assets_wan": "资产总额",
    "rd_expense_wan": "上年度研发费用", "rd_ratio": "研发费用占销售收入比例", "years_since_founded": "成立年份",
    "tech_staff_ratio": "科技人员占职工总数比例", "high_tech_income_ratio": "高新技术产品（服务）收入占比",
    "ip_count": "有效知识产权数量",
}
_FACT_UNITS = {"employees": "人", "revenue_wan": "万元", "assets_wan": "万元", "rd_expense_wan": "万元", "rd_ratio": "%",
               "years_since_founded": "年", "tech_staff_ratio": "%", "high_tech_income_ratio": "%", "ip_count": "件"}
_LIST_SEP = re.compile(r"[、,，;；|/ ]+")  # a list typed in one form box
_LEADING_CONJ = re.compile(r"^(?:且|并且|并|同时|和|及|以及|或者|或)\s*")


def describe(key: str, value: Any) -> str:
    """A profile value with its unit, as shown next to a condition (8000 → "8,000 万元", 6.25 → "6.25%")."""
    if value is None:
        return ""
    if isinstance(value, float | int) and not isinstance(value, bool):
        v = float(value)
        shown = f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) >= 1000 else f"{v:g}"
        unit = _FACT_UNITS.get(key, "")
        if key == "years_since_founded":
            return f"已成立 {shown} 年"
        return f"{shown}{' ' if unit == '万元' else ''}{unit}"
    return str(value)


REVENUE_LABELS = ("营收", "营业收入", "销售收入", "年收入", "收入", "销售额", "年销售", "产值")
RD_LABELS = ("研发投入", "研发费用", "研发支出", "研发经费", "研发")
ASSET_LABELS = ("资产总额", "总资产", "资产")
TAXABLE_LABELS = ("应纳税所得额", "利润总额", "利润")


class Recognition(BaseModel):
    year: int | None = Field(None, ge=1980, le=2100)
    kind: Literal["首次", "重新认定"] | None = None


class AwardReceived(BaseModel):
    name: str
    year: int | None = None


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
    tech_staff: int | None = Field(None, ge=0, description="科技人员人数")
    tech_staff_ratio: float | None = Field(None, ge=0, le=100, description="科技人员占职工总数比例，百分数")
    high_tech_income_ratio: float | None = Field(None, ge=0, le=100, description="高新技术产品（服务）收入占比，百分数")
    ip_count: int | None = Field(None, ge=0, description="有效知识产权件数")
    recognitions: dict[str, Recognition] = Field(
        default_factory=dict, description="资质 → 认定年份与类型（首次/重新认定），只记用户说过的")
    awards_received: list[AwardReceived] = Field(default_factory=list, description="已享受的奖励（名称、年度）")
    statements: dict[str, bool] = Field(default_factory=dict, description="申请人确认的事项（独立法人、无重大违法……）"
                                        "；键为词表中的事项或人工确认条件的文字")
    as_of: date = Field(default_factory=date.today)

    notes: list[str] = Field(default_factory=list, description="How typed values were read (八千万 = 8,000 万元).")

    @field_validator("qualifications", mode="before")
    @classmethod
    def _split(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = [x.strip() for x in _LIST_SEP.split(v) if x.strip()]
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
        for key in ("rd_ratio", "tech_staff_ratio", "high_tech_income_ratio"):
            if isinstance(data.get(key), str):
                data[key] = quantities.parse_percent(data[key]) if data[key].strip() else None
        for key in ("ip_count", "tech_staff"):
            v = data.get(key)
            if isinstance(v, str):
                n = quantities.parse_count(re.sub(r"[项件个篇]$", "", v.strip())) if v.strip() else None
                if v.strip() and n is None:
                    raise ValueError(f"{_FIELD_NAMES.get(key, key)}：无法识别 {v!r}（例如 12、十二项）")
                data[key] = n
        today = data.get("as_of") if isinstance(data.get("as_of"), date) else date.today()
        if isinstance(data.get("recognitions"), str):
            data["recognitions"] = enterprise.find_recognitions(data["recognitions"], today)
        if isinstance(data.get("awards_received"), str):
            text = data["awards_received"]
            data["awards_received"] = [{"name": x.strip(), "year": dates.find_year(x, today)}
                                       for x in re.split(r"[、,，;；\n]+", text) if x.strip()]
        if isinstance(data.get("recognitions"), dict):
            quals = data.get("qualifications") or []
            if isinstance(quals, str):
                quals = [x.strip() for x in _LIST_SEP.split(quals) if x.strip()]
            data["qualifications"] = list(quals) + [q for q in data["recognitions"] if q not in quals]
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

    def _contradictions(self) -> list[tuple[str, set[str]]]:
        """(warning, the facts it makes undecidable) for every pair of facts that contradict each other."""
        out: list[tuple[str, set[str]]] = []
        if self.rd_expense_wan is not None and self.revenue_wan is not None and self.rd_expense_wan > self.revenue_wan > 0:
            out.append((f"研发费用（{self.rd_expense_wan:g} 万元）大于营业收入（{self.revenue_wan:g} 万元），请核对。",
                        {"rd_expense_wan", "revenue_wan", "rd_ratio"}))
        if self.employees == 0 and (self.revenue_wan or 0) > 0:
            out.append(("职工人数为 0 但有营业收入，请核对职工人数。", {"employees", "tech_staff_ratio"}))
        if self.founded_year is not None and self.founded_year > self.as_of.year:
            out.append((f"成立年份 {self.founded_year} 晚于今年，请核对。", {"years_since_founded"}))
        if self.tech_staff is not None and self.employees is not None and self.tech_staff > self.employees:
            out.append((f"科技人员（{self.tech_staff} 人）多于职工总数（{self.employees} 人），请核对。", {"tech_staff_ratio"}))
        return out

    def warnings(self) -> list[str]:
        """Facts that contradict each other, shown to the user next to the result (the UI form shows them)."""
        out = [w for w, _ in self._contradictions()]
        if self.rd_ratio is not None and self.rd_expense_wan is not None and self.revenue_wan:
            computed = self.rd_expense_wan / self.revenue_wan * 100
            if abs(computed - self.rd_ratio) > max(1.0, self.rd_ratio * 0.2):
                out.append(f"研发费用占比填写为 {self.rd_ratio:g}%，但按研发费用和收入计算为 {computed:.2f}%，请核对；"
                           "判断时按填写的占比。")
        for q, rec in self.recognitions.items():
            if rec.year is not None and rec.year > self.as_of.year:
                out.append(f"{q}认定年份 {rec.year} 晚于今年，请核对。")
            if rec.year is not None and self.founded_year is not None and rec.year < self.founded_year:
                out.append(f"{q}认定年份 {rec.year} 早于成立年份 {self.founded_year}，请核对。")
        return out

    def contradicted(self) -> set[str]:
        """Facts that contradict another fact: they decide nothing until the user corrects them."""
        return set().union(*(keys for _, keys in self._contradictions()))

    def value(self, key: str) -> Any:
        if key in self.contradicted():
            return None
        if key == "rd_ratio":
            return _share(self.rd_ratio, self.rd_expense_wan, self.revenue_wan)
        if key == "years_since_founded":
            return None if self.founded_year is None else self.as_of.year - self.founded_year
        if key == "tech_staff_ratio":
            return _share(self.tech_staff_ratio, self.tech_staff, self.employees)
        if key in ("industry", "not_industry"):
            return self.industry
        return getattr(self, key, None)

    def known(self) -> list[str]:
        return [k for k in FACT_LABELS if self.value(k) not in (None, [], "")]

    def facts(self) -> list[tuple[str, str]]:
        """What the user stated, as (label, value with unit) rows for a checklist; nothing derived or guessed
        (a computed 研发费用占比 is shown as computed)."""
        rows: list[tuple[str, str]] = []
        if self.name:
            rows.append(("企业名称", self.name))
        for key in ("region", "industry"):
            if getattr(self, key):
                rows.append((FACT_LABELS[key], str(getattr(self, key))))
        if self.qualifications:
            shown = []
            for q in self.qualifications:
                rec = self.recognitions.get(q)
                extra = "".join(x for x in ((f"{rec.year}年" if rec and rec.year else ""), (rec.kind or "") if rec else "")
                                if x)
                shown.append(f"{q}（{extra}认定）" if extra else q)
            rows.append(("已获资质", "、".join(shown)))
        elif self.qualifications_complete:
            rows.append(("已获资质", "无"))
        for key in ("employees", "revenue_wan", "assets_wan", "rd_expense_wan"):
            if getattr(self, key) is not None:
                rows.append((FACT_LABELS[key], describe(key, getattr(self, key))))
        if self.rd_ratio is not None:
            rows.append((FACT_LABELS["rd_ratio"], describe("rd_ratio", self.rd_ratio)))
        elif self.value("rd_ratio") is not None:
            rows.append((FACT_LABELS["rd_ratio"], f"{describe('rd_ratio', self.value('rd_ratio'))}（按研发费用和收入计算）"))
        if self.founded_year is not None:
            rows.append(("成立年份", f"{self.founded_year} 年"))
        if self.tech_staff is not None:
            rows.append(("科技人员", f"{self.tech_staff} 人"))
        for key in ("tech_staff_ratio", "high_tech_income_ratio", "ip_count"):
            if getattr(self, key) is not None:
                rows.append((FACT_LABELS[key], describe(key, getattr(self, key))))
        if self.awards_received:
            rows.append(("已享受的奖励", "、".join(f"{a.name}（{a.year}年）" if a.year else a.name
                                                 for a in self.awards_received)))
        confirmed = [enterprise.statement_label(k) for k, v in self.statements.items() if v]
        denied = [enterprise.statement_label(k) for k, v in self.statements.items() if not v]
        if confirmed:
            rows.append(("申请人已确认", "；".join(confirmed)))
        if denied:
            rows.append(("申请人说明不符合", "；".join(denied)))
        return rows


def _share(given: float | None, part: float | None, whole: float | None) -> float | None:
    """A percentage as given, else computed from its two amounts (研发费用 / 收入, 科技人员 / 职工)."""
    if given is not None:
        return given
    return round(part / whole * 100, 2) if part is not None and whole else None


_FIELD_NAMES = {"revenue_wan": "上年度销售收入", "assets_wan": "资产总额", "rd_expense_wan": "研发费用",
                "taxable_income_wan": "应纳税所得额", "ip_count": "知识产权数量", "tech_staff": "科技人员人数"}


class ConditionCheck(BaseModel):
    key: str
    text: str  # the document's words (quoted as the citation)
    status: Status
    label: str = ""  # what is checked, when the quote alone would mislead (negative lists, exclusive groups)
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
    status: Literal["eligible", "possible", "alternative", "not_eligible", "expired"]
    conditions: list[ConditionCheck]
    missing_facts: list[str]
    source_doc: str | None
    clause: str | None
    sample: bool
    apply_mode: str | None = None  # 需申报 / 免申即享
    exclusive_group: str | None = None
    exclusive_rule: str | None = None
    benefit_wan: float | None = None
    alternatives: list[str] = Field(default_factory=list)  # other measures of its group (one per year)
    deadline_soon: bool = False  # the deadline is within DEADLINE_SOON_DAYS
    new: bool = False  # not in the list the last time this saved profile was checked
    previous_status: str | None = None  # the verdict at the last check, when it was different

    def shown_conditions(self) -> list[ConditionCheck]:
        """Conditions to display. One sentence of a document may state several conditions ("在镇江市注册并具有独立
        法人资格，注册成立一年以上"): it is shown once, with the worst of their verdicts and every detail, so a
        sentence is never ticked because its first part is met."""
        by_text: dict[str, list[ConditionCheck]] = {}
        for c in self.conditions:
            by_text.setdefault(c.text, []).append(c)
        out = []
        for group in by_text.values():
            if len(group) == 1:
                out.append(group[0])
                continue
            worst = min((c.status for c in group), key=lambda st: {"not_met": 0, "unknown": 1, "met": 2}[st])
            labels = [c.label for c in group if c.label]
            out.append(group[0].model_copy(update={
                "status": worst, "label": labels[0] if len(labels) == len(group) == 1 else "",
                "detail": "；".join(dict.fromkeys(c.detail for c in group if c.detail))}))
        return out


class SupportReport(BaseModel):
    profile: EnterpriseProfile
    measures: list[MeasureResult]
    excluded_other_regions: int = 0
    missing_facts: list[str] = Field(default_factory=list)  # facts that would decide at least one measure

    def facts_to_supply(self) -> list[str]:
        """Missing facts the user can type (成立年份, 科技人员占比…), most useful first: those deciding more measures."""
        keep = [f for f in self.missing_facts if not f.startswith(_TO_CONFIRM)]
        weight = {f: sum(f in r.missing_facts for r in self.measures) for f in keep}
        return sorted(keep, key=lambda f: -weight[f])

    def to_confirm(self) -> list[str]:
        """Conditions only the applicant or a reviewer can confirm (独立法人、无重大违法、技术领域…)."""
        return [f for f in self.missing_facts if f.startswith(_TO_CONFIRM)]


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


def _recognition(want: dict, profile: EnterpriseProfile) -> tuple[Status, str, str]:
    """A recognition condition (当年首次通过高新技术企业认定): (status, what the user stated, what is missing)."""
    if isinstance(want.get("qualification"), list):  # 当年首次获得相应层级的认定: any one of them
        results = [_recognition({**want, "qualification": q}, profile) for q in want["qualification"]]
        for status in ("met", "unknown"):
            hit = [r for r in results if r[0] == status]
            if hit:
                return hit[0] if status == "met" else ("unknown", next((r[1] for r in hit if r[1]), ""),
                                                        "首次获得所列认定的年份")
        return "not_met", next((r[1] for r in results if r[1]), "未获所列认定"), ""
    q = vocab.normalize_qualification(want.get("qualification")) or want.get("qualification") or ""
    kind, within = want.get("kind"), int(want.get("within_years", 1))
    rec = profile.recognitions.get(q)
    held = q in {vocab.normalize_qualification(x) or x for x in profile.qualifications}
    what = f"{'首次' if kind == '首次' else ('重新' if kind == '重新认定' else '')}通过{q}认定的年份"
    if rec is None:
        if not held and profile.qualifications_complete:
            return "not_met", f"未获{q}", ""
        return "unknown", (f"已是{q}，未说明是首次还是重新认定、哪一年" if held else ""), what
    shown = "、".join(x for x in (f"{rec.year}年" if rec.year else "", rec.kind or "") if x) + f"认定为{q}"
    if kind and rec.kind and rec.kind != kind:
        return "not_met", shown, ""
    if rec.year is not None and rec.year < profile.as_of.year - within:
        return "not_met", f"{shown}（早于可申报的年度）", ""
    if rec.year is None:
        return "unknown", shown, what
    if kind and rec.kind is None:
        return "unknown", shown, f"{q}是首次认定还是重新认定"
    return "met", shown, ""


def _evaluate(cond: Condition | Guard, profile: EnterpriseProfile) -> tuple[Status, str, str]:
    """(status, the user's fact as shown, the fact still needed when unknown)."""
    key, op, want = cond.key, cond.op, cond.value
    need = FACT_LABELS.get(key, key)
    if key == "region":
        m = _region_match(profile, _as_list(want))
        return ("unknown", "", need) if m is None else (("met" if m else "not_met"),
                                                          profile.region or profile.province or "", "")
    if key in ("industry", "not_industry"):
        if not profile.industry:
            return "unknown", "", need
        inside = _industry_in(profile.industry, _as_list(want))
        ok = inside if op in ("in", "eq") else not inside
        if key == "not_industry" or op == "not_in":
            return ("met" if ok else "not_met"), (f"您的行业（{profile.industry}）不在所列范围内" if ok
                                                  else f"您的行业（{profile.industry}）在所列范围内"), ""
        return ("met" if ok else "not_met"), profile.industry, ""
    if key == "qualification":
        have = {vocab.normalize_qualification(q) or q for q in profile.qualifications}
        wanted = {vocab.normalize_qualification(w) or w for w in _as_list(want)}
        if have & wanted:
            return "met", "已是" + "、".join(sorted(have & wanted)), ""
        # From chat a list of qualifications is rarely complete: not mentioned is unknown, not "no".
        return ("not_met", "未获所列资质", "") if profile.qualifications_complete else \
            ("unknown", "", f"是否已获得“{'/'.join(_as_list(want))}”")
    if key == "recognition":
        return _recognition(want if isinstance(want, dict) else {"qualification": want}, profile)
    if key == "any":
        subs = [Condition.model_validate(c) for c in want]
        results = [_evaluate(c, profile) for c in subs]
        for status in ("met", "unknown"):
            hit = [(r, c) for r, c in zip(results, subs, strict=True) if r[0] == status]
            if hit:
                (st, shown, need), c = hit[0]
                return (st, f"{_label(c)}{'：' + shown if shown else ''}", "" if st == "met" else
                        "以下情形之一：" + "；".join(_label(x) for x in subs))
        return "not_met", "所列情形均不符合", ""
    if key in ("statement", "manual"):
        answer = profile.statements.get(str(want))
        label = enterprise.statement_label(str(want)) if key == "statement" else str(want)
        if answer is None:
            return "unknown", "", (f"请确认：{label}" if key == "statement" else f"需人工确认：{label}")
        return ("met", "您已确认", "") if answer else ("not_met", "您表示不符合", "")
    have = profile.value(key)
    if have is None:
        if key in profile.contradicted():
            return "unknown", "", f"{need}（与其他信息矛盾，请核对）"
        return "unknown", "", need
    return ("met" if _compare(op, have, want) else "not_met"), describe(key, have), ""


def _label(cond: Condition) -> str:
    """What a condition checks, in words that stay true when ticked: a negative list reads "所属行业不在下列
    范围内：…", a quote never starts with a stray 且."""
    if cond.label:
        return cond.label
    if cond.key == "not_industry" or cond.op == "not_in":
        return f"所属行业不在以下范围内：{'、'.join(_as_list(cond.value))}"
    if cond.key == "statement":
        return enterprise.statement_label(str(cond.value))
    return _LEADING_CONJ.sub("", cond.text.strip()).rstrip("；;。，,")


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
    def __init__(self, kb: KnowledgeBase, kbs: list[str] | None = None):
        self.kb = kb
        self.kbs = kbs  # the knowledge bases whose measures count (None: all)

    def items(self) -> list[PolicyItem]:
        return [r for r in self.kb.records("policy", self.kbs) if isinstance(r, PolicyItem)]

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
        tiers: dict[str, list[Condition]] = {}
        for cond in item.conditions:
            if cond.when is not None:
                tiers.setdefault(cond.key, []).append(cond)
        fails_every_tier = {k for k, cs in tiers.items() if all(_evaluate(c, profile)[0] == "not_met" for c in cs)}
        for cond in item.conditions:
            if cond.when is not None:
                guard, _, _ = _evaluate(cond.when, profile)
                if guard == "not_met":
                    continue  # a tier that does not apply to this profile
                if guard == "unknown" and cond.key in fails_every_tier:
                    status, have, _ = _evaluate(cond, profile)
                    checks.append(ConditionCheck(key=cond.key, text=cond.text, label=_label(cond), status="not_met",
                                                 detail=f"您的情况：{have}（低于每一档的要求）",
                                                 citation=self._cite(item, cond.text)))
                    continue
                if guard == "unknown":
                    label = FACT_LABELS.get(cond.when.key, cond.when.key)
                    checks.append(ConditionCheck(key=cond.key, text=cond.text, label=_label(cond), status="unknown",
                                                 detail=f"取决于{label}", citation=self._cite(item, cond.text)))
                    missing.append(label)
                    continue
            status, have, need = _evaluate(cond, profile)
            if status == "unknown":
                missing.append(need)
                ask = need.split("：")[0] if need.startswith(("请确认", "需人工确认")) else f"请补充：{need}"
                detail = (f"{have}；" if have else "") + ask
            else:
                detail = f"您的情况：{have}" if have else ""
            checks.append(ConditionCheck(key=cond.key, text=cond.text, label=_label(cond), status=status,
                                         detail=detail, citation=self._cite(item, cond.text)))
        today = profile.as_of
        expired = bool(item.valid_to and item.valid_to < today)
        deadline_passed = bool(item.deadline and item.deadline < today)
        if expired:
            status = "expired"
        elif any(c.status == "not_met" for c in checks):
            status = "not_eligible"
        elif checks and all(c.status == "met" for c in checks):
            status = "eligible"
        else:
            status = "possible"
        return MeasureResult(
            id=item.id, name=item.name, level=item.level, region=item.region, issuer=item.issuer,
            benefit=item.benefit, benefit_formula=item.benefit_formula,
            estimate=None if status in ("not_eligible", "expired") else self._estimate(item, profile),
            valid_from=item.valid_from, valid_to=item.valid_to, deadline=item.deadline, expired=expired,
            deadline_passed=deadline_passed, status=status, conditions=checks,
            missing_facts=list(dict.fromkeys(missing)), source_doc=item.source_doc, clause=item.clause,
            sample=item.sample, apply_mode=item.apply_mode, exclusive_group=item.exclusive_group,
            exclusive_rule=item.exclusive_rule, benefit_wan=item.benefit_wan)

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
        _apply_exclusive_groups(results, profile)
        for r in results:
            r.deadline_soon = bool(r.deadline and not r.deadline_passed and r.status != "expired"
                                   and (r.deadline - profile.as_of).days <= DEADLINE_SOON_DAYS)
        results.sort(key=sort_key)
        missing = list(dict.fromkeys(f for r in results if r.status == "possible" for f in r.missing_facts))
        return SupportReport(profile=profile, measures=results, excluded_other_regions=excluded, missing_facts=missing)


DEADLINE_SOON_DAYS = 30
_TO_CONFIRM = ("请确认", "需人工确认")
_STATUS_ORDER = {"eligible": 0, "possible": 1, "alternative": 2, "not_eligible": 3, "expired": 4}
LEVEL_ORDER = {"区县级": 0, "市级": 1, "省级": 2, "国家级": 3}  # local first


def sort_key(r: MeasureResult) -> tuple:
    """Verdict first; within a verdict, local measures before national ones."""
    return (_STATUS_ORDER[r.status], LEVEL_ORDER.get(r.level or "", 4), r.id)


def _award_member(award: str, members: list[MeasureResult]) -> MeasureResult | None:
    """The member of a group an award the user named is ("入库奖励", "镇江市首次认定高新技术企业奖励"): the one
    sharing most of the words that tell the members apart; None when it is not clear."""
    a = re.sub(r"已经?|拿了|领了|拿过|领过|享受过?|获得过?|\d+万元?", "", search_key(award))
    grams = {a[i:i + 2] for i in range(len(a) - 1)}
    names = [search_key(m.name) for m in members]
    common = {g for g in grams if all(g in n for n in names)}
    scores = [sum(g in n for g in grams - common) for n in names]
    best = max(scores, default=0)
    return members[scores.index(best)] if best > 0 and scores.count(best) == 1 else None


def _apply_exclusive_groups(results: list[MeasureResult], profile: EnterpriseProfile) -> None:
    """One award per group and year (同一企业同一年度只能享受上述一项奖励): an award already received this year
    rules out the others; of several that are met, the largest stays 符合 and the others read 择一享受."""
    groups: dict[str, list[MeasureResult]] = {}
    for r in results:
        if r.exclusive_group:
            groups.setdefault(r.exclusive_group, []).append(r)
    for members in groups.values():
        for r in members:
            r.alternatives = [m.name for m in members if m is not r]
        rule = members[0].exclusive_rule or "同一年度只能享受其中一项"
        for award in profile.awards_received:
            one = _award_member(award.name, members)
            if one is None:
                continue
            got = [one]
            for m in members:
                if m is got[0] or m.status == "expired":
                    continue
                if award.year is None or award.year == profile.as_of.year:
                    status: Status = "not_met" if award.year is not None else "unknown"
                    m.conditions.append(ConditionCheck(
                        key="exclusive", text=rule, label=f"与“{got[0].name}”同一年度只能享受一项", status=status,
                        detail=f"您已享受：{award.name}" + ("" if award.year else "（请说明是哪一年享受的）")))
                    if status == "not_met":
                        m.status = "not_eligible"
                    elif m.status == "eligible":
                        m.status = "possible"
        met = [m for m in members if m.status == "eligible"]
        if len(met) > 1:
            best = max(met, key=lambda m: (m.benefit_wan or 0, m.id))
            for m in met:
                if m is not best:
                    m.status = "alternative"


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
    recs = {q: dict(v) for q, v in (data.get("recognitions") or {}).items()}
    for q, rec in enterprise.find_recognitions(text, today).items():
        old = recs.get(q, {})
        recs[q] = {"year": rec["year"] or old.get("year"), "kind": rec["kind"] or old.get("kind")}
        if q not in data["qualifications"]:
            data["qualifications"].append(q)
    data["recognitions"] = recs
    data["awards_received"] = list(data.get("awards_received") or []) + enterprise.find_awards(text, today)
    data["statements"] = {**(data.get("statements") or {}), **enterprise.find_statements(text)}
    ip = enterprise.find_ip_count(text)
    if ip is not None:
        data["ip_count"] = ip
    staff, staff_pct = enterprise.find_tech_staff(text)
    if staff is not None:
        data["tech_staff"] = staff
    if staff_pct is not None:
        data["tech_staff_ratio"] = staff_pct
    hti = enterprise.find_high_tech_income_ratio(text)
    if hti is not None:
        data["high_tech_income_ratio"] = hti
    return EnterpriseProfile.model_validate(data)
