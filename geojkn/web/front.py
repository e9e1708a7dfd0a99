"""The front of `geojkn serve`: a small process of its own that holds the server's listening socket.

It accepts every connection and looks at its first bytes without reading them. A liveness check (`GET` or
`HEAD /healthz`) it answers itself, with the app's own answer to that check made at most FRESH seconds ago; every
other connection it passes, as it is (its socket, over a Unix socket), to the app's process, whose server reads
and answers it as if it had accepted it. The front needs only Python's standard library and has its own
interpreter, so a monitor's check never waits for the interpreter behind the app's busy page threads.

The app sends its answer to the check once a second from its server's loop; when the front has no answer that
fresh (the app is starting, or stuck), a check goes to the app like any other request, so a stuck server is seen
as stuck. The front stops when the app's process does, and the app when the front does.

Run by the app as `python -m geojkn.web.front LISTENING_FD APP_FD`.
"""

from __future__ import annotations

import email.utils
import http
import json
import selectors
import socket
import sys
import time
from dataclasses import dataclass
from typing import Literal

LIVENESS = "/healthz"
FRESH = 5.0  # seconds an answer of the app's stays good for a check
WAIT_FOR_REQUEST = 1.0  # seconds a connection that could still be a check may take to send its request
HEAD_LIMIT = 8192  # bytes looked at: a check's request is far shorter
ACCEPT_AT_ONCE = 64  # connections accepted in one turn, at most
WAITING_AT_MOST = 256  # connections waiting for their first bytes; beyond it a new one goes to the app at once
FULL_TEXT = b"The server is full: try again in a moment."
FULL = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(FULL_TEXT), FULL_TEXT))
LEFT_OUT = {"content-length", "connection", "date", "server", "transfer-encoding", "set-cookie", "keep-alive"}

Sorted = Literal["check", "wait", "app"]


def sort(peeked: bytes) -> Sorted:
    """What a connection's first bytes are: a whole liveness check without a body (the front answers it), the
    start of what may be one (wait for more), or anything else (the app's)."""
    for method in (b"GET ", b"HEAD "):
        start = method + LIVENESS.encode()
        if not peeked.startswith(start):
            if start.startswith(peeked):
                return "wait"
            continue
        after = peeked[len(start):len(start) + 1]
        if after not in (b" ", b"?"):
            return "app" if after else "wait"
        end = peeked.find(b"\r\n\r\n")
        if end < 0:
            return "app" if len(peeked) >= HEAD_LIMIT else "wait"
        head = peeked[:end].lower()
        return "app" if b"\ncontent-length:" in head or b"\ntransfer-encoding:" in head else "check"
    return "app"


