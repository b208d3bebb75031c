"""The bundled example is reproducible: bench/make_example.py regenerates it byte for byte."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"
GENERATOR = ROOT / "bench" / "make_example.py"

# Pinned so that an edit to the example, or to its generator and data, is a deliberate change:
# regenerate with `python bench/make_example.py` and update this constant in the same commit.
EXAMPLE_SHA256 = "094b137b8600e332968ccb6d6abbbf3f06ae651338b85d5e2ff565976c51b308"


def _generator() -> ModuleType:
    # bench/ is not a package: load the script by path, in-process (faster than a subprocess).
    spec = importlib.util.spec_from_file_location("make_example", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_example_has_the_pinned_sha256() -> None:
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() == EXAMPLE_SHA256


def test_generator_output_has_the_pinned_sha256() -> None:
    data = _generator().build_document().encode("utf-8")
    committed = EXAMPLE.read_bytes()
    if data != committed:  # name the first differing line rather than dump 870 KB
        new, old = data.decode().splitlines(), committed.decode().splitlines()
        i = next(
            (i for i, (a, b) in enumerate(zip(new, old, strict=False)) if a != b), min(len(new), len(old))
        )
        line = new[i] if i < len(new) else "<end of text>"
        raise AssertionError(
            f"generated example differs from the committed file at line {i + 1}: {line[:200]!r}"
        )
    assert hashlib.sha256(data).hexdigest() == EXAMPLE_SHA256
