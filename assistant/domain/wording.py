"""How questions are worded: the words that ask rather than name a topic, and what a question asks for.

One list for every feature that weighs the words of a question: the answerer (a sentence need not contain
"时候" or "机会" to answer "什么时候…" / "还有没有机会…"), the follow-up detector (a message made only of such
words has no topic of its own) and the LLM path's retrieval gate (they prove nothing about the passages).
Also: the asker's own figures (``is_counting``, ``names_by_number``), the kind of quantity asked
(``asked_quantities``: 建了多少个, 投了多少钱), the qualifiers that rule each other out (``contrasts``: 国内/海外,
省级/市级) and the institutions whose names are asked (``asked_instances``: 合作银行有哪几家).
"""

from __future__ import annotations

import re

# Interrogatives, pronouns, particles, modal and framing verbs, connectives, who is asking (孩子、老板): how people
# ask, in any topic.
ASKING_WORDS = frozenset("""
什么 啥 时候 何时 怎么 怎样 怎么样 如何 哪些 哪个 哪家 哪位 哪里 哪儿 哪 多少 几 多久 多长 多大 多高 是否 能否 可否 能不能 可不可以
有没有 是不是 要不要 会不会 还有 还能 还是 没有 除了 别的 其他 其它 另外 这个 那个 这些 那些 这 那 该 其 此 它 它们
我 我们 我司 咱们 你 你们 您 本 请问 想问 问一下 一下 吗 呢 吧 啊 呀 嘛 么 哦 了 的 地 得 着 过 是 有 在 和 跟 与 及 或 或者
以及 并且 而且 但是 不过 如果 要是 假如 的话 那么 就 也 都 还 又 再 才 只 已经 刚 刚刚 现在 目前 当前 最近 一般 通常 大概 大约
能 可以 可 会 要 需要 想 打算 准备 应该 得 拿 给 让 把 被 做 搞 办 弄 算 看 说 讲 知道 了解 告诉 介绍 具体 情况 问题 机会 办法
哪天 哪年 哪月 哪一天 哪一年 几年 几天 几号 几月 几次 几个 几家 几项 几种 几回 多少钱 怎么办 咋办 咋 啥时候 为啥 干啥
孩子 小孩 我家 家里 家长 本人 自己 老板 朋友
左右 上下 出头 来号 差不多 大概齐 才能 一共 总共 各 各自 分别 到底 究竟 去年 今年 明年 前年 刚才 以后 之后 那种 这种
""".split())

# Nouns every policy question uses: absent from a passage, they prove nothing (present, they are not a topic).
GENERIC_NOUNS = frozenset("""
奖项 文章 报道 作者 项目 名称 名字 情况 内容 问题 方面 时间 日期 人才 数量 金额 比例 标准 条件 要求 政策 措施 办法 规定 文件
企业 公司 单位 机构 部门 地方 地区 城市 资金 经验 做法 成效 成果 结果 效果 名次 排名 人数 次数 总数 规模 现场 活动 平台 相关 有关
目的 宗旨 意义 作用 用途 一年 每年 全年
""".split())

_ASKING_CHARS = {w for w in ASKING_WORDS if len(w) == 1}


def is_asking_word(token: str) -> bool:
    """An asking word, or a word jieba glued from them ("才算过" → 算过, "多少分才…" → 分才)."""
    return token in ASKING_WORDS or (len(token) > 1 and all(ch in _ASKING_CHARS for ch in token))


def is_generic(token: str) -> bool:
    """A word that frames the question or names no particular topic."""
    return is_asking_word(token) or token in GENERIC_NOUNS


_NUMBERLIKE = re.compile(r"[\d.%]+")


# How people count ("三千万", "三大块", "180人", "一次") and ask for a count ("几月份", "哪几种"): the asker's own
# figures and counting phrases, which the passage that answers does not repeat.
_COUNT_UNITS = "个大块类项种家名人位次年月日号天万亿元份分条批档级成倍来多余回轮期所间岁周季件台套笔张门"
_COUNTING = re.compile(rf"^(?:[\d.]+|[零〇一二两三四五六七八九十百千万亿半几]+|哪几?|多少)[{_COUNT_UNITS}]{{0,3}}$")


def is_counting(token: str) -> bool:
    """A figure or count in the asker's words (三千万、三大块、几月份、哪几种), not a topic."""
    return bool(_COUNTING.match(token)) and not re.fullmatch(r"(?:19|20)\d\d", token)


