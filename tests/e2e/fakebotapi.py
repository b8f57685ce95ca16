"""A fake Telegram Bot API on 127.0.0.1 for end-to-end tests: serves queued updates through getUpdates and
records every method the bot calls. The real bot talks to it over HTTP through SAQBOL_TELEGRAM_BASE_URL."""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

BOT = {"id": 424242, "is_bot": True, "first_name": "Saqbol", "username": "saqbol_test_bot",
       "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


class FakeBotAPI:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._next_update = 1
        self._next_message = 1000
        self._cond = threading.Condition()
        self.failures: dict[str, int] = {}  # method -> how many more calls answer 502 Bad Gateway
        self.files: dict[str, bytes] = {}  # file_id -> content, for documents users send
        self.flood_until = 0.0  # until then (time.monotonic()) every copyMessage answers 429 Too Many Requests
        self.forum = True  # False: the staff group has no topics (createForumTopic is refused)
        self.deleted_threads: set[int] = set()  # forum topics staff deleted
        self._copied_from: dict[int, list[int]] = {}  # source chat -> message ids copied from it (accepted)
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real Bot API: no new connection per call
            # Headers and body leave in two writes: with Nagle's algorithm the body would wait for the client's
            # delayed ACK (40 ms on Linux) on every call — a delay the real Bot API does not have.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def _handle(self) -> None:
                url = urlparse(self.path)
                if "/file/bot" in url.path:  # a file download (documents sent by users)
                    data = api.files.get(url.path.rsplit("/", 1)[-1], b"")
                    self.send_response(200 if data else 404)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                method = url.path.rsplit("/", 1)[-1]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                params: dict[str, Any] = {}
                if "multipart/form-data" in ctype:  # a file upload (sendPhoto): keep the plain fields and sizes
                    for name, value in re.findall(rb'name="([^"]+)"(?:; filename="[^"]*")?\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--',
                                                  raw, re.S):
                        params[name.decode()] = value.decode(errors="replace") if len(value) < 4096 else len(value)
                    raw = b""
                body = raw.decode()
                if "json" in ctype and body:
                    params = json.loads(body)
                elif body:
                    params = {k: v[0] for k, v in parse_qs(body).items()}
                params.update({k: v[0] for k, v in parse_qs(url.query).items()})
                result = api.respond(method, params)
                code, description = params.get("_error") or (200, "")
                error = {"ok": False, "error_code": code, "description": description}
                if code == 429:  # Telegram says how long to wait
                    error["parameters"] = {"retry_after": params["_retry_after"]}
                payload = json.dumps(error if code != 200 else {"ok": True, "result": result}).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):  # the bot was stopped mid long-poll
                    pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # many workers' connections at once must not wait for a SYN retry
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def start(self) -> "FakeBotAPI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()

    # --- what the bot sees -------------------------------------------------------------------------------------
    def respond(self, method: str, params: dict[str, Any]) -> Any:
        with self._cond:
            if method != "getUpdates":
                params["_t"] = time.perf_counter()
                if self.failures.get(method, 0) > 0:
                    self.failures[method] -= 1
                    params["_failed"] = True
                    params["_error"] = (502, "Bad Gateway")
                elif method == "copyMessage" and time.monotonic() < self.flood_until:
                    params["_failed"] = True
                    params["_retry_after"] = max(1, round(self.flood_until - time.monotonic()))
                    params["_error"] = (429, f"Too Many Requests: retry after {params['_retry_after']}")
                elif method == "createForumTopic" and not self.forum:
                    params["_failed"] = True
                    params["_error"] = (400, "Bad Request: the chat is not a forum")
                elif params.get("message_thread_id") and int(params["message_thread_id"]) in self.deleted_threads:
                    params["_failed"] = True
                    params["_error"] = (400, "Bad Request: message thread not found")
                self.calls.append((method, params))
                if method == "copyMessage" and not params.get("_failed"):
                    self._copied_from.setdefault(int(params["from_chat_id"]), []).append(int(params["message_id"]))
                self._cond.notify_all()
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
            with self._cond:
                while True:
                    ready = [u for u in self.updates if u["update_id"] >= offset]
                    if ready or time.monotonic() >= deadline:
                        return ready
                    self._cond.wait(0.05)
        if method == "getFile":
            fid = str(params.get("file_id"))
            return {"file_id": fid, "file_unique_id": fid, "file_size": len(self.files.get(fid, b"")),
                    "file_path": f"documents/{fid}"}
        if method == "createForumTopic":
            with self._cond:
                self._next_message += 1
                return {"message_thread_id": self._next_message, "name": params.get("name", ""), "icon_color": 7322096}
        if method in ("sendMessage", "editMessageText", "copyMessage", "sendPhoto"):
            with self._cond:
                self._next_message += 1
                mid = self._next_message
                params["_result"] = mid
            if method == "copyMessage":
                return {"message_id": mid}
            return {"message_id": mid, "date": int(time.time()), "text": params.get("text", ""),
                    "chat": {"id": int(params.get("chat_id", 0)), "type": "private"}}
        return True

    # --- what the test does ---------------------------------------------------------------------------------------
    def _push(self, update: dict[str, Any], update_id: int | None = None) -> int:
        with self._cond:
            uid = update_id if update_id is not None else self._next_update
            self._next_update = max(self._next_update, uid + 1)
            self.updates.append({"update_id": uid, **update})
            self._cond.notify_all()
        return uid

    def _new_message_id(self) -> int:
        with self._cond:
            self._next_message += 1
            return self._next_message

    def message_id_of(self, update_id: int) -> int:
        """The message id of a queued message update (what copyMessage must carry)."""
        with self._cond:
            return next(u["message"]["message_id"] for u in self.updates if u["update_id"] == update_id)

    def user(self, user_id: int, language_code: str | None = "ru") -> dict[str, Any]:
        u = {"id": user_id, "is_bot": False, "first_name": "Test"}
        if language_code:
            u["language_code"] = language_code
        return u

    def send_text(self, user_id: int, text: str, language_code: str | None = "ru", update_id: int | None = None,
                  **extra: Any) -> int:
        msg = {"message_id": self._new_message_id(), "date": int(time.time()), "text": text,
               "chat": {"id": user_id, "type": "private"}, "from": self.user(user_id, language_code), **extra}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": msg}, update_id)

    def send_sticker(self, user_id: int) -> int:
        msg = {"message_id": self._new_message_id(), "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
               "from": self.user(user_id), "sticker": {"file_id": "x", "file_unique_id": "x", "width": 1, "height": 1,
                                                      "is_animated": False, "is_video": False, "type": "regular"}}
        return self._push({"message": msg})

    def press(self, user_id: int, data: str) -> int:
        cq = {"id": str(time.time_ns()), "from": self.user(user_id), "chat_instance": "1", "data": data,
              "message": {"message_id": 1, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
                          "text": "menu"}}
        return self._push({"callback_query": cq})

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._cond:
            return [p for m, p in self.calls if m == "sendMessage" and (chat_id is None or int(p["chat_id"]) == chat_id)]

    def wait_sent(self, chat_id: int, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [p for m, p in self.calls if m == "sendMessage" and int(p["chat_id"]) == chat_id]
                if len(got) >= count or time.monotonic() >= deadline:
                    return got
                self._cond.wait(0.1)


    def staff_says(self, staff_chat: int, thread_id: int, text: str, staff_user: int = 5550001) -> int:
        msg = {"message_id": self._new_message_id(), "date": int(time.time()), "text": text,
               "chat": {"id": staff_chat, "type": "supergroup", "title": "Hotline staff", "is_forum": True},
               "from": {"id": staff_user, "is_bot": False, "first_name": "Aigerim"},
               "message_thread_id": thread_id, "is_topic_message": True}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": msg})

    def staff_replies(self, staff_chat: int, reply_to: int, text: str, staff_user: int = 5550001) -> int:
        """A staff member answers with Telegram's reply function in a group without topics."""
        msg = {"message_id": self._new_message_id(), "date": int(time.time()), "text": text,
               "chat": {"id": staff_chat, "type": "supergroup", "title": "Hotline staff"},
               "from": {"id": staff_user, "is_bot": False, "first_name": "Aigerim"},
               "reply_to_message": {"message_id": reply_to, "date": int(time.time()),
                                    "chat": {"id": staff_chat, "type": "supergroup", "title": "Hotline staff"}}}
        return self._push({"message": msg})

    def staff_writes(self, staff_chat: int, text: str, staff_user: int = 5550001) -> int:
        """A staff message in the group's general chat: in no topic and replying to nothing."""
        msg = {"message_id": self._new_message_id(), "date": int(time.time()), "text": text,
               "chat": {"id": staff_chat, "type": "supergroup", "title": "Hotline staff", "is_forum": True},
               "from": {"id": staff_user, "is_bot": False, "first_name": "Aigerim"}}
        if text.startswith("/"):
            msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._push({"message": msg})

    def results_of(self, method: str) -> list[tuple[dict[str, Any], Any]]:
        """Successful calls with the result the bot received (e.g. the message id of a copy)."""
        with self._cond:
            return [(p, p.get("_result")) for m, p in self.calls if m == method and not p.get("_failed")]

    def copied_from(self, chat_id: int) -> list[int]:
        """Message ids copied (and accepted) from a chat, in the order the bot sent them."""
        with self._cond:
            return list(self._copied_from.get(chat_id, ()))

    def wait_for(self, condition: Any, timeout: float = 30.0) -> bool:
        """Wait until condition() is true (checked whenever the bot calls a method)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                if time.monotonic() >= deadline:
                    return False
                self._cond.wait(0.2)
            return True

    def calls_of(self, method: str, ok_only: bool = False) -> list[dict[str, Any]]:
        with self._cond:
            return [p for m, p in self.calls if m == method and not (ok_only and p.get("_failed"))]

    def wait_calls(self, method: str, count: int, timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [p for m, p in self.calls if m == method]
                if len(got) >= count or time.monotonic() >= deadline:
                    return got
                self._cond.wait(0.1)
