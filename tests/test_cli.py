import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()

DOC = "# 某区科技特派员管理办法\n\n发布日期：2024-05-01\n\n第一条 科技特派员每年服务企业不少于3家。\n\n第二条 每人每年补助2万元。\n"


def _env(tmp_path: Path) -> dict:
    return {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(tmp_path / "cache")}


def test_ingest_search_list_stats_remove(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "tepaiyuan.md").write_text(DOC, encoding="utf-8")
    (d / "empty.txt").write_bytes(b"")
    data = str(tmp_path / "idx")
    env = _env(tmp_path)
    r = runner.invoke(app, ["ingest", str(d), "--data-dir", data, "--json"], env=env)
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert rep["added"] == 1 and rep["failed"] == 1
    assert any("空" in e for f in rep["details"] for e in f["errors"])

    r = runner.invoke(app, ["search", "科技特派员补助", "-k", "2", "--data-dir", data, "--json"], env=env)
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)
    assert hits and {"source", "chunk_id", "score", "text"} <= set(hits[0])
    assert hits[0]["source"] == "tepaiyuan.md"

    r = runner.invoke(app, ["search", "科技特派员", "--data-dir", data], env=env)
    assert r.exit_code == 0 and "tepaiyuan.md" in r.stdout

    r = runner.invoke(app, ["kb", "list", "--data-dir", data, "--json"], env=env)
    assert [x["file"] for x in json.loads(r.stdout)] == ["tepaiyuan.md"]
    r = runner.invoke(app, ["kb", "stats", "--data-dir", data, "--json"], env=env)
    assert json.loads(r.stdout)["documents"] == 1
    r = runner.invoke(app, ["kb", "remove", "tepaiyuan.md", "--data-dir", data], env=env)
    assert r.exit_code == 0
    r = runner.invoke(app, ["kb", "remove", "tepaiyuan.md", "--data-dir", data], env=env)
    assert r.exit_code == 1 and "kb list" in r.output and "Traceback" not in r.output


def test_bad_options_give_one_clear_sentence(tmp_path):
    env = _env(tmp_path)
    r = runner.invoke(app, ["search", "x", "--mode", "magic", "--data-dir", str(tmp_path / "i")], env=env)
    assert r.exit_code == 1 and "--mode" in r.output
    r = runner.invoke(app, ["search", "x", "--from", "2024-13-01", "--data-dir", str(tmp_path / "i")], env=env)
    assert r.exit_code == 1 and "YYYY-MM-DD" in r.output


def test_misspelt_nested_setting_is_reported(tmp_path):
    env = {**_env(tmp_path), "KECHUANG_RETRIEVAL__KAY": "3"}
    r = runner.invoke(app, ["kb", "stats", "--data-dir", str(tmp_path / "i")], env=env)
    assert r.exit_code == 1 and "配置有误" in r.output


HOSTILE = ("# 补助[/]细则[bold]与[red]条款 :x: [link=http://evil.example]点我[/link]\n\n发布日期：2024-05-01\n\n"
           "第一条 科技特派员[/]每年补助2万元 :smile:。\n")


def test_document_text_never_breaks_the_terminal(tmp_path):
    """A title or passage with Rich markup ([/], [bold], [link=…]) or emoji codes (:x:) is printed as it is
    written by kb list, search, ask and kb hit-test; nothing crashes, nothing is styled or turned into an emoji."""
    d = tmp_path / "docs"
    d.mkdir()
    (d / "hostile[1].md").write_text(HOSTILE, encoding="utf-8")
    data = str(tmp_path / "idx")
    env = _env(tmp_path)
    assert runner.invoke(app, ["ingest", str(d), "--data-dir", data], env=env).exit_code == 0
    for args in (["kb", "list"], ["search", "科技特派员补助"], ["ask", "科技特派员每年补助多少"],
                 ["kb", "hit-test", "科技特派员补助"], ["kb", "chunks", "hostile[1].md"]):
        r = runner.invoke(app, [*args, "--data-dir", data], env=env)
        assert r.exit_code == 0, (args, r.output)
        out = r.stdout.replace("\n", "")
        assert "[/]" in out and "hostile[1].md" in out, (args, r.stdout)
        assert "❌" not in out and "😄" not in out, (args, r.stdout)


