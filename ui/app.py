"""The Gradio app: layout and wiring only; every behaviour lives in ui.handlers and the library."""

from __future__ import annotations

import functools
import logging
import os
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline product: no usage pings

import gradio as gr  # noqa: E402 - after the environment switch above

from assistant import usecases
from assistant.domain import vocab
from assistant.llm.factory import describe
from assistant.settings import Settings
from assistant.write_lock import WriterBusyError
from ui import handlers as H
from ui.middleware import RequestTimeout, SameOriginGuard, SecurityHeaders

log = logging.getLogger(__name__)

CSS = """
.kc-muted{color:#6b7280;font-size:0.9em}
.kc-passage{white-space:pre-wrap;line-height:1.7;border-left:3px solid #2563eb;padding:6px 10px;background:#f8fafc}
.kc-passage mark{background:#fde68a;padding:0 2px}
.kc-measure{border:1px solid #e5e7eb;border-radius:8px;padding:8px 12px;margin:8px 0}
.kc-measure h4{margin:2px 0}
.kc-badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:0.85em;margin-right:6px;color:#fff}
.kc-badge.kc-ok{background:#16a34a}.kc-badge.kc-maybe{background:#d97706}.kc-badge.kc-no{background:#dc2626}
.kc-badge.kc-expired{background:#9ca3af}
.kc-badge.kc-new{background:#2563eb}
.kc-new-summary{border-left:4px solid #2563eb;padding:4px 10px;background:#eff6ff}
li.kc-ok b{color:#16a34a} li.kc-no b{color:#dc2626} li.kc-maybe b{color:#d97706}
.kc-measure.kc-expired{opacity:0.6}
.kc-cite{color:#2563eb;font-size:0.85em;cursor:help}
.kc-posting th{white-space:nowrap;text-align:left;padding:4px 8px;color:#374151}
.kc-posting td{padding:4px 8px}
.kc-posting tr.kc-missing td{background:#fee2e2;color:#b91c1c;font-weight:600}
.kc-posting tr.kc-asked td{background:#fef3c7;color:#92400e}
.kc-posting tr.kc-inferred td{background:#eff6ff;color:#1e40af}
.kc-posting tr.kc-inferred td::after{content:"（推断，请确认）";font-size:0.85em;color:#6b7280}
.kc-posting tr.kc-declined td{color:#9ca3af}
"""

QUALIFICATIONS = vocab.qualifications()
INDUSTRIES = vocab.fields() + vocab.industries()


NOT_STAFF = "当前账号无权管理知识库：需要工作人员及以上角色。"


