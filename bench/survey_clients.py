"""The benchmark's load generator: a small browser, the resident's flow, client processes."""
from __future__ import annotations

import http.client
import os
import random
import re
import select
import threading
import time
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from survey_settings import PAGES, TIMEOUT

class Reply(NamedTuple):
    first: int  # status of the first response (302 when redirected)
    status: int  # status of the final response
    url: str  # final path
    text: str


class Browser:
    """A minimal browser over ``http.client``: one keep-alive connection, cookies, one redirect.

    Much cheaper in CPU than ``requests`` (the clients share 2 cores with the server).
    """

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is not None and self.conn.sock is not None:
            if select.select([self.conn.sock], [], [], 0)[0]:  # closed by the server while idle
                self.conn.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        return self.conn

    def _request(self, method: str, path: str, data: dict | None) -> tuple[int, str | None, bytes]:
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        content = response.read()
        for cookie in response.msg.get_all("Set-Cookie") or ():
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), content

    def fetch(self, method: str, path: str, data: dict | None = None) -> Reply:
        status, location, content = self._request(method, path, data)
        if status in (301, 302, 303) and location:
            target = urlsplit(location)
            path = target.path + (f"?{target.query}" if target.query else "")
            final, _, content = self._request("GET", path, None)
            return Reply(status, final, path, content.decode("utf-8", "replace"))
        return Reply(status, status, path, content.decode("utf-8", "replace"))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


class Flow:
    """One resident's requests against one app: ``start`` then ``submit`` of each page."""

    token_re = re.compile(r'name="csrf_token" value="([^"]+)"')
    version_re = re.compile(r'name="version_id" value="(\d+)"')

    def __init__(self, kind: str):
        self.kind = kind

    def start(self, browser: Browser) -> str:
        if self.kind in ("bare", "floor"):
            info = browser.fetch("GET", "/info")
            reply = browser.fetch("POST", "/start", {"consent": "1"})
        else:
            info = browser.fetch("GET", "/enquete/bench/resident")
            token = self.token_re.search(info.text) if info.status == 200 else None
            if token is None:
                raise RuntimeError(f"info: HTTP {info.status}")
            reply = browser.fetch("POST", "/enquete/bench/resident/commencer", {"csrf_token": token.group(1)})
        if info.status != 200 or reply.first != 302 or reply.status != 200:
            raise RuntimeError(f"start: HTTP {info.status}, {reply.first} -> {reply.status}")
        return reply.text

    def submit(self, browser: Browser, index: int, page: str) -> Reply:
        section, answers, _rows = PAGES[index]
        if self.kind in ("bare", "floor"):
            return browser.fetch("POST", "/page", {"section_id": section, "action": "next", **answers})
        data = {"csrf_token": self.token_re.search(page).group(1), "version_id": self.version_re.search(page).group(1),
                "section_id": section, "action": "next", **answers}
        return browser.fetch("POST", f"/enquete/bench/resident/page/{section}", data)

    @staticmethod
    def acknowledged(index: int, reply: Reply, kind: str) -> bool:
        """Saved and sent on to the next page (a stale or expired page redirects elsewhere)."""
        if reply.first != 302 or reply.status != 200:
            return False
        if kind in ("bare", "floor"):
            return reply.url == "/next"
        if index + 1 < len(PAGES):
            return reply.url.endswith(f"/page/{PAGES[index + 1][0]}")
        return "/page/" in reply.url and not reply.url.endswith(f"/page/{PAGES[index][0]}")


def client_thread(flow: Flow, base: str, think: tuple[float, float] | None, seed: int, window: tuple[float, float],
                  stopping: threading.Event, out: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    start_w, end_w = window
    if think:
        stopping.wait(rng.uniform(0, think[1]))  # stagger the arrivals
    while not stopping.is_set():
        browser = Browser(base)  # a new device: no cookie, new connection
        try:
            page = flow.start(browser)
        except Exception as error:  # noqa: BLE001 - counted
            with lock:
                out["errors"] += 1
                if len(out["samples"]) < 5:
                    out["samples"].append(f"start: {error!r}"[:200])
            browser.close()
            stopping.wait(0.5)
            continue
        for index, (section, _answers, rows) in enumerate(PAGES):
            if think and stopping.wait(rng.uniform(*think)):  # reading the page
                break
            if stopping.is_set():
                break
            started = time.perf_counter()
            try:
                reply = flow.submit(browser, index, page)
                ok = flow.acknowledged(index, reply, flow.kind)
                what = f"{section}: HTTP {reply.first} -> {reply.status} {reply.url}"
            except Exception as error:  # noqa: BLE001 - counted
                ok, what = False, f"{section}: {error!r}"[:200]
            finished = time.time()
            elapsed = time.perf_counter() - started
            with lock:
                if not ok:
                    out["errors"] += 1
                    if len(out["samples"]) < 5:
                        out["samples"].append(what)
                else:
                    out["pages"] += 1
                    out["rows"] += rows
                    if start_w <= finished < end_w:
                        out["latencies"].append(elapsed)
                        out["bytes"] += len(reply.text)
            if not ok:
                break
            page = reply.text
        browser.close()


def client_process(kind: str, base: str, threads: int, think, seed: int, ready, go, t0, warmup: float,
                   duration: float, results) -> None:
    """A load-generator process: ``threads`` clients, its CPU time over the window."""
    flow = Flow(kind)
    out = {"latencies": [], "errors": 0, "samples": [], "pages": 0, "rows": 0, "bytes": 0, "cpu": 0.0}
    lock, stopping = threading.Lock(), threading.Event()
    ready.put(os.getpid())
    go.wait(60)
    start_w = t0.value + warmup
    end_w = start_w + duration
    pool = [threading.Thread(target=client_thread, daemon=True,
                             args=(flow, base, think, seed * 1000 + i, (start_w, end_w), stopping, out, lock))
            for i in range(threads)]
    for thread in pool:
        thread.start()
    time.sleep(max(0.0, start_w - time.time()))
    cpu0 = sum(os.times()[:2])
    time.sleep(max(0.0, end_w - time.time()))
    out["cpu"] = sum(os.times()[:2]) - cpu0
    stopping.set()
    for thread in pool:
        thread.join(TIMEOUT + 5)
    with lock:
        results.put(out)
