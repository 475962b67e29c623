"""Abbreviations and synonyms of the field (高企 = 高新技术企业 …), used to expand queries."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def groups() -> tuple[tuple[str, ...], ...]:
    """Synonym groups from ``data/synonyms.txt``: one group a line, terms separated by ``|``."""
    text = resources.files("assistant").joinpath("data/synonyms.txt").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            terms = tuple(t.strip() for t in line.split("|") if t.strip())
            if len(terms) > 1:
                out.append(terms)
    return tuple(out)


def all_terms() -> list[str]:
    return sorted({t for g in groups() for t in g})


def expansions(query: str) -> list[str]:
    """Terms to add to ``query``: the other members of every group one of whose terms it contains."""
    from assistant._text import search_key

    key = search_key(query)
    extra: list[str] = []
    for g in groups():
        if any(search_key(t) in key for t in g):
            extra.extend(t for t in g if search_key(t) not in key and t not in extra)
    return extra
