"""The assembled prompt, its parts highlighted, and the sample's findings."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from annotator.safetext import control_characters, strip_controls
from annotator.tui.domain import SEVERITY_ORDER, AssembledPrompt, Finding, Severity

# One colour per part of the formula.
RICH_STYLE = {
    "subject": "bold #7dc4ff",
    "background": "#c8a2ff",
    "trigger": "bold black on #ffb454",
    "template": "italic #9ad27c",
}


def highlighted(prompt: AssembledPrompt) -> Text:
    """The prompt with each part in its colour (plain text, never markup).

    A prompt that still holds control characters (a store written before they were
    stripped on the way in; the checks report it) is shown stripped, without colours:
    the spans no longer fit it.
    """
    if control_characters(prompt.text):
        return Text(strip_controls(prompt.text))
    text = Text(prompt.text)
    # The trigger lies inside the template: it is styled last, so its colour wins.
    for part in ("subject", "background", "template", "trigger"):
        if part in prompt.spans:
            start, end = prompt.spans[part]
            text.stylize(RICH_STYLE[part], start, end)
    return text


class PromptView(Static):
    """The prompt exactly as it will be exported."""

    def show(self, prompt: AssembledPrompt, pronoun: str) -> None:
        self.update(highlighted(prompt) if prompt.text else Text("no prompt yet", "dim italic"))
        self.border_subtitle = f"{len(prompt.text)} chars · pronoun {pronoun}"

    def empty(self, why: str) -> None:
        """No sample on screen: say WHY instead."""
        self.update(Text(why, "italic"))
        self.border_title, self.border_subtitle = "Prompt", ""


SEVERITY_MARK = {
    Severity.ERROR: ("● ", "bold red"),
    Severity.WARNING: ("▲ ", "yellow"),
    Severity.INFO: ("· ", "dim"),
}


def findings_text(
    findings: list[Finding], for_set: Sequence[Finding] = (), rejected: str | None = None
) -> Text:
    """The sample's findings, worst first, then those of the whole set (info left out).

    REJECTED: the reason a person rejected the sample ("" for none given), shown first; a
    rejected sample is out of the dataset, so no check speaks of it."""
    set_lines = [f for f in for_set if f.severity is not Severity.INFO]
    if rejected is not None:
        text = Text()
        text.append("✗ rejected: ", "bold red")
        text.append(strip_controls(rejected) or "no reason given", "bold")
        text.append(" (out of the dataset; a accepts it again)", "dim")
    else:
        text = Text()
        if not findings:
            text.append("✓ no findings", "green")
    _append_findings(text, findings, newline_first=rejected is not None)
    if set_lines:
        # Its first finding on the same line: a short terminal shows two lines of the panel.
        text.append("\nthe set: ", "bold dim")
        _append_findings(text, set_lines, newline_first=False)
    return text


def _append_findings(text: Text, findings: Sequence[Finding], *, newline_first: bool) -> None:
    for i, finding in enumerate(sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])):
        if i or newline_first:
            text.append("\n")
        mark, style = SEVERITY_MARK[finding.severity]
        text.append(mark, style)
        text.append(strip_controls(finding.message))
        if finding.fix:
            text.append(f" — {strip_controls(finding.fix)}", "dim")


class FindingsView(Static):
    """The dataset checks and prompt lint of this sample."""

    def show(
        self, findings: list[Finding], for_set: Sequence[Finding] = (), rejected: str | None = None
    ) -> None:
        """The sample's findings (and REJECTED: the reason, when a person rejected it)."""
        self.update(findings_text(findings, for_set, rejected))
        self.border_title = f"Findings ({len(findings)})" if findings else "Findings"

    def clear(self) -> None:
        """No sample on screen."""
        self.update("")
        self.border_title = "Findings"
