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
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer
from pydantic import BaseModel, Field

from assistant import usecases
from assistant.accounts import LOCAL_ADMIN, ROLES, AuthError, ForbiddenError, User
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

    def search_filters(self) -> SearchFilters:
        return SearchFilters(**self.model_dump())


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
                  docs_url="/docs", redoc_url=None, openapi_url="/openapi.json")
    sessions = NeedSessions()
    password = H.shared_password(svc)
    basic = Utf8Basic(auto_error=False, description="用户名和密码（kechuang user add 添加的账号；未建账号时为 "
                                                     "KECHUANG_UI__USER / KECHUANG_UI__PASSWORD）")
    bearer = HTTPBearer(auto_error=False, description="API 密钥（kechuang key create 生成，kc_ 开头）")

    def current_user(credentials: HTTPBasicCredentials | None = Depends(basic),  # noqa: B008 - FastAPI's idiom
                     token: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:  # noqa: B008
        """Who is calling: an API key, a user's password, or — with no accounts — the shared password, or
        nobody needed on an open localhost installation (no accounts, no password)."""
        if token is not None:
            return svc.accounts.verify_key(token.credentials)
        if svc.accounts.has_users():
            if credentials is None:
                raise AuthError("需要登录：用 HTTP Basic 提供用户名和密码，或用 Authorization: Bearer 提供 API 密钥。")
            return svc.accounts.verify(credentials.username, credentials.password)
        if password is None:
            return LOCAL_ADMIN
        if credentials is not None and secrets.compare_digest(credentials.username.encode(), svc.settings.ui.user.encode()) \
                and secrets.compare_digest(credentials.password.encode(), password.encode()):
            return LOCAL_ADMIN
        raise AuthError("需要登录：用 HTTP Basic 提供用户名和密码。")

    def allow(action: str):
        def check(user: User = Depends(current_user)) -> User:  # noqa: B008 - FastAPI's idiom
            user.require(action)
            return user
        return [Depends(check)]

    @api.exception_handler(AuthError)
    def _unauthorized(request: Request, exc: AuthError) -> JSONResponse:
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

    @api.get("/health", summary="健康检查（无需登录）")
    def health() -> dict[str, Any]:
        stats = svc.kb.stats()
        return {"status": "ok", "mode": svc.assistant.mode_label, "documents": stats.get("documents"),
                "chunks": stats.get("chunks")}

    @api.post("/ask", summary="提问：回答附引用；stream=true 时以 server-sent events 返回", dependencies=allow("ask"))
    def ask(req: AskRequest):
        question = svc.assistant.check_question(req.question)
        history = [t.model_dump() for t in req.history]
        filters = req.filters.search_filters() if req.filters else None
        if not req.stream:
            return svc.assistant.ask(question, history, filters).public_json()
        pieces = svc.assistant.stream(question, history, filters)
        return StreamingResponse(_events(pieces), media_type="text/event-stream")

    @api.post("/search", summary="混合检索（BM25 + 向量）", dependencies=allow("search"))
    def search(req: SearchRequest) -> list[dict[str, Any]]:
        if not req.query.strip():
            raise InputError("查询不能为空。")
        filters = req.filters.search_filters() if req.filters else None
        return [usecases.hit_json(c) for c in svc.kb.search(req.query, k=req.k, filters=filters, mode=req.mode)]

    @api.post("/support", summary="哪些支持政策适用于我（企业画像或一段描述）", dependencies=allow("support"))
    def support(req: SupportRequest) -> dict[str, Any]:
        if req.profile is None and not (req.text or "").strip():
            raise InputError("请提供企业画像（profile）或一段企业描述（text）。")
        report = usecases.find_support(svc.kb, profile=req.profile, text=req.text,
                                       include_other_regions=req.include_other_regions)
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

    @api.get("/documents", summary="知识库中的文件：状态、分块数", dependencies=allow("documents"))
    def documents() -> list[dict[str, Any]]:
        return svc.kb.list_files()

    @api.post("/documents", summary="上传并导入文件（multipart）", dependencies=allow("documents"))
    def upload(file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008 - FastAPI's idiom
        path = H.store_upload(svc, file.filename or "upload", file.file)
        return svc.kb.ingest([path]).as_dict()

    @api.delete("/documents/{name}", summary="删除一个文件（或一条记录）", dependencies=allow("documents"))
    def delete(name: str) -> dict[str, Any]:
        return {"removed": svc.kb.remove(name)}

    @api.post("/hit-test", summary="命中测试：问题检索到的段落（与对话完全相同的检索），含 BM25、向量与融合得分",
              dependencies=allow("documents"))
    def hit_test(req: HitTestRequest) -> dict[str, Any]:
        filters = req.filters.search_filters() if req.filters else None
        return usecases.hit_test(svc.assistant, req.query, [t.model_dump() for t in req.history], filters)

    @api.get("/documents/{name}/chunks", summary="一个文件的分块：顺序、章节、位置、词元数", dependencies=allow("documents"))
    def chunks(name: str) -> list[dict[str, Any]]:
        return usecases.document_chunks(svc.kb, name)

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
