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
