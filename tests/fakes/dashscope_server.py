"""A fake DashScope on 127.0.0.1 for the real dashscope and openai SDKs.

Serves what the captioning providers call:

- ``GET  /api/v1/uploads?action=getPolicy&model=...``  upload policy (``data``)
- ``POST /oss``                                        the OSS form upload
- ``POST /api/v1/services/aigc/multimodal-generation/generation``  native
- ``POST /api/v1/services/aigc/text-generation/generation``  native text (``Generation``)
- ``POST /compatible-mode/v1/chat/completions``         OpenAI-compatible

Every request is recorded (headers, JSON body, multipart fields and files).
Answers are scripted per endpoint with a queue of ``Reply`` objects; an empty
queue answers 200 with ``default_text``. The same ``Reply`` is rendered in
the native shape (``{"code", "message"}``) or the compatible one
(``{"error": {...}}``) by the endpoint that pops it.

``vision`` makes it a vision model that answers verification requests (``annotator
verify``) by itself: it knows what each clip shows (``Seen``, by the sha256 of the clip's
bytes, whether sent as base64 or uploaded) and compares the SUBJECT, BACKGROUND and EFFECT
lines of the instruction with it, as a model would. Queued replies still come first.

``echo_authorization`` plays a careless proxy: every error answer repeats the
request's Authorization header, and the bare key, in its message (or its raw body).
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import json
import re
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.local_server import LocalServer

NATIVE = "native"
COMPATIBLE = "compatible"
POLICY = "policy"
OSS = "oss"

NATIVE_PATH = "/api/v1/services/aigc/multimodal-generation/generation"
TEXT_PATH = "/api/v1/services/aigc/text-generation/generation"
COMPATIBLE_PATH = "/compatible-mode/v1/chat/completions"
POLICY_PATH = "/api/v1/uploads"
OSS_PATH = "/oss"


@dataclass
class Reply:
    """One scripted answer. ``raw`` is sent as is (a garbled body)."""

    status: int = 200
    text: str | None = None
    code: str | None = None
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    delay: float = 0.0
    input_tokens: int = 1200
    output_tokens: int = 80


def answer(
    text: str, *, delay: float = 0.0, input_tokens: int = 1200, output_tokens: int = 80
) -> Reply:
    """200 with ``text`` as the model's answer."""
    return Reply(text=text, delay=delay, input_tokens=input_tokens, output_tokens=output_tokens)


def rate_limited(retry_after: float | None = None, *, delay: float = 0.0) -> Reply:
    """429 Throttling.RateQuota, with a Retry-After header when given."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return Reply(
        429,
        code="Throttling.RateQuota",
        message="Requests rate limit exceeded, please try again later.",
        headers=headers,
        delay=delay,
    )


def server_error(status: int = 500) -> Reply:
    """5xx InternalError."""
    return Reply(status, code="InternalError", message="An internal error has occured.")


def invalid_key() -> Reply:
    """401 InvalidApiKey."""
    return Reply(401, code="InvalidApiKey", message="Invalid API-key provided.")


def moderation() -> Reply:
    """400 DataInspectionFailed (content moderation)."""
    return Reply(
        400, code="DataInspectionFailed", message="Input data may contain inappropriate content."
    )


def error(status: int, code: str, message: str) -> Reply:
    """Any other error status and code."""
    return Reply(status, code=code, message=message)


def garbled_body() -> Reply:
    """200 whose body is not JSON (a broken proxy)."""
    return Reply(raw=b"<html><body>upstream hiccup</body></html>")


@dataclass(frozen=True)
class Seen:
    """What the fake vision model sees in one clip: a part of the prompt matches when it
    names the word given here. ``note`` words a mismatch the model may put odd text in."""

    subject: str
    background: str
    effect: str
    category: str = "object"
    defects: tuple[str, ...] = ()
    note: str | None = None


# The lines of the verify instruction (templates/instructions/verify.{en,zh}.txt).
_PART_LINES = {
    "subject": re.compile(
        r"^(?:SUBJECT \(what the video opens on\)|主体\(视频开头展示的\)):\s*(.*)$", re.M
    ),
    "background": re.compile(
        r"^(?:BACKGROUND \(where it is\)|背景\(主体所在的环境\)):\s*(.*)$", re.M
    ),
    "effect": re.compile(
        r"^(?:EFFECT \(what happens over the video\)|特效\(视频中发生的变化\)):\s*(.*)$", re.M
    ),
}


def verdict_text(instruction: str, seen: Seen) -> str:
    """The fake model's answer to a verify instruction about a clip showing SEEN."""
    said = {}
    for part, line in _PART_LINES.items():
        found = line.search(instruction)
        said[part] = found.group(1) if found else ""
    verdict: dict[str, Any] = {}
    for part, key in (
        ("subject", "subject_matches"),
        ("background", "background_matches"),
        ("effect", "effect_shown"),
    ):
        wanted = getattr(seen, part)
        ok = wanted.lower() in said[part].lower()
        verdict[key] = ok
        note = (
            f"The video shows {wanted}."
            if ok
            else seen.note or f"The video shows {wanted}, not that."
        )
        verdict[f"{part}_note"] = note
    verdict["defects"] = list(seen.defects)
    verdict["subject_category"] = seen.category
    return json.dumps(verdict, ensure_ascii=False)


