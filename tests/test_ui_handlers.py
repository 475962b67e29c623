"""UI handlers as plain functions, without launching Gradio."""

import json
from pathlib import Path

import pytest

from assistant import usecases
from assistant.errors import ConfigError
from tests.conftest import CORPORA, make_settings
from ui import handlers as H


@pytest.fixture(scope="module")
def svc(tmp_path_factory, embed_cache):
    settings = make_settings(tmp_path_factory.mktemp("ui-h"), embed_cache)
    s = H.Services.create(settings)
    s.kb.ingest([CORPORA / "policies", CORPORA / "records"])
    return s


def test_chat_streams_and_offers_citations(svc):
    session = H.new_session(svc)
    steps = list(H.chat_stream(svc, session, "高新技术企业减按多少税率征收企业所得税", []))
    assert len(steps) >= 2
    history, session, choices = steps[-1]
    assert history[0] == {"role": "user", "content": "高新技术企业减按多少税率征收企业所得税"}
    assert "15%" in history[-1]["content"] and "出处" in history[-1]["content"]
    assert choices and choices[0].startswith("[1]")
    html = H.show_citation(svc, session, choices[0])
    assert "<mark>" in html and "national_high_tech_enterprise.md" in html
    assert "命中检索词" in html


def test_empty_message_and_refusal(svc):
    session = H.new_session(svc)
    *_, (history, _, choices) = H.chat_stream(svc, session, "   ", [])
    assert history == [] and choices == []
    *_, (history, _, choices) = H.chat_stream(svc, session, "火星移民的住房补贴标准", [])
    assert "无法回答" in history[-1]["content"] and "最接近的资料" in history[-1]["content"] and choices == []


def test_feedback_is_stored_and_exported(svc):
    session = H.new_session(svc)
    list(H.chat_stream(svc, session, "研发费用加计扣除比例", []))
    assert "已记录" in H.record_feedback(svc, session, 1, True, "")
    assert "已记录" in H.record_feedback(svc, session, 1, False, "应说明负面清单")
    rows = svc.feedback.all()
    assert rows[-1]["rating"] == -1 and rows[-1]["comment"] == "应说明负面清单" and rows[-1]["fingerprint"]
    path = Path(H.export_feedback(svc))
    cases = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert {"id", "question", "type", "reference_answer", "must_include", "sources", "tags"} <= set(cases[0])
    from assistant.evaluation.golden import load_golden

    assert load_golden(path)  # the draft is a valid golden set
    disliked = [c for c in cases if "needs-review" in c["tags"]]
    # the complaint is no reference answer: a person writes that; the comment and the answer given are a note
    assert disliked and disliked[-1]["reference_answer"] == "" and "应说明负面清单" in disliked[-1]["note"]
    assert "当时的回答：" in disliked[-1]["note"]
    status, rows = H.feedback_rows(svc, -1, "")
    assert "👎" in status and rows and all(r[2] == "👎" for r in rows) and rows[0][5] == "应说明负面清单"
    assert H.feedback_rows(svc, 0, "负面清单")[1] and not H.feedback_rows(svc, 0, "火星")[1]
    only_down = [json.loads(x) for x in Path(H.export_feedback(svc, -1)).read_text(encoding="utf-8").splitlines()]
    assert only_down and all("needs-review" in c["tags"] for c in only_down)


def test_support_form(svc):
    session = H.new_session(svc)
    html, session = H.find_support(svc, session, "镇江市", "新材料", ["高新技术企业"], 180, 8000, 0, 400, None, 2016)
    assert "高新技术企业减按15%税率征收企业所得税" in html and "kc-ok" in html
    assert session.conversation.profile.region == "镇江市"  # kept for follow-ups in chat
    html, _ = H.find_support(svc, session, "镇江市", None, [], -5, None, None, None, None, None)
    assert "输入有误" in html and "Traceback" not in html


def test_need_chat_and_download(svc):
    session = H.new_session(svc)
    history, session, posting, rows, path = H.need_chat(
        svc, session, "想解决光伏组件清洗机器人在沙尘环境下效率低的问题", [])
    assert "kc-missing" in posting  # required fields still missing are highlighted
    need = session.conversation.need
    assert history[-1]["content"].endswith(need.question(need.pending))  # what it understood, then one question
    assert "根据描述推断" in history[-1]["content"]  # 新能源 was inferred: shown for confirmation
    assert rows and all(len(r) == len(usecases.MATCH_HEADERS) for r in rows)
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    assert data["posting"]["field"] == "新能源" and data["posting"]["budget_wan"] is None


