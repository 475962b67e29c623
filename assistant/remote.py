"""A running server used by the CLI: `kechuang search/ask --url URL` (or ``KECHUANG_URL``) sends the request to
`kechuang serve`'s API instead of opening the index, so that a script calling the CLI in a loop pays neither the
index's nor the embedding model's start-up each time. The JSON printed is the API's, which is the CLI's own."""

from __future__ import annotations

from typing import Any

from assistant.errors import AssistantError, InputError


class RemoteError(AssistantError):
    """The server could not be reached, refused the request, or answered with an error (its message)."""


def call(url: str, path: str, payload: dict[str, Any], api_key: str | None = None, timeout_s: float = 300.0) -> Any:
    """POST ``payload`` to ``{url}/api/v1{path}`` and return the JSON answer; errors carry the server's message."""
    import httpx

    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise InputError(f"服务地址应以 http:// 或 https:// 开头，收到 {url!r}（设置项 KECHUANG_URL 或 --url）。")
    if not base.endswith("/api/v1"):
        base += "/api/v1"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        r = httpx.post(base + path, json=payload, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise RemoteError(f"无法连接 {url}（{type(exc).__name__}）：服务是否在运行（kechuang serve）？地址和端口对吗？") from exc
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code >= 400:
        message = body.get("error") if isinstance(body, dict) else None
        hint = "；请用 KECHUANG_API_KEY 提供 API 密钥" if r.status_code == 401 else ""
        raise RemoteError(f"服务 {url} 返回 {r.status_code}：{message or r.text[:200]}{hint}")
    if body is None:
        raise RemoteError(f"服务 {url} 的回答不是 JSON：这个地址是科创助手（kechuang serve）吗？")
    return body


def filters(types: list[str] | None = None, regions: list[str] | None = None, sources: list[str] | None = None,
            date_from: str | None = None, date_to: str | None = None, kbs: list[str] | None = None) -> dict[str, Any]:
    """The API's ``filters`` object from the CLI's options (empty ones left out)."""
    out = {"types": types, "regions": regions, "sources": sources, "date_from": date_from, "date_to": date_to,
           "knowledge_bases": kbs}
    return {k: v for k, v in out.items() if v}
