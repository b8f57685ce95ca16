"""NGO operations without Telegram: staged uploads, live reload, scam reports, alerts (real redis-server), stats."""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from bot.content import load_content
from bot.core.verdict import checker_from_content
from bot.ops import staging
from bot.ops.alerts import Alerts
from bot.ops.kv import MemoryKV
from bot.ops.live import LiveContent
from bot.ops.reports import Reports, add_to_warnings, suspects
from bot.ops.sync import ContentSync, apply_file, running_workers
from bot.stats import chart_png, summary
from bot.storage.base import last_days, today
from bot.storage.redis_store import RedisStore
from tests.e2e.conftest import RedisServer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def content_dir(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture
def redis_url(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server.url
    server.stop()


@pytest.mark.parametrize("name,caption,expected", [
    ("hotlines.yml", None, "hotlines.yml"), ("KZ.yml", None, "rights/KZ.yml"), ("upfront_fee.yml", None,
     "red_flags/upfront_fee.yml"), ("KZ_employment.csv", None, "registries/KZ_employment.csv"),
    ("notes.yml", "rights/TR.yml", "rights/TR.yml"), ("notes.yml", None, None), ("x.exe", None, None),
    ("evil.yml", "../../etc/passwd.yml", None), ("reported.yml", None, "warnings/reported.yml"),
])
def test_an_upload_finds_its_place(content_dir, name, caption, expected):
    assert staging.target_path(content_dir, name, caption) == expected


def test_a_broken_upload_is_rejected_with_file_and_line(content_dir):
    text = (content_dir / "hotlines.yml").read_text(encoding="utf-8")
    broken = text.replace("confidence: unverified", "confidence: maybe", 1)
    change = staging.stage(content_dir, "hotlines.yml", broken)
    line = broken.splitlines().index("    confidence: maybe") + 1
    assert not change.ok and any(e.file == "hotlines.yml" and e.line == line for e in change.errors), change.errors
    assert (content_dir / "hotlines.yml").read_text(encoding="utf-8") == text  # nothing written


def test_a_registry_upload_shows_added_removed_and_status_changes(content_dir):
    path = content_dir / "registries" / "SAMPLE_kz.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    changed = [rows[0].replace(",active,", ",revoked,")] + rows[2:]  # one revoked, one removed
    changed.append(rows[1].replace("KZ-TR-0233", "KZ-TR-9999").replace("Алтын Көпір", "Жаңа Жол"))
    change = staging.stage(content_dir, "registries/SAMPLE_kz.csv", "\n".join([header, *changed]) + "\n")
    assert change.ok, change.errors
    assert change.counts == {"rows": len(rows), "added": 1, "removed": 1, "status_changed": 1}
    assert any(line.startswith("~") and "active → revoked" in line for line in change.changes)


def test_reload_keeps_the_last_good_content(content_dir):
    async def go():
        live = LiveContent(content_dir)
        served = []
        live.on_swap(lambda c, ch: served.append(c.version))
        before = live.version
        path = content_dir / "hotlines.yml"
        good = path.read_text(encoding="utf-8")
        path.write_text(good.replace("checked: 2024-03-18", "checked: soon"), encoding="utf-8")
        bad = await live.reload("test")
        path.write_text(good.replace("YİMER 157", "YİMER-157"), encoding="utf-8")
        ok = await live.reload("test")
        return before, bad, ok, live, served
    before, bad, ok, live, served = asyncio.run(go())
    assert not bad.ok and bad.version == before and "hotlines.yml" in str(bad.errors[0])
    assert ok.ok and ok.changed and served == [live.version] and live.version != before
    assert any("YİMER-157" in str(h.name) for h in live.content.hotlines)


def test_approved_report_becomes_a_warning_the_checker_uses(content_dir):
    checker = checker_from_content(load_content(content_dir))
    offer = "Работа в Дубае, 2000$ в месяц, звоните +998 90 555 12 34 или пишите @dubai_easy_work"
    verdict = checker.check(offer).to_dict()
    assert "reported_by_users" not in {f["id"] for f in verdict["flags"]}
    items = suspects(verdict)
    assert {"kind": "phone", "value": "+998905551234"} in items and {"kind": "telegram", "value": "@dubai_easy_work"} in items

    async def go():
        reports = Reports(MemoryKV())
        rid = await reports.add(items, {"locale": "ru", "risk": verdict["risk"], "flags": ["upfront_fee"]})
        pending = await reports.pending()
        return rid, pending, await reports.take(rid), await reports.take(rid)
    rid, pending, taken, again = asyncio.run(go())
    assert [p["id"] for p in pending] == [rid] and taken["items"] == items and again is None  # decided once
    path = content_dir / "warnings" / "reported.yml"
    text, added = add_to_warnings(path.read_text(encoding="utf-8"), taken)
    assert added == 2 and add_to_warnings(text, taken)[1] == 0  # no duplicates
    path.write_text(text, encoding="utf-8")
    content = load_content(content_dir)
    assert content.ok, content.errors
    later = checker_from_content(content).check("Dubai jobs! WhatsApp +998905551234").to_dict()
    hit = [f for f in later["flags"] if f["id"] == "reported_by_users"]
    assert hit and hit[0]["evidence"] == "+998905551234" and later["risk"] == "high"


def test_alert_subscriptions_and_forget(redis_url):
    async def go():
        store = RedisStore(redis_url)
        alerts = Alerts(store.redis)
        await alerts.subscribe("ka", 11, "ru", "KR")
        await alerts.subscribe("kb", 12, "uz", None)
        await alerts.subscribe("kc", 13, "ru", "TR")
        chosen = (await alerts.recipients("ru", "KR"), await alerts.recipients("all", "ALL"),
                  await alerts.recipients("uz", "TR"))
        await store.forget("ka")  # /forget removes the subscription with everything else
        after = await alerts.recipients("all", "ALL")
        await store.close()
        return chosen, after
    (kr_ru, everyone, uz_tr), after = asyncio.run(go())
    assert kr_ru == ["ka"] and everyone == ["ka", "kb", "kc"] and uz_tr == ["kb"]
    assert after == ["kb", "kc"]


def test_a_cancelled_broadcast_stops(redis_url):
    async def go():
        client = aioredis.from_url(redis_url, decode_responses=True)
        alerts = Alerts(client)
        for i in range(5):
            await alerts.subscribe(f"k{i}", 100 + i, "ru", None)
        job = await alerts.create("warning", "all", "ALL")
        await alerts.start(job["id"])
        got = []

        async def send(sub, text):
            got.append(sub["chat"])
            if len(got) == 2:
                await alerts.cancel(job["id"])
            return True
        await alerts.run_once(send)
        final = await alerts.job(job["id"])
        await client.aclose()
        return got, final
    got, final = asyncio.run(go())
    assert got == [100, 101] and final["status"] == "cancelled" and final["sent"] == 2


def test_an_applied_file_reaches_a_worker_on_another_machine(redis_url, content_dir, tmp_path):
    other_dir = tmp_path / "other-machine"
    shutil.copytree(content_dir, other_dir)

    async def go():
        client = aioredis.from_url(redis_url, decode_responses=True)
        a = ContentSync(client, LiveContent(content_dir), "worker-a")
        b = ContentSync(client, LiveContent(other_dir), "worker-b")
        await a.heartbeat()
        await b.heartbeat()
        before = a.live.version
        text = (content_dir / "advice.yml").read_text(encoding="utf-8") + "\n# edited by the NGO\n"
        result = await apply_file(a.live, a, "advice.yml", text, "test")
        await b.catch_up()
        shutil.copytree(ROOT / "content", tmp_path / "late")  # a worker started later, from the repository
        late = ContentSync(client, LiveContent(tmp_path / "late"), "worker-late")
        await late.catch_up()
        deployed = tmp_path / "deployed"  # a worker whose advice.yml was deployed after the upload
        shutil.copytree(ROOT / "content", deployed)
        (deployed / "advice.yml").write_text(text.replace("edited by the NGO", "deployed later"), encoding="utf-8")
        newer = ContentSync(client, LiveContent(deployed), "worker-deployed")
        await newer.catch_up()
        kept = (deployed / "advice.yml").read_text(encoding="utf-8")
        workers = await running_workers(client)
        await client.aclose()
        return before, result, [w for w in workers if w["worker"] != "worker-deployed"], kept
    before, result, workers, kept = asyncio.run(go())
    assert kept.endswith("# deployed later\n")  # the newer local file is not overwritten
    assert result.ok and result.version != before
    assert (other_dir / "advice.yml").read_text(encoding="utf-8").endswith("# edited by the NGO\n")
    assert {w["worker"]: w["version"] for w in workers} == {"worker-a": result.version, "worker-b": result.version,
                                                            "worker-late": result.version}


def test_stats_command_prints_table_and_draws_a_chart(redis_url, tmp_path):
    async def fill():
        store = RedisStore(redis_url)
        await store.count("checks", "risk:high", "kind:job", "dest:KR", "locale:ru", "flag:upfront_fee")
        await store.count("checks", "risk:low", "kind:study", "dest:TR", "locale:kk")
        await store.count("handoff:opened", "handoff:closed", "handoff:first_reply_n")
        await store.count("handoff:first_reply_s", amount=600)
        await store.close()
    asyncio.run(fill())
    png = tmp_path / "stats.png"
    env = {**os.environ, "SAQBOL_REDIS_URL": redis_url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "stats", "--days", "7", "--png", str(png), "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    s = result["summary"]
    assert s["checks"] == 2 and s["risk"]["high"] == 1 and s["kind"] == {"job": 1, "study": 1}
    assert s["handoffs"] == {"opened": 1, "closed": 1, "avg_first_reply_min": 10.0}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    table = subprocess.run([sys.executable, "-m", "bot.cli", "stats", "--days", "7"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert "offers checked" in table.stdout and "flags: upfront_fee" in table.stdout


def test_summary_and_chart_from_memory_counts():
    daily = {today(): {"checks": 3, "risk:high": 2, "risk:unknown": 1, "flag:upfront_fee": 2}}
    s = summary(daily)
    assert s["checks"] == 3 and s["flags"] == {"upfront_fee": 2} and s["handoffs"]["avg_first_reply_min"] is None
    assert chart_png(daily, last_days(14))[:4] == b"\x89PNG"
