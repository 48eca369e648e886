"""What the review session holds in memory: the samples, their latest captions, their findings,
the filter and the search; read once from the store, refreshed one sample at a time, and
read again when another program (the CLI in another terminal) writes to the store."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from annotator.tui.domain import Domain, Finding, SampleVerdict, Severity
from annotator.workspace import Caption, Sample, Status

DECIDED = frozenset({Status.ACCEPTED, Status.REJECTED})


@dataclass(frozen=True)
class StatusFilter:
    label: str
    statuses: frozenset[Status] | None  # None: every sample
    flagged: bool = False  # only the samples the vision model flagged (annotator verify)

    def admits(self, sample: Sample) -> bool:
        return self.statuses is None or sample.status in self.statuses


FILTERS: tuple[StatusFilter, ...] = (
    StatusFilter("all", None),
    StatusFilter("to review", frozenset(Status) - DECIDED),
    StatusFilter("not captioned", frozenset({Status.NEW})),
    StatusFilter("accepted", frozenset({Status.ACCEPTED})),
    StatusFilter("rejected", frozenset({Status.REJECTED})),
    StatusFilter("errors", frozenset({Status.ERROR})),
    StatusFilter("flagged by verify", None, flagged=True),
)


def needs_review(sample: Sample) -> bool:
    """Not yet accepted or rejected by a person."""
    return sample.status not in DECIDED


class ReviewState:
    """The session's view of the workspace; the store stays the only truth."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        # Read before the content: a write from elsewhere after this is seen at the next look.
        self._version = domain.data_version()
        self.info = domain.info
        self.samples: dict[str, Sample] = {s.id: s for s in domain.samples()}
        self.captions: dict[str, Caption] = domain.latest_captions()
        # The findings about each sample: those of its own rules (from the last run of every
        # check, or fresher: re-checked on a saved edit), and those of the set's rules that
        # name it (one motion text, outlier lengths), from the last run.
        self.own: dict[str, list[Finding]] = {}
        self.attached: dict[str, list[Finding]] = {}
        self.set_findings: list[Finding] = []  # those of the whole set (count, diversity, ...)
        self._fresh: set[str] = set()  # re-checked since the run under way began
        # The vision model's latest verdicts (annotator verify), as of the last check run.
        self.verdicts: dict[str, SampleVerdict] = {}
        self.filter_index = 0
        self.query = ""

    # -- reading again after a change --------------------------------------------------

    def changed_elsewhere(self) -> bool:
        """True when another program committed to the store since the last call (or since
        the state was read); the session's own writes do not count."""
        version = self.domain.data_version()
        if version == self._version:
            return False
        self._version = version
        return True

    def put(self, sample: Sample) -> Sample:
        """Hold SAMPLE as the store returned it after a write (no need to read it again)."""
        self.samples[sample.id] = sample
        return sample

    def refresh_changed(self) -> list[str]:
        """Read every sample and latest caption again; the ids that changed (a batch ran)."""
        samples = {s.id: s for s in self.domain.samples()}
        captions = self.domain.latest_captions()
        changed = [
            sid
            for sid, sample in samples.items()
            if sample != self.samples.get(sid) or captions.get(sid) != self.captions.get(sid)
        ]
        self.samples, self.captions = samples, captions
        return changed

    def begin_check_run(self) -> None:
        """A run of every check starts: what is re-checked from now on is newer than it."""
        self._fresh = set()

    def update_findings(
        self, findings: list[Finding], own: dict[str, list[Finding]] | None = None
    ) -> None:
        """Hold the findings of a run of every check; OWN: the findings of each named sample's
        own rules (the rest of its findings are the set's). A sample re-checked during the
        run keeps its fresher own findings."""
        by_sample: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.sample_id:
                by_sample.setdefault(finding.sample_id, []).append(finding)
        own = own or {}
        fresh = {sid: self.own.get(sid, []) for sid in self._fresh}
        self.own = {sid: own.get(sid, listed) for sid, listed in by_sample.items()} | fresh
        self.attached = {
            sid: [f for f in listed if f not in own[sid]]
            for sid, listed in by_sample.items()
            if sid in own
        }
        self.set_findings = [f for f in findings if not f.sample_id]

    def put_own(self, sample_id: str, findings: list[Finding]) -> None:
        """Hold a sample's own findings as re-checked just now (after a saved edit)."""
        self.own[sample_id] = findings
        self._fresh.add(sample_id)

    def update_verdicts(self, verdicts: dict[str, SampleVerdict]) -> None:
        self.verdicts = verdicts

    def put_verdict(self, sample_id: str, verdict: SampleVerdict | None) -> None:
        """Hold one sample's verdict as just read (an edit may have made it stale)."""
        if verdict is None:
            self.verdicts.pop(sample_id, None)
        else:
            self.verdicts[sample_id] = verdict

    def flagged(self, sample_id: str) -> bool:
        """True when the vision model's latest verdict asks a person to look (stale or not)."""
        verdict = self.verdicts.get(sample_id)
        return verdict is not None and verdict.flagged

    def findings_for(self, sample_id: str) -> list[Finding]:
        """The sample's findings: its own rules' as of its last re-check, then the set's."""
        return self.own.get(sample_id, []) + self.attached.get(sample_id, [])

    # -- what the list shows -------------------------------------------------------------

    @property
    def status_filter(self) -> StatusFilter:
        return FILTERS[self.filter_index]

    def cycle_filter(self) -> StatusFilter:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        return self.status_filter

    def visible(self) -> list[str]:
        """The ids the list shows, in workspace order, after the filter and the search."""
        shown = self.status_filter
        return [
            sid
            for sid, sample in self.samples.items()
            if shown.admits(sample)
            and (not shown.flagged or self.flagged(sid))
            and self.matches(sid)
        ]

    def matches(self, sample_id: str) -> bool:
        """True when the search text is in the clip name, subject, background or caption."""
        if not self.query:
            return True
        needle = self.query.casefold()
        sample = self.samples[sample_id]
        caption = self.captions.get(sample_id)
        haystack = (sample.path, sample.subject, sample.background, caption.text if caption else "")
        return any(needle in text.casefold() for text in haystack)

    def next_to_review(self, after: str | None, ids: list[str]) -> str | None:
        """The first sample after AFTER in IDS (wrapping round) that still needs review: one
        the vision model flagged first, then any other."""
        if not ids:
            return None
        start = ids.index(after) + 1 if after in ids else 0
        order = [sid for sid in ids[start:] + ids[:start] if sid != after]
        waiting = [sid for sid in order if needs_review(self.samples[sid])]
        flagged = [sid for sid in waiting if self.flagged(sid)]
        if flagged:
            return flagged[0]
        return waiting[0] if waiting else None

    def worst(self, sample_id: str) -> Severity | None:
        """The worst severity among the sample's findings."""
        severities = {f.severity for f in self.findings_for(sample_id)}
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
            if severity in severities:
                return severity
        return None

    def progress_line(self) -> str:
        """E.g. "accepted 23 / 40" over "5 rejected · 2 errors · 3 new" (not captioned)."""
        counts = Counter(s.status for s in self.samples.values())
        line = (
            f"accepted {counts[Status.ACCEPTED]} / {len(self.samples)}\n"
            f"{counts[Status.REJECTED]} rejected · {counts[Status.ERROR]} errors"
        )
        if counts[Status.NEW]:
            line += f" · {counts[Status.NEW]} new"
        return line

    def remember(self, sample_id: str) -> None:
        """Record the sample on screen, so that reopening returns to it."""
        self.domain.remember(sample_id)

    def remembered(self) -> str | None:
        """The sample on screen when the last session ended, if it is still here."""
        sample_id = self.domain.remembered()
        return sample_id if sample_id in self.samples else None