def build_app(svc: H.Services) -> gr.Blocks:
    regions = H.regions(svc) or ["巴州", "泰安市", "镇江市", "天津市", "西安市", "成都市"]
    open_ = not svc.accounts.has_users()  # a single-user installation shows every tab

    def _may(request: gr.Request, action: str) -> bool:
        """Whether the logged-in user's role allows ``action`` (every handler that changes or shows staff data
        asks, not only the tabs that are hidden)."""
        return H.user_of(svc, request.username).may(action)

    with gr.Blocks(title="科创助手", analytics_enabled=False) as app:
        session = gr.State(lambda: H.new_session(svc))
        gr.Markdown(f"## 科创助手 · 科创中国政策与平台数据助手\n<span class='kc-muted'>当前模式：{describe(svc.settings.llm)}"
                    "。每个回答都附出处；资料中没有的内容不会回答。</span>")
        with gr.Tabs():
            # -- chat ---------------------------------------------------------------------------
            with gr.Tab("智能问答", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(label="对话", height=520, elem_id="kc-chat",
                                             feedback_options=["Like", "Dislike"])
                        with gr.Row():
                            msg = gr.Textbox(placeholder="输入问题，例如：高企认定需要满足哪些条件？", show_label=False,
                                             scale=5, elem_id="kc-input")
                            send = gr.Button("发送", variant="primary", scale=1, elem_id="kc-send")
                        with gr.Row():
                            new_btn = gr.Button("新对话", size="sm", elem_id="kc-new")
                        gr.Examples(H.EXAMPLES, inputs=msg, label="试试这些问题")
                        with gr.Accordion("检索范围（可选）", open=False):
                            f_types = gr.CheckboxGroup(H.TYPE_CHOICES, label="类型")
                            f_regions = gr.Dropdown(regions, value=[], multiselect=True, label="地区")
                            f_bases = gr.Dropdown(H.base_choices(svc, H.user_of(svc, None)) if open_ else [], value=[],
                                                  multiselect=True, label="知识库（不选为全部可用的）",
                                                  elem_id="kc-f-bases")
                            f_sources = gr.Dropdown(H.source_choices(svc) if open_ else [], value=[], multiselect=True,
                                                    label="只在这些文件中")
                    with gr.Column(scale=2):
                        cites = gr.Radio([], label="查看出处", elem_id="kc-cites")
                        source_view = gr.HTML("<p class='kc-muted'>点开一条出处，查看原文段落。</p>",
                                              elem_id="kc-source")
                        comment = gr.Textbox(label="反馈补充（可选）", placeholder="点赞或点踩后，可在这里补充说明")
                        fb_status = gr.Markdown()
                        export_btn = gr.DownloadButton("导出反馈为评测集草稿", size="sm")
                chat_inputs = [session, msg, chatbot, f_types, f_regions, f_sources, f_bases]

                def _chat(sess, message, history, types, regs, srcs, bases, request: gr.Request):
                    user = H.user_of(svc, request.username)
                    for hist, s, choices in H.chat_stream(svc, sess, message, history, types, regs, srcs, bases, user):
                        yield hist, s, gr.update(choices=choices, value=None), ""

                for trigger in (msg.submit, send.click):
                    trigger(_chat, chat_inputs, [chatbot, session, cites, msg])
                new_btn.click(lambda: (lambda r: (r[0], r[1], gr.update(choices=[], value=None), r[3]))(H.reset_chat(svc)),
                              None, [chatbot, session, cites, msg])
                cites.change(functools.partial(H.show_citation, svc), [session, cites], source_view)

                def _like(sess, text, data: gr.LikeData):
                    return H.record_feedback(svc, sess, data.index if isinstance(data.index, int) else None,
                                             bool(data.liked), text)

                chatbot.like(_like, [session, comment], fb_status)
                def _export_all(request: gr.Request):
                    return H.export_feedback(svc) if _may(request, "review") else None

                export_btn.click(_export_all, None, export_btn)

            # -- support finder -------------------------------------------------------------------
            with gr.Tab("政策匹配", id="support"):
                gr.Markdown("填写企业情况，逐条核对每项支持措施的条件（✓ 满足 / ✗ 不满足 / ? 信息不足），条件均附原文出处。"
                            "数字不填或填 0 视为未提供。填写后也可以回到“智能问答”继续追问。")
                with gr.Row():
                    with gr.Column(scale=1):
                        s_name = gr.Textbox(label="企业名称（可不填；保存画像、导出清单时使用）", elem_id="kc-s-name")
                        s_region = gr.Dropdown(regions, value=None, label="所在地区（可直接输入，如 合肥市肥西县）",
                                               allow_custom_value=True, elem_id="kc-s-region")
                        s_industry = gr.Dropdown(INDUSTRIES, value=None, label="所属行业/领域", elem_id="kc-s-industry")
                        s_quals = gr.CheckboxGroup(QUALIFICATIONS, label="已获资质（未勾选视为没有）")
                        s_emp = gr.Textbox(label="职工总数（人）", placeholder="如 180、一百八十人", elem_id="kc-s-emp")
                        s_rev = gr.Textbox(label="上年度销售收入（万元）", placeholder="如 8000、八千万、1.2亿、3000000元",
                                           elem_id="kc-s-rev")
                        s_assets = gr.Textbox(label="资产总额（万元）", placeholder="如 5000、两亿")
                        s_rd = gr.Textbox(label="上年度研发费用（万元）", placeholder="如 400、三百万元", elem_id="kc-s-rd")
                        s_ratio = gr.Textbox(label="研发费用占比（%，不填则按上两项计算）", placeholder="如 6%、百分之六")
                        s_year = gr.Number(value=None, label="成立年份", precision=0)
                        with gr.Accordion("更多情况（决定更多条件）", open=False):
                            s_recog = gr.Textbox(label="资质认定情况", placeholder="如：2026年首次认定为高新技术企业",
                                                 elem_id="kc-s-recog")
                            s_awards = gr.Textbox(label="本年度已享受的奖励", placeholder="如：高企培育入库奖励")
                            s_tech = gr.Textbox(label="科技人员占职工总数比例（%）", placeholder="如 15%")
                            s_hti = gr.Textbox(label="高新技术产品（服务）收入占比（%）", placeholder="如 70%")
                            s_ip = gr.Textbox(label="有效知识产权（件）", placeholder="如 5、五项")
                            s_confirm = gr.CheckboxGroup(H.statement_choices(), label="申请人确认（勾选即确认属实）",
                                                         elem_id="kc-s-confirm")
                        s_btn = gr.Button("查找适用政策", variant="primary", elem_id="kc-s-go")
                        with gr.Accordion("保存的企业画像与申报清单", open=True):
                            with gr.Row():
                                s_save = gr.Button("保存当前画像", size="sm", elem_id="kc-s-save")
                                s_export = gr.Button("导出申报清单（DOCX）", size="sm", elem_id="kc-s-export")
                            s_saved = gr.Dropdown(H.saved_profile_choices(svc), value=None, label="已保存的画像",
                                                  elem_id="kc-s-saved")
                            s_check = gr.Button("重新匹配（标出上次检查以来的新匹配）", size="sm", elem_id="kc-s-check")
                            s_status = gr.Markdown(elem_id="kc-s-status")
                            s_file = gr.File(label="申报清单", elem_id="kc-s-file")
                    with gr.Column(scale=2):
                        s_out = gr.HTML("<p class='kc-muted'>结果将显示在这里。</p>", elem_id="kc-s-out")
                s_btn.click(functools.partial(H.find_support, svc),
                            [session, s_region, s_industry, s_quals, s_emp, s_rev, s_assets, s_rd, s_ratio, s_year,
                             s_confirm, s_recog, s_awards, s_tech, s_hti, s_ip, s_name],
                            [s_out, session])
                s_save.click(functools.partial(H.save_profile, svc), [session, s_name], [s_status, s_saved])
                s_check.click(functools.partial(H.check_profile, svc), [session, s_saved],
                              [s_out, session, s_status, s_saved])
                s_export.click(functools.partial(H.export_checklist, svc), [session], [s_file, s_status])

            # -- need posting ---------------------------------------------------------------------
            with gr.Tab("需求发布", id="need"):
                with gr.Row():
                    with gr.Column(scale=1):
                        n_chat = gr.Chatbot(label="描述您的技术需求", height=380, elem_id="kc-n-chat")
                        with gr.Row():
                            n_msg = gr.Textbox(placeholder="例如：我们是巴州的棉花加工企业，想解决籽棉异性纤维清理不干净的问题……",
                                               show_label=False, scale=5, elem_id="kc-n-input")
                            n_send = gr.Button("发送", variant="primary", scale=1, elem_id="kc-n-send")
                        n_new = gr.Button("重新开始", size="sm")
                    with gr.Column(scale=1):
                        n_posting = gr.HTML(H.posting_html(None), elem_id="kc-n-posting")
                        with gr.Accordion("修改发布稿", open=False, elem_id="kc-n-edit-box"):
                            n_table = gr.Dataframe(headers=["字段", "内容"], datatype=["str", "str"], interactive=True,
                                                   column_count=(2, "fixed"), wrap=True, elem_id="kc-n-edit")
                            n_save = gr.Button("保存修改", size="sm", elem_id="kc-n-save")
                            n_status = gr.Markdown(elem_id="kc-n-status")
                        n_file = gr.File(label="下载需求 JSON", elem_id="kc-n-file")
                n_matches = gr.Dataframe(headers=usecases.MATCH_HEADERS,
                                         label="可对接的专家、成果、服务团和组织", wrap=True, elem_id="kc-n-matches")
                n_inputs = [session, n_msg, n_chat]

                def _need(sess, message, history):
                    hist, s, posting, rows, path = H.need_chat(svc, sess, message, history)
                    return hist, s, posting, rows, path, "", H.posting_table(s.conversation.need)

                for trigger in (n_msg.submit, n_send.click):
                    trigger(_need, n_inputs, [n_chat, session, n_posting, n_matches, n_file, n_msg, n_table])
                n_save.click(functools.partial(H.edit_need, svc), [session, n_table],
                             [session, n_posting, n_table, n_status, n_matches, n_file])
                n_new.click(H.reset_need, [session], [n_chat, session, n_posting, n_matches, n_file])

            # -- reports --------------------------------------------------------------------------
            with gr.Tab("报告起草", id="report", visible=open_) as report_tab:
                with gr.Row():
                    r_region = gr.Dropdown(regions, value=regions[0] if regions else None, label="地区")
                    r_period = gr.Textbox(value="2023", label="时间段（2023 / 2023H1 / 2023Q3 / 2022-2023）")
                    r_type = gr.Radio(["工作总结", "工作亮点", "试点城市建设进展"], value="工作总结", label="类型")
                    r_len = gr.Radio([("简短", "short"), ("标准", "standard"), ("详细", "long")], value="standard",
                                     label="篇幅")
                r_btn = gr.Button("起草", variant="primary", elem_id="kc-r-go")
                r_preview = gr.Markdown(elem_id="kc-r-preview")
                with gr.Row():
                    r_revise_in = gr.Textbox(placeholder="修改意见，如：把第二部分写详细一点 / 加上专家服务的数据 / 去掉存在问题 / 改成工作亮点",
                                             show_label=False, scale=5, elem_id="kc-r-revise-input")
                    r_revise = gr.Button("按意见修改", scale=1, elem_id="kc-r-revise")
                r_status = gr.Markdown(elem_id="kc-r-status")
                with gr.Accordion("直接编辑正文（Markdown）", open=False, elem_id="kc-r-edit-box"):
                    r_edit = gr.Textbox(lines=16, show_label=False, elem_id="kc-r-edit")
                    r_export = gr.Button("导出编辑后的 DOCX", size="sm", elem_id="kc-r-export")
                with gr.Row():
                    r_docx = gr.File(label="下载 DOCX", elem_id="kc-r-docx")
                    r_md = gr.File(label="下载 Markdown", elem_id="kc-r-md")
                r_outputs = [r_preview, r_docx, r_md, session, r_edit, r_status]
                def _report(sess, region, period, rtype, length, request: gr.Request):
                    if not _may(request, "reports"):
                        return gr.update(), None, None, sess, gr.update(), "当前账号无权起草报告：需要工作人员及以上角色。"
                    return H.make_report(svc, sess, region, period, rtype, length)

                def _revise(sess, instruction, request: gr.Request):
                    if not _may(request, "reports"):
                        return gr.update(), None, None, sess, gr.update(), "当前账号无权起草报告：需要工作人员及以上角色。"
                    return H.revise_report(svc, sess, instruction)

                r_btn.click(_report, [session, r_region, r_period, r_type, r_len], r_outputs)
                for trigger in (r_revise_in.submit, r_revise.click):
                    trigger(_revise, [session, r_revise_in], r_outputs)
                r_export.click(functools.partial(H.export_edited_report, svc), [session, r_edit], [r_docx, r_md, r_status])

            # -- knowledge base --------------------------------------------------------------------
            with gr.Tab("知识库", id="kb", visible=open_) as kb_tab:
                k_stats = gr.Markdown(H.kb_stats_md(svc), elem_id="kc-k-stats")
                with gr.Row():
                    k_base = gr.Dropdown(H.base_choices(svc, H.user_of(svc, None), write=True) if open_ else [],
                                         value="default" if open_ else None, label="当前知识库（上传到这里，列表只显示它的文件）",
                                         elem_id="kc-k-base", scale=3)
                    k_all = gr.Checkbox(False, label="列出全部知识库的文件", elem_id="kc-k-all", scale=1)
                with gr.Accordion("管理知识库：新建、改名、权限、删除", open=False, elem_id="kc-b-box"):
                    b_overview = gr.Markdown(H.bases_md(svc, H.user_of(svc, None)) if open_ else "", elem_id="kc-b-md")
                    with gr.Row():
                        b_name = gr.Textbox(placeholder="知识库名称，如：人才政策库", show_label=False, scale=3,
                                            elem_id="kc-b-name")
                        b_create = gr.Button("新建", scale=1, elem_id="kc-b-create")
                        b_rename = gr.Button("把当前知识库改成这个名字", scale=1, elem_id="kc-b-rename")
                    with gr.Row():
                        b_readers = gr.CheckboxGroup(H.ROLE_CHOICES, value=["enterprise", "staff"],
                                                     label="谁可以检索（新建或保存时生效；管理员总是可以）",
                                                     elem_id="kc-b-readers", scale=3)
                        b_access = gr.Button("保存当前知识库的权限", scale=1, elem_id="kc-b-access")
                    with gr.Row():
                        b_delete = gr.Button("删除当前知识库……", variant="stop", elem_id="kc-b-delete")
                        b_confirm = gr.Button("确认删除（其中的文件一并删除，不可恢复）", variant="stop", visible=False,
                                              elem_id="kc-b-confirm")
                    b_status = gr.Markdown(elem_id="kc-b-status")
                with gr.Row():
                    with gr.Column(scale=2):
                        k_files = gr.File(file_count="multiple", label=f"上传文件（{'、'.join(H.allowed_uploads(svc))}；"
                                          f"单个不超过 {svc.settings.ingest.max_file_mb:g} MB；扫描件和图片自动 OCR）",
                                          type="filepath", elem_id="kc-k-upload")
                        with gr.Row():
                            k_btn = gr.Button("导入", variant="primary", elem_id="kc-k-go", scale=3)
                            k_stop = gr.Button("停止导入", elem_id="kc-k-stop", scale=1)
                    with gr.Column(scale=1):
                        k_status = gr.Textbox(label="导入结果", lines=6, elem_id="kc-k-status")
                k_table = gr.Dataframe(H.kb_table(svc, base="default") if open_ else [], headers=H.KB_HEADERS,
                                       label="已入库的来源", wrap=True, elem_id="kc-k-table")
                with gr.Row():
                    k_del_choice = gr.Dropdown(H.source_choices(svc, base="default") if open_ else [], value=None,
                                               label="删除来源", elem_id="kc-k-del-choice", scale=3)
                    k_del = gr.Button("删除……", variant="stop", elem_id="kc-k-del", scale=1)
                    k_del_confirm = gr.Button("确认删除", variant="stop", visible=False, elem_id="kc-k-del-confirm",
                                              scale=1)

                def _listing(user, base, all_bases):
                    """Table, pickers and counts after any change: the current base's files (or all readable)."""
                    shown = None if all_bases else base
                    choices = H.source_choices(svc, user, shown)
                    return (H.kb_table(svc, user, shown), H.kb_stats_md(svc), gr.update(choices=choices, value=None),
                            gr.update(choices=H.source_choices(svc, user)),
                            gr.update(choices=H.base_choices(svc, user, write=True)),
                            gr.update(choices=H.base_choices(svc, user)), H.bases_md(svc, user))

                listing_out = [k_table, k_stats, k_del_choice, f_sources, k_base, f_bases, b_overview]

                def _relist(base, all_bases, request: gr.Request):
                    user = H.user_of(svc, request.username)
                    if not user.may("documents"):
                        return (gr.update(),) * len(listing_out)
                    return _listing(user, base, all_bases)

                for trigger in (k_base.change, k_all.change):
                    trigger(_relist, [k_base, k_all], listing_out)

                def _upload(paths, base, all_bases, request: gr.Request, progress=gr.Progress()):  # noqa: B008
                    user = H.user_of(svc, request.username)
                    if not user.may("documents"):
                        return (NOT_STAFF, gr.update()) + (gr.update(),) * len(listing_out)
                    status, _, _ = H.upload_files(svc, paths, progress, user, base)
                    return (status, None) + _listing(user, base, all_bases)  # the upload box clears after import

                # the progress is shown once, on the result box (by default Gradio covered every output with it)
                k_btn.click(_upload, [k_files, k_base, k_all], [k_status, k_files, *listing_out],
                            show_progress_on=k_status)

                def _stop(request: gr.Request):
                    gr.Info(H.stop_upload(svc, H.user_of(svc, request.username)))

                k_stop.click(_stop, None, None)

                def _ask_delete(name):
                    if not name:
                        return "请先选择要删除的来源。", gr.update(visible=False)
                    return (f"确定删除“{name}”吗？它的分块和向量将一并删除。再点一次“确认删除”。",
                            gr.update(visible=True, value=f"确认删除 {name}"))

                k_del.click(_ask_delete, [k_del_choice], [k_status, k_del_confirm])
                k_del_choice.change(lambda: gr.update(visible=False), None, k_del_confirm)

                def _delete(name, base, all_bases, request: gr.Request):
                    user = H.user_of(svc, request.username)
                    if not user.may("documents"):
                        return (NOT_STAFF, gr.update(visible=False)) + (gr.update(),) * len(listing_out)
                    status, _, _ = H.delete_source(svc, name, user)
                    return (status, gr.update(visible=False)) + _listing(user, base, all_bases)

                k_del_confirm.click(_delete, [k_del_choice, k_base, k_all], [k_status, k_del_confirm, *listing_out])

                def _base_action(action):
                    def run(base, name, readers, all_bases, request: gr.Request):
                        user = H.user_of(svc, request.username)
                        hide = gr.update(visible=False)
                        new_id = None
                        if not user.may("documents"):
                            return (NOT_STAFF, hide) + (gr.update(),) * (len(listing_out) + 1)
                        if action == "ask-delete":
                            label = dict((v, k) for k, v in H.base_choices(svc, user)).get(base, base)
                            return (f"确定删除知识库 {label} 吗？其中的文件一并删除，不可恢复。再点一次确认。",
                                    gr.update(visible=True)) + (gr.update(),) * (len(listing_out) + 1)
                        if action == "create":
                            status, new_id = H.create_base(svc, user, name, readers)
                            base = new_id or base
                        elif action == "rename":
                            status = H.rename_base(svc, user, base, name)
                        elif action == "access":
                            status = H.set_base_readers(svc, user, base, readers)
                        else:
                            status = H.delete_base(svc, user, base)
                            base = "default" if not status.startswith("⚠️") else base
                        out = _listing(user, base, all_bases)
                        return (status, hide, *out[:4], gr.update(choices=H.base_choices(svc, user, write=True),
                                                                  value=base), *out[5:],
                                "" if action == "create" and new_id else gr.update())
                    return run

                b_inputs = [k_base, b_name, b_readers, k_all]
                b_outputs = [b_status, b_confirm, *listing_out, b_name]
                b_create.click(_base_action("create"), b_inputs, b_outputs)
                b_rename.click(_base_action("rename"), b_inputs, b_outputs)
                b_access.click(_base_action("access"), b_inputs, b_outputs)
                b_delete.click(_base_action("ask-delete"), b_inputs, b_outputs)
                b_confirm.click(_base_action("delete"), b_inputs, b_outputs)

                with gr.Accordion("命中测试：一个问题会检索到哪些段落", open=False, elem_id="kc-h-box"):
                    with gr.Row():
                        h_query = gr.Textbox(placeholder="输入问题，如：高企认定有效期几年", show_label=False, scale=4,
                                             elem_id="kc-h-query")
                        h_types = gr.CheckboxGroup(H.TYPE_CHOICES, label="类型（不选为全部）", scale=3)
                        h_btn = gr.Button("测试", scale=1, elem_id="kc-h-go")
                    h_only = gr.Checkbox(False, label="只测当前知识库", elem_id="kc-h-only")
                    h_status = gr.Markdown(elem_id="kc-h-status")
                    h_table = gr.Dataframe(headers=H.HIT_HEADERS, wrap=True, elem_id="kc-h-table")

                    def _hit_test(query, types, only, base, request: gr.Request):
                        user = H.user_of(svc, request.username)
                        if not user.may("documents"):
                            return NOT_STAFF, []
                        return H.hit_test_rows(svc, query, types, user, [base] if only and base else None)

                    for trigger in (h_query.submit, h_btn.click):
                        trigger(_hit_test, [h_query, h_types, h_only, k_base], [h_status, h_table])
                with gr.Accordion("查看分块：一个来源切成了哪些段落；修改或停用分块", open=False, elem_id="kc-c-box"):
                    c_choice = gr.Dropdown(H.source_choices(svc) if open_ else [], value=None, label="来源",
                                           elem_id="kc-c-choice")
                    c_status = gr.Markdown(elem_id="kc-c-status")
                    c_table = gr.Dataframe(headers=H.CHUNK_HEADERS, wrap=True, elem_id="kc-c-table")
                    c_pick = gr.Dropdown([], value=None, label="选择一个分块", elem_id="kc-c-pick")
                    c_text = gr.Textbox(label="分块正文（修改后保存：重新计算向量，并标记为已修改）", lines=6,
                                        elem_id="kc-c-text")
                    with gr.Row():
                        c_save = gr.Button("保存修改", variant="primary", elem_id="kc-c-save")
                        c_disable = gr.Button("停用（不再被检索）", elem_id="kc-c-disable")
                        c_enable = gr.Button("启用", elem_id="kc-c-enable")
                    c_msg = gr.Markdown(elem_id="kc-c-msg")

                    def _chunks(name, request: gr.Request):
                        user = H.user_of(svc, request.username)
                        if not user.may("documents"):
                            return NOT_STAFF, [], gr.update(choices=[], value=None)
                        status, rows, choices = H.chunk_rows(svc, name, user)
                        return status, rows, gr.update(choices=choices, value=None)

                    c_choice.change(_chunks, [c_choice], [c_status, c_table, c_pick])
                    def _sources_again(request: gr.Request):
                        return gr.update(choices=H.source_choices(svc, H.user_of(svc, request.username)))

                    k_table.change(_sources_again, None, c_choice)

                    def _pick(chunk_id, request: gr.Request):
                        user = H.user_of(svc, request.username)
                        return H.chunk_text(svc, chunk_id, user) if user.may("documents") else ""

                    c_pick.change(_pick, [c_pick], [c_text])

                    def _change(action):
                        def run(name, chunk_id, text, base, all_bases, request: gr.Request):
                            user = H.user_of(svc, request.username)
                            if not user.may("documents"):
                                return NOT_STAFF, gr.update(), gr.update(), gr.update(), gr.update()
                            msg = H.change_chunk(svc, user, chunk_id, action, text)
                            status, rows, choices = H.chunk_rows(svc, name, user)
                            return (msg, status, rows, gr.update(choices=choices, value=chunk_id),
                                    H.kb_table(svc, user, None if all_bases else base))
                        return run

                    c_inputs = [c_choice, c_pick, c_text, k_base, k_all]
                    c_outputs = [c_msg, c_status, c_table, c_pick, k_table]
                    c_save.click(_change("edit"), c_inputs, c_outputs)
                    c_disable.click(_change("disable"), c_inputs, c_outputs)
                    c_enable.click(_change("enable"), c_inputs, c_outputs)

                with gr.Accordion("用户反馈：逐条查看，导出为评测集草稿", open=False, elem_id="kc-fb-box"):
                    with gr.Row():
                        rv_rating = gr.Radio(H.FEEDBACK_FILTERS, value=0, label="评价", scale=2)
                        rv_text = gr.Textbox(placeholder="按问题、回答或说明中的文字筛选", show_label=False, scale=3)
                        rv_btn = gr.Button("查看", scale=1, elem_id="kc-fb-go")
                        rv_export = gr.DownloadButton("导出评测集草稿", scale=1, elem_id="kc-fb-export")
                    rv_status = gr.Markdown(elem_id="kc-fb-status")
                    rv_table = gr.Dataframe(headers=H.FEEDBACK_HEADERS, wrap=True, elem_id="kc-fb-table")

                    def _feedback(rating, text, request: gr.Request):
                        if not _may(request, "review"):
                            return NOT_STAFF, []
                        return H.feedback_rows(svc, rating, text)

                    def _feedback_export(rating, text, request: gr.Request):
                        if not _may(request, "review"):
                            return None
                        return H.export_feedback(svc, rating, text)

                    for trigger in (rv_btn.click, rv_text.submit):
                        trigger(_feedback, [rv_rating, rv_text], [rv_status, rv_table])
                    rv_export.click(_feedback_export, [rv_rating, rv_text], rv_export)

                gr.Markdown("### 从政策文件提取的支持事项（审核后才参与政策匹配）")
                with gr.Row():
                    d_choice = gr.Dropdown(H.draft_choices(svc), value=None, label="支持事项", elem_id="kc-d-choice",
                                           scale=3)
                    d_refresh = gr.Button("刷新列表", size="sm", scale=1)
                d_view = gr.Textbox(label="提取结果（条件均为原文）", lines=12, elem_id="kc-d-view")
                d_name = gr.Textbox(label="名称（可修改）", elem_id="kc-d-name")
                d_reject = gr.CheckboxGroup([], label="勾选要拒绝的条件（提取有误的）", elem_id="kc-d-reject")
                with gr.Row():
                    d_accept = gr.Button("接受", variant="primary", elem_id="kc-d-accept")
                    d_rej_btn = gr.Button("拒绝整项", variant="stop", elem_id="kc-d-rejectall")
                d_status = gr.Textbox(label="审核结果", elem_id="kc-d-status")
                d_choice.change(functools.partial(H.draft_view, svc), [d_choice], [d_view, d_reject, d_name])
                d_refresh.click(lambda: gr.update(choices=H.draft_choices(svc)), [], [d_choice])
                k_btn.click(lambda: gr.update(choices=H.draft_choices(svc)), [], [d_choice])

                def _review(draft_id, rejected, name, decision, username):
                    if not H.user_of(svc, username).may("review"):
                        return NOT_STAFF, gr.update(), gr.update()
                    status, view = H.review_draft(svc, draft_id, rejected, name, decision)
                    return status, view or gr.update(), gr.update(choices=H.draft_choices(svc), value=draft_id)

                def _accept(a, b, c, request: gr.Request):
                    return _review(a, b, c, "accept", request.username)

                def _reject(a, b, c, request: gr.Request):
                    return _review(a, b, c, "reject", request.username)

                d_accept.click(_accept, [d_choice, d_reject, d_name], [d_status, d_view, d_choice])
                d_rej_btn.click(_reject, [d_choice, d_reject, d_name], [d_status, d_view, d_choice])

        def _by_role(request: gr.Request):
            """With accounts, the staff tabs start hidden and are shown to the roles that may use them (Gradio
            can show a hidden tab on load but not hide a shown one); their handlers check the role as well. The
            pickers list what this user may read and write."""
            user = H.user_of(svc, request.username)
            staff = user.may("documents")
            writable = H.base_choices(svc, user, write=True)
            base = "default" if any(v == "default" for _, v in writable) else (writable[0][1] if writable else None)
            return (gr.update(visible=user.may("reports")), gr.update(visible=staff),
                    gr.update(choices=H.base_choices(svc, user)), gr.update(choices=H.source_choices(svc, user)),
                    gr.update(choices=writable, value=base) if staff else gr.update(),
                    H.kb_table(svc, user, base) if staff else [],
                    gr.update(choices=H.source_choices(svc, user, base)) if staff else gr.update(),
                    gr.update(choices=H.source_choices(svc, user)) if staff else gr.update(),
                    H.bases_md(svc, user) if staff else "")

        app.load(_by_role, None, [report_tab, kb_tab, f_bases, f_sources, k_base, k_table, k_del_choice, c_choice,
                                  b_overview])

        def ask(question: str) -> dict:
            """Ask one question; returns the answer as `kechuang ask --json` prints it."""
            try:
                return svc.assistant.ask(question).public_json()
            except Exception as exc:  # noqa: BLE001 - an API caller gets one sentence, not a traceback
                return {"error": H.friendly(exc)}

        gr.api(ask, api_name="ask")
    return app


class ExpiringSessions(dict):
    """Gradio's table of web sessions (login token → user name; ``App.tokens``, a plain dict that keeps a login
    forever) with an end: a token older than ``max_age`` seconds, or whose user ``alive`` no longer knows, is
    dropped when next looked at, and Gradio then treats the browser as logged out."""

    def __init__(self, max_age: float, alive=lambda name: True, clock=time.monotonic):
        super().__init__()
        self.max_age, self.alive, self.clock = max_age, alive, clock
        self._born: dict[str, float] = {}

    def __setitem__(self, token, user) -> None:
        self._born[token] = self.clock()
        super().__setitem__(token, user)

    def __delitem__(self, token) -> None:
        self._born.pop(token, None)
        super().__delitem__(token)

    def _valid(self, token) -> bool:
        if not super().__contains__(token):
            return False
        if self.clock() - self._born.get(token, 0.0) > self.max_age or not self.alive(super().__getitem__(token)):
            del self[token]
            return False
        return True

    def __contains__(self, token) -> bool:
        return self._valid(token)

    def __getitem__(self, token):
        if not self._valid(token):
            raise KeyError(token)
        return super().__getitem__(token)

    def get(self, token, default=None):
        return super().get(token, default) if self._valid(token) else default


def expire_sessions(gradio_app, svc: H.Services) -> None:
    """Give the web app's logins an end (``ui.session_hours``); with accounts, a removed user's login ends at once."""
    alive = (lambda name: svc.accounts.user(name) is not None) if svc.accounts.has_users() else (lambda name: True)
    gradio_app.tokens = ExpiringSessions(svc.settings.ui.session_hours * 3600, alive)


def is_loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def _services(settings: Settings, host: str):
    """The services and the web app's login; beyond localhost a login is required (accounts or a password)."""
    from assistant.errors import ConfigError

    svc = H.Services.create(settings)
    try:  # the index's consistency, checked and repaired at start-up (as `kechuang kb check --repair`)
        found = svc.kb.check(repair=True)
        if found["repaired"]:
            log.warning("index repaired at start-up: %d missing vectors embedded again, %d orphan vectors deleted",
                        found["missing_vectors"], found["orphan_vectors"])
    except WriterBusyError as exc:
        log.warning("index not checked at start-up: %s", exc)
    auth = H.gradio_auth(svc)
    if not is_loopback(host) and auth is None:
        raise ConfigError("在本机以外的地址提供服务时必须登录：用 kechuang user add 添加账号，或设置共用密码 "
                          "KECHUANG_UI__PASSWORD（用户名 KECHUANG_UI__USER，默认 admin）。")
    return svc, auth


class Running:
    """A server started in a thread by ``launch(block=False)``: its URL, and ``close()`` to stop it."""

    def __init__(self, server, thread, url: str):
        self._server, self._thread, self.url = server, thread, url

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


def launch(settings: Settings, host: str = "127.0.0.1", port: int = 7860, block: bool = True):
    """Start the web app alone (``kechuang ui``): the same guarded application as ``serve`` without the JSON API.
    Beyond localhost it requires a login (accounts, or KECHUANG_UI__PASSWORD). ``block=False`` returns a
    ``Running`` server once it accepts connections."""
    import threading

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(create_server(settings, host, api=False), host=host, port=port,
                                           log_level="warning"))
    if block:
        server.run()
        return None
    thread = threading.Thread(target=server.run, daemon=True, name="kechuang-ui")
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"网页界面没有在 {host}:{port} 启动（端口被占用？）。")
        time.sleep(0.05)
    return Running(server, thread, f"http://{host}:{port}/")


