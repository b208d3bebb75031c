"""One error tree: every coded error is a class in ``pipeline/errors.py``, its code and HTTP status
are class attributes, and the code table and the API's statuses are read off those classes.

Codes are a public contract (CLI output, API problem+json, batch tables), so the tree is checked
from every module of our packages, not from what ``pipeline.errors`` happens to list.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from pipeline import errors
from pipeline.api.app import create_app
from pipeline.api.problems import PROBLEM_JSON, STATUS_BY_CODE
from pipeline.config import ApiConfig, Settings, StorageConfig
from pipeline.errors import ERROR_CLASSES, ERROR_CODES, LongdocError

PACKAGES = ("pipeline", "workers", "chunking", "storage")

# Classes still defined outside pipeline/errors.py, each waiting for a one-line change in a file
# being edited elsewhere: `from pipeline.errors import <Name>` instead of the local class. Each
# has its twin (same name, bases and code) in pipeline.errors already. Delete an entry once its
# change has landed; a new class outside pipeline/errors.py fails below.
AWAITING_MOVE: frozenset[str] = frozenset()

# The classes that declare no code of their own, and why inheriting one is right for them.
INHERITS_ITS_CODE: dict[str, str] = {
    "LockTimeout": "callers treat it as any storage error (code storage, transient)",
    "ApiError": "carries the server's code, set on each instance",
}


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@functools.cache
def _import_everything() -> dict[str, str]:
    """Import every module of our packages; returns the ones skipped, with why."""
    skipped: dict[str, str] = {}

    def failed(name: str) -> None:  # a package whose __init__ failed: its modules go unseen
        skipped[name] = "the package failed to import"

    for top in PACKAGES:
        pkg = importlib.import_module(top)
        for info in pkgutil.walk_packages(pkg.__path__, top + ".", onerror=failed):
            if info.name.rsplit(".", 1)[-1] == "__main__":
                skipped[info.name] = "importing it runs the program"  # defines nothing of its own
                continue
            try:
                importlib.import_module(info.name)
            except ModuleNotFoundError as exc:
                if exc.name and exc.name.split(".")[0] in PACKAGES:
                    raise  # one of ours is missing: a real breakage, not an optional dependency
                skipped[info.name] = f"optional dependency {exc.name!r} is not installed"
    return skipped


def _subclasses(cls: type[LongdocError]) -> Iterator[type[LongdocError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours() -> list[type[LongdocError]]:
    """Every LongdocError subclass our packages define (tests may define their own: not counted)."""
    _import_everything()
    return [c for c in _subclasses(LongdocError) if c.__module__.split(".")[0] in PACKAGES]


def _tree() -> list[type[LongdocError]]:
    return [LongdocError, *(c for c in _ours() if c.__module__ == errors.__name__)]


def test_modules_skipped_while_looking_for_error_classes() -> None:
    skipped = _import_everything()
    optional = {m: why for m, why in skipped.items() if why != "importing it runs the program"}
    if optional:
        pytest.skip(
            "not searched for error classes: " + "; ".join(f"{m} ({why})" for m, why in optional.items())
        )


def test_every_coded_error_is_defined_in_pipeline_errors() -> None:
    outside = {_name(c) for c in _ours() if c.__module__ != errors.__name__}
    assert outside <= AWAITING_MOVE, f"define these in pipeline/errors.py: {sorted(outside - AWAITING_MOVE)}"
    for name in sorted(outside):
        here = next(c for c in _ours() if _name(c) == name)
        twin = getattr(errors, here.__name__, None)
        assert isinstance(twin, type) and issubclass(twin, LongdocError), (
            f"{name} has no twin in pipeline.errors"
        )
        assert [b.__name__ for b in here.__mro__] == [b.__name__ for b in twin.__mro__], name
        # The old class has no http_status of its own: the API answers it by its code.
        assert (here.code, STATUS_BY_CODE.get(here.code, here.http_status)) == (
            twin.code,
            twin.http_status,
        ), name


def test_the_derived_tables_are_the_tree() -> None:
    tree = _tree()
    assert list(ERROR_CLASSES) == tree  # nothing added to pipeline.errors after it was read
    assert set(ERROR_CODES) == {c.code for c in tree}
    assert list(ERROR_CODES) == sorted(set(ERROR_CODES))
    assert {c.code: c.http_status for c in tree} == STATUS_BY_CODE


def test_a_code_belongs_to_one_class_or_to_one_line_of_descent() -> None:
    by_code: dict[str, list[type[LongdocError]]] = {}
    for cls in _tree():
        if "code" in vars(cls):
            by_code.setdefault(cls.code, []).append(cls)
        else:
            assert cls.__name__ in INHERITS_ITS_CODE, f"{cls.__name__} needs a code of its own"
    assert {c.__name__ for c in _tree() if "code" not in vars(c)} == set(INHERITS_ITS_CODE)
    for code, owners in by_code.items():
        for a in owners:
            for b in owners:
                assert issubclass(a, b) or issubclass(b, a), f"{code!r}: {a.__name__} and {b.__name__}"
    # What exists today: the base's default is Internal's code (Internal is the explicit one).
    assert {code: [c.__name__ for c in owners] for code, owners in by_code.items() if len(owners) > 1} == {
        "internal": ["LongdocError", "Internal"]
    }


def test_the_module_docstring_draws_the_tree() -> None:
    drawn: list[tuple[str, str | None, str | None, int]] = []  # name, parent, own code, status
    stack: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        m = re.match(r"^ {4}[│├└─ ]*?(\w+)\s+(\(.*?\)|\w+)\s+(\d{3})\b", line)
        if m:
            depth = (m.start(1) - 4) // 4
            del stack[depth:]
            code = None if m[2].startswith("(") else m[2]  # an inherited code is drawn in parentheses
            drawn.append((m[1], stack[-1] if stack else None, code, int(m[3])))
            stack.append(m[1])
    real = [
        (
            c.__name__,
            c.__bases__[0].__name__ if c is not LongdocError else None,
            vars(c).get("code"),
            c.http_status,
        )
        for c in _tree()
    ]
    assert drawn == real


# -- what the API answers ----------------------------------------------------------------------
KEY = "key-acme-0123456789"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        storage=StorageConfig(dir=tmp_path / "store"),
        api=ApiConfig(keys={hashlib.sha256(KEY.encode()).hexdigest(): "acme"}),
    )
    app = create_app(settings)
    _add_raiser(app)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _add_raiser(app: FastAPI) -> None:
    """A route raising any class of the tree, so each one's answer goes through the real handlers."""
    by_name = {c.__name__: c for c in ERROR_CLASSES}

    def raise_it(name: str) -> None:
        cls = by_name[name]
        raise cls("code", "raised on purpose", 0) if cls is errors.ApiError else cls("raised on purpose")

    app.add_api_route("/_test/raise/{name}", raise_it, methods=["GET"])


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_class_answers_its_http_status(client: TestClient, cls: type[LongdocError]) -> None:
    r = client.get(f"/_test/raise/{cls.__name__}")
    body = r.json()
    code = "code" if cls is errors.ApiError else cls.code  # ApiError's code is the instance's
    assert (r.status_code, body["status"], body["code"]) == (cls.http_status, cls.http_status, code), r.text
    assert r.headers["content-type"] == PROBLEM_JSON and body["type"].endswith("/" + code)
    assert 400 <= cls.http_status < 600


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, errors.UnsupportedMediaType),
        (b"", errors.EmptyDocument),
        (b"PK\x03\x04 not really a zip", errors.Unreadable),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_a_real_upload_answers_its_class_status(
    client: TestClient, data: bytes, cls: type[LongdocError]
) -> None:
    r = client.post(
        "/v1/jobs",
        files={"file": ("bad.bin", data, "text/plain")},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert (r.status_code, r.json()["code"]) == (cls.http_status, cls.code), r.text
    assert r.headers["content-type"] == PROBLEM_JSON


def test_a_real_missing_document_answers_not_found(client: TestClient) -> None:
    r = client.post(
        "/v1/jobs", json={"document_key": "documents/missing.txt"}, headers={"Authorization": f"Bearer {KEY}"}
    )
    assert (r.status_code, r.json()["code"]) == (errors.NotFound.http_status, errors.NotFound.code), r.text
