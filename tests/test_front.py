"""The front of `geojkn serve` (geojkn/web/front.py): liveness checks answered apart from the app's process."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from geojkn.web import front
from geojkn.web.front import Answer, sort


@pytest.mark.parametrize("peeked, kind", [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", "check"),
    (b"HEAD /healthz HTTP/1.0\r\n\r\n", "check"),
    (b"GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n", "check"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", "wait"),  # its head is not over yet
    (b"GET /heal", "wait"),
    (b"G", "wait"),
    (b"GET /healthz", "wait"),
    (b"GET /healthzz HTTP/1.1\r\n\r\n", "app"),
    (b"GET /r/99.01 HTTP/1.1\r\n\r\n", "app"),
    (b"POST /healthz HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", "app"),
    (b"GET /healthz HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", "app"),  # a body: the app reads it
    (b"GET /healthz HTTP/1.1\r\nX: " + b"y" * front.HEAD_LIMIT, "app"),  # a head too long to be a check
    (b"\x16\x03\x01\x02\x00", "app"),  # TLS, or anything else
])
def test_a_connection_is_sorted_by_its_first_bytes(peeked, kind):
    assert sort(peeked) == kind


def test_the_answer_keeps_the_apps_headers_but_closes_and_is_fresh_only_for_a_while():
    answer = Answer.of_line(front.answer_line(200, [("Content-Type", "application/json"), ("Set-Cookie", "s=1"),
                                                    ("Connection", "keep-alive")], b'{"status":"ok"}', 1.0), 100.0)
    http = answer.response(b"GET /healthz HTTP/1.0\r\n\r\n").decode()
    assert http.startswith("HTTP/1.0 200 OK\r\n") and http.endswith('\r\n\r\n{"status":"ok"}')
    assert "Content-Type: application/json" in http and "Set-Cookie" not in http and "keep-alive" not in http
    assert "Connection: close" in http and "Content-Length: 15" in http
    assert answer.response(b"HEAD /healthz HTTP/1.1\r\n\r\n").decode().endswith("Connection: close\r\n\r\n")
    assert answer.fresh(100.0 + front.FRESH - 1.5) and not answer.fresh(100.0 + front.FRESH - 0.5)


def get(url: str, timeout: float) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return reply.status, reply.read(), reply.headers.get("Connection", "")


@pytest.mark.skipif(not hasattr(socket, "send_fds"), reason="sockets cannot be passed between processes here")
def test_a_stopped_app_still_answers_its_liveness_check_only_while_its_answer_is_fresh():
    """The app's process stopped (SIGSTOP, as a process stuck in a long computation would look): the front answers
    /healthz at once with the app's answer of less than FRESH seconds ago, while a page waits; once that answer is
    older, the check waits for the app too; resumed, both are answered again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = subprocess.Popen([sys.executable, "-m", "geojkn", "serve", "--port", str(port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(80):
            try:
                if get(base + "/healthz", 2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.25)
        assert get(base + "/r/99.01", 10)[0] == 200  # a page, handed to the app's server
        time.sleep(front.FRESH / 2)  # the front has the app's answer by now (sent every second)
        os.kill(app.pid, signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            status, body, connection = get(base + "/healthz", 1)
            assert (status, connection) == (200, "close") and b'"status":"ok"' in body
            with pytest.raises(OSError):  # timed out: the page is the stopped app's
                get(base + "/r/99.01", 1)
            time.sleep(max(0.0, stopped + front.FRESH + 0.5 - time.monotonic()))
            with pytest.raises(OSError):  # the answer is too old: the check is the app's too
                get(base + "/healthz", 1)
        finally:
            os.kill(app.pid, signal.SIGCONT)
        assert get(base + "/healthz", 10)[0] == 200 and get(base + "/r/99.01", 10)[0] == 200
    finally:
        app.terminate()
        app.wait(timeout=10)
    time.sleep(0.5)  # the front stops with the app and frees the port
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


@pytest.fixture
def running_front():
    """A Front in a thread of this process: (its address, the app's end of the socket between them)."""
    import threading

    listening = socket.create_server(("127.0.0.1", 0))
    ours, theirs = socket.socketpair()
    runner = front.Front(listening, theirs)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # (a full app is soon full)
    yield listening.getsockname(), ours
    ours.close()  # the app gone: the front stops
    thread.join(5)
    assert not thread.is_alive()
    listening.close()
    theirs.close()


def ask(address, request: bytes) -> bytes:
    with socket.create_connection(address, timeout=3) as conn:
        conn.sendall(request)
        got = b""
        while chunk := conn.recv(4096):
            got += chunk
        return got


def test_a_check_goes_to_the_app_until_the_app_has_sent_an_answer(running_front):
    import threading

    address, app = running_front
    app.settimeout(3)
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    asked = threading.Thread(target=ask, args=(address, request))
    asked.start()
    _, fds, _, _ = socket.recv_fds(app, 1, 1)  # no answer yet: the connection is handed over as it is
    with socket.socket(fileno=fds[0]) as handed:
        assert handed.recv(100) == request  # nothing of it read by the front
        handed.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\napp!")
    asked.join(3)
    app.sendall(front.answer_line(200, [("Content-Type", "application/json")], b'{"status":"ok","units":3}', 0.2))
    for _ in range(50):  # the front reads it in its next turn
        answered = ask(address, request)
        if answered.endswith(b'{"status":"ok","units":3}'):
            break
        _, fds, _, _ = socket.recv_fds(app, 1, 1)
        socket.socket(fileno=fds[0]).close()
    assert answered.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close" in answered
    app.settimeout(0.3)
    with pytest.raises(TimeoutError):  # the check was answered by the front: nothing handed over
        socket.recv_fds(app, 1, 1)


def test_a_full_app_gets_no_more_connections_and_the_client_is_told(running_front):
    address, app = running_front  # the app takes none of the connections handed to it
    held = []
    try:
        for _ in range(300):
            conn = socket.create_connection(address, timeout=3)
            held.append(conn)
            conn.sendall(b"GET /r/99.01 HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.settimeout(0.05)
            try:
                told = conn.recv(4096)
            except TimeoutError:  # handed to the app, which has not answered
                continue
            assert told == front.FULL and len(held) > 1
            break
        else:
            raise AssertionError("no connection was told the server is full")
    finally:
        for conn in held:
            conn.close()


@pytest.mark.parametrize("status, headers", [(200, [("X-Name", "Jepara \u20ac")]), (999, [])])
def test_an_answer_the_front_cannot_write_as_http_is_refused(status, headers):
    with pytest.raises(ValueError):
        Answer.of_line(front.answer_line(status, headers, b"{}", 0.0), 1.0)
