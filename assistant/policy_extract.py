"""Extract structured policy items (support measures with eligibility conditions) from a policy document
with an LLM. Every condition must quote the document word for word; one that does not is dropped, so the
support finder never works from a condition the document does not state."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from assistant._text import search_key
from assistant.chains import Assistant, sanitize_passage
from assistant.errors import AssistantError
from assistant.policy_rules import NUMERIC_FACTS, classify
from assistant.prompts import render
from assistant.records import PolicyItem


@dataclass
class Extraction:
    items: list[PolicyItem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # what was rejected, and why
    notes: list[str] = field(default_factory=list)  # what the reviewer should look at


def extract_policy_items(assistant: Assistant, source: str, max_chars: int = 12000) -> Extraction:
    if not assistant.use_llm:
        raise AssistantError("从文件中提取政策条件需要配置大模型（KECHUANG_LLM__PROVIDER）；"
                             "离线模式使用人工核对过的结构化政策数据（records/policy_items.json）。")
    chunks = assistant.kb.chunks(source)
    if not chunks:
        raise AssistantError(f"知识库中没有 {source}。先用 `kechuang ingest` 导入。")
    text = "\n".join(c.text for c in chunks)[:max_chars]
    prompt = render("extract_policy", source=source, title=chunks[0].title, text=sanitize_passage(text))
    items = assistant.gateway.structured([HumanMessage(prompt)], list)
    out = Extraction()
    doc_key = re.sub(r"\s+", "", search_key(text))
    for n, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            out.dropped.append(f"第 {n} 项不是对象")
            continue
        raw = {**raw, "type": "policy", "source_doc": source, "sample": False}
        conds = []
        for c in raw.get("conditions") or []:
            quote = re.sub(r"\s+", "", search_key(str(c.get("text", ""))))
            if quote and quote in doc_key:
                conds.append(c)
            else:
                out.dropped.append(f"{raw.get('id', n)}：条件“{c.get('text', '')}”不是文件原文，已丢弃")
        raw["conditions"] = conds
        try:
            item = PolicyItem.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            out.dropped.append(f"{raw.get('id', n)}：字段 {'.'.join(map(str, first['loc']))} {first['msg']}")
            continue
        out.items.append(_cross_check(item, out.notes))
    return out


def _cross_check(item: PolicyItem, notes: list[str]) -> PolicyItem:
    """A model may quote the right words and map them to the wrong fact ("研发投入超过500万元" as 销售收入). Where
    the rule-based reader maps the quote to a different fact with a threshold, the rule's reading is kept and
    the disagreement is noted for the reviewer."""
    fixed = []
    for c in item.conditions:
        rule = classify(c.text)
        if rule.key != c.key and rule.key in NUMERIC_FACTS and (c.key in NUMERIC_FACTS or c.key == "manual"):
            notes.append(f"{item.id}：条件“{c.text}”模型读作{c.key}，规则读作{rule.key}，已按规则，请核对")
            c = rule
        fixed.append(c)
    return item.model_copy(update={"conditions": fixed})
