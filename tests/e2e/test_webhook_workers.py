"""Two `saqbol run` workers in webhook mode on one Redis serve one user: shared state, secret token checked."""

from __future__ import annotations

import json
import time

import httpx

from .conftest import free_port
from .fakebotapi import FakeBotAPI

USER = 880001


def update(update_id: int, **payload) -> dict:
    return {"update_id": update_id, **payload}


def message(text: str, lang: str = "ru") -> dict:
    msg = {"message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()), "text": text,
           "chat": {"id": USER, "type": "private"}, "from": {"id": USER, "is_bot": False, "first_name": "T",
                                                            "language_code": lang}}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"message": msg}


def press(data: str) -> dict:
    return {"callback_query": {"id": str(time.time_ns()), "chat_instance": "1", "data": data,
                               "from": {"id": USER, "is_bot": False, "first_name": "T"},
                               "message": {"message_id": 1, "date": int(time.time()),
                                           "chat": {"id": USER, "type": "private"}, "text": "x"}}}


def post(url: str, body: dict, secret: str = "s3cret") -> int:
    for _ in range(120):
        try:
            return httpx.post(url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": secret}, timeout=5).status_code
        except httpx.HTTPError:
            time.sleep(0.5)  # the worker is still starting
    raise AssertionError(f"webhook {url} never answered")


def test_two_webhook_workers_share_one_users_conversation(api: FakeBotAPI, redis_server, bot_factory):
    ports = [free_port(), free_port()]
    workers = [bot_factory(redis_server.url, SAQBOL_LISTEN=f"127.0.0.1:{p}",
                           SAQBOL_WEBHOOK_URL=f"http://127.0.0.1:{p}/telegram", SAQBOL_WEBHOOK_SECRET="s3cret")
               for p in ports]
    urls = [f"http://127.0.0.1:{p}/telegram" for p in ports]

    assert post(urls[0], update(1, **message("/start")), secret="wrong") == 403  # forged update refused
    steps = [message("/start"), press("lang:kk"), message("/check"),
             message("Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте работодателю.")]
    expected_counts = [1, 3, 4, 5]
    for i, (body, count) in enumerate(zip(steps, expected_counts)):
        assert post(urls[i % 2], update(100 + i, **body)) == 200  # alternate between the workers
        sent = api.wait_sent(USER, count, timeout=60)
        assert len(sent) >= count, (i, [w.output()[-1500:] for w in workers])
    # the language chosen on worker 0 is used by worker 1, and the check is answered in Kazakh
    assert sent[-1]["text"].startswith("🔴") and "Жоғары қауіп" in sent[-1]["text"]
    assert any(m == "setWebhook" for m, _ in api.calls)
