"""Open a report page in headless Chromium and say what a reader would see.

A report is only useful if it renders: a template error that leaves a blank page, an image whose
data URI is cut, a stray ``<script src=https://...>`` that an air-gapped lab cannot load. This
module drives Debian's ``chromium`` through the DevTools protocol over a pipe
(``--remote-debugging-pipe``: NUL-separated JSON on file descriptors 3 and 4, so no websocket
library and no open port) and returns what the page did:

- console errors and uncaught exceptions (``Runtime.consoleAPICalled``, ``Runtime.exceptionThrown``,
  ``Log.entryAdded``),
- every request the page made (``Network.requestWillBeSent``); anything but ``file:`` and ``data:``
  is a network fetch, which a self-contained report must never make (requests to the network are
  also blocked, so a failing check never depends on the network being there),
- every ``<img>`` with its ``naturalWidth``,
- the visible text of an element (the verdict banner), with its on-screen size,
- a screenshot of the page and one of an empty page of the same size, to tell "rendered" from
  "blank".

Every wait is bounded by a deadline (``timeout_s``, generous by default: the lab machine is a
loaded 2-core box) and driven by the browser's own events, never by sleeping.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BrowserError", "PageCheck", "check_page", "check_pages", "chromium_path", "chromium_unavailable_reason",
           "png_ink"]

#: flags that keep a headless Chromium quiet and off the network (no updates, no sync, no QUIC)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-default-apps", "--disable-extensions", "--mute-audio",
                  "--hide-scrollbars", "--disable-dev-shm-usage", "--remote-debugging-pipe")


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer within the deadline."""


def chromium_path() -> str | None:
    """The Chromium binary: ``$SOUNDCHECK_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH."""
    env = os.environ.get("SOUNDCHECK_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_unavailable_reason() -> str | None:
    """None when a Chromium is installed, else why not and how to get one."""
    if chromium_path() is None:
        return ("chromium is not installed (Debian: `apt-get install chromium`, which scripts/bootstrap "
                "does as root; or set SOUNDCHECK_CHROMIUM to a Chromium binary)")
    return None


@dataclass
class PageCheck:
    """What one page did in the browser."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    images: list[dict[str, Any]] = field(default_factory=list)
    texts: dict[str, dict[str, Any]] = field(default_factory=dict)
    screenshot: bytes = b""
    blank_screenshot: bytes = b""
    evaluated: dict[str, Any] = field(default_factory=dict)

    @property
    def network_requests(self) -> list[str]:
        """Requests to anything but the page's own file and inline data: the page is not self-contained."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]

    @property
    def broken_images(self) -> list[dict[str, Any]]:
        return [i for i in self.images if not i.get("complete") or not i.get("naturalWidth")]


class _Pipe:
    """The DevTools protocol over Chromium's debugging pipe: one JSON message per NUL-terminated chunk."""

    def __init__(self, proc: subprocess.Popen[bytes], write_fd: int, read_fd: int) -> None:
        self.proc, self.wfd, self.rfd = proc, write_fd, read_fd
        self.buf = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None,
             deadline: float) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            _, writable, _ = select.select([], [self.wfd], [], max(0.0, deadline - time.monotonic()))
            if not writable:
                raise BrowserError(f"chromium did not take the command {method} before the deadline")
            data = data[os.write(self.wfd, data):]
        want = self.next_id
        while True:
            m = self._read(deadline, waiting_for=method)
            if m.get("id") == want:
                if "error" in m:
                    raise BrowserError(f"{method}: {m['error'].get('message')}")
                return m.get("result") or {}
            self.events.append(m)

    def wait_event(self, method: str, deadline: float, *, session: str | None = None) -> dict[str, Any]:
        for i, m in enumerate(self.events):
            if m.get("method") == method and (session is None or m.get("sessionId") == session):
                return self.events.pop(i)
        while True:
            m = self._read(deadline, waiting_for=method)
            if m.get("method") == method and (session is None or m.get("sessionId") == session):
                return m
            self.events.append(m)

    def drain(self) -> None:
        """Whatever events are already in the pipe (no waiting)."""
        while True:
            readable, _, _ = select.select([self.rfd], [], [], 0)
            if not readable and b"\0" not in self.buf:
                return
            if b"\0" not in self.buf and not self._fill(0.0):
                return
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                self.events.append(json.loads(raw))

    def _fill(self, timeout: float) -> bool:
        readable, _, _ = select.select([self.rfd], [], [], max(0.0, timeout))
        if not readable:
            return False
        chunk = os.read(self.rfd, 1 << 20)
        if not chunk:
            raise BrowserError(f"chromium closed its debugging pipe (exit status {self.proc.poll()})")
        self.buf += chunk
        return True

    def _read(self, deadline: float, *, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self.buf:
            if not self._fill(deadline - time.monotonic()) and time.monotonic() >= deadline:
                raise BrowserError(f"chromium did not answer {waiting_for} before the deadline")
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)