def test_knowledge_bases_and_chunk_corrections_from_the_cli(tmp_path):
    d = tmp_path / "docs"
    d.mkdir()
    (d / "tepaiyuan.md").write_text(DOC, encoding="utf-8")
    (d / "rencai.md").write_text("# 人才公寓管理办法\n\n第一条 引进人才可申请入住人才公寓，租金减半。\n", encoding="utf-8")
    data, env = str(tmp_path / "idx"), _env(tmp_path)

    def run(*args, ok=True, **kw):
        r = runner.invoke(app, [*args, "--data-dir", data], env=env, **kw)
        assert (r.exit_code == 0) == ok, r.output
        assert "Traceback" not in r.output
        return r

    assert "人才政策库" in run("kb", "create", "人才政策库", "--readers", "staff").stdout
    run("kb", "create", "人才政策库", ok=False)  # exists
    run("kb", "create", "x", "--readers", "boss", ok=False)
    run("ingest", str(d / "tepaiyuan.md"))
    run("ingest", str(d / "rencai.md"), "--kb", "人才政策库")
    run("ingest", str(d / "rencai.md"), "--kb", "没有这个库", ok=False)
    bases = json.loads(run("kb", "bases", "--json").stdout)
    talent = next(b for b in bases if b["name"] == "人才政策库")
    assert talent["readers"] == ["staff"] and talent["documents"] == 1
    hits = json.loads(run("search", "人才公寓", "--kb", "default", "--json").stdout)
    assert all(h["source"] != "rencai.md" for h in hits)
    hits = json.loads(run("search", "人才公寓", "--kb", talent["id"], "--json").stdout)
    assert [h["source"] for h in hits] == ["rencai.md"]
    listed = json.loads(run("kb", "list", "--kb", "人才政策库", "--json").stdout)
    assert [r["file"] for r in listed] == ["rencai.md"]
    wide = runner.invoke(app, ["kb", "list", "--data-dir", data], env={**env, "COLUMNS": "200"})
    assert "人才政策库" in wide.stdout and "人才公寓管理办法" in wide.stdout
    chunk = json.loads(run("kb", "chunks", "rencai.md", "--json").stdout)[-1]
    run("kb", "edit-chunk", chunk["chunk_id"], input="第一条 引进人才可申请入住人才公寓，租金全免。\n")
    after = json.loads(run("kb", "chunks", "rencai.md", "--json").stdout)[-1]
    assert after["edited"] and "租金全免" in after["text"]
    run("kb", "edit-chunk", chunk["chunk_id"], "   ", ok=False)
    run("kb", "disable-chunk", chunk["chunk_id"])
    assert "已停用" in run("kb", "chunks", "rencai.md").stdout
    assert all(h["chunk_id"] != chunk["chunk_id"]
               for h in json.loads(run("search", "租金全免", "--json").stdout))
    run("kb", "enable-chunk", chunk["chunk_id"])
    run("kb", "disable-chunk", "no-such-chunk", ok=False)
    assert "人才资料" in run("kb", "rename", "人才政策库", "人才资料").stdout
    run("kb", "access", "人才资料", "--readers", "enterprise", "--readers", "staff")
    assert next(b for b in json.loads(run("kb", "bases", "--json").stdout)
                if b["id"] == talent["id"])["readers"] == ["enterprise", "staff"]
    run("kb", "drop", "人才资料", ok=False, input="n\n")  # asks first; "n" keeps it
    assert len(json.loads(run("kb", "bases", "--json").stdout)) == 2
    run("kb", "drop", "人才资料", "--yes")
    run("kb", "drop", "default", "--yes", ok=False)
    assert [r["file"] for r in json.loads(run("kb", "list", "--json").stdout)] == ["tepaiyuan.md"]