@dataclass
class Recorded:
    """One request as the server saw it. ``headers`` keys are lower case."""

    endpoint: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """Form fields and files of a multipart/form-data body."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, payload)
        else:
            form[str(name)] = payload.decode("utf-8")
    return form, files


def read_request(handler: BaseHTTPRequestHandler, method: str, endpoint: str) -> Recorded:
    """The request HANDLER is serving, read whole: headers, body, JSON or multipart."""
    split = urlsplit(handler.path)
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    rec = Recorded(
        endpoint=endpoint,
        method=method,
        path=split.path,
        query=parse_qs(split.query),
        headers={k.lower(): v for k, v in handler.headers.items()},
        body=body,
    )
    content_type = handler.headers.get("Content-Type", "")
    if content_type.startswith("multipart/form-data"):
        rec.form, rec.files = parse_multipart(content_type, body)
    elif body:
        try:
            rec.json = json.loads(body)
        except ValueError:
            rec.json = None
    return rec


class FakeDashScope(LocalServer):
    """The server; use as a context manager or call ``start``/``close``."""

    def __init__(self, default_text: str = "A caption from the fake server.") -> None:
        self.default_text = default_text
        self.recorded: list[Recorded] = []
        self.uploads: dict[str, bytes] = {}
        self._queues: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = defaultdict(int)
        self._max_in_flight: dict[str, int] = defaultdict(int)
        self.echo_authorization = False
        self.vision: dict[str, Seen] = {}  # by the sha256 of a clip's bytes
        super().__init__(_make_handler(self))

    @property
    def native_base(self) -> str:
        """What the dashscope provider takes as ``base_url``."""
        return f"{self.url}/api/v1"

    @property
    def compatible_base(self) -> str:
        """What the openai provider takes as ``base_url``."""
        return f"{self.url}/compatible-mode/v1"

    def queue(self, endpoint: str, *replies: Reply) -> None:
        """Answer the next requests to ``endpoint`` with ``replies``, in order."""
        with self._lock:
            self._queues[endpoint].extend(replies)

    def requests(self, endpoint: str | None = None) -> list[Recorded]:
        """Recorded requests, all or to one endpoint."""
        with self._lock:
            return [r for r in self.recorded if endpoint is None or r.endpoint == endpoint]

    def max_in_flight(self, endpoint: str) -> int:
        """The most requests to ``endpoint`` the server was answering at one time."""
        with self._lock:
            return self._max_in_flight[endpoint]

    def _next_reply(self, endpoint: str, rec: Recorded) -> Reply:
        with self._lock:
            queue = self._queues[endpoint]
            reply = queue.popleft() if queue else None
        if reply is None:
            reply = self._look(rec) or answer(self.default_text)
        return echoed(reply, rec) if self.echo_authorization else reply

    def _look(self, rec: Recorded) -> Reply | None:
        """The fake vision model's own answer to a verification request, if it is one about
        a clip it knows."""
        if not self.vision or not isinstance(rec.json, dict):
            return None
        texts, clip = [], None
        for message in rec.json.get("messages") or (rec.json.get("input") or {}).get(
            "messages", []
        ):
            content = message.get("content")
            for part in content if isinstance(content, list) else []:
                if part.get("text"):
                    texts.append(part["text"])
                clip = clip or self._clip_bytes(part)
        instruction = "\n".join(texts)
        if clip is None or not _PART_LINES["subject"].search(instruction):
            return None
        seen = self.vision.get(hashlib.sha256(clip).hexdigest())
        return None if seen is None else answer(verdict_text(instruction, seen))

    def _clip_bytes(self, part: dict[str, Any]) -> bytes | None:
        """The clip's bytes in a content part: base64 (compatible) or uploaded (native)."""
        url = (part.get("video_url") or {}).get("url") if part.get("type") == "video_url" else None
        if url and ";base64," in url:
            return base64.b64decode(url.split(";base64,", 1)[1])
        video = part.get("video")
        if isinstance(video, str) and video.startswith("oss://"):
            with self._lock:
                return self.uploads.get(video.removeprefix("oss://"))
        return None

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.recorded.append(rec)

    def _enter(self, endpoint: str) -> None:
        with self._lock:
            self._in_flight[endpoint] += 1
            self._max_in_flight[endpoint] = max(
                self._max_in_flight[endpoint], self._in_flight[endpoint]
            )

    def _leave(self, endpoint: str) -> None:
        with self._lock:
            self._in_flight[endpoint] -= 1


