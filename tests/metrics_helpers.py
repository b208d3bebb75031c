"""Reading metrics back as Prometheus would: the project's own text-format parser."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import ParamSpec, TypeVar

from prometheus_client.parser import text_string_to_metric_families

from pipeline import telemetry

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
P = ParamSpec("P")
T = TypeVar("T")


def parse(text: str) -> Samples:
    """Every sample of a scrape, by name and label set."""
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every sample of ``name`` whose labels include ``labels``."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def scrape_here() -> Samples:
    """This process's metrics, rendered as /metrics would serve them."""
    body, content_type = telemetry.render({"local": 0})
    assert content_type.startswith("text/plain")
    return parse(body.decode())


def in_fresh_process(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args)`` in a new interpreter (spawned), its result or its exception back here.

    A process's metrics are global: in a test worker, jobs that earlier tests left running in
    their threads (a server's close lets running jobs finish) record into them too. Counting
    exact deltas needs a process where only the test records. ``fn`` must be module-level.
    """
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result(timeout=120)
