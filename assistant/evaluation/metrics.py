"""Deterministic metrics: retrieval (hit@k, recall@k, MRR, nDCG@k), answers (fact recall, citation
precision/recall, groundedness, refusal accuracy, false refusals), latency percentiles."""

from __future__ import annotations

import math
import re
import unicodedata

from assistant._text import answer_sentences, search_key, tokenize

_UNIT = re.compile(r"(?<=[万亿千百])元")


def ocr_key(text: str) -> str:
    """Recognized text as compared with its truth: width-folded (０２８ and 028 are the same number) and without
    spaces (a recognizer drops or adds a space between a Chinese and a Latin run)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def char_accuracy(ref: str, hyp: str) -> float:
    """1 − (character edit distance / reference length) over ``ocr_key`` forms, floored at 0."""
    a, b = ocr_key(ref), ocr_key(hyp)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return max(0.0, 1 - prev[-1] / max(1, len(a)))


def norm_fact(text: str) -> str:
    """Normalized form for comparing facts: simplified script, half-width digits, no spaces, and
    "500万元" = "500万" (a unit's 元 after 万/亿 is dropped)."""
    key = search_key(text)
    key = re.sub(r"\s+", "", key)
    key = key.replace("％", "%").replace("百分之", "%")
    return _UNIT.sub("", key)


def fact_hits(answer: str, must_include: list[str]) -> list[bool]:
    a = norm_fact(answer)
    return [norm_fact(m) in a for m in must_include]


def ranked_sources(retrieved: list[str]) -> list[str]:
    """Distinct sources in rank order (several chunks of one document count once)."""
    return list(dict.fromkeys(retrieved))


def hit_at_k(retrieved: list[str], gold: list[str], k: int) -> float:
    return float(any(s in gold for s in ranked_sources(retrieved)[:k]))


def recall_at_k(retrieved: list[str], gold: list[str], k: int) -> float:
    if not gold:
        return 0.0
    top = set(ranked_sources(retrieved)[:k])
    return len(top & set(gold)) / len(set(gold))


def mrr(retrieved: list[str], gold: list[str]) -> float:
    for i, s in enumerate(ranked_sources(retrieved), start=1):
        if s in gold:
            return 1.0 / i
    return 0.0


def ndcg_at_k(retrieved: list[str], gold: list[str], k: int) -> float:
    ranked = ranked_sources(retrieved)[:k]
    dcg = sum(1.0 / math.log2(i + 1) for i, s in enumerate(ranked, start=1) if s in gold)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(set(gold))) + 1))
    return dcg / ideal if ideal else 0.0


def citation_precision(cited: list[str], gold: list[str]) -> float | None:
    if not cited:
        return None
    return sum(1 for s in cited if s in gold) / len(cited)


def citation_recall(cited: list[str], gold: list[str]) -> float | None:
    if not gold:
        return None
    return len(set(cited) & set(gold)) / len(set(gold))


_MARK = re.compile(r"\[(\d+)\]")


def groundedness(answer: str, passages: dict[int, str]) -> float | None:
    """Share of answer sentences whose content words appear (≥ 60 %) in the passages they cite. A sentence
    cites the markers of its own line (a quoted run of sentences carries one marker at its end); a line with
    no valid marker is unsupported."""
    total = ok = 0
    for line in answer.split("\n"):
        cited = [passages[int(n)] for n in _MARK.findall(line) if int(n) in passages]
        have = set().union(*(set(tokenize(p)) for p in cited)) if cited else set()
        for s, e in answer_sentences(line):
            sent = _MARK.sub("", line[s:e]).strip()
            if len(sent) <= 4:
                continue
            total += 1
            words = set(tokenize(sent))
            if cited and (not words or len(words & have) / len(words) >= 0.6):
                ok += 1
    return ok / total if total else None


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    xs = sorted(values)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def mean(values: list[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return round(sum(xs) / len(xs), 4) if xs else None
