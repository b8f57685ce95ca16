"""python-telegram-bot wiring only: build the Application, register the one handler, run polling or webhook.

Conversation state is not kept in PTB (no ConversationHandler, no persistence): it lives in the store, so
several webhook workers behind a load balancer serve one bot; a per-user lock keeps each user's messages
in order even with concurrent updates.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import signal
from urllib.parse import urlparse

from telegram import BotCommand, BotCommandScopeDefault, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults, TypeHandler
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from ..chat import build_dialogue
from ..config import Settings, load_settings
from ..dialogue.community import alert_message
from ..i18n import LOCALES, translator
from ..storage.memory import MemoryStore
from ..storage.resilient import ResilientStore
from ..ops.alerts import Alerts
from ..ops.kv import MemoryKV
from ..ops.live import LiveContent
from ..ops.reports import Reports
from ..ops.sync import ContentSync
from .admin import Admin
from .bridge import Bridge, send_with_retry

log = logging.getLogger("saqbol")
COMMANDS = {
    "start": "Start", "menu": "Main menu", "check": "Check an offer", "rights": "My rights", "hotlines": "Hotlines",
    "sos": "Help now (SOS)", "screen": "Am I safe at work?", "human": "Talk to a person", "language": "Language",
    "forget": "Delete my data", "alerts": "Scam warnings", "help": "Help",
}


async def set_commands(app: Application) -> None:
    """Register the command list in every locale (Telegram shows the one matching the app language)."""
    for locale in LOCALES:
        _ = translator(locale)
        commands = [BotCommand(c, _(label)) for c, label in COMMANDS.items()]
        code = None if locale == "en" else locale.split("_")[0]
        if locale == "uz_Cyrl":
            continue  # Telegram has one "uz" language code; the Latin list serves it
        try:
            await app.bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=code)
        except Exception as exc:  # a failed command list is cosmetic: keep running
            log.warning("set_my_commands(%s) failed: %s", locale, type(exc).__name__)


async def start_outbox_drain(app: Application) -> None:
    """Deliver handoff messages that are still queued (after a restart or a Telegram outage), every 5 s."""
    handoff = app.bot_data["bridge"].handoff
    if handoff is None:
        return

    async def loop() -> None:
        while True:
            try:
                await handoff.drain_all(app.bot)
                await handoff.remind(app.bot)
            except Exception as exc:  # Redis down etc.: try again later, never stop
                log.warning("outbox drain failed: %s", type(exc).__name__)
            await asyncio.sleep(5)
    app.bot_data["outbox_task"] = asyncio.get_running_loop().create_task(loop())


async def start_operations(app: Application) -> None:
    """Content sync across workers, reload on SIGHUP, and sending opt-in alert broadcasts."""
    ops = app.bot_data["ops"]
    loop = asyncio.get_running_loop()
    live, sync, alerts = ops["live"], ops["sync"], ops["alerts"]

    async def reload_on_signal() -> None:
        result = await live.reload("SIGHUP")
        if sync is not None:
            await sync.heartbeat()
        if not result.ok:
            log.warning("SIGHUP reload rejected; first error: %s", result.errors[0] if result.errors else "?")
    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(reload_on_signal()))
    except (NotImplementedError, AttributeError, RuntimeError):  # not on this platform / not the main thread
        pass
    if sync is not None:
        app.bot_data["sync_task"] = loop.create_task(sync.run())

    async def send_alert(sub: dict, text: str) -> bool | None:
        body = alert_message(sub.get("locale") or "ru", text)
        try:
            await send_with_retry(app.bot.send_message, chat_id=sub["chat"], text=body, parse_mode=ParseMode.HTML)
            return True
        except Forbidden:
            return None  # blocked the bot
        except TelegramError:
            return False

    async def broadcast_loop() -> None:
        while True:
            try:
                await alerts.run_once(send_alert)
            except Exception as exc:  # Redis down etc.: the broadcast waits, nothing is lost
                log.warning("broadcast paused: %s", type(exc).__name__)
            await asyncio.sleep(2)
    app.bot_data["broadcast_task"] = loop.create_task(broadcast_loop())


async def post_init(app: Application) -> None:
    await set_commands(app)
    await start_outbox_drain(app)
    await start_operations(app)


async def post_stop(app: Application) -> None:
    """Stop background work cleanly while Redis is still reachable: no case stays locked for a restarted worker,
    and this worker leaves the list of running workers."""
    tasks = [app.bot_data[n] for n in ("sync_task", "broadcast_task", "outbox_task") if app.bot_data.get(n) is not None]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    handoff = app.bot_data["bridge"].handoff
    if handoff is not None:
        await handoff.stop()
    sync = app.bot_data.get("ops", {}).get("sync")
    if sync is not None:
        try:
            await sync.forget_me()
        except Exception:  # Redis gone: the entry ages out of `running_workers` by itself
            pass


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed, never the message text or who sent it."""
    err = context.error
    log.error("update failed: %s: %s", type(err).__name__, str(err)[:200] if err else "")


