"""A daemon thread that runs one function every so often until stopped (the API's access-log
flush, the retention sweep in ``longdoc serve``)."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Periodic:
    """``tick()`` every ``interval_s`` (first at once when ``first_now``) until ``stop()``."""

    def __init__(
        self, name: str, interval_s: float, tick: Callable[[], None], *, first_now: bool = False
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self.tick = tick
        self.first_now = first_now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        if not self.first_now and self._stop.wait(self.interval_s):
            return
        while True:
            self.tick()
            if self._stop.wait(self.interval_s):
                return
