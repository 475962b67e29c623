"""Platform records — needs (科技需求), experts (专家), achievements (科技成果), organizations (入驻组织),
service teams (科技服务团) and structured policy items — loaded from JSON, JSONL, CSV or XLSX (and the legacy
XLS / WPS ET, converted to XLSX by LibreOffice first: ``ingest/office.py``).

Schema: every record has ``id``, ``type``, ``name``, ``region``, ``field``, ``date``; the type-specific
fields are below. In CSV/XLSX, list fields are joined with ``|``. A record's ``type`` may be omitted when
the file name says it (``needs.jsonl``, ``experts.csv`` …). A bad row gives an IngestError naming file,
row and field; the good rows still load.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from assistant.domain import vocab
from assistant.domain.dates import find_absolute_date
from assistant.errors import IngestError
from assistant.ingest import limits, office
from assistant.ingest.encoding import decode_bytes
from assistant.settings import IngestSettings
from assistant.types import Block, Document

RECORD_EXTENSIONS = {".json", ".jsonl", ".csv", ".xlsx", *office.SHEET_EXTENSIONS}
_ROW_FILES = {".csv", ".xlsx", ".jsonl", *office.SHEET_EXTENSIONS}
RECORD_TYPES = ("need", "expert", "achievement", "organization", "service_team", "policy")



def _split_list(v: Any) -> Any:
    if v is None:
        return []
    if isinstance(v, str):
        return [p.strip() for p in re.split(r"[|；;]", v) if p.strip()]
    return v


def _blank_to_none(v: Any) -> Any:
    if isinstance(v, str) and not v.strip():
        return None
    return v


def _date(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        if not v:
            return None
        d = find_absolute_date(v)
        if d is not None:
            return d
    if hasattr(v, "date") and callable(v.date):  # datetime from openpyxl
        return v.date()
    return v


StrList = Annotated[list[str], BeforeValidator(_split_list)]
OptDate = Annotated[date | None, BeforeValidator(_date)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
OptStr = Annotated[str | None, BeforeValidator(_blank_to_none)]


class RecordBase(BaseModel):
    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[\w.\-]+$")
    type: str
    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    province: OptStr = None
    field: str = ""
    date: OptDate = None
    description: str = ""
    keywords: StrList = Field(default_factory=list)
    sample: bool = False


class Need(RecordBase):
    type: Literal["need"] = "need"
    organization: str = ""
    need_type: OptStr = None
    cooperation: OptStr = None
    budget_wan: OptFloat = None
    deadline: OptDate = None
    contact: OptStr = None
    status: OptStr = None


class Expert(RecordBase):
    type: Literal["expert"] = "expert"
    title: OptStr = None
    affiliation: str = ""
    expertise: StrList = Field(default_factory=list)
    past_cooperation: StrList = Field(default_factory=list)


class Achievement(RecordBase):
    type: Literal["achievement"] = "achievement"
    owner: str = ""
    maturity: OptStr = None
    transfer_mode: OptStr = None
    price_wan: OptFloat = None


class Organization(RecordBase):
    type: Literal["organization"] = "organization"
    org_type: OptStr = None
    joined_date: OptDate = None
    qualifications: StrList = Field(default_factory=list)


class ServiceTeam(RecordBase):
    type: Literal["service_team"] = "service_team"
    lead: OptStr = None
    members: OptInt = None
    services: StrList = Field(default_factory=list)
    served_enterprises: OptInt = None
    society: OptStr = None


ConditionKey = Literal["region", "industry", "not_industry", "qualification", "recognition", "employees",
                       "revenue_wan", "assets_wan", "rd_expense_wan", "rd_ratio", "tech_staff_ratio",
                       "high_tech_income_ratio", "ip_count", "years_since_founded", "statement", "manual", "any"]
ConditionOp = Literal["in", "not_in", "has", "lte", "gte", "lt", "gt", "eq", "between", "is"]


class Guard(BaseModel):
    """When a condition applies (tiers: "收入不超过5000万元的企业，比例不低于5%")."""

    key: ConditionKey
    op: ConditionOp
    value: Any


class Condition(BaseModel):
    """One eligibility condition of a policy item; ``text`` is the wording of the source document, which is
    quoted as the citation. ``when`` restricts it to the profiles it applies to.

    Keys: profile facts (employees, revenue_wan, rd_ratio …); ``recognition`` (value
    ``{"qualification": …, "kind": "首次"|"重新认定"|null, "within_years": 1}``: a recognition the profile
    states, never inferred from holding the qualification); ``statement`` (value: a statement key of the
    vocabulary, e.g. ``compliant``, that the applicant confirms); ``manual`` (anything else the document
    requires: undecided until a person confirms it, so the measure is at most 可能符合); ``any`` (value: a list of
    conditions of which one suffices — 符合下列情形之一)."""

    key: ConditionKey
    op: ConditionOp
    value: Any
    text: str
    label: OptStr = Field(None, description="What is checked, in a few words (shown instead of the quote).")
    when: Guard | None = None


class PolicyItem(RecordBase):
    type: Literal["policy"] = "policy"
    level: OptStr = None
    issuer: OptStr = None
    valid_from: OptDate = None
    valid_to: OptDate = None
    deadline: OptDate = None
    benefit: str = ""
    benefit_formula: OptStr = None
    benefit_wan: OptFloat = Field(None, description="The largest amount of the benefit in 万元 (ranks a group).")
    apply_mode: Literal["需申报", "免申即享"] | None = None
    source_doc: OptStr = None
    clause: OptStr = None
    conditions: list[Condition] = Field(default_factory=list)
    exclusive_group: OptStr = Field(None, description="Items of one group are enjoyed one at a time.")
    exclusive_rule: OptStr = Field(None, description="The document's sentence that makes the group exclusive.")
    estimate_expr: OptStr = Field(None, description="Arithmetic over profile fields, e.g. 'rd_expense_wan * 1.0'.")
    estimate_label: OptStr = None
    estimate_tax_rate: OptFloat = Field(None, description="If set, also show estimate × rate as tax saved.")


_MODELS: dict[str, type[RecordBase]] = {
    "need": Need, "expert": Expert, "achievement": Achievement, "organization": Organization,
    "service_team": ServiceTeam, "policy": PolicyItem,
}
_FILE_HINTS = [("need", "need"), ("expert", "expert"), ("achievement", "achievement"),
               ("organization", "organization"), ("org", "organization"), ("service_team", "service_team"),
               ("team", "service_team"), ("policy", "policy")]


def _type_from_name(path: Path) -> str | None:
    stem = path.stem.lower()
    for hint, t in _FILE_HINTS:
        if hint in stem:
            return t
    return None


def _xlsx_rows(path: Path, source: str, ingest: IngestSettings) -> list[tuple[int, dict[str, Any]]]:
    limits.check_zip(path, source, ingest)
    try:
        import openpyxl

        wb = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(f"{source}: 无法读取 Excel 文件（{type(exc).__name__}），文件可能已损坏。", source=source) from exc
    out = []
    for ws in wb.worksheets:
        it = ws.iter_rows(values_only=True)
        header = next(it, None)
        if not header:
            continue
        keys = [str(h).strip() if h is not None else "" for h in header]
        for n, values in enumerate(it, start=2):
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            limits.check_rows(len(out) + 1, source, ingest)
            for v in values:
                limits.check_cell(v, source, n)
            out.append((n, {k: v for k, v in zip(keys, values, strict=False) if k}))
    wb.close()
    return out


def _rows(path: Path, ingest: IngestSettings) -> list[tuple[int, dict[str, Any]]]:
    """(row number as a person counts it, raw dict). Raises IngestError for an unreadable file."""
    source = path.name
    ext = path.suffix.lower()
    if ext == ".xlsx":
        return _xlsx_rows(path, source, ingest)
    if ext in office.SHEET_EXTENSIONS:
        # An .xls / .et is read exactly as the .xlsx LibreOffice makes of it; rows keep their numbers.
        with office.converted(path, source, soffice=ingest.soffice, timeout_s=ingest.convert_timeout_s) as xlsx:
            return _xlsx_rows(xlsx, source, ingest)
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(f"{source}: 文件为空。", source=source)
    text, _ = decode_bytes(data, source)
    if ext == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        rows = []
        for n, row in enumerate(reader, start=2):
            limits.check_rows(n - 1, source, ingest)
            rows.append((n, {k.strip(): v for k, v in row.items() if k}))
        return rows
    if ext == ".jsonl":
        out = []
        # Split on "\n" only: str.splitlines() also breaks at U+0085, U+2028 … which JSON strings may contain.
        for n, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            limits.check_rows(len(out) + 1, source, ingest)
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                out.append((n, {"__error__": f"JSON 格式错误：{exc.msg}（第 {exc.colno} 列）"}))
                continue
            out.append((n, obj if isinstance(obj, dict) else {"__error__": "该行不是 JSON 对象"}))
        return out
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(f"{source}: JSON 格式错误：{exc.msg}（第 {exc.lineno} 行第 {exc.colno} 列）。",
                          source=source, row=exc.lineno) from exc
    if isinstance(obj, dict):
        obj = obj.get("records", obj.get("items", [obj]))
    if not isinstance(obj, list):
        raise IngestError(f"{source}: JSON 顶层应为记录列表。", source=source)
    limits.check_rows(len(obj), source, ingest)
    return [(n, o if isinstance(o, dict) else {"__error__": "该项不是 JSON 对象"}) for n, o in enumerate(obj, start=1)]


def load_records(path: Path, ingest: IngestSettings | None = None) -> tuple[list[RecordBase], list[IngestError]]:
    """Parse a record file. Returns the good records and one error per bad row. ``ingest`` carries the
    LibreOffice settings used for .xls / .et (defaults when omitted)."""
    source = path.name
    default_type = _type_from_name(path)
    records: list[RecordBase] = []
    errors: list[IngestError] = []
    seen: dict[str, int] = {}
    unit = "行" if path.suffix.lower() in _ROW_FILES else "项"
    for n, raw in _rows(path, ingest or IngestSettings()):
        if "__error__" in raw:
            errors.append(IngestError(f"{source} 第 {n} {unit}：{raw['__error__']}", source=source, row=n))
            continue
        rtype = str(raw.get("type") or default_type or "").strip()
        model = _MODELS.get(rtype)
        if model is None:
            errors.append(IngestError(
                f"{source} 第 {n} {unit}，字段 type：未知的记录类型 {rtype!r}（应为 {', '.join(RECORD_TYPES)}）。",
                source=source, row=n, field="type"))
            continue
        raw = {k: v for k, v in raw.items() if not (isinstance(v, str) and v.strip() == "" and k in ("type",))}
        raw["type"] = rtype
        if isinstance(raw.get("conditions"), str):
            try:
                raw["conditions"] = json.loads(raw["conditions"])
            except json.JSONDecodeError:
                pass
        if isinstance(raw.get("sample"), str):
            raw["sample"] = raw["sample"].strip().lower() in {"true", "1", "yes", "是"}
        try:
            rec = model.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            errors.append(IngestError(
                f"{source} 第 {n} {unit}，字段 {field}：{_explain(first)}", source=source, row=n, field=field))
            continue
        if rec.id in seen:
            errors.append(IngestError(
                f"{source} 第 {n} {unit}，字段 id：记录编号 {rec.id} 与第 {seen[rec.id]} {unit}重复，已跳过。",
                source=source, row=n, field="id"))
            continue
        seen[rec.id] = n
        records.append(rec)
    return records, errors


def _explain(err: dict[str, Any]) -> str:
    t = err["type"]
    if t == "missing":
        return "缺少必填字段。"
    if t in {"string_too_short"}:
        return "不能为空。"
    if t.startswith(("float", "int")):
        return f"应为数字，实际为 {err.get('input')!r}。"
    if t.startswith("date"):
        return f"应为日期（YYYY-MM-DD），实际为 {err.get('input')!r}。"
    if t == "string_pattern_mismatch":
        return "只能包含字母、数字、下划线、点和连字符。"
    return f"{err['msg']}（输入 {err.get('input')!r}）。"


_LABELS = {
    "organization": "需求单位", "need_type": "需求类型", "cooperation": "合作方式", "budget_wan": "预算（万元）",
    "deadline": "截止日期", "status": "状态", "title": "职称", "affiliation": "工作单位", "expertise": "专业领域",
    "past_cooperation": "合作经历", "owner": "成果持有方", "maturity": "成熟度", "transfer_mode": "转化方式",
    "price_wan": "参考价格（万元）", "org_type": "组织类型", "joined_date": "入驻日期", "qualifications": "资质",
    "lead": "负责人", "members": "成员人数", "services": "服务内容", "served_enterprises": "服务企业数",
    "society": "依托学会", "level": "政策层级", "issuer": "发布机构", "valid_from": "有效期起",
    "valid_to": "有效期止", "benefit": "支持内容", "benefit_formula": "测算公式", "source_doc": "来源文件",
    "clause": "条款", "apply_mode": "申报方式", "exclusive_rule": "限制",
}
_HIDDEN = {"id", "type", "name", "region", "province", "field", "date", "description", "keywords", "sample",
           "conditions", "contact", "estimate_expr", "estimate_label", "estimate_tax_rate", "exclusive_group",
           "benefit_wan"}


def render(rec: RecordBase) -> str:
    """The record as the text a person reads and the index searches. Contact details are never indexed."""
    label = vocab.type_label(rec.type) or rec.type
    lines = [f"【{label}】{rec.name}"]
    region = f"{rec.province}·{rec.region}" if rec.province and rec.province != rec.region else rec.region
    lines.append(f"地区：{region}" + (f"；领域：{rec.field}" if rec.field else ""))
    data = rec.model_dump()
    for key, value in data.items():
        if key in _HIDDEN or value in (None, "", []):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        lines.append(f"{_LABELS.get(key, key)}：{value}")
    if isinstance(rec, PolicyItem) and rec.conditions:
        lines.append("适用条件：" + "；".join(c.text for c in rec.conditions))
    if rec.description:
        lines.append(rec.description)
    if rec.keywords:
        lines.append("关键词：" + "、".join(rec.keywords))
    if rec.date:
        lines.append(f"日期：{rec.date.isoformat()}")
    if rec.sample:
        lines.append("（示例数据）")
    return "\n".join(lines)


def restated_document(text: str) -> str | None:
    """The policy document a rendered support item restates (its 来源文件 line), if any."""
    m = re.search(rf"^{_LABELS['source_doc']}：(.+)$", text or "", re.M)
    return m.group(1).strip() if m else None


def to_document(rec: RecordBase, path: Path) -> Document:
    from assistant.ingest.documents import content_hash

    text = render(rec)
    meta: dict[str, Any] = {"field": rec.field, "province": rec.province or "", "file": path.name,
                            "sample": rec.sample}
    if isinstance(rec, PolicyItem):
        meta.update(level=rec.level or "", valid_to=rec.valid_to.isoformat() if rec.valid_to else "")
    return Document(
        source=rec.id, path=str(path), kind="record", title=rec.name, text=text,
        blocks=[Block(kind="paragraph", text=text, start=0, end=len(text))],
        published=rec.date, region=rec.region, doc_type=rec.type, metadata=meta,
        # the hash covers every field, not only the rendered text: a changed condition must reach the index
        content_hash=content_hash(text + json.dumps(rec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)),
        record=rec.model_dump(mode="json"),
    )


def parse_record(data: dict[str, Any]) -> RecordBase:
    """A stored record (its JSON) as its typed model."""
    return _MODELS[data["type"]].model_validate(data)
