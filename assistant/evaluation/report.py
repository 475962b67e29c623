"""Reports: JSON for machines, Markdown for a PR, HTML with charts and a per-question drill-down."""

from __future__ import annotations

import html
import json
from pathlib import Path

from assistant.evaluation.runner import EvalRun

HEADLINE = ["hit@1", "hit@k", "recall@k", "mrr", "ndcg@k", "fact_recall", "citation_precision", "citation_recall",
            "groundedness", "refusal_accuracy", "false_refusal_rate", "support_precision", "support_recall",
            "latency_p50_ms", "latency_p95_ms"]


def _fmt(v: float | None, name: str = "") -> str:
    if v is None:
        return "–"
    if name.endswith("_ms"):
        return f"{v:.0f}"
    return f"{v:.3f}"


def to_json(run: EvalRun) -> str:
    return run.model_dump_json(indent=2)


def summary(run: EvalRun) -> dict:
    """The stable machine summary: metrics per configuration plus per-case results."""
    first = run.configs[0]
    return {
        "golden_set": run.golden_set, "k": run.k,
        "metrics": first.metrics,
        "configs": {c.name: {"metrics": c.metrics, "settings_fingerprint": c.settings_fingerprint,
                             "prompt_hashes": c.prompt_hashes, "mode": c.mode, "judge": c.judge,
                             "by_split": c.by_split}
                    for c in run.configs},
        "deltas": run.deltas,
        "cases": [{"id": r.id, "type": r.type, "answer": r.answer, "refused": r.refused,
                   "cited_sources": r.cited_sources, "retrieved_sources": list(dict.fromkeys(r.retrieved_sources)),
                   "fact_hits": r.fact_hits, "failures": r.failures} for r in first.cases],
    }


_SPLIT_LABEL = {"dev": "开发集", "holdout": "留出集"}