def build_application(settings: Settings) -> Application:
    if not settings.telegram_token:
        raise SystemExit("SAQBOL_TELEGRAM_TOKEN is not set")
    store = MemoryStore(settings.retention_days)
    if settings.redis_url:
        from ..storage.redis_store import RedisStore

        store = RedisStore(settings.redis_url, settings.retention_days)
    resilient = ResilientStore(store, settings.retention_days)
    dialogue = build_dialogue(settings)
    dialogue.store = resilient
    secret = hashlib.sha256(b"saqbol-user-key:" + settings.telegram_token.encode()).digest()
    handoff = None
    if settings.staff_chat_id:
        from ..handoff.cases import MemoryCases, RedisCases
        from ..handoff.relay import Handoff
        from .bridge import send_with_retry

        cases = RedisCases(store.redis, settings.retention_days) if settings.redis_url else MemoryCases()
        org = dialogue.content.organization
        handoff = Handoff(cases, settings.staff_chat_id, send_with_retry, org.reminder_minutes if org else 15,
                          count=resilient.count)
    kv = store.redis if settings.redis_url else MemoryKV()
    live = LiveContent(settings.content_dir, content=dialogue.content, checker=dialogue.checker)

    def serve(content, checker) -> None:
        dialogue.content, dialogue.checker = content, checker
    live.on_swap(serve)
    sync = ContentSync(kv, live) if settings.redis_url else None
    dialogue.reports, dialogue.alerts = Reports(kv), Alerts(kv)
    admin = (Admin(settings.admin_ids, live, sync, dialogue.reports, dialogue.alerts, resilient, kv)
             if settings.admin_ids else None)
    bridge = Bridge(dialogue, resilient, secret, handoff, admin)

    builder = (ApplicationBuilder().token(settings.telegram_token)
               .defaults(Defaults(parse_mode=ParseMode.HTML))
               .concurrent_updates(True)  # safe: the per-user lock keeps each user's updates in order
               .post_init(post_init).post_stop(post_stop)
               # Fewer, busier connections: httpcore's pool costs CPU per request in proportion to its size
               # (relay benchmark: 2.8-3.5 ms per message with 16, 4.0-4.5 ms with PTB's default 256), and 16
               # concurrent requests still exceed what Telegram accepts from one bot (about 30 messages/s).
               .connection_pool_size(int(os.environ.get("SAQBOL_HTTP_POOL", "16"))))
    if os.environ.get("SAQBOL_RATE_LIMIT", "1") != "0":  # 0 only for benchmarks against a fake Bot API
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if settings.telegram_base_url:
        base = settings.telegram_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot", 1))
    app = builder.build()
    app.add_handler(TypeHandler(Update, bridge.on_update))
    app.add_error_handler(log_error)
    app.bot_data["bridge"] = bridge
    app.bot_data["ops"] = {"live": live, "sync": sync, "alerts": dialogue.alerts}
    return app


def run(settings: Settings | None = None) -> None:
    settings = settings or load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token in URLs
    app = build_application(settings)
    updates = [u for u in Update.ALL_TYPES if u not in ("channel_post", "edited_channel_post")]
    if settings.webhook_url:
        host, _, port = settings.listen.rpartition(":")
        path = urlparse(settings.webhook_url).path.lstrip("/") or "telegram"
        app.run_webhook(listen=host or "127.0.0.1", port=int(port or 8080), url_path=path,
                        webhook_url=settings.webhook_url, secret_token=settings.webhook_secret,
                        allowed_updates=updates)
    else:
        app.run_polling(allowed_updates=updates, poll_interval=0.0, timeout=10)
