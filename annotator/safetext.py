"""Outside text made safe: secrets redacted, control characters stripped.

Every message that came from a server, a model or a file passes through here
before it is printed or stored: ``redact`` removes API keys (the values of the key
variables in the environment, and anything shaped like a bearer token or an
``sk-`` key), ``strip_controls`` removes the bytes a terminal would interpret.
"""

from __future__ import annotations

import os
import re
import threading
import unicodedata

# Variables whose values are secrets wherever they show up.
_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|_SECRET)$")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[^\s\"',;]+")
_SK_TOKEN = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")
_AUTH_FIELD = re.compile(
    r"(?i)(\b(?:authorization|api[-_]?key|x-api-key)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]+"
)
# What a storage server (OSS) echoes of a signed request: the access key id, the signature and
# the string that was signed, as a URL's query field, a JSON field or an XML element.
_SIGNED_FIELD = re.compile(
    r"(?i)(\b(?:signature|ossaccesskeyid|x-oss-signature|x-oss-credential|security-?token)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}<]+"
)
_SIGNED_ELEMENT = re.compile(
    r"(?is)(<(StringToSign|StringToSignBytes|SignatureProvided|OSSAccessKeyId|AccessKeyId"
    r"|SecurityToken)>).*?(</\2>)"
)
# An Authorization header's whole value, whatever its scheme (Basic, Digest, a bare token):
# everything after the colon up to the end of the line or of a quoted string.
_AUTH_HEADER = re.compile(
    r"(?i)(\b(?:proxy-)?authorization[\"']?\s*[:=]\s*)"
    r"(?:(\")[^\"\n]*\"?|(')[^'\n]*'?|[^\n]+)"
)
_MIN_SECRET_LEN = 8
REDACTED = "[redacted]"
# Keys read from variables no pattern above knows (an endpoint's own key variable).
_remembered: set[str] = set()
_remembered_lock = threading.Lock()

# ESC-introduced sequences (CSI, OSC ... BEL/ST, and two-byte escapes), removed whole.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window title, hyperlinks
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clears
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)


def remember_secret(value: str) -> None:
    """Hide VALUE from every later ``redact``: a key read from a variable of any name."""
    with _remembered_lock:
        _remembered.add(value)


def secret_values(extra: tuple[str, ...] = ()) -> list[str]:
    """The secrets to hide: key variables' values, remembered keys, plus ``extra``."""
    values = [v for k, v in os.environ.items() if _SECRET_ENV.search(k)]
    with _remembered_lock:
        values.extend(_remembered)
    values.extend(extra)
    # Longest first, so a key that contains another is replaced whole.
    return sorted({v for v in values if len(v) >= _MIN_SECRET_LEN}, key=len, reverse=True)


def _redacted_header(match: re.Match[str]) -> str:
    quote = match.group(2) or match.group(3) or ""
    return match.group(1) + quote + REDACTED + quote


def redact(text: str, *secrets: str) -> str:
    """``text`` with every known key, bearer token, ``sk-`` token and storage signature
    replaced by [redacted]."""
    for secret in secret_values(secrets):
        text = text.replace(secret, REDACTED)
    text = _AUTH_HEADER.sub(_redacted_header, text)
    text = _BEARER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _AUTH_FIELD.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SIGNED_FIELD.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SIGNED_ELEMENT.sub(lambda m: m.group(1) + REDACTED + m.group(3), text)
    return _SK_TOKEN.sub(REDACTED, text)


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cf"} and char not in "\u200d"


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` without escape sequences and control characters (tabs become spaces).

    Newlines stay where ``keep_newlines`` is set (a caption may have paragraphs);
    a CR or CRLF line end becomes a newline then, and a space otherwise.
    """
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    kept = []
    for char in text:
        if char == "\n":
            kept.append("\n" if keep_newlines else " ")
        elif not _is_control(char):
            kept.append(char)
    return "".join(kept)


def control_characters(text: str) -> list[str]:
    """The control characters left in ``text``, as ``U+001B`` names, for a finding."""
    return sorted(
        {f"U+{ord(c):04X}" for c in text if c == "\x1b" or (c != "\n" and _is_control(c))}
    )


def outside_text(text: str, *, keep_newlines: bool = False) -> str:
    """Text from a server, a model or a file, ready to print or store: redacted and stripped."""
    # Stripped first: an escape sequence glued to a key would hide its word boundary.
    return redact(strip_controls(text, keep_newlines=keep_newlines))
