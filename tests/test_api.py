"""The JSON API at /api/v1 and the web app at /, one process (`kechuang serve`), called over real HTTP on
127.0.0.1: every endpoint, its failure statuses with a Chinese message in JSON, server-sent events, the OpenAPI
document, and the password beyond localhost (HTTP Basic on the API, Gradio's login on the app)."""

from __future__ import annotations

import io
import json
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest

from tests._server import serving as _serving
from tests.conftest import CORPORA, make_settings

POLICIES = ["national_high_tech_enterprise.md", "zhenjiang_high_tech_reward.md", "bazhou_science_tech_commissioner.md"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, embed_cache):
    """One index of the sample records and three policies, copied for each server (ingesting once)."""
    from assistant.knowledge_base import KnowledgeBase

    data = tmp_path_factory.mktemp("api-index") / "data"
    kb = KnowledgeBase(make_settings(data, embed_cache))
    report = kb.ingest([CORPORA / "records", *(CORPORA / "policies" / p for p in POLICIES)])
    assert not report.failed, report.as_dict()
    kb.close()
    return data


def _settings(tmp_path_factory, embed_cache, ingested, **kw):
    data = tmp_path_factory.mktemp("api") / "data"
    shutil.copytree(ingested, data)
    return make_settings(data, embed_cache, ingest={"max_file_mb": 1}, **kw)


@pytest.fixture(scope="module")
def url(tmp_path_factory, embed_cache, ingested) -> Iterator[str]:
    with _serving(_settings(tmp_path_factory, embed_cache, ingested)) as base:
        yield base


@pytest.fixture(scope="module")
def client(url) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url + "/api/v1", timeout=120) as c:
        yield c


def _error(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert body["error"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]), body
    return body["error"]


