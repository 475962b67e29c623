"""The versioned JSON API (``/api/v1``): the library's use cases over HTTP, for the 科创中国 platform and a 科协's
own sites. Every response is the JSON the CLI prints with ``--json`` (the same models); every error is JSON
``{"error": "<中文说明>", "kind": "<ErrorClass>"}`` with its status: 400 input that cannot be used (empty or
over-long question, unknown report type), 401 not logged in (a user's password by HTTP Basic, or an API key as a
Bearer token; with no accounts, the shared password if one is set), 403 a role that may not do this (企业用户 asks,
finds support and posts needs; 工作人员 also drafts reports and manages documents; 管理员 also users and keys),
404 an unknown session or document, 413 a file over the size limit, 415 a file type the assistant does not read, 502 the LLM endpoint
failed, 500 anything else (details in the log only).
"""

from __future__ import annotations

import base64
import json
import logging
import math
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from pydantic import BaseModel, Field

from assistant import usecases
from assistant.accounts import LOCAL_ADMIN, ROLES, AuthError, ForbiddenError, LockedOutError, User
from assistant.drafting.need_session import NeedSession
from assistant.errors import (
    AssistantError,
    ConfigError,
    InputError,
    NotFoundError,
    ProviderError,
    TooLargeError,
    UnsupportedTypeError,
)
from assistant.retrieval import SearchFilters
from assistant.support import EnterpriseProfile
from assistant.types import Answer
from ui import handlers as H

log = logging.getLogger(__name__)

SESSION_TTL_S = 2 * 3600  # a need conversation left this long is forgotten
MAX_SESSIONS = 2000

_STATUS: list[tuple[type[Exception], int]] = [
    (AuthError, 401), (ForbiddenError, 403), (NotFoundError, 404), (TooLargeError, 413), (UnsupportedTypeError, 415), (InputError, 400),
    (ProviderError, 502), (ConfigError, 500), (AssistantError, 400),
]


class Filters(BaseModel):
    types: list[str] | None = Field(None, description="policy / news / need / expert / achievement / organization / "
                                                       "service_team")
    regions: list[str] | None = Field(None, description="如 巴州、泰安市")
    sources: list[str] | None = None
    date_from: date | None = None
    date_to: date | None = None
    knowledge_bases: list[str] | None = Field(None, description="只检索这些知识库（id 或名称）；不填为当前账号可读的全部")

    def search_filters(self) -> SearchFilters:
        return SearchFilters(**self.model_dump(exclude={"knowledge_bases"}))


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class AskRequest(BaseModel):
    question: str = Field(..., description="问题", examples=["高企认定需要满足哪些条件？"])
    history: list[Turn] = Field(default_factory=list, description="此前的对话（追问时用）")
    filters: Filters | None = None
    stream: bool = Field(False, description="true：以 server-sent events 逐段返回，最后一个事件是完整回答")


class SearchRequest(BaseModel):
    query: str = Field(..., examples=["科技特派员"])
    k: int = Field(5, ge=1, le=50)
    filters: Filters | None = None
    mode: Literal["hybrid", "bm25", "dense"] | None = None


class SupportRequest(BaseModel):
    profile: EnterpriseProfile | None = None
    text: str | None = Field(None, examples=["我们是镇江市的新材料高企，职工180人，营收8000万元"])
    include_other_regions: bool = False


class NeedRequest(BaseModel):
    session_id: str | None = Field(None, description="上一轮返回的 session_id；不填则开始新的需求")
    message: str = Field(..., examples=["我们是巴州的棉花加工企业，想解决籽棉异性纤维清理不干净的问题，预算大概80万"])
    k: int = Field(8, ge=1, le=30)


class ReportRequest(BaseModel):
    region: str = Field(..., examples=["巴州"])
    period: str = Field(..., examples=["2023", "2023H1", "2023Q3", "2023-01..2023-06"])
    type: Literal["工作总结", "工作亮点", "试点城市建设进展"] = "工作总结"
    length: Literal["short", "standard", "long"] = "standard"
    format: Literal["json", "markdown", "docx"] = "json"


class HitTestRequest(BaseModel):
    query: str = Field(..., examples=["高企认定条件"])
    history: list[Turn] = Field(default_factory=list, description="对话上文：追问按对话中的方式改写后再检索")
    filters: Filters | None = None


