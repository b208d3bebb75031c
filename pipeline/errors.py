"""Every error longdoc reports to a user, with a stable code.

The tree::

    LongdocError                      code, message, document, segment
    ├── InputError                    the document itself is the problem
    │   ├── UnsupportedMediaType      unsupported_media_type
    │   ├── TooLarge                  too_large
    │   ├── EmptyDocument             empty_document
    │   ├── Unreadable                unreadable
    │   ├── Encrypted                 encrypted
    │   └── NoTextLayer               no_text_layer
    ├── Internal                      internal (a bug or a crash, e.g. MemoryError, caught at the job boundary)
    │   └── Poisoned                  poisoned (the job crashed on every attempt; never resumed again)
    ├── StorageError                  storage
    │   └── NotFound                  not_found
    └── ConfigError                   config

Codes are part of the public contract (CLI output, API problem+json, batch tables):
never rename one. Messages are for people and may change.
"""

from __future__ import annotations


class LongdocError(Exception):
    """Base of every error longdoc raises on purpose."""

    code: str = "internal"

    def __init__(self, message: str, *, document: str | None = None, segment: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.document = document
        self.segment = segment

    def with_document(self, document: str) -> LongdocError:
        """Attach the document this error concerns, if not already known."""
        if self.document is None:
            self.document = document
        return self

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"code": self.code, "message": self.message}
        if self.document is not None:
            out["document"] = self.document
        if self.segment is not None:
            out["segment"] = self.segment
        return out

    def one_line(self) -> str:
        where = f"{self.document}: " if self.document else ""
        return f"{where}error[{self.code}] {self.message}"

    def __str__(self) -> str:
        return self.one_line()


class InputError(LongdocError):
    code = "bad_input"


class UnsupportedMediaType(InputError):
    code = "unsupported_media_type"


class TooLarge(InputError):
    code = "too_large"


class EmptyDocument(InputError):
    code = "empty_document"


class Unreadable(InputError):
    code = "unreadable"


class Encrypted(InputError):
    code = "encrypted"


class NoTextLayer(InputError):
    code = "no_text_layer"


class Internal(LongdocError):
    code = "internal"


class Poisoned(Internal):
    code = "poisoned"


class StorageError(LongdocError):
    code = "storage"


class NotFound(StorageError):
    code = "not_found"


class ConfigError(LongdocError):
    code = "config"


ERROR_CODES: tuple[str, ...] = tuple(
    sorted(
        {
            cls.code
            for cls in (
                LongdocError,
                InputError,
                UnsupportedMediaType,
                TooLarge,
                EmptyDocument,
                Unreadable,
                Encrypted,
                NoTextLayer,
                Internal,
                Poisoned,
                StorageError,
                NotFound,
                ConfigError,
            )
        }
    )
)
