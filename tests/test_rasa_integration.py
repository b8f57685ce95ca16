"""Integration with the real Rasa server (Rasa Open Source 3.6 sidecar on Python 3.10).

Skipped, with the reason, when the sidecar is not installed and trained (`make rasa`); with
SAQBOL_REQUIRE_RASA=1 (set by .ci/run) a missing sidecar is a failure, so CI always exercises real Rasa.
"""

import asyncio
import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from nlu import rasa_sidecar, trainingdata
from nlu.embedded import EmbeddedNLU
from nlu.rasa_client import RasaClient
from nlu.service import NLU

TESTS = Path(__file__).resolve().parents[1] / "nlu" / "tests"
REQUIRED = os.environ.get("SAQBOL_REQUIRE_RASA") == "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def rasa_server(tmp_path_factory):
    model = rasa_sidecar.model_path()
    if not rasa_sidecar.rasa_bin().exists() or not model.exists():
        why = f"Rasa sidecar not ready (binary {rasa_sidecar.rasa_bin()}, model {model}); run `make rasa`"
        if REQUIRED:
            pytest.fail(why)
        pytest.skip(why)
    port = _free_port()
    log = tmp_path_factory.mktemp("rasa") / "rasa.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(rasa_sidecar.serve_command(port, model), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Rasa exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/status", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    else:
        proc.kill()
        pytest.fail("Rasa did not start within 240 s")
    yield url, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def embedded():
    return EmbeddedNLU.load()


def _run(coro):
    return asyncio.run(coro)


def test_real_rasa_understands_every_locale(rasa_server, embedded):
    url, _ = rasa_server
    right = total = 0
    for f in sorted(TESTS.glob("*.yml")):
        examples = trainingdata.load(f).examples
        sample = [e for i, e in enumerate(examples) if i % 4 == 0]  # two examples per intent per locale

        async def run():
            service = NLU(embedded, RasaClient(url, timeout=10))
            try:
                return [await service.parse(e.text) for e in sample]
            finally:
                await service.close()
        results = _run(run())
        assert all(r["backend"] == "rasa" for r in results), f.name
        locale_right = sum(r["intent"]["name"] == e.intent for r, e in zip(results, sample))
        assert locale_right / len(sample) >= 0.6, f"{f.name}: {locale_right}/{len(sample)}"
        right += locale_right
        total += len(sample)
    assert right / total >= 0.75


def test_killing_rasa_mid_run_falls_back_to_embedded(rasa_server, embedded):
    url, proc = rasa_server

    async def run():
        service = NLU(embedded, RasaClient(url, timeout=2))
        try:
            before = await service.parse("Hello!")
            proc.kill()
            proc.wait(timeout=30)
            after = await service.parse("они забрали паспорт и бьют меня, помогите")
            return before, after
        finally:
            await service.close()
    before, after = _run(run())
    assert before["backend"] == "rasa"
    assert after["backend"] == "embedded" and after["fallback_from"] == "rasa"
    assert after["intent"]["name"] == "emergency"
