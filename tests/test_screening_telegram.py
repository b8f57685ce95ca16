"""The self-check end to end: the real bot (`saqbol run`, python-telegram-bot's HTTP stack) against the fake Bot
API, a real redis-server and a staff chat. What a person answers is in Redis only while the questionnaire runs;
staff get the list of indicators only when the person pressed "share"."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis.asyncio as aioredis

from tests.e2e.conftest import BotProcess, RedisServer
from tests.e2e.fakebotapi import FakeBotAPI
from tests.e2e.test_telegram_bot import buttons

STAFF = -1009876543210
SHARER, SILENT = 880001, 880002
QUESTION_IDS = ("minor", "passport", "leave", "locked_in", "promised", "pay", "debt", "debt_stay", "debt_grows",
                "hours", "conditions", "isolation", "threats", "violence", "no_choice")


@pytest.fixture
def world(tmp_path):
    api = FakeBotAPI().start()
    server = RedisServer(tmp_path).start()
    bot = BotProcess(api, server.url, tmp_path, {"SAQBOL_STAFF_CHAT_ID": str(STAFF)}).start()
    yield api, server, bot
    bot.stop()
    server.stop()
    api.stop()


def dump_redis(url: str) -> dict[str, str]:
    """Every key in Redis with its value as text (strings, hashes, sets, streams)."""
    async def go():
        r = aioredis.from_url(url, decode_responses=True)
        out = {}
        async for key in r.scan_iter(count=500):
            kind = await r.type(key)
            value = (await r.get(key) if kind == "string" else await r.hgetall(key) if kind == "hash" else
                     await r.smembers(key) if kind == "set" else await r.xrange(key) if kind == "stream" else kind)
            out[key] = json.dumps(value, ensure_ascii=False, default=sorted)
        await r.aclose()
        return out
    return asyncio.run(go())


def user_states(url: str) -> list[dict]:
    return [json.loads(json.loads(v)) for k, v in dump_redis(url).items() if k.endswith(":state")]


def run_self_check(api: FakeBotAPI, bot: BotProcess, url: str, user: int, yes: set[str]) -> dict:
    """Start the self-check in English, answer every question ("yes" for `yes`), return the result message."""
    api.send_text(user, "/start", language_code="en")
    assert api.wait_sent(user, 1, timeout=90), bot.output()[-3000:]
    api.press(user, "lang:en")
    api.send_text(user, "/screen", language_code="en")
    sent = api.wait_sent(user, 4)
    assert "scr:where:KR" in buttons(sent[-1]), sent[-1]["text"]
    api.press(user, "scr:where:KR")
    seen_in_state = False
    while True:
        sent = api.wait_sent(user, len(sent) + 1)
        last = sent[-1]
        answers = [b for b in buttons(last) if b.startswith("scr:a:")]
        if not answers:
            return last
        qid = answers[0].split(":")[2]
        if qid == "pay":  # mid-way the answers are in the user's state (and only there)
            running = [s for s in user_states(url) if s.get("step") == "screening"]
            assert len(running) == 1 and running[0]["screening"]["a"]["passport"] == ("y" if "passport" in yes else "n")
            seen_in_state = True
        api.press(user, f"scr:a:{qid}:{'y' if qid in yes else 'n'}")
        assert seen_in_state or qid != "debt"


def test_self_check_over_telegram_keeps_no_answers_and_shares_only_with_consent(world):
    api, server, bot = world
    result = run_self_check(api, bot, server.url, SHARER, {"passport", "pay"})
    assert "Someone keeps your passport or ID" in result["text"] and "1345" in result["text"]
    share = [b for b in buttons(result) if b.startswith("scr:share:")]
    assert share and "scr:human" in buttons(result)

    # After the result: no answer and no question id anywhere in Redis; only anonymous counters remain.
    everything = dump_redis(server.url)
    states = user_states(server.url)
    assert states and all("screening" not in s and s["step"] == "menu" for s in states)
    for key, value in everything.items():
        assert not any(f'"{q}"' in value for q in QUESTION_IDS), (key, value[:300])
    from bot.storage.base import today
    stats = json.loads(everything[f"saq:stats:{today()}"])
    assert stats["screening:indicator:retention_of_documents"] == "1" and stats["screening:dest:KR"] == "1"
    assert all(k.startswith(("screening", "checks", "risk:", "kind:", "locale:", "flag:", "dest:")) for k in stats), stats

    # One tap with consent: the case card lists the indicators, never the questions or answers.
    api.press(SHARER, share[0])
    topic = api.wait_calls("createForumTopic", 1)[0]
    card = [m["text"] for m in api.wait_sent(STAFF, 1) if "K-" in m["text"]][0]
    assert "retention_of_documents" in card and "withholding_of_wages" in card
    assert "passport or ID" not in card and str(SHARER) not in card and topic["name"].startswith("🟢 K-")
    api.send_text(SHARER, "/end", language_code="en")

    # Another person chooses not to share: the case card has no indicators at all.
    result = run_self_check(api, bot, server.url, SILENT, {"passport", "debt"})
    api.press(SILENT, "scr:human")
    api.wait_calls("createForumTopic", 2)
    cards = [m["text"] for m in api.wait_sent(STAFF, 3) if "K-" in m["text"] and "reason: self_check" in m["text"]]
    assert len(cards) == 2, cards
    assert "indicators" not in cards[1] and "debt_bondage" not in cards[1], cards[1]
    assert "update failed" not in bot.output()