def to_markdown(run: EvalRun) -> str:
    names = [c.name for c in run.configs]
    lines = [f"# 评测报告：{run.golden_set}", "",
             f"{run.n_cases} 个用例 · k = {run.k} · 语料：{', '.join(run.corpus) or '（现有索引）'} · {run.started}", "",
             "| 指标 | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for m in HEADLINE:
        row = [_fmt(c.metrics.get(m), m) for c in run.configs]
        if any(v != "–" for v in row):
            cells = []
            for c, v in zip(run.configs, row, strict=True):
                d = run.deltas.get(c.name, {}).get(m)
                cells.append(v + (f" ({d:+.3f})" if d not in (None, 0) and not m.endswith("_ms") else ""))
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += ["", "| 配置 | 模式 | settings | prompts |", "|---|---|---|---|"]
    for c in run.configs:
        lines.append(f"| {c.name} | {c.mode} | `{c.settings_fingerprint}` | "
                     + (", ".join(f"{k}:`{v}`" for k, v in c.prompt_hashes.items()) or "–") + " |")
    first = run.configs[0]
    if any(len(c.by_split) > 1 for c in run.configs):
        lines += ["", "## 开发集与留出集（留出集的用例写于被测代码之后，从未用于调参）", "",
                  "| 配置 | 部分 | n | hit@1 | hit@k | fact_recall | refusal_accuracy | false_refusal_rate |",
                  "|---|---|---|---|---|---|---|---|"]
        for c in run.configs:
            for part, m in c.by_split.items():
                lines.append(f"| {c.name} | {_SPLIT_LABEL.get(part, part)} | {m['n']:.0f} | {_fmt(m.get('hit@1'))} | "
                             f"{_fmt(m.get('hit@k'))} | {_fmt(m.get('fact_recall'))} | "
                             f"{_fmt(m.get('refusal_accuracy'))} | {_fmt(m.get('false_refusal_rate'))} |")
    lines += ["", f"## 按类型（{first.name}）", "", "| 类型 | n | hit@k | fact_recall | refusal_accuracy | false_refusal_rate |",
              "|---|---|---|---|---|---|"]
    for t, m in first.by_type.items():
        lines.append(f"| {t} | {m['n']:.0f} | {_fmt(m.get('hit@k'))} | {_fmt(m.get('fact_recall'))} | "
                     f"{_fmt(m.get('refusal_accuracy'))} | {_fmt(m.get('false_refusal_rate'))} |")
    failed = [r for r in first.cases if r.failures and r.split != "holdout"]
    hidden = sum(1 for r in first.cases if r.failures and r.split == "holdout")
    lines += ["", f"## 未通过的用例（{first.name}，{len(failed)} 个）", ""]
    if hidden:
        lines += [f"留出集另有 {hidden} 个未通过，此处不逐条列出（留出集不用于调参；明细见 JSON 报告）。", ""]
    for r in failed:
        lines.append(f"- `{r.id}` {r.question} — {'；'.join(r.failures)}")
    if first.judge:
        lines += ["", f"LLM 评审（仅供参考）：faithfulness {_fmt(first.judge.get('faithfulness'))}，"
                      f"relevance {_fmt(first.judge.get('relevance'))}"]
    return "\n".join(lines) + "\n"


_COLORS = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2"]


def _bars(run: EvalRun, metrics: list[str]) -> str:
    """Grouped bar chart (inline SVG): one group per metric, one bar per configuration."""
    w_group, bar, h = 90, 14, 180
    n = len(run.configs)
    width = 60 + len(metrics) * w_group
    out = [f'<svg width="{width}" height="{h + 60}" role="img" aria-label="指标对比">']
    for y in (0, 0.5, 1):
        yy = 10 + h - y * h
        out.append(f'<line x1="40" x2="{width}" y1="{yy}" y2="{yy}" stroke="#ddd"/>'
                   f'<text x="34" y="{yy + 4}" font-size="10" text-anchor="end">{y:.1f}</text>')
    for i, m in enumerate(metrics):
        x0 = 50 + i * w_group
        for j, c in enumerate(run.configs):
            v = c.metrics.get(m) or 0.0
            x = x0 + j * (bar + 2)
            out.append(f'<rect x="{x}" y="{10 + h - v * h:.1f}" width="{bar}" height="{v * h:.1f}" '
                       f'fill="{_COLORS[j % len(_COLORS)]}"><title>{html.escape(c.name)} {m} {v:.3f}</title></rect>')
        out.append(f'<text x="{x0 + n * (bar + 2) / 2}" y="{h + 28}" font-size="10" text-anchor="middle">{m}</text>')
    for j, c in enumerate(run.configs):
        out.append(f'<rect x="{50 + j * 110}" y="{h + 42}" width="10" height="10" fill="{_COLORS[j % len(_COLORS)]}"/>'
                   f'<text x="{64 + j * 110}" y="{h + 51}" font-size="11">{html.escape(c.name)}</text>')
    out.append("</svg>")
    return "".join(out)


def _latency_hist(run: EvalRun) -> str:
    series = [[r.latency_ms for r in c.cases if r.error is None] for c in run.configs]
    allv = [v for s in series for v in s]
    if not allv:
        return ""
    top = max(allv) or 1
    bins = 12
    h = 120
    width = 60 + bins * 36
    out = [f'<svg width="{width}" height="{h + 40}" role="img" aria-label="延迟分布">']
    for j, s in enumerate(series):
        counts = [0] * bins
        for v in s:
            counts[min(bins - 1, int(v / top * bins))] += 1
        peak = max(counts) or 1
        for b, cnt in enumerate(counts):
            x = 40 + b * 36 + j * (30 / len(series))
            hh = cnt / peak * h
            out.append(f'<rect x="{x:.1f}" y="{10 + h - hh:.1f}" width="{30 / len(series):.1f}" height="{hh:.1f}" '
                       f'fill="{_COLORS[j % len(_COLORS)]}" opacity="0.8"><title>{cnt}</title></rect>')
    for b in range(0, bins + 1, 3):
        out.append(f'<text x="{40 + b * 36}" y="{h + 26}" font-size="10">{top * b / bins:.0f}ms</text>')
    out.append("</svg>")
    return "".join(out)


def to_html(run: EvalRun) -> str:
    e = html.escape
    first = run.configs[0]
    rows = []
    for m in HEADLINE:
        vals = [c.metrics.get(m) for c in run.configs]
        if all(v is None for v in vals):
            continue
        rows.append(f"<tr><th>{m}</th>" + "".join(f"<td>{_fmt(v, m)}</td>" for v in vals) + "</tr>")
    type_rows = "".join(
        f"<tr><th>{e(t)}</th><td>{m['n']:.0f}</td><td>{_fmt(m.get('hit@k'))}</td><td>{_fmt(m.get('fact_recall'))}</td>"
        f"<td>{_fmt(m.get('refusal_accuracy'))}</td><td>{_fmt(m.get('false_refusal_rate'))}</td></tr>"
        for t, m in first.by_type.items())
    split_rows = "".join(
        f"<tr><th>{e(c.name)} · {_SPLIT_LABEL.get(part, part)}</th><td>{m['n']:.0f}</td><td>{_fmt(m.get('hit@1'))}</td>"
        f"<td>{_fmt(m.get('fact_recall'))}</td><td>{_fmt(m.get('refusal_accuracy'))}</td>"
        f"<td>{_fmt(m.get('false_refusal_rate'))}</td></tr>"
        for c in run.configs if len(c.by_split) > 1 for part, m in c.by_split.items())
    split_table = (f"<h2>开发集与留出集</h2><table><tr><th>配置 · 部分</th><th>n</th><th>hit@1</th><th>fact_recall</th>"
                   f"<th>refusal_accuracy</th><th>false_refusal_rate</th></tr>{split_rows}</table>" if split_rows else "")
    drill = []
    for r in first.cases:
        status = "fail" if r.failures else "pass"
        passages = "".join(
            f"<li><b>{e(p.get('title', ''))}</b> <code>{e(p.get('source', ''))}</code>"
            f"{' · ' + e(p.get('heading', '')) if p.get('heading') else ''}"
            f"{' · 命中 ' + e('、'.join(p.get('matched_terms', []))) if p.get('matched_terms') else ''}"
            f"<div class=passage>{e(p.get('text', p.get('status', '')))}</div></li>" for p in r.retrieved[:8])
        cites = "".join(f"<li>[{c['n']}] <code>{e(c['source'])}</code> “{e(c['quote'][:200])}”</li>" for c in r.citations)
        drill.append(
            f"<details class={status}><summary><span class=badge>{'✗' if r.failures else '✓'}</span> "
            f"<code>{e(r.id)}</code> [{e(r.type)}] {e(r.question)}</summary>"
            f"<p><b>为何未通过：</b>{e('；'.join(r.failures)) or '—'}</p>"
            f"<p><b>正确来源：</b>{e(', '.join(r.gold_sources)) or '（应拒答）'} · <b>须包含：</b>{e('、'.join(r.must_include)) or '—'}</p>"
            f"<p><b>回答</b>（{r.latency_ms:.0f} ms{'，拒答' if r.refused else ''}）：</p><pre>{e(r.answer)}</pre>"
            f"<p><b>引用：</b></p><ol>{cites or '<li>—</li>'}</ol><p><b>检索到的段落：</b></p><ol>{passages}</ol></details>")
    cfg_rows = "".join(
        f"<tr><td>{e(c.name)}</td><td>{e(c.mode)}</td><td><code>{c.settings_fingerprint}</code></td>"
        f"<td>{e(', '.join(f'{k}:{v}' for k, v in c.prompt_hashes.items()) or '–')}</td></tr>" for c in run.configs)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>评测报告 {e(run.golden_set)}</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#111;max-width:1200px}}
table{{border-collapse:collapse;margin:8px 0 20px}}td,th{{border:1px solid #ddd;padding:4px 10px;text-align:right}}
th{{background:#f6f6f6;text-align:left}}details{{border:1px solid #e5e5e5;border-radius:6px;margin:6px 0;padding:6px 10px}}
details.fail summary .badge{{color:#dc2626}}details.pass summary .badge{{color:#16a34a}}pre{{white-space:pre-wrap;background:#fafafa;padding:8px}}
.passage{{color:#444;font-size:13px;white-space:pre-wrap;margin:2px 0 8px}}code{{background:#f1f5f9;padding:0 3px}}</style></head><body>
<h1>评测报告：{e(run.golden_set)}</h1><p>{run.n_cases} 个用例 · k = {run.k} · 语料：{e(', '.join(run.corpus) or '现有索引')} · {e(run.started)}</p>
<h2>指标</h2><table><tr><th>指标</th>{''.join(f'<th>{e(c.name)}</th>' for c in run.configs)}</tr>{''.join(rows)}</table>
{_bars(run, ["hit@k", "mrr", "fact_recall", "citation_precision", "groundedness", "refusal_accuracy"])}
<h2>配置</h2><table><tr><th>名称</th><th>模式</th><th>settings</th><th>prompts</th></tr>{cfg_rows}</table>
{split_table}
<h2>按类型（{e(first.name)}）</h2><table><tr><th>类型</th><th>n</th><th>hit@k</th><th>fact_recall</th><th>refusal_accuracy</th><th>false_refusal_rate</th></tr>{type_rows}</table>
<h2>延迟分布</h2>{_latency_hist(run)}
<h2>逐题明细（{e(first.name)}）</h2>{''.join(drill)}
</body></html>"""


def write_reports(run: EvalRun, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(run.golden_set).stem or "eval"
    paths = {"json": out_dir / f"{stem}.json", "md": out_dir / f"{stem}.md", "html": out_dir / f"{stem}.html",
             "summary": out_dir / f"{stem}.summary.json"}
    paths["json"].write_text(to_json(run), encoding="utf-8")
    paths["md"].write_text(to_markdown(run), encoding="utf-8")
    paths["html"].write_text(to_html(run), encoding="utf-8")
    paths["summary"].write_text(json.dumps(summary(run), ensure_ascii=False, indent=2), encoding="utf-8")
    return paths
