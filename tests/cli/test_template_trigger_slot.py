"""Issue 14 item 16: the {trigger} slot is documented and never draws a false warning."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from annotator.cli import app

runner = CliRunner()
SLOTTED = "Then the {trigger} sparkles spiral around {object} and {pronoun} glows."


def _run(*args: str | Path):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [str(a) for a in args])


def test_template_help_documents_the_trigger_slot() -> None:
    page = " ".join(_run("template", "--help").output.split())
    assert "{trigger}" in page and "the trigger word" in page


def test_a_template_with_the_trigger_slot_draws_no_warning(tmp_path: Path) -> None:
    assert _run("init", tmp_path, "--mode", "i2v", "--trigger", "s86b5p").exit_code == 0
    stored = _run("template", tmp_path, "--set", SLOTTED)
    assert stored.exit_code == 0, stored.output
    assert "not in the template" not in stored.output
    payload = json.loads(_run("template", tmp_path, "--json").output)
    assert payload["trigger_in_template"] is True
    # A template with neither the word nor the slot still says so.
    plain = _run("template", tmp_path, "--set", "Sparkles spiral around {object}.")
    assert "not in the template" in plain.output
