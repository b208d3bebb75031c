"""Every error longdoc reports to a user, with a stable code and the HTTP status the API answers.

The tree (code, HTTP status; a blank code is inherited)::

    LongdocError                      internal                 422  code, message, document, segment
    ├── InputError                    bad_input                422  the document itself is the problem
    │   ├── UnsupportedMediaType      unsupported_media_type   415
    │   ├── TooLarge                  too_large                413
    │   ├── EmptyDocument             empty_document           422
    │   ├── Unreadable                unreadable               422
    │   ├── Encrypted                 encrypted                422
    │   └── NoTextLayer               no_text_layer            422
    ├── Internal                      internal                 422  a bug or a crash (e.g. MemoryError), caught at the job boundary
    │   └── Poisoned                  poisoned                 422  the job crashed on every attempt; never resumed again
    ├── StorageError                  storage                  503
    │   ├── NotFound                  not_found                404
    │   └── LockTimeout               (storage)                503  job.json stayed locked by another writer (transient)
    ├── ConfigError                   config                   500
    │   └── BadPlaybook               bad_playbook             422  a review playbook file is not valid (line and field named)
    ├── ProviderError                 provider_error           422  a model endpoint refused or failed the call
    │   ├── CircuitOpen               circuit_open             422
    │   └── ContextTooLong            context_length_exceeded  422
    ├── InvalidOutput                 invalid_output           422  a model's answer is truncated or not schema-valid
    ├── OverBudget                    over_budget              402
    ├── NoModel                       no_model                 422
    ├── Canceled                      canceled                 422  the job's cancel marker was found
    ├── JobClosed                     job_closed               422  the job is already terminal: do no more work
    │   └── Gone                      gone                     410  the job was erased (its tombstone is all that is left)
    ├── BrokerUnavailable             broker_unavailable       503  the Celery broker (Redis) is unreachable
    ├── GaveUp                        retries_exhausted        422  transient errors outlasted every retry
    └── ApiError                      (the server's)           422  the CLI's client: a server's problem, code carried over

Codes are part of the public contract (CLI output, API problem+json, batch tables):
never rename one. Messages are for people and may change. ``ERROR_CODES`` is read off the
classes below, and ``pipeline/api/problems.py`` reads each class's ``http_status``: a new error
is one class here, nothing else to keep in step. Statuses are what the API answered before they
moved onto the classes (422 was its answer for any code it did not list).
"""

from __future__ import annotations


class LongdocError(Exception):
    """Base of every error longdoc raises on purpose."""

    code: str = "internal"
    http_status: int = 422  # the API's answer to a code it did not list, kept when statuses moved here

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


# -- the document ----------------------------------------------------------------------------
class InputError(LongdocError):
    code = "bad_input"
    http_status = 422


class UnsupportedMediaType(InputError):
    code = "unsupported_media_type"
    http_status = 415


class TooLarge(InputError):
    code = "too_large"
    http_status = 413


class EmptyDocument(InputError):
    code = "empty_document"


class Unreadable(InputError):
    code = "unreadable"


class Encrypted(InputError):
    code = "encrypted"


class NoTextLayer(InputError):
    code = "no_text_layer"


# -- crashes -----------------------------------------------------------------------------------
class Internal(LongdocError):
    code = "internal"


class Poisoned(Internal):
    code = "poisoned"


# -- storage and configuration -----------------------------------------------------------------
class StorageError(LongdocError):
    code = "storage"
    http_status = 503


class NotFound(StorageError):
    code = "not_found"
    http_status = 404


class LockTimeout(StorageError):
    """job.json stayed locked by another writer (transient: the task retries)."""


class ConfigError(LongdocError):
    code = "config"
    http_status = 500


class BadPlaybook(ConfigError):
    """A review playbook (YAML) that does not parse or validate; the message names line and field."""

    code = "bad_playbook"
    http_status = 422


# -- models and routing ------------------------------------------------------------------------
class ProviderError(LongdocError):
    code = "provider_error"
    # Every attempt made before the call failed (routing.providers.Attempt), so it can be metered.
    attempts: tuple[object, ...] = ()


class CircuitOpen(ProviderError):
    code = "circuit_open"


class ContextTooLong(ProviderError):
    code = "context_length_exceeded"


class InvalidOutput(LongdocError):
    code = "invalid_output"


class OverBudget(LongdocError):
    code = "over_budget"
    http_status = 402


class NoModel(LongdocError):
    code = "no_model"


# -- jobs and their executors ------------------------------------------------------------------
class Canceled(LongdocError):
    """The job's cancel marker was found: stop before the next model call."""

    code = "canceled"


class JobClosed(LongdocError):
    """The job already reached a terminal status (e.g. the watchdog failed it): do no more work."""

    code = "job_closed"


class Gone(JobClosed):
    """The job was erased: only its tombstone is left, and nothing may be written under it again."""

    code = "gone"
    http_status = 410


class BrokerUnavailable(LongdocError):
    code = "broker_unavailable"
    http_status = 503


class GaveUp(LongdocError):
    """Transient errors outlasted every retry (not retried again: the job fails)."""

    code = "retries_exhausted"


# -- the API's client --------------------------------------------------------------------------
class ApiError(LongdocError):
    """A longdoc server's problem, as the CLI's client sees it: the server's own code and status.

    ``status`` is the HTTP answer (0: no connection; 200: the job itself failed), so it is not
    made the class's ``http_status``: this error is never answered by our API.
    """

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def _tree(cls: type[LongdocError]) -> list[type[LongdocError]]:
    return [cls, *(c for sub in cls.__subclasses__() for c in _tree(sub))]


# Read off the classes above when this module loads (no other module can have added one yet);
# tests/test_errors.py checks that no LongdocError subclass is defined anywhere else.
ERROR_CLASSES: tuple[type[LongdocError], ...] = tuple(_tree(LongdocError))
ERROR_CODES: tuple[str, ...] = tuple(sorted({cls.code for cls in ERROR_CLASSES}))
