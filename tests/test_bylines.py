"""Issue 12: "那篇报道是谁写的" — a news page names its author the ways Chinese pages do (a name after the dateline,
作者：, 文/, 记者, a name in brackets closing the article), and the assistant answers with it, citing the line; a
page that names no author is not given one, nor an editor's name for its author. Names and pages written here
(fictional)."""

from __future__ import annotations

import pytest

from assistant.chains import Assistant
from assistant.ingest.metadata import find_byline
from tests.conftest import kb_of_files

_BODY = "今年以来，青岚市科协深入推进科技志愿服务，组建科技志愿服务队28支，开展服务活动310场。"

BYLINES: list[tuple[str, dict]] = [
    (f"青岚科协志愿服务走深走实\n2023-05-18 10:20 王晓川\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n2023-05-18 10:20:31  王晓川\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n2023年5月18日 王晓川\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n作者：王晓川\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n作者: 欧阳晓川  来源：青岚日报\n{_BODY}", {"author": "欧阳晓川"}),
    (f"青岚科协志愿服务走深走实\n文/王晓川\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n文／王晓川 图／赵强\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n本报记者 王晓川 通讯员 赵强\n{_BODY}", {"author": "王晓川"}),
    (f"青岚科协志愿服务走深走实\n记者：李娜\n{_BODY}", {"author": "李娜"}),
    (f"青岚科协志愿服务走深走实\n撰稿：李娜\n{_BODY}", {"author": "李娜"}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（记者 李娜）", {"author": "李娜"}),
    (f"青岚科协志愿服务走深走实\n{_BODY}(李娜)\n\n编辑：周敏\n", {"author": "李娜"}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（李娜）", {"author": "李娜"}),
    (f"青岚科协志愿服务走深走实\n發佈時間:2023-05-18\n{_BODY}\n責任編輯:曹琳", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}\n责任编辑：曹琳", {}),
    # no author
    (f"青岚科协志愿服务走深走实\n发布时间：2023-05-18\n来源：青岚日报\n{_BODY}", {}),
    (f"青岚科协志愿服务走深走实\n2022-04-08 14:43:53  来源:青岚网\n{_BODY}", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（完）", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（全文完）", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（待续）", {}),
    ("青岚市科技志愿服务管理办法（试行）\n第一条 为规范科技志愿服务，制定本办法。\n第二条 本办法自发布之日起施行。", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}（巴州）", {}),
    (f"青岚科协志愿服务走深走实\n2023-05-18\n{_BODY}\n（单位：万元）", {}),
    (f"青岚科协志愿服务走深走实\n{_BODY}\n文中数据截至2023年5月。", {}),
]


@pytest.mark.parametrize("text,expected", BYLINES)
def test_the_byline_is_read_the_ways_pages_write_it(text, expected):
    got = find_byline(text)
    assert {k: got[k] for k in ("author",) if k in got} == expected, (text, got)
    for k in expected:  # the line it was read from is the text at the offsets given
        assert expected[k] in text[got[f"{k}_start"]:got[f"{k}_end"]]


_NEWS = """青岚科协：科技志愿服务走进乡村
2023-05-18 10:20 王晓川
今年以来，青岚市科协深入推进科技志愿服务，组建科技志愿服务队28支，开展服务活动310场。
青岚市科协还组织农技专家下乡，培训新型职业农民1200人次。
"""
_REPORT = """川西省科协推进“科创中国”试点建设
2022-04-08 14:43:53  来源:川西日报
2021年以来，川西省科协实施“2468工程”，吸引全国学会和创新团队落地川西新区。
川西省科技工作者创新创业大赛评出决赛项目188个。（陈默）

编辑：穆青
"""
_POLICY = """青岚市科技志愿服务管理办法
第一条 为规范科技志愿服务活动，制定本办法。
第二条 科技志愿服务队应当在市科协登记。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embed_cache):
    kb = kb_of_files(tmp_path_factory.mktemp("bylines"), embed_cache,
                     {"news.txt": _NEWS, "report.txt": _REPORT, "policy.txt": _POLICY})
    yield Assistant(kb.settings, kb=kb)
    kb.close()


@pytest.mark.parametrize("question,name", [
    ("青岚科协科技志愿服务走进乡村那篇文章是谁写的", "王晓川"),
    ("写青岚科技志愿服务那篇报道的作者是谁", "王晓川"),
    ("青岚科协志愿服务的新闻作者叫什么", "王晓川"),
    ("川西省科协实施2468工程那篇报道的作者是谁", "陈默"),
    ("介绍川西科创中国试点建设的文章是谁写的", "陈默"),
    ("川西2468工程那篇稿子谁撰写的", "陈默"),
])
def test_the_author_is_answered_with_the_byline(assistant, question, name):
    a = assistant.ask(question)
    assert not a.refused and name in a.text, a.text
    assert a.citations and name in a.citations[0].quote


@pytest.mark.parametrize("question", [
    # 科技工作者 is not 作者
    "川西省科技工作者创新创业大赛评出了多少个决赛项目",
    "青岚市科协组织农技专家培训了多少人次",
    "青岚市科技志愿服务管理办法是谁写的",
    "科技志愿服务管理办法的作者是谁",
])
def test_no_author_is_given_unasked_or_for_a_page_without_a_byline(assistant, question):
    a = assistant.ask(question)
    assert not any(n in a.text for n in ("王晓川", "陈默", "穆青")), a.text
