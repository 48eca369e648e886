"""`annotator review DIR --web`: the review app served to a browser with textual-serve.

For a person whose clips live on a remote (GPU) machine: the server binds to the loopback
address, and the person reaches it through an SSH port forward. Each browser tab starts its
own `annotator review DIR` process (textual-serve runs one command per tab); the session
lock lets one of them edit the workspace at a time.

The server only answers requests addressed to it by a loopback name (or, with
--allow-remote, any name) and only takes a terminal connection from its own page: any other
web site open in the same browser could otherwise type into the review (WebSockets are not
bound by the same-origin rule) or reach it by pointing a name of its own at 127.0.0.1.
"""

from __future__ import annotations

import getpass
import ipaddress
import logging
import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def is_loopback(host: str) -> bool:
    """True when HOST names this machine's loopback interface only."""
    if host.lower() in LOOPBACK_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind_error(host: str, port: int) -> str | None:
    """Why HOST:PORT cannot be listened on (taken, not this machine's), or None."""
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as sock:
            # As the server will: a port a closed connection still waits on is free.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            return None
    except OSError as exc:
        return exc.strerror or str(exc)


def served_command(root: Path, extra: list[str]) -> str:
    """The shell command textual-serve runs for each browser tab: this Python running
    ``annotator review ROOT`` with EXTRA options, every word quoted for ``sh``.

    textual-serve starts it through a shell, so a folder named ``$(rm -rf ~)`` must reach
    the review as a name and never as shell code.
    """
    argv = [sys.executable, "-m", "annotator", "review", str(root), *extra]
    if os.name == "nt":  # pragma: no cover - Windows: cmd.exe's quoting
        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


def url_for(host: str, port: int) -> str:
    """The address to open in a browser (this machine's name when HOST is every address)."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return f"http://{shown}:{port}"


def ssh_hint(port: int) -> list[str]:
    """How to reach a loopback-bound server on this machine from the person's own computer."""
    try:
        where = f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):  # no user name (a container without a passwd entry)
        where = "user@host"
    return [
        "From another computer, forward the port over SSH (use the name you log in with):",
        f"  ssh -N -L {port}:localhost:{port} {where}",
        f"then open http://localhost:{port} there.",
    ]


class ReviewServer(Server):
    """textual-serve's server with the page's links taken from the address the browser used
    (an SSH forward may use another local port) and requests from other sites refused."""

    def __init__(self, command: str, *, host: str, port: int, title: str, any_host: bool) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.any_host = any_host  # --allow-remote: the person accepted every Host name

    def initialize_logging(self) -> None:
        """textual-serve's log, without a line for every request the page makes."""
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def on_startup(self, app: web.Application) -> None:
        """The CLI printed the address and the SSH hint already; no banner."""

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, with its WebSocket address on the host and port the browser used."""
        self._check_host(request)
        # handle_index is textual-serve's, reads public_url at once and never awaits before.
        self.public_url = f"{request.scheme}://{request.host}"
        response: web.StreamResponse = await super().handle_index(request)
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """The terminal's connection: only from this server's own page."""
        self._check_host(request)
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="a page of another site may not open this session")
        return await super().handle_websocket(request)

    def _check_host(self, request: web.Request) -> None:
        name = urlsplit(f"//{request.host}").hostname or ""
        if not (self.any_host or is_loopback(name)):
            raise web.HTTPForbidden(text=f"not served under the name {name!r}")
