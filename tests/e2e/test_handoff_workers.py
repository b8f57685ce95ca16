"""Fifty open cases served by two webhook workers on one Redis: every user message reaches staff exactly once,
in order per case."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from .conftest import free_port
from .fakebotapi import FakeBotAPI
from .test_webhook_workers import post

STAFF = -1007777
CASES = 50
MESSAGES = 4


def _update(uid: int, user: int, text: str | None = None, data: str | None = None) -> dict:
    sender = {"id": user, "is_bot": False, "first_name": "T", "language_code": "en"}
    if data is not None:
        return {"update_id": uid, "callback_query": {"id": f"{uid}", "chat_instance": "1", "data": data, "from": sender,
                                                      "message": {"message_id": 1, "date": int(time.time()),
                                                                  "chat": {"id": user, "type": "private"}, "text": "x"}}}
    msg = {"message_id": uid, "date": int(time.time()), "text": text, "chat": {"id": user, "type": "private"},
           "from": sender}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": uid, "message": msg}


def test_fifty_concurrent_cases_on_two_workers_lose_and_duplicate_nothing(api: FakeBotAPI, redis_server, bot_factory):
    ports = [free_port(), free_port()]
    # Telegram's limit of 20 messages a minute per group (AIORateLimiter) would stretch 200 copies into ten
    # minutes; what is tested here is exactly-once delivery and order, so the limiter is off.
    for p in ports:
        bot_factory(redis_server.url, SAQBOL_LISTEN=f"127.0.0.1:{p}", SAQBOL_WEBHOOK_URL=f"http://127.0.0.1:{p}/tg",
                    SAQBOL_WEBHOOK_SECRET="s3cret", SAQBOL_STAFF_CHAT_ID=str(STAFF), SAQBOL_RATE_LIMIT="0")
    urls = [f"http://127.0.0.1:{p}/tg" for p in ports]
    users = [700000 + i for i in range(CASES)]

    def open_case(i: int) -> None:
        user = users[i]
        base = 10_000 * (i + 1)
        for n, (text, data) in enumerate([("/start", None), (None, "lang:en"), ("/human", None),
                                          (None, "handoff:start")]):
            assert post(urls[n % 2], _update(base + n, user, text, data)) == 200
            api.wait_sent(user, [1, 3, 4][n], timeout=60) if n < 3 else None
        # the case number is sent after the case is stored: from now on the user's messages are relayed
        assert api.wait_for(lambda: any("K-" in m["text"] for m in api.sent(user)), timeout=60)

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(open_case, range(CASES)))
    assert len(api.wait_calls("createForumTopic", CASES, timeout=60)) == CASES

    def chat(i: int) -> None:
        user = users[i]
        for n in range(MESSAGES):
            uid = 10_000 * (i + 1) + 100 + n
            assert post(urls[(i + n) % 2], _update(uid, user, f"case {i} message {n} about my contract")) == 200
            # the user writes the next message once the last one is in the staff topic (a human pace)
            api.wait_for(lambda: len(api.copied_from(user)) > n, timeout=30)

    with ThreadPoolExecutor(CASES) as pool:
        list(pool.map(chat, range(CASES)))
    api.wait_for(lambda: sum(len(api.copied_from(u)) for u in users) >= CASES * MESSAGES, timeout=60)
    time.sleep(1)  # and nothing extra arrives afterwards
    for i, user in enumerate(users):
        expected = [10_000 * (i + 1) + 100 + n for n in range(MESSAGES)]
        assert api.copied_from(user) == expected, (i, api.copied_from(user))  # exactly once, in order
