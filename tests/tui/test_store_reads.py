"""An edit the review commits shows the row the store returns: the sample is not read again."""

from __future__ import annotations

import re
import sqlite3
import threading

from annotator.workspace import Status, Workspace
from tests.tui.helpers import SIZE, review_app, settle, type_text

READ = re.compile(r"^SELECT \* FROM samples WHERE id = ")
# A field written by an edit, an undo or a redo (not the status a prompt edit moves on).
WRITE = re.compile(r"^UPDATE samples SET \w+ = .*, updated_at = ")


class Statements:
    """The SQL the UI thread runs on the store (the checks' worker thread left out)."""

    def __init__(self, ws: Workspace) -> None:
        self.sql: list[str] = []
        self._db: sqlite3.Connection = ws._db  # the store's one connection
        self._db.set_trace_callback(self._traced)

    def _traced(self, sql: str) -> None:
        if threading.current_thread() is threading.main_thread():
            self.sql.append(sql)

    def count(self, pattern: re.Pattern[str]) -> int:
        return sum(1 for sql in self.sql if pattern.match(sql))

    def stop(self) -> None:
        self._db.set_trace_callback(None)


async def test_each_edit_reads_the_sample_once(ws: Workspace) -> None:
    """Pronoun, typing, accept, reject with a reason, undo: one read of the sample per
    write, the one the store does to return what it wrote."""
    first = ws.samples()[0].id
    app = review_app(ws, watch_interval=3600.0)  # no looks for writes from elsewhere
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        statements = Statements(ws)
        try:
            await pilot.press("o")
            await pilot.press("s")
            await type_text(pilot, "a red fox")
            await pilot.press("enter", "a")
            await pilot.press("x")
            await type_text(pilot, "blurry")
            await pilot.press("enter", "u")
        finally:
            statements.stop()
    assert ws.sample(first).status is Status.ACCEPTED
    writes = statements.count(WRITE)
    assert writes >= 5  # pronoun, subject, accepted, rejected with its reason, the undo
    assert statements.count(READ) == writes