def test_report_files(svc):
    session = H.new_session(svc)
    md, docx_path, md_path, session, edit, _ = H.make_report(svc, session, "巴州", "2023", "工作总结", "short")
    assert md.startswith("# 巴州2023年") and Path(docx_path).exists() and Path(md_path).exists()
    md, docx_path, _, session, _, _ = H.make_report(svc, session, "巴州", "明年", "工作总结", "short")
    assert md.startswith("⚠️") and docx_path is None


def test_report_revised_by_words_and_exported_as_edited(svc):
    import docx

    session = H.new_session(svc)
    H.make_report(svc, session, "巴州", "2023", "工作总结", "short")
    md, docx_path, _, session, edit, status = H.revise_report(svc, session, "去掉存在问题")
    assert "存在问题" not in md and status.startswith("已去掉") and Path(docx_path).exists()
    md, _, _, session, _, status = H.revise_report(svc, session, "写成一首诗")
    assert status.startswith("⚠️") and "可以这样修改" in status and "下一步计划" in md  # the draft is kept
    edited = edit.replace("## 一、总体情况", "## 一、总体情况（已人工核对）")
    docx_path, md_path, status = H.export_edited_report(svc, session, edited)
    text = "\n".join(p.text for p in docx.Document(docx_path).paragraphs)
    assert "一、总体情况（已人工核对）" in text and Path(md_path).read_text(encoding="utf-8") == edited.strip()
    assert H.export_edited_report(svc, session, "")[0] is None


def test_upload_limits_and_path_traversal(svc, tmp_path):
    import dataclasses

    svc = dataclasses.replace(svc, settings=svc.settings.model_copy(update={
        "ingest": svc.settings.ingest.model_copy(update={"max_file_mb": 0.01})}))
    assert H.safe_upload_name("../../etc/passwd.txt") == "passwd.txt"
    assert H.safe_upload_name("..\\..\\x.md") == "x.md"
    assert not H.safe_upload_name(".bashrc").startswith(".")
    big = tmp_path / "big.txt"
    big.write_text("科技" * 20000, encoding="utf-8")
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    ok = tmp_path / "ok.md"
    ok.write_text("# 某县科普活动通知\n\n发布日期：2025-01-01\n\n第一条 每年举办科普活动不少于12场。\n", encoding="utf-8")
    sneaky = tmp_path / "..evil.md"
    sneaky.write_text("# 标题\n\n内容正文，足够长的一段文字。\n", encoding="utf-8")
    status, table, stats = H.upload_files(svc, [str(big), str(exe), str(ok), str(sneaky)])
    assert "big.txt：超过大小上限" in status and "run.exe：不支持的文件类型" in status
    assert "ok.md：新增" in status
    assert all(p.parent == svc.upload_dir for p in svc.upload_dir.iterdir())
    assert not (svc.upload_dir.parent / "evil.md").exists()
    row = next(r for r in table if r[1] == "ok.md")  # listed by title, then file, base, type, place, date
    assert row[0] == "某县科普活动通知" and row[2] == "默认知识库" and row[5] == "2025-01-01" and "份文档" in stats
    status, table, _ = H.delete_source(svc, "ok.md")
    assert "已删除" in status and not any(r[1] == "ok.md" for r in table)
    assert "⚠️" in H.delete_source(svc, "no-such-file.md")[0]


def test_beyond_localhost_requires_a_password(tmp_path, embed_cache):
    from ui.app import is_loopback, launch

    assert is_loopback("127.0.0.1") and not is_loopback("0.0.0.0")
    with pytest.raises(ConfigError, match="KECHUANG_UI__PASSWORD"):
        launch(make_settings(tmp_path / "d", embed_cache), host="0.0.0.0", port=1, block=False)


def test_password_protects_the_app(tmp_path, embed_cache):
    import urllib.error
    import urllib.request

    from tests._net import free_port
    from ui.app import launch

    port = free_port()
    settings = make_settings(tmp_path / "d", embed_cache, ui={"password": "s3cret-pass"})
    app = launch(settings, host="127.0.0.1", port=port, block=False)
    try:
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=10)
        assert info.value.code == 401
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode("utf-8")
        assert "s3cret-pass" not in page
    finally:
        app.close()


