"""Outside text enters the store without the bytes a terminal would interpret (issue 10, 6).

Every writer of text that a model, a server, an imported file or a person's paste can
bring strips escape sequences and control characters; markup stays literal text.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.basemodels import Mode
from annotator.workspace import FileRecord, Problem, Status, Workspace, WorkspaceInfo

INFO = WorkspaceInfo(mode=Mode.I2V, base_model="wan2.5-i2v-preview", lang="en")
SID = "a" * 64
CSI, OSC, BEL, CR = "\x1b[31m", "\x1b]0;pwned\x07", "\x07", "\r"
MARKUP = "[/] [bold red]x [link=file:///etc/passwd]here[/link]"


def _raw_controls(text: str) -> list[str]:
    """Every C0/C1 control character in TEXT except the newline."""
    return [c for c in text if c != "\n" and (ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.create(tmp_path, INFO)
    ws.upsert_sample(SID, path="clip_a.mp4")
    return ws


def _caption(ws: Workspace, text: str, fields: dict[str, str] | None = None) -> None:
    ws.add_caption(
        SID,
        provider="replay",
        model=f"qwen{OSC}-vl",
        instruction="describe",
        fps=2.0,
        cache_key="k",
        text=text,
        fields=fields,
        flagged=f"{CSI}moderation{BEL}",
    )


def test_caption_text_keeps_its_paragraphs_and_loses_escapes(ws: Workspace) -> None:
    _caption(ws, f"A woman {CSI}in red{OSC}.{CR}She waves.{BEL}\r\n\nThen {MARKUP}")
    caption = ws.captions(SID)[0]
    assert caption.text == f"A woman in red.\nShe waves.\n\nThen {MARKUP}"
    assert (caption.model, caption.flagged) == ("qwen-vl", "moderation")


def test_caption_fields_are_one_line_without_controls(ws: Workspace) -> None:
    fields = {
        "subject": f"a woman {MARKUP}{CSI}\n in red{BEL}",
        "background": f"a street{OSC}{CR}at dusk\x9b2J",
        "motion": "sparkles\x00 spiral\x7f in",
    }
    _caption(ws, "{}", fields)
    stored = ws.captions(SID)[0].fields
    assert stored == {
        "subject": f"a woman {MARKUP}  in red",
        "background": "a street at dusk",
        "motion": "sparkles spiral in",
    }


def test_a_persons_and_an_imported_prompt_part_is_stripped(ws: Workspace) -> None:
    for field in ("subject", "background", "prompt_override", "reject_reason"):
        ws.edit(SID, field, f"{CSI}one {MARKUP}{OSC}\ntwo{BEL}")
    sample = ws.sample(SID)
    for value in (sample.subject, sample.background, sample.prompt_override):
        assert value == f"one {MARKUP} two"
    assert sample.reject_reason == f"one {MARKUP} two"
    entries = len(ws.history(100))
    ws.edit(SID, "subject", f"one {MARKUP}{BEL} two")  # the same text once stripped
    assert len(ws.history(100)) == entries  # no change, no history entry


def test_template_and_trigger_are_stripped_on_every_path(ws: Workspace) -> None:
    ws.set_workspace_field("template", f"then the {{trigger}} {CSI}rain{OSC} falls\n[/]")
    assert ws.template() == "then the {trigger} rain falls [/]"
    ws.set_meta("template", f"then{BEL} it{CR}rains")
    assert ws.template() == "then it rains"
    ws.set_workspace_field("trigger", f"s86b5p{BEL}")
    assert ws.info.trigger == "s86b5p"


def test_stored_errors_are_stripped(ws: Workspace) -> None:
    ws.set_status_by_machine(SID, Status.ERROR, f"400 {OSC}bad [/] request{BEL}\r\nbody")
    assert ws.sample(SID).error == "400 bad [/] request body"
    problem = Problem(message=f"cannot{CSI} read{BEL}", fix=f"make it{OSC} readable{BEL}")
    ws.replace_files([FileRecord(path="x.mp4", kind="clip", size=1, mtime_ns=1, error=problem)])
    assert ws.files()["x.mp4"].error == Problem(message="cannot read", fix="make it readable")
    ws.upsert_sample(SID, error=f"cannot extract the first frame: {OSC}clip{BEL}")
    assert ws.sample(SID).error == "cannot extract the first frame: clip"


def test_nothing_in_the_database_holds_a_control_byte(ws: Workspace, tmp_path: Path) -> None:
    _caption(ws, f"text{OSC}{BEL}", {"subject": f"s{CSI}", "background": f"b{CR}"})
    ws.edit(SID, "subject", f"x{BEL}")
    ws.set_workspace_field("template", f"t{OSC}")
    ws.set_status_by_machine(SID, Status.ERROR, f"e{CSI}")
    ws.close()
    with sqlite3.connect(tmp_path / ".annotator" / "workspace.db") as db:
        for table in ("samples", "captions", "meta", "history"):
            for row in db.execute(f"SELECT * FROM {table}"):
                for value in row:
                    if isinstance(value, str):
                        assert not _raw_controls(value), (table, value)


def test_a_caption_that_holds_the_key_is_stored_redacted(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A server that echoes the request's Authorization into its answer.
    key = "sk-echoedkey0123456789"
    monkeypatch.setenv("DASHSCOPE_API_KEY", key)
    _caption(ws, f"A cat.\nAuthorization: Bearer {key}", {"subject": f"a cat {key}"})
    caption = ws.captions(SID)[0]
    assert key not in caption.text and key not in str(caption.fields)
    assert caption.text.startswith("A cat.\n")
