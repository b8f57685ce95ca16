"""From a Telegram update to a dialogue event, and from dialogue replies to Telegram messages.

Raw Telegram ids never leave this module: the dialogue, the store and the logs see only a keyed hash.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
from datetime import datetime, timezone
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from ..dialogue import Dialogue, Event, Reply
from ..i18n import translator

log = logging.getLogger(__name__)
RETRIES = 4


def user_key(secret: bytes, telegram_id: int) -> str:
    """Pseudonymous, stable user key: HMAC-SHA256 of the Telegram id (the secret never leaves the server)."""
    return hmac.new(secret, str(telegram_id).encode(), hashlib.sha256).hexdigest()[:24]


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at line breaks into parts under Telegram's limit (a single overlong line is cut hard)."""
    parts, current = [], ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def to_event(update: Update) -> Event | None:
    """The dialogue event for an update, or None when there is nothing to answer (channel posts, etc.)."""
    if update.callback_query is not None:
        user = update.callback_query.from_user
        return Event("button", update.callback_query.data or "", language_code=user.language_code if user else None)
    if update.edited_message is not None:
        msg = update.edited_message
        return Event("other", "edited", language_code=msg.from_user.language_code if msg.from_user else None)
    msg = update.message
    if msg is None:
        return None
    lang = msg.from_user.language_code if msg.from_user else None
    if msg.chat.type != "private":
        return Event("other", "group", language_code=lang) if (msg.text or "").startswith("/") else None
    text = msg.text or msg.caption
    if msg.text and msg.text.startswith("/"):
        return Event("command", msg.text.split()[0], language_code=lang)
    if text:
        origin = msg.forward_origin
        source = None
        if origin is not None:
            chat = getattr(origin, "chat", None) or getattr(origin, "sender_chat", None)
            if chat is not None:
                source = " ".join(x for x in (chat.title, f"@{chat.username}" if chat.username else None) if x)
            elif getattr(origin, "sender_user_name", None):
                source = origin.sender_user_name
            elif getattr(origin, "sender_user", None) is not None and origin.sender_user.username:
                source = f"@{origin.sender_user.username}"
        return Event("text", text, language_code=lang, forwarded_from=source)
    for kind in ("sticker", "photo", "voice", "video_note", "audio", "video", "document", "location", "contact"):
        if getattr(msg, kind, None):
            return Event("other", {"video_note": "voice", "audio": "voice", "video": "photo",
                                   "contact": "location"}.get(kind, kind), language_code=lang)
    return Event("other", "unknown", language_code=lang)


