"""The one way to call a chat model: ``complete``, ``stream`` and ``structured`` (a reply parsed as JSON with
LangChain's ``JsonOutputParser``, validated into a pydantic model), with the single mapping of provider
failures to ``ProviderError``. Features never catch a bare ``Exception`` around a model call: they catch
``ProviderError`` and say in their result that the model failed (``LLM_FAILED_NOTE``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from assistant.errors import ProviderError

LLM_FAILED_NOTE = "大模型调用失败，以下为离线草稿"
T = TypeVar("T")


def map_error(exc: BaseException) -> ProviderError:
    """A provider failure as one clear ProviderError naming what to check."""
    import openai

    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.AuthenticationError):
        return ProviderError("大模型服务拒绝了密钥：请检查 KECHUANG_LLM__API_KEY 或服务商的密钥环境变量。")
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return ProviderError("无法连接大模型服务：请检查 KECHUANG_LLM__BASE_URL 与网络。", retryable=True)
    if isinstance(exc, openai.APIError):
        return ProviderError(f"大模型服务出错（{type(exc).__name__}），请稍后重试。", retryable=True)
    return ProviderError(f"大模型调用失败（{type(exc).__name__}）。", retryable=True)


def _provider_failures() -> tuple[type[BaseException], ...]:
    import httpx
    import openai

    return (openai.APIError, httpx.HTTPError, ProviderError)


class LLMGateway:
    """Wraps a LangChain chat model (ChatOpenAI for every provider, or a fake in tests)."""

    def __init__(self, chat_model):
        self.chat_model = chat_model

    def complete(self, messages: list) -> Any:
        try:
            return self.chat_model.invoke(messages)
        except _provider_failures() as exc:
            raise map_error(exc) from exc

    def stream(self, messages: list) -> Iterator[Any]:
        try:
            yield from self.chat_model.stream(messages)
        except _provider_failures() as exc:
            raise map_error(exc) from exc

    def structured(self, messages: list, schema: type[T] | Any) -> T:
        """The reply parsed as JSON (a fenced ```json block is fine) and validated into ``schema`` (a pydantic
        model or any type a TypeAdapter accepts, e.g. ``list[dict]``)."""
        from langchain_core.exceptions import OutputParserException
        from langchain_core.output_parsers import JsonOutputParser

        reply = self.complete(messages)
        try:
            data = JsonOutputParser().parse(reply.content)
        except OutputParserException as exc:
            raise ProviderError("大模型没有返回可解析的 JSON，请重试或换用更强的模型。", retryable=True) from exc
        try:
            if isinstance(schema, type) and issubclass(schema, BaseModel):
                return schema.model_validate(data)  # type: ignore[return-value]
            return TypeAdapter(schema).validate_python(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ProviderError(f"大模型返回的 JSON 不符合要求：{'.'.join(map(str, first['loc']))} {first['msg']}。",
                                retryable=True) from exc