@dataclass
class Answer:
    """The app's answer to a liveness check, and how old it was when the front got it."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    age: float
    received: float  # time.monotonic() of the front

    @classmethod
    def of_line(cls, line: bytes, now: float) -> Answer:
        sent = json.loads(line)
        answer = cls(int(sent["status"]), [(str(k), str(v)) for k, v in sent["headers"]],
                     str(sent["body"]).encode(), float(sent["age"]), now)
        answer.response(b"GET")  # raises ValueError when it cannot be written as HTTP (a header not in Latin-1)
        return answer

    def fresh(self, now: float) -> bool:
        return self.age + (now - self.received) <= FRESH

    def response(self, request: bytes) -> bytes:
        """The answer as HTTP, to the request it answers (its version kept; the connection closed after it)."""
        version = "HTTP/1.0" if b" HTTP/1.0\r\n" in request.split(b"\r\n", 1)[0] + b"\r\n" else "HTTP/1.1"
        phrase = http.HTTPStatus(self.status).phrase
        lines = [f"{version} {self.status} {phrase}", f"Date: {email.utils.formatdate(usegmt=True)}",
                 "Server: geojkn"]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() not in LEFT_OUT]
        lines += [f"Content-Length: {len(self.body)}", "Connection: close", "", ""]
        head = "\r\n".join(lines).encode("latin-1")
        return head if request.startswith(b"HEAD ") else head + self.body


def answer_line(status: int, headers: list[tuple[str, str]], body: bytes, age: float) -> bytes:
    """What the app sends the front: its answer to a check and its age in seconds, as one line."""
    return json.dumps({"status": status, "headers": headers, "body": body.decode(), "age": round(age, 3)},
                      ensure_ascii=True).encode() + b"\n"


class Front:
    def __init__(self, listening: socket.socket, app: socket.socket) -> None:
        self.listening, self.app = listening, app
        self.listening.setblocking(False)
        self.app.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(listening, selectors.EVENT_READ, "accept")
        self.selector.register(app, selectors.EVENT_READ, "app")
        self.waiting: dict[int, tuple[socket.socket, float]] = {}  # fileno: (connection, sent to the app after)
        self.answer: Answer | None = None
        self.heard = b""
        self.running = True

    def run(self) -> None:
        while self.running:
            now = time.monotonic()
            timeout = min((due for _, due in self.waiting.values()), default=now + 1.0) - now
            for key, _ in self.selector.select(max(timeout, 0.0)):
                if key.data == "accept":
                    self.accept()
                elif key.data == "app":
                    self.hear()
                else:
                    self.look(key.fileobj)  # type: ignore[arg-type]
            now = time.monotonic()
            for conn in [c for c, due in self.waiting.values() if due <= now]:
                self.to_app(conn)  # slow to send: the app's server has its own limits for slow clients

    def accept(self) -> None:
        for _ in range(ACCEPT_AT_ONCE):
            try:
                conn, _ = self.listening.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError:  # out of file descriptors, say: the next turn tries again
                return
            conn.setblocking(False)
            if conn.family in (socket.AF_INET, socket.AF_INET6):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if len(self.waiting) >= WAITING_AT_MOST:
                self.to_app(conn)
            elif not self.look(conn):
                self.waiting[conn.fileno()] = (conn, time.monotonic() + WAIT_FOR_REQUEST)
                self.selector.register(conn, selectors.EVENT_READ, "connection")

    def look(self, conn: socket.socket) -> bool:
        """Answer, hand over or close a connection by its first bytes; False while they may be a check to come."""
        try:
            peeked = conn.recv(HEAD_LIMIT, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            peeked = b""
        if not peeked:  # closed before a request (or reset)
            self.forget(conn)
            conn.close()
            return True
        kind = sort(peeked)
        if kind == "wait":
            return False
        now = time.monotonic()
        if kind == "check" and self.answer is not None and self.answer.fresh(now):
            self.forget(conn)
            request = conn.recv(peeked.find(b"\r\n\r\n") + 4)
            try:
                conn.settimeout(1.0)
                conn.sendall(self.answer.response(request))
            except OSError:
                pass
            conn.close()
        else:
            self.to_app(conn)
        return True

    def forget(self, conn: socket.socket) -> None:
        if self.waiting.pop(conn.fileno(), None) is not None:
            self.selector.unregister(conn)

    def to_app(self, conn: socket.socket) -> None:
        self.forget(conn)
        try:
            socket.send_fds(self.app, [b"c"], [conn.fileno()])
        except (BlockingIOError, InterruptedError):  # the app holds all the connections it can: say so, briefly
            try:
                conn.send(FULL)
            except OSError:
                pass
        except OSError:  # the app is gone
            self.running = False
        conn.close()

    def hear(self) -> None:
        """The app's latest answer to a check; nothing at all: the app has stopped, and so does the front."""
        try:
            data = self.app.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self.running = False
            return
        *lines, self.heard = (self.heard + data).split(b"\n")
        if lines:
            try:
                self.answer = Answer.of_line(lines[-1], time.monotonic())
            except (ValueError, KeyError, TypeError):
                self.answer = None  # not understood: checks go to the app


def main(argv: list[str]) -> int:
    listening = socket.socket(fileno=int(argv[0]))
    app = socket.socket(fileno=int(argv[1]))
    try:
        Front(listening, app).run()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