class Bridge:
    def __init__(self, dialogue: Dialogue, store: Any, secret: bytes, handoff: Any = None, admin: Any = None):
        self.dialogue = dialogue
        self.store = store
        self.secret = secret
        self.handoff = handoff
        self.admin = admin
        dialogue.handoff_available = handoff is not None
        self._local: dict[str, asyncio.Lock] = {}

    async def on_update(self, update: Update, context: Any) -> None:
        """Updates run concurrently, but one user's updates are handled one at a time and in arrival order:
        a process-local FIFO lock taken before the first await, then the cross-worker lock in the store."""
        who = update.effective_user.id if update.effective_user else 0
        lock = self._local.setdefault(str(who), asyncio.Lock())
        try:
            async with lock:
                await self._on_update(update, context)
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._local.pop(str(who), None)

    async def _on_update(self, update: Update, context: Any) -> None:
        chat = update.effective_chat
        if self.handoff is not None and chat is not None and chat.id == self.handoff.staff_chat_id:
            if not await self.store.first_time(update.update_id):
                return  # Telegram redelivered an update we already handled
            if update.message is not None and not (update.message.from_user and update.message.from_user.is_bot):
                await self.handoff.from_staff(context.bot, update.message)
            return  # staff commands are honoured only inside the staff chat, and nothing else runs there
        event = to_event(update)
        if event is None or update.effective_user is None or chat is None:
            if update.callback_query is not None:
                await _quietly(update.callback_query.answer())
            return
        key = user_key(self.secret, update.effective_user.id)
        # de-duplication of the update and the user's lock: one Redis round trip
        async with self.store.lock(key, update_id=update.update_id) as fresh:
            if not fresh:
                return  # Telegram redelivered an update we already answered
            if update.callback_query is not None:
                await _quietly(update.callback_query.answer())
            if self.admin is not None and await self.admin.wants(update, key):
                await self.admin.handle(context.bot, update, key)
                return
            if self.handoff is not None and await self._relay(context.bot, key, chat.id, update, event):
                return
            if self.handoff is not None and event.kind == "button" and event.value == "forget:yes":
                case = await self.handoff.cases.open_for_user(key)  # before /forget wipes the mapping
                if case is not None:
                    await self.handoff.close(context.bot, case, forgotten=True)
            if event.kind == "button" and event.value == "forget:yes" and self.dialogue.alerts is not None:
                try:
                    await self.dialogue.alerts.unsubscribe(key)
                except Exception as exc:  # the subscription key is under the user's prefix: forget() removes it too
                    log.warning("alerts unsubscribe failed: %s", type(exc).__name__)
            replies = await self.dialogue.handle(key, event)
            for reply in list(replies):
                if reply.action and reply.action.get("handoff") == "open":
                    replies.append(await self._open_case(context.bot, key, chat.id, reply.action))
                if reply.action and "alerts" in reply.action and self.dialogue.alerts is not None:
                    await self._set_alerts(key, chat.id, reply)
            if getattr(self.store, "degraded", False):
                state = await self.store.get_state(key) or {}
                _ = translator(state.get("locale") or "ru")
                replies.append(Reply(html.escape(_("Note: I can't save your place in the menu right now; your checks "
                                                   "still work."))))
        for reply in replies:
            await self.send(context.bot, update.effective_chat.id, reply)

    async def _set_alerts(self, key: str, chat_id: int, reply: Reply) -> None:
        alerts, action = self.dialogue.alerts, reply.action
        try:
            if action["alerts"] == "on":
                await alerts.subscribe(key, chat_id, action["locale"], action["dest"])
            else:
                await alerts.unsubscribe(key)
        except Exception as exc:  # storage down: tell the person it did not work
            log.warning("alerts not saved: %s", type(exc).__name__)
            _ = translator(action.get("locale") or "ru")
            reply.text = html.escape(_("I could not save that right now. Please send /alerts again in a few minutes."))

    async def _open_case(self, bot: Any, key: str, chat_id: int, action: dict) -> Reply:
        state = await self.store.get_state(key) or {}
        reason = action.get("reason") or ("offer_check" if state.get("last") else "other")
        case = await self.handoff.open(bot, key, chat_id, state, action.get("share_verdict", False), reason,
                                       indicators=action.get("indicators", ()))
        _ = translator(state.get("locale") or "ru")
        text = html.escape(_("Your case number is {case}. A person will answer here; you can write now. "
                             "Send /end to close the chat.").format(case=case.id))
        org = self.dialogue.content.organization
        if org and org.hours and not org.hours.open_at(datetime.now(timezone.utc)):
            h = org.hours
            text += "\n\n" + html.escape(_("Staff answer {days}, {start}–{end} ({zone}); they will reply then. If you "
                                            "are in danger now, call:").format(
                days="–".join((h.days[0], h.days[-1])) if len(h.days) > 1 else h.days[0], start=h.start, end=h.end,
                zone=h.timezone))
            text += "\n" + "\n".join(self.dialogue.hotline_lines(state, emergency_only=True)[1:])
        return Reply(text)

    async def _relay(self, bot: Any, key: str, chat_id: int, update: Update, event: Event) -> bool:
        """While a case is open the bot stays silent and relays; True when the update was handled here."""
        case = await self.handoff.case_of(key)
        if case is None:
            return False
        if event.kind == "command" and event.value.lower().startswith("/end"):
            await self.handoff.close(bot, case)
            return True
        if event.kind in ("button", "command") or update.message is None:
            return False  # menus and /forget keep working during a case
        if event.kind == "text":
            parsed = await self.dialogue.nlu.parse(event.value[:4000])
            if parsed["intent"]["name"] == "emergency":  # numbers first, then the message still goes to staff
                state = await self.store.get_state(key) or {"locale": case.locale}
                for reply in self.dialogue.sos(state):
                    await self.send(bot, chat_id, reply)
        await self.handoff.from_user(bot, case, update.message.message_id)
        return True

    async def send(self, bot: Any, chat_id: int, reply: Reply) -> None:
        await send_reply(bot, chat_id, reply)


async def send_reply(bot: Any, chat_id: int, reply: Reply) -> None:
    """One dialogue reply as Telegram HTML, split under the length limit; buttons go with the last part."""
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data[:64]) for b in row]
                                   for row in reply.buttons]) if reply.buttons else None
    parts = split_message(reply.text)
    for i, part in enumerate(parts):
        await send_with_retry(bot.send_message, chat_id=chat_id, text=part, parse_mode=ParseMode.HTML,
                              link_preview_options=LinkPreviewOptions(is_disabled=True),
                              reply_markup=markup if i == len(parts) - 1 else None)


async def send_with_retry(method: Any, **kwargs: Any) -> Any:
    """Call a Bot API method, waiting out flood limits and retrying network errors with backoff."""
    delay = 0.5
    for attempt in range(RETRIES):
        try:
            return await method(**kwargs)
        except RetryAfter as exc:
            wait = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") else exc.retry_after
            await asyncio.sleep(float(wait))
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, (BadRequest, Forbidden)) or attempt == RETRIES - 1:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    return await method(**kwargs)


async def _quietly(coro: Any) -> None:
    try:
        await coro
    except Exception as exc:  # an expired callback query must not stop the answer
        log.info("callback answer failed: %s", type(exc).__name__)