# what follows a figure of the asker's ("180人", "3000多万", "6%左右"); a number followed by anything else is part of a
# name ("1355工程", "12621工程", "双百计划"), which a sentence that answers does name
_AFTER_FIGURE = re.compile(rf"[{_COUNT_UNITS}千百%％左上出以不]")


def names_by_number(token: str, text: str) -> bool:
    """Whether the number ``token`` is part of a name in ``text`` ("1355工程"), not a figure."""
    if not re.fullmatch(r"\d+", token):
        return False
    return any(m.end() < len(text) and re.match(r"[\u4e00-\u9fff]", text[m.end()]) and not _AFTER_FIGURE.match(text[m.end()])
               for m in re.finditer(rf"(?<![\d.]){token}(?![\d.])", text))


def topic_words(tokens: list[str]) -> list[str]:
    """The tokens that name what the question is about (not asking words, generic nouns or bare numbers)."""
    return [t for t in tokens if not is_generic(t) and not _NUMBERLIKE.fullmatch(t)]


# Words naming an aspect of a measure rather than the measure: "补助多少" or "截止时间呢" asks about the topic
# already under discussion.
ASPECT_WORDS = frozenset("""
申报 申请 条件 要求 时间 截止 补助 补贴 奖励 资助 支持 标准 比例 有效期 流程 材料 上限 额度 金额 期限 年度 每年 一年 万元 元 钱
天 年 人 个 部门 网站 提交 办理 最多 最高 最低 至少 规定 补 发 下
""".split())


def names_a_topic(tokens: list[str]) -> bool:
    """Whether a message says what it is about, beyond asking words and the aspects of a measure."""
    return any(t not in ASPECT_WORDS for t in topic_words(tokens))


# Judgements a follow-up asks of what was just discussed ("够不够", "行不行", "不到的话会怎样", "要多少分才算过"):
# with the asker's own figures they name nothing new, so the earlier question is what they are about.
JUDGEMENT_WORDS = frozenset("不够 够不够 够吗 不行 行不行 不算 算不算 不到 达不到 会怎样 怎样".split())
_UNIT_CHARS = set(_COUNT_UNITS) | set("够行")  # 才、算、过 are asking words


def names_nothing_new(tokens: list[str]) -> bool:
    """Whether a message is made only of asking words, figures, units and judgements ("那要多少分才算过",
    "能拿几次", "我们收入8000万，够不够"): a follow-up that asks about the earlier question as it stood, not about
    an aspect of its own ("研发投入要多少", "需要什么材料")."""
    if any(t in JUDGEMENT_WORDS for t in tokens):
        return True
    return all(not t.strip() or not re.search(r"[\u4e00-\u9fff]", t) or is_asking_word(t)
               or is_counting(t) or all(ch in _UNIT_CHARS or ch in ASKING_WORDS for ch in t) for t in tokens)


# Whether a measure can still be had at a time ("2026年还能报吗", "现在还能申请吗", "是不是已经过期了"): answered by
# when it ends or was last open ("有效期至2025年6月30日", "2025年4月30日为最后一次申报截止日期"), whatever year the
# asker names. Without a time ("搬到成都，还能领成都的奖吗") the question is whether the asker qualifies.
_STILL = re.compile(r"还(?:能|可以)(?:不能)?(?:报|申报|申请|享受|拿|领|办|用)|还(?:有效|适用|受理|在执行|继续)|"
                    r"还有(?:没有)?[吗呢]?\s*[？?]?\s*$|还在不在")
_WHEN = re.compile(r"(?:19|20)\d{2}\s*年|今年|明年|后年|现在|目前|如今|眼下|当前|下半年|上半年|年底|年初")
AVAILABILITY = re.compile(rf"过期|失效|到期了|停了吗|取消了吗|截止了吗|还有效|还在执行|"
                          rf"^(?=.*(?:{_STILL.pattern}))(?=.*(?:{_WHEN.pattern}))", re.S)


def asks_availability(question: str) -> bool:
    return bool(AVAILABILITY.search(question))


