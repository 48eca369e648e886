"""Before a batch sends anything: is there a key, and can the server be reached at all?

Without this, a machine with no network spends half a minute of retries per clip and
prints one long connection error for each. One check first, one message, nothing sent.
Reaching means a TCP connection to the server (or to the proxy the environment names
for it): no request, nothing billed, and no claim on what the server will answer.
"""

from __future__ import annotations

import socket
import threading
import urllib.request
from typing import Protocol, runtime_checkable
from urllib.parse import SplitResult, urlsplit

from annotator.captioning.base import Provider
from annotator.captioning.errors import REPLAY_INSTEAD, MissingKeyError, UnreachableError
from annotator.dashscope_api import read_key

# A TCP handshake with a healthy server takes milliseconds; a missing route often never
# answers, so this bounds the wait (name resolution included).
REACH_TIMEOUT_S = 5.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


@runtime_checkable
class ReadsItsKey(Protocol):
    """A provider that reads its own key by the one DashScope rule (which URL may get it)."""

    def api_key(self) -> str | None:
        """The key its requests would carry; MissingKeyError when it needs one and has none."""
        ...


def check_ready(provider: Provider, *, timeout: float = REACH_TIMEOUT_S) -> None:
    """Raise MissingKeyError when the provider needs a key it cannot have (none set, or
    DashScope's key for a remote plain-http URL), before any connection is tried; then
    UnreachableError when its server (``base_url``, if it has one) cannot be reached."""
    if isinstance(provider, ReadsItsKey):
        provider.api_key()
    elif provider.needs_key and provider.key_env_var:  # another provider's own variable
        read_key(
            provider.key_env_var,
            None,
            url="",
            required=True,
            error=MissingKeyError,
            otherwise=REPLAY_INSTEAD,
        )
    url = getattr(provider, "base_url", None)
    if isinstance(url, str) and url:
        check_reachable(url, timeout=timeout)


def check_reachable(url: str, *, timeout: float = REACH_TIMEOUT_S) -> None:
    """Open (and close) a TCP connection to URL's host, or to the proxy for it; raise
    UnreachableError naming what was tried and what to check when that fails."""
    parts = urlsplit(url)
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return  # not a network address this check understands; the requests will tell
    server = _address(parts)
    proxy = _proxy_for(parts)
    target = server if proxy is None else _address(urlsplit(proxy))
    reason = _connect(target, timeout)
    if reason is None:
        return
    shown = f"{parts.scheme}://{_hostport(server)}{parts.path}"  # no credentials, no query
    tried = shown if proxy is None else f"the proxy {_hostport(target)} for {shown}"
    raise UnreachableError(
        f"cannot reach {tried} ({reason}); nothing was sent",
        fix="check the network, the proxy settings (HTTPS_PROXY, NO_PROXY), the address "
        "(--base-url) and that the server runs",
    )


def _address(parts: SplitResult) -> tuple[str, int]:
    try:
        port = parts.port
    except ValueError:  # a port out of range: let the connection attempt say so
        port = None
    return parts.hostname or "", port or _DEFAULT_PORTS.get(parts.scheme, 80)


def _hostport(address: tuple[str, int]) -> str:
    host, port = address
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _proxy_for(parts: SplitResult) -> str | None:
    """The proxy the HTTP clients (httpx, requests) would use for this URL, from the
    environment, or None when the connection is direct."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _connect(address: tuple[str, int], timeout: float) -> str | None:
    """None when a connection opens within TIMEOUT, else why not, in a few words."""
    outcome: list[OSError | None] = []

    def attempt() -> None:
        try:
            socket.create_connection(address, timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    # In a thread: name resolution ignores the socket timeout, and can hang for long.
    thread = threading.Thread(target=attempt, name="reach-check", daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    if not outcome or isinstance(outcome[0], TimeoutError):
        return f"no answer within {timeout:g} s"
    error = outcome[0]
    if error is None:
        return None
    if isinstance(error, socket.gaierror):
        return f"the name {address[0]} does not resolve: {error.strerror}"
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused: nothing listens on port {address[1]}"
    return error.strerror or type(error).__name__
