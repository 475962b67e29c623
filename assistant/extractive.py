"""The offline answerer: picks the sentences of the retrieved passages that answer the question and
quotes them, each with its citation. It never writes a fact that is not in a cited passage; when the
evidence is weak it refuses with the shared sentinel phrase.

Sentence score = weighted share of the question's key terms the sentence contains (a term its passage's title
or heading states counts for every sentence under it; an aspect such as 比例 counts when the sentence states a
value of its shape), times the constraints it fails (another year, another place, another thing asked)
+ a bonus when the sentence has what the question type asks for (a number, a date, a list, a name)
+ a small prior from the passage's retrieval rank.
Whether the question is answered at all is decided on the best sentence's evidence: the same share with the
heading's words and value shapes counting half, so a title that repeats the question does not answer it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant._text import search_key, split_sentences, tokenize
from assistant.citations import cite
from assistant.decompose import per_entity
from assistant.domain import dates, quantities, regions, vocab, wording
from assistant.injection import looks_like_injection
from assistant.prompts import NOT_FOUND
from assistant.records import restated_document
from assistant.types import Citation, Context

# when a measure ends or was last open
_VALIDITY_STATED = re.compile(r"有效期|施行|到期|截止|最后一次|最后一个|不再受理|停止|废止|失效|起执行|为止")
# Question-type cues: (pattern in the question, pattern the answer sentence should contain).
_CUES: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("number", re.compile(r"多少|几[个项家名位人次年倍]?|比例|金额|额度|多大|多高|多长|上限|标准|百分之|税率|幅度|补助|奖励|资助"),
     re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:[个项家名人万元倍%天周]|位(?!数)|年(?!度))|百分之")),
    ("date", re.compile(r"何时|什么时候|啥时候|几月|哪个月|哪一?年|哪一?天|日期|时间|期限|截止|有效期|多久|起止"),
     # a date, or a duration for "多久"/"多长时间" ("两年一考核", "3个工作日内")
     re.compile(r"\d{4}\s*年|\d{1,2}\s*月|\d{4}[-/.]\d{1,2}|年度|日起|之日|有效期|"
                r"[\d一二三四五六七八九十两半]+\s*(?:年|个月|个工作日|工作日|天|日内|周)")),
    # "哪一天召开" is not answered by a year or a month
    ("day", re.compile(r"哪一?天|哪日|几月几[日号]|几号|具体日期|什么日子"),
     re.compile(r"\d{1,2}\s*[日号]|[一二三四五六七八九十]{1,3}[日号]|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")),
    # "排名第几" wants a rank, not any number
    ("rank", re.compile(r"第几|排名|名次|排第|排在"), re.compile(r"第[一二三四五六七八九十\d]+|前[一二三四五六七八九十\d]+|首位|榜首")),
    ("list", re.compile(r"哪些|条件|包括|要求|流程|步骤|材料|程序|措施|做法|方面|内容"),
     re.compile(r"^[（(]?[一二三四五六七八九十\d]+[、）).．]|：$|包括|如下|下列|以下|应当|须|需")),
    ("who", re.compile(r"谁|哪个|哪家|哪位|哪些单位|什么机构|哪个部门|由谁|牵头|负责"),
     re.compile(r"局|委|会|院|大学|公司|中心|部门|政府|协会|学会|科协")),
    ("name", re.compile(r"叫什么|名称|名字|称为|什么平台|什么品牌|什么奖|哪个平台|什么项目"),
     re.compile(r"“[^”]{2,30}”|《[^》]{2,40}》|「[^」]{2,30}」")),
    # "支持哪些企业" is answered by whom the measure applies to, in words other than the question's
    ("eligible", re.compile(r"哪些企业|什么企业|哪类企业|哪种企业|什么样的企业|哪些单位|什么单位|谁能|谁可以|哪些人|什么人|对象"),
     re.compile(r"适用于|适用范围|对象为|对象是|支持对象|申报对象|面向|注册的|具有独立法人|符合.{0,12}的企业")),
    ("purpose", re.compile(r"目的|为什么|为何|宗旨|初衷|出发点"), re.compile(r"^为了?|旨在|目的|为.{2,40}(?:制定|出台)本")),
    ("define", re.compile(r"是什么|什么是|指什么|含义|定义|何谓"), re.compile(r"是指|指的是|是|称为|简称")),
    # "2026年还能报吗" (wording.asks_availability) is answered by when the measure ends or was last open
    ("validity", wording.AVAILABILITY,
     _VALIDITY_STATED),
    # "有效期几年" / "专家一年得来几天" is answered by a length of time ("有效期三年", "累计不少于15天"), not by a
    # date ("有效期至2024年12月31日"); "近几年" asks no length
    ("duration", re.compile(r"(?<![近这前去最])几年|多少年|多久|多长时间|几个月|多少个月|几天|多少天|几个?工作日|多少个?工作日|几周"),
     re.compile(r"(?<![\d月.\-/上下前同当每])(?:\d{1,3}|[一二三四五六七八九十两半百]+)\s*"
                r"(?:年(?!度|[\d一二三四五六七八九十]{1,2}月)|个月|个?工作日|天|日|周)")),
    # "要多少分才算过" is answered by the threshold ("70分以上…方可"), not by the full mark
    ("threshold", re.compile(r"才算|才能(?:通过|过|达标|合格|入库|认定|评上|拿到)|及格|合格线|分数线|门槛|起码|最低要|至少要|达标"),
     re.compile(r"以上|不低于|不少于|达到|至少|方可|超过|及以上")),
    # "科创贷用途有限制吗" is answered by what it may not be used for
    ("restriction", re.compile(r"限制|能不能用|可以用于|能用于|用途|用在哪|能用来|可以用来|不能用|禁止"),
     re.compile(r"不得|不能|禁止|严禁|仅限|限于|仅用于|专款专用|不予")),
]
_ENUMERATOR = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]{1,3}[）)．.、]\s*)+")
_REQUIRED_CUES = {"number": 0.6, "date": 0.5, "day": 0.5, "rank": 0.5, "name": 0.85, "duration": 0.5, "validity": 0.6}
# cues a sentence without them ranks lower for, though it still shows the question is answered ("满分100分" for
# "要多少分才算达标": the threshold sentence after it may not repeat the thing asked about)
_RANKING_CUES = {"threshold": 0.7}


# Lines that are never an answer: metadata and contact lines, keyword lists, a record's title line.
_FILLER = re.compile(r"^\s*(?:第[一二三四五六七八九十\d]+条\s*)?(?:关键词|关键字|主题词|咨询电话|咨询方式|联系电话|联系方式|联系人|电话|传真|邮箱|电子邮箱|网址|网站|"
                     r"责任编辑|責任編輯|编辑|編輯|来源文件|条款|发布机构|政策层级|来源|來源|发布日期|印发日期|成文日期|发文机关|发文字号|文号|适用地区|所属地区|"
                     r"索引号|主题分类|通讯地址|地址|邮编|邮政编码|日期|有效期[起止]?|文件依据|政策依据|依据文件|摘要说明)\s*[:：]|^\s*【[^】]{1,8}】|^\s*（示例数据）\s*$|"
                     r"^\s*https?://|^\s*(?:第[一二三四五六七八九十\d]+[章节]|[一二三四五六七八九十]+、)[^，。；：:]{0,24}$|"
                     r"^\s*[（(][一二三四五六七八九十]+[)）][^，。；：:\d]{2,10}。?$")


_CONTACT_LINE = re.compile(r"^\s*(?:[^：:]{0,12})(?:咨询电话|咨询方式|联系电话|联系方式|联系人|电话|传真|邮箱|电子邮箱|网址|网站|"
                           r"通讯地址|地址|邮编)\s*[:：]")
# Filler lines that answer the question that asks for them: (the line, the question that asks for it). A phone
# line answers "招生办电话多少", a 文件依据 line "这个办法的依据是什么", a record's 有效期 field "有效期到什么时候";
# for any other question they are metadata in passing.
_ANSWERS_WHEN_ASKED = [
    (_CONTACT_LINE, re.compile(r"电话|联系|邮箱|网址|网站|地址|找谁|热线|传真|咨询方式")),
    (re.compile(r"^\s*(?:文件依据|政策依据|依据文件)\s*[:：]"), re.compile(r"依据|根据什么|哪个文件|什么文件")),
    (re.compile(r"^\s*有效期[起止]?\s*[:：]"), re.compile(r"有效期|施行|生效|到期|失效|过期|起止|管几年|管多久|多久有效|几年有效")),
]


def is_filler(text: str, question: str = "") -> bool:
    """A heading, a keyword list, a phone or web line: retrieved with its passage, never quoted as an answer
    (unless the question asks for that very line: then it is the answer)."""
    if question and any(line.search(text) and asks.search(question) for line, asks in _ANSWERS_WHEN_ASKED):
        return False
    return bool(_FILLER.search(text)) or dates.is_dateline(text)




_COMPARE = re.compile(r"相比|比较|对比|分别|各是|各自|各有|哪个更|谁更")
_ORDINAL = re.compile(r"第[一二三四五六七八九十\d]+[届次批期]|首[届次批期]")


_PROGRAMME = re.compile(r"\d{3,}\s*(?:工程|计划|行动|战略|体系|模式)")
_QUOTED = re.compile(r"[“\"「《]([^”\"」》]{2,24})[”\"」》]")
# question words after which the thing asked about is named just before: "注册资本有什么要求", "排名第几"
# (not yes/no questions: "西安市有没有…专家" asks about what follows)
_ASKED = re.compile(r"多少|多[大高长久远重]|几[个项家名位人次年倍天号月]?|什么|啥|哪|怎么|怎样|如何")
# words allowed between the thing and the question word: "的注册资本具体有多少", "面积最少要多大"
_BETWEEN = frozenset("的 有 是 为 要 能 可 需 需要 应 应当 具体 一般 都 共 一共 总共 最少 最多 最高 最低 至少 大概 大约 约 "
                     "分别 各 各是 按 达到 能得 得 第".split())
_NOMINAL = ("n", "vn", "l", "x", "eng", "s")  # jieba tags: n* (nouns, names, places), verbal nouns, idioms, 处所词 (场地) …


def focus(question: str) -> tuple[list[str], str] | None:
    """The thing a question asks about, named just before its question word ("注册资本有什么要求" → 注册资本,
    "综合排名第几" → 综合排名), with its parts as looser forms (场地面积 → 面积), and the clause it is in; None
    when that is a generic word (条件、标准、比例、规模 …: those are answered in other words), when a verb stands
    between ("文章是谁写的") or for a yes/no question ("西安市有没有…专家")."""
    from assistant import _jieba
    from assistant.synonyms import expansions

    key = search_key(question)
    m = _ASKED.search(key)
    if not m or m.start() == 0:
        return None
    clause = re.split(r"[，,。；;：:、?？!！]", key[:m.start()])[-1]
    after = [w for w, _ in _jieba.pos_cut(re.split(r"[，,。；;：:、?？!！]", key[m.end():])[0]) if w.strip()]
    if after and wording.value_shape(after[0]) is not None:
        return None  # "利息能贴多少比例": the thing asked follows the question word, and is answered by a value
    words = [(w, f) for w, f in _jieba.pos_cut(clause) if w.strip()]
    while words and words[-1][0] in _BETWEEN:
        words.pop()
    run: list[str] = []
    while words and words[-1][1].startswith(_NOMINAL) and len(run) < 2 and (not run or len(words[-1][0]) >= 2):
        run.insert(0, words.pop()[0])
    last = run[-1] if run else ""
    if len(last) < 2 or wording.is_generic(last) or re.search(r"\d", last):
        return None
    # the head of a compound is its end (场地面积 → 面积, 企业所得税 → 所得税); else any part (接待量 → 接待)
    subs = [t for t in _jieba.cut_for_search(last) if len(t) >= 2 and t != last and not wording.is_generic(t)]
    parts = [t for t in subs if last.endswith(t)] or subs
    forms = ["".join(run), last, *parts, *(search_key(x) for x in expansions(last))]
    return list(dict.fromkeys(forms)), clause


def constraints(question: str) -> list[tuple[str, list[str]]]:
    """Hard facts a question pins down — a year, a region, an ordinal (第二届) — each with the forms that
    satisfy it. A sentence that answers a different year or place does not answer the question."""
    key = search_key(question)
    out: list[tuple[str, list[str]]] = []
    if years := dates.years_in(question):
        out.append(("year", years))
    # The places named: a sentence must be about one of them or a place inside one (a sentence about 库尔勒
    # answers a question about 巴州). A comparison (和…相比, 分别, 各) may be answered place by place, so it pins none.
    if not _COMPARE.search(key):
        forms: set[str] = set()
        for mention in regions.find_regions(question):
            if mention.region.path != regions.COUNTRY:
                forms |= regions.region_keys(mention.region)
        if forms:
            out.append(("region", sorted(forms, key=lambda f: (-len(f), f))))
    if (f := focus(question)) is not None:
        forms, clause = f
        out.append(("focus", forms))
        # the owner of the thing asked about, when quoted ("“科普天津云”平台的注册用户"): a sentence about
        # another platform's users does not answer
        for name in dict.fromkeys(_QUOTED.findall(clause)):
            out.append(("name", [search_key(name)]))
    for modifier, word in _aspects(key):
        out.append(("aspect", [modifier, word]))
    # a programme the question names by its number ("1355工程", "12621工程"): a sentence about another programme
    # ("“春苗计划”共投入资金860万元") does not answer
    for name in dict.fromkeys(_PROGRAMME.findall(key)):
        out.append(("programme", [name.replace(" ", "")]))
    # a support measure the question names ("院士专家工作站", "科小", "科创贷"): a passage that never names it (a
    # 科技服务团 plan for "西安市建院士专家工作站能拿多少") does not answer, whatever else it shares
    if measures := vocab.programs_named(key):  # every one a word of the question may name (质押贷款贴息: both)
        forms = {search_key(a) for canon in measures for a in vocab.program_aliases(canon)}
        out.append(("measure", sorted(forms, key=lambda f: (-len(f), f))))
    for ours, others in wording.contrasts(key):
        # "海外市场占有率" is not answered by the 国内 one, "市级基地" not by the 省级 count
        out.append(("contrast", ["|".join(ours), "|".join(others)]))
    for o in dict.fromkeys(_ORDINAL.findall(key)):
        forms = [o]
        if o.startswith("首"):
            forms.append("第一" + o[1:])
        elif o.startswith("第一"):
            forms.append("首" + o[2:])
        out.append(("ordinal", forms))
    return out


_ASPECT_NOUNS = frozenset("比例 比重 占比 税率 费率 时间 日期 期限 金额 额度 面积 人数".split())


def _aspects(key: str) -> list[tuple[str, str]]:
    """Generic aspect words the question qualifies ("贴息比例" → (贴息, 比例), "申报的时间" → (申报, 时间)): a sentence
    naming the same word with another qualifier ("抽查比例") speaks of something else."""
    from assistant import _jieba

    words = [(w, f) for w, f in _jieba.pos_cut(key) if w.strip()]
    out = []
    for i, (w, _) in enumerate(words):
        if i == 0 or w not in _ASPECT_NOUNS:
            continue
        prev, flag = words[i - 1] if words[i - 1][0] != "的" or i < 2 else words[i - 2]
        if len(prev) >= 2 and flag.startswith(("n", "v")) and not wording.is_generic(prev) and not re.search(r"\d", prev):
            out.append((prev, w))
    return out


def _satisfied(kind: str, forms: list[str], sent_key: str, head: str, ctx: Context, start: int = 0) -> bool:
    if kind == "year" and (titled := dates.years_in(ctx.title)):
        # a document titled with another year is about that year, whatever years its sentences mention
        # ("2024年…办法" says "对2023年…发放的贷款贴息": it does not answer a question about 2023's measure)
        return bool(set(titled) & set(forms))
    if kind == "aspect":
        # "贴息比例" is not answered by a sentence about another 比例 ("抽查比例不低于10%")
        # only a compound with another qualifier contradicts ("抽查比例"); "，比例不低于5%" or "…的比例" may be it
        modifier, word = forms
        if re.search(re.escape(modifier) + "的?" + re.escape(word), sent_key):
            return True
        return not any(i >= 2 and re.fullmatch(r"[\u4e00-\u9fff]{2}", sent_key[i - 2:i]) and sent_key[i - 1] != "的"
                       for i in (m.start() for m in re.finditer(re.escape(word), sent_key)))
    if kind == "contrast":
        ours, others = (tuple(f.split("|")) for f in forms)
        return not wording.rules_out(f"{sent_key} {head}", ours, others)
    if kind == "programme":  # "“12621 工程”" is 12621工程
        sent_key, head = sent_key.replace(" ", ""), head.replace(" ", "")
    if kind == "measure":  # the support measure named, in the sentence, its heading or title, or its document
        return bool(ctx.metadata.get(_NAMES_MEASURE)) or any(f in sent_key or f in head for f in forms)
    if any(f in sent_key for f in forms):
        return True
    if kind == "year" and _covers_year(sent_key, forms):
        return True
    if kind == "ordinal":
        # a passage titled "首次入库奖励" is about the first time throughout (not one titled "首次认定和重新认定")
        return any(f in head for f in forms) and not re.search(r"重新|再次|复核|第二次|续", head)
    if kind == "focus":
        return any(f in head for f in forms)
    if kind in ("name", "programme"):
        if kind == "programme" and any(f in head for f in forms):
            return True
        # named in the sentence just before ("“天府科技云”……。该平台注册用户已突破345万")
        before = search_key(ctx.text[max(0, start - 120):start]).replace(" ", "")
        return any(f in before for f in forms)
    if any(f in head for f in forms):
        return True
    if kind == "year":
        return str(ctx.metadata.get("published", ""))[:4] in forms and ("今年" in sent_key or "本年" in sent_key)
    if kind == "region":
        # the paragraph names the place and this sentence goes on about it ("…米脂县农技站科技特派员韩立正在指导
        # 果农配制防冻剂。秸秆灰、红糖等材料…") — unless the sentence names another place itself
        before = search_key(_paragraph_before(ctx, start))
        if any(f in before for f in forms) and not _other_places(sent_key, forms):
            return True
        if _other_places(sent_key, forms) or _other_places(before, forms):
            return False  # the page may be about the place asked; this paragraph is about another one
    region = search_key(str(ctx.metadata.get("region") or ""))
    return bool(region) and any(f in region or region in f for f in forms)


def _paragraph_before(ctx: Context, start: int, limit: int = 400) -> str:
    """The text of the paragraph up to ``start`` in the passage ``ctx`` (at most ``limit`` characters: its opening
    sentence and what comes just before), with the paragraph's beginning in the passages before when the passage
    starts inside it (``_LEAD``); for a sentence that opens its paragraph, the last sentence of the paragraph before
    (web pages put every sentence on a line of its own)."""
    text = ctx.text
    opening = text.rfind("\n", 0, start) + 1
    paragraph = ""
    if opening == 0 and (lead := str(ctx.metadata.get(_LEAD) or "")):
        paragraph = lead + text[:start]
    elif text[opening:start].strip():
        paragraph = text[opening:start]
    if paragraph:
        if len(paragraph) <= limit:
            return paragraph
        first = re.split(r"(?<=[。！？!?])", paragraph, maxsplit=1)[0][:limit // 2]
        return first + paragraph[-(limit - len(first)):]  # its opening ("近年来，泰安市…") and what comes just before
    before = text[max(0, start - limit):opening].rstrip()
    return re.split(r"[。！？!?]", before[:-1])[-1] + before[-1:] if before else ""


# a passage's metadata, in the answerer only: the beginning of the paragraph it starts in; whether its document
# names the support measure the question names (in a retrieved passage or a title)
_LEAD, _NAMES_MEASURE = "paragraph_lead", "names_measure"


def _with_leads(contexts: list[Context]) -> list[Context]:
    """Passages that start inside a paragraph whose beginning is in another retrieved passage of the same document
    (a long paragraph cut in two: "近年来，广州市高度重视科普…" | "…现有国家科普教育基地25家"), with that beginning
    (``_LEAD``), so that what the paragraph said before holds for the sentences of the later passage."""
    leads: dict[int, str] = {}
    for i in sorted(range(len(contexts)), key=lambda i: contexts[i].start):  # earlier passages first: leads chain
        c = contexts[i]
        for j, o in enumerate(contexts):
            if j != i and o.source == c.source and o.start < c.start <= o.end and len(o.text) == o.end - o.start:
                before = o.text[:c.start - o.start]
                if before and not before.endswith("\n"):
                    cut = before.rfind("\n")
                    leads[i] = (leads.get(j, "") if cut < 0 else "") + before[cut + 1:]
                break
    return [c.model_copy(update={"metadata": {**c.metadata, _LEAD: leads[i]}}) if leads.get(i) else c
            for i, c in enumerate(contexts)]


def _other_places(text: str, forms: list[str]) -> bool:
    """Whether ``text`` names a place that is neither one of ``forms`` (a place asked and the places inside it)
    nor a place containing one of them (a sentence about 巴州 is not about another place than 库尔勒)."""
    for mention in regions.find_regions(text):
        if mention.region.path == regions.COUNTRY:
            continue
        if not set(forms) & regions.region_keys(mention.region):
            return True
    return False


@dataclass
class _Sent:
    ctx: int
    start: int  # offsets within the context text
    end: int
    text: str
    score: float = 0.0
    coverage: float = 0.0  # share of the question's terms the sentence or its passage's headings state (ranking)
    evidence: float = 0.0  # the same with headings counting half: whether the question is answered at all
    echo: float = 0.0  # the penalty of a support item's restatement of a document also retrieved
    stated: float = 0.0  # the bonus of stating the value asked right after the word asked about: ranks, decides nothing
    # the sentence before, when this one's subject is the person it names ("…总工程师周敏，…。2024年5月，她荣获…"):
    # read, scored and quoted together
    antecedent: _Sent | None = None

    @property
    def said(self) -> str:
        """What the sentence says, with the sentence that names its subject."""
        return self.antecedent.text + self.text if self.antecedent is not None else self.text


def _pairs(musts: list[tuple[str, list[str]]], kind: str) -> list[tuple[str, list[str]]]:
    return [(k, f) for k, f in musts if k == kind]


def _covers_year(sent_key: str, years: list[str]) -> bool:
    """"自2023年1月1日起…" or "2023—2027年" holds for 2025 too."""
    for m in re.finditer(r"(\d{4})\s*年?[^，。；]{0,12}?(?:起|以来|以后|至今)", sent_key):
        if any(int(m.group(1)) <= int(y) for y in years):
            return True
    for m in re.finditer(r"(\d{4})\s*年?\s*[-—–~～至到]\s*(\d{4})", sent_key):
        if any(int(m.group(1)) <= int(y) <= int(m.group(2)) for y in years):
            return True
    return False


def _contradicts(kind: str, ctx: Context, sent_key: str = "", forms: list[str] | None = None, start: int = 0) -> bool:
    """Whether a passage that does not satisfy a year or place constraint is about another year or place (its
    title names other years, the sentence states another year: "2026年度备案截止日期为…" for 2025) rather than
    silent about it (a national measure)."""
    if kind == "year":
        return bool(dates.years_in(ctx.title) or dates.years_in(sent_key))
    if kind == "contrast":
        return True  # it names another alternative
    if kind == "region":
        # by the document's title ("2024年无锡市…指南"), not its region field nor its headings: a compilation of
        # several places' articles has one region field, and its section headings are not always recognised
        if any(m.region.path != regions.COUNTRY for m in regions.find_regions(ctx.title)):
            return True
        # an article of a compilation about another place, or one that names none ("xx市", "我市"): the
        # compilation gathers several places' reports, so an unnamed one is another place's
        if (article := str(ctx.metadata.get("article_region") or "")) and not (
                article != "?" and any(f in search_key(article) or search_key(article) in f for f in forms or [])):
            return True
        # the sentence, or the paragraph it goes on, names another place ("清涧县建成科普e站12个" for 米脂县)
        return bool(forms) and (_other_places(sent_key, forms) or _other_places(
            search_key(_paragraph_before(ctx, start)), forms))
    return False


def _is_title(text: str, ctx: Context) -> bool:
    """The document's title line repeated as a sentence of the passage (a heading line may be an answer:
    "陆为民 天津市科协党组书记、常务副主席")."""
    key = search_key(text).strip(" #。.:：")
    return bool(key) and key == search_key(ctx.title).strip()


def question_types(question: str) -> list[str]:
    """The cues of ``_CUES`` the question asks for, and the kinds of quantity it asks (``quantities.states``)."""
    which = wording.asked_instances(question)
    return ([name for name, q, _ in _CUES if q.search(question)] + wording.asked_quantities(question)
            + ([f"which:{which}"] if which else []))


@dataclass
class _Term:
    """A key term of the question; ``alts`` are the tokens of its synonyms but generic ones (高企 ↔ 高新、技术、
    高新技术企业: not any 企业), or what the passages spell out of an abbreviation."""

    tokens: list[str]
    weight: float
    alts: list[str]
    spelled: bool = False  # the alts are what the passages spell out of an abbreviation
    optional: bool = False  # the asker's own figure or count: a sentence that states it gains, one without it loses nothing


_UNITS = frozenset("年 年度 月 日 号 元 个 项 家 名 位 次 天".split())


def _nouns(text: str) -> set[str]:
    """Nouns of the question (jieba part-of-speech tags n*)."""
    from assistant import _jieba

    return {w for w, f in _jieba.pos_cut(text) if f.startswith("n")}


_ASKS = re.compile(r"多少|几|什么|啥|哪|怎么|怎样|如何|吗|呢|是否|能否|可否|有没有|是不是|要不要|能不能|多[大久长高远]|谁")


def _telling(key: str) -> set[str]:
    """The words of the clauses before the one that asks ("我们去年改了名，多久内要报告？" → 我们、去年、改了、名)."""
    clauses = [c for c in re.split(r"[，,；;。！!]", key) if c.strip()]
    asking = [i for i, c in enumerate(clauses) if _ASKS.search(c)]
    if not asking:
        return set()
    return {t for c in clauses[:asking[-1]] for t in tokenize(c)} - set(tokenize(clauses[asking[-1]]))


def _terms(question: str, known: set[str] | dict | None = None, passages: list[str] | None = None) -> list[_Term]:
    """Key terms with weights: longer tokens say more; a synonym group counts once, matched by any form; a
    term the whole knowledge base never uses (``known`` is its vocabulary) weighs most: the question is
    about something the documents do not cover, unless ``passages`` (their normalized text) spell it out."""
    from assistant.synonyms import groups

    # years as documents write them, and cut off from the next word ("2024年贷了款" is not "年贷")
    key = re.sub(r"(\d{4}年度?)", r"\1 ", dates.normalize_years(search_key(question)))
    # "多少分才算达标" is cut 多少/分才/算: an adverb glued to a unit is not a word the documents use (人才、成都 are)
    toks = [t[0] if len(t) == 2 and t[1] in "才就都也还又再" and t[0] in "分元年月天个次家项万名位"
            and t not in (known or ()) else t for t in tokenize(key) if t not in _UNITS]
    # "公示期是多少天" is cut 公示/期是: a copula glued to the suffix before it belongs to neither word
    toks = [t[0] if len(t) == 2 and t[1] in "是为" and t[0] in "期费率额数量值类级" and t not in (known or ()) else t
            for t in toks]
    # "几月份能报", "啥时候要交": a modal verb glued to the verb after it ("能报") is that verb
    toks = [t[1] if len(t) == 2 and t[0] in "能要可会想该得" and t not in (known or ()) else t for t in toks]
    # a fee the tokenizer cut in two ("评审费" → 评审、费) is one thing the passages may never mention
    if "费" in toks:
        toks += [m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2}费(?!用)", key)
                 if m.group(0)[:2] in toks and m.group(0) not in toks]
    # asking words ("什么时候", "还有没有机会", "几月份", "哪几种") and the pieces the tokenizer cut them into
    # ("差不多" → "不多") are not what a sentence must contain to answer
    asking = [t for t in toks if wording.is_asking_word(t) or re.match(r"几|哪|多少|多[长久大高远]", t)]
    weight = {t: 1.0 + 0.5 * min(len(t), 4) if len(t) > 1 else 0.5 for t in toks
              if t not in asking and not any(t in a for a in asking)}
    # search-mode sub-tokens of a longer token ("高新技术企业" → "高新", "技术") weigh less on their own
    for t in list(weight):
        if any(t != u and t in u for u in weight):
            weight[t] *= 0.5
        if wording.is_generic(t):
            weight[t] *= 0.5  # 政策、条件、标准: every measure has them; a sentence that lacks the word may still answer
    # the asker's own figures and counting phrases ("营收三千万", "180人", "三大块") and the pieces the tokenizer
    # cut them into: the sentence that answers states the rule, not the asker's number
    counting = [t for t in weight if wording.is_counting(t) and not wording.names_by_number(t, key)]
    optional = {t for t in weight if t in counting or any(t in c for c in counting)}
    if wording.asks_availability(question):  # "2026年还能报吗" is answered by when it ends, in any year
        optional |= {t for t in weight if re.fullmatch(r"(?:19|20)\d{2}(?:年度?)?", t)}
    # a word the passages never write may be an abbreviation they spell out (清理工 → 清源理工学院)
    keys = passages or []
    spelled: dict[str, list[str]] = {
        t: _spelled_out(t, known or set(), keys) for t in weight
        if not wording.is_generic(t) and not any(t in k for k in keys)}
    nouns = _nouns(key) if known or keys else set()
    if known:
        for t in weight:
            if len(t) >= 2 and t not in known and (t in nouns or t.endswith("费")) and not wording.is_generic(t) \
                    and not spelled.get(t) and not any(t in k for k in keys):  # "青岚" of "青岚市" is known
                weight[t] *= 2.5
    if keys and (telling := _telling(key)):
        # how the asker tells the case before asking ("证书拿到后公司改了名字，需要多长时间内报告"): a word of those
        # clauses that is not a noun and that no retrieved passage writes is not what a sentence must say to answer
        for t in weight:
            if t in telling and t not in nouns and not spelled.get(t) and not any(t in k for k in keys) \
                    and not re.search(r"\d", t):
                weight[t] *= 0.5
    terms: list[_Term] = []
    grouped: set[str] = set()
    for g in groups():
        present = [m for m in g if search_key(m) in key]
        if not present:
            continue
        mine = [t for m in present for t in tokenize(m) if t in weight]
        if not mine:
            continue
        alts = [t for m in g if m not in present for t in tokenize(m) if not wording.is_generic(t)]
        w = max(weight[t] for t in mine)
        if known and any(a in known for a in alts):
            w = max(1.0 + 0.5 * min(len(t), 4) for t in mine)  # the documents say it in other words (科贷 ↔ 科技贷款)
        terms.append(_Term(mine, w, alts))
        grouped.update(mine)
    terms.extend(_Term([t], w, spelled.get(t, []), bool(spelled.get(t)), t in optional)
                 for t, w in weight.items() if t not in grouped)
    return terms


def _spelled_out(abbr: str, known: set[str] | dict, texts: list[str], limit: int = 4) -> list[str]:
    """What an abbreviation stands for in the knowledge base's words or in the retrieved passages and titles,
    the way Chinese abbreviates, by characters of each part in order (营收 → 营业收入, 科贷 → 科技贷款, 南师大 →
    南江师范大, 中原交院 → 中原交通职业技术学院)."""
    if not 2 <= len(abbr) <= 4 or not re.fullmatch(r"[\u4e00-\u9fff]+", abbr):
        return []
    found: set[str] = set()
    if len(abbr) == 2:
        first, second = abbr
        found = {w for w in known if 4 <= len(w) <= 6 and w[0] == first and w[2:].startswith(second)
                 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}
        pattern = re.compile(re.escape(first) + r"[\u4e00-\u9fff]{1,4}?" + re.escape(second) + r"[\u4e00-\u9fff]?")
    else:  # longer abbreviations say more: the parts may be further apart
        pattern = re.compile(re.escape(abbr[0]) + "".join(r"[\u4e00-\u9fff]{0,6}?" + re.escape(c) for c in abbr[1:]))
    for text in texts:  # normalized already
        found.update(m.group(0) for m in pattern.finditer(text) if len(m.group(0)) > len(abbr))
    return sorted(found, key=len)[:limit]


def _sentences(ctx: Context, i: int) -> list[_Sent]:
    text = ctx.text
    out = []
    if ctx.metadata.get("kind") == "record" or "\n" in text and " | " in text:
        spans = []
        pos = 0
        for line in text.split("\n"):
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
    else:
        spans = split_sentences(text)
    for s, e in spans:
        seg = text[s:e]
        stripped = seg.strip()
        if len(stripped) < 4:
            continue
        lead = len(seg) - len(seg.lstrip())
        out.append(_Sent(i, s + lead, s + lead + len(stripped), stripped))
    return out


def _score(sent: _Sent, ctx: Context, head: str, rank: int, terms: list[_Term], qtypes: list[str],
           musts: list[tuple[str, list[str]]]) -> None:
    """``head`` is the normalized title and heading of the sentence's passage."""
    total = sum(t.weight for t in terms if not t.optional) or 1.0
    key = search_key(sent.said)
    got = titled = 0.0
    for term in terms:
        if all(t in key for t in term.tokens) or (term.alts and any(a in key for a in term.alts)):
            got += term.weight
        elif any(t in key for t in term.tokens):
            got += term.weight * 0.5
        elif all(t in head for t in term.tokens) or (term.alts and any(a in head for a in term.alts)):
            # the passage's title or heading says it (高企 ↔ 高新技术企业认定…): true of every sentence under it,
            # so it no longer tells them apart and the sentence that answers the rest of the question wins;
            # as evidence that the question is answered at all, it counts half
            got += term.weight
            titled += term.weight * 0.5
        elif len(term.tokens) == 1 and (shape := wording.value_shape(term.tokens[0])) and shape.search(key) and all(
                m in key or m in head for kind, (m, w) in _pairs(musts, "aspect") if w == term.tokens[0]):
            got += term.weight  # "贴息比例是多少" ← "按利息的60%给予贴息" (but "抽查比例" needs 抽查)
            titled += term.weight * 0.5  # as evidence, a value of the right shape is not the word
    sent.coverage = min(got / total, 1.0)
    factor = 1.0
    for kind, forms in musts:
        if not _satisfied(kind, forms, key, head, ctx, sent.start):
            factor *= 0.3 if kind == "measure" or _contradicts(kind, ctx, key, forms, sent.start) else {
                "focus": 0.6, "aspect": 0.7}.get(kind, 0.5)
    bonus, ranking = 0.0, 1.0
    # "多少" is not answered by an item number, nor by a date ("12月底前报送") unless a date is asked for, nor by
    # the asker's own figure ("12621工程投入多少资金" ← "实施“12621工程”")
    figures = _ENUMERATOR.sub("", sent.said)
    if not {"date", "day", "validity"} & set(qtypes):
        figures = dates.without_dates(figures)
    for term in terms:
        if term.optional:
            for t in term.tokens:
                if re.search(r"\d", t):
                    figures = re.sub(rf"(?<![\d.]){re.escape(t)}(?![\d.])", "", figures)
    for kind in quantities.QUANTITY_KINDS & set(qtypes):
        if not quantities.states(figures, kind):
            factor *= 0.4  # "建了多少个" is not answered without a count, "投了多少钱" without an amount
    asked = " ".join(t for term in terms for t in term.tokens)
    for qtype in qtypes:
        if qtype.startswith("which:") and not wording.names_instance(key, qtype[6:], asked):
            factor *= 0.3  # "合作银行有哪几家" is not answered without a bank's name
    for name, _, want in _CUES:
        if name in qtypes:
            body = figures if name == "number" else sent.said
            if want.search(body):
                bonus += 0.15
            elif name in _REQUIRED_CUES:
                # "how many" is not answered by a sentence without a number, "when" not without a date
                factor *= _REQUIRED_CUES[name]
            elif name in _RANKING_CUES:
                ranking *= _RANKING_CUES[name]
    # "有效期几年" ← "…有效期为三年": the value asked for, stated of the very word asked about
    sent.stated = 0.1 if _states_right_after(key, musts, qtypes) else 0.0
    bonus += sent.stated
    sent.coverage *= factor * ranking
    if "validity" in qtypes and _VALIDITY_STATED.search(key):
        titled = 0.0  # "有效期至2025年6月30日" under the measure's title answers "还能申请吗" in its own words
    sent.evidence = min((got - titled) / total, 1.0) * factor
    length = len(sent.text)
    penalty = 0.1 if length < 10 else (0.1 if length > 220 else 0.0)
    sent.score = sent.coverage + 0.1 * sent.evidence + bonus + 0.12 / (1 + rank) - penalty


