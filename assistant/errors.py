"""The error hierarchy. Messages say what to do next; only the CLI and UI turn them into user text."""


class AssistantError(Exception):
    """Base class for every error the assistant raises on purpose."""

    retryable: bool = False


class ConfigError(AssistantError):
    """A setting is missing or wrong; the message names the setting to fix."""


class IngestError(AssistantError):
    """A file or record could not be ingested; the message names the file (and row, field)."""

    def __init__(self, message: str, *, source: str = "", row: int | None = None, field: str | None = None):
        self.source = source
        self.row = row
        self.field = field
        super().__init__(message)


class StoreError(AssistantError):
    """The vector store or the index on disk failed."""

    retryable = True


class EmbeddingError(AssistantError):
    """Computing embeddings failed."""

    retryable = True


class ProviderError(AssistantError):
    """An LLM or embeddings endpoint failed or is misconfigured."""

    def __init__(self, message: str, *, retryable: bool = False):
        self.retryable = retryable
        super().__init__(message)


class NotFoundError(AssistantError):
    """A thing asked for by name or id (a saved profile, a document, a session) does not exist."""


class InputError(AssistantError):
    """What the user sent cannot be used as it is (empty, too long, malformed); the message says what to send."""


class UnsupportedTypeError(InputError):
    """A file of a type the assistant does not read; the message lists the types it reads."""


class TooLargeError(InputError):
    """A file or text over its size limit; the message names the limit and the setting that raises it."""

