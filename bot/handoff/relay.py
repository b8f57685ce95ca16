"""Relay between a user and hotline staff in a Telegram supergroup with forum topics.

One topic per case, named with the pseudonym; the user's messages are copied (copyMessage, never forward, so
no profile leaks) into the topic; staff messages in the topic are copied back, except notes (`/note …` or a
`#note` prefix). Staff commands in a topic: /claim, /close [reason], /case. A deleted topic is recreated and
the message sent again. Without forum topics, everything goes to the group itself and a staff reply to any
message the bot posted for a case (card or copy) is matched through a staff-message -> case map in Redis.

Every relayed message goes through the case's outbox (a Redis stream) and leaves it only after Telegram
accepted it; a background drain retries what failed, also after a restart. When Redis is briefly unreachable,
a user this worker knows to be in a case waits for it (their message must reach staff, in order) instead of
being answered by the menu.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import secrets
import time
from typing import Any, Sequence

from telegram.error import BadRequest, TelegramError

from ..i18n import translator
from .cases import REDIS_DOWN, Case, new_case_id, patiently

log = logging.getLogger(__name__)
TOPIC_GONE = ("thread not found", "topic_deleted", "topic deleted", "message thread not found")
CASE_ID = re.compile(r"\bK-[0-9A-F]{4}\b")


class Handoff:
    def __init__(self, cases: Any, staff_chat_id: int, send: Any, reminder_minutes: int = 15, count: Any = None):
        self.cases = cases
        self._count_to = count  # the store's anonymous daily counters (opened, closed, time to first reply)
        self.staff_chat_id = staff_chat_id
        self.reminder_minutes = reminder_minutes
        self.send = send  # send_with_retry
        self._known_open: dict[str, str] = {}  # user -> case id, as last seen in Redis by this worker
        self._tasks: set[asyncio.Task] = set()  # deliveries started after a message was queued

    # --- opening ---------------------------------------------------------------------------------------------
    async def open(self, bot: Any, user: str, chat_id: int, state: dict, share_verdict: bool, reason: str,
                   indicators: Sequence[str] = ()) -> Case:
        """`indicators`: self-check indicator ids the user chose to share (never their answers)."""
        existing = await self.cases.open_for_user(user)
        if existing is not None:
            return existing
        shared = [_summary(state) if share_verdict else "",
                  f"self-check signs (ILO forced-labour indicators): {', '.join(indicators)}" if indicators else ""]
        case = Case(id=new_case_id(), user=user, chat_id=chat_id, locale=state.get("locale") or "ru",
                    reason=reason, priority=0 if reason == "emergency" else 1, destination=state.get("dest"),
                    summary="\n".join(x for x in shared if x))
        await self._ensure_topic(bot, case)
        await self.cases.save(case)
        await self._count("handoff:opened", f"handoff:reason:{reason}")
        return case

    async def _ensure_topic(self, bot: Any, case: Case) -> None:
        try:
            topic = await self.send(bot.create_forum_topic, chat_id=self.staff_chat_id, name=case.title()[:128])
            case.topic_id = topic.message_thread_id
        except BadRequest as exc:  # the group has no topics: fall back to replies in the group itself
            log.info("no forum topics in the staff chat (%s); using replies", exc.message[:80])
            case.topic_id = None
        card = await self.send(bot.send_message, chat_id=self.staff_chat_id, message_thread_id=case.topic_id,
                               text=self._case_card(case), parse_mode="HTML")
        if case.topic_id is None:
            await patiently(self.cases.map_staff_message, card.message_id, case.id)

    def _case_card(self, case: Case) -> str:
        lines = [f"<b>{html.escape(case.title())}</b>", f"reason: {case.reason} · status: {case.status}",
                 f"opened: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(case.opened))}"]
        if case.summary:
            lines += ["", "shared by the user:", html.escape(case.summary)]
        lines += ["", "Reply in this topic to answer. /claim · /close [reason] · /case · /note … (not sent)"]
        return "\n".join(lines)

    # --- user -> staff --------------------------------------------------------------------------------------
    async def case_of(self, user: str) -> Case | None:
        """The user's open case. If Redis cannot be reached, a user this worker knows to be in a case waits
        for it (up to OUTAGE_PATIENCE); anyone else is treated as not in a case, so the menu still answers."""
        try:
            case = await patiently(self.cases.open_for_user, user, patient=user in self._known_open)
        except REDIS_DOWN:
            if user in self._known_open:
                raise
            return None
        if case is not None:
            self._known_open[user] = case.id
        else:
            self._known_open.pop(user, None)
        return case

    async def from_user(self, bot: Any, case: Case, message_id: int) -> None:
        """Queue the message durably, then deliver it now unless another worker is draining this case (that
        worker sends it: it lets go of the case only when its queue is empty)."""
        item = {"to": "staff", "from_chat": case.chat_id, "message_id": message_id}
        await self._push_and_drain(bot, case, item)

    async def _push_and_drain(self, bot: Any, case: Case, item: dict) -> None:
        """Queue durably (this is what the update waits for), then deliver in a task of its own: a flood wait
        or Telegram's pacing of the staff group then holds the next messages in the outbox, not in memory."""
        token = secrets.token_hex(8)
        batch = await patiently(self.cases.push, case.id, item, token)
        if batch is None:
            return
        task = asyncio.get_running_loop().create_task(self._drain_after_push(bot, case, token, batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_after_push(self, bot: Any, case: Case, token: str, batch: list) -> None:
        try:  # one attempt per message here; retries with backoff belong to the background drain
            await self._drain_locked(bot, case.id, token, batch, case, send=_once)
        except REDIS_DOWN as exc:  # queued durably: the background drain delivers it
            log.warning("drain after enqueue failed (%s); the background drain will deliver", type(exc).__name__)

    async def settle(self) -> None:
        """Wait until the deliveries this worker started are done."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """On shutdown: end running deliveries (each lets go of its case, so a restarted worker need not wait
        for the lock to expire)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self, bot: Any, case_id: str) -> int:
        """Deliver a case's queued messages in order, if no other worker is doing it (background drain)."""
        token = secrets.token_hex(8)
        if not await self.cases.try_lock(case_id, token):
            return 0
        return await self._drain_locked(bot, case_id, token, await self.cases.pending(case_id), None, self.send)

    async def _drain_locked(self, bot: Any, case_id: str, token: str, batch: list, case: Case | None,
                            send: Any) -> int:
        """Send `batch` and whatever is queued meanwhile, in order; stop at the first failure (the entry stays
        queued for the next drain). Once Telegram accepted a message, its acknowledgement waits out a Redis
        blip (`patiently`), so the entry is never sent twice. The lock is let go when the queue is empty.
        The drain started right after a message was queued sends with one attempt (`_once`), so it holds the
        case's lock only briefly; the background drain retries with backoff and waits out flood limits."""
        delivered, released = 0, False
        try:
            while batch:
                case = case or await self.cases.get(case_id)
                for entry_id, item in batch:
                    if case is not None and case.status != "closed":
                        try:
                            await self._deliver(bot, case, item, send)
                        except (TelegramError, OSError) as exc:
                            log.warning("relay of a case message failed (%s); it stays queued", type(exc).__name__)
                            return delivered
                        delivered += 1
                    released = not await patiently(self.cases.ack, case_id, entry_id, token)
                if released:  # the queue is empty and the ack let go of the lock
                    return delivered
                batch, case = await self.cases.pending(case_id), None
            return delivered
        finally:
            if not released:  # stopped early, or found nothing to send: let the next drain take over
                await patiently(self.cases.release, case_id, token)

    async def drain_all(self, bot: Any, parallel: int = 16) -> int:
        """The background drain: every case with queued messages, a few at a time (one case waiting out a flood
        limit or a failing network must not hold up the others)."""
        gate = asyncio.Semaphore(parallel)

        async def one(case_id: str) -> int:
            async with gate:
                return await self.drain(bot, case_id)
        return sum(await asyncio.gather(*(one(cid) for cid in await self.cases.with_pending())))

    async def _deliver(self, bot: Any, case: Case, item: dict, send: Any) -> None:
        if item["to"] == "user":
            await send(bot.copy_message, chat_id=case.chat_id, from_chat_id=self.staff_chat_id,
                            message_id=item["message_id"])
            return
        kwargs = dict(chat_id=self.staff_chat_id, from_chat_id=item["from_chat"], message_id=item["message_id"])
        try:
            copy = await send(bot.copy_message, message_thread_id=case.topic_id, **kwargs)
        except BadRequest as exc:
            if case.topic_id is None or not any(t in exc.message.lower() for t in TOPIC_GONE):
                raise
            log.info("case topic was deleted; recreating it")
            await self._ensure_topic(bot, case)  # staff deleted the topic: a new one, with the card
            await patiently(self.cases.save, case)
            copy = await self.send(bot.copy_message, message_thread_id=case.topic_id, **kwargs)
        if case.topic_id is None:  # no topics: a staff reply to this copy must find the case
            await patiently(self.cases.map_staff_message, copy.message_id, case.id)

    # --- staff -> user --------------------------------------------------------------------------------------
    async def from_staff(self, bot: Any, message: Any) -> None:
        case = await self._case_for(message)
        if case is None or case.status == "closed":
            return
        text = (message.text or message.caption or "").strip()
        _ = translator(case.locale)
        if text.startswith("/claim"):
            case.status, case.claimed = "claimed", time.time()
            await self.cases.save(case)
            await self.send(bot.send_message, chat_id=case.chat_id,
                            text=html.escape(_("A person from the hotline has joined the chat.")))
            return
        if text.startswith("/close"):
            await self.close(bot, case, by_staff=True)
            return
        if text.startswith("/case"):
            await self.send(bot.send_message, chat_id=self.staff_chat_id, message_thread_id=case.topic_id,
                            text=self._case_card(case), parse_mode="HTML")
            return
        if text.startswith(("/note", "#note")) or text.startswith("/"):
            return  # internal notes and other commands stay in the staff chat
        if case.first_reply is None:
            case.first_reply = time.time()
            await self.cases.save(case)
            await self._count("handoff:first_reply_n")
            await self._count("handoff:first_reply_s", amount=int(case.first_reply - case.opened))
        await self._push_and_drain(bot, case, {"to": "user", "message_id": message.message_id})

    async def _case_for(self, message: Any) -> Case | None:
        if message.message_thread_id and getattr(message, "is_topic_message", False):
            return await self.cases.by_topic(message.message_thread_id)
        reply = message.reply_to_message
        if reply is None:
            return None  # a staff member writing outside any topic and replying to nothing: not for a user
        case = await self.cases.by_staff_message(reply.message_id)
        if case is None:  # a reminder or note of the bot that names the case
            found = CASE_ID.search(reply.text or reply.caption or "")
            case = await self.cases.get(found.group()) if found else None
        return case

    async def remind(self, bot: Any, now: float | None = None) -> int:
        """Post a reminder in the staff group for every case nobody claimed within `reminder_minutes`.
        Derived from the cases in Redis, so reminders survive restarts; each case is reminded once."""
        now = now or time.time()
        sent = 0
        for case in await self.cases.open_cases():
            if case.status == "waiting" and not case.reminded and now - case.opened >= self.reminder_minutes * 60:
                waited = int((now - case.opened) // 60)
                await self.send(bot.send_message, chat_id=self.staff_chat_id, message_thread_id=case.topic_id,
                                text=f"⏰ {html.escape(case.title())}: waiting for {waited} min — /claim to take it.")
                case.reminded = True
                await self.cases.save(case)
                sent += 1
        return sent

    async def _count(self, *fields: str, amount: int = 1) -> None:
        if self._count_to is None:
            return
        try:
            await self._count_to(*fields, amount=amount)
        except Exception as exc:  # statistics never hold up a person's message
            log.warning("handoff counters not saved: %s", type(exc).__name__)

    # --- closing --------------------------------------------------------------------------------------------
    async def close(self, bot: Any, case: Case, by_staff: bool = False, forgotten: bool = False) -> None:
        case.status, case.closed = "closed", time.time()
        self._known_open.pop(case.user, None)
        chat_id = case.chat_id
        case.chat_id = 0  # the raw chat id is no longer needed
        await self.cases.save(case)
        await self._count("handoff:closed")
        note = "the user deleted their data" if forgotten else "closed by staff" if by_staff else "closed by the user"
        await self.send(bot.send_message, chat_id=self.staff_chat_id, message_thread_id=case.topic_id,
                        text=f"{html.escape(case.id)}: {note}.")
        if not forgotten:
            _ = translator(case.locale)
            await self.send(bot.send_message, chat_id=chat_id,
                            text=html.escape(_("The chat with the hotline is closed. Send /menu for the menu.")))


async def _once(method: Any, **kwargs: Any) -> Any:
    """Call a Bot API method once; a failure leaves the message queued for the background drain."""
    return await method(**kwargs)


def _summary(state: dict) -> str:
    last = state.get("last") or {}
    if not last:
        return ""
    flags = ", ".join(f["id"] for f in last.get("flags", []))
    agencies = ", ".join(f"{a.get('name') or 'not found'} ({a['status']})" for a in last.get("agencies", []))
    return f"last check: risk {last.get('risk')} ({last.get('score')}); flags: {flags or '-'}; registry: {agencies or '-'}"

