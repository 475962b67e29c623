"""Segmenting by dictionary lookups (a CLI search that must start fast) gives exactly the tokens of the whole
dictionary loaded in memory: on the seeds (documents nobody here wrote), our corpus and every question of the test
tables; and a process switches to the whole dictionary after LOOKUP_CHARS characters."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant import _jieba
from assistant._text import search_key, split_sentences
from tests.conftest import CORPORA, ROOT, SEEDS


def _texts() -> list[str]:
    texts = []
    files = sorted(SEEDS.glob("*.txt")) + sorted(CORPORA.rglob("*.md")) + sorted((CORPORA / "_src").glob("*.txt"))
    for f in files:
        t = f.read_text(encoding="utf-8", errors="replace")
        texts += [t[s:e] for s, e in split_sentences(t) if e > s]
    for table in sorted((ROOT / "tests" / "tables").glob("*.jsonl")):
        for line in table.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            texts += [v for k, v in row.items() if isinstance(v, str) and k in ("question", "text", "input", "message")]
    return texts


def test_lookups_segment_exactly_as_the_whole_dictionary():
    full = _jieba.full()  # writes the lookup file when there is none
    lookup = _jieba._lookup_tokenizer()
    assert lookup is not None
    texts = _texts()
    assert len(texts) > 3000 and sum(map(len, texts)) > 80_000
    differ = [t for t in texts if list(lookup.cut_for_search(search_key(t))) != list(full.dt.cut_for_search(search_key(t)))]
    assert differ == []


def _questions() -> list[str]:
    out = []
    for table in sorted((ROOT / "tests" / "tables").glob("*.jsonl")):
        for line in table.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            out += [v for k, v in row.items() if isinstance(v, str) and k in ("question", "message", "input")]
    return out


def test_tagging_and_accurate_cut_by_lookups_equal_the_whole_dictionary():
    import jieba.posseg as pseg

    full = _jieba.full()
    pos = _jieba._lookup_pos()
    lookup = _jieba._lookup_tokenizer()
    questions = [search_key(q) for q in _questions()]
    assert len(questions) > 500
    assert [q for q in questions if [(w.word, w.flag) for w in pos.cut(q)]
            != [(w.word, w.flag) for w in pseg.dt.cut(q)]] == []
    assert [q for q in questions if list(lookup.cut(q)) != list(full.dt.cut(q))] == []


def test_a_fresh_process_tags_a_question_without_the_dictionary_and_keeps_jieba_analyse_right():
    """`ask` tags the question's words by lookups; a later use of jieba.analyse (need drafting) in the same process
    still gets real tags (jieba.posseg was imported without them: loading the whole dictionary adds them)."""
    _jieba.full()
    code = """
from assistant import _jieba
a = _jieba.pos_cut('企业的注册资本有什么要求')
loaded = _jieba.full.cache_info().currsize
import jieba.analyse
from assistant._text import jieba_tokenizer
jieba_tokenizer()
tags = jieba.analyse.extract_tags('某企业需要研发一种棉花采摘机器人的视觉识别系统', topK=5, allowPOS=('n', 'vn'))
print(loaded, a == _jieba.pos_cut('企业的注册资本有什么要求'), ' '.join(tags))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    loaded, same, *tags = out.stdout.split()
    assert loaded == "0" and same == "True" and "棉花" in tags and len(tags) >= 3, out.stdout


def test_our_terms_are_in_the_lookup_file():
    _jieba.full()
    lookup = _jieba._lookup_tokenizer()
    terms = _jieba._terms()
    assert terms and all(lookup.FREQ.get(t) == 20000 for t in terms)
    assert "研发费用加计扣除" in list(lookup.cut_for_search("研发费用加计扣除比例是多少"))


@pytest.mark.parametrize("chars,loads_whole", [(200, False), (30_000, True)])
def test_a_fresh_process_loads_the_whole_dictionary_only_for_long_text(chars, loads_whole):
    _jieba.full()  # the lookup file exists
    code = ("from assistant import _jieba; from assistant._text import tokenize\n"
            f"tokenize('高新技术企业认定需要满足哪些条件' * {chars // 16})\n"
            "print(_jieba.full.cache_info().currsize, 'pkg_resources' in __import__('sys').modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    whole, pkg_resources = out.stdout.split()
    assert whole == ("1" if loads_whole else "0") and pkg_resources == "False", out.stdout