def create_server(settings: Settings, host: str = "127.0.0.1", api: bool = True):
    """One ASGI application: the JSON API at ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``, docs at
    ``/api/v1/docs``; left out when ``api`` is false) and the web app at ``/``, on one knowledge base. With
    accounts (or a shared password) both require a login: the API by HTTP Basic or an API key, except
    ``/api/v1/health``; the app by Gradio's login. Every response carries the content-security policy; on a
    loopback address foreign ``Host`` names and cross-site writes are refused; API requests time out."""
    from fastapi import FastAPI

    from ui.api import create_api

    svc, auth = _services(settings, host)
    server = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    if api:
        server.mount("/api/v1", create_api(svc))
    blocks = build_app(svc)
    blocks.queue(default_concurrency_limit=4)
    server = gr.mount_gradio_app(server, blocks, path="/", auth=auth, show_error=False, css=CSS,
                                 theme=gr.themes.Soft(), max_file_size=f"{int(settings.ingest.max_file_mb)}mb",
                                 footer_links=["api"] if api else [])
    expire_sessions(next(r.app for r in server.routes if getattr(r, "path", None) == ""), svc)
    server.add_middleware(RequestTimeout, seconds=settings.ui.request_timeout_s, prefix="/api/",
                          exclude=(("POST", "/documents"),))
    server.add_middleware(SameOriginGuard, loopback=is_loopback(host))
    server.add_middleware(SecurityHeaders)
    return server


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Run ``create_server`` with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_server(settings, host), host=host, port=port, log_level="warning")

