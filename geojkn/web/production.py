"""The servers: `office_server` (waitress, behind the front process of `front.py` where sockets can be passed
between processes) for `geojkn serve`, and for `geojkn serve --production` the app in several gunicorn worker
processes, each with its own threads.

The processes share what must be shared through files: the store (one writer at a time by a file lock, each
import renamed into place whole), the accounts (SQLite) and login sessions (cookies signed with SECRET_KEY).
Each process keeps its own cache of regions and maps, emptied when the store changes. Failed logins are
counted per process.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from ..errors import DataError
from .front import LIVENESS, answer_line


def serve_production(store: str | None, host: str, port: int, workers: int, threads: int) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise DataError("--production needs gunicorn: pip install 'geojkn[production]' (or pip install gunicorn), "
                        "or serve without --production.") from None

    class Server(BaseApplication):
        def load_config(self) -> None:
            settings: dict[str, Any] = {
                "bind": f"{host}:{port}", "workers": workers, "threads": threads, "worker_class": "gthread",
                "timeout": 120, "graceful_timeout": 20, "keepalive": 5, "max_requests": 2000,
                "max_requests_jitter": 200, "limit_request_line": 8190, "limit_request_fields": 100,
                "proc_name": "geojkn", "accesslog": "-",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from .app import create_app

            sys.setswitchinterval(SWITCH_SECONDS)
            return create_app({"STORE": store})

    Server().run()


# How long a thread may hold Python's interpreter before another gets a turn (Python's own default is 5 ms): a
# server's short answers (a cached page, /healthz) then wait less behind a long one (a map being prepared).
SWITCH_SECONDS = 0.001
ACCEPT_AT_ONCE = 64  # connections accepted in one turn of the server's loop, at most


def office_server(app: Any, host: str, port: int, threads: int, handed: socket.socket | None = None) -> Any:
    """waitress for an office intranet: idle connections are closed after 30 s and up to 1000 are held, so idle
    clients cannot stop the server; a liveness check never waits for one of the page threads: it is answered in
    the turn of the server's loop that accepts its connection (or by a thread of its own when it comes behind a
    page on the same connection), so that a monitor sees a busy server as alive rather than as stuck.

    With `handed` (a Unix socket from the front, see `front.py`) the server listens on no port: it takes the
    connections the front hands it, and sends the front its answer to a liveness check once a second."""
    import waitress
    from waitress.channel import HTTPChannel
    from waitress.task import ThreadedTaskDispatcher

    class AnsweredAtOnce(HTTPChannel):
        """A connection whose liveness check is answered by the loop that read it, and sent at once: no hand-off
        to a thread, no wait for the loop's next turn (each turn waits for the interpreter behind busy pages)."""

        reading = False  # inside received(): a liveness check read now can be answered now
        at_once = False  # one was

        def received(self, data: bytes) -> bool:
            self.reading = True
            try:
                done: bool = super().received(data)
            finally:
                self.reading = False
            answered = False
            while self.at_once:  # (a pipelined check after it is queued again by service(), and answered here)
                self.at_once = False
                self.service()
                answered = True
            if answered and self.total_outbufs_len:
                self.handle_write()
            return done

    class LivenessApart(ThreadedTaskDispatcher):
        def __init__(self) -> None:
            super().__init__()
            self.liveness: queue.SimpleQueue[Any] = queue.SimpleQueue()
            threading.Thread(target=self._answer_liveness, name="geojkn-liveness", daemon=True).start()

        def add_task(self, task: Any) -> None:
            waiting = getattr(task, "requests", None)  # a channel: its requests in order, the next one first
            if not waiting or getattr(waiting[0], "path", None) != LIVENESS:
                super().add_task(task)
            elif getattr(task, "reading", False):
                task.at_once = True  # answered by the loop as soon as received() has let go of the channel
            else:
                self.liveness.put(task)  # after another request of the same connection: a thread of its own

        def _answer_liveness(self) -> None:
            while True:
                task = self.liveness.get()
                try:
                    task.service()
                except Exception:  # as waitress's own threads do: log it and go on answering
                    self.logger.exception("Exception when serving %s", LIVENESS)

    sys.setswitchinterval(SWITCH_SECONDS)
    dispatcher = LivenessApart()
    dispatcher.set_thread_count(threads)
    where: dict[str, Any] = {"host": host, "port": port} if handed is None else {"sockets": [handed]}
    server = waitress.create_server(app, _start=handed is None, threads=threads, connection_limit=1000,
                                    channel_timeout=30, ident="geojkn", _dispatcher=dispatcher, **where)
    server.channel_class = AnsweredAtOnce
    if handed is not None:
        behind_front(server, app, handed)
    accept_one = server.handle_accept

    def accept_waiting() -> None:
        """Every connection waiting to be accepted, not one per turn of the loop: under load a new connection (a
        monitor's /healthz) would otherwise wait behind every connection that came before it."""
        for _ in range(ACCEPT_AT_ONCE):
            held = len(server._map)
            if held >= server.adj.connection_limit:
                return
            accept_one()
            if len(server._map) == held:  # none was waiting (or it failed and was logged)
                return
            read_now(next(reversed(server._map.values())))

    def read_now(channel: Any) -> None:
        """A request that came with its connection is read in the same turn (a liveness check is then answered
        in it too), rather than at the loop's next turn."""
        try:
            waiting = channel.socket.recv(1, socket.MSG_PEEK)  # the socket does not block: nothing raises
        except OSError:  # nothing yet (or gone): the loop reads it when it comes
            return
        if waiting:
            channel.handle_read()

    server.handle_accept = accept_waiting
    return server


