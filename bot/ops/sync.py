"""Keep every worker on the same content: uploads and reloads are published through Redis.

An admin's accepted upload is written to this worker's content directory, stored in the hash
`saq:content:files` with the time it was published (so workers on other machines, and workers started later,
get the same file) and announced on the channel `saq:content`. A local file changed after that time (a
deploy, an edit followed by SIGHUP) is newer and is kept. Each worker then writes the files it lacks, reloads, and reports the
version it serves in `saq:workers`. A missed announcement (Redis blip) is caught by the heartbeat, which
compares the last published marker with the one this worker applied.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from .live import LiveContent, ReloadResult

log = logging.getLogger(__name__)
CHANNEL = "saq:content"
FILES = "saq:content:files"  # relative path -> json {text, at}
MARKER = "saq:content:published"  # json {id, at, reason}
WORKERS = "saq:workers"  # worker id -> json {version, since, seen, pid}
HEARTBEAT_S = 5
WORKER_GONE_S = 30


def write_file(directory: Path, relpath: str, text: str) -> bool:
    """Write a content file atomically; False when it already holds exactly this text."""
    path = safe_path(directory, relpath)
    if path.exists() and path.read_text(encoding="utf-8", errors="replace") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return True


def safe_path(directory: Path, relpath: str) -> Path:
    """The file inside the content directory; refuses anything that would escape it."""
    path = (directory / relpath).resolve()
    if directory.resolve() not in path.parents:
        raise ValueError(f"not a content path: {relpath}")
    return path


async def apply_file(live: LiveContent, sync: "ContentSync | None", relpath: str, text: str, reason: str) -> ReloadResult:
    """Write one content file, reload, and publish it to the other workers. If the reload fails the old file
    is put back, so what is on disk and what is served never disagree."""
    path = safe_path(live.directory, relpath)
    old = path.read_text(encoding="utf-8") if path.exists() else None
    write_file(live.directory, relpath, text)
    result = await live.reload(reason)
    if not result.ok:
        if old is None:
            path.unlink(missing_ok=True)
        else:
            write_file(live.directory, relpath, old)
        return result
    if sync is not None:
        await sync.publish(reason, {relpath: text})
    return result


async def running_workers(redis: Any) -> list[dict]:
    """Workers that reported within the last WORKER_GONE_S seconds, with the content version each serves."""
    now = time.time()
    workers = []
    for wid, raw in sorted((await redis.hgetall(WORKERS)).items()):
        info = json.loads(raw)
        if now - info.get("seen", 0) <= WORKER_GONE_S:
            workers.append({"worker": wid, **info})
    return workers


class ContentSync:
    def __init__(self, redis: Any, live: LiveContent, worker_id: str | None = None):
        self.redis = redis
        self.live = live
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.since = time.strftime("%Y-%m-%d %H:%M:%S")
        self.applied_marker: str | None = None

    async def publish(self, reason: str, files: dict[str, str] | None = None) -> str:
        """Tell every worker to take these files (if any) and reload. Returns the marker id."""
        marker = uuid.uuid4().hex[:12]
        if files:
            now = time.time()
            await self.redis.hset(FILES, mapping={path: json.dumps({"text": text, "at": now}, ensure_ascii=False)
                                                  for path, text in files.items()})
        await self.redis.set(MARKER, json.dumps({"id": marker, "at": time.time(), "reason": reason}))
        self.applied_marker = marker  # this worker has already applied and reloaded
        await self.redis.publish(CHANNEL, marker)
        await self.heartbeat()
        return marker

    async def catch_up(self, reason: str = "sync") -> ReloadResult | None:
        """Apply the published files and reload when the published marker is not the one applied here."""
        raw = await self.redis.get(MARKER)
        marker = json.loads(raw)["id"] if raw else None
        if marker is None or marker == self.applied_marker:
            return None
        changed = 0
        for relpath, raw in (await self.redis.hgetall(FILES)).items():
            published = json.loads(raw)
            try:
                local = safe_path(self.live.directory, relpath)
                if local.exists() and local.stat().st_mtime > published["at"]:
                    continue  # edited or deployed here after it was published: the newer file wins
                changed += write_file(self.live.directory, relpath, published["text"])
            except (OSError, ValueError) as exc:
                log.warning("cannot write published content file: %s", type(exc).__name__)
        self.applied_marker = marker
        result = await self.live.reload(f"{reason}: {changed} files from other workers")
        await self.heartbeat()
        return result

    async def heartbeat(self) -> None:
        info = {"version": self.live.version, "since": self.since, "seen": time.time(), "pid": os.getpid(),
                "errors": len(self.live.last_errors)}
        await self.redis.hset(WORKERS, self.worker_id, json.dumps(info))

    async def forget_me(self) -> None:
        await self.redis.hdel(WORKERS, self.worker_id)

    async def run(self) -> None:
        """Listen for announcements; the heartbeat every few seconds also catches any that were missed."""
        while True:
            pubsub = None
            try:
                await self.catch_up("startup" if self.applied_marker is None else "resync")
                pubsub = self.redis.pubsub()
                await pubsub.subscribe(CHANNEL)
                next_beat = 0.0
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    if message is not None:
                        await self.catch_up("published")
                    if time.monotonic() >= next_beat:
                        await self.catch_up("resync")
                        await self.heartbeat()
                        next_beat = time.monotonic() + HEARTBEAT_S
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis down: keep serving, try again
                log.warning("content sync paused: %s", type(exc).__name__)
                await asyncio.sleep(HEARTBEAT_S)
            finally:
                if pubsub is not None:
                    try:
                        await pubsub.aclose()
                    except Exception:
                        pass