def test_search_and_ask_through_a_running_server_print_the_same_json(tmp_path, embed_cache):
    """`--url` / KECHUANG_URL: the CLI sends search and ask to `kechuang serve` instead of opening the index (issue
    15: scripts calling the CLI in a loop), and prints the JSON it would have printed itself; a server that
    requires a login takes KECHUANG_API_KEY; an unreachable one is a one-line error."""
    from assistant.accounts import AccountStore
    from assistant.knowledge_base import KnowledgeBase
    from tests._net import free_port
    from tests._server import serving
    from tests.conftest import CORPORA, make_settings

    settings = make_settings(tmp_path / "idx", embed_cache)
    kb = KnowledgeBase(settings)
    kb.ingest([CORPORA / "policies" / "national_high_tech_enterprise.md", CORPORA / "records" / "needs.jsonl"])
    kb.close()
    env = {"KECHUANG_EMBEDDING__PROVIDER": "fake", "KECHUANG_CACHE_DIR": str(embed_cache)}
    data = ["--data-dir", str(settings.data_dir)]
    calls = [["search", "高新技术企业认定条件", "-k", "3", "--json"],
             ["search", "科技需求", "--type", "need", "--json"],
             ["ask", "高新技术企业认定需要满足哪些条件？", "--json"],
             ["ask", "火星基地的补贴是多少？", "--json"]]
    here = [json.loads(runner.invoke(app, [*c, *data], env=env).stdout) for c in calls]

    def same(a, b):  # an answer's latency is its own
        strip = (lambda x: {k: v for k, v in x.items() if k != "latency_ms"}) if isinstance(a, dict) else (lambda x: x)
        return strip(a) == strip(b)

    with serving(settings) as base:
        for c, local in zip(calls, here, strict=True):
            r = runner.invoke(app, [*c, "--url", base], env=env)
            assert r.exit_code == 0, r.output
            assert same(json.loads(r.stdout), local), c
        r = runner.invoke(app, ["search", "高新技术企业", "-k", "1"], env={**env, "KECHUANG_URL": base})
        assert r.exit_code == 0 and "national_high_tech_enterprise.md" in r.stdout
        r = runner.invoke(app, ["ask", "高新技术企业认定需要满足哪些条件？"], env={**env, "KECHUANG_URL": base})
        assert r.exit_code == 0 and "出处" in r.stdout, r.output
    accounts = AccountStore(settings.data_dir / "accounts.sqlite")
    accounts.add_user("robot", "enterprise", "robot-pass-123")
    key = accounts.create_key("robot")
    accounts.close()
    with serving(settings) as base:
        r = runner.invoke(app, ["search", "高新技术企业", "--json", "--url", base], env=env)
        assert r.exit_code == 1 and "401" in r.output and "KECHUANG_API_KEY" in r.output
        r = runner.invoke(app, ["search", "高新技术企业", "--json", "--url", base], env={**env, "KECHUANG_API_KEY": key})
        assert r.exit_code == 0 and json.loads(r.stdout)
    r = runner.invoke(app, ["search", "高新技术企业", "--url", f"http://127.0.0.1:{free_port()}"], env=env)
    assert r.exit_code == 1 and "无法连接" in r.output and "kechuang serve" in r.output


def test_ingest_prints_a_line_per_file_when_not_on_a_terminal(tmp_path):
    """A log of `kechuang ingest` (or of `make run`'s first ingest) shows how far it is: files done/total, chunks,
    time spent, rate and time left (issue 15, item 2)."""
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.md").write_text(DOC, encoding="utf-8")
    (d / "b.md").write_text(DOC.replace("科技特派员", "科普基地") * 20, encoding="utf-8")
    r = runner.invoke(app, ["ingest", str(d), "--data-dir", str(tmp_path / "idx")], env=_env(tmp_path))
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if line.startswith("[")]
    assert lines[0].startswith("[1/2] a.md：新增") and "约剩" in lines[0] and "已用" in lines[0], lines
    assert lines[1].startswith("[2/2] b.md：新增") and "约剩" not in lines[1], lines


