import json
from pathlib import Path

import openpyxl

from assistant.records import load_records, render, to_document


def test_jsonl_good_rows_load_and_bad_rows_name_file_row_field(tmp_path: Path):
    p = tmp_path / "needs.jsonl"
    rows = [
        {"id": "need-1", "name": "棉花加工除杂技术", "region": "巴州", "field": "纺织服装", "date": "2024-03-01",
         "budget_wan": 50, "description": "需要提高除杂效率。"},
        {"id": "need-2", "name": "缺地区", "field": "新材料"},
        {"id": "need-3", "name": "预算写错", "region": "泰安市", "budget_wan": "五十万"},
        {"id": "need-1", "name": "重复编号", "region": "巴州"},
    ]
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{坏行\n", encoding="utf-8")
    recs, errors = load_records(p)
    assert [r.id for r in recs] == ["need-1"]
    assert recs[0].type == "need" and recs[0].budget_wan == 50
    msgs = [str(e) for e in errors]
    assert any("第 2 行" in m and "region" in m for m in msgs)
    assert any("第 3 行" in m and "budget_wan" in m and "数字" in m for m in msgs)
    assert any("第 4 行" in m and "重复" in m for m in msgs)
    assert any("第 5 行" in m and "JSON" in m for m in msgs)
    assert all(e.source == "needs.jsonl" for e in errors)


def test_csv_lists_split_on_bar_and_gbk_is_read(tmp_path: Path):
    p = tmp_path / "experts.csv"
    p.write_bytes(("id,name,region,field,title,affiliation,expertise,keywords\n"
                   "exp-1,陈某某,西安市,航空航天,教授,西北工业大学,复合材料|结构设计,航空|材料\n"
                   "exp-2,,西安市,航空航天,教授,某大学,a,b\n").encode("gbk"))
    recs, errors = load_records(p)
    assert len(recs) == 1 and recs[0].expertise == ["复合材料", "结构设计"]
    assert len(errors) == 1 and errors[0].row == 3 and errors[0].field == "name"


def test_xlsx_records(tmp_path: Path):
    p = tmp_path / "achievements.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "name", "region", "field", "owner", "maturity", "price_wan", "date"])
    ws.append(["ach-1", "高强玻纤制备技术", "泰安市", "新材料", "某研究院", "中试", 120, "2023-05-06"])
    ws.append(["ach-2", "价格错误", "泰安市", "新材料", "某研究院", "中试", "很贵", None])
    wb.save(p)
    recs, errors = load_records(p)
    assert [r.id for r in recs] == ["ach-1"] and recs[0].price_wan == 120
    assert errors[0].row == 3 and errors[0].field == "price_wan"


def test_render_hides_contact_and_marks_sample(tmp_path: Path):
    p = tmp_path / "needs.json"
    p.write_text(json.dumps([{"id": "need-9", "name": "番茄采摘机器人", "region": "巴州", "field": "现代农业",
                              "contact": "王某 13800001234", "sample": True}], ensure_ascii=False), encoding="utf-8")
    recs, errors = load_records(p)
    assert not errors
    text = render(recs[0])
    assert "13800001234" not in text and "【科技需求】番茄采摘机器人" in text and "示例数据" in text
    doc = to_document(recs[0], p)
    assert doc.kind == "record" and doc.doc_type == "need" and doc.region == "巴州"


def test_unknown_type_is_an_error(tmp_path: Path):
    p = tmp_path / "mixed.json"
    p.write_text(json.dumps([{"id": "x-1", "type": "unicorn", "name": "a", "region": "b"}]), encoding="utf-8")
    recs, errors = load_records(p)
    assert not recs and "type" in str(errors[0])
