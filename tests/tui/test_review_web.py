"""`annotator review DIR --web`: the review served to a browser by textual-serve.

The server runs as a real process; the browser tests drive Debian's chromium headless
through its chromedriver (selenium, never downloading a driver) and read the text xterm.js
holds in its buffer, the text it draws on the page's canvas.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from typer.testing import CliRunner

from annotator.cli import app
from annotator.cli.review_web import is_loopback, served_command
from annotator.tui.lock import SessionLock
from tests.tui.conftest import SUBJECTS

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

DEADLINE = 60.0  # seconds: only a failing test waits this long (a loaded 2-core machine)
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ENABLE = "apt-get install chromium chromium-driver"
FIRST, SECOND = SUBJECTS["clip_a.mp4"][0], SUBJECTS["clip_b.mp4"][0]

runner = CliRunner()
UPGRADE = {  # a browser's request to open a WebSocket
    "Connection": "Upgrade",
    "Upgrade": "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until(what: str, probe: Callable[[], bool]) -> None:
    end = time.monotonic() + DEADLINE
    while not probe():
        if time.monotonic() > end:
            raise AssertionError(f"{what} did not happen within {DEADLINE:.0f} s")
        time.sleep(0.1)


@dataclass
class WebServer:
    """`annotator review ROOT --web` running in its own process group."""

    process: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def printed(self) -> str:
        return "".join(self.output)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        """End the server and every session it started (the whole process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # A session started by the server may outlive it by a moment: end what is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def web_server(ws_root: Path) -> Iterator[WebServer]:
    with _serving(ws_root) as server:
        yield server


@contextlib.contextmanager
def _serving(root: Path, *options: str) -> Iterator[WebServer]:
    port = _free_port()
    command = [sys.executable, "-m", "annotator", "review", str(root), "--web", "--port"]
    process = subprocess.Popen(
        [*command, str(port), *options],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: the sessions it starts end with it
    )
    server = WebServer(process, port)
    threading.Thread(target=server._read, daemon=True).start()
    try:
        _wait_until("the server's start", lambda: "Ctrl+C" in server.printed())
        _wait_until("the server's answer", lambda: _answers(server.url))
        yield server
    finally:
        server.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


# -- without a browser ----------------------------------------------------------------------


def test_web_prints_the_local_address_the_ssh_forward_and_the_served_review(
    web_server: WebServer, ws_root: Path
) -> None:
    printed = web_server.printed()
    port = web_server.port
    assert f"http://127.0.0.1:{port}" in printed
    assert f"ssh -N -L {port}:localhost:{port} " in printed
    assert f"then open http://localhost:{port}" in printed
    served = next(
        line.split(": ", 1)[1] for line in printed.splitlines() if line.startswith("Each browser")
    )
    assert shlex.split(served) == [
        sys.executable,
        *("-m", "annotator", "review", str(ws_root), "--graphics", "halfcell"),
    ]
    page = httpx.get(web_server.url, timeout=10)
    assert page.status_code == 200
    assert f"ws://127.0.0.1:{port}/ws" in page.text


def test_the_server_refuses_other_sites_and_other_names(web_server: WebServer) -> None:
    """A page of another site may not type into the review (WebSockets ignore the
    same-origin rule), nor may a name of another site that points at 127.0.0.1."""
    elsewhere = httpx.get(
        f"{web_server.url}/ws", headers={**UPGRADE, "Origin": "http://evil.example"}, timeout=10
    )
    assert elsewhere.status_code == 403
    renamed = httpx.get(
        web_server.url, headers={"Host": f"evil.example:{web_server.port}"}, timeout=10
    )
    assert renamed.status_code == 403


def test_a_host_other_computers_reach_needs_allow_remote(ws_root: Path) -> None:
    result = runner.invoke(app, ["review", str(ws_root), "--web", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output and "no password" in result.output
    with _serving(ws_root, "--host", "0.0.0.0", "--allow-remote") as server:
        assert "warning: listening on 0.0.0.0: anyone who can reach port" in server.printed()
        assert "ssh -N -L" not in server.printed()
        # Any name now reaches the page; a page of another site still may not connect.
        named = httpx.get(server.url, headers={"Host": f"gpu-box:{server.port}"}, timeout=10)
        assert named.status_code == 200
        elsewhere = httpx.get(
            f"{server.url}/ws", headers={**UPGRADE, "Origin": "http://evil.example"}, timeout=10
        )
        assert elsewhere.status_code == 403


def test_web_refuses_while_a_terminal_session_has_the_workspace(ws_root: Path) -> None:
    with SessionLock(ws_root / ".annotator"):
        port = str(_free_port())
        result = runner.invoke(app, ["review", str(ws_root), "--web", "--port", port])
    assert result.exit_code == 1
    assert "another review session" in result.output


def test_web_on_a_taken_port_says_so_before_anything_else(ws_root: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["review", str(ws_root), "--web", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}" in result.output
    assert "try another --port" in result.output and "ssh" not in result.output


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        *[("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True)],
        *[("0.0.0.0", False), ("192.168.1.5", False), ("gpu-box", False), ("::", False)],
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_the_served_command_passes_any_folder_name_through_the_shell(tmp_path: Path) -> None:
    """textual-serve starts the command with a shell: a folder name is never shell code."""
    root = tmp_path / 'clips $(touch pwned) `touch pwned2`; it\'s "mine"'
    root.mkdir()
    command = served_command(root, ["--graphics", "halfcell"])
    assert shlex.split(command)[3:5] == ["review", str(root)]
    result = subprocess.run(
        ["sh", "-c", command],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Not a workspace: the review names the folder, exactly as it is, and exits.
    assert result.returncode == 1, result.stderr
    assert str(root) in " ".join(result.stderr.split())
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


# -- in a real browser ----------------------------------------------------------------------

# Captures xterm.js's Terminal as textual-serve's page makes it (`this.terminal = new
# Terminal(...)`, the only such assignment on the page), so the test reads the terminal's
# buffer: the text that is drawn on the canvas. Runs before the page's own scripts.
CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    delete Object.prototype.terminal;
    this.terminal = value;
    window.__annotatorTerminal = value;
  },
});
"""

SCREEN_TEXT = """
const terminal = window.__annotatorTerminal;
if (!terminal) { return ""; }
const buffer = terminal.buffer.active;
const rows = [];
for (let y = 0; y < terminal.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : "");
}
return rows.join("\\n");
"""


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Chrome]:
    """Headless chromium through Debian's chromedriver; skipped where neither is installed
    and nobody can install them (not root), failed where root could (CI installs them)."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        message = f"no {' or '.join(missing)}: `{ENABLE}` enables the browser test"
        if os.geteuid() != 0:
            pytest.skip(message)
        pytest.fail(message)
    monkeypatch.setenv("SE_OFFLINE", "true")  # selenium never fetches a driver or a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="annotator-chromium-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        # The page asks a font server for its font: no name resolves, so nothing waits on it.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": CAPTURE_TERMINAL}
        )
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open_review(driver: Chrome, url: str) -> None:
    """Load the review page in the current tab, its terminal captured for _screen."""
    capture = {"source": CAPTURE_TERMINAL}  # per tab: a new tab is a new DevTools target
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", capture)
    driver.get(url)


def _screen(driver: Chrome) -> str:
    text: Any = driver.execute_script(SCREEN_TEXT)
    return str(text or "")


def _wait_for_text(driver: Chrome, text: str, *, gone: str | None = None) -> None:
    def shown() -> bool:
        screen = _screen(driver)
        return text in screen and (gone is None or gone not in screen)

    try:
        _wait_until(f"{text!r} on the page's terminal", shown)
    except AssertionError:
        screen = _screen(driver)
        raise AssertionError(f"{text!r} never shown; the terminal holds:\n{screen}") from None


def _press(driver: Chrome, keys: str) -> None:
    """Type KEYS as a person does: into the focused terminal, as key events."""
    from selenium.webdriver.common.action_chains import ActionChains

    driver.execute_script("window.__annotatorTerminal.focus();")
    ActionChains(driver).send_keys(keys).perform()


def test_the_review_in_a_browser(browser: Chrome, web_server: WebServer) -> None:
    """One browser, step by step: the page shows the first sample, a key moves to the next,
    v plays the clip in a new tab, a second tab is told another session has the workspace,
    and once the first tab is closed a new one reviews again, at the same sample."""
    _open_review(browser, web_server.url)
    _wait_for_text(browser, FIRST)
    assert "clip_a.mp4" in _screen(browser)
    _press(browser, "j")  # next sample
    _wait_for_text(browser, SECOND, gone=FIRST)
    review_tab = browser.current_window_handle

    _press(browser, "v")
    _wait_for_text(browser, "opens in a new browser tab")
    _wait_until("a tab for the clip", lambda: len(browser.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != review_tab))
    # The browser's own player: a <video> that has read the clip's length (2.5 s).
    has_video = "const v = document.querySelector('video'); return !!v && v.duration > 2;"
    _wait_until("the clip playing in its tab", lambda: bool(browser.execute_script(has_video)))
    browser.close()

    browser.switch_to.window(review_tab)
    browser.switch_to.new_window("tab")
    _open_review(browser, web_server.url)
    _wait_for_text(browser, "another review session")
    second_tab = browser.current_window_handle

    browser.switch_to.window(review_tab)
    browser.close()  # the server ends that tab's session, which lets the workspace go
    browser.switch_to.window(second_tab)
    _open_review(browser, web_server.url)
    _wait_for_text(browser, SECOND)