_VALUE_CUES = ("number", "date", "day", "duration", "threshold")


def _states_right_after(key: str, musts: list[tuple[str, list[str]]], qtypes: list[str]) -> bool:
    """Whether the sentence states a value of the kind asked within a few characters after the thing the
    question asks about ("有效期为三年", "满分100分", "综合得分在70分以上")."""
    wants = [want for name, _, want in _CUES if name in _VALUE_CUES and name in qtypes]
    forms = [f for kind, fs in musts if kind == "focus" for f in fs if len(f) >= 2]
    return any(want.search(key, m.end(), m.end() + 8) for f in forms for m in re.finditer(re.escape(f), key)
               for want in wants)


def answer_extractive(question: str, contexts: list[Context], *, max_sentences: int = 4,
                      min_coverage: float = 0.4, known: set[str] | dict | None = None,
                      similarity: Callable[[str, list[str]], list[float]] | None = None,
                      dense_weight: float = 0.0,
                      continuation: Callable[[Context], Context | None] | None = None,
                      split: bool = True) -> tuple[str, list[Citation], bool]:
    """Returns (answer text, citations, refused). ``known``: the index vocabulary, if available;
    ``similarity``: the dense model's question–sentence similarities, added to term overlap (weighted by
    ``dense_weight``) so a sentence that answers in other words ("按年度管理" for "有效期多长") is found;
    ``continuation``: the next passage of the same document, read when a list runs past a passage's end;
    ``split``: a question asked of several entities is answered entity by entity."""
    if not contexts:
        return NOT_FOUND, [], True
    if wording.asks_author(question) and (byline := _byline(contexts)):
        return byline
    if split and (subs := per_entity(question)):
        # "泰安和巴州分别引进了多少人才": each entity's question answered on its own, side by side, each briefly
        # (the answer stays as long as one entity's would be)
        each = max(2, max_sentences // len(subs))
        return _side_by_side([(sub, answer_extractive(
            sub, contexts, max_sentences=each, min_coverage=min_coverage, known=known, similarity=similarity,
            dense_weight=dense_weight, continuation=continuation, split=False)) for sub in subs])
    if continuation is not None:
        contexts = [_continued(c, continuation) if runs_on(c.text) else c for c in contexts]
    contexts = _with_leads(contexts)
    passages = [search_key(f"{c.title}\n{c.text}") for c in contexts]
    heads = [search_key(f"{c.title} {c.heading}") for c in contexts]
    terms = _terms(question, known, passages)
    qtypes = question_types(question)
    # a "place" the passages spell out as something else is an abbreviation (云林职院: 云岭林业…, not 云林县)
    abbreviations = {t for term in terms if term.spelled for t in term.tokens}

    def pinned(q: str) -> list[tuple[str, list[str]]]:
        return [m for m in constraints(q) if not (m[0] == "region" and abbreviations & set(m[1]))
                and not (m[0] == "year" and wording.asks_availability(q))]

    musts = pinned(question)
    if measure := next((forms for kind, forms in musts if kind == "measure"), None):
        # "第三条 由外地迁入成都市且称号仍在有效期内的企业…" answers for 专精特新 when its document names it elsewhere
        naming = {c.source for c, text in zip(contexts, passages, strict=True) if any(f in text for f in measure)}
        contexts = [c.model_copy(update={"metadata": {**c.metadata, _NAMES_MEASURE: True}}) if c.source in naming
                    else c for c in contexts]
    parts = _parts(question)
    if parts:  # "获得过什么奖项？什么时候获得的？": a sentence need not have what only one part asks for
        qtypes = [t for t in qtypes if all(t in question_types(p) for p in parts)]
    comparing = bool(_COMPARE.search(search_key(question)))
    if not terms:
        return NOT_FOUND, [], True
    sents: list[_Sent] = []
    sources = {c.source for c in contexts}
    # the document a passage speaks for: a support item speaks for its policy document
    origin = [restated_document(c.text) or c.source for c in contexts]
    every: list[list[_Sent]] = []  # every sentence of each passage, quotable or not (a list's short items)
    for i, ctx in enumerate(contexts):
        head = heads[i]
        # a support item restates its policy document: when the document itself was retrieved, quote the document
        echo = 0.15 if origin[i] != ctx.source and origin[i] in sources else 0.0
        own = _sentences(ctx, i)
        every.append([s for n, s in enumerate(own) if not looks_like_injection(s.text, own[n - 1].text if n else "")])
        for n, s in enumerate(every[-1]):
            if is_filler(s.text, question) or _is_title(s.text, ctx):
                continue  # never quote text that instructs the assistant, nor headings, keywords, phone lines
            # "该平台注册用户已突破345万": the sentence before says which platform, as a heading would
            said = head + " " + search_key(every[-1][n - 1].text) if n and _ANAPHORA.match(s.text) else head
            if n and _PERSONAL.match(s.text) and "\n" not in ctx.text[every[-1][n - 1].end:s.start]:
                s.antecedent = every[-1][n - 1]
            _score(s, ctx, said, i, terms, qtypes, musts)
            s.score -= echo
            s.echo = echo
            sents.append(s)
    if not sents:
        return NOT_FOUND, [], True
    # whether the question is answered is decided on the words (the small embedding model's similarities do
    # not tell a near-miss question from an answered one: measured on the dev sets, both ≈ 0.93) and before
    # restatements give way to their documents
    leading = sorted(sents, key=lambda s: -(s.score + s.echo - s.stated))[:2]
    if all(s.evidence < min_coverage for s in leading):
        return NOT_FOUND, [], True
    if similarity is not None and dense_weight > 0:
        _add_similarity(question, sents, similarity, dense_weight)
    ranked = sorted(sents, key=lambda s: -s.score)
    best = next(s for s in ranked if s.evidence >= min_coverage)  # exists: the check above found one
    ranked = [best] + [s for s in ranked if s is not best]
    chosen: list[_Sent] = [best]
    intro = best.text.endswith(("：", ":"))
    if intro:
        # "……须同时满足下列条件：" — the answer is what follows it in the passage.
        long = bool(_LIST_INTRO.search(best.text))
        # every line of the list, short items too ("（五）未发生重大安全事故。" reads like a heading on its own)
        chosen.extend(_following(best, every[best.ctx], contexts[best.ctx].text,
                                 max_items=16 if long else 10, max_chars=1200 if long else 500))
    limit = max_sentences + (len(chosen) - 1 if intro else 0)
    threshold = max(min_coverage * 0.8, best.score * (0.85 if intro else 0.6))
    for s in ranked[1:]:
        if len(chosen) >= limit:
            break
        if s.score < threshold or s.coverage < min_coverage * 0.6:
            break
        if s.evidence < best.evidence * 0.5 and not (
                s.ctx == best.ctx and 0 <= s.start - best.end < 200 and "\n" not in contexts[s.ctx].text[best.end:s.start]):
            continue  # its passage's title says the question's words, the sentence hardly any (unless it goes on
            # the best sentence's paragraph: "满分100分。…综合得分在70分以上的，方可视为达到要求")
        if s.text.endswith(("：", ":")):
            continue  # an introduction without its list says nothing
        if any(s.ctx == c.ctx and (s.start < c.end and c.start < s.end) for c in chosen):
            continue
        if any(search_key(s.text) == search_key(c.text) for c in chosen):
            continue
        if origin[s.ctx] != origin[best.ctx] and not comparing and (
                s.coverage < 0.9 * best.coverage or s.score < 0.85 * best.score):
            continue  # another document only when the sentence answers by itself (or the question compares)
        chosen.append(s)
    # a question of several parts ("首次认定奖多少钱？重新认定的呢？", "预算多少，截止到什么时候？"): each part is
    # answered by the sentence that best answers it within the question's topic
    for part in parts:
        p_terms = _terms(part, known, passages)
        if not p_terms:
            continue
        p_types = question_types(part)
        # the part's own year, focus and aspects; the places named anywhere in the question hold for every part
        p_musts = pinned(part)
        p_musts += [m for m in musts if m[0] in ("region", "name", "programme") and m[0] not in {k for k, _ in p_musts}]
        pick, top = None, 0.0
        for s in sents:
            t = _Sent(s.ctx, s.start, s.end, s.text, antecedent=s.antecedent)
            _score(t, contexts[s.ctx], heads[s.ctx], s.ctx, p_terms, p_types, p_musts)
            value = t.score + 0.5 * s.score
            if t.evidence >= min_coverage and s.evidence >= min_coverage * 0.5 and value > top:
                pick, top = s, value
        if pick is not None and not any(pick.ctx == c.ctx and pick.start < c.end and c.start < pick.end for c in chosen) \
                and not pick.text.endswith(("：", ":")) and (origin[pick.ctx] == origin[best.ctx] or comparing
                                                            or pick.evidence >= 0.9 * best.evidence):
            chosen.append(pick)
    chosen = _complete_lists(chosen, sents)
    # "她荣获…" is quoted after the sentence that says who she is
    for a in [s.antecedent for s in chosen if s.antecedent is not None]:
        if all((a.ctx, a.start) != (c.ctx, c.start) for c in chosen):
            chosen.append(a)
    whole: list[_Sent] = []
    for x in (_whole_sentence(s, contexts[s.ctx]) for s in chosen):
        if not any(x.ctx == w.ctx and w.start <= x.start and x.end <= w.end for w in whole):
            whole = [w for w in whole if not (w.ctx == x.ctx and x.start <= w.start and w.end <= x.end)] + [x]
    return _compose(whole, contexts)


_ANAPHORA = re.compile(r"^[^，。；]{0,8}?(?:该|其|此|这一|这个|这些|上述|前述|它)")
# a sentence whose subject is the person the sentence before names ("2024年5月，她荣获…", "他牵头组建了…")
_PERSONAL = re.compile(r"^(?:[^，。；,;]{0,12}[，,])?(?:他|她)(?!们)")
_PART_END = re.compile(r"[？?；;。！!]|[，,](?=[^，,？?]*(?:多少|几|什么|哪|怎么|如何|吗|呢|是否))")


def _parts(question: str) -> list[str]:
    """The sub-questions of a question that asks several things, each with its own question word (one part:
    none)."""
    key = search_key(question)
    parts = [p.strip() for p in _PART_END.split(key) if p.strip()]
    asking = [p for p in parts if _ASKED.search(p) or re.search(r"[吗呢]$|是否|能否|有没有", p)]
    return asking if len(asking) >= 2 else []


AUTHOR = "作者："  # the line of an answer that names the author the quote below it gives


def _byline(contexts: list[Context]) -> tuple[str, list[Citation], bool] | None:
    """"那篇报道是谁写的": the author the best passage's page names (read at ingest,
    ``ingest.metadata.find_byline``), quoting the line that names them from the passage that holds it (the
    pipeline adds that passage, ``KnowledgeBase.author_passage``); None when the page names none (a policy)."""
    meta = contexts[0].metadata
    name, start, end = meta.get("author"), meta.get("author_start"), meta.get("author_end")
    holder = next((c for c in contexts if c.chunk_id == meta.get("author_chunk")), None)
    if not name or start is None or end is None or holder is None or not holder.start <= start < end <= holder.end:
        return None
    quote = holder.text[start - holder.start:end - holder.start]
    return f"{AUTHOR}{name}\n{quote}[1]", [cite(holder, quote, start - holder.start, 1)], False


def _add_similarity(question: str, sents: list[_Sent], similarity: Callable[[str, list[str]], list[float]],
                    weight: float, pool: int = 24) -> None:
    """The best-scored sentences gain up to ``weight`` of score by their similarity to the question, scaled
    between the least and the most similar of them (a small quantized model's cosines are compressed). Ranking
    only: coverage, which decides refusals, stays the question's words."""
    top = sorted(sents, key=lambda s: -s.score)[:pool]
    sims = similarity(question, [s.text for s in top])
    lo, hi = min(sims), max(sims)
    for s, sim in zip(top, sims, strict=True):
        gain = weight * (sim - lo) / (hi - lo)
        s.score += gain


_LIST_INTRO = re.compile(r"(?:下列|如下|以下|下述)[^。\n]{0,30}[：:]\s*$")


def runs_on(text: str) -> bool:
    """A passage that introduces a list (下列/如下/以下…：) and ends inside it: its last line is an item, or
    ends with ；/：, so the rest of the list is in the next passage."""
    lines = [ln.strip() for ln in text.strip().split("\n") if ln.strip()]
    if not lines or not any(_LIST_INTRO.search(ln) for ln in lines):
        return False
    last = lines[-1]
    return bool(_ENUMERATOR.match(last) or last.endswith(("；", ";", "：", ":")))


def _continued(ctx: Context, continuation: Callable[[Context], Context | None], rounds: int = 2) -> Context:
    """The passage with the following passages of its document appended (offsets stay those of the document)."""
    for _ in range(rounds):
        nxt = continuation(ctx)
        if nxt is None or nxt.source != ctx.source or nxt.start > ctx.end + 2 or nxt.end <= ctx.end:
            return ctx
        tail = nxt.text[max(0, ctx.end - nxt.start):] if nxt.start <= ctx.end else "\n" + nxt.text
        ctx = ctx.model_copy(update={"text": ctx.text + tail, "end": nxt.end})
        if not runs_on(ctx.text):
            break
    return ctx


def _complete_lists(chosen: list[_Sent], sents: list[_Sent], max_items: int = 12) -> list[_Sent]:
    """Two or more items of one enumerated list answer together: the list comes whole (1. 2. 3. …), so an item
    that shares no word with the question ("2. 职工总数不超过500人…" for "规模有什么限制") is not left out."""
    out = list(chosen)
    for ctx_i in {s.ctx for s in chosen}:
        items = [s for s in chosen if s.ctx == ctx_i and _ENUMERATOR.match(s.text)]
        if len(items) < 2:
            continue
        ordered = sorted((s for s in sents if s.ctx == ctx_i), key=lambda s: s.start)
        at = {s.start: n for n, s in enumerate(ordered)}
        where = [at[s.start] for s in items if s.start in at]
        if len(where) < 2:
            continue
        first, last = min(where), max(where)
        while first > 0 and _ENUMERATOR.match(ordered[first - 1].text):
            first -= 1
        while last + 1 < len(ordered) and _ENUMERATOR.match(ordered[last + 1].text):
            last += 1
        block = ordered[first:last + 1]
        if len(block) <= max_items and all(_ENUMERATOR.match(s.text) for s in block):
            out += [s for s in block if all((s.ctx, s.start) != (o.ctx, o.start) for o in out)]
    return out


def _whole_sentence(s: _Sent, ctx: Context, max_chars: int = 320) -> _Sent:
    """A segment cut at ；or ， inside a sentence, quoted up to its 。: "下列行业…不适用：烟草制造业；住宿和餐饮业；…"
    answers with every part (a line of a list, ended by a line break, stays one line)."""
    text = ctx.text
    start = max(text.rfind(p, 0, s.start) for p in ("。", "！", "？", "\n")) + 1
    ends = [i for i in (text.find(p, s.end - 1) for p in ("。", "！", "？", "\n")) if i >= 0]
    end = min(ends) + 1 if ends else len(text)
    seg = text[start:end]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if not seg or len(seg) > max_chars or (start + lead == s.start and start + lead + len(seg) == s.end):
        return s
    return _Sent(s.ctx, start + lead, start + lead + len(seg), seg, s.score, s.coverage, s.evidence)


def _following(head: _Sent, same_ctx: list[_Sent], text: str, max_items: int = 10,
               max_chars: int = 500) -> list[_Sent]:
    """The sentences after a list introduction, up to the next section or the size limit. Items are the
    list's lines: a line of two sentences ("（六）高新收入。近一年…不低于60%。") is one item, never cut."""
    from assistant.ingest.structure import heading_level

    out: list[_Sent] = []
    items = size = 0
    for s in sorted((s for s in same_ctx if s.start >= head.end), key=lambda s: s.start):
        new_line = "\n" in text[out[-1].end if out else head.end:s.start]
        if new_line and (items >= max_items or size >= max_chars):
            break
        if 0 < heading_level(s.text) <= 3 or s.text.lstrip("#").strip() != s.text:
            break  # the next section
        if is_filler(s.text) and not _ENUMERATOR.match(s.text):
            continue
        out.append(s)
        items += new_line
        size += len(s.text)
    return out


PART_NOT_FOUND = "资料中未找到："  # the line of an answer that says which part of the question was not found


def _side_by_side(answers: list[tuple[str, tuple[str, list[Citation], bool]]]) -> tuple[str, list[Citation], bool]:
    """The answers to one question per entity, one after the other and numbered as one answer (a passage cited
    by two of them keeps one number; the quotes name their entity); an entity not found says so on a line of
    its own (``PART_NOT_FOUND``); refused when none is answered."""
    if all(refused for _, (_, _, refused) in answers):
        return NOT_FOUND, [], True
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    blocks = []
    for sub, (text, cites, refused) in answers:
        if refused:
            blocks.append(PART_NOT_FOUND + sub)
            continue
        renumber = {}
        for c in cites:
            if c.chunk_id not in numbers:
                numbers[c.chunk_id] = len(numbers) + 1
                citations.append(c.model_copy(update={"n": numbers[c.chunk_id]}))
            else:
                kept = citations[numbers[c.chunk_id] - 1]  # numbered in the order they were appended
                if c.quote not in kept.quote:
                    kept.quote += "……" + c.quote
            renumber[c.n] = numbers[c.chunk_id]
        text = re.sub(r"\[(\d+)\]", lambda m, r=renumber: f"[{r.get(int(m.group(1)), int(m.group(1)))}]", text)
        blocks.append(text)
    return "\n".join(blocks), citations, False


def _compose(chosen: list[_Sent], contexts: list[Context]) -> tuple[str, list[Citation], bool]:
    # Keep document order inside a passage; passages in the order they were first chosen.
    order: list[int] = []
    for s in chosen:
        if s.ctx not in order:
            order.append(s.ctx)
    numbers = {ctx: n for n, ctx in enumerate(order, start=1)}
    citations: dict[int, Citation] = {}
    lines = []
    for ctx_i in order:
        ctx = contexts[ctx_i]
        n = numbers[ctx_i]
        run: list[_Sent] = []
        for s in sorted((s for s in chosen if s.ctx == ctx_i), key=lambda s: s.start):
            # Adjacent sentences of one paragraph read as one quote with one marker.
            if run and ctx.text[run[-1].end:s.start].strip(" \t") == "":
                run.append(s)
                continue
            if run:
                lines.append(ctx.text[run[0].start:run[-1].end] + f"[{n}]")
            run = [s]
        if run:
            lines.append(ctx.text[run[0].start:run[-1].end] + f"[{n}]")
        for s in sorted((s for s in chosen if s.ctx == ctx_i), key=lambda s: s.start):
            if n not in citations:
                citations[n] = cite(ctx, s.text, s.start, n)
            else:
                c = citations[n]
                c.quote = c.quote + "……" + s.text
                if c.start is not None:
                    c.end = ctx.start + s.end
    return "\n".join(lines), list(citations.values()), False
