"""Waiting on a condition with a deadline: the only way tests wait (never a fixed sleep)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(pred: Callable[[], T], timeout_s: float = 30.0, what: str = "condition") -> T:
    """Poll ``pred`` until it returns something true, and return that; fail after ``timeout_s``.

    ``pred`` may raise (e.g. an assertion that the server is still alive) to fail at once.
    """
    deadline = time.monotonic() + timeout_s
    while not (value := pred()):
        assert time.monotonic() < deadline, f"timed out after {timeout_s} s waiting for {what}"
        time.sleep(0.02)
    return value
