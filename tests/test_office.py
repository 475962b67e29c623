"""Legacy office files (.doc, .wps → DOCX; .xls, .et → XLSX) converted by LibreOffice headless, with the real
``soffice`` (Debian's libreoffice-writer-nogui and libreoffice-calc-nogui, installed by ``make system-deps``).

The legacy files are made here: python-docx / openpyxl write a DOCX / XLSX, soffice saves it as .doc / .xls
(WPS Office's .wps and .et are the same binary formats under its own names)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.ingest import office
from assistant.ingest.documents import build_document
from assistant.ingest.loaders import load_file
from assistant.records import load_records
from assistant.settings import IngestSettings

POLICY_TITLE = "邛崃市科技创新券管理办法"
POLICY_TEXT = [
    "第一条 为降低中小企业创新成本，制定本办法。",
    "第二条 对购买检验检测服务的企业，按合同金额的50%给予创新券补助，单个企业每年最高200000元。",
    "第三条 本办法自2024年3月1日起施行。",
]
NEEDS = [
    ["id", "name", "region", "field", "budget_wan"],
    ["need-xls-a", "库尔勒香梨冷链保鲜技术", "巴州", "现代农业", 50],
    ["need-xls-b", "棉纺除杂设备改造", "巴州", "纺织服装", 10],
]


@pytest.fixture(scope="session")
def soffice() -> str:
    path = shutil.which("soffice")
    if not path:
        pytest.fail("soffice not found: the .doc/.xls tests need LibreOffice. Run `make system-deps` "
                    "(installs libreoffice-writer-nogui and libreoffice-calc-nogui).")
    return path


def _save_as(soffice: str, src: Path, fmt: str, outdir: Path, profile: Path) -> Path:
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", fmt,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=120)
    out = outdir / f"{src.stem}.{fmt}"
    assert out.exists(), f"soffice did not write {out}"
    return out


@pytest.fixture(scope="session")
def legacy(soffice, tmp_path_factory) -> dict[str, Path]:
    """policy.doc / policy.wps and needs.xls / needs.et, with the DOCX and XLSX they were saved from."""
    import docx
    import openpyxl

    d = tmp_path_factory.mktemp("legacy")
    profile = d / "profile"
    doc = docx.Document()
    doc.core_properties.title = POLICY_TITLE
    doc.add_heading(POLICY_TITLE, 1)
    for para in POLICY_TEXT:
        doc.add_paragraph(para)
    doc.save(d / "policy.docx")
    wb = openpyxl.Workbook()
    for row in NEEDS:
        wb.active.append(row)
    wb.save(d / "needs.xlsx")
    files = {"docx": d / "policy.docx", "xlsx": d / "needs.xlsx",
             "doc": _save_as(soffice, d / "policy.docx", "doc", d / "out", profile),
             "xls": _save_as(soffice, d / "needs.xlsx", "xls", d / "out", profile)}
    # WPS Office writes its .wps / .et in the Word 97 / Excel 97 binary formats.
    files["wps"] = shutil.copy(files["doc"], d / "out" / "policy.wps")
    files["et"] = shutil.copy(files["xls"], d / "out" / "needs.et")
    assert files["doc"].read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # a real OLE2 binary file
    return {k: Path(v) for k, v in files.items()}


@pytest.mark.parametrize("ext", ["doc", "wps"])
def test_a_legacy_word_file_is_read_like_its_docx(legacy, ext):
    doc = build_document(legacy[ext], f"policy.{ext}", 10**7)
    ref = build_document(legacy["docx"], "policy.docx", 10**7)
    assert doc.title == ref.title == POLICY_TITLE
    assert doc.text == ref.text
    assert "200000元" in doc.text and "2024年3月1日" in doc.text


def test_a_doc_is_ingested_and_searchable(legacy, fake_settings, tmp_path):
    from assistant.knowledge_base import KnowledgeBase

    src = Path(shutil.copy(legacy["doc"], tmp_path / "创新券办法.doc"))
    kb = KnowledgeBase(fake_settings)
    try:
        report = kb.ingest([src])
        assert not report.failed and report.files[0].status == "added", report.as_dict()
        hits = kb.search("检验检测服务 创新券", k=3)
        assert hits and hits[0].source == src.name
    finally:
        kb.close()


@pytest.mark.parametrize("ext", ["xls", "et"])
def test_a_legacy_spreadsheet_goes_the_way_of_an_xlsx(legacy, ext):
    recs, errors = load_records(legacy[ext])
    ref, ref_errors = load_records(legacy["xlsx"])
    assert not errors and not ref_errors
    assert [r.model_dump() for r in recs] == [r.model_dump() for r in ref]
    assert [r.id for r in recs] == ["need-xls-a", "need-xls-b"]


def test_an_xls_is_ingested_as_records(legacy, fake_settings, tmp_path):
    from assistant.knowledge_base import KnowledgeBase

    src = Path(shutil.copy(legacy["xls"], tmp_path / "needs.xls"))
    kb = KnowledgeBase(fake_settings)
    try:
        report = kb.ingest([src])
        assert not report.failed, report.as_dict()
        assert report.files[0].documents == 2
        assert {r.id for r in kb.records("need")} == {"need-xls-a", "need-xls-b"}
    finally:
        kb.close()


def test_a_bad_row_in_an_xls_is_named_by_its_row(soffice, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for row in [*NEEDS, ["need-xls-c", "", "巴州", "现代农业", 5]]:
        wb.active.append(row)
    wb.save(tmp_path / "needs.xlsx")
    xls = _save_as(soffice, tmp_path / "needs.xlsx", "xls", tmp_path / "out", tmp_path / "profile")
    recs, errors = load_records(xls)
    assert len(recs) == 2 and len(errors) == 1
    assert "needs.xls 第 4 行" in str(errors[0]) and "name" in str(errors[0])


# -- failures say what to do ----------------------------------------------------------------------------------
def test_without_soffice_the_error_names_the_debian_packages(legacy, tmp_path):
    missing = IngestSettings(soffice=str(tmp_path / "no-such-soffice"))
    with pytest.raises(IngestError) as exc:
        load_file(legacy["doc"], "policy.doc", 10**7, ingest=missing)
    msg = str(exc.value)
    assert "policy.doc" in msg and "libreoffice-writer-nogui" in msg and "make system-deps" in msg
    with pytest.raises(IngestError) as exc:
        load_records(legacy["xls"], ingest=missing)
    msg = str(exc.value)
    assert "needs.xls" in msg and "libreoffice-calc-nogui" in msg and "make system-deps" in msg


def test_with_an_empty_path_the_knowledge_base_reports_the_missing_package(legacy, fake_settings, tmp_path,
                                                                         monkeypatch):
    from assistant.knowledge_base import KnowledgeBase

    src = Path(shutil.copy(legacy["wps"], tmp_path / "通知.wps"))
    kb = KnowledgeBase(fake_settings)
    try:
        monkeypatch.setenv("PATH", "")
        report = kb.ingest([src])
    finally:
        kb.close()
    (result,) = report.files
    assert result.status == "failed" and "libreoffice-writer-nogui" in result.errors[0], result


def test_a_file_that_is_not_a_word_document_is_refused_without_converting(tmp_path):
    p = tmp_path / "坏.doc"
    p.write_bytes(os.urandom(4000))
    with pytest.raises(IngestError, match="不是有效的") as exc:
        load_file(p, p.name, 10**7)
    assert "坏.doc" in str(exc.value)


def test_a_truncated_doc_gives_a_clear_error(legacy, tmp_path):
    p = tmp_path / "残缺.doc"
    p.write_bytes(legacy["doc"].read_bytes()[:9000])
    with pytest.raises(IngestError, match="无法转换") as exc:
        load_file(p, p.name, 10**7)
    assert "残缺.doc" in str(exc.value)


def test_a_conversion_over_its_time_limit_is_stopped(legacy):
    hurry = IngestSettings(convert_timeout_s=0.05)
    with pytest.raises(IngestError, match="CONVERT_TIMEOUT_S"):
        load_file(legacy["doc"], "policy.doc", 10**7, ingest=hurry)
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline(p).count(office.PROFILE_PREFIX)]
    assert not left, "soffice was left running after the timeout"


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except OSError:
        return ""


def test_rtf_and_html_saved_as_doc_are_converted_too(soffice, tmp_path):
    # Sites often serve an HTML page or RTF under a .doc name; Word and LibreOffice open both.
    p = tmp_path / "网页.doc"
    p.write_text("<html><body><h1>关于开展科技特派员申报的通知</h1><p>申报截止时间为2024年5月31日。</p></body></html>",
                 encoding="utf-8")
    text = "\n".join(e.text for e in load_file(p, p.name, 10**7).elements)
    assert "2024年5月31日" in text


def test_a_docx_or_xlsx_under_an_old_name_is_read_without_converting(legacy, tmp_path):
    doc = Path(shutil.copy(legacy["docx"], tmp_path / "其实是docx.doc"))
    # No LibreOffice needed: a command that does not exist proves it is not called.
    missing = IngestSettings(soffice=str(tmp_path / "no-such-soffice"))
    assert build_document(doc, doc.name, 10**7, missing).text == build_document(legacy["docx"], "p.docx", 10**7).text
    xls = Path(shutil.copy(legacy["xlsx"], tmp_path / "needs.xls"))
    recs, errors = load_records(xls, missing)
    assert not errors and [r.id for r in recs] == ["need-xls-a", "need-xls-b"]
