"""NGO admins in Telegram, end to end: real `saqbol run` workers, a real redis-server, the fake Bot API.

Content files are uploaded as documents; a bad one changes nothing; a good one reaches every worker.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from pathlib import Path

from bot.dialogue.engine import OTHER_INPUT
from bot.i18n import translator

from .conftest import ROOT, free_port
from .fakebotapi import FakeBotAPI
from .test_webhook_workers import post

ADMIN, USER = 700002, 700001
OLD = "YİMER 157 — Foreigners Communication Centre"
NEW = "YİMER 157 — Foreigners Communication Centre (UPDATED)"


def content_copy(tmp: Path) -> Path:
    target = tmp / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def document(api: FakeBotAPI, user: int, name: str, data: bytes, caption: str | None = None) -> dict:
    fid = f"doc{len(api.files) + 1}"
    api.files[fid] = data
    msg = {"message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()),
           "chat": {"id": user, "type": "private"}, "from": api.user(user, "en"),
           "document": {"file_id": fid, "file_unique_id": fid, "file_name": name, "file_size": len(data)}}
    if caption:
        msg["caption"] = caption
    return {"message": msg}


def text_msg(api: FakeBotAPI, user: int, text: str) -> dict:
    msg = {"message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()), "text": text,
           "chat": {"id": user, "type": "private"}, "from": api.user(user, "en")}
    if text.startswith("/"):
        msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": msg}


def press(api: FakeBotAPI, user: int, data: str) -> dict:
    return {"callback_query": {"id": str(time.time_ns()), "from": api.user(user, "en"), "chat_instance": "1",
                               "data": data, "message": {"message_id": 1, "date": int(time.time()),
                                                         "chat": {"id": user, "type": "private"}, "text": "x"}}}


def last_text(api: FakeBotAPI, user: int, count: int, timeout: float = 60) -> str:
    sent = api.wait_sent(user, count, timeout=timeout)
    assert len(sent) >= count, [p["text"][:200] for p in sent]
    return sent[count - 1]["text"]


def button_data(api: FakeBotAPI, user: int, prefix: str) -> str:
    for p in reversed(api.sent(user)):
        markup = p.get("reply_markup") or {}
        markup = json.loads(markup) if isinstance(markup, str) else markup
        for row in markup.get("inline_keyboard", ()):
            for b in row:
                if b["callback_data"].startswith(prefix):
                    return b["callback_data"]
    raise AssertionError(f"no button {prefix}")


class Workers:
    """Webhook workers on one Redis; `send(i, update)` delivers an update to worker i."""

    def __init__(self, api, redis_server, bot_factory, content: Path, n: int):
        ports = [free_port() for _ in range(n)]
        self.procs = [bot_factory(redis_server.url, SAQBOL_LISTEN=f"127.0.0.1:{p}", SAQBOL_CONTENT_DIR=str(content),
                                  SAQBOL_WEBHOOK_URL=f"http://127.0.0.1:{p}/telegram", SAQBOL_WEBHOOK_SECRET="s3cret",
                                  SAQBOL_ADMIN_IDS=str(ADMIN)) for p in ports]
        self.urls = [f"http://127.0.0.1:{p}/telegram" for p in ports]
        self.next_id = 1

    def send(self, i: int, body: dict) -> None:
        self.next_id += 1
        assert post(self.urls[i], {"update_id": self.next_id, **body}) == 200


def start_in_english(api, workers: Workers, user: int, worker: int = 0) -> int:
    workers.send(worker, text_msg(api, user, "/start"))
    workers.send(worker, press(api, user, "lang:en"))
    return len(api.wait_sent(user, 3))


def test_non_admin_cannot_use_admin_commands_or_upload(api, redis_server, bot_factory, tmp_path):
    content = content_copy(tmp_path)
    w = Workers(api, redis_server, bot_factory, content, 1)
    n = start_in_english(api, w, USER)
    for cmd in ("/version", "/reload", "/stats", "/reports", "/broadcast all all"):
        w.send(0, text_msg(api, USER, cmd))
        n += 1
        assert html.escape(translator("en")("I don't know that command.")) in last_text(api, USER, n), cmd
    hotlines = (content / "hotlines.yml").read_bytes()
    w.send(0, document(api, USER, "hotlines.yml", hotlines.replace(OLD.encode(), NEW.encode())))
    n += 1
    assert html.escape(translator("en")(OTHER_INPUT["document"])) in last_text(api, USER, n)
    assert api.calls_of("getFile") == []  # the file was never even downloaded
    assert (content / "hotlines.yml").read_bytes() == hotlines


def test_invalid_upload_keeps_old_content_and_good_one_reaches_every_worker(api, redis_server, bot_factory, tmp_path):
    content = content_copy(tmp_path)
    w = Workers(api, redis_server, bot_factory, content, 2)
    a = start_in_english(api, w, ADMIN, worker=0)
    u = start_in_english(api, w, USER, worker=1)
    w.send(0, text_msg(api, ADMIN, "/stats 7"))
    a += 1
    assert "Offers checked: 0" in last_text(api, ADMIN, a)
    photo = api.wait_calls("sendPhoto", 1)[0]
    assert int(photo["chat_id"]) == ADMIN and int(photo["photo"]) > 10_000  # the chart, a PNG of some size
    w.send(0, text_msg(api, ADMIN, "/version"))
    a += 1
    version_before = last_text(api, ADMIN, a).split("version ")[1].split(".")[0]

    original = (content / "hotlines.yml").read_text(encoding="utf-8")
    broken = original.replace(OLD, NEW).replace("checked: 2026-11-29", "checked: last week", 1)
    line = broken.splitlines().index("    checked: last week") + 1
    w.send(0, document(api, ADMIN, "hotlines.yml", broken.encode()))
    a += 1
    answer = last_text(api, ADMIN, a)
    assert f"hotlines.yml:{line}:" in answer and version_before in answer  # file:line, still the old version
    assert (content / "hotlines.yml").read_text(encoding="utf-8") == original
    w.send(1, text_msg(api, USER, "/hotlines"))
    u += 1
    assert OLD in last_text(api, USER, u) and NEW not in last_text(api, USER, u)

    w.send(0, document(api, ADMIN, "hotlines.yml", original.replace(OLD, NEW).encode()))
    a += 1
    assert "hotlines.yml" in last_text(api, ADMIN, a) and NEW in last_text(api, ADMIN, a)  # the diff shows it
    w.send(0, press(api, ADMIN, button_data(api, ADMIN, "adm:apply:")))
    a += 1
    applied = last_text(api, ADMIN, a)
    assert "version " in applied, applied
    version_after = applied.split("version ")[1].split(".")[0]
    assert version_after != version_before, applied

    deadline = time.monotonic() + 20  # worker 1 hears about it through Redis and reloads
    while True:
        w.send(1, text_msg(api, USER, "/hotlines"))
        u += 1
        if NEW in last_text(api, USER, u) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert NEW in last_text(api, USER, u), [p.output()[-2000:] for p in w.procs]
    w.send(1, text_msg(api, ADMIN, "/version"))
    a += 1
    report = last_text(api, ADMIN, a)
    assert report.count(version_after) == 3, report  # this worker, and both workers in the list


def test_sighup_reloads_content_and_a_broken_edit_changes_nothing(api, redis_server, bot_factory, tmp_path):
    import signal

    content = content_copy(tmp_path)
    w = Workers(api, redis_server, bot_factory, content, 1)
    u = start_in_english(api, w, USER)
    path = content / "hotlines.yml"
    original = path.read_text(encoding="utf-8")

    def hotlines_after_sighup() -> str:
        nonlocal u
        w.procs[0].proc.send_signal(signal.SIGHUP)
        time.sleep(1.5)  # the reload runs in a thread; the bot keeps answering meanwhile
        w.send(0, text_msg(api, USER, "/hotlines"))
        u += 1
        return last_text(api, USER, u)

    path.write_text(original.replace(OLD, NEW).replace("confidence: unverified", "confidence: sure", 1), encoding="utf-8")
    shown = hotlines_after_sighup()
    assert OLD in shown and NEW not in shown  # the broken edit is not served
    assert "hotlines.yml:" in w.procs[0].output()  # and the log says where the error is
    path.write_text(original.replace(OLD, NEW), encoding="utf-8")
    deadline = time.monotonic() + 30
    while NEW not in (shown := hotlines_after_sighup()) and time.monotonic() < deadline:
        pass
    assert NEW in shown


def test_admin_imports_a_government_xlsx_and_users_find_the_agency(api, redis_server, bot_factory, tmp_path):
    import io

    from openpyxl import Workbook

    content = content_copy(tmp_path)
    w = Workers(api, redis_server, bot_factory, content, 1)
    a = start_in_english(api, w, ADMIN)
    u = start_in_english(api, w, USER)
    book = Workbook()
    sheet = book.active
    sheet.append(["Реестр частных агентств занятости"])  # a title row above the header, as published
    sheet.append(["Наименование", "Номер лицензии", "БИН", "Статус", "Срок действия", "Телефон"])
    sheet.append(['ТОО "Көкжиек Жұмыс"', "KZ-TR-7001", "190140012344", "действует", "31.12.2028", "+7 727 555 70 01"])
    sheet.append(['ТОО "Шекара Трэвел"', "KZ-TR-7002", "190140012355", "отозвана", "01.03.2027", ""])
    sheet.append(["", "KZ-TR-7003", "", "действует", "", ""])  # no name: rejected with a reason
    buf = io.BytesIO()
    book.save(buf)
    w.send(0, document(api, ADMIN, "reestr.xlsx", buf.getvalue(), caption="import KZ employment https://example.org/kz"))
    a += 1
    preview = last_text(api, ADMIN, a)
    assert "3 rows read, 2 imported" in preview and "1 rejected" in preview and "2 added, 0 removed" in preview
    assert "reestr.xlsx:5: name:" in preview  # the reject, with its row and reason
    assert "registries/kz_employment.csv" in preview and "5 more agencies" in preview  # the sample rows stay
    w.send(0, press(api, ADMIN, button_data(api, ADMIN, "adm:apply:")))
    a += 1
    assert "now serving version" in last_text(api, ADMIN, a)
    assert "KZ-TR-7002" in (content / "registries" / "kz_employment.csv").read_text(encoding="utf-8")
    w.send(0, text_msg(api, USER, "Работа в Корее через ТОО «Шекара Трэвел», лицензия KZ-TR-7002, оплата визы 300$"))
    u += 1
    verdict = last_text(api, USER, u)
    assert "KZ-TR-7002" in verdict and "REVOKED" in verdict.upper(), verdict
