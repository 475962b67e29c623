"""Templates for what people read: HTML (autoescaped — document text is never live markup) and plain text
(chat and terminal). Templates are files in ``assistant/templates``; a missing variable is an error."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


@lru_cache(maxsize=2)
def _env(html: bool) -> SandboxedEnvironment:
    from jinja2 import FileSystemLoader

    folder = str(resources.files("assistant").joinpath("templates"))
    env = SandboxedEnvironment(loader=FileSystemLoader(folder, encoding="utf-8"), undefined=StrictUndefined,
                               autoescape=html, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    from assistant.support import FACT_LABELS
    from assistant.usecases import CONDITION_MARKS, STATUS_LABELS

    env.globals.update(STATUS=STATUS_LABELS, MARK=CONDITION_MARKS, FACT={**FACT_LABELS, "recognition": "认定情况",
                                                                       "statement": "申请人确认", "manual": "需人工确认"})
    from assistant.drafting.match import KIND_LABELS
    from assistant.drafting.need import LABELS

    env.globals["KIND"] = KIND_LABELS
    env.filters["label"] = lambda key: LABELS.get(key, key)
    env.filters["num"] = lambda v: f"{v:g}" if isinstance(v, float) else str(v)
    env.globals["OPS"] = {"lte": "≤", "lt": "<", "gte": "≥", "gt": ">", "eq": "=", "in": "属于", "not_in": "不属于",
                          "has": "具备", "is": "：", "between": "介于"}
    env.filters["shown"] = _shown
    # A value inside one line of the DOCX markup (gongwen.py): no line breaks, no cell separators.
    env.filters["cell"] = lambda v: re.sub(r"\s+", " ", str(v if v is not None else "")).replace("|", "｜").strip()
    env.filters["last_heading"] = lambda h: (h or "").split(" > ")[-1]
    return env


def _shown(v: Any) -> str:
    """A condition's value for a reviewer: 300.0 → 300, lists joined, a recognition in words."""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, list | tuple):
        return "、".join(_shown(x) for x in v)
    if isinstance(v, dict) and "qualification" in v:
        return f"{v.get('kind') or ''}认定{_shown(v['qualification'])}"
    if isinstance(v, str):
        from assistant.domain import enterprise

        return enterprise.statement_label(v)
    return str(v)


def render_html(name: str, **context: Any) -> str:
    return _env(True).get_template(f"{name}.html.j2").render(**context).strip()


def render_text(name: str, **context: Any) -> str:
    return _env(False).get_template(f"{name}.txt.j2").render(**context).strip()


def render_markup(name: str, **context: Any) -> str:
    """A DOCX template (``<name>.docx.j2``) rendered to the line markup that ``gongwen.layout`` lays out."""
    return _env(False).get_template(f"{name}.docx.j2").render(**context).strip()


_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
# what a model's answer may keep: emphasis, code, headings, lists and tables are formatting, never content from
# elsewhere; images, links and HTML stay escaped
_MD_LIVE = re.compile(r"([\\{}\[\]()!~$])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-=])", re.M)


def chat_markdown(text: str, formatting: bool = False) -> str:
    """Plain text (an answer quoting documents, a reply rendered from a text template, what the user typed) made
    safe for a Markdown view such as the chat: shown exactly as written — no live HTML (<form>, <img src=http…>,
    <video>, <script>, styles), no Markdown images, links (nor addresses made into links), emphasis, headings or
    renumbered lists. ``formatting``: a model's answer keeps its emphasis, code, headings, lists and tables (still
    no HTML, images or links)."""
    out = (_MD_LIVE if formatting else _MD_SPECIALS).sub(r"\\\1", html.escape(text or "", quote=False))
    # no automatic links either: an address in a document is shown, not offered as a link to click
    out = re.sub(r"(?i)(?<=[a-z])://", "&#58;//", out)
    out = re.sub(r"(?i)\bwww\.", "www&#46;", out)
    if formatting:
        return out
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}" if m.group(2)
                              else f"{m.group(4)}\\{m.group(5)}", out)