def test_an_upload_shows_how_far_it_is(svc, tmp_path):
    """The web upload's progress names the file being read and, from the second file on, the chunks written so far
    and the time left (the same figures as the CLI's lines); within a file, the chunks embedded so far."""
    shown: list[tuple[float, str]] = []

    def progress(fraction, desc=""):  # what gr.Progress is called with
        shown.append((fraction, desc))

    for i in range(3):
        (tmp_path / f"通知{i}.md").write_text(f"# 第{i}号科普通知\n\n第一条 本年度举办科普活动{i + 10}场。\n" * (i + 1),
                                             encoding="utf-8")
    status, _, _ = H.upload_files(svc, [str(tmp_path / f"通知{i}.md") for i in range(3)], progress=progress)
    assert status.count("新增") == 3, status
    descs = [d for _, d in shown]
    files = [d for d in descs if "已嵌入" not in d]  # each file as it starts
    assert files[0] == "导入 通知0.md（1/3）" and files[-1] == "完成", descs
    assert files[1].startswith("导入 通知1.md（2/3） · 累计") and "约剩" in files[1], descs
    # and each batch of embeddings within a file (one batch each here)
    assert descs[1].startswith("导入 通知0.md（1/3）：已嵌入 1/1 个分块 · 累计 1 个分块"), descs
    # the bar moves within a file (it stood at 0 until the first file ended) and ends full
    fractions = [f for f, _ in shown]
    assert fractions[0] == 0 and 0 < fractions[1] < 1 and fractions == sorted(fractions) and fractions[-1] == 1.0
    for name in ("通知0.md", "通知1.md", "通知2.md"):
        H.delete_source(svc, name)


def test_the_app_alone_is_guarded_like_serve(tmp_path, embed_cache):
    """`kechuang ui` (``launch``) serves the web app through the same middleware as `kechuang serve`: the
    content-security policy on every response, foreign Host names and cross-site writes refused; no JSON API."""
    import httpx

    from tests._net import free_port
    from ui.app import launch
    from ui.middleware import CSP

    port = free_port()
    app = launch(make_settings(tmp_path / "d", embed_cache), host="127.0.0.1", port=port, block=False)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            page = c.get("/")
            assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
            assert page.headers["x-content-type-options"] == "nosniff"
            assert c.get("/", headers={"Host": "evil.example"}).status_code == 403
            join = c.post("/gradio_api/queue/join", json={}, headers={"Origin": "http://evil.example"})
            assert join.status_code == 403 and "跨站" in join.json()["error"]
            assert c.get("/api/v1/health").status_code == 404  # the API is `kechuang serve`'s
    finally:
        app.close()


def test_need_posting_is_editable_before_download(svc):
    session = H.new_session(svc)
    _, session, _, _, _ = H.need_chat(svc, session, "我们是库尔勒的棉纺厂，想把细纱断头率降到30根以内，预算大概80万", [])
    table = H.posting_table(session.conversation.need)
    labels = [r[0] for r in table]
    assert "预算（万元）" in labels and "所属领域" in labels
    edited = [[label, {"预算（万元）": "一百二十万左右", "截止日期": "明年6月底", "所属领域": "不存在的领域",
                       "联系人及联系方式": "王工 13912345678"}.get(label, value)] for label, value in table]
    session, html, table, message, matches, path = H.edit_need(svc, session, edited)
    p = session.conversation.need.posting
    assert p.budget_wan == 120 and p.deadline is not None and p.contact == "王工 13912345678"
    assert p.field == "纺织服装" and "所属领域“不存在的领域”" in message  # an unreadable value is refused, not stored
    assert "139****5678" in html and "13912345678" not in html  # masked where shown publicly
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    assert data["posting"]["budget_wan"] == 120
    # the same draft JSON as after a chat turn, with the matches recomputed for the edited posting
    _, _, _, _, chat_path = H.need_chat(svc, session, "截止时间不变", [])
    assert set(data) == set(json.loads(Path(chat_path).read_text(encoding="utf-8")))
    assert "budget_wan" in data["changed"] and "field" not in data["changed"]
    assert [m["id"] for m in data["matches"]] == [r[-1] for r in matches]
