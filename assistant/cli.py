"""The ``kechuang`` command line: a thin layer over the library."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.errors import AssistantError
from assistant.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="科创助手：科创中国政策与平台数据的检索助手。")
kb_app = typer.Typer(no_args_is_help=True, help="管理知识库：list / stats / chunks / hit-test / remove / bases / create / "
                                                  "rename / access / drop / edit-chunk / disable-chunk / enable-chunk。")
app.add_typer(kb_app, name="kb")

# Chinese has no spaces to wrap at: the terminal wraps, not Rich. No emoji codes: document text such as ":x:"
# is printed as written (and every piece of document text inside markup goes through `escape`).
console = Console(soft_wrap=True, emoji=False)
err = Console(stderr=True, soft_wrap=True, emoji=False)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="索引所在目录（默认取设置 KECHUANG_DATA_DIR，即 ./data）。")]
JsonOut = Annotated[bool, typer.Option("--json", help="输出 JSON，供脚本使用。")]
KbScope = Annotated[list[str] | None, typer.Option("--kb", help="只在这些知识库中检索（编号或名称，可重复）。")]
ServerUrl = Annotated[str | None, typer.Option("--url", help="交给正在运行的 kechuang serve（如 http://127.0.0.1:7860）"
                                                              "处理，不在本进程打开索引（脚本中反复调用时快得多）；默认取 KECHUANG_URL。")]


def _scope(kb, refs: list[str] | None) -> list[str] | None:
    """The ids of the knowledge bases named on the command line (None: all)."""
    return [kb.base(r)["id"] for r in refs] if refs else None


def _setup_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for name in ("httpx", "chromadb", "jieba", "unstructured", "urllib3", "opentelemetry", "openai"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _settings(data_dir: Path | None) -> Settings:
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: a nested setting is misspelt or invalid
        raise AssistantError(f"配置有误：{exc}") from exc
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _kb(data_dir: Path | None):
    from assistant.knowledge_base import KnowledgeBase

    return KnowledgeBase(_settings(data_dir))


def _fail(exc: Exception) -> None:
    err.print(f"[red]错误：[/red]{exc}")
    raise typer.Exit(1)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或目录（递归）。")],
    base: Annotated[str, typer.Option("--kb", help="导入到哪个知识库（编号或名称；默认知识库）。")] = "default",
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """导入文档（txt/md/html/docx/pdf，扫描件和图片经 OCR，doc/wps/xls/et 经 LibreOffice）和平台记录
    （json/jsonl/csv/xlsx）。"""
    _setup_logging()
    try:
        kb = _kb(data_dir)
        report = _ingest_with_progress(kb, paths, base, quiet=as_json)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        d = report.as_dict()
        console.print(
            f"文件 {d['files']} 个：新增 {d['added']}，更新 {d['updated']}，未变 {d['unchanged']}，"
            f"重复 {d['duplicate']}，部分失败 {d['partial']}，失败 {d['failed']}；写入分块 {d['chunks']} 个。")
        for f in report.files:
            if f.note:
                console.print(f"  [yellow]{escape(f.file)}[/yellow]：{escape(f.note)}")
        for f in report.failed:
            console.print(f"  [red]{escape(f.file)}[/red]（{'部分' if f.status == 'partial' else ''}失败）：")
            for e in f.errors[:20]:
                console.print(f"    - {e}", markup=False)
            if len(f.errors) > 20:
                console.print(f"    … 另有 {len(f.errors) - 20} 条错误")
        if report.not_started:
            shown = "、".join(report.not_started[:10]) + (f" 等 {len(report.not_started)} 个" if len(report.not_started) > 10 else "")
            console.print(f"已停止：{shown} 未导入（已导入的文件保留；再次运行同一命令即可继续）。", markup=False)
    if report.not_started:
        raise typer.Exit(130)
    if report.files and all(f.status == "failed" for f in report.files):
        raise typer.Exit(1)


def _ingest_with_progress(kb, paths: list[Path], base: str = "default", quiet: bool = False):
    """Ingest with a progress bar on a terminal, or one line per file (files done/total, chunks, time spent,
    rate, time left) when the output is a log or a pipe; the first Ctrl+C stops."""
    from assistant.ingest.progress import IngestProgress
    from assistant.knowledge_base import iter_files

    tracker = IngestProgress(iter_files(paths, kb.settings.ingest.extensions),
                             line=lambda text: None if quiet else err.print(text, markup=False, highlight=False))
    with Progress(TextColumn("[bold]导入"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=err, disable=quiet or not err.is_terminal) as bar:
        task = bar.add_task("", total=None)

        def progress(name: str, i: int, n: int) -> None:
            tracker.started(name, i, n)
            bar.update(task, completed=i, total=n, description=name)

        with _first_ctrl_c_stops() as stopping:
            def batch(name: str, done: int, total: int, tokens: int | None) -> None:
                tracker.batch(name, done, total, tokens)
                bar.update(task, description=f"{name}（已嵌入 {done}/{total} 个分块）")

            return kb.ingest(paths, progress=progress, kb=base, stop=stopping.is_set, on_file=tracker.finished,
                             on_batch=batch)


@contextmanager
def _first_ctrl_c_stops():
    """While an ingest runs, the first Ctrl+C stops it (the file being read is abandoned, the files done stay) and
    the summary is printed; a second one interrupts at once."""
    stopping = threading.Event()

    def on_interrupt(_signum, _frame):
        if stopping.is_set():
            raise KeyboardInterrupt
        stopping.set()
        err.print("正在停止导入（再按一次 Ctrl+C 立即退出）…", markup=False)

    if threading.current_thread() is not threading.main_thread():  # signals are the main thread's
        yield stopping
        return
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield stopping
    finally:
        signal.signal(signal.SIGINT, previous)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="查询，例如“高企认定条件”。")],
    k: Annotated[int, typer.Option("-k", help="返回条数。")] = 5,
    type_: Annotated[list[str] | None, typer.Option("--type", help="类型过滤：policy/news/need/expert/achievement/organization/service_team。")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="地区过滤，如 巴州、泰安市。")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="只在这些来源中检索。")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="起始日期 YYYY-MM-DD。")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="截止日期 YYYY-MM-DD。")] = None,
    mode: Annotated[str | None, typer.Option("--mode", help="hybrid（默认）/ bm25 / dense。")] = None,
    bases: KbScope = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    url: ServerUrl = None,
) -> None:
    """混合检索（BM25 + 向量），显示来源、得分和命中的词。"""
    _setup_logging()
    try:
        if mode not in (None, "hybrid", "bm25", "dense"):
            raise AssistantError(f"--mode 只能是 hybrid、bm25 或 dense，收到 {mode!r}。")
        try:
            dates = [date.fromisoformat(d) if d else None for d in (date_from, date_to)]
        except ValueError as exc:
            raise AssistantError("日期格式应为 YYYY-MM-DD。") from exc
        settings = _settings(data_dir)
        if url or settings.url:
            from assistant import remote

            hits = remote.call(url or settings.url, "/search", {
                "query": query, "k": k, "mode": mode,
                "filters": remote.filters(type_, region, source, date_from, date_to, bases)}, _api_key(settings))
        else:
            from assistant.knowledge_base import KnowledgeBase
            from assistant.retrieval import SearchFilters
            from assistant.usecases import hit_json

            kb = KnowledgeBase(settings)
            filters = SearchFilters(types=type_ or None, regions=region or None, sources=source or None,
                                    date_from=dates[0], date_to=dates[1], kbs=_scope(kb, bases))
            hits = [hit_json(c) for c in kb.search(query, k=k, filters=filters, mode=mode)]  # type: ignore[arg-type]
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(hits, ensure_ascii=False, indent=2))
        return
    if not hits:
        console.print("没有找到相关内容。可以换个说法，或用 `kechuang kb list` 查看知识库里有什么。")
        return
    for i, h in enumerate(hits, 1):
        meta = " · ".join(str(x) for x in [h.get("type"), h.get("region"), h.get("published")] if x)
        console.print(f"[bold cyan]\\[{i}][/bold cyan] [bold]{escape(h['title'])}[/bold]  [dim]{escape(h['source'])} · "
                      f"{escape(meta)} · 得分 {h['score']:.4f}[/dim]")
        if h.get("heading"):
            console.print(f"    [dim]章节：{escape(h['heading'])}[/dim]")
        snippet = h["text"].replace("\n", " ")
        console.print(f"    {snippet[:160]}{'…' if len(snippet) > 160 else ''}", markup=False)
        if h.get("matched_terms"):
            console.print(f"    [green]命中：{escape('、'.join(h['matched_terms']))}[/green]")


def _api_key(settings: Settings) -> str | None:
    return settings.api_key.get_secret_value() if settings.api_key else None


@kb_app.command("list")
def kb_list(base: Annotated[str | None, typer.Option("--kb", help="只列这个知识库的文件（编号或名称）。")] = None,
            data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """列出已入库的来源（按标题）：知识库、类别、日期、分块和标记。"""
    _setup_logging()
    try:
        kb = _kb(data_dir)
        only = kb.base(base)["id"] if base else None
        names = {b["id"]: b["name"] for b in kb.bases()}
        rows = [r for r in kb.list_files() if only is None or r["kb"] == only]
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("标题", "文件", "知识库", "分块", "日期", "备注")
    for r in rows:
        marks = [r["note"]] + [f"{n} 个分块{w}" for n, w in ((r["disabled_chunks"], "已停用"), (r["edited_chunks"], "已修改"))
                               if n]
        if r["kind"] == "record":
            marks.insert(0, f"{r['documents']} 条记录")
        table.add_row(escape((r["title"] or r["file"])[:30]), escape(r["file"]), escape(names.get(r["kb"], r["kb"])),
                      str(r["chunks"] or 0), r["published"] or "", escape("；".join(m for m in marks if m)))
    console.print(table)


@kb_app.command("check")
def kb_check(repair: Annotated[bool, typer.Option("--repair", help="修复：补算缺失的向量，删除多余的向量。")] = False,
             data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """检查索引是否一致：每个分块都有向量、没有多余的向量；--repair 修复。"""
    _setup_logging()
    try:
        out = _kb(data_dir).check(repair=repair)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        console.print(f"分块 {out['chunks']} 个，向量 {out['vectors']} 个；缺向量的分块 {out['missing_vectors']} 个，"
                      f"多余的向量 {out['orphan_vectors']} 个，未完成导入的文档 {out['pending']} 个。"
                      + ("已修复。" if out["repaired"] else "" if not (out["missing_vectors"] or out["orphan_vectors"])
                         else "用 kechuang kb check --repair 修复。"))
    if (out["missing_vectors"] or out["orphan_vectors"]) and not out["repaired"]:
        raise typer.Exit(1)


@kb_app.command("bases")
def kb_bases(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """列出知识库：编号、名称、文档数、分块数、谁可检索、谁可修改。"""
    _setup_logging()
    try:
        rows = _kb(data_dir).bases()
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("编号", "名称", "文档/记录", "分块", "可检索", "可修改")
    for b in rows:
        table.add_row(b["id"], escape(b["name"]), str(b["documents"]), str(b["chunks"]), escape("、".join(b["readers"])),
                      escape("、".join(b["writers"])))
    console.print(table)


Principals = Annotated[list[str] | None, typer.Option(help="角色 enterprise / staff，或 user:用户名（可重复）。")]


@kb_app.command("create")
def kb_create(name: Annotated[str, typer.Argument(help="知识库名称，如 人才政策库。")], readers: Principals = None,
              writers: Principals = None, data_dir: DataDir = None) -> None:
    """新建知识库（默认企业用户和工作人员可检索，工作人员可修改；管理员总是可以）。"""
    _setup_logging()
    try:
        kw = {k: v for k, v in (("readers", readers), ("writers", writers)) if v}
        base = _kb(data_dir).create_base(name, **kw)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已创建知识库 {escape(base['name'])}（编号 {base['id']}）。导入：kechuang ingest 文件 --kb {base['id']}")


@kb_app.command("rename")
def kb_rename(base: Annotated[str, typer.Argument(help="编号或名称。")], name: Annotated[str, typer.Argument(help="新名称。")],
              data_dir: DataDir = None) -> None:
    """给知识库改名（编号不变）。"""
    _setup_logging()
    try:
        renamed = _kb(data_dir).rename_base(base, name)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已改名为 {escape(renamed['name'])}（编号 {renamed['id']}）。")


@kb_app.command("access")
def kb_access(base: Annotated[str, typer.Argument(help="编号或名称。")], readers: Principals = None,
              writers: Principals = None, data_dir: DataDir = None) -> None:
    """设定谁可检索（--readers）、谁可修改（--writers）一个知识库；不给的一项不变。"""
    _setup_logging()
    try:
        b = _kb(data_dir).set_base_access(base, readers or None, writers or None)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"{escape(b['name'])}：可检索 {escape('、'.join(b['readers']) or '仅管理员')}；"
                  f"可修改 {escape('、'.join(b['writers']) or '仅管理员')}。")


@kb_app.command("drop")
def kb_drop(base: Annotated[str, typer.Argument(help="编号或名称。")],
            yes: Annotated[bool, typer.Option("--yes", help="不再询问，直接删除。")] = False,
            data_dir: DataDir = None) -> None:
    """删除知识库及其中全部文件（默认知识库不能删除）。"""
    _setup_logging()
    try:
        kb = _kb(data_dir)
        b = kb.base(base)
        if not yes and not typer.confirm(f"删除知识库“{b['name']}”及其中 {b['documents']} 个来源？不可恢复。"):
            raise typer.Exit(1)
        removed = kb.delete_base(b["id"])
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已删除知识库 {escape(b['name'])} 及其中 {len(removed)} 个来源。")


@kb_app.command("edit-chunk")
def kb_edit_chunk(chunk_id: Annotated[str, typer.Argument(help="分块编号（kechuang kb chunks 文件名 --json 中的 chunk_id）。")],
                  text: Annotated[str | None, typer.Argument(help="新的正文；不给则从标准输入读取。")] = None,
                  data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """修改一个分块的正文（如 OCR 错字）：重新计算向量，标记为已修改。"""
    _setup_logging()
    from assistant.usecases import chunk_json

    try:
        body = text if text is not None else sys.stdin.read()
        out = chunk_json(_kb(data_dir).edit_chunk(chunk_id, body))
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console.print(f"已修改分块 #{out['ordinal']}（{escape(out['source'])}），并已重新计算向量。")


def _toggle_chunk(chunk_id: str, disabled: bool, data_dir: Path | None) -> None:
    _setup_logging()
    try:
        c = _kb(data_dir).set_chunk_disabled(chunk_id, disabled)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"分块 #{c.ordinal}（{escape(c.source)}）已{'停用：不再被检索到' if disabled else '启用'}。")


@kb_app.command("disable-chunk")
def kb_disable_chunk(chunk_id: Annotated[str, typer.Argument(help="分块编号。")], data_dir: DataDir = None) -> None:
    """停用一个分块：不再被检索到，仍列在文件的分块中。"""
    _toggle_chunk(chunk_id, True, data_dir)


@kb_app.command("enable-chunk")
def kb_enable_chunk(chunk_id: Annotated[str, typer.Argument(help="分块编号。")], data_dir: DataDir = None) -> None:
    """重新启用一个停用的分块。"""
    _toggle_chunk(chunk_id, False, data_dir)


@kb_app.command("stats")
def kb_stats(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """知识库统计。"""
    _setup_logging()
    try:
        stats = _kb(data_dir).stats()
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    for key, label in [("files", "文件"), ("documents", "文档"), ("records", "记录"), ("duplicates", "重复（未索引）"),
                       ("chunks", "分块"), ("vectors", "向量"), ("collection", "集合"), ("store", "存储"),
                       ("data_dir", "数据目录")]:
        console.print(f"{label}：{stats[key]}")
    from assistant.domain import vocab

    console.print("按类型：" + "，".join(f"{vocab.type_label(k) or k} {v}" for k, v in sorted(stats["by_type"].items())))
    console.print("按地区：" + "，".join(f"{k or '未识别'} {v}" for k, v in sorted(stats["by_region"].items())))


@kb_app.command("chunks")
def kb_chunks(name: Annotated[str, typer.Argument(help="文件名或记录编号。")], data_dir: DataDir = None,
              as_json: JsonOut = False) -> None:
    """一个来源的分块：顺序、章节、位置、词元数和正文。"""
    _setup_logging()
    from assistant.usecases import document_chunks

    try:
        rows = document_chunks(_kb(data_dir), name)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        marks = "".join(f" · {m}" for m, on in (("已停用", r["disabled"]), ("已修改", r["edited"]), ("OCR", r["ocr"])) if on)
        console.print(f"[bold]#{r['ordinal']}[/bold] [dim]{escape(r['source'])} · {escape(r['heading'] or '（无章节）')} · "
                      f"{r['start']}–{r['end']} · {r['tokens']} 词元{marks} · {escape(r['chunk_id'])}[/dim]")
        console.print("    " + r["text"].replace("\n", " ")[:160], markup=False)


@kb_app.command("hit-test")
def kb_hit_test(query: Annotated[str, typer.Argument(help="问题，按对话中的方式检索。")], data_dir: DataDir = None,
                as_json: JsonOut = False) -> None:
    """命中测试：问题检索到哪些段落（与对话相同的检索），BM25、向量与融合得分，命中的词。"""
    _setup_logging()
    from assistant.usecases import hit_test

    try:
        out = hit_test(_assistant(data_dir), query)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for p in out["passages"]:
        console.print(f"[bold cyan]{p['rank']}[/bold cyan] {escape(p['title'])} [dim]{escape(p['source'])} · "
                      f"融合 {p['score']:.4f} · BM25 {p['bm25_score'] or 0:.3f} · 向量 {p['dense_score'] or 0:.3f} · "
                      f"命中 {escape('、'.join(p['matched_terms']) or '—')}[/dim]")
        console.print("    " + p["text"].replace("\n", " ")[:120], markup=False)


@kb_app.command("remove")
def kb_remove(source: Annotated[str, typer.Argument(help="文件名或记录编号。")], data_dir: DataDir = None) -> None:
    """从知识库删除一个来源（文档文件名、记录编号或整个记录文件）。"""
    _setup_logging()
    try:
        removed = _kb(data_dir).remove(source)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已删除 {len(removed)} 个来源：{'、'.join(removed[:10])}{' …' if len(removed) > 10 else ''}", markup=False)


def _assistant(data_dir: Path | None):
    from assistant.chains import Assistant

    return Assistant(_settings(data_dir))


def _print_answer(ans: dict[str, Any]) -> None:
    """An answer's standalone question, refusal or citations, from its JSON (``Answer.public_json``: the same
    whether it was answered here or by a server)."""
    q, standalone = ans["question"].strip(), (ans.get("standalone_question") or "").strip()
    if standalone and standalone != q:
        console.print(f"[dim]结合上文，按“{escape(standalone)}”回答。[/dim]", highlight=False)
    if ans["refused"]:
        console.print(f"[yellow]{escape(ans['answer'])}[/yellow]")
        if ans.get("closest"):
            console.print("[dim]最接近的资料：[/dim]")
            for d in ans["closest"]:
                console.print(f"  · {escape(d['title'])} [dim]({escape(d['source'])})[/dim]")
        return
    if ans["citations"]:
        console.print("\n[dim]出处：[/dim]")
        for c in ans["citations"]:
            where = f"{c['title']}" + (f" · {c['heading']}" if c.get("heading") else "")
            console.print(f"  [cyan]\\[{c['n']}][/cyan] {escape(where)} [dim]({escape(c['source'])})[/dim]")
            console.print(f"      “{c['quote'][:120]}{'…' if len(c['quote']) > 120 else ''}”", markup=False)
    if ans.get("unsupported"):
        console.print(f"[red]注意：{len(ans['unsupported'])} 句没有出处，请核实。[/red]")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题。")],
    type_: Annotated[list[str] | None, typer.Option("--type", help="只在这些类型中检索。")] = None,
    region: Annotated[list[str] | None, typer.Option("--region", help="只在这些地区中检索。")] = None,
    bases: KbScope = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
    stream: Annotated[bool, typer.Option("--stream", help="边生成边输出。")] = False,
    url: ServerUrl = None,
) -> None:
    """提问：回答附带引用；资料中没有的内容不回答。未配置大模型时为离线摘录模式。"""
    _setup_logging()
    try:
        settings = _settings(data_dir)
        if server := url or settings.url:
            from assistant import remote

            ans = remote.call(server, "/ask", {"question": question,
                                               "filters": remote.filters(type_, region, kbs=bases)}, _api_key(settings))
            label = f"{ans.get('mode') or ''}（{server}）"
        else:
            from assistant.chains import Assistant
            from assistant.retrieval import SearchFilters

            assistant = Assistant(settings)
            filters = SearchFilters(types=type_ or None, regions=region or None, kbs=_scope(assistant.kb, bases))
            if stream and not as_json:
                console.print(f"[dim]{assistant.mode_label}[/dim]")
                answer = None
                for piece in assistant.stream(question, filters=filters):
                    if isinstance(piece, str):
                        console.print(piece, end="", markup=False, highlight=False)
                    else:
                        answer = piece
                console.print()
                if answer is not None:
                    _print_answer(answer.public_json())
                return
            ans, label = assistant.ask(question, filters=filters).public_json(), assistant.mode_label
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(ans, ensure_ascii=False, indent=2))
        return
    console.print(f"[dim]{escape(label)}[/dim]")
    if not ans["refused"]:
        console.print(ans["answer"], markup=False, highlight=False)
    _print_answer(ans)


@app.command()
def chat(data_dir: DataDir = None) -> None:
    """多轮对话：提问，或描述企业情况询问适用的支持政策（/new 新对话，/quit 退出）。"""
    _setup_logging()
    from assistant.conversation import Conversation

    try:
        conv = Conversation(_assistant(data_dir))
    except AssistantError as exc:
        _fail(exc)
    console.print(f"科创助手 · {conv.assistant.mode_label}。输入问题，或说“我是……企业，有哪些政策适用于我”。"
                  "/new 新对话，/quit 退出。")
    while True:
        try:
            q = console.input("[bold green]您：[/bold green]").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        if not q:
            continue
        if q in ("/quit", "/exit", "退出"):
            break
        if q == "/new":
            conv.reset()
            console.print("[dim]已开始新对话。[/dim]")
            continue
        try:
            console.print("[bold cyan]助手：[/bold cyan]", end="")
            for piece in conv.stream(q):
                if isinstance(piece, str):
                    console.print(piece, end="", markup=False, highlight=False)
                elif piece.answer is not None:
                    console.print()
                    _print_answer(piece.answer.public_json())
                else:
                    console.print()
        except AssistantError as exc:
            err.print(f"[red]错误：[/red]{exc}")


@app.command()
def support(
    profile: Annotated[Path | None, typer.Option("--profile", help="企业画像 JSON 文件。")] = None,
    text: Annotated[str | None, typer.Option("--text", help="用一句话描述企业，例如“镇江市新材料高企，职工180人”。")] = None,
    all_regions: Annotated[bool, typer.Option("--all-regions", help="也列出其他地区的措施。")] = False,
    docx_out: Annotated[Path | None, typer.Option("--docx", help="同时导出申报清单（DOCX，公文格式）。")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """哪些支持政策适用于我：逐条列出条件是否满足（附出处）、优惠估算、有效期和截止日期。"""
    _setup_logging()
    from assistant.rendering import render_text
    from assistant.usecases import find_support, support_checklist_docx

    try:
        base = _read_profile(profile) if profile is not None else None
        report = find_support(_kb(data_dir), profile=base, text=text, include_other_regions=all_regions)
        if docx_out is not None:
            support_checklist_docx(report, docx_out)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(report.model_dump_json(indent=2))
        return
    # The same checklist as the chat, every measure (the template is plain text: nothing is Rich markup).
    print(render_text("support", report=report, limit=None, offset=0, more_regions_hint="（--all-regions 查看）"))
    if docx_out is not None:
        print(f"\n申报清单已写入 {docx_out}")


def _read_profile(path: Path):
    """An enterprise profile from a JSON file, with the file and field named when it is wrong."""
    from pydantic import ValidationError

    from assistant.support import EnterpriseProfile

    try:
        return EnterpriseProfile.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AssistantError(f"无法读取 {path}：{exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise AssistantError(f"{path} 不是 UTF-8 编码的 JSON 文件。") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":
            raise AssistantError(f"{path} 不是有效的 JSON：{first['msg']}") from exc
        raise AssistantError(f"{path} 字段 {'.'.join(map(str, first['loc']))}：{first['msg']}") from exc


profile_app = typer.Typer(no_args_is_help=True, help="保存的企业画像：save / list / check（含新匹配）/ remove。")
app.add_typer(profile_app, name="profile")


def _profiles(data_dir: Path | None):
    from assistant.profiles import ProfileStore

    return ProfileStore(_settings(data_dir).data_dir / "profiles.sqlite")


@profile_app.command("save")
def profile_save(
    name: Annotated[str, typer.Argument(help="画像名称（如企业名称）；同名则更新。")],
    text: Annotated[str | None, typer.Option("--text", help="用一句话描述企业。")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", "--json", help="企业画像 JSON 文件。")] = None,
    data_dir: DataDir = None,
) -> None:
    """保存企业画像，以后用 `kechuang profile check` 查看新匹配的政策。"""
    from assistant.support import profile_from_text

    try:
        if profile is None and not (text and text.strip()):
            raise AssistantError("请用 --text 描述企业，或用 --json 指定画像文件。")
        base = _read_profile(profile) if profile is not None else None
        p = profile_from_text(text, base) if text and text.strip() else base
        saved = _profiles(data_dir).save(name, p)
    except AssistantError as exc:
        _fail(exc)
    print(f"已保存企业画像“{saved.name}”（编号 {saved.id}）：")
    for label, value in saved.profile.facts():
        print(f"  {label}：{value}")
    for w in saved.profile.warnings():
        print(f"  ⚠️ {w}")


@profile_app.command("list")
def profile_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """列出保存的企业画像及上次检查时间。"""
    rows = _profiles(data_dir).list()
    if as_json:
        print(json.dumps([{"id": r.id, "name": r.name, "updated_at": r.updated_at.isoformat(),
                           "checked_at": r.checked_at.isoformat() if r.checked_at else None,
                           "profile": r.profile.model_dump(mode="json", exclude={"as_of"})} for r in rows],
                         ensure_ascii=False, indent=2))
        return
    if not rows:
        print("还没有保存的企业画像。用 kechuang profile save 名称 --text “…” 保存。")
    for r in rows:
        checked = r.checked_at.strftime("%Y-%m-%d %H:%M") if r.checked_at else "从未检查"
        print(f"{r.id}  {r.name}  （上次检查：{checked}）")


@profile_app.command("check")
def profile_check(
    ref: Annotated[str, typer.Argument(help="画像名称或编号。")],
    docx_out: Annotated[Path | None, typer.Option("--docx", help="同时导出申报清单（DOCX）。")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """按今天的政策重新匹配一个保存的画像，标出上次检查以来的新匹配。"""
    _setup_logging()
    from assistant.rendering import render_text
    from assistant.usecases import check_saved_profile, support_checklist_docx

    try:
        check = check_saved_profile(_kb(data_dir), _profiles(data_dir), ref)
        if docx_out is not None:
            support_checklist_docx(check.report, docx_out, since=check.since)
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(check.model_dump_json(indent=2))
        return
    if check.first_check:
        print(f"首次检查“{check.saved.name}”，以后再检查时会标出新增的措施。\n")
    elif check.new:
        print(f"自 {check.since:%Y-%m-%d %H:%M} 上次检查以来，新匹配 {len(check.new)} 项："
              f"{'、'.join(m.name for m in check.new)}\n")
    else:
        print(f"自 {check.since:%Y-%m-%d %H:%M} 上次检查以来没有新匹配的措施。\n")
    print(render_text("support", report=check.report, limit=None, offset=0, more_regions_hint=""))
    if docx_out is not None:
        print(f"\n申报清单已写入 {docx_out}")


@profile_app.command("remove")
def profile_remove(ref: Annotated[str, typer.Argument(help="画像名称或编号。")], data_dir: DataDir = None) -> None:
    """删除一个保存的企业画像。"""
    try:
        store = _profiles(data_dir)
        name = store.get(ref).name
        store.remove(ref)
    except AssistantError as exc:
        _fail(exc)
    print(f"已删除企业画像“{name}”。")


policy_app = typer.Typer(no_args_is_help=True, help="从政策文件提取的支持事项：查看、重新提取、审核（接受/拒绝/修改）。")
app.add_typer(policy_app, name="policy")


def _render_drafts(drafts) -> str:
    from assistant.rendering import render_text

    return "\n\n".join(render_text("policy_draft", d=d) for d in drafts)


@policy_app.command("drafts")
def policy_drafts(
    source: Annotated[str | None, typer.Option("--source", help="只看某个文件的条目。")] = None,
    status: Annotated[str | None, typer.Option("--status", help="draft / accepted / rejected")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """列出从政策文件提取的支持事项及其审核状态（只有已接受的条目参与政策匹配）。"""
    drafts = _kb(data_dir).policy_drafts(source, status)
    if as_json:
        print(json.dumps([d.model_dump(mode="json") for d in drafts], ensure_ascii=False, indent=2))
    elif not drafts:
        console.print("没有提取出的支持事项。导入政策文件（kechuang ingest 文件）后会自动提取。")
    else:
        print(_render_drafts(drafts))


@policy_app.command("extract")
def policy_extract(
    source: Annotated[str, typer.Argument(help="知识库中的政策文件名。")],
    llm: Annotated[bool, typer.Option("--llm", help="用配置的大模型提取（条件须逐字摘自原文，同样需要审核）。")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="另存为 JSON 文件。")] = None,
    data_dir: DataDir = None,
) -> None:
    """重新提取一个政策文件的支持事项（默认离线、基于规则；未变化的条目保留审核结果）。提取结果都是待审核条目。"""
    _setup_logging()
    notes: list[str] = []
    try:
        if llm:
            from assistant.policy_extract import extract_policy_items

            assistant = _assistant(data_dir)
            result = extract_policy_items(assistant, source)
            notes = [f"丢弃：{d}" for d in result.dropped] + result.notes
            drafts = assistant.kb.save_policy_drafts(source, result.items, notes=["由大模型提取，条件已逐字核对原文", *notes])
        else:
            drafts = _kb(data_dir).draft_policy_items(source)
    except AssistantError as exc:
        _fail(exc)
    if out is not None:
        out.write_text(json.dumps([d.item.model_dump(mode="json") for d in drafts], ensure_ascii=False, indent=2),
                       encoding="utf-8")
    print(_render_drafts(drafts) or "没有识别出支持事项。")
    for n in notes:
        err.print(n, markup=False)
    if drafts:
        print("\n以上为待审核条目：kechuang policy review 编号 --accept（或在“知识库”页审核）后才参与政策匹配。")


@policy_app.command("review")
def policy_review(
    draft_id: Annotated[str, typer.Argument(help="条目编号（kechuang policy drafts 查看）。")],
    accept: Annotated[bool, typer.Option("--accept", help="接受该条目（未拒绝的条件一并接受）。")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="拒绝该条目。")] = False,
    reopen: Annotated[bool, typer.Option("--reopen", help="改回待审核。")] = False,
    reject_condition: Annotated[list[int] | None, typer.Option("--reject-condition", help="拒绝第 N 条条件（可多次）。")] = None,
    set_field: Annotated[list[str] | None, typer.Option("--set", help="修改字段，如 --set name=… --set deadline=2027-03-31")] = None,
    data_dir: DataDir = None,
) -> None:
    """审核一个提取出的支持事项。"""
    if sum([accept, reject, reopen]) > 1:
        _fail(AssistantError("--accept、--reject、--reopen 只能选一个。"))
    edits = {}
    for kv in set_field or []:
        if "=" not in kv:
            _fail(AssistantError(f"--set 需要 字段=值 的形式：{kv}"))
        k, v = kv.split("=", 1)
        edits[k.strip()] = v.strip() or None
    decision = "accept" if accept else "reject" if reject else "reopen" if reopen else None
    try:
        d = _kb(data_dir).review_policy_draft(draft_id, decision,
                                              conditions={n - 1: "rejected" for n in reject_condition or []},
                                              edits=edits or None)
    except AssistantError as exc:
        _fail(exc)
    print(_render_drafts([d]))


eval_app = typer.Typer(help="离线评测：kechuang eval run --set FILE …；kechuang eval import-rgb FILE。")
app.add_typer(eval_app, name="eval")


@eval_app.callback(invoke_without_command=True)
def eval_main(
    ctx: typer.Context,
    golden: Annotated[list[Path] | None, typer.Option("--set", help="评测集 JSONL（可多次：如开发集和留出集文件，合并为一份报告）。")] = None,
    corpus: Annotated[list[Path] | None, typer.Option("--corpus", help="为本次评测新建临时索引并导入这些文档。")] = None,
    config: Annotated[list[str] | None, typer.Option("--config", help="配置名（可多次）：hybrid、bm25、dense、hybrid-k4、chunk200 或 eval/configs.json 中的名称。")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="报告目录（JSON、Markdown、HTML）。")] = None,
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="阈值文件；指标低于阈值时以非零状态退出。")] = None,
    k: Annotated[int, typer.Option("-k", help="hit@k / recall@k / nDCG@k 的 k。")] = 5,
    judge: Annotated[bool, typer.Option("--judge", help="配置了大模型时，另外做 LLM 评审。")] = False,
    configs_file: Annotated[Path, typer.Option("--configs-file", help="自定义配置。")] = Path("eval/configs.json"),
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """用评测集评估检索与回答质量，可并排比较多个配置。"""
    if ctx.invoked_subcommand is not None:
        return
    _setup_logging()
    from assistant.evaluation.golden import load_golden_sets
    from assistant.evaluation.report import summary, write_reports
    from assistant.evaluation.runner import check_thresholds, load_configs, run_eval

    try:
        if not golden:
            raise AssistantError("请用 --set 指定评测集，例如 --set eval/golden/seeds.jsonl。")
        cases = load_golden_sets(golden)
        configs = load_configs(config, configs_file)
        settings = _settings(data_dir)
        with Progress(TextColumn("[bold]评测 {task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, disable=as_json or not err.is_terminal) as bar:
            task = bar.add_task("", total=len(cases) * len(configs))
            done = {"n": 0}

            def progress(name: str, i: int, n: int) -> None:
                done["n"] += 1
                bar.update(task, completed=done["n"], description=name)

            run = run_eval(cases, settings, configs, corpus, golden_name=golden[0].name, k=k, progress=progress,
                           judge=judge)
        paths = write_reports(run, out) if out else {}
        limits = json.loads(thresholds.read_text(encoding="utf-8")) if thresholds else {}
        if isinstance(limits.get(golden[0].stem), dict):
            limits = limits[golden[0].stem]
        problems = check_thresholds(run, {k2: v for k2, v in limits.items() if isinstance(v, int | float)})
    except AssistantError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(summary(run), ensure_ascii=False, indent=2))
    else:
        from assistant.evaluation.report import to_markdown

        console.print(to_markdown(run).split("\n## 未通过")[0], markup=False)
        for kind, p in paths.items():
            console.print(f"报告（{kind}）：{p}")
    if problems:
        err.print("[red]评测未达阈值：[/red]\n" + "\n".join(problems))
        raise typer.Exit(1)


@eval_app.command("import-rgb")
def eval_import_rgb(
    source: Annotated[Path, typer.Argument(help="RGB 格式 JSONL（query / answer / positive / negative）。")],
    out: Annotated[Path, typer.Option("--out", help="输出目录：corpus/ 与 *.golden.jsonl。")] = Path("eval/imported"),
    limit: Annotated[int | None, typer.Option("--limit", help="最多导入多少条。")] = None,
) -> None:
    """导入公开评测集（RGB 格式）：生成语料目录和评测集，然后用 eval --set … --corpus … 运行。"""
    from assistant.evaluation.golden import import_rgb

    try:
        corpus, golden = import_rgb(source, out, limit)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"语料：{corpus}\n评测集：{golden}\n运行：kechuang eval --set {golden} --corpus {corpus}")


@eval_app.command("tables")
def eval_tables(
    failures: Annotated[bool, typer.Option("--failures", help="列出未通过的行（含留出部分）。")] = False,
) -> None:
    """领域层测试表（金额、日期、地区、词表、跨功能一致性）：开发部分与留出部分的通过率。"""
    from assistant.evaluation.tables import TABLES, markdown, run_table

    print(markdown())
    if failures:
        for t in TABLES:
            for r in run_table(t):
                if not r.ok:
                    print(f"[{r.row.get('split')}] {r.describe()}")


@eval_app.command("multiturn")
def eval_multiturn(data_dir: DataDir = None) -> None:
    """多轮对话评测（eval/golden/multiturn.jsonl）：追问与换话题，离线回答是否正确、引用是否来自应有的文件。"""
    _setup_logging()
    import tempfile

    from assistant.chains import Assistant
    from assistant.evaluation import multiturn
    from assistant.knowledge_base import KnowledgeBase

    if data_dir is not None:
        print(multiturn.markdown(multiturn.run(_assistant(data_dir))))
        return
    with tempfile.TemporaryDirectory() as tmp:  # the sample corpus, indexed with the configured embeddings
        kb = KnowledgeBase(_settings(Path(tmp)))
        kb.ingest([Path(__file__).resolve().parents[1] / "corpora"])
        print(f"（索引：corpora，向量模型 {kb.settings.embedding.provider}）\n")
        print(multiturn.markdown(multiturn.run(Assistant(kb.settings, kb=kb))))
        kb.close()


def _on_records(data_dir: Path | None, evaluate: Callable[[Any], None]) -> None:
    """Run an evaluation on the index of ``--data-dir``, or on the sample records (corpora/records) indexed with
    the configured embeddings in a temporary directory."""
    _setup_logging()
    import tempfile

    from assistant.knowledge_base import KnowledgeBase

    if data_dir is not None:
        evaluate(_assistant(data_dir).kb)
        return
    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(_settings(Path(tmp)))
        kb.ingest([Path(__file__).resolve().parents[1] / "corpora" / "records"])
        print(f"（索引：corpora/records，向量模型 {kb.settings.embedding.provider}）\n")
        evaluate(kb)
        kb.close()


@eval_app.command("matching")
def eval_matching(data_dir: DataDir = None) -> None:
    """供需匹配评测（eval/golden/matching.jsonl）：precision@3、nDCG@5、前5名中的负例；匹配理由表
    （tests/tables/match_evidence.jsonl）：理由是否把记录所长与需求原话对上。开发/留出分开。"""
    from assistant.evaluation import matching

    def evaluate(kb) -> None:
        print(matching.markdown(matching.run(kb)))
        print("\n" + matching.evidence_markdown(matching.run_evidence(kb)))

    _on_records(data_dir, evaluate)


@eval_app.command("fields")
def eval_fields(data_dir: DataDir = None) -> None:
    """需求所属领域表（tests/tables/need_fields.jsonl）：关键词判断与推断结果的对、错、未判断（改为提问），开发/留出分开。"""
    from assistant.evaluation import fields

    _on_records(data_dir, lambda kb: print(fields.markdown(fields.run(kb))))


@eval_app.command("revisions")
def eval_revisions(data_dir: DataDir = None) -> None:
    """报告修改意见表（tests/tables/report_revisions.jsonl）：每条意见读成的结构化修改是否正确，开发/留出分开。"""
    from assistant.drafting.report import build_report
    from assistant.evaluation import revisions
    from assistant.evaluation.tables import summary

    def show(kb) -> None:
        reports = {t: build_report(kb, "巴州", "2023", t, today=date(2026, 11, 24))
                   for t in ("工作总结", "工作亮点", "试点城市建设进展")}
        print("| report revisions | rows | passed | rate |\n|---|---|---|---|")
        for split, v in summary(revisions.run(reports)).items():
            print(f"| {split} | {v['rows']} | {v['passed']} | {v['rate']:.3f} |")

    _on_records(data_dir, show)


@eval_app.command("dialogues")
def eval_dialogues(data_dir: DataDir = None) -> None:
    """需求发布对话表（tests/tables/need_dialogues.jsonl）：按提问回答，最终发布稿是否正确、是否编造、是否重复提问；
    领域只用关键词，以及像产品中一样结合索引推断。"""
    from assistant.evaluation import dialogues

    def show(kb) -> None:
        print("| need dialogues | field read by | dialogues | passed | rate |\n|---|---|---|---|---|")
        for label, index in (("keywords only", None), ("keywords, else embedding agreement", kb)):
            for split, v in dialogues.summary(dialogues.run_table(kb=index)).items():
                print(f"| {split} | {label} | {v['rows']} | {v['passed']} | {v['rate']:.3f} |")

    _on_records(data_dir, show)


@eval_app.command("journey")
def eval_journey(data_dir: DataDir = None) -> None:
    """企业旅程：画像测试表的判定准确率、政策条件提取的召回/精确率（样例政策与三份新版式政策），开发/留出分开。"""
    import tempfile

    from assistant.evaluation import profiles
    from assistant.evaluation.extraction import evaluate_extraction
    from assistant.support import SupportFinder

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(Path(tmp)).model_copy(update={"embedding": _settings(None).embedding.model_copy(
            update={"provider": "fake"})})
        from assistant.knowledge_base import KnowledgeBase

        kb = KnowledgeBase(settings)
        extra = root / "tests" / "fixtures" / "policies_extra"
        kb.ingest([root / "corpora", extra / "kunshan_rd_platform.docx", extra / "hefei_tech_voucher.html",
                   extra / "baoji_talent_station.txt"])
        res = profiles.summary(profiles.run(SupportFinder(kb)))
        print("| profiles table | profiles | all verdicts right | verdict accuracy (24 measures each) |")
        print("|---|---|---|---|")
        for split, r in res.items():
            print(f"| {split} | {r['profiles']} | {r['profiles_all_right']} | {r['verdict_accuracy']:.3f} |")
        print()
        print("| drafting conditions offline | split | golden conditions | recall | fact right | precision |")
        print("|---|---|---|---|---|---|")
        for name, path in (("15 sample policies", root / "eval/golden/policy_conditions.jsonl"),
                           ("3 new layouts (docx table, html, wrapped txt)", extra / "gold.jsonl")):
            _, summ = evaluate_extraction(kb, path)
            for split in ("dev", "holdout"):
                if split in summ:
                    r = summ[split]
                    label = split if "sample" in name else "all"
                    print(f"| {name} | {label} | {r['conditions']:.0f} | {r['recall']:.3f} | {r['fact_accuracy']:.3f} | "
                          f"{summ['all']['precision']:.3f} |")
        kb.close()


draft_app = typer.Typer(no_args_is_help=True, help="起草：需求发布（draft need）和工作总结（draft report）。")
app.add_typer(draft_app, name="draft")


@draft_app.command("need")
def draft_need(
    text: Annotated[str, typer.Argument(help="用自己的话描述需求。")],
    k: Annotated[int, typer.Option("-k", help="匹配结果条数。")] = 8,
    session_file: Annotated[Path | None, typer.Option(
        "--session", help="对话状态文件（JSON）：有则接着上次的对话（回答上一个问题），没有则新建；每轮后写回。")] = None,
    data_dir: DataDir = None,
    as_json: JsonOut = False,
) -> None:
    """把一段描述整理成科技需求发布稿，列出缺少的信息，并匹配专家、成果和服务团。用 --session 可以多轮补充。"""
    _setup_logging()
    from assistant.drafting.match import KIND_LABELS
    from assistant.drafting.need import QUESTIONS
    from assistant.drafting.need_session import NeedSession
    from assistant.usecases import draft_need as draft_need_case

    session = None
    if session_file is not None and session_file.exists():
        try:
            session = NeedSession.model_validate_json(session_file.read_text(encoding="utf-8"))
        except ValueError:
            _fail(AssistantError(f"{session_file} 不是需求对话状态文件：换一个文件名，或删除它重新开始。"))
    try:
        draft = draft_need_case(_assistant(data_dir), text, session, k=k)
    except AssistantError as exc:
        _fail(exc)
    if session_file is not None:
        session_file.write_text(draft.session.model_dump_json(indent=2), encoding="utf-8")
    if as_json:
        print(json.dumps(draft.public_json(), ensure_ascii=False, indent=2))
        return
    if session_file is not None:
        from assistant.rendering import render_text

        console.print(render_text("need_turn", draft=draft), markup=False)
        return
    console.print(draft.published_text, markup=False)
    for n in draft.posting.notes:
        console.print(f"  按此理解：{n}", markup=False)
    if draft.missing:
        console.print("\n[yellow]还需要补充：[/yellow]")
        for key in draft.missing:
            console.print(f"  · {QUESTIONS[key]}", markup=False)
    if draft.near_duplicates:
        console.print("\n[yellow]平台上已有相似需求：[/yellow]")
        console.print("；".join(f"{d['name']}（{d['id']}）" for d in draft.near_duplicates), markup=False)
    if draft.matches:
        console.print("\n[bold]可对接的资源：[/bold]")
        for m in draft.matches:
            offers = f"；擅长/内容：{'、'.join(m.expertise)}" if m.expertise else ""
            org = f"；{m.organization}" if m.organization else ""
            console.print(f"  {m.score:.2f} {m.name}（{KIND_LABELS.get(m.kind, m.kind)} · {m.id}{org}{offers}）："
                          f"{'；'.join(m.reasons)}", markup=False)


@draft_app.command("report")
def draft_report(
    region: Annotated[str, typer.Option("--region", help="地区，如 巴州。")],
    period: Annotated[str, typer.Option("--period", help="时间段：2023、2023H1、2023Q3、2023-01..2023-06。")],
    report_type: Annotated[str, typer.Option("--type", help="工作总结 / 工作亮点 / 试点城市建设进展。")] = "工作总结",
    length: Annotated[str, typer.Option("--length", help="short / standard / long。")] = "standard",
    out: Annotated[Path | None, typer.Option("--out", help="输出文件（.md 或 .docx）。")] = None,
    data_dir: DataDir = None,
) -> None:
    """从平台记录统计和所引文件起草报告；每个数字都注明出处。"""
    _setup_logging()
    from assistant.usecases import draft_report as draft_report_case

    try:
        report = draft_report_case(_assistant(data_dir), region, period, report_type, length)
        if out is not None:
            if out.suffix.lower() == ".docx":
                report.docx(out)
            else:
                out.write_text(report.markdown(), encoding="utf-8")
    except AssistantError as exc:
        _fail(exc)
    if out is None:
        console.print(report.markdown(), markup=False)
    else:
        console.print(f"已写入 {out}")


def _ingest_before_start(settings: Settings, ingest_paths: list[Path] | None) -> None:
    if not ingest_paths:
        return
    from assistant.knowledge_base import KnowledgeBase

    paths = [p for p in ingest_paths if p.exists()]
    console.print(f"导入：{'、'.join(map(str, paths))} …")
    kb = KnowledgeBase(settings)
    d = _ingest_with_progress(kb, paths).as_dict()
    kb.close()
    console.print(f"新增 {d['added']}，更新 {d['updated']}，未变 {d['unchanged']}，失败 {d['failed'] + d['partial']}，"
                  f"写入分块 {d['chunks']}。")


@app.command()
def ui(
    host: Annotated[str, typer.Option("--host", help="监听地址；非本机地址需设置 KECHUANG_UI__PASSWORD。")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。")] = 7860,
    ingest_paths: Annotated[list[Path] | None, typer.Option("--ingest", help="启动前导入这些文件或目录（未变化的自动跳过）。")] = None,
    data_dir: DataDir = None,
) -> None:
    """启动网页界面（对话、政策匹配、需求发布、报告起草、知识库）。"""
    _setup_logging()
    try:
        settings = _settings(data_dir)
        _ingest_before_start(settings, ingest_paths)
        from ui.app import launch

        console.print(f"[bold green]科创助手已启动：[/bold green] http://{host if host != '0.0.0.0' else '127.0.0.1'}:{port}"
                      "  （Ctrl+C 退出）")
        launch(settings, host=host, port=port)
    except AssistantError as exc:
        _fail(exc)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址；非本机地址需设置 KECHUANG_UI__PASSWORD。")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口。")] = 7860,
    ingest_paths: Annotated[list[Path] | None, typer.Option("--ingest", help="启动前导入这些文件或目录（未变化的自动跳过）。")] = None,
    data_dir: DataDir = None,
) -> None:
    """网页界面（/）与 JSON API（/api/v1，文档 /api/v1/docs）在同一个进程里。"""
    _setup_logging()
    try:
        settings = _settings(data_dir)
        _ingest_before_start(settings, ingest_paths)
        from ui.app import serve as serve_app

        shown = host if host != "0.0.0.0" else "127.0.0.1"
        console.print(f"[bold green]科创助手已启动：[/bold green] http://{shown}:{port}  API：http://{shown}:{port}/api/v1/docs"
                      "  （Ctrl+C 退出）")
        serve_app(settings, host=host, port=port)
    except AssistantError as exc:
        _fail(exc)


EXAMPLE_QUERIES = [
    ("高企认定需要满足哪些条件？", {}),
    ("研发费用加计扣除比例是多少", {}),
    ("科小评价的条件", {}),
    ("巴州有哪些石油化工方面的科技需求", {"types": ["need"], "regions": ["巴州"]}),
    ("陕西省科协的12621工程", {}),
]


@app.command()
def demo(
    data_dir: DataDir = None,
    corpus: Annotated[list[Path] | None, typer.Option("--corpus", help="要导入的语料（默认 corpora/ 与 ../shared/seeds）。")] = None,
) -> None:
    """导入示例语料并演示几次检索（应用界面完成前的主流程）。"""
    _setup_logging()
    from assistant.retrieval import SearchFilters

    paths = corpus or [p for p in (Path("corpora"), Path("../shared/seeds")) if p.exists()]
    try:
        kb = _kb(data_dir)
        console.print(f"[bold]导入语料：[/bold]{'、'.join(map(str, paths))}")
        report = kb.ingest(paths)
        d = report.as_dict()
        console.print(f"文件 {d['files']} 个，新增 {d['added']}，未变 {d['unchanged']}，写入分块 {d['chunks']}，"
                      f"失败 {d['failed'] + d['partial']}。")
        searcher = kb
        for q, f in EXAMPLE_QUERIES:
            console.rule(f"[bold]{q}[/bold]")
            for i, c in enumerate(searcher.search(q, k=3, filters=SearchFilters(**f)), 1):
                console.print(f"[cyan]\\[{i}][/cyan] {escape(c.title)} [dim]({escape(c.source)}{escape(' · ' + c.heading) if c.heading else ''})[/dim]")
                console.print("    " + c.text.replace("\n", " ")[:120] + "…", markup=False)
    except AssistantError as exc:
        _fail(exc)
    console.print("\n试试：[bold].venv/bin/kechuang search \"科技特派员\" --json[/bold]")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())


user_app = typer.Typer(no_args_is_help=True, help="账号：add / list / remove（企业用户 enterprise、工作人员 staff、管理员 admin）。")
app.add_typer(user_app, name="user")
key_app = typer.Typer(no_args_is_help=True, help="API 密钥：create / list / revoke。")
app.add_typer(key_app, name="key")


def _accounts(data_dir: Path | None):
    from assistant.accounts import AccountStore

    return AccountStore(_settings(data_dir).data_dir / "accounts.sqlite")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名。")],
    role: Annotated[str, typer.Option("--role", help="enterprise（企业用户）/ staff（工作人员）/ admin（管理员）。")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读密码（供脚本使用）。")] = False,
    data_dir: DataDir = None,
) -> None:
    """添加账号（密码以 bcrypt 哈希保存）。添加第一个账号后，网页和 API 都需要登录（重启 serve 生效）。"""
    try:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
        user = _accounts(data_dir).add_user(name, role, password)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已添加 {user.name}（{user.role_label}）。", markup=False)


@user_app.command("list")
def user_list(data_dir: DataDir = None, as_json: JsonOut = False) -> None:
    """列出账号、角色和 API 密钥数。"""
    rows = _accounts(data_dir).users()
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print("还没有账号：本机使用无需登录；用 kechuang user add NAME --role admin 添加。")
    for r in rows:
        console.print(f"{r['name']}  {r['role_label']}（{r['role']}）  API 密钥 {r['keys']} 个", markup=False)


@user_app.command("remove")
def user_remove(name: Annotated[str, typer.Argument(help="用户名。")], data_dir: DataDir = None) -> None:
    """删除账号及其全部 API 密钥。"""
    try:
        _accounts(data_dir).remove_user(name)
    except AssistantError as exc:
        _fail(exc)
    console.print(f"已删除 {name}。", markup=False)


@key_app.command("create")
def key_create(
    user: Annotated[str, typer.Argument(help="密钥所属的用户名（权限与其角色相同）。")],
    label: Annotated[str, typer.Option("--label", help="用途说明，如“科创中国平台”。")] = "",
    data_dir: DataDir = None,
) -> None:
    """为账号生成 API 密钥（只显示这一次）。调用时：Authorization: Bearer <密钥>。"""
    try:
        key = _accounts(data_dir).create_key(user, label)
    except AssistantError as exc:
        _fail(exc)
    print(key)
    err.print("（密钥只显示这一次，请妥善保存；用 kechuang key revoke 前缀 撤销。）", markup=False)


@key_app.command("list")
def key_list(data_dir: DataDir = None) -> None:
    """列出 API 密钥（只显示前缀）。"""
    for k in _accounts(data_dir).keys():
        console.print(f"{k['prefix']}…  {k['user']}  {k['label'] or ''}", markup=False)


@key_app.command("revoke")
def key_revoke(key: Annotated[str, typer.Argument(help="密钥，或 key list 显示的前缀。")], data_dir: DataDir = None) -> None:
    """撤销 API 密钥。"""
    n = _accounts(data_dir).revoke_key(key)
    if not n:
        _fail(AssistantError(f"没有密钥 {key}：用 kechuang key list 查看。"))
    console.print(f"已撤销 {n} 个密钥。")