def test_health_openapi_docs_and_the_app_on_one_port(client, url):
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/openapi.json").json()
    assert {"/ask", "/search", "/support", "/needs/draft", "/reports", "/documents", "/documents/{name}", "/feedback",
            "/health"} <= set(spec["paths"])
    assert "question" in json.dumps(spec["components"]["schemas"]["AskRequest"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/openapi.json" in docs.text
    app = httpx.get(url + "/", timeout=60)
    assert app.status_code == 200 and "gradio" in app.text.lower()


def test_ask_answers_with_citations_and_refuses_bad_questions(client):
    r = client.post("/ask", json={"question": "高新技术企业认定需要满足哪些条件？"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["refused"] and body["citations"] and body["citations"][0]["source"]
    assert set(body) >= {"question", "answer", "refused", "mode", "citations", "standalone_question", "contexts"}
    assert "不能为空" in _error(client.post("/ask", json={"question": "   "}), 400)
    assert "过长" in _error(client.post("/ask", json={"question": "高企" * 1001}), 400)
    _error(client.post("/ask", json={"history": []}), 400)  # no question at all
    _error(client.post("/ask", content=b"{not json", headers={"content-type": "application/json"}), 400)
    # a follow-up with its history is answered about the conversation's topic
    history = [{"role": "user", "content": "高新技术企业认定需要满足哪些条件？"}, {"role": "assistant", "content": body["answer"]}]
    follow = client.post("/ask", json={"question": "有效期几年", "history": history}).json()
    assert "高" in follow["standalone_question"]


def test_ask_streams_server_sent_events_ending_with_the_answer(client):
    question = {"question": "高新技术企业认定需要满足哪些条件？"}
    with client.stream("POST", "/ask", json={**question, "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = [block for block in r.read().decode("utf-8").split("\n\n") if block.strip()]
    kinds = [e.split("\n")[0].removeprefix("event: ") for e in events]
    assert kinds[-1] == "answer" and kinds.count("delta") >= 2
    deltas = "".join(json.loads(e.split("data: ", 1)[1])["text"] for e in events if e.startswith("event: delta"))
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert deltas == final["answer"] == client.post("/ask", json=question).json()["answer"]


def test_search_returns_the_cli_json(client):
    hits = client.post("/search", json={"query": "科技特派员", "k": 3}).json()  # usecases.hit_json, as the CLI prints
    assert 0 < len(hits) <= 3 and all(set(h) == {
        "source", "chunk_id", "score", "text", "title", "heading", "start", "end", "bm25_score", "dense_score",
        "matched_terms", "type", "region", "published"} for h in hits)
    only = client.post("/search", json={"query": "石油化工", "k": 5, "filters": {"types": ["expert"]}}).json()
    assert only and all(h["type"] == "expert" for h in only)
    _error(client.post("/search", json={"query": ""}), 400)
    _error(client.post("/search", json={"query": "高企", "k": 0}), 400)


def test_support_from_text_or_profile(client):
    report = client.post("/support", json={"text": "我们是镇江市的新材料高企，职工180人，营收8000万元"}).json()
    assert report["measures"] and report["profile"]["region"] == "镇江市"
    by_profile = client.post("/support", json={"profile": {"region": "镇江市", "employees": 180}})
    assert by_profile.status_code == 200, by_profile.text
    assert "企业画像" in _error(client.post("/support", json={}), 400)


def test_need_posting_by_conversation_with_a_session(client):
    first = client.post("/needs/draft", json={"message": "我们是巴州的棉花加工企业，想解决籽棉异性纤维清理不干净的问题，"
                                                         "希望和高校联合攻关"}).json()
    sid = first["session_id"]
    assert sid and first["posting"]["field"] == "纺织服装" and first["question"]
    asked = first["asking"]
    second = client.post("/needs/draft", json={"session_id": sid, "message": "大概80万"}).json()
    assert second["session_id"] == sid
    assert second["posting"]["budget_wan"] == 80 or asked != "budget_wan"
    assert second["question"] != first["question"]  # a question answered is not asked again
    assert "session_id" in _error(client.post("/needs/draft", json={"session_id": "nope", "message": "80万"}), 404)
    _error(client.post("/needs/draft", json={"message": " "}), 400)


def test_reports_as_json_markdown_and_docx(client):
    from docx import Document

    body = {"region": "巴州", "period": "2023"}
    rep = client.post("/reports", json=body).json()
    assert rep["title"] and rep["sections"]
    md = client.post("/reports", json={**body, "format": "markdown"})
    assert md.headers["content-type"].startswith("text/markdown") and rep["title"] in md.text
    doc = client.post("/reports", json={**body, "format": "docx"})
    assert doc.status_code == 200
    assert rep["title"] in "\n".join(p.text for p in Document(io.BytesIO(doc.content)).paragraphs)
    assert "尚未开始" in _error(client.post("/reports", json={**body, "period": "2035"}), 400)
    _error(client.post("/reports", json={**body, "type": "年度计划"}), 400)


def test_documents_upload_list_search_and_delete(client):
    text = "# 某区科技创新券实施细则（测试）\n\n企业使用创新券购买检测服务，按服务费用的50%抵扣，每家企业每年最高20万元。\n"
    up = client.post("/documents", files={"file": ("innovation_voucher.md", text.encode("utf-8"), "text/markdown")})
    assert up.status_code == 200 and up.json()["added"] == 1, up.text
    files = client.get("/documents").json()
    assert any(f["file"] == "innovation_voucher.md" and f["chunks"] >= 1 for f in files)
    hits = client.post("/search", json={"query": "创新券", "k": 3, "mode": "bm25"}).json()  # searchable at once
    assert hits[0]["source"] == "innovation_voucher.md", hits
    assert client.delete("/documents/innovation_voucher.md").status_code == 200
    assert not any(f["file"] == "innovation_voucher.md" for f in client.get("/documents").json())
    _error(client.delete("/documents/innovation_voucher.md"), 404)
    assert "不支持" in _error(client.post("/documents", files={"file": ("tool.exe", b"MZ", "application/octet-stream")}),
                            415)
    big = b"a" * (1024 * 1024 + 10)  # the fixture's limit is 1 MB
    assert "上限" in _error(client.post("/documents", files={"file": ("big.txt", big, "text/plain")}), 413)
    assert not any(f["file"] == "big.txt" for f in client.get("/documents").json())


def test_hit_test_and_a_documents_chunks(client):
    """命中测试 retrieves as the chat does (a follow-up rewritten from the history); a document's chunks come in
    order with offsets and token counts."""
    history = [{"role": "user", "content": "高新技术企业认定需要满足哪些条件？"}, {"role": "assistant", "content": "……"}]
    out = client.post("/hit-test", json={"query": "有效期几年", "history": history}).json()
    assert "高" in out["standalone_question"] and out["passages"][0]["rank"] == 1
    assert {"score", "bm25_score", "dense_score", "matched_terms", "heading"} <= set(out["passages"][0])
    only = client.post("/hit-test", json={"query": "高企认定条件", "filters": {"types": ["policy"]}}).json()
    assert only["filters"] == {"types": ["policy"]} and all(p["type"] == "policy" for p in only["passages"])
    _error(client.post("/hit-test", json={"query": ""}), 400)
    chunks = client.get("/documents/national_high_tech_enterprise.md/chunks").json()
    assert [c["ordinal"] for c in chunks] == list(range(len(chunks))) and len(chunks) > 3
    assert all(c["tokens"] > 0 and c["end"] > c["start"] for c in chunks) and any("申报条件" in c["heading"] for c in chunks)
    _error(client.get("/documents/nothing.md/chunks"), 404)


def test_feedback_is_stored_listed_and_exported(client):
    r = client.post("/feedback", json={"question": "高企有效期几年", "answer": "三年", "rating": -1, "comment": "没说从哪天起算"})
    assert r.status_code == 200 and r.json()["id"] >= 1
    client.post("/feedback", json={"question": "加计扣除比例", "answer": "100%", "rating": 1})
    _error(client.post("/feedback", json={"question": "高企", "answer": "x", "rating": 5}), 400)
    down = client.get("/feedback", params={"rating": -1}).json()
    assert down and all(f["rating"] == -1 for f in down) and down[-1]["comment"] == "没说从哪天起算"
    assert [f["question"] for f in client.get("/feedback", params={"q": "加计"}).json()] == ["加计扣除比例"]
    _error(client.get("/feedback", params={"rating": 3}), 400)
    golden = [json.loads(x) for x in client.get("/feedback/golden").text.splitlines()]
    review = next(c for c in golden if c["question"] == "高企有效期几年")
    assert review["reference_answer"] == "" and "没说从哪天起算" in review["note"] and "needs-review" in review["tags"]
    assert next(c for c in golden if c["question"] == "加计扣除比例")["reference_answer"] == "100%"


def test_a_password_closes_the_api_and_the_app(tmp_path_factory, embed_cache, ingested):
    settings = _settings(tmp_path_factory, embed_cache, ingested, ui={"user": "staff", "password": "s3cret-pass"})
    with _serving(settings) as base, httpx.Client(base_url=base, timeout=120) as c:
        assert c.get("/api/v1/health").status_code == 200  # the one open route
        for method, path, body in [("POST", "/api/v1/ask", {"question": "高企条件"}), ("GET", "/api/v1/documents", None),
                                   ("POST", "/api/v1/search", {"query": "高企"})]:
            r = c.request(method, path, json=body)
            assert "登录" in _error(r, 401) and r.headers["www-authenticate"].startswith("Basic")
            assert c.request(method, path, json=body, auth=("staff", "wrong")).status_code == 401
            assert c.request(method, path, json=body, auth=("staff", "s3cret-pass")).status_code == 200
        assert c.get("/config").status_code in (401, 403)  # Gradio's own routes need its login
        # nothing beyond the login page and health, through any route: API docs, Gradio's API, files, uploads
        for method, path in [("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs"),
                             ("GET", "/api/v1/docs-assets/swagger-ui-bundle.js"), ("GET", "/api/v1/knowledge-bases"),
                             ("GET", "/api/v1/documents/national_high_tech_enterprise.md/chunks"),
                             ("PATCH", "/api/v1/chunks/x"), ("GET", "/api/v1/documents/jobs/x"), ("GET", "/api/v1/me"),
                             ("GET", "/gradio_api/info"), ("GET", "/gradio_api/queue/status"),
                             ("GET", f"/gradio_api/file={settings.data_dir / 'uploads'}/x.md"),
                             ("POST", "/gradio_api/upload"), ("POST", "/gradio_api/queue/join"),
                             ("POST", "/gradio_api/call/ask"), ("GET", "/gradio_api/api/ask")]:
            assert c.request(method, path).status_code in (401, 403, 405), (method, path)
        assert c.get("/api/v1/openapi.json", auth=("staff", "s3cret-pass")).json()["info"]["title"] == "科创助手 API"
        docs = c.get("/api/v1/docs", auth=("staff", "s3cret-pass"))
        assert docs.status_code == 200 and "/api/v1/docs-assets/swagger-ui-bundle.js" in docs.text
        assert "cdn" not in docs.text.lower()  # offline: the page's scripts come from this server
        js = c.get("/api/v1/docs-assets/swagger-ui-bundle.js", auth=("staff", "s3cret-pass"))
        assert js.status_code == 200 and len(js.content) > 100_000
        assert c.post("/login", data={"username": "staff", "password": "wrong"}).status_code >= 400
        assert c.get("/config").status_code in (401, 403)
        assert c.post("/login", data={"username": "staff", "password": "s3cret-pass"}).status_code == 200
        assert c.get("/config").status_code == 200  # the session cookie opens the app
        # the shared password is guessed no faster than an account's: five wrong, then locked, app and API alike
        for _ in range(5):
            _error(c.get("/api/v1/me", auth=("staff", "guess")), 401)
        locked = c.get("/api/v1/me", auth=("staff", "s3cret-pass"))
        assert "锁定" in _error(locked, 429) and int(locked.headers["retry-after"]) > 200
        c.cookies.clear()
        assert c.post("/login", data={"username": "staff", "password": "s3cret-pass"}).status_code >= 400


def test_roles_accounts_and_api_keys(tmp_path_factory, embed_cache, ingested):
    """企业用户 asks, finds support and posts needs; 工作人员 also drafts reports and manages documents; 管理员
    also users and keys. An API key acts as its user; a name is locked after repeated wrong passwords."""
    from assistant.accounts import AccountStore

    settings = _settings(tmp_path_factory, embed_cache, ingested)
    accounts = AccountStore(settings.data_dir / "accounts.sqlite")
    for name, role in (("企业甲", "enterprise"), ("staff1", "staff"), ("root", "admin")):
        accounts.add_user(name, role, f"{name}-pass-123")
    accounts.close()
    with _serving(settings) as base, httpx.Client(base_url=base + "/api/v1", timeout=120) as c:
        def auth(name):
            return (name, f"{name}-pass-123")

        assert c.get("/health").status_code == 200
        _error(c.post("/ask", json={"question": "高企条件"}), 401)  # accounts exist: nothing open but health
        assert c.get("/me", auth=auth("企业甲")).json()["role_label"] == "企业用户"
        assert c.post("/ask", json={"question": "高企条件"}, auth=auth("企业甲")).status_code == 200
        assert c.post("/needs/draft", json={"message": "想找人做番茄酱褐变控制"}, auth=auth("企业甲")).status_code == 200
        for method, path, body in [("POST", "/reports", {"region": "巴州", "period": "2023"}), ("GET", "/documents", None),
                                   ("DELETE", "/documents/x.md", None), ("GET", "/users", None), ("GET", "/feedback", None)]:
            assert "工作人员" in _error(c.request(method, path, json=body, auth=auth("企业甲")), 403) or path == "/users"
        assert c.post("/reports", json={"region": "巴州", "period": "2023"}, auth=auth("staff1")).status_code == 200
        assert c.get("/documents", auth=auth("staff1")).status_code == 200
        assert "管理员" in _error(c.get("/users", auth=auth("staff1")), 403)
        assert {u["name"] for u in c.get("/users", auth=auth("root")).json()} == {"企业甲", "staff1", "root"}
        assert c.post("/users", json={"name": "新人", "role": "staff", "password": "新人的密码123"}, auth=auth("root")).status_code == 200
        _error(c.post("/users", json={"name": "新人", "role": "staff", "password": "新人的密码123"}, auth=auth("root")), 400)
        key = c.post("/keys", json={"user": "企业甲", "label": "平台"}, auth=auth("root")).json()["key"]
        root_key = c.post("/keys", json={"user": "root"}, auth=auth("root")).json()["key"]
        bearer = {"Authorization": f"Bearer {key}"}
        assert c.post("/ask", json={"question": "高企条件"}, headers=bearer).status_code == 200
        _error(c.get("/documents", headers=bearer), 403)  # a key has its user's role
        _error(c.post("/ask", json={"question": "高企条件"}, headers={"Authorization": "Bearer kc_forged"}), 401)
        assert c.delete("/users/企业甲", auth=auth("root")).status_code == 200
        _error(c.post("/ask", json={"question": "高企条件"}, headers=bearer), 401)  # the user's keys went with it
        for _ in range(5):
            _error(c.get("/me", auth=("staff1", "wrong-password")), 401)
        locked = c.get("/me", auth=auth("staff1"))  # even the right password, for a while
        assert "锁定" in _error(locked, 429) and int(locked.headers["retry-after"]) > 200
        assert c.get("/me", headers={"Authorization": f"Bearer {root_key}"}).json()["name"] == "root"
        for _ in range(4):  # two wrong keys above, and a success between: five wrong keys from this address
            _error(c.get("/me", headers={"Authorization": f"Bearer kc_guess{_}"}), 401)
        _error(c.get("/me", headers={"Authorization": "Bearer kc_guess5"}), 401)
        refused = c.get("/me", headers={"Authorization": f"Bearer {root_key}"})
        assert "API 密钥错误次数过多" in _error(refused, 429)  # this client, whatever key it sends now
        assert c.get("/me", auth=auth("root")).status_code == 200  # a password login is counted apart
    with _serving(settings) as base, httpx.Client(base_url=base, timeout=120) as c:
        assert c.get("/config").status_code in (401, 403)
        assert c.post("/login", data={"username": "root", "password": "root-pass-123"}).status_code == 200
        assert c.get("/config").status_code == 200


def test_logging_in_by_role_in_the_browser(tmp_path_factory, embed_cache, ingested):
    """Headless Chromium: the login page first; a 企业用户 sees no 报告起草 or 知识库 tab, a 工作人员 sees both."""
    from playwright.sync_api import sync_playwright

    from assistant.accounts import AccountStore
    from tests._browser import CHROMIUM

    settings = _settings(tmp_path_factory, embed_cache, ingested)
    accounts = AccountStore(settings.data_dir / "accounts.sqlite")
    accounts.add_user("企业甲", "enterprise", "qiye-pass-123")
    accounts.add_user("staff1", "staff", "staff-pass-123")
    accounts.close()
    with _serving(settings) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        tabs = {}
        for user, password in (("企业甲", "qiye-pass-123"), ("staff1", "staff-pass-123")):
            page = browser.new_page()
            page.set_default_timeout(60000)
            page.goto(base + "/")
            page.locator("input[type=password]").wait_for()
            assert page.locator("#kc-input").count() == 0  # nothing of the app before logging in
            page.locator("input").first.fill(user)
            page.locator("input[type=password]").fill(password)
            page.locator("input[type=password]").press("Enter")
            page.wait_for_selector("#kc-input textarea")
            page.get_by_role("tab", name="需求发布").wait_for()
            if user == "staff1":
                page.get_by_role("tab", name="知识库").wait_for()  # shown by the page's load event
            else:
                page.wait_for_timeout(3000)  # time for the same event, which must show nothing here
            tabs[user] = [t.inner_text() for t in page.get_by_role("tab").all()]
            page.close()
        browser.close()
    assert "报告起草" not in tabs["企业甲"] and "知识库" not in tabs["企业甲"] and "智能问答" in tabs["企业甲"]
    assert "报告起草" in tabs["staff1"] and "知识库" in tabs["staff1"]


def test_knowledge_bases_scope_every_read_and_write_by_role(tmp_path_factory, embed_cache, ingested):
    """A 工作人员 creates an internal knowledge base readable by staff only and uploads into it: a 企业用户 does not
    find it by /search, /ask, /hit-test or /documents, may not ask for it by name (403), nor write to the default
    one; a second 工作人员 not named as a writer reads it but may not change it; chunks are edited and disabled
    over HTTP; a background upload reports its files as they finish."""
    from assistant.accounts import AccountStore

    settings = _settings(tmp_path_factory, embed_cache, ingested)
    accounts = AccountStore(settings.data_dir / "accounts.sqlite")
    for name, role in (("qiye", "enterprise"), ("xiaowang", "staff"), ("laoli", "staff"), ("root", "admin")):
        accounts.add_user(name, role, f"{name}-pass-123")
    accounts.close()
    text = "# 内部：人才公寓分配细则（测试）\n\n引进的高层次人才可申请入住人才公寓，租金减半，最长五年。\n"
    with _serving(settings) as base, httpx.Client(base_url=base + "/api/v1", timeout=120) as c:
        def auth(name):
            return (name, f"{name}-pass-123")

        assert [b["id"] for b in c.get("/knowledge-bases", auth=auth("qiye")).json()] == ["default"]
        _error(c.post("/knowledge-bases", json={"name": "内部资料"}, auth=auth("qiye")), 403)
        _error(c.post("/knowledge-bases", json={"name": "  "}, auth=auth("xiaowang")), 400)
        _error(c.post("/knowledge-bases", json={"name": "内部资料", "readers": ["boss"]}, auth=auth("xiaowang")), 400)
        made = c.post("/knowledge-bases", json={"name": "内部资料", "readers": ["staff"], "writers": ["user:xiaowang"]},
                      auth=auth("xiaowang"))
        assert made.status_code == 200, made.text
        kb_id = made.json()["id"]
        _error(c.post("/knowledge-bases", json={"name": "内部资料"}, auth=auth("xiaowang")), 400)  # exists
        up = c.post("/documents", files={"files": ("rencai.md", text.encode("utf-8"), "text/markdown")},
                    data={"knowledge_base": "内部资料"}, auth=auth("xiaowang"))
        assert up.status_code == 200 and up.json()["added"] == 1, up.text
        _error(c.post("/documents", files={"files": ("x.md", text.encode("utf-8"), "text/markdown")},
                      data={"knowledge_base": "内部资料"}, auth=auth("laoli")), 403)
        _error(c.post("/documents", files={"files": ("x.md", b"# t\n\nx", "text/markdown")},
                      data={"knowledge_base": "没有这个库"}, auth=auth("xiaowang")), 404)
        query = {"query": "人才公寓 租金减半", "k": 5}
        assert "rencai.md" in {h["source"] for h in c.post("/search", json=query, auth=auth("laoli")).json()}
        assert "rencai.md" not in {h["source"] for h in c.post("/search", json=query, auth=auth("qiye")).json()}
        only = c.post("/search", json={**query, "filters": {"knowledge_bases": ["内部资料"]}}, auth=auth("root")).json()
        assert {h["source"] for h in only} == {"rencai.md"}
        assert "内部资料" in _error(c.post("/search", json={**query, "filters": {"knowledge_bases": ["内部资料"]}},
                                            auth=auth("qiye")), 403)
        asked = c.post("/ask", json={"question": "人才公寓租金减半吗"}, auth=auth("qiye")).json()
        assert all(x["source"] != "rencai.md" for x in asked["citations"]), asked
        assert any(x["source"] == "rencai.md"
                   for x in c.post("/ask", json={"question": "人才公寓租金减半吗"}, auth=auth("laoli")).json()["citations"])
        rows = {r["file"]: r for r in c.get("/documents", auth=auth("laoli")).json()}
        assert rows["rencai.md"]["kb"] == kb_id and rows["rencai.md"]["title"].startswith("内部：人才公寓")
        assert [r["file"] for r in c.get("/documents", params={"knowledge_base": kb_id}, auth=auth("laoli")).json()] \
            == ["rencai.md"]
        # chunks: read by any reader, changed only by a writer
        chunks = c.get("/documents/rencai.md/chunks", auth=auth("laoli")).json()
        cid = chunks[-1]["chunk_id"]
        _error(c.patch(f"/chunks/{cid}", json={"text": "改写"}, auth=auth("laoli")), 403)
        _error(c.patch(f"/chunks/{cid}", json={}, auth=auth("xiaowang")), 400)
        _error(c.patch(f"/chunks/{cid}", json={"text": "  "}, auth=auth("xiaowang")), 400)
        _error(c.patch("/chunks/nope", json={"disabled": True}, auth=auth("xiaowang")), 404)
        edited = c.patch(f"/chunks/{cid}", json={"text": "引进的高层次人才可申请入住人才公寓，租金全免，最长三年。"},
                         auth=auth("xiaowang")).json()
        assert edited["edited"] and "租金全免" in edited["text"]
        hit = c.post("/search", json={"query": "租金全免", "k": 3, "mode": "bm25"}, auth=auth("xiaowang")).json()
        assert hit and hit[0]["chunk_id"] == cid
        assert c.patch(f"/chunks/{cid}", json={"disabled": True}, auth=auth("xiaowang")).json()["disabled"]
        assert cid not in {h["chunk_id"] for h in
                           c.post("/search", json={"query": "租金全免", "k": 5}, auth=auth("xiaowang")).json()}
        listed = c.get("/documents/rencai.md/chunks", auth=auth("xiaowang")).json()
        assert next(x for x in listed if x["chunk_id"] == cid)["disabled"]
        # a background upload of several files, followed file by file
        files = [("files", (f"notice{i}.md", f"# 通知{i}\n\n第{i}号通知正文，关于科普活动的安排。\n".encode(), "text/markdown"))
                 for i in range(3)]
        started = c.post("/documents", files=files, data={"wait": "false", "knowledge_base": kb_id}, auth=auth("xiaowang"))
        assert started.status_code == 202 and started.json()["total"] == 3, started.text
        job_url = f"/documents/jobs/{started.json()['id']}"
        deadline = time.monotonic() + 120
        while (job := c.get(job_url, auth=auth("xiaowang")).json())["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert job["state"] == "done" and [f["file"] for f in job["files"]] == ["notice0.md", "notice1.md", "notice2.md"]
        assert all(f["status"] == "added" for f in job["files"])
        _error(c.get(job_url, auth=auth("laoli")), 404)  # another user's job
        _error(c.get("/documents/jobs/nope", auth=auth("xiaowang")), 404)
        # rename, delete: writers only; the default base stays
        _error(c.patch(f"/knowledge-bases/{kb_id}", json={"name": "改名"}, auth=auth("laoli")), 403)
        assert c.patch(f"/knowledge-bases/{kb_id}", json={"name": "人才资料"}, auth=auth("xiaowang")).json()["name"] == "人才资料"
        _error(c.delete("/knowledge-bases/default", auth=auth("root")), 400)
        _error(c.delete("/documents/national_high_tech_enterprise.md", auth=auth("qiye")), 403)
        gone = c.delete("/knowledge-bases/人才资料", auth=auth("xiaowang")).json()["removed"]
        assert set(gone) == {"rencai.md", "notice0.md", "notice1.md", "notice2.md"}
        assert [b["id"] for b in c.get("/knowledge-bases", auth=auth("root")).json()] == ["default"]
        _error(c.get("/documents/rencai.md/chunks", auth=auth("xiaowang")), 404)


def test_web_logins_expire_and_end_with_the_account(tmp_path_factory, embed_cache, ingested):
    """A web login lasts ``ui.session_hours``; removing the account ends its sessions at once."""
    from assistant.accounts import AccountStore

    settings = _settings(tmp_path_factory, embed_cache, ingested, ui={"session_hours": 2 / 3600})  # two seconds
    accounts = AccountStore(settings.data_dir / "accounts.sqlite")
    accounts.add_user("staff1", "staff", "staff-pass-123")
    accounts.add_user("staff2", "staff", "staff-pass-456")
    with _serving(settings) as base, httpx.Client(base_url=base, timeout=120) as c, \
            httpx.Client(base_url=base, timeout=120) as other:
        assert c.post("/login", data={"username": "staff1", "password": "staff-pass-123"}).status_code == 200
        assert other.post("/login", data={"username": "staff2", "password": "staff-pass-456"}).status_code == 200
        assert c.get("/config").status_code == 200 and other.get("/config").status_code == 200
        accounts.remove_user("staff2")
        assert other.get("/config").status_code in (401, 403)  # the removed account's browser is logged out
        time.sleep(2.5)
        assert c.get("/config").status_code in (401, 403)  # expired
        assert c.post("/login", data={"username": "staff1", "password": "staff-pass-123"}).status_code == 200
        assert c.get("/config").status_code == 200  # logging in again works
    accounts.close()


def test_session_table_expires_by_age_and_by_user():
    from ui.app import ExpiringSessions

    now = [0.0]
    gone: set[str] = set()
    table = ExpiringSessions(60, alive=lambda name: name not in gone, clock=lambda: now[0])
    table["t1"] = "alice"
    table["t2"] = "bob"
    assert table.get("t1") == "alice" and "t2" in table and table["t2"] == "bob"
    now[0] = 59
    assert table.get("t1") == "alice"
    gone.add("bob")
    assert table.get("t2") is None and "t2" not in table
    now[0] = 61
    assert table.get("t1") is None and "t1" not in table and table.get("nope") is None
    with pytest.raises(KeyError):
        table["t1"]
    table["t3"] = "alice"  # a new login starts a new clock
    assert table.get("t3") == "alice"


def test_localhost_refuses_foreign_hosts_and_cross_site_writes(client, url):
    """DNS rebinding (a foreign Host on 127.0.0.1) and another site's page posting to the open localhost app are
    refused; scripts (no Origin) and the app's own pages (same Origin) pass."""
    port = url.rsplit(":", 1)[1]
    assert "Host" in _error(client.get("/health", headers={"Host": "evil.example"}), 403)
    assert "Host" in _error(client.post("/search", json={"query": "高企"}, headers={"Host": f"evil.example:{port}"}), 403)
    for origin in ("http://evil.example", "null", f"http://127.0.0.1:{int(port) + 1}"):
        assert "跨站" in _error(client.delete("/documents/national_high_tech_enterprise.md",
                                              headers={"Origin": origin}), 403)
    assert any(f["file"] == "national_high_tech_enterprise.md" for f in client.get("/documents").json())
    same = client.post("/search", json={"query": "高企", "k": 1}, headers={"Origin": f"http://127.0.0.1:{port}"})
    assert same.status_code == 200
    assert client.get("/health", headers={"Origin": "http://evil.example"}).status_code == 200  # reads are not writes
    assert client.get("/health", headers={"Host": f"localhost:{port}"}).status_code == 200
    app = httpx.post(url + "/gradio_api/queue/join", json={}, headers={"Origin": "http://evil.example"}, timeout=30)
    assert app.status_code == 403  # the web app's routes too


def test_the_readme_has_a_curl_example_for_every_endpoint(client):
    """Every path of the OpenAPI document appears in a curl line of the README (path parameters as any text)."""
    import re

    from tests.conftest import ROOT

    curls = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines() if "curl" in line]
    for path, methods in client.get("/openapi.json").json()["paths"].items():
        pattern = re.compile(r"\$API" + re.sub(r"\\\{[^}]+\\\}", "[^ /?\"']+", re.escape(path)) + r"(?:[ ?\"']|$)")
        for method in methods:
            found = [c for c in curls if pattern.search(c) and (method == "get" and "-X" not in c and "-F" not in c
                                                                or f"-X {method.upper()}" in c
                                                                or method == "post" and "-F" in c)]
            assert found, f"README has no curl example for {method.upper()} {path}"


def test_a_request_that_runs_past_its_time_gets_504_and_the_server_goes_on(tmp_path_factory, embed_cache, ingested):
    """ui.request_timeout_s: a model that takes 4 s to answer, a 1-second budget. The question gets 504 with a
    message within about a second; a streamed answer (its response starts at once) is not cut; other requests go
    on being answered."""
    from tests.fake_openai import FakeOpenAIServer

    with FakeOpenAIServer() as llm:
        llm.responder = lambda body: (time.sleep(4), "高新技术企业减按15%的税率征收企业所得税[1]。")[1]
        settings = _settings(tmp_path_factory, embed_cache, ingested, ui={"request_timeout_s": 1},
                             llm={"provider": "custom", "base_url": llm.base_url, "model": "fake-model",
                                  "max_retries": 0, "min_term_coverage": 0})
        with _serving(settings) as base, httpx.Client(base_url=base + "/api/v1", timeout=60) as c:
            t0 = time.monotonic()
            slow = c.post("/ask", json={"question": "高新技术企业的税收优惠是什么？"})
            assert "处理超过 1 秒" in _error(slow, 504) and slow.json()["kind"] == "TimeoutError"
            assert time.monotonic() - t0 < 3
            assert c.post("/search", json={"query": "高企", "k": 1}).status_code == 200
            with c.stream("POST", "/ask", json={"question": "高新技术企业的税收优惠是什么？", "stream": True}) as r:
                assert r.status_code == 200
                body = "".join(r.iter_text())
            assert "15%" in body and "处理超过" not in body
