"""Golden sets: JSONL, one case per line, validated on load (errors name file, line and field).

Fields, spelled exactly so (other teams write this format): ``id``, ``question``, ``type`` (factoid, multi,
support, unanswerable, record, …), ``reference_answer``, ``must_include``, ``sources``; optional ``profile``
(support cases), ``tags`` and ``split`` (``dev``, the default, or ``holdout``: cases written after the code they
measure and never used to tune it; reports show both parts).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.errors import AssistantError

KNOWN_TYPES = {"factoid", "multi", "support", "unanswerable", "record", "list", "definition", "comparison"}


class GoldenSetError(AssistantError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = "\n".join(errors[:20]) + (f"\n… 另有 {len(errors) - 20} 处错误" if len(errors) > 20 else "")
        super().__init__(f"评测集有 {len(errors)} 处错误：\n{shown}")


class GoldenCase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    type: str
    reference_answer: str = ""
    must_include: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    profile: dict[str, Any] | None = None
    tags: list[str] = Field(default_factory=list)
    split: Literal["dev", "holdout"] = "dev"
    note: str = ""  # for the person completing a draft (a 👎 case: the user's comment and the answer given)

    @model_validator(mode="after")
    def _consistent(self) -> GoldenCase:
        if self.type not in KNOWN_TYPES:
            raise ValueError(f"type 应为 {', '.join(sorted(KNOWN_TYPES))} 之一")
        if self.type == "unanswerable" and self.sources:
            raise ValueError("unanswerable 的 sources 应为空列表")
        if self.type == "support" and not self.profile:
            raise ValueError("support 类型需要 profile")
        return self

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def load_golden(path: Path) -> list[GoldenCase]:
    if not path.exists():
        raise AssistantError(f"找不到评测集 {path}。")
    cases: list[GoldenCase] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), start=1):  # not splitlines(): see records.py
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name} 第 {n} 行：JSON 格式错误（{exc.msg}，第 {exc.colno} 列）")
            continue
        if not isinstance(raw, dict):
            errors.append(f"{path.name} 第 {n} 行：应为 JSON 对象")
            continue
        try:
            case = GoldenCase.model_validate(raw)
        except ValidationError as exc:
            for e in exc.errors():
                field = ".".join(str(p) for p in e["loc"]) or "(整行)"
                errors.append(f"{path.name} 第 {n} 行，字段 {field}：{e['msg']}")
            continue
        if case.id in seen:
            errors.append(f"{path.name} 第 {n} 行，字段 id：{case.id} 与第 {seen[case.id]} 行重复")
            continue
        seen[case.id] = n
        cases.append(case)
    if errors:
        raise GoldenSetError(errors)
    if not cases:
        raise GoldenSetError([f"{path.name}：没有任何用例"])
    return cases


def load_golden_sets(paths: list[Path]) -> list[GoldenCase]:
    """Several files as one set (e.g. ``corpus.jsonl`` and its held-out ``corpus_holdout.jsonl``); ids must
    be unique across them."""
    cases: list[GoldenCase] = []
    where: dict[str, str] = {}
    errors = []
    for path in paths:
        for case in load_golden(path):
            if case.id in where:
                errors.append(f"{path.name}：用例 id {case.id} 与 {where[case.id]} 中的重复")
                continue
            where[case.id] = path.name
            cases.append(case)
    if errors:
        raise GoldenSetError(errors)
    return cases


def import_rgb(path: Path, out_dir: Path, limit: int | None = None) -> tuple[Path, Path]:
    """Import an RGB-style benchmark (JSONL with ``query``, ``answer``, ``positive``, ``negative``) into a
    corpus folder (one text file per passage) and a golden set whose sources are the positive passages.
    Returns (corpus dir, golden file)."""
    corpus = out_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    golden = out_dir / f"{path.stem}.golden.jsonl"
    lines = []
    seen_passages: dict[str, str] = {}

    def passage_file(text: str) -> str:
        import hashlib

        h = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        if h not in seen_passages:
            name = f"p-{h}.txt"
            (corpus / name).write_text(text.strip() + "\n", encoding="utf-8")
            seen_passages[h] = name
        return seen_passages[h]

    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            query = raw["query"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise GoldenSetError([f"{path.name} 第 {n} 行：不是 RGB 格式（需要 query/answer/positive/negative）：{exc}"]) from exc
        answers = raw.get("answer") or []
        flat: list[str] = []
        for a in answers if isinstance(answers, list) else [answers]:
            flat.extend(a if isinstance(a, list) else [a])
        positives = [passage_file(p) for p in raw.get("positive") or [] if str(p).strip()]
        for p in raw.get("negative") or []:
            if str(p).strip():
                passage_file(p)
        case = {"id": f"rgb-{raw.get('id', n)}", "question": query, "type": "factoid" if positives else "unanswerable",
                "reference_answer": "；".join(map(str, flat[:1])), "must_include": [str(flat[0])] if flat and positives else [],
                "sources": positives, "tags": ["rgb"]}
        lines.append(json.dumps(case, ensure_ascii=False))
        if limit and len(lines) >= limit:
            break
    golden.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus, golden
