"""Rasa client and fallback against real local HTTP servers that misbehave (no mocks of our own code)."""

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nlu.embedded import EmbeddedNLU
from nlu.rasa_client import RasaClient
from nlu.service import NLU


@pytest.fixture(scope="module")
def embedded():
    return EmbeddedNLU.load()


class FakeRasa(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.mode == "slow":
            time.sleep(2)
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"status":"failure"}')
            return
        payload = (b"<html>not json</html>" if self.mode == "garbage" else json.dumps({
            "text": body.get("text"), "intent": {"name": "greet", "confidence": 0.97},
            "entities": [{"entity": "country", "value": "KR", "start": 0, "end": 5, "extractor": "RegexEntityExtractor"},
                         {"entity": "country", "value": "KR", "start": 0, "end": 5, "extractor": "DIETClassifier"}],
            "intent_ranking": [{"name": "greet", "confidence": 0.97}, {"name": "emergency", "confidence": 0.01}],
        }).encode())
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting: that is the point
            pass


@pytest.fixture
def fake_rasa():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    FakeRasa.mode = "ok"


def parse(service, text):
    async def run():
        try:
            return await service.parse(text)
        finally:
            await service.close()
    return asyncio.run(run())


def test_rasa_answer_is_used_and_duplicate_entities_are_merged(embedded, fake_rasa):
    url = f"http://127.0.0.1:{fake_rasa.server_address[1]}"
    result = parse(NLU(embedded, RasaClient(url)), "Korea hello")
    assert result["backend"] == "rasa" and result["intent"]["name"] == "greet"
    assert len(result["entities"]) == 1


@pytest.mark.parametrize("mode", ["slow", "error", "garbage"])
def test_misbehaving_rasa_falls_back_to_embedded(embedded, fake_rasa, mode):
    FakeRasa.mode = mode
    url = f"http://127.0.0.1:{fake_rasa.server_address[1]}"
    started = time.monotonic()
    result = parse(NLU(embedded, RasaClient(url, timeout=0.3)), "салам, как дела?")
    assert result["backend"] == "embedded" and result["fallback_from"] == "rasa"
    assert time.monotonic() - started < 1.5  # a slow sidecar costs one short timeout, not its full delay


def test_down_rasa_opens_the_circuit(embedded):
    service = NLU(embedded, RasaClient("http://127.0.0.1:9", timeout=0.3), cooldown=60)

    async def run():
        first = await service.parse("hello")
        started = time.monotonic()
        second = await service.parse("thanks")
        await service.close()
        return first, second, time.monotonic() - started
    first, second, took = asyncio.run(run())
    assert first["backend"] == second["backend"] == "embedded"
    assert took < 0.1  # no second attempt while the circuit is open


def test_safety_rules_apply_to_rasa_answers_too(embedded, fake_rasa):
    url = f"http://127.0.0.1:{fake_rasa.server_address[1]}"
    result = parse(NLU(embedded, RasaClient(url)), "они забрали паспорт и бьют меня, не выпускают")
    assert result["backend"] == "rasa" and result["intent"]["name"] == "emergency"
