"""Saving a record with several survivors at once, on a real server.

faced is served by waitress in this process, on a free local port; each
survivor is a separate HTTP client with its own session (made by the
receipt way in) that saves versions of a record as fast as it can. The
baseline is the health check under the same load.
"""

import http.cookiejar
import re
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request

from django.test import override_settings
from waitress.server import create_server

from bench.background import QUEUED_NOT_RUN
from bench.figures import Figure

SURVIVORS = 8
SAVES = 10
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TEXT = "What happened, written at length. " * 60


class Survivor:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def post(self, path: str, fields: dict, token: str) -> int:
        body = urllib.parse.urlencode(
            {**fields, "csrfmiddlewaretoken": token}
        ).encode()
        with self.opener.open(self.base + path, data=body) as response:
            response.read()
            return response.status

    def begin(self) -> str:
        token = TOKEN.search(self.get("/write/"))[1]
        self.post("/write/receipt/", {"agree": "on"}, token)
        return TOKEN.search(self.get("/my/write/2/"))[1]


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run() -> list[Figure]:
    with override_settings(TASKS=QUEUED_NOT_RUN):
        return _run()


def _run() -> list[Figure]:
    from faced.wsgi import application

    port = _free_port()
    server = create_server(
        application, host="127.0.0.1", port=port, threads=SURVIVORS
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        survivors = [Survivor(base) for _ in range(SURVIVORS)]
        tokens = [survivor.begin() for survivor in survivors]
        saves: list[float] = []
        pages: list[float] = []
        lock = threading.Lock()

        def save_loop(survivor: Survivor, token: str) -> None:
            for number in range(SAVES):
                survivor.post(
                    "/my/write/2/",
                    {"answer": f"{TEXT} {number}", "action": "next"},
                    token,
                )
                start = time.perf_counter()
                survivor.post("/my/write/7/", {}, token)
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    saves.append(elapsed)

        def page_loop(survivor: Survivor) -> None:
            for _ in range(SAVES * 2):
                start = time.perf_counter()
                survivor.get("/healthz")
                elapsed = (time.perf_counter() - start) * 1000
                with lock:
                    pages.append(elapsed)

        def timed(target, args_list) -> float:
            workers = [
                threading.Thread(target=target, args=args)
                for args in args_list
            ]
            start = time.perf_counter()
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            return time.perf_counter() - start

        save_seconds = timed(
            save_loop, list(zip(survivors, tokens, strict=True))
        )
        page_seconds = timed(page_loop, [(s,) for s in survivors])
    finally:
        server.close()
    save_p50, save_p95 = _percentiles(saves)
    page_p50, page_p95 = _percentiles(pages)
    label = f"{SURVIVORS} survivors at once"
    return [
        Figure(
            f"save a record, {label}, p50",
            save_p50,
            "ms",
            "health check, same load",
            page_p50,
        ),
        Figure(
            f"save a record, {label}, p95",
            save_p95,
            "ms",
            "health check, same load",
            page_p95,
        ),
        Figure(
            f"records saved per second, {label}",
            len(saves) / save_seconds,
            "per s",
            "health checks per second",
            len(pages) / page_seconds,
        ),
    ]