def echoed(reply: Reply, rec: Recorded) -> Reply:
    """REPLY, if an error, with the request's Authorization header and key in its text."""
    if reply.status < 400:
        return reply
    auth = rec.headers.get("authorization", "")
    said = f"echo: Authorization: {auth}; the key was {auth.removeprefix('Bearer ')}"
    if reply.raw is not None:
        return replace(reply, raw=reply.raw + f"<pre>{said}</pre>".encode())
    return replace(reply, message=f"{reply.message} ({said})")


def _request_id() -> str:
    return str(uuid.uuid4())


def render(endpoint: str, reply: Reply, model: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of ``reply`` in the shape of ``endpoint``."""
    headers = {"Content-Type": "application/json", **reply.headers}
    if reply.raw is not None:
        return reply.status, {**headers, "Content-Type": "text/html"}, reply.raw
    rid = _request_id()
    if reply.status != 200:
        if endpoint == COMPATIBLE:
            err = {"message": reply.message, "type": reply.code, "param": None, "code": reply.code}
            body: dict[str, Any] = {"error": err, "request_id": rid}
        else:
            body = {"request_id": rid, "code": reply.code, "message": reply.message}
        return reply.status, headers, json.dumps(body).encode()
    text = reply.text if reply.text is not None else ""
    if endpoint == COMPATIBLE:
        body = {
            "id": f"chatcmpl-{rid}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": reply.input_tokens,
                "completion_tokens": reply.output_tokens,
                "total_tokens": reply.input_tokens + reply.output_tokens,
            },
        }
    else:
        body = {
            "request_id": rid,
            "output": {
                "choices": [
                    {
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": [{"text": text}]},
                    }
                ]
            },
            "usage": {
                "input_tokens": reply.input_tokens,
                "output_tokens": reply.output_tokens,
                "video_tokens": max(0, reply.input_tokens - 100),
            },
        }
    return 200, headers, json.dumps(body, ensure_ascii=False).encode()


def _policy_body(server: FakeDashScope, model: str) -> bytes:
    data = {
        "policy": "ZmFrZS1wb2xpY3k=",
        "signature": "fake-signature",
        "upload_dir": f"dashscope-instant/fake/{model}",
        "upload_host": f"{server.url}{OSS_PATH}",
        "expire_in_seconds": 300,
        "max_file_size_mb": 100,
        "capacity_limit_mb": 999999,
        "oss_access_key_id": "fake-access-key-id",
        "x_oss_object_acl": "private",
        "x_oss_forbid_overwrite": "true",
    }
    return json.dumps({"request_id": _request_id(), "data": data}).encode()


def _make_handler(server: FakeDashScope) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body sent at once: no 40 ms delayed-ACK stall per request.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            rec = read_request(self, method, _endpoint(method, urlsplit(self.path).path))
            server._record(rec)
            self._respond(rec)

        def _respond(self, rec: Recorded) -> None:
            if rec.endpoint == POLICY:
                model = rec.query.get("model", ["unknown"])[0]
                reply = server._next_reply(POLICY, rec)
                if reply.status == 200 and reply.raw is None:
                    return self._send(
                        200, {"Content-Type": "application/json"}, _policy_body(server, model)
                    )
                return self._send(*render(NATIVE, reply, model))
            if rec.endpoint == OSS:
                reply = server._next_reply(OSS, rec)
                if reply.status == 200:
                    filename, data = rec.files.get("file", ("", b""))
                    server.uploads[rec.form.get("key", filename)] = data
                    return self._send(200, {}, b"")
                return self._send(reply.status, {"Content-Type": "application/xml"}, b"<Error/>")
            if rec.endpoint in (NATIVE, COMPATIBLE):
                model = (rec.json or {}).get("model", "")
                server._enter(rec.endpoint)
                try:
                    reply = server._next_reply(rec.endpoint, rec)
                    if reply.delay:
                        time.sleep(reply.delay)
                    status, headers, body = render(rec.endpoint, reply, model)
                finally:
                    server._leave(rec.endpoint)
                return self._send(status, headers, body)
            return self._send(404, {"Content-Type": "application/json"}, b'{"code": "NotFound"}')

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _endpoint(method: str, path: str) -> str:
    if method == "GET" and path.rstrip("/") == POLICY_PATH:
        return POLICY
    if method == "POST" and path == OSS_PATH:
        return OSS
    if path in (NATIVE_PATH, TEXT_PATH):  # one native queue; ``Recorded.path`` tells them apart
        return NATIVE
    if path == COMPATIBLE_PATH:
        return COMPATIBLE
    return "unknown"
