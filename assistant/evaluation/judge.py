"""Optional LLM judge (ragas-style faithfulness and relevance, 1–5), reported separately, never required."""

from __future__ import annotations

import json
import re

from langchain_core.messages import HumanMessage

from assistant.errors import ProviderError
from assistant.evaluation.metrics import mean
from assistant.prompts import render


def judge_cases(assistant, cases) -> dict[str, float | None]:
    faith, rel = [], []
    for c in cases:
        if c.type == "support" or c.error:
            continue
        passages = "\n\n".join(f"[{i}] {p.get('text', '')}" for i, p in enumerate(c.retrieved[:6], 1))
        prompt = render("judge", question=c.question, passages=passages, answer=c.answer)
        try:
            reply = assistant.complete([HumanMessage(prompt)]).content
            m = re.search(r"\{.*\}", reply, flags=re.S)
            data = json.loads(m.group(0)) if m else {}
            f, r = float(data.get("faithfulness")), float(data.get("relevance"))
        except (ProviderError, ValueError, TypeError, json.JSONDecodeError):
            continue
        c.scores["judge_faithfulness"], c.scores["judge_relevance"] = f, r
        faith.append(f)
        rel.append(r)
    return {"faithfulness": mean(faith), "relevance": mean(rel), "judged": float(len(faith))}