def test_time_left_is_estimated_from_the_bytes_still_to_read(tmp_path):
    from types import SimpleNamespace

    from assistant.ingest.progress import IngestProgress

    (tmp_path / "small.md").write_bytes(b"x" * 100)
    (tmp_path / "big.pdf").write_bytes(b"x" * 300)
    now = [0.0]
    out: list[str] = []
    p = IngestProgress([tmp_path / "small.md", tmp_path / "big.pdf"], out.append, clock=lambda: now[0])
    p.started("small.md", 0, 2)
    now[0] = 10.0
    p.finished(SimpleNamespace(file="small.md", status="added", chunks=5))
    assert out[-1] == "[1/2] small.md：新增 5 个分块 · 累计 5 个分块 · 已用 0:10 · 0.5 块/秒 · 约剩 0:30"
    p.started("big.pdf", 1, 2)
    now[0] = 45.0
    p.finished(SimpleNamespace(file="big.pdf", status="failed", chunks=0))
    assert out[-1] == "[2/2] big.pdf：失败 · 累计 5 个分块 · 已用 0:45 · 0.1 块/秒"


def test_a_long_file_reports_its_batches_of_embeddings(tmp_path):
    """Within one file progress goes on (issue 15, item 2): after each batch of embeddings the tracker hears how
    far the file is, and a line is printed at most every `interval` seconds, with the time left counted from the
    share of the file's chunks already embedded."""
    from types import SimpleNamespace

    from assistant.ingest.progress import IngestProgress

    (tmp_path / "needs.csv").write_bytes(b"x" * 1000)
    (tmp_path / "after.md").write_bytes(b"x" * 1000)
    now = [0.0]
    out: list[str] = []
    p = IngestProgress([tmp_path / "needs.csv", tmp_path / "after.md"], out.append, clock=lambda: now[0], interval=10)
    p.started("needs.csv", 0, 2)
    for done in (64, 128, 192, 256):
        now[0] += 4.0
        p.batch("needs.csv", done, 512, 6400)
    # at 8 s nothing (interval 10 s), at 12 s one line; at 16 s again nothing
    assert out == ["[1/2] needs.csv：已嵌入 192/512 个分块 · 累计 192 个分块 · 已用 0:12 · 16.0 块/秒 · "
                   "1600 词元/秒 · 约剩 0:52"], out
    now[0] = 40.0
    p.batch("needs.csv", 512, 512, 6400)  # the last batch: the file's own line follows
    p.finished(SimpleNamespace(file="needs.csv", status="added", chunks=512))
    assert len(out) == 2 and out[-1].startswith("[1/2] needs.csv：新增 512 个分块 · 累计 512 个分块 · 已用 0:40")
    assert "800 词元/秒" in out[-1] and "约剩 0:40" in out[-1], out[-1]


def test_ingest_reports_batches_through_the_cli(tmp_path):
    rows = ["id,type,name,title,region,description"] + [
        f"need-{i:03d},need,某企业{i},需求{i},巴州,某企业需要解决第{i}号技术难题，预算{i}万元" for i in range(150)]
    d = tmp_path / "docs"
    d.mkdir()
    (d / "needs.csv").write_text("\n".join(rows), encoding="utf-8")
    from assistant.knowledge_base import KnowledgeBase
    from tests.conftest import make_settings

    kb = KnowledgeBase(make_settings(tmp_path / "idx", tmp_path / "cache"))
    seen: list[tuple] = []
    report = kb.ingest([d], on_batch=lambda *a: seen.append(a))
    assert report.chunks == 150 and [a[1:3] for a in seen] == [(64, 150), (128, 150), (150, 150)], seen
    assert all(a[0] == "needs.csv" and a[3] is None for a in seen)  # fake embeddings count no tokens
    assert kb.search("第7号技术难题", k=1)[0].chunk_id  # BM25 tokens came from the segmenting thread
    kb.close()