ANSWER_EVERY = 1.0  # seconds between the app's answers to a liveness check sent to the front


def with_front(host: str, port: int) -> tuple[socket.socket, subprocess.Popen[bytes]] | None:
    """Listen on host:port in a front process of its own (`front.py`); the Unix socket it hands connections over,
    and the process. None where a socket cannot be passed between processes (Windows): the server listens itself.
    Raises OSError when the port cannot be listened on."""
    if not hasattr(socket, "send_fds") or os.name != "posix":
        return None
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, port), family=family, backlog=1024) as listening:
        ours, theirs = socket.socketpair()
        with theirs:
            front = subprocess.Popen([sys.executable, "-m", "geojkn.web.front", str(listening.fileno()),
                                      str(theirs.fileno())], pass_fds=(listening.fileno(), theirs.fileno()))
    return ours, front


def behind_front(server: Any, app: Any, handed: socket.socket) -> None:
    """The server takes its connections from the front and sends it the app's answer to a liveness check (made
    by a thread of its own each ANSWER_EVERY seconds, sent by the server's loop, so that an answer reaches the
    front only while both run)."""
    made: list[tuple[int, list[tuple[str, str]], bytes, float]] = []  # the latest answer, and when it was made
    outgoing = bytearray()
    sent = [0.0]

    def answers() -> None:
        client = app.test_client()
        while True:
            try:
                reply = client.get(LIVENESS)
                answer = (reply.status_code, list(reply.headers.items()), reply.get_data())
                answer_line(*answer, 0.0)  # one the front can read (else it is logged, and none is sent)
                made[:] = [(*answer, time.monotonic())]
            except Exception:  # as the server would: log it; the front then sends checks to the app
                server.logger.exception("Exception when answering %s", LIVENESS)
            time.sleep(ANSWER_EVERY)

    def accept() -> tuple[socket.socket, Any] | None:
        try:
            _, fds, _, _ = socket.recv_fds(handed, 1, 1)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            fds = []
        if not fds:  # the front has stopped (the socket closed or broken): so does the server
            raise SystemExit("the front process has stopped")
        conn = socket.socket(fileno=fds[0])
        try:
            return conn, conn.getpeername()
        except OSError:  # gone already
            conn.close()
            return None

    readable = server.readable

    def readable_and_answering() -> bool:
        now = time.monotonic()
        if made and now - sent[0] >= ANSWER_EVERY:
            status, headers, body, at = made[0]
            outgoing.extend(answer_line(status, headers, body, now - at))
            sent[0] = now
        if outgoing:
            try:
                del outgoing[:handed.send(outgoing)]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:  # the front has stopped
                raise SystemExit("the front process has stopped") from None
        return bool(readable())

    server.accept = accept
    server.fix_addr = lambda addr: addr
    server.readable = readable_and_answering
    server.accepting = True
    threading.Thread(target=answers, name="geojkn-liveness-answers", daemon=True).start()
