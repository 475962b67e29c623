"""How people answer a question a form asks them in chat: declining it, confirming what was shown, correcting
a value given before.

Every feature that asks one question at a time (the need posting today; the enterprise profile tomorrow) reads
replies the same way: "不知道", "跳过", "这个先不填", "不方便说" decline the question; "对", "没问题", "确认" confirm;
"改成…", "不对，…", "写错了，是…", "哦不，…" replace what was said before by what follows.
"""

from __future__ import annotations

import re

_DECLINE = re.compile(
    r"^(?:嗯+|额+|呃+|这个|那个|暂时|目前|现在|还)?[，, ]*"
    r"(?:不知道|不清楚|不太清楚|不了解|不确定|说不好|说不准|没想好|还没想好|没想过|没考虑过?|还没定|没定|未定|待定|"
    r"跳过|略过|下一个|先跳过|不填|先不填|不用填|不想填|这个先不填|先空着|空着|留空|暂不填写?|不方便(?:说|透露|提供|填)?|"
    r"保密|不便透露|没有|无|暂无|暂时没有|都行|都可以|随便|无所谓|看情况|以后再说|回头再说|再说吧?|不需要|不用了?|算了|pass|skip)"
    r"(?:[了啊呀吧呢哈的]|这个|这一项|这项|先|吧)*[。.!！~～]*$", re.IGNORECASE)
_DECLINE_ANYWHERE = re.compile(r"先不填|暂不填|不方便(?:说|透露|提供|留)|不便透露|跳过这|这个先空着|先空着|还没想好|没想好|不清楚|"
                               r"(?:就|先|暂时)?不留了?|不想留|先这样|就这些|没别的了?|不写了?|先不写")

_CONFIRM = re.compile(r"^(?:对|对的|是|是的|没错|没问题|正确|确认|可以|行|好|好的|嗯|嗯嗯|ok|OK|没毛病|就这样|就这么定)"
                      r"(?:[了啊呀吧呢哈的，, ]|确认|发布|可以|没问题)*[。.!！~～]*$")

# What people write before the value that replaces an earlier one, in the same message ("预算50万，哦不，80万吧")
# or in a later one ("预算改成100万", "不对，截止时间是明年3月底", "地区写错了，是尉犁县").
CORRECTION = re.compile(r"哦不|噢不|啊不|不对|不是[^，,。；;]{0,12}[，,]\s*而?是|错了|写错|说错|搞错|弄错|改成|改为|改一下|改下|换成|更正|更改为|修改为|应该是|"
                        r"其实是|准确(?:地|的)?说|纠正一下|重新说|算了[，,]|(?:整体)?(?:搬到了?|迁到了?|迁至|搬迁到|搬迁至)")


def declines(text: str) -> bool:
    """Whether a reply declines the question it answers ("不知道", "这个先不填", "跳过吧", "不方便透露")."""
    t = (text or "").strip()
    return bool(t) and (bool(_DECLINE.match(t)) or (len(t) <= 12 and bool(_DECLINE_ANYWHERE.search(t))))


def confirms(text: str) -> bool:
    """Whether a reply only confirms what was shown ("对", "没问题", "好的，确认发布")."""
    return bool(_CONFIRM.match((text or "").strip()))


_WITHDRAW = re.compile(r"先不写了?|不写了|去掉|删掉|删除|不填了|先不填|取消|撤回|不要了")


def withdraws(text: str) -> bool:
    """Whether a message takes back a value given before ("预算先不写了", "把截止日期去掉")."""
    return bool(_WITHDRAW.search(text or ""))


def corrects(text: str) -> bool:
    """Whether a message replaces something said before."""
    return bool(CORRECTION.search(text or ""))


def after_correction(text: str) -> str:
    """What a message says after its last correction cue: "预算50万，哦不，80万吧" → "，80万吧"; the whole text when it
    has none."""
    last = None
    for m in CORRECTION.finditer(text or ""):
        last = m
    return text[last.end():] if last else text


def before_correction(text: str) -> str:
    """What a message says before its first correction cue (the words the correction refers to: "预算50万，")."""
    m = CORRECTION.search(text or "")
    return text[:m.start()] if m else text


__all__ = ["CORRECTION", "after_correction", "before_correction", "confirms", "corrects", "declines", "withdraws"]
