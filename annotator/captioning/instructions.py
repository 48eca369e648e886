"""The instructions sent to the vision model, kept as plain text files.

They live in ``templates/instructions/{kind}.{lang}.txt`` so a person can read
and edit them without touching code. The folder is found, in order:

1. ``$ANNOTATOR_TEMPLATES`` (a ``templates`` folder holding ``instructions/``);
2. ``templates/`` inside the ``annotator`` package (a wheel that ships them);
3. ``templates/`` next to the ``annotator`` package (the repository checkout,
   which is what an editable install sees).
"""

from __future__ import annotations

import os
from pathlib import Path

from annotator.userfiles import UserFileError, read_bytes

TEMPLATES_ENV_VAR = "ANNOTATOR_TEMPLATES"

KINDS: tuple[str, ...] = ("freeform", "structured")
LANGS: tuple[str, ...] = ("en", "zh")

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


class InstructionNotFoundError(FileNotFoundError):
    """No instruction file for a kind and language, or no templates folder at all."""


def templates_dir_candidates() -> list[Path]:
    """The folders searched for ``instructions/``, first match wins."""
    candidates = []
    override = os.environ.get(TEMPLATES_ENV_VAR)
    if override:
        candidates.append(Path(override).expanduser())
    candidates.append(_PACKAGE_DIR / "templates")
    candidates.append(_PACKAGE_DIR.parent / "templates")
    return candidates


def templates_dir() -> Path:
    """The templates folder in use; the error lists every place looked at."""
    candidates = templates_dir_candidates()
    for candidate in candidates:
        if (candidate / "instructions").is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise InstructionNotFoundError(
        f"no templates/instructions folder found (looked in: {looked}); "
        f"set {TEMPLATES_ENV_VAR} to the templates folder of the annotator repository"
    )


def load_instruction(kind: str, lang: str = "en") -> str:
    """The built-in instruction for ``kind`` ("freeform"/"structured") in ``lang`` ("en"/"zh")."""
    if kind not in KINDS:
        raise ValueError(f"unknown instruction kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if lang not in LANGS:
        raise ValueError(f"unknown instruction language {lang!r}; known: {', '.join(LANGS)}")
    return load_instruction_file(templates_dir() / "instructions" / f"{kind}.{lang}.txt")


def load_instruction_file(path: Path | str) -> str:
    """A user's own instruction file, read as UTF-8 and stripped of surrounding blank space."""
    path = Path(path).expanduser()
    try:
        text = read_bytes(path).decode("utf-8").strip()
    except FileNotFoundError:
        raise InstructionNotFoundError(f"instruction file not found: {path}") from None
    except UserFileError as exc:  # a pipe or a device would block or never end
        raise ValueError(f"instruction file {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"instruction file {path} is not UTF-8 text: {exc}") from None
    if not text:
        raise ValueError(f"instruction file {path} is empty")
    return text
