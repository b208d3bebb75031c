"""The layout holds: imports point down the data flow, no cycles, and ruff is clean.

Read from the code's own imports (ast), so a new arrow up fails here, not in review.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "workers", "chunking", "storage")

# Top to bottom: a module may import its own package and anything lower, never higher.
# (The README's "Layout" section draws the same order.)
RANK: dict[str, int] = {
    "pipeline.cli": 0,
    "pipeline.api": 1,
    "workers": 2,
    "pipeline.simulate": 2,
    "pipeline.jobs": 3,
    "pipeline.consolidate": 4,
    "pipeline.report": 5,
    "pipeline.analyze": 6,
    "pipeline.routing": 7,
    "pipeline.ingest": 8,
    "chunking": 8,
    "storage": 9,
    "pipeline.config": 10,
    "pipeline.telemetry": 10,
    "pipeline.errors": 11,
    "pipeline.types": 11,
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = ROOT / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Our modules ``path`` imports, anywhere in it (lazy imports inside functions count too)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in PACKAGES:
                continue
            subs = {f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}")}
            # `from pkg import submodule` is an arrow to the submodule, not to the package's __init__.
            out |= subs if subs and len(subs) == len(node.names) else {node.module, *subs}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] in PACKAGES}
    return out


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for top in PACKAGES for p in sorted((ROOT / top).rglob("*.py"))}


def _layer(module: str) -> str:
    for name in sorted(RANK, key=len, reverse=True):
        if module == name or module.startswith(name + "."):
            return name
    raise AssertionError(f"{module} is in no layer of RANK: add it (and to the README's Layout)")


def test_every_import_points_down() -> None:
    up = []
    for src, targets in _graph().items():
        for dst in targets:
            a, b = _layer(src), _layer(dst)
            if a != b and RANK[b] <= RANK[a]:
                up.append(f"{src} -> {dst}")
    assert not up, "imports pointing up (or sideways across layers):\n" + "\n".join(sorted(up))


def test_chunking_and_storage_use_only_the_leaf_modules_of_pipeline() -> None:
    bad = [f"{src} -> {dst}" for src, targets in _graph().items() if src.split(".")[0] in ("chunking", "storage")
           for dst in targets if dst.startswith("pipeline") and dst not in ("pipeline.errors", "pipeline.types")]  # fmt: skip
    assert not bad, bad


def test_only_entry_points_choose_an_executor() -> None:
    bad = [f"{src} -> {dst}" for src, targets in _graph().items()
           if src.startswith("pipeline") and not src.startswith(("pipeline.cli", "pipeline.api"))
           for dst in targets if dst.startswith("workers")]  # fmt: skip
    assert not bad, bad


def test_no_import_cycles() -> None:
    graph = {m: {t for t in ts if t != m} for m, ts in _graph().items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, cycles


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff").exists(),
                    reason="ruff is not installed")  # fmt: skip
def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    run = subprocess.run(
        [ruff, "check", *PACKAGES, "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout[-4000:]


# mypy --strict runs after pytest in the README's test command (and so in .ci/run): a cold
# run costs ~15 CPU-s, a twelfth of the suite, for a check that needs no test process.
