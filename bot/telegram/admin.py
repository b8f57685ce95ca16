"""NGO admins in Telegram (only the ids in SAQBOL_ADMIN_IDS, only in a private chat with the bot).

Send a content file → it is checked against the whole content and the change is shown → Apply makes every
worker serve it. Also: /version, /coverage, /stats [days], /reload, /reports (review scam reports),
/broadcast <locale|all> <country|all> and /broadcasts (opt-in alerts). For anyone else these commands do
not exist, and a file is answered like any other user's.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import secrets
from typing import Any

from telegram import Update

from ..content.coverage import coverage
from ..i18n import LOCALES, translator
from ..ops import staging
from ..ops.reports import WARNINGS_FILE, add_to_warnings
from ..ops.sync import apply_file, running_workers, safe_path
from ..stats import chart_png, summary
from ..storage.base import last_days
from ..dialogue.model import Button, Reply
from .bridge import send_reply, send_with_retry

log = logging.getLogger(__name__)
COMMANDS = ("admin", "version", "coverage", "stats", "reload", "reports", "broadcast", "broadcasts")
PENDING_S = 3600


class Admin:
    def __init__(self, admin_ids: frozenset[int], live: Any, sync: Any, reports: Any, alerts: Any, store: Any,
                 kv: Any):
        self.admin_ids = admin_ids
        self.live, self.sync, self.reports, self.alerts, self.store, self.kv = live, sync, reports, alerts, store, kv

    async def wants(self, update: Update, key: str) -> bool:
        """True for an admin's command, file, button, or the text of a broadcast they are writing."""
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None or user.id not in self.admin_ids or chat.type != "private":
            return False
        if update.callback_query is not None:
            return (update.callback_query.data or "").startswith("adm:")
        msg = update.message
        if msg is None:
            return False
        if msg.document is not None:
            return True
        if msg.text and msg.text.startswith("/"):
            return msg.text.split()[0].lstrip("/").split("@")[0].lower() in COMMANDS
        try:
            return bool(msg.text) and await self.kv.get(f"saq:admin:{key}:broadcast") is not None
        except Exception:  # storage down: the admin's text is an ordinary message
            return False

    async def handle(self, bot: Any, update: Update, key: str) -> None:
        state = await self.store.get_state(key) or {}
        locale = state.get("locale") or "ru"
        chat_id = update.effective_chat.id
        try:
            if update.callback_query is not None:
                text, buttons = await self._button(bot, key, locale, update.callback_query.data[4:])
            elif update.message.document is not None:
                text, buttons = await self._upload(bot, locale, update.message)
            elif update.message.text.startswith("/"):
                text, buttons = await self._command(bot, key, locale, chat_id, update.message.text)
            else:
                text, buttons = await self._broadcast_text(key, locale, update.message.text)
        except Exception as exc:  # an admin action must never take the bot down
            log.exception("admin action failed")
            text, buttons = html.escape(translator(locale)("That did not work: {error}").format(
                error=type(exc).__name__)), []
        if text:
            await send_reply(bot, chat_id, Reply(text, [[Button(label, data) for label, data in row] for row in buttons]))

    # --- commands ---
    async def _command(self, bot: Any, key: str, locale: str, chat_id: int, text: str):
        _ = translator(locale)
        cmd, *args = text.split()
        cmd = cmd.lstrip("/").split("@")[0].lower()
        if cmd != "broadcast":
            await self.kv.delete(f"saq:admin:{key}:broadcast")  # another command: the next text is not a warning
        if cmd == "version":
            return await self._version(locale), []
        if cmd == "coverage":
            return self._coverage(locale), []
        if cmd == "stats":
            days = int(args[0]) if args and args[0].isdigit() else 30
            daily = await self.store.stats(days)
            png = await asyncio.to_thread(chart_png, daily, last_days(days), _)
            await send_with_retry(bot.send_photo, chat_id=chat_id, photo=png,
                                  caption=_("Last {days} days, anonymous counts").format(days=days))
            return self._stats_text(summary(daily), locale), []
        if cmd == "reload":
            result = await self.live.reload("admin /reload")
            if result.ok and self.sync is not None:
                await self.sync.publish("admin /reload")
            return self._reload_text(result, locale), []
        if cmd == "reports":
            return await self._next_report(locale)
        if cmd == "broadcast":
            return await self._ask_broadcast(key, locale, args)
        if cmd == "broadcasts":
            return await self._broadcasts(locale)
        lines = ["/version — " + _("content version on every worker"), "/coverage — " + _("translation status"),
                 "/stats [days] — " + _("anonymous statistics and a chart"), "/reload — " + _("reload content from disk"),
                 "/reports — " + _("review scam reports"),
                 "/broadcast <locale|all> <country|all> — " + _("send a warning to subscribers"),
                 "/broadcasts — " + _("broadcasts in progress"),
                 _("Send a content file (.yml or registry .csv) to check it and apply it to all workers. "
                   "A caption such as rights/KZ.yml says where it goes.")]
        return "\n".join(html.escape(x) for x in lines), []

    async def _version(self, locale: str) -> str:
        _ = translator(locale)
        lines = [_("This worker serves content version {version}.").format(version=self.live.version)]
        if self.live.last_errors:
            lines.append(_("The last reload was rejected; still serving the version above:"))
            lines += [str(e) for e in self.live.last_errors[:10]]
        if self.sync is not None:
            for w in await running_workers(self.kv):
                lines.append(f"• {w['worker']}: {w['version']}")
        return "\n".join(html.escape(x) for x in lines)

    def _coverage(self, locale: str) -> str:
        _ = translator(locale)
        result, empty = coverage(self.live.content)
        lines = [_("Translations of the content (direct / from another language / missing / not reviewed):")]
        for loc in LOCALES:
            c = result[loc]
            lines.append(f"{loc}: {c.direct} / {len(c.fallback)} / {len(c.missing)} / {c.unreviewed}")
        if empty:
            lines.append(_("Texts with no translation at all: {count}").format(count=len(empty)))
        return "\n".join(html.escape(x) for x in lines)

    @staticmethod
    def _stats_text(s: dict, locale: str) -> str:
        _ = translator(locale)
        risk = s["risk"]
        lines = [_("Offers checked: {n}").format(n=s["checks"]),
                 "🔴 {high} · 🟠 {medium} · 🟢 {low} · ⚪ {unknown}".format(**risk),
                 _("Talks with a person: {opened} opened, {closed} closed").format(**s["handoffs"]),
                 _("Scam reports received: {n}").format(n=s["reports"])]
        for title, group in ((_("Destinations"), s["destination"]), (_("Warning signs"), s["flags"])):
            if group:
                lines.append(title + ": " + ", ".join(f"{k} {v}" for k, v in list(group.items())[:8]))
        return "\n".join(html.escape(x) for x in lines)

    @staticmethod
    def _reload_text(result: Any, locale: str) -> str:
        _ = translator(locale)
        if result.ok:
            return html.escape(_("Content reloaded: now serving version {version}.").format(version=result.version))
        lines = [_("The new content has errors, so nothing changed: still serving version {version}.").format(
            version=result.version)] + [str(e) for e in result.errors[:15]]
        return "\n".join(html.escape(x) for x in lines)

    # --- uploads ---
    async def _upload(self, bot: Any, locale: str, message: Any):
        _ = translator(locale)
        doc = message.document
        caption = (message.caption or "").split()
        if (doc.file_name or "").lower().endswith((".xlsx", ".xls")) or caption[:1] == ["import"]:
            return await self._import(bot, locale, doc, caption[1:])
        relpath = staging.target_path(self.live.directory, doc.file_name or "", message.caption)
        if relpath is None:
            return html.escape(_("I can't tell where this file belongs. Send it again with a caption such as "
                                 "hotlines.yml, rights/KZ.yml or registries/KZ_employment.csv.")), []
        if (doc.file_size or 0) > staging.MAX_UPLOAD:
            return html.escape(_("This file is too large (over 20 MB).")), []
        data = await self._download(bot, doc)
        try:
            text = staging.decode(data)
        except UnicodeDecodeError:
            return html.escape(_("{file}: the file must be saved as UTF-8 text.").format(file=relpath)), []
        change = await asyncio.to_thread(staging.stage, self.live.directory, relpath, text)
        if not change.ok:
            lines = [_("{file} has errors, so nothing changed: the bot keeps serving version {version}.").format(
                file=relpath, version=self.live.version)] + [str(e) for e in change.errors[:15]]
            return "\n".join(html.escape(x) for x in lines), []
        counts = ", ".join(f"{k}: {v}" for k, v in change.counts.items())
        lines = [_("{file} is valid. Changes ({counts}):").format(file=relpath, counts=counts)] + change.changes
        return await self._ask_apply(locale, relpath, text, lines)

    async def _download(self, bot: Any, doc: Any) -> bytes:
        file = await bot.get_file(doc.file_id)
        return bytes(await file.download_as_bytearray())

    async def _ask_apply(self, locale: str, relpath: str, text: str, lines: list[str]):
        """Keep the checked file until an admin presses Apply (in Redis: any worker may get the press)."""
        _ = translator(locale)
        token = secrets.token_hex(4)
        await self.kv.set(f"saq:admin:pending:{token}", json.dumps({"relpath": relpath, "text": text}), ex=PENDING_S)
        lines = lines + [_("Apply it on every worker?")]
        return "\n".join(html.escape(x) for x in lines), [[(_("Apply"), f"adm:apply:{token}"),
                                                           (_("Cancel"), f"adm:drop:{token}")]]

    async def _import(self, bot: Any, locale: str, doc: Any, args: list[str]):
        """A registry as a government publishes it (XLSX or CSV, caption `import KZ employment [source URL]`):
        converted to the canonical CSV, then checked and applied like any content file."""
        from ..content import registry_import as ri

        _ = translator(locale)
        country = args[0].upper() if args else ""
        kind = args[1].lower() if len(args) > 1 else ""
        source = args[2] if len(args) > 2 else None
        if len(country) != 2 or not country.isalpha() or kind not in ri.KINDS:
            return html.escape(_("To import a government registry, send the file with the caption: import <country> "
                                 "<kind> [source URL], for example: import KZ employment https://… Kinds: {kinds}.")
                               .format(kinds=", ".join(ri.KINDS))), []
        if (doc.file_size or 0) > staging.MAX_UPLOAD:
            return html.escape(_("This file is too large (over 20 MB).")), []
        data = await self._download(bot, doc)
        try:
            staged = await asyncio.to_thread(staging.stage_import, self.live.directory, data, doc.file_name or "",
                                             country, kind, source)
        except ri.ImportFailure as exc:
            return html.escape(f"{doc.file_name}: {exc}"), []
        except staging.ImportRefused as exc:
            return html.escape(_("Not imported: {reason}.").format(reason=exc)), []
        change, relpath = staged.change, staged.change.relpath
        if not change.ok:
            return "\n".join(html.escape(str(e)) for e in change.errors[:15]), []
        r, d = staged.summary.to_dict(examples=5), staged.summary.diff.counts()
        lines = [_("{file}: {read} rows read, {imported} imported, {merged} duplicates merged, {rejected} rejected.")
                 .format(file=doc.file_name, read=r["rows_read"], imported=r["imported"], merged=r["merged"],
                         rejected=r["rejected"]),
                 _("Compared with the current registry: {added} added, {removed} removed, {status} status changes, "
                   "{updated} other changes.").format(added=d["added"], removed=d["removed"],
                                                      status=d["status_changed"], updated=d["updated"])]
        lines += change.changes[:10] + [f"✗ {x}" for x in r["rejects"]]
        lines.append(_("It will be saved as {file}.").format(file=relpath))
        if staged.kept_elsewhere:
            lines.append(_("Other registry files list {n} more agencies of this country and kind; they stay as they "
                           "are.").format(n=staged.kept_elsewhere))
        return await self._ask_apply(locale, relpath, change.text, lines)

    # --- buttons ---
    async def _button(self, bot: Any, key: str, locale: str, data: str):
        _ = translator(locale)
        action, _sep, arg = data.partition(":")
        if action in ("apply", "drop"):
            raw = await self.kv.get(f"saq:admin:pending:{arg}")
            await self.kv.delete(f"saq:admin:pending:{arg}")
            if raw is None:
                return html.escape(_("This upload was already applied, cancelled or has expired.")), []
            if action == "drop":
                return html.escape(_("Cancelled: nothing changed.")), []
            pending = json.loads(raw)
            result = await apply_file(self.live, self.sync, pending["relpath"], pending["text"],
                                      f"admin upload {pending['relpath']}")
            return self._reload_text(result, locale), []
        if action in ("rok", "rno"):
            report = await self.reports.take(arg)
            if report is None:
                return html.escape(_("Another admin already decided on this report.")), []
            if action == "rok":
                path = safe_path(self.live.directory, WARNINGS_FILE)
                current = path.read_text(encoding="utf-8") if path.exists() else ""
                new_text, added = add_to_warnings(current, report)
                result = await apply_file(self.live, self.sync, WARNINGS_FILE, new_text, f"report {arg} approved")
                head = _("Approved: {n} new entries in the warning list.").format(n=added)
                text = html.escape(head) + "\n" + self._reload_text(result, locale)
            else:
                text = html.escape(_("Rejected and deleted."))
            more, buttons = await self._next_report(locale)
            return text + "\n\n" + more, buttons
        if action == "bcgo":
            await self.alerts.start(arg)
            return html.escape(_("Sending. /broadcasts shows the progress.")), []
        if action == "bcno":
            ok = await self.alerts.cancel(arg)
            return html.escape(_("Broadcast cancelled.") if ok else _("This broadcast has already finished.")), []
        return "", []

    # --- reports ---
    async def _next_report(self, locale: str):
        _ = translator(locale)
        pending = await self.reports.pending()
        if not pending:
            return html.escape(_("No reports are waiting for review.")), []
        r = pending[0]
        lines = [_("Reports waiting: {n}").format(n=len(pending)),
                 _("Report {id} of {date}: risk {risk}, signs: {flags}").format(
                     id=r["id"], date=r["received"], risk=r.get("risk") or "?", flags=", ".join(r.get("flags") or []) or "—")]
        lines += [f"• {i['kind']}: {i['value']}" for i in r.get("items", ())]
        if r.get("text"):
            lines += ["", _("Offer text (shared by the user):"), r["text"][:3000]]
        buttons = [[(_("Approve: add to warnings"), f"adm:rok:{r['id']}"), (_("Reject"), f"adm:rno:{r['id']}")]]
        return "\n".join(html.escape(x) for x in lines), buttons

    # --- broadcasts ---
    async def _ask_broadcast(self, key: str, locale: str, args: list[str]):
        _ = translator(locale)
        target_locale = args[0] if args else "all"
        dest = (args[1] if len(args) > 1 else "all").upper()
        if target_locale != "all" and target_locale not in LOCALES:
            return html.escape(_("Unknown language {locale}: use one of {locales} or all.").format(
                locale=target_locale, locales=", ".join(LOCALES))), []
        await self.kv.set(f"saq:admin:{key}:broadcast", json.dumps({"locale": target_locale, "dest": dest}), ex=900)
        return html.escape(_("Send the warning text now, written in the subscribers' language.")), []

    async def _broadcast_text(self, key: str, locale: str, text: str):
        _ = translator(locale)
        raw = await self.kv.get(f"saq:admin:{key}:broadcast")
        await self.kv.delete(f"saq:admin:{key}:broadcast")
        target = json.loads(raw)
        job = await self.alerts.create(text[:3500], target["locale"], target["dest"])
        head = _("This warning will go to {n} subscribers:").format(n=job["total"])
        return html.escape(head) + "\n\n" + html.escape(job["text"]), [
            [(_("Send"), f"adm:bcgo:{job['id']}"), (_("Cancel"), f"adm:bcno:{job['id']}")]]

    async def _broadcasts(self, locale: str):
        _ = translator(locale)
        ids = await self.alerts.active()
        if not ids:
            return html.escape(_("No broadcast is being sent.")), []
        lines, buttons = [], []
        for bid in ids:
            job = await self.alerts.job(bid)
            if job:
                lines.append(_("{id}: {sent} sent, {failed} failed, of {total}").format(**job))
                buttons.append([(_("Cancel {id}").format(id=bid), f"adm:bcno:{bid}")])
        return "\n".join(html.escape(x) for x in lines), buttons
