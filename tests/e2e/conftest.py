"""Real processes for end-to-end tests: redis-server, the fake Bot API, and `saqbol run`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .fakebotapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, tmp: Path, persistent: bool = False):
        self.port = free_port()
        self.tmp = tmp
        self.persistent = persistent  # append-only file, fsync on every write: a kill loses nothing
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed (make test installs it with apt-get)")
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.persistent else ["--appendonly", "no"]
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      *aof, "--dir", str(self.tmp)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        pytest.fail("redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class BotProcess:
    def __init__(self, api: FakeBotAPI, redis_url: str | None, tmp: Path, extra_env: dict | None = None):
        self.env = {**os.environ, "SAQBOL_TELEGRAM_TOKEN": "123456:TEST-TOKEN",
                    "SAQBOL_TELEGRAM_BASE_URL": api.base_url, "SAQBOL_CACHE_DIR": str(tmp / "cache"),
                    "PYTHONUNBUFFERED": "1", **(extra_env or {})}
        self.env.pop("SAQBOL_RASA_URL", None)
        if redis_url:
            self.env["SAQBOL_REDIS_URL"] = redis_url
        self.log = tmp / f"bot-{time.time_ns()}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "BotProcess":
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=ROOT, env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT)
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def api():
    server = FakeBotAPI().start()
    yield server
    server.stop()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def bot_factory(api, tmp_path):
    started: list[BotProcess] = []

    def make(redis_url: str | None, **env: str) -> BotProcess:
        bot = BotProcess(api, redis_url, tmp_path, env).start()
        started.append(bot)
        return bot
    yield make
    for b in started:
        b.stop()
