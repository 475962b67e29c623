"""Controlled vocabularies, as data (``assistant/data/vocab.json``): qualifications, fields (所属领域),
cooperation modes, record types with their Chinese labels, and the national-economy industries of
negative lists. The support finder, the need drafter, the UI forms and the statistics line all read them here.
"""

from __future__ import annotations

import difflib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from assistant._text import search_key


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(resources.files("assistant").joinpath("data/vocab.json").read_text(encoding="utf-8"))


def section(name: str) -> dict[str, Any]:
    """One table of the vocabulary (statements, policy_topics …) without its ``_comment`` entries."""
    return {k: v for k, v in _data()[name].items() if not k.startswith("_")}


def qualifications() -> list[str]:
    return list(_data()["qualifications"])


def fields() -> list[str]:
    return list(_data()["fields"])


def cooperation_mode_names() -> list[str]:
    return list(_data()["cooperation_modes"])


def industries() -> list[str]:
    return list(_data()["industries"])


def record_types() -> dict[str, str]:
    return dict(_data()["record_types"])


def type_label(kind: str | None) -> str | None:
    """The Chinese label of a record or document type (achievement → 科技成果)."""
    return _data()["record_types"].get((kind or "").strip())


def _key(text: str) -> str:
    k = search_key(text or "")
    return re.sub(r"[\s\"'“”「」『』《》]", "", k)


@lru_cache(maxsize=1)
def _qual_aliases() -> list[tuple[str, str]]:
    pairs = [(_key(a), canon) for canon, aliases in _data()["qualifications"].items() for a in aliases]
    return sorted(pairs, key=lambda p: -len(p[0]))


_ASKING = re.compile(r"想问|问一?下|请问|能不能|能否|可不可以|可否|怎么|如何|有没有|是否|吗$|呢$|想申请|想申报|准备申报|打算申报|想评|咨询")


def find_qualifications(text: str) -> list[str]:
    """Every qualification a text says the enterprise holds, in the vocabulary's order; a 小巨人 is not also
    counted as a plain 专精特新 enterprise, and candidates (培育库, 拟认定) are not holders."""
    # a clause that asks about a qualification does not say the enterprise holds it (想问下高企那几个奖励…)
    text = "，".join(c for c in re.split(r"[，,。；;！!？?\n]", text or "") if not _ASKING.search(c))
    key = _key(text)
    found: set[str] = set()
    taken = [False] * len(key)
    for alias, canon in _qual_aliases():
        for m in re.finditer(re.escape(alias), key):
            if any(taken[m.start():m.end()]):
                continue
            around = key[max(0, m.start() - 6):m.end() + 6]
            if any(x in around for x in _data()["qualification_exclusions"]):
                continue
            if re.search(r"(?:不是|还不是|没有|尚未|未获|未认定|非)[^，。；,;]{0,4}$", key[:m.start()]):
                continue
            found.add(canon)
            for i in range(m.start(), m.end()):
                taken[i] = True
    return [q for q in qualifications() if q in found]


def normalize_qualification(text: str | None) -> str | None:
    """The canonical qualification a person means (国高 → 高新技术企业, 小巨人 → 专精特新“小巨人”企业); a one-
    character typo in a long name is forgiven (高新计术企业); None for anything else (上市公司, 瞪羚企业)."""
    if not text or not text.strip():
        return None
    found = find_qualifications(text)
    if found:
        return found[-1] if len(found) > 1 and "专精特新“小巨人”企业" in found else found[0]
    key = _key(text)
    if len(key) >= 5 and not any(x in key for x in _data()["qualification_exclusions"]):
        aliases = [a for a, _ in _qual_aliases() if len(a) >= 5]
        close = difflib.get_close_matches(key, aliases, n=1, cutoff=0.8)
        if close:
            return dict(_qual_aliases())[close[0]]
    return None