# Aspects a sentence states with a value rather than with the word: "贴息比例是多少" is answered by "按利息的60%给予
# 贴息", "每家封顶多少" by "不超过50万元", "什么时候截止" by a date. (word of the question, shape of the value)
_DATE = r"\d{1,2}\s*月|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}\s*[日号]前"
_VALUE_SHAPES: list[tuple[frozenset[str], re.Pattern[str]]] = [
    (frozenset("比例 比重 占比 百分比 比率 税率 费率 幅度 百分之 几成".split()),
     re.compile(r"\d\s*[%％]|百分之|个百分点|(?<![一二三四五六七八九十])[一二三四五六七八九]成(?![立果本员功为])")),
    (frozenset("金额 多少钱 钱 额度 奖金 几万 多少万 资助额".split()),
     re.compile(r"\d[\d.,]*\s*[万亿千百]?元|[一二三四五六七八九十两百千]+\s*[万亿]元")),
    (frozenset("上限 封顶 最高 最多 限额 顶格 不超过".split()),
     re.compile(r"不超过|不高于|最高|最多|上限|封顶|以内|为限|顶格")),
    (frozenset("门槛 下限 最低 至少 起码 不低于 及格 及格线 合格线 达标".split()),
     re.compile(r"不低于|不少于|以上|至少|最低|达到|起")),
    (frozenset("人数 几个人 多少人".split()), re.compile(r"\d+\s*[名人位]|[一二三四五六七八九十百千两]+[名人位]")),
    # a deadline or a date is a month or a day, not a bare year ("自2023年起" dates nothing)
    (frozenset("时间 日期 截止 时限 几号 哪天 起止".split()), re.compile(_DATE)),
    (frozenset("期限 有效期 年限 多久 多长时间".split()),
     re.compile(r"\d+\s*(?:年|个月|个工作日|天|日)(?!\d)|[一二三四五六七八九十两]+(?:年|个月|个工作日|天)")),
    (frozenset("打分 评分 得分 分数 分值".split()), re.compile(r"\d+\s*分(?!之|钟|别|为|类|档|期|批)")),
    (frozenset("面积".split()), re.compile(r"平方米|㎡|m2|亩|平米")),
]


def value_shape(word: str) -> re.Pattern[str] | None:
    """The shape of the value that states an aspect word of a question (比例 → a percentage), or None."""
    for words, shape in _VALUE_SHAPES:
        if word in words:
            return shape
    return None


# What kind of quantity a question asks for ("建了多少个" a count of things, "多少人" of people, "投了多少钱" money):
# a sentence without one does not answer it, whatever else it shares.
# people, not an organisation named after them (院士专家工作站, 专家服务团)
_PEOPLE = r"(?:人员|人才|专家|员工|职工|学生|老师|教师|院士|会员|志愿者)(?![\u4e00-\u9fff]{0,4}(?:站|室|团|队|会|中心|基地|之家|园))"
_ASKED_QUANTITY = [
    ("money", re.compile(r"多少(?:钱|资金|经费|万|块)|(?:钱|资金|经费|金额|预算|投资)(?:一共|总共|共|大概|大约|约|规模)?"
                         r"(?:有|是|为)?(?:多少|几(?=[万千百亿块元]))|(?:投|花)了?多少(?![分人家个项次名位场])|几(?:万|千万|百万|亿)")),
    # "几个技术人员" counts people, "几个A" grades, "多少所得税" is no count
    ("organisations", re.compile(rf"(?:多少|(?<!哪)几)(?:个(?![A-Za-z])(?!\w{{0,4}}?(?:{_PEOPLE}))|家|所(?![得有以在属])|座|处(?![理置罚分]))")),
    ("people", re.compile(rf"(?:多少|(?<!哪)几)个?(?:人|名|位)|(?:多少|(?<!哪)几)个?\w{{0,4}}?(?:{_PEOPLE})")),
    ("events", re.compile(r"(?:多少|(?<!哪)几)(?:场|次|期|届|轮)")),
]
# another question word after the count ("几个经纪人一起促成一个合同，奖金咋分"): the count is the asker's framing
_LATER_QUESTION = re.compile(r"怎么|咋|如何|怎样|什么|啥|哪|吗|是否|能否")


def asked_quantities(question: str) -> list[str]:
    """The kinds of quantity the question asks for (see ``quantities.states``)."""
    return [kind for kind, pattern in _ASKED_QUANTITY
            if (m := pattern.search(question)) and not _LATER_QUESTION.search(question, m.end())]