class FeedbackRequest(BaseModel):
    question: str
    answer: str
    rating: Literal[1, -1] = Field(..., description="1 有用，-1 没用")
    comment: str = Field("", max_length=2000)


class BaseRequest(BaseModel):
    name: str = Field(..., examples=["人才政策库"])
    readers: list[str] | None = Field(None, description="可检索的角色（enterprise、staff）或用户（user:用户名）；"
                                                         "新建时默认 enterprise、staff")
    writers: list[str] | None = Field(None, description="可上传、删除、修改分块的角色或用户；新建时默认 staff")


class BaseUpdate(BaseModel):
    name: str | None = None
    readers: list[str] | None = None
    writers: list[str] | None = None


class ChunkUpdate(BaseModel):
    text: str | None = Field(None, description="新的正文（重新计算向量，标记为已修改）")
    disabled: bool | None = Field(None, description="true 停用（不再被检索），false 启用")


class Utf8Basic(HTTPBasic):
    """HTTP Basic whose user name and password may be Chinese (UTF-8, as curl and browsers send them; FastAPI's
    own reads ASCII only)."""

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        scheme, _, param = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            raw = base64.b64decode(param.strip(), validate=True)
        except ValueError as exc:
            raise AuthError("Authorization 头格式有误：应为 Basic base64(用户名:密码)。") from exc
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError:
            data = raw.decode("latin-1")
        username, sep, password = data.partition(":")
        if not sep:
            raise AuthError("Authorization 头格式有误：应为 Basic base64(用户名:密码)。")
        return HTTPBasicCredentials(username=username, password=password)


class UserRequest(BaseModel):
    name: str
    role: Literal["enterprise", "staff", "admin"] = Field(..., description="、".join(f"{k}（{v}）" for k, v in ROLES.items()))
    password: str


class KeyRequest(BaseModel):
    user: str
    label: str = ""


