"""The prompt lint is another package's, and still changing: most export tests switch it
off (their prompts are overrides written for the layout), and the tests that ask for the
``real_lint`` fixture keep it."""

from __future__ import annotations

import pytest


@pytest.fixture
def real_lint() -> None:
    """Ask for this fixture to run a test with the real prompt lint."""


@pytest.fixture(autouse=True)
def _no_lint(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "real_lint" not in request.fixturenames:
        monkeypatch.setattr("annotator.export.plan.lint_findings", lambda *_: [])