# Qualifiers that rule each other out: a sentence about the 国内 market share does not give the 海外 one, the
# 省级 count is not the 市级 one, the 专精特新中小企业 requirement is not the 小巨人 one. Each group is a list of
# alternatives; each alternative lists the ways it is written.
_CONTRASTS: list[list[tuple[str, ...]]] = [
    [("国家级",), ("省级", "自治区级"), ("市级", "州级", "地市级"), ("县级", "区级", "县区级")],
    [("国内", "境内"), ("海外", "国外", "境外", "国际")],
    [("省内",), ("省外",)],
    [("线上", "网上", "在线"), ("线下", "现场")],
    [("上半年",), ("下半年",)],
    [("创新型中小企业",), ("专精特新中小企业",), ("小巨人",), ("单项冠军",)],
    [("本科",), ("专科", "高职")],
]
# words that name two alternatives at once
_BOTH = {"国内外": "国内 国外", "境内外": "境内 境外", "海内外": "国内 海外", "省内外": "省内 省外", "线上线下": "线上 线下",
         "上下半年": "上半年 下半年"}


def _spelled_both(text: str) -> str:
    for word, both in _BOTH.items():
        text = text.replace(word, both)
    return text


def contrasts(question: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The qualifiers a question names that rule others out: (its forms, the other alternatives' forms)."""
    key = _spelled_both(question)
    out = []
    for group in _CONTRASTS:
        ours = [alt for alt in group if any(f in key for f in alt)]
        if len(ours) == 1:  # a question naming two alternatives ("国内外", "省级和市级") pins neither
            out.append((ours[0], tuple(f for alt in group if alt is not ours[0] for f in alt)))
    return out


def rules_out(text: str, ours: tuple[str, ...], others: tuple[str, ...]) -> bool:
    """Whether ``text`` is about another alternative than the question's: it names one and not the question's."""
    key = _spelled_both(text)
    return any(f in key for f in others) and not any(f in key for f in ours)


# "合作银行有哪几家", "哪些高校参与": a question asking which instances of a kind of institution, answered by a
# sentence that names one ("成都银行", "青岚大学"), not by one that speaks of the kind ("合作银行名单另行公布")
_INSTANCE_KINDS = "银行|大学|高校|学校|医院|学会|协会|园区"
_WHICH_INSTANCES = re.compile(rf"({_INSTANCE_KINDS})(?:具体|分别|都|主要)?(?:有|是|包括)?哪(?:几|些)|哪(?:几|些)(?:家|所|个)?\w{{0,4}}?({_INSTANCE_KINDS})")
_KIND_MODIFIERS = frozenset("合作 商业 各类 相关 有关 当地 本地 指定 其他 其它 参与 所在 省内 市内 多家 一家 各家 贷款 金融".split())


# how an instance of a kind is named: a 高校 is a 大学 or a 学院
_INSTANCE_NAMES = {"高校": "大学|学院", "大学": "大学|学院", "学校": "大学|学院|学校|中学|小学", "学会": "学会|协会", "协会": "学会|协会"}


_ASKS_AUTHOR = re.compile(r"(?<![工创])作者|谁写的|谁撰写|谁执笔|谁撰稿|撰稿人|执笔人|写的人是谁|哪位记者|记者是谁|谁报道的|是谁写")


def asks_author(question: str) -> bool:
    """Whether the question asks who wrote a page ("那篇报道是谁写的", "作者是谁")."""
    return bool(_ASKS_AUTHOR.search(question))


def asked_instances(question: str) -> str | None:
    """The kind of institution whose instances the question asks for (银行), or None."""
    m = _WHICH_INSTANCES.search(question)
    return (m.group(1) or m.group(2)) if m else None


def names_instance(text: str, kind: str, question: str = "") -> bool:
    """Whether ``text`` names an instance of ``kind`` ("成都银行"; "青岚大学" for 高校), not the kind with a modifier of
    the question's or a generic one ("合作银行", "商业银行")."""
    suffix = _INSTANCE_NAMES.get(kind, kind)
    for m in re.finditer(rf"([\u4e00-\u9fff]{{2}})(?:{suffix})", text):
        modifier = m.group(1)
        if modifier not in _KIND_MODIFIERS and modifier not in question and not modifier.endswith(("从", "向", "的", "由", "和", "与", "及")):
            return True
    return False
