"""Catalog overrides (LONGDOC_CATALOG_OVERRIDES) and `longdoc models --check`: models are added or
changed by id without code, bad entries are refused by name, and the check tells per model whether
its key, endpoint and profile work, against the simulator through the real openai SDK."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.cli.llm import WIDTH
from pipeline.errors import ConfigError
from pipeline.routing.catalog import load_catalog
from pipeline.simulate.server import SimulatorConfig, running_simulator
from tests.llm_helpers import stats

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    """The JSON block of the README's catalog-override section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Catalog overrides") :]
    found = re.search(r"```json\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def write(tmp_path: Path, data: object, name: str = "overrides.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_the_readme_example_adds_a_model_and_changes_one(tmp_path: Path) -> None:
    example = readme_example()
    assert len(example.strip().splitlines()) <= 10
    shipped = load_catalog()
    catalog = load_catalog(overrides=write(tmp_path, example))
    assert catalog.ids[: len(shipped.ids) - 1] == shipped.ids[:-1]  # order kept, nothing lost
    assert catalog.ids[-2:] == ["kimi-k2.6", "rules"]  # new ids go before the built-in rules
    kimi = catalog.get("kimi-k2.6")
    assert (kimi.api_model, kimi.provider, kimi.reasoning) == ("kimi-k2.6", "moonshot", True)
    local, before = catalog.get("self-hosted"), shipped.get("self-hosted")
    assert (local.api_model, local.reasoning, local.reliable_context) == ("Qwen/Qwen3-32B", True, 100_000)
    # Fields the override does not name keep the shipped values.
    assert (local.base_url_env, local.self_hosted, local.price_in_per_m) == (
        before.base_url_env, before.self_hosted, before.price_in_per_m)  # fmt: skip


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"models": [{"id": "kimi-k2-thinking", "temprature": 1}]}, ["'kimi-k2-thinking'", "temprature", "Extra inputs"]),
        ({"models": [{"id": "new-model", "provider": "vllm"}]}, ["'new-model'", "api_model", "Field required"]),
        ({"models": [{"id": "gpt-5.1-instant", "context_window": -1}]}, ["'gpt-5.1-instant'", "context_window"]),
        ({"models": [{"id": "gpt-5.1-instant", "reliable_context": 10**9}]}, ["gpt-5.1-instant", "reliable_context"]),
        ({"model": []}, ['{"models"']),
        ("{not json", ["cannot read catalog overrides"]),
    ],
)  # fmt: skip
def test_a_bad_override_is_refused_by_name(tmp_path: Path, data: object, words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        load_catalog(overrides=write(tmp_path, data))
    assert all(w in err.value.message for w in words), err.value.message


# ---- the command ------------------------------------------------------------------------------


def longdoc(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_") and not k.endswith("_API_KEY")
    }
    clean |= {"LONGDOC_STORAGE_DIR": str(tmp_path / "store"), **env}
    return subprocess.run([sys.executable, "-m", "pipeline.cli.main", *args], capture_output=True, text=True,
                          env=clean, cwd=tmp_path, timeout=120)  # fmt: skip


def test_models_lists_an_added_model_and_refuses_a_bad_file(tmp_path: Path) -> None:
    good = longdoc(
        ["models", "--json"], tmp_path, LONGDOC_CATALOG_OVERRIDES=str(write(tmp_path, readme_example()))
    )
    assert good.returncode == 0, good.stderr
    assert "kimi-k2.6" in [r["id"] for r in json.loads(good.stdout)]
    bad = write(tmp_path, {"models": [{"id": "kimi-k2-thinking", "temprature": 1}]}, "bad.json")
    proc = longdoc(["models"], tmp_path, LONGDOC_CATALOG_OVERRIDES=str(bad))
    assert proc.returncode == 2
    assert (
        proc.stderr.startswith("error[config]")
        and "temprature" in proc.stderr
        and "Traceback" not in proc.stderr
    )


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening (bound, never accepting): connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_check_reports_each_configured_model_and_skips_the_rest(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        env = {"LONGDOC_LLM_BASE_URL": url, "LONGDOC_SELF_HOSTED_BASE_URL": url, "OPENAI_API_KEY": "sk-test"}
        table = longdoc(["models", "--check"], tmp_path, **env)
        as_json = longdoc(["models", "--check", "--json"], tmp_path, **env)
        served = stats(url)
    assert table.returncode == 0, table.stdout + table.stderr
    assert max(len(line) for line in table.stdout.splitlines()) <= WIDTH
    rows = {r["id"]: r for r in json.loads(as_json.stdout)}
    checked = ["gpt-5.1-instant", "gpt-5.1-thinking", "self-hosted"]
    for model in checked:
        assert (rows[model]["key"], rows[model]["endpoint"], rows[model]["profile"], rows[model]["ok"]) == (
            "ok", "ok", "ok", True)  # fmt: skip
    for model in ("kimi-k2-thinking", "kimi-k2-thinking-turbo"):  # no MOONSHOT_API_KEY: not configured
        assert rows[model]["configured"] is False and rows[model]["ok"] is None
        assert "MOONSHOT_API_KEY" in rows[model]["error"]
    assert "rules" not in rows
    # One tiny request per configured model, per run (table, then JSON).
    assert served["requests"] == 2 * len(checked)
    assert served["by_model"] == {"gpt-5.1-chat-latest": 2, "gpt-5.1": 2, "Qwen/Qwen2.5-72B-Instruct": 2}
    assert "3 of 3 configured model(s) answered; 2 not configured" in table.stdout


def test_check_fails_on_a_dead_endpoint_and_on_unusable_answers(tmp_path: Path, closed_port: int) -> None:
    dead = write(tmp_path, {"models": [{"id": "self-hosted", "base_url": f"http://127.0.0.1:{closed_port}/v1",
                                        "base_url_env": None}]})  # fmt: skip
    with running_simulator(
        SimulatorConfig(time_scale=0.0, fault_rate=1.0, fault_kinds=("invalid_json",))
    ) as url:
        env = {
            "LONGDOC_LLM_BASE_URL": url,
            "OPENAI_API_KEY": "sk-test",
            "LONGDOC_CATALOG_OVERRIDES": str(dead),
        }
        proc = longdoc(["models", "--check", "--json", "--timeout", "5"], tmp_path, **env)
    assert proc.returncode == 1, proc.stderr
    rows = {r["id"]: r for r in json.loads(proc.stdout)}
    assert (rows["self-hosted"]["endpoint"], rows["self-hosted"]["ok"]) == ("FAIL", False)
    # The simulator answers, but not with the JSON the schema asks for: the profile failed.
    for model in ("gpt-5.1-instant", "gpt-5.1-thinking"):
        assert (rows[model]["key"], rows[model]["endpoint"], rows[model]["profile"]) == ("ok", "ok", "FAIL")
        assert rows[model]["error"].startswith("invalid_output")


class _RefusesKeys(BaseHTTPRequestHandler):
    """OpenAI's answer to a wrong key: 401 with its error envelope."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({"error": {"message": "Incorrect API key provided: sk-wrong.", "type": "invalid_request_error",
                                     "param": None, "code": "invalid_api_key"}}).encode()  # fmt: skip
        self.send_response(401)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RefusesKeys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def test_a_refused_key_is_blamed_on_the_key(tmp_path: Path, refusing_server: str) -> None:
    over = write(
        tmp_path, {"models": [{"id": "self-hosted", "base_url": refusing_server, "base_url_env": None}]}
    )
    proc = longdoc(["models", "--check"], tmp_path, LONGDOC_CATALOG_OVERRIDES=str(over))
    assert proc.returncode == 1
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("self-hosted "))
    assert line.split()[1:4] == ["FAIL", "ok", "-"]  # key refused; the endpoint answered; profile unknown
    assert "FAILED" in line