def check_page(page: str | os.PathLike[str], **kw: Any) -> PageCheck:
    """``check_pages([page], **kw)[0]``."""
    return check_pages([page], **kw)[0]


def check_pages(pages: list[str | os.PathLike[str]], *, text_selectors: tuple[str, ...] = ("#verdict",),
                evaluate: dict[str, str] | None = None, timeout_s: float = 120.0,
                viewport: tuple[int, int] = (1280, 2000), chromium: str | None = None) -> list[PageCheck]:
    """Load each of ``pages`` (local HTML files) in one headless Chromium, each in a fresh tab, and
    report what each did.

    ``text_selectors``: CSS selectors whose visible text (``innerText``) and on-screen box are
    returned in ``texts``; ``evaluate``: name -> JavaScript expression (returning JSON) evaluated
    after load, results in ``evaluated``. Raises ``BrowserError`` when Chromium is missing, fails to
    start or misses the deadline (``timeout_s`` for all pages together).
    """
    binary = chromium or chromium_path()
    if binary is None:
        raise BrowserError(chromium_unavailable_reason() or "no chromium")
    deadline = time.monotonic() + timeout_s
    results = [PageCheck(url=Path(p).resolve().as_uri()) for p in pages]
    with tempfile.TemporaryDirectory(prefix="soundcheck-chromium-") as profile:
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4; a shell moves the pipe ends
        # there from numbers above 9 (so moving one never overwrites the other; bash, as dash takes
        # single-digit descriptors only) and closes those.
        r, w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_chrome_r, from_chrome_w))
        proc = subprocess.Popen(  # noqa: S603 - a fixed argument list; the shell line has no input in it
            ["/bin/bash", "-c", f'exec "$@" 3<&{r} 4>&{w} {r}<&- {w}>&-', "bash", binary, *CHROMIUM_FLAGS,
             f"--user-data-dir={profile}", f"--window-size={viewport[0]},{viewport[1]}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(r, w), env={**os.environ, "HOME": profile})
        for fd in (to_chrome_r, from_chrome_w, r, w):
            os.close(fd)
        pipe = _Pipe(proc, to_chrome_w, from_chrome_r)
        try:
            for result in results:
                _drive(pipe, result, text_selectors, evaluate or {}, viewport, deadline)
        finally:
            try:
                pipe.send("Browser.close", deadline=min(deadline, time.monotonic() + 10))
            except (BrowserError, OSError):
                pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
            os.close(to_chrome_w)
            os.close(from_chrome_r)
    return results


def _drive(pipe: _Pipe, result: PageCheck, selectors: tuple[str, ...],
           evaluate: dict[str, str], viewport: tuple[int, int], deadline: float) -> None:
    target = pipe.send("Target.createTarget", {"url": "about:blank"}, deadline=deadline)["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True},
                        deadline=deadline)["sessionId"]

    def call(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return pipe.send(method, params, session=session, deadline=deadline)

    for domain in ("Page", "Runtime", "Log", "Network"):
        call(f"{domain}.enable")
    # Nothing may leave the machine: a page that tries is caught by the request list below, and
    # the check does not hang on (or depend on) a network that may be absent.
    call("Network.setBlockedURLs", {"urls": ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]})
    call("Emulation.setDeviceMetricsOverride", {"width": viewport[0], "height": viewport[1],
                                                "deviceScaleFactor": 1, "mobile": False})
    result.blank_screenshot = _screenshot(call)
    pipe.events.clear()
    call("Page.navigate", {"url": result.url})
    pipe.wait_event("Page.loadEventFired", deadline, session=session)
    # Images decode asynchronously after load: wait, in the page, until every one has settled.
    call("Runtime.evaluate", {"expression": "Promise.all(Array.from(document.images).map("
                                            "i => i.decode().catch(() => null))).then(() => true)",
                              "awaitPromise": True, "timeout": max(1, int((deadline - time.monotonic()) * 1000))})
    result.images = _eval(call, "Array.from(document.images).map(i => ({alt: i.alt, src: i.src.slice(0, 60),"
                                " complete: i.complete, naturalWidth: i.naturalWidth}))")
    for sel in selectors:
        result.texts[sel] = _eval(call, (
            f"(() => {{ const e = document.querySelector({json.dumps(sel)}); if (!e) return null;"
            " const r = e.getBoundingClientRect(); const s = getComputedStyle(e);"
            " return {text: e.innerText, width: r.width, height: r.height, top: r.top,"
            " visibility: s.visibility, display: s.display}; })()"))
    for name, expr in evaluate.items():
        result.evaluated[name] = _eval(call, expr)
    result.screenshot = _screenshot(call)
    pipe.drain()
    events, pipe.events = pipe.events, []
    pipe.send("Target.closeTarget", {"targetId": target}, deadline=deadline)
    for m in events:
        if m.get("sessionId") != session:
            continue
        method, params = m.get("method"), m.get("params") or {}
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            args = params.get("args") or []
            result.console_errors.append("console: " + " ".join(str(a.get("value", a.get("description", "")))
                                                                for a in args))
        elif method == "Runtime.exceptionThrown":
            d = params.get("exceptionDetails") or {}
            result.console_errors.append("exception: " + str((d.get("exception") or {}).get("description")
                                                              or d.get("text")))
        elif method == "Log.entryAdded" and (params.get("entry") or {}).get("level") == "error":
            e = params["entry"]
            result.console_errors.append(f"log ({e.get('source')}): {e.get('text')} {e.get('url', '')}".strip())
        elif method == "Network.requestWillBeSent":
            result.requests.append(str((params.get("request") or {}).get("url"))[:200])


def _eval(call: Any, expression: str) -> Any:
    r = call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
    if "exceptionDetails" in r:
        raise BrowserError(f"evaluating {expression[:60]!r} raised: {r['exceptionDetails'].get('text')}")
    return (r.get("result") or {}).get("value")


def _screenshot(call: Any) -> bytes:
    import base64
    return base64.b64decode(call("Page.captureScreenshot", {"format": "png"})["data"])


def png_ink(png: bytes, *, against: bytes | None = None, tolerance: int = 8) -> float:
    """The share of pixels that differ from ``against`` (a screenshot of an empty page of the same
    size), or from white without one: 0.0 is a blank page."""
    import numpy as np
    from matplotlib import image as mpimg

    a = (mpimg.imread(io.BytesIO(png), format="png")[..., :3] * 255).astype(np.int16)
    if against is not None:
        b = (mpimg.imread(io.BytesIO(against), format="png")[..., :3] * 255).astype(np.int16)
        if b.shape != a.shape:
            raise ValueError(f"screenshots differ in size: {a.shape} vs {b.shape}")
    else:
        b = np.full_like(a, 255)
    return float((np.abs(a - b).max(axis=-1) > tolerance).mean())
