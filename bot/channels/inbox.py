"""The inbox: every update a channel receives is stored here before the platform is told it
arrived, and answered from here, so a stop (SIGTERM, kill -9, a crash) loses nothing.

    inbox = Inbox(svc, "zalo", handle)      # handle(body: dict) answers one update
    await inbox.start()                     # the worker: claims stored rows and answers them
    new = await inbox.store([(update_id, chat_key, body), ...])   # durable; duplicates ignored
    await inbox.stop(grace)                 # finish what is claimed, give back the rest

A row is claimed (state "claimed", claimed_by this process) before it is answered, with a
compare-and-set UPDATE, so two processes never answer the same row; it is marked "done" right
after its answer went out. Claims of a process that died are taken over: at once when it ran on
this host (its pid is gone, or it is our own pid from an earlier life, as in a container), or
once its lease expired (a live worker renews its claims every HEARTBEAT seconds). The unique
(channel, update_id) is the memory of ids already seen: a replay is dropped at `store`.

One chat's updates are answered one at a time, in the order received; different chats in
parallel, at most `concurrency` at once.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from bot.db.models import InboxUpdate

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=30)  # a claim not renewed for this long belonged to a dead worker
HEARTBEAT = 5.0  # seconds between renewals of this worker's claims
IDLE_CHECK = 1.0  # seconds between looks at the table when nothing woke the worker
CLAIM_AHEAD = 64  # rows claimed beyond those being answered
KEEP_DONE = timedelta(days=7)  # answered rows (the seen ids) kept this long
PRUNE_EVERY = 3600.0

Handle = Callable[[dict], Awaitable[None]]
Item = tuple[str, str, dict]  # (update id, chat key, body)


_LIFE = secrets.token_hex(4)  # this process's life: a new one after every restart


def _worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{_LIFE}:{secrets.token_hex(3)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def dead_here(worker: str, me: str) -> bool:
    """A claimer on this host that is certainly gone: its pid no longer runs, or the pid is
    ours but from an earlier life (a restarted container's pid 1)."""
    try:
        host, pid, life, _ = worker.rsplit(":", 3)
        pid_n = int(pid)
    except ValueError:
        return False
    if host != me.rsplit(":", 3)[0]:
        return False
    if pid_n == os.getpid():
        return life != _LIFE
    return not _pid_alive(pid_n)


class Inbox:
    def __init__(self, svc, channel: str, handle: Handle, *, concurrency: int = 16) -> None:
        self.svc = svc
        self.channel = channel
        self.handle = handle
        self.me = _worker_id()
        self.concurrency = concurrency
        self._busy = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[tuple[int, str]]] = {}  # chat key -> (row id, body)
        self._held: set[int] = set()  # row ids claimed by this worker and not done yet
        self._drains: set[asyncio.Task] = set()
        self._finishing: set[asyncio.Future] = set()  # "done" marks being written
        self._wake = asyncio.Event()
        self._stopping = False
        self._halt = False  # stop taking the next row of a chat (grace over)
        self._runner: asyncio.Task | None = None
        self._last_beat = 0.0
        self._last_prune: float | None = None  # the first step prunes

    # ---- storing ---------------------------------------------------------------------------

    async def store(self, items: list[Item]) -> int:
        """Store updates durably (one transaction); ids already stored are skipped. Returns how
        many were new. Raises SQLAlchemyError when the database cannot take them: then the
        caller must not acknowledge them to the platform."""
        if not items:
            return 0
        now = self.svc.now()
        rows = [{"channel": self.channel, "update_id": str(uid)[:128], "chat_key": key[:64],
                 # ASCII JSON: a lone surrogate or a NUL is an escape, which every engine stores
                 "body": json.dumps(body), "state": "new",
                 "claimed_by": "", "received_at": now} for uid, key, body in items]
        async with self.svc.sessions() as s, s.begin():
            ins = pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert
            stmt = ins(InboxUpdate).values(rows).on_conflict_do_nothing(
                index_elements=["channel", "update_id"]).returning(InboxUpdate.id)
            new = len((await s.execute(stmt)).all())
        if new:
            self._wake.set()
        return new

    # ---- the worker ------------------------------------------------------------------------

    async def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name=f"inbox-{self.channel}")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            try:
                await self._claim()
                if loop.time() - self._last_beat >= HEARTBEAT:
                    self._last_beat = loop.time()
                    await self._renew()
                if self._last_prune is None or loop.time() - self._last_prune >= PRUNE_EVERY:
                    self._last_prune = loop.time()
                    await self._prune()
            except SQLAlchemyError as e:  # the database is away: the rows wait for it
                log.warning("inbox %s: %s: %s", self.channel, type(e).__name__,
                            str(e).splitlines()[0] if str(e) else "")
                await asyncio.sleep(IDLE_CHECK)
            except Exception:
                log.exception("inbox %s: worker step failed", self.channel)
                await asyncio.sleep(IDLE_CHECK)
            if self._stopping:
                break
            try:
                await asyncio.wait_for(self._wake.wait(), IDLE_CHECK)
            except TimeoutError:
                pass

    async def _claim(self) -> None:
        room = self.concurrency + CLAIM_AHEAD - len(self._held)
        if room <= 0:
            return
        now = self.svc.now()
        async with self.svc.sessions() as s, s.begin():
            others = (await s.execute(select(InboxUpdate.claimed_by).distinct().where(
                InboxUpdate.channel == self.channel, InboxUpdate.state == "claimed",
                InboxUpdate.claimed_by != self.me))).scalars().all()
            dead = [w for w in others if dead_here(w, self.me)]
            takeable = or_(InboxUpdate.state == "new",
                           and_(InboxUpdate.state == "claimed",
                                or_(InboxUpdate.claimed_at < now - LEASE,
                                    InboxUpdate.claimed_by.in_(dead or [""]))))
            ids = (await s.execute(select(InboxUpdate.id).where(
                InboxUpdate.channel == self.channel, takeable).order_by(InboxUpdate.id)
                .limit(room))).scalars().all()
            if not ids:
                return
            # compare-and-set: a row another worker took in the meantime no longer matches
            await s.execute(update(InboxUpdate).where(InboxUpdate.id.in_(ids), takeable)
                            .values(state="claimed", claimed_by=self.me, claimed_at=now)
                            .execution_options(synchronize_session=False))
            got = (await s.execute(select(InboxUpdate.id, InboxUpdate.chat_key,
                                          InboxUpdate.body).where(
                InboxUpdate.id.in_(ids), InboxUpdate.state == "claimed",
                InboxUpdate.claimed_by == self.me).order_by(InboxUpdate.id))).all()
        for row_id, key, body in got:
            if row_id not in self._held:
                self._held.add(row_id)
                self._enqueue(key, row_id, body)

    def _enqueue(self, key: str, row_id: int, body: str) -> None:
        q = self._queues.get(key)
        if q is None:
            q = self._queues[key] = deque()
            task = asyncio.create_task(self._drain(key, q))
            self._drains.add(task)
            task.add_done_callback(self._drains.discard)
        q.append((row_id, body))

    async def _drain(self, key: str, q: deque) -> None:
        """One chat's rows, one at a time, in order."""
        try:
            while q and not self._halt:
                row_id, body = q.popleft()
                async with self._busy:
                    await self._answer(row_id, body)
        finally:
            self._queues.pop(key, None)

    async def _answer(self, row_id: int, body: str) -> None:
        try:
            await self.handle(json.loads(body))
        except asyncio.CancelledError:
            raise
        except Exception:  # answered as well as it could be (an apology): never again
            log.exception("inbox %s: update %d failed", self.channel, row_id)
        # answered: the mark must land even if a stop cancels us now, or it is answered twice
        done = asyncio.ensure_future(self._done(row_id))
        self._finishing.add(done)
        done.add_done_callback(self._finishing.discard)
        await asyncio.shield(done)

    async def _done(self, row_id: int) -> None:
        for attempt in range(3):
            try:
                async with self.svc.sessions() as s, s.begin():
                    await s.execute(update(InboxUpdate).where(
                        InboxUpdate.id == row_id, InboxUpdate.claimed_by == self.me)
                        .values(state="done", answered_at=self.svc.now())
                        .execution_options(synchronize_session=False))
                self._held.discard(row_id)
                return
            except SQLAlchemyError as e:
                log.warning("inbox %s: row %d not marked done (%s)", self.channel, row_id,
                            type(e).__name__)
                await asyncio.sleep(0.2 * 2 ** attempt)
        self._held.discard(row_id)  # left claimed: the lease hands it over later

    async def _renew(self) -> None:
        if not self._held:
            return
        async with self.svc.sessions() as s, s.begin():
            await s.execute(update(InboxUpdate).where(
                InboxUpdate.claimed_by == self.me, InboxUpdate.state == "claimed")
                .values(claimed_at=self.svc.now()).execution_options(synchronize_session=False))

    async def _prune(self) -> None:
        async with self.svc.sessions() as s, s.begin():
            await s.execute(delete(InboxUpdate).where(
                InboxUpdate.channel == self.channel, InboxUpdate.state == "done",
                InboxUpdate.received_at < self.svc.now() - KEEP_DONE))

    # ---- stopping --------------------------------------------------------------------------

    async def stop(self, grace: float = 3.0) -> None:
        """No new claims; the rows already claimed are answered within `grace` seconds; what is
        left is given back (state "new") for the next start."""
        self._stopping = True
        self._wake.set()
        if self._runner is not None:
            await asyncio.wait([self._runner], timeout=grace)
            self._runner.cancel()
        if self._drains:
            _, late = await asyncio.wait(set(self._drains), timeout=grace)
            self._halt = True  # a chat's next row waits for the next start
            if late:
                _, late = await asyncio.wait(late, timeout=0.5)
            for t in late:
                t.cancel()
            if late:
                await asyncio.wait(late, timeout=0.5)
        if self._finishing:
            await asyncio.wait(set(self._finishing), timeout=2.0)
        await self._release()

    async def _release(self) -> None:
        try:
            async with self.svc.sessions() as s, s.begin():
                result = await s.execute(update(InboxUpdate).where(
                    InboxUpdate.claimed_by == self.me, InboxUpdate.state == "claimed")
                    .values(state="new", claimed_by="", claimed_at=None)
                    .execution_options(synchronize_session=False))
            if result.rowcount:
                log.info("inbox %s: %d updates kept for the next start", self.channel,
                         result.rowcount)
        except SQLAlchemyError as e:
            log.warning("inbox %s: claims not given back (%s): taken over at the next start",
                        self.channel, type(e).__name__)
