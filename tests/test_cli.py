"""The `saqbol` command as a user runs it: real process, real files, exit codes, stdout/stderr."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADER = "country,kind,name,aliases,license_no,tax_id,status,valid_until,phones,website,address,source_url,retrieved"
SCAM = ("Работа в Корее! Нужно оплатить визу 500$ заранее. Паспорт сдаёте нам на хранение. "
        "Едете по туристической визе. Пишите только в Telegram @korea_fast")


def saqbol(*args, stdin: str | bytes | None = None, env: dict | None = None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin if isinstance(stdin, bytes) else
                          (stdin.encode() if stdin is not None else None), capture_output=True, cwd=ROOT,
                          env=env, timeout=120)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def test_check_json_follows_the_contract():
    code, out, err = saqbol("check", SCAM, "--json", "--today", "2026-11-29")
    assert code == 0, err
    v = json.loads(out)
    assert {"risk", "score", "kind", "language", "country", "flags", "agencies", "entities", "advice",
            "hotlines"} <= set(v)
    assert v["risk"] == "high" and 0 <= v["score"] <= 100
    assert v["language"] == "ru"
    for f in v["flags"]:
        assert {"id", "severity", "evidence", "explanation"} <= set(f)
        assert f["evidence"] in SCAM
    assert {"phones", "urls", "telegram", "money", "countries"} <= set(v["entities"])
    assert "KR" in v["entities"]["countries"]


def test_check_reads_stdin_and_answers_in_the_requested_language():
    code, out, err = saqbol("check", "-", "--lang", "kk", stdin=SCAM)
    assert code == 0, err
    assert out.startswith("🔴")
    assert "Жоғары қауіп" in out


def test_jsonl_keeps_order_and_ids_and_survives_bad_lines():
    lines = [json.dumps({"id": "a", "text": SCAM}), "not json", json.dumps({"id": 7, "text": "", "lang": "en"}),
             json.dumps({"id": "c", "text": "Ish bor", "country": "XYZ"}), json.dumps({"id": "d", "text": SCAM, "lang": "uz"})]
    code, out, err = saqbol("check", "--jsonl", stdin="\n".join(lines) + "\n")
    assert code == 0, err
    rows = [json.loads(l) for l in out.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, 7, "c", "d"]
    assert rows[0]["risk"] == "high" and rows[4]["risk"] == "high"
    assert "error" in rows[1] and "error" in rows[3]
    assert rows[2]["risk"] == "unknown"


def test_extra_registry_file_is_used(tmp_path):
    csv = tmp_path / "extra.csv"
    csv.write_text(HEADER + "\nKZ,employment,ТОО «Жаңа Жол Кадр»,Zhana Zhol Kadr,KZ-NEW-77,,active,2030-01-01,,,,"
                   "https://example.org/test,2026-11-01\n", encoding="utf-8")
    code, out, err = saqbol("registry", "find", "Jana Jol Kadr", "--registry", str(csv), "--json")
    assert code == 0, err
    assert json.loads(out)["matches"][0]["license_no"] == "KZ-NEW-77"


@pytest.mark.parametrize("body,needle", [
    (HEADER.replace(",retrieved", "") + "\nKZ,employment,X,,1,,active,,,,,https://e.org,\n", "extra.csv:1: header: missing column(s): retrieved"),
    (HEADER + "\nKZ,employment,X,,1,,closed,,,,,https://e.org,2026-01-01\n", "extra.csv:2: status:"),
])
def test_broken_registry_names_file_and_line_and_exits_2(tmp_path, body, needle):
    csv = tmp_path / "extra.csv"
    csv.write_text(body, encoding="utf-8")
    code, out, err = saqbol("check", SCAM, "--registry", str(csv))
    assert code == 2
    assert needle in err
    assert "Traceback" not in err + out


def test_registry_find_not_found_is_never_safe():
    code, out, err = saqbol("registry", "find", "Nomad Star Consulting", "--json")
    assert code == 0
    assert json.loads(out) == {"query": "Nomad Star Consulting", "status": "not_found", "matches": [], "similar": []}
    code, out, err = saqbol("registry", "find", "Nomad Star Consulting", "--lang", "ru")
    assert "не значит «безопасно»" in out


@pytest.mark.parametrize("stdin", [b"", "😀🙏🔥".encode(), "מחפשים עובדים לקוריאה".encode(), bytes(range(256)) * 40,
                                   ("Работа в Корее, оплата визы 300$. " * 3500).encode()],
                         ids=["empty", "emoji", "rtl", "binary", "100kb"])
def test_bad_input_never_crashes(stdin):
    code, out, err = saqbol("check", "-", "--json", stdin=stdin)
    assert code == 0, err
    v = json.loads(out)
    assert v["risk"] in ("high", "medium", "low", "unknown")
    if not stdin.strip():
        assert v["risk"] == "unknown"


@pytest.mark.parametrize("args", [["check", "x", "--kind", "holiday"], ["check", "x", "--lang", "fr"],
                                  ["check", "x", "--country", "Kazakhstan"], ["frobnicate"],
                                  ["check", "x", "--registry", "/nonexistent.csv"]])
def test_usage_errors_exit_2_without_traceback(args):
    code, out, err = saqbol(*args)
    assert code == 2
    assert "Traceback" not in err + out and err.strip()


def test_every_command_has_help():
    for args in (["--help"], ["check", "--help"], ["registry", "find", "--help"], ["content", "validate", "--help"]):
        code, out, _ = saqbol(*args)
        assert code == 0 and "Usage" in out


def test_content_validate_reports_file_line_field(tmp_path):
    import shutil

    shutil.copytree(ROOT / "content", tmp_path / "content")
    rule = tmp_path / "content" / "red_flags" / "upfront_fee.yml"
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: high", "severity: extreme"), encoding="utf-8")
    code, out, err = saqbol("content", "validate", str(tmp_path / "content"))
    assert code == 2
    assert f"{rule}:" in err and ": severity:" in err
    code, out, err = saqbol("content", "validate")
    assert code == 0 and "content OK" in out


def test_terminal_chat_runs_the_whole_dialogue():
    steps = "\n".join(["2", "1", "Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте нам.", "/sos", "/quit"]) + "\n"
    code, out, err = saqbol("chat", stdin=steps)
    assert code == 0, err
    assert "Русский" in out  # language picker
    assert "🔴" in out and "Высокий риск" in out  # the verdict in Russian
    assert "112" in out  # SOS shows emergency numbers


def test_stats_reads_anonymous_counters_from_redis(tmp_path):
    import asyncio

    from bot.storage.redis_store import RedisStore
    from tests.e2e.conftest import RedisServer

    server = RedisServer(tmp_path).start()
    try:
        async def seed():
            store = RedisStore(server.url)
            await store.count("risk:high", "flag:upfront_fee", "risk:high")
            await store.close()
        asyncio.run(seed())
        code, out, err = saqbol("stats", "--json", env={"SAQBOL_REDIS_URL": server.url})
    finally:
        server.stop()
    assert code == 0, err
    result = json.loads(out)
    from bot.storage.base import today
    assert result["daily"] == {today(): {"risk:high": 2, "flag:upfront_fee": 1}} and result["content_ok"]
    assert result["summary"]["risk"]["high"] == 2 and result["summary"]["flags"] == {"upfront_fee": 1}
