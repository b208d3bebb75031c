"""A command whose extra is not installed says which one in one line and exits 2, never a trace.

Packages cannot be uninstalled from the test environment, so a child process sets them to
``None`` in ``sys.modules``: ``import fastapi`` then raises ``ModuleNotFoundError`` exactly as
when it is missing, and ``importlib.util.find_spec`` returns ``None`` for it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.common import EXTRA_OF, MissingExtra, run_command

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"
ALL_OPTIONAL = ",".join(EXTRA_OF)

CHILD = """
import sys
for name in filter(None, sys.argv[1].split(",")):
    sys.modules[name] = None  # as if not installed
from pipeline.cli.main import main
raise SystemExit(main(sys.argv[2:]))
"""


def without(missing: str, args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    base |= {"LONGDOC_STORAGE_DIR": str(tmp_path / "store"), **env}
    return subprocess.run([sys.executable, "-c", CHILD, missing, *args], capture_output=True, text=True,
                          env=base, cwd=tmp_path, timeout=120)  # fmt: skip


@pytest.mark.parametrize(
    ("missing", "args", "env", "extra"),
    [
        ("fastapi", ["serve", "--port", "1"], {}, "service"),
        ("uvicorn", ["serve", "--dev", "--port", "1"], {}, "service"),
        ("fastapi", ["simulate-llm", "--port", "1"], {}, "service"),
        ("openpyxl", ["batch", str(EXAMPLE)], {}, "service"),
        ("celery", ["worker"], {}, "distributed"),
        ("openai", ["analyze", "--model", "auto", str(EXAMPLE)], {}, "llm"),
        ("openai", ["analyze", "--model", "gpt-5.1-instant", str(EXAMPLE)], {}, "llm"),
        ("redis", ["analyze", str(EXAMPLE)], {"LONGDOC_EXECUTOR": "celery"}, "distributed"),
        ("redis", ["analyze", str(EXAMPLE)], {"LONGDOC_DAILY_CAP_USD": "5"}, "distributed"),
        ("minio", ["analyze", str(EXAMPLE)], {"LONGDOC_STORAGE": "s3"}, "s3"),
        ("httpx2", ["analyze", str(EXAMPLE)], {"LONGDOC_API_URL": "http://127.0.0.1:1"}, "service"),
        ("redis", ["serve", "--port", "1"], {"LONGDOC_EXECUTOR": "celery"}, "distributed"),
    ],
)
def test_missing_extra_is_one_line_and_exit_2(
    tmp_path: Path, missing: str, args: list[str], env: dict[str, str], extra: str
) -> None:
    proc = without(missing, args, tmp_path, **env)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"longdoc {args[0]}")
    assert f"needs the {extra} extra" in lines[0] and f"pip install 'longdoc[{extra}]'" in lines[0]
    assert proc.stdout == ""


def test_serve_through_its_own_module_gives_the_same_hint(tmp_path: Path) -> None:
    child = "import sys\nsys.modules['fastapi'] = None\nfrom pipeline.cli.service import main\nraise SystemExit(main(['serve']))"
    proc = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        "longdoc serve needs the service extra (fastapi is not installed): pip install 'longdoc[service]'"
    )


def test_core_commands_need_no_extra(tmp_path: Path) -> None:
    """The README's first command on a core install: every optional package missing, even with
    a provider key in the environment (LLM models are then unavailable, ``rules`` still runs)."""
    proc = without(ALL_OPTIONAL, ["analyze", str(EXAMPLE), "--out", str(tmp_path / "out")], tmp_path,
                   OPENAI_API_KEY="x")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "master-services-agreement.report.json").is_file()
    for args in (["models"], ["plan", str(EXAMPLE)]):
        assert without(ALL_OPTIONAL, args, tmp_path).returncode == 0


def test_help_loads_no_heavy_module() -> None:
    """`longdoc --help` stays fast by importing only argparse-level modules (timing is flaky, this is not)."""
    child = ("import sys\nfrom pipeline.cli.main import build_parser\nbuild_parser()\n"
             "print(','.join(sorted({m.split('.')[0] for m in sys.modules})))")  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(proc.stdout.strip().split(","))
    heavy = {"rich", "pydantic", "pydantic_settings", "numpy", "tiktoken", "regex", "pypdf", "pypdfium2", "lxml",
             "chunking", "storage", "workers", *EXTRA_OF}  # fmt: skip
    assert loaded & heavy == set()


def _raising(name: str) -> argparse.Namespace:
    def func(_args: argparse.Namespace, _settings: object) -> int:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    return argparse.Namespace(command="batch", func=func)


def test_an_optional_module_missing_deeper_than_checked_is_still_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_command(_raising("openpyxl.styles")) == 2
    assert capsys.readouterr().err.strip() == (
        "longdoc batch needs the service extra (openpyxl is not installed): pip install 'longdoc[service]'"
    )


def test_a_core_module_missing_keeps_its_traceback() -> None:
    with pytest.raises(ModuleNotFoundError):
        run_command(_raising("numpy"))


def test_hint_names_the_option_that_needs_the_extra() -> None:
    assert MissingExtra("llm", "openai", "--model auto").hint("analyze") == (
        "longdoc analyze --model auto needs the llm extra (openai is not installed): pip install 'longdoc[llm]'"
    )