def classify_field(text: str | None) -> str | None:
    """The platform field (所属领域) a description belongs to, by its keywords; None when none fits."""
    if not text:
        return None
    key = _key(text)
    for phrase, field in _data()["field_priority"].items():
        if phrase in key:
            return field
    # Distinct keywords hit, the field's own name counting twice; on a tie the field named first wins
    # (光伏组件清洗机器人 is a 新能源 need, not an equipment one).
    # A keyword inside a longer one already matched does not count (番茄 in 番茄酱).
    pairs = sorted(((_key(w), f) for f, ws in _data()["fields"].items() for w in [*ws, f, f]), key=lambda p: -len(p[0]))
    taken = [False] * len(key)
    hits: dict[str, list[int]] = {}
    for word, field in pairs:
        i = key.find(word)
        if i < 0 or (all(taken[i:i + len(word)]) and word != field):
            continue
        for j in range(i, i + len(word)):
            taken[j] = True
        hits.setdefault(field, []).append(i)
    scored = [(-len(pos), min(pos), field) for field, pos in hits.items()]
    return min(scored)[2] if scored else None


def _negated(key: str, start: int) -> bool:
    before = key[max(0, start - 3):start]
    return any(n in before + key[start:start + 3] and (n in before or key.startswith(n, start))
               for n in _data()["cooperation_negations"]) or before.endswith("不")


_FACILITY = set("区线园")


def cooperation_modes(text: str | None) -> list[str]:
    """Cooperation modes named in plain words (委托开发 → 技术开发, 买断专利 → 技术转让, 技术入股 → 作价入股),
    in the vocabulary's order; a refused one (不买专利) is left out."""
    if not text:
        return []
    key = _key(text)
    found: set[str] = set()
    taken = [False] * len(key)
    pairs = sorted(((_key(w), mode) for mode, words in _data()["cooperation_modes"].items() for w in words),
                   key=lambda p: -len(p[0]))
    for word, mode in pairs:
        for m in re.finditer(re.escape(word), key):
            if any(taken[m.start():m.end()]) or key[m.end():m.end() + 1] in _FACILITY:
                continue  # 经济技术开发区, 中试线: a place or a facility, not a way to cooperate
            for i in range(m.start(), m.end()):
                taken[i] = True
            if not _negated(key, m.start()):
                found.add(mode)
    for mode, patterns in _data().get("cooperation_patterns", {}).items():
        for pattern in patterns:
            m = re.search(pattern, key)
            if m and not _negated(key, m.start()):
                found.add(mode)
    return [c for c in cooperation_mode_names() if c in found]


def classify_industry(text: str | None) -> str | None:
    """The negative-list industry (批发和零售业, 房地产业 …) a business belongs to, or None."""
    if not text:
        return None
    key = _key(text)
    if key in {_key(i) for i in industries()}:
        return next(i for i in industries() if _key(i) == key)
    best, best_score = None, 0
    for industry, words in _data()["industries"].items():
        score = sum(len(w) for w in words if _key(w) in key)
        if score > best_score:
            best, best_score = industry, score
    return best


@lru_cache(maxsize=1)
def _program_aliases() -> list[tuple[str, str]]:
    pairs = [(_key(a), canon) for canon, aliases in section("programs").items() for a in aliases]
    return sorted(pairs, key=lambda p: -len(p[0]))


def program_aliases(canonical: str) -> list[str]:
    """Every way a support programme is named (its name first)."""
    return [canonical, *[a for a in section("programs").get(canonical, []) if a != canonical]]


def programs_named(text: str) -> list[str]:
    """Every programme one of whose names appears in ``text``, overlapping names included ("质押贷款贴息" names
    知识产权质押 and 科技金融), unlike ``find_programs``, which reads the text once."""
    key = _key(text)
    return list(dict.fromkeys(canon for alias, canon in _program_aliases() if alias and alias in key))


def find_programs(text: str) -> list[tuple[str, int, int]]:
    """The support programmes a text names (高企, 科小, 揭榜挂帅, 科创贷 …): (programme, start, end) in the
    normalised text, in order, longest alias first (创新型中小企业 is not also 科小)."""
    key = _key(text)
    taken = [False] * len(key)
    out = []
    for alias, canon in _program_aliases():
        for m in re.finditer(re.escape(alias), key):
            if not any(taken[m.start():m.end()]):
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
                out.append((canon, m.start(), m.end()))
    return sorted(out, key=lambda x: x[1])