class NeedSessions:
    """Need conversations by id (the state itself is the library's ``NeedSession``), forgotten after a while."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, NeedSession]] = {}

    def get(self, session_id: str) -> NeedSession:
        with self._lock:
            self._expire()
            if session_id not in self._items:
                raise NotFoundError(f"没有编号为 {session_id} 的需求对话（可能已超过 {SESSION_TTL_S // 3600} 小时未继续）：不带 "
                                    "session_id 重新开始。")
            return self._items[session_id][1]

    def put(self, session_id: str, session: NeedSession) -> None:
        with self._lock:
            self._items[session_id] = (time.monotonic(), session)
            self._expire()

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, (t, _) in self._items.items() if now - t > SESSION_TTL_S]:
            del self._items[key]
        while len(self._items) > MAX_SESSIONS:
            del self._items[min(self._items, key=lambda k: self._items[k][0])]


class IngestJobs:
    """Uploads imported in the background, one job per request, so a caller can follow each file's progress
    (``GET /documents/jobs/{id}``). Finished jobs are kept for an hour."""

    KEEP_S = 3600

    def __init__(self) -> None:
        self._jobs: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def start(self, svc: H.Services, paths: list[Path], base: str, user: str) -> dict[str, Any]:
        job_id = uuid.uuid4().hex
        job = {"id": job_id, "state": "running", "knowledge_base": base, "user": user, "total": len(paths),
               "done": 0, "current": "", "files": [], "not_started": [], "started_at": time.time(),
               "finished_at": None, "stop": False}
        with self._lock:
            cutoff = time.time() - self.KEEP_S
            for k in [k for k, j in self._jobs.items() if (j["finished_at"] or time.time()) < cutoff]:
                del self._jobs[k]
            self._jobs[job_id] = job

        def progress(name: str, i: int, n: int) -> None:
            job["current"], job["done"] = name, i

        def run() -> None:
            try:
                report = svc.kb.ingest(paths, progress=progress, kb=base, on_file=lambda r: job["files"].append(r.__dict__),
                                       stop=lambda: job["stop"])
                job["not_started"] = report.not_started
                job["state"] = "stopped" if report.not_started else "done"
            except Exception as exc:  # noqa: BLE001 - the job reports it
                log.exception("background ingest failed")
                job["state"], job["error"] = "failed", H.friendly(exc)
            job["finished_at"] = time.time()

        threading.Thread(target=run, name=f"ingest-{job_id[:8]}", daemon=True).start()
        return dict(job)

    def stop(self, job_id: str, user: User) -> dict[str, Any]:
        """Ask a running job to stop: the file being read is abandoned, the files after it are not started."""
        self.get(job_id, user)
        self._jobs[job_id]["stop"] = True
        return self.get(job_id, user)

    def get(self, job_id: str, user: User) -> dict[str, Any]:
        job = self._jobs.get(job_id)
        if job is None or (job["user"] != user.name and user.role != "admin"):
            raise NotFoundError(f"没有导入任务 {job_id}（任务完成一小时后不再保留）。")
        return {**job, "files": list(job["files"])}


def error_response(exc: Exception) -> JSONResponse:
    status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
    message = H.friendly(exc)
    return JSONResponse({"error": message, "kind": type(exc).__name__}, status_code=status)


def create_api(svc: H.Services) -> FastAPI:
    """The API application, to be mounted at ``/api/v1`` (its OpenAPI at ``/api/v1/openapi.json``, docs at
    ``/api/v1/docs``)."""
    api = FastAPI(title="科创助手 API", version="1.0",
                  description="科创中国政策与平台数据助手：问答（附引用）、检索、政策匹配、需求发布、报告起草、知识库。"
                              "错误均为 JSON：{\"error\": 中文说明, \"kind\": 错误类型}。",
                  docs_url=None, redoc_url=None, openapi_url=None)  # served below, behind the login
    sessions = NeedSessions()
    jobs = IngestJobs()
    password = H.shared_password(svc)
    basic = Utf8Basic(auto_error=False, description="用户名和密码（kechuang user add 添加的账号；未建账号时为 "
                                                     "KECHUANG_UI__USER / KECHUANG_UI__PASSWORD）")
    bearer = HTTPBearer(auto_error=False, description="API 密钥（kechuang key create 生成，kc_ 开头）")

    def current_user(request: Request, credentials: HTTPBasicCredentials | None = Depends(basic),  # noqa: B008
                     token: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:  # noqa: B008
        """Who is calling: an API key, a user's password, or — with no accounts — the shared password, or
        nobody needed on an open localhost installation (no accounts, no password). Wrong keys count against the
        client's address, wrong passwords against the name (``accounts.Throttle``)."""
        if token is not None:
            return svc.accounts.verify_key(token.credentials, request.client.host if request.client else "")
        if svc.accounts.has_users():
            if credentials is None:
                raise AuthError("需要登录：用 HTTP Basic 提供用户名和密码，或用 Authorization: Bearer 提供 API 密钥。")
            return svc.accounts.verify(credentials.username, credentials.password)
        if password is None:
            return LOCAL_ADMIN
        if credentials is None:
            raise AuthError("需要登录：用 HTTP Basic 提供用户名和密码。")
        svc.accounts.verify_shared(credentials.username, credentials.password, svc.settings.ui.user, password)
        return LOCAL_ADMIN

    def allowed(action: str):
        """A dependency giving the caller, who must be allowed ``action``."""
        def check(user: User = Depends(current_user)) -> User:  # noqa: B008 - FastAPI's idiom
            user.require(action)
            return user
        return check

    def allow(action: str):
        return [Depends(allowed(action))]

    @api.exception_handler(AuthError)
    def _unauthorized(request: Request, exc: AuthError) -> JSONResponse:
        if isinstance(exc, LockedOutError):
            return JSONResponse({"error": str(exc), "kind": "LockedOutError"}, status_code=429,
                                headers={"Retry-After": str(math.ceil(exc.retry_after_s))})
        return JSONResponse({"error": str(exc), "kind": "AuthError"}, status_code=401,
                            headers={"WWW-Authenticate": 'Basic realm="kechuang"'})

    @api.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()) if x != "body")
        return JSONResponse({"error": f"请求格式有误：{where} {first.get('msg', '')}".strip(), "kind": "InputError",
                             "detail": json.loads(json.dumps(exc.errors(), default=str))}, status_code=400)

    @api.exception_handler(AssistantError)
    def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(exc)

    @api.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return error_response(exc)

    @api.get("/openapi.json", include_in_schema=False)
    def openapi(user: User = Depends(current_user)) -> JSONResponse:  # noqa: B008 - FastAPI's idiom
        return JSONResponse(api.openapi())

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request, user: User = Depends(current_user)):  # noqa: B008
        """Swagger UI from the ``swagger-ui-bundle`` package: the product runs offline, so no CDN."""
        from fastapi.openapi.docs import get_swagger_ui_html

        root = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(openapi_url=f"{root}/openapi.json", title="科创助手 API",
                                   swagger_js_url=f"{root}/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{root}/docs-assets/swagger-ui.css",
                                   swagger_favicon_url=f"{root}/docs-assets/favicon-32x32.png")

    @api.get("/docs-assets/{name}", include_in_schema=False)
    def docs_assets(name: str, user: User = Depends(current_user)) -> FileResponse:  # noqa: B008
        import swagger_ui_bundle

        if name not in {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}:
            raise NotFoundError(f"没有 {name}。")
        return FileResponse(Path(swagger_ui_bundle.swagger_ui_path) / name)

    @api.get("/health", summary="健康检查（无需登录）")
    def health() -> dict[str, Any]:
        stats = svc.kb.stats()
        return {"status": "ok", "mode": svc.assistant.mode_label, "documents": stats.get("documents"),
                "chunks": stats.get("chunks")}

    def scope(user: User, filters: Filters | None) -> SearchFilters | None:
        """The request's filters narrowed to the knowledge bases the caller may read (and asked for)."""
        kbs = usecases.search_scope(svc.kb, user, filters.knowledge_bases if filters else None)
        return usecases.scoped(filters.search_filters() if filters else None, kbs)

    @api.post("/ask", summary="提问：回答附引用；stream=true 时以 server-sent events 返回")
    def ask(req: AskRequest, user: User = Depends(allowed("ask"))):  # noqa: B008 - FastAPI's idiom
        question = svc.assistant.check_question(req.question)
        history = [t.model_dump() for t in req.history]
        filters = scope(user, req.filters)
        if not req.stream:
            return svc.assistant.ask(question, history, filters).public_json()
        pieces = svc.assistant.stream(question, history, filters)
        return StreamingResponse(_events(pieces), media_type="text/event-stream")

    @api.post("/search", summary="混合检索（BM25 + 向量）")
    def search(req: SearchRequest, user: User = Depends(allowed("search"))) -> list[dict[str, Any]]:  # noqa: B008
        if not req.query.strip():
            raise InputError("查询不能为空。")
        filters = scope(user, req.filters)
        return [usecases.hit_json(c) for c in svc.kb.search(req.query, k=req.k, filters=filters, mode=req.mode)]

    @api.post("/support", summary="哪些支持政策适用于我（企业画像或一段描述）")
    def support(req: SupportRequest, user: User = Depends(allowed("support"))) -> dict[str, Any]:  # noqa: B008
        if req.profile is None and not (req.text or "").strip():
            raise InputError("请提供企业画像（profile）或一段企业描述（text）。")
        report = usecases.find_support(svc.kb, profile=req.profile, text=req.text,
                                       include_other_regions=req.include_other_regions,
                                       kbs=usecases.search_scope(svc.kb, user))
        return report.model_dump(mode="json")

    @api.post("/needs/draft", summary="需求发布对话：session_id + message → 发布稿、下一个问题、匹配", dependencies=allow("needs"))
    def need_draft(req: NeedRequest) -> dict[str, Any]:
        if not req.message.strip():
            raise InputError("消息不能为空：请描述需求，或回答上一个问题。")
        session = sessions.get(req.session_id) if req.session_id else None
        draft = usecases.draft_need(svc.assistant, req.message, session, k=req.k)
        session_id = req.session_id or uuid.uuid4().hex
        sessions.put(session_id, draft.session)
        return {"session_id": session_id, **draft.public_json()}

    @api.post("/reports", summary="起草报告：JSON、Markdown 或 DOCX（公文格式）", dependencies=allow("reports"))
    def report(req: ReportRequest):
        rep = usecases.draft_report(svc.assistant, req.region, req.period, req.type, req.length)
        if req.format == "markdown":
            return Response(rep.markdown(), media_type="text/markdown; charset=utf-8")
        if req.format == "docx":
            with tempfile.TemporaryDirectory() as tmp:
                data = rep.docx(Path(tmp) / "report.docx").read_bytes()
            return Response(data, media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            headers={"Content-Disposition": "attachment; filename*=UTF-8''report.docx"})
        return rep.model_dump(mode="json")

    @api.get("/knowledge-bases", summary="知识库列表（当前账号可读的）：名称、文档数、分块数、读写权限")
    def bases(user: User = Depends(allowed("search"))) -> list[dict[str, Any]]:  # noqa: B008
        return [b for b in svc.kb.bases() if user.can_read(b)]

    @api.post("/knowledge-bases", summary="新建知识库（工作人员）")
    def create_base(req: BaseRequest, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return svc.kb.create_base(req.name, **{k: v for k, v in (("readers", req.readers), ("writers", req.writers))
                                               if v is not None})

    @api.patch("/knowledge-bases/{ref}", summary="改名或修改读写权限（可写该知识库的工作人员）")
    def update_base(ref: str, req: BaseUpdate, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        base_id = usecases.writable_base(svc.kb, user, ref)
        if req.name is not None:
            svc.kb.rename_base(base_id, req.name)
        if req.readers is not None or req.writers is not None:
            svc.kb.set_base_access(base_id, req.readers, req.writers)
        return svc.kb.base(base_id)

    @api.delete("/knowledge-bases/{ref}", summary="删除知识库及其中全部文件（可写该知识库的工作人员；默认知识库不能删除）")
    def delete_base(ref: str, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return {"removed": svc.kb.delete_base(usecases.writable_base(svc.kb, user, ref))}

    @api.get("/documents", summary="知识库中的文件（按标题）：知识库、类型、地区、日期、状态、分块数")
    def documents(knowledge_base: str | None = None,
                  user: User = Depends(allowed("documents"))) -> list[dict[str, Any]]:  # noqa: B008
        readable = set(usecases.readable_bases(svc.kb, user))
        only = svc.kb.base(knowledge_base)["id"] if knowledge_base else None
        return [r for r in svc.kb.list_files() if r["kb"] in readable and (only is None or r["kb"] == only)]

    @api.post("/documents", summary="上传并导入文件（multipart，可多个）；wait=false 时后台导入，返回任务编号")
    def upload(files: list[UploadFile] | None = File(None, description="一个或多个文件"),  # noqa: B008
               file: UploadFile | None = File(None, description="一个文件（与 files 相同，兼容旧的调用）"),  # noqa: B008
               knowledge_base: str | None = Form(None, description="导入到哪个知识库（id 或名称；默认知识库）"),
               wait: bool = Form(True, description="true：导入完成后返回结果；false：立即返回任务，用 GET /documents/jobs/{id} 查看进度"),
               user: User = Depends(allowed("documents"))):  # noqa: B008
        uploads = [*(files or []), *([file] if file is not None else [])]
        if not uploads:
            raise InputError("没有收到文件：用 multipart 字段 files（或 file）上传。")
        base = usecases.writable_base(svc.kb, user, knowledge_base)
        paths = [H.store_upload(svc, f.filename or "upload", f.file) for f in uploads]
        renamed = [note for f, p in zip(uploads, paths, strict=True) if (note := H.renamed_note(f.filename or "upload", p))]
        if not wait:
            return JSONResponse({**jobs.start(svc, paths, base, user.name), "renamed": renamed}, status_code=202)
        return {**svc.kb.ingest(paths, kb=base).as_dict(), "renamed": renamed}

    @api.get("/documents/jobs/{job_id}", summary="后台导入任务的进度：已完成的文件及其结果、正在导入的文件")
    def job(job_id: str, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return jobs.get(job_id, user)

    @api.delete("/documents/jobs/{job_id}", summary="停止后台导入：正在读取的文件放弃导入，其余文件不再导入；已导入的文件保留")
    def stop_job(job_id: str, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return jobs.stop(job_id, user)

    @api.delete("/documents/{name}", summary="删除一个文件（或一条记录）")
    def delete(name: str, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return {"removed": usecases.remove_document(svc.kb, user, name)}

    @api.post("/hit-test", summary="命中测试：问题检索到的段落（与对话完全相同的检索），含 BM25、向量与融合得分")
    def hit_test(req: HitTestRequest, user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        return usecases.hit_test(svc.assistant, req.query, [t.model_dump() for t in req.history], scope(user, req.filters))

    @api.get("/documents/{name}/chunks", summary="一个文件的分块：顺序、章节、位置、词元数、是否停用 / 已修改 / OCR")
    def chunks(name: str, user: User = Depends(allowed("documents"))) -> list[dict[str, Any]]:  # noqa: B008
        return usecases.document_chunks(svc.kb, name, user)

    @api.patch("/chunks/{chunk_id}", summary="修改分块正文（重新计算向量，标记为已修改），或停用 / 启用分块")
    def update_chunk(chunk_id: str, req: ChunkUpdate,
                     user: User = Depends(allowed("documents"))) -> dict[str, Any]:  # noqa: B008
        if req.text is None and req.disabled is None:
            raise InputError("请提供 text（新的正文）或 disabled（true 停用 / false 启用）。")
        out: dict[str, Any] = {}
        if req.text is not None:
            out = usecases.edit_chunk(svc.kb, user, chunk_id, req.text)
        if req.disabled is not None:
            out = usecases.set_chunk_disabled(svc.kb, user, chunk_id, req.disabled)
        return out

    @api.post("/feedback", summary="对回答的反馈（有用 / 没用）", dependencies=allow("feedback"))
    def feedback(req: FeedbackRequest) -> dict[str, Any]:
        if not req.question.strip():
            raise InputError("反馈需要对应的问题（question）。")
        answer = Answer(question=req.question, text=req.answer, settings_fingerprint=svc.settings.fingerprint())
        return {"id": svc.feedback.add(answer, req.rating, req.comment)}

    @api.get("/feedback", summary="反馈列表（可按 👍/👎 与文字筛选；工作人员）", dependencies=allow("review"))
    def feedback_list(rating: int | None = None, q: str | None = None) -> list[dict[str, Any]]:
        return svc.feedback.all(_rating(rating), q)

    @api.get("/feedback/golden", summary="反馈导出为评测集草稿（JSON Lines；👎 的参考答案留空待人工填写）",
             dependencies=allow("review"))
    def feedback_golden(rating: int | None = None, q: str | None = None) -> Response:
        lines = [json.dumps(c, ensure_ascii=False) for c in svc.feedback.golden_drafts(_rating(rating), q)]
        return Response("\n".join(lines) + ("\n" if lines else ""), media_type="application/x-ndjson; charset=utf-8")

    @api.get("/me", summary="当前账号与角色")
    def me(user: User = Depends(current_user)) -> dict[str, Any]:  # noqa: B008 - FastAPI's idiom
        return {"name": user.name, "role": user.role, "role_label": user.role_label}

    @api.get("/users", summary="账号列表（管理员）", dependencies=allow("users"))
    def users() -> list[dict[str, Any]]:
        return svc.accounts.users()

    @api.post("/users", summary="添加账号（管理员）", dependencies=allow("users"))
    def add_user(req: UserRequest) -> dict[str, Any]:
        user = svc.accounts.add_user(req.name, req.role, req.password)
        return {"name": user.name, "role": user.role, "role_label": user.role_label}

    @api.delete("/users/{name}", summary="删除账号及其 API 密钥（管理员）", dependencies=allow("users"))
    def remove_user(name: str) -> dict[str, Any]:
        svc.accounts.remove_user(name)
        return {"removed": name}

    @api.post("/keys", summary="为账号生成 API 密钥（管理员；密钥只显示这一次）", dependencies=allow("keys"))
    def create_key(req: KeyRequest) -> dict[str, Any]:
        key = svc.accounts.create_key(req.user, req.label)
        return {"user": req.user, "key": key, "prefix": key[:10]}

    return api


def _rating(value: int | None) -> int | None:
    if value not in (None, 1, -1):
        raise InputError("rating 只能是 1（有用）或 -1（没用），不填为全部。")
    return value


def _events(pieces: Iterator[str | Answer]) -> Iterator[str]:
    """Server-sent events: ``event: delta`` with each piece of text, then ``event: answer`` with the whole answer
    (the JSON of a non-streamed reply), or ``event: error``."""
    try:
        for piece in pieces:
            if isinstance(piece, Answer):
                yield f"event: answer\ndata: {json.dumps(piece.public_json(), ensure_ascii=False)}\n\n"
            else:
                yield f"event: delta\ndata: {json.dumps({'text': piece}, ensure_ascii=False)}\n\n"
    except Exception as exc:  # noqa: BLE001 - the stream has started: the error is its last event
        yield f"event: error\ndata: {json.dumps({'error': H.friendly(exc), 'kind': type(exc).__name__}, ensure_ascii=False)}\n\n"


__all__ = ["create_api", "error_response"]
