"""Which samples go where, and every check that must pass before a byte is written.

The dataset rules themselves live in ``annotator.checks`` (the one place that validates
a dataset, and the one place each rule's severity is set); this module only picks the
findings that concern the exported samples, adds what only export can know (files present,
prompts, lint) and decides what blocks: every error, unless an option allows its kind
(``--allow-lint``, ``--allow-small``), and with ``--strict`` every warning. `check` shows
this same plan, so it says "ready" exactly when export would write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from annotator.basemodels import Mode
from annotator.checks import CheckReport, Finding, Severity
from annotator.checks.prompt_rules import prompt_findings
from annotator.checks.set_rules import SAMPLE_COUNT_CODE, diversity, sample_count, uniformity
from annotator.counting import counted
from annotator.errors import UsageError
from annotator.export.models import ExportFormat
from annotator.prompts.build import PromptSet
from annotator.shellcmd import command
from annotator.verdicts import SampleVerdict
from annotator.workspace import Sample, Status

# Set-level findings of check_workspace that export recomputes on the exported set.
_RECOMPUTED = frozenset({SAMPLE_COUNT_CODE, "low-diversity"})
# Findings about the clip alone: a validation sample uploads no clip, so they do not apply.
_CLIP_ONLY = frozenset(
    {"clip-mislabelled", "clip-resolution", "clip-too-short", "clip-too-long", "file-name"}
)
# check_workspace includes the prompt lint under these codes; export takes it from the lint.
_LINT_PREFIX = "prompt-"
_MISSING_PROMPTS = "prompt-missing"
# The vision model's findings about one sample: export judges the verdicts themselves
# (_check_verdicts), where a person's later acceptance overrules the model.
_VERIFY_PREFIX = "verify-"
_UNREVIEWED = frozenset({Status.NEW, Status.CAPTIONED, Status.REVIEWED})
JSONL_LIMIT = 20_000_000  # the guide's 20 MB, read as decimal megabytes to stay on the safe side
ZIP_LIMIT = 1_000_000_000  # the guide's 1 GB for an upload through the API


class ExportOptions(BaseModel):
    """What the user asked of one export."""

    model_config = ConfigDict(frozen=True)

    format: ExportFormat = ExportFormat.DASHSCOPE
    output: Path | None = None
    include_unreviewed: bool = False
    valid_count: int = 0
    valid_status: Status | None = None
    allow_lint: bool = False
    allow_small: bool = False
    strict: bool = False
    max_jsonl_bytes: int = JSONL_LIMIT
    max_zip_bytes: int = ZIP_LIMIT


@dataclass(frozen=True)
class ExportEntry:
    """One sample on its way out, with its prompt and the files it takes along."""

    sample: Sample
    prompt: str
    split: str  # "train" or "valid"
    clip: Path
    first: Path
    last: Path | None


@dataclass
class ExportPlan:
    """The samples to write and what the checks found; ``errors`` block the export.

    ``infos``: findings that need nothing from the user; ``left_out``: the findings about
    samples this export leaves out (not accepted yet, or an unreviewed prompt that is not
    clean), shown so they can be fixed, blocking nothing.
    """

    train: list[ExportEntry] = field(default_factory=list)
    valid: list[ExportEntry] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    infos: list[Finding] = field(default_factory=list)
    left_out: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def entries(self) -> list[ExportEntry]:
        return self.train + self.valid

    @property
    def ready(self) -> bool:
        """True when export would write (no error left)."""
        return not self.errors

    def findings(self) -> list[Finding]:
        """What `check` and `export` both print: errors, then warnings, then information."""
        return self.errors + self.warnings + self.infos


class ExportUsageError(UsageError, ValueError):
    """Options that contradict each other or the workspace (exit code 2)."""


def _problem(code: str, message: str, fix: str, sample: Sample | None = None) -> Finding:
    return Finding(
        code=code,
        severity=Severity.ERROR,
        message=message,
        fix=fix,
        path=sample.path if sample else None,
        sample_id=sample.id if sample else None,
    )


def lint_findings(prompts: PromptSet, samples: list[Sample], root: Path) -> list[Finding]:
    """The prompt lint over SAMPLES only (its set rules compare these and no others)."""
    return list(prompt_findings(prompts, samples, root))


@dataclass(frozen=True)
class ExportInputs:
    """What a plan is made from, read from the store once by the use case.

    ``samples``: every sample, missing clips included; ``prompts``: each one's prompt,
    built and linted once; ``report``: the checks over them; ``verdicts``: each sample's
    latest verdict of the vision model; ``accepted``: when a person last accepted each.
    """

    root: Path
    mode: Mode
    samples: Sequence[Sample]
    prompts: PromptSet
    report: CheckReport
    verdicts: Mapping[str, SampleVerdict] = field(default_factory=dict)
    accepted: Mapping[str, datetime] = field(default_factory=dict)


def plan_export(inputs: ExportInputs, options: ExportOptions) -> ExportPlan:
    """Select the samples, split off validation, and judge the prompts and the checks.

    A flagged sample goes out only if a person accepted it after its verdict; writes nothing.
    """
    _check_options(options)
    plan = ExportPlan()
    prompts, report, root = inputs.prompts, inputs.report, inputs.root
    verdicts, accepted = inputs.verdicts, inputs.accepted
    candidates = [s for s in inputs.samples if _split_of(s, options) is not None]
    # The lint's set rules (one motion text, length outliers) compare the samples linted
    # together, so only what export would write is linted: first the candidates, to leave
    # out unreviewed samples with a dirty prompt, then the entries actually planned.
    lint = lint_findings(prompts, candidates, root)
    train, valid = _select(inputs, candidates, options, plan, lint)
    plan.train, plan.valid = _split_valid(train, valid, options.valid_count)
    planned = {e.sample.id for e in plan.entries}
    if planned != {s.id for s in candidates}:
        lint = lint_findings(prompts, [s for s in candidates if s.id in planned], root)
    _check_sets(plan, root, options.allow_small)
    _check_findings(report, plan)
    _check_lint(plan, lint, options.allow_lint)
    _check_verdicts(plan, verdicts, accepted, options.allow_lint)
    if options.strict:
        plan.errors.extend(f.model_copy(update={"severity": Severity.ERROR}) for f in plan.warnings)
        plan.warnings = []
    return plan


def _check_options(options: ExportOptions) -> None:
    if options.valid_count and options.valid_status is not None:
        raise ExportUsageError("give --valid K or --valid-status NAME, not both")
    if options.valid_status is Status.ACCEPTED:
        raise ExportUsageError(
            "--valid-status accepted would leave nothing to train on; use --valid K instead"
        )
    if options.valid_count < 0:
        raise ExportUsageError("--valid K needs K >= 1")


def _select(
    inputs: ExportInputs,
    candidates: list[Sample],
    options: ExportOptions,
    plan: ExportPlan,
    lint: list[Finding],
) -> tuple[list[ExportEntry], list[ExportEntry]]:
    """The training and validation entries, in path order; problems go to the plan."""
    dirty = {f.sample_id for f in lint if f.sample_id and f.severity is not Severity.INFO}
    prompts = {s.id: inputs.prompts[s.id].text.strip() for s in candidates}
    chosen: dict[str, list[ExportEntry]] = {"train": [], "valid": []}
    unreviewed = 0
    for sample in candidates:
        split = _split_of(sample, options)
        if split is None:
            continue
        if sample.status in _UNREVIEWED and split == "train":
            # Unreviewed samples come only with a prompt the lint has nothing against.
            if not prompts[sample.id] or sample.id in dirty:
                plan.notes.append(f"left out {sample.path}: unreviewed, its prompt is not clean")
                continue
            unreviewed += 1
        entry = _entry(inputs.root, sample, prompts[sample.id], split, inputs.mode, plan)
        if entry is not None:
            chosen[split].append(entry)
    if unreviewed:
        plan.warnings.append(
            Finding(
                code="unreviewed",
                severity=Severity.WARNING,
                message=f"{counted(unreviewed, 'sample')} not reviewed by a person are included",
                fix="review them (annotator review, or annotator accept DIR ID...) before training",
            )
        )
    return chosen["train"], chosen["valid"]


def _split_of(sample: Sample, options: ExportOptions) -> str | None:
    """Where the sample goes: "train", "valid", or nowhere (None)."""
    if sample.status is options.valid_status:
        return "valid"
    if sample.status is Status.ACCEPTED:
        return "train"
    if options.include_unreviewed and sample.status in _UNREVIEWED and sample.present:
        return "train"
    return None


def _entry(
    root: Path, sample: Sample, prompt: str, split: str, mode: Mode, plan: ExportPlan
) -> ExportEntry | None:
    """The sample's files and prompt, or None with the reason added to the plan's errors."""
    clip = root / sample.clip
    before = len(plan.errors)
    if split == "train" and (not sample.present or not clip.is_file()):
        plan.errors.append(
            _problem(
                "file-missing",
                f"the clip {sample.path} is gone",
                "put it back and run `annotator scan`, or reject the sample",
                sample,
            )
        )
    frames = [("first", sample.first_frame)]
    if mode is Mode.KF2V:
        frames.append(("last", sample.last_frame))
    for which, rel in frames:
        if rel is None or not (root / rel).is_file():
            plan.errors.append(
                _problem(
                    "file-missing",
                    f"no {which} frame image for {sample.path}"
                    + (f" ({rel} is gone)" if rel else ""),
                    "run `annotator scan` to extract it again, or add a sidecar image",
                    sample,
                )
            )
    if not prompt:
        plan.errors.append(
            _problem(
                "no-prompt",
                f"{sample.path} has no prompt",
                "caption it and fill subject/background, or set its prompt in review",
                sample,
            )
        )
    if len(plan.errors) > before or sample.first_frame is None:
        return None
    last = root / sample.last_frame if mode is Mode.KF2V and sample.last_frame else None
    return ExportEntry(sample, prompt, split, clip, root / sample.first_frame, last)


def _split_valid(
    train: list[ExportEntry], valid: list[ExportEntry], count: int
) -> tuple[list[ExportEntry], list[ExportEntry]]:
    """Move COUNT accepted samples, spread evenly over the set, from training to validation."""
    if count <= 0:
        return train, valid
    accepted = [i for i, e in enumerate(train) if e.sample.status is Status.ACCEPTED]
    if count >= len(train) or count > len(accepted):
        raise ExportUsageError(
            f"--valid {count} would leave no training sample ({len(accepted)} accepted)"
        )
    # Evenly spread over the accepted ones (in path order): deterministic, and not all
    # from one end of the folder.
    picks = {accepted[int((i + 0.5) * len(accepted) / count)] for i in range(count)}
    moved = [
        ExportEntry(e.sample, e.prompt, "valid", e.clip, e.first, e.last)
        for i, e in enumerate(train)
        if i in picks
    ]
    return [e for i, e in enumerate(train) if i not in picks], valid + moved


def _check_sets(plan: ExportPlan, root: Path, allow_small: bool) -> None:
    if not plan.train:
        plan.errors.append(
            _problem(
                "nothing-to-export",
                "no accepted sample to export",
                f"accept samples in `{command('review', root)}` or with "
                f"`{command('accept', root)} ID...` (or add --include-unreviewed)",
            )
        )
        return  # the count of nothing says nothing more
    samples = [e.sample for e in plan.train]
    for finding in sample_count(samples):
        _judge(plan, finding, allowed=allow_small, flag="--allow-small")
    for finding in uniformity(diversity(samples)):
        _add(plan, finding)


def _check_findings(report: CheckReport, plan: ExportPlan) -> None:
    """Keep the check's findings about exported samples and the set as a whole; those
    about a sample the export leaves out are kept aside (``left_out``)."""
    split = {e.sample.id: e.split for e in plan.entries}
    for finding in report.findings:
        if finding.sample_id is not None and finding.sample_id not in split:
            plan.left_out.append(finding)
        elif _concerns_export(finding, split):
            _add(plan, finding)


def _concerns_export(finding: Finding, split: dict[str, str]) -> bool:
    if finding.code == _MISSING_PROMPTS:
        return True  # how many of all the samples still wait for a prompt: information
    if finding.code.startswith(_LINT_PREFIX):
        return False  # the prompt lint: judged by _check_lint, where --allow-lint applies
    if finding.code.startswith(_VERIFY_PREFIX):
        return False  # the verdicts: judged by _check_verdicts
    if finding.sample_id is None:
        # A file the scan could not take (check_workspace decides how bad that is, so
        # `check` and `export` agree), or a set rule recomputed on the exported set.
        return finding.path is not None or finding.code not in _RECOMPUTED
    if finding.sample_id not in split:
        return False
    return not (split[finding.sample_id] == "valid" and finding.code in _CLIP_ONLY)


def _check_lint(plan: ExportPlan, lint: Iterable[Finding], allow: bool) -> None:
    """The lint's findings keep the lint's severity; its errors block unless ALLOW."""
    exported = {e.sample.id for e in plan.entries}
    for finding in lint:
        if finding.sample_id is not None and finding.sample_id not in exported:
            continue
        if finding.code == _MISSING_PROMPTS:
            continue  # the check's count over every sample is kept (_concerns_export)
        _judge(plan, finding, allowed=allow, flag="--allow-lint")


def _judge(plan: ExportPlan, finding: Finding, *, allowed: bool, flag: str) -> None:
    """An error an option can allow: a note when FLAG was given, else an error naming it."""
    if finding.severity is not Severity.ERROR:
        _add(plan, finding)
    elif allowed:
        plan.notes.append(f"allowed by {flag}: {finding.path or '(the set)'}: {finding.message}")
    else:
        plan.errors.append(finding.model_copy(update={"fix": f"{finding.fix} (or {flag})"}))


def _check_verdicts(
    plan: ExportPlan,
    verdicts: Mapping[str, SampleVerdict],
    accepted: Mapping[str, datetime],
    allow: bool,
) -> None:
    """A sample the vision model flagged goes out only when a person accepted it after
    the verdict (the person overrules the model); otherwise it blocks, unless ALLOW."""
    for entry in plan.entries:
        seen = verdicts.get(entry.sample.id)
        if seen is None or not seen.flagged:
            continue
        when = accepted.get(entry.sample.id)
        if when is not None and when > seen.verified_at:
            continue
        why = ", ".join(seen.reasons()) + (" (its prompt changed since)" if seen.stale else "")
        if allow:
            plan.notes.append(f"verify allowed: {entry.sample.path}: {why}")
            continue
        plan.errors.append(
            _problem(
                "verify-flagged",
                f"the vision model flagged {entry.sample.path} ({why}) and no person has "
                "accepted it since",
                "look at it in review and accept it to overrule the model (or `annotator "
                "accept DIR ID`), fix its prompt and run verify again, or export with "
                "--allow-lint",
                entry.sample,
            )
        )


def _add(plan: ExportPlan, finding: Finding) -> None:
    if finding.severity is Severity.ERROR:
        plan.errors.append(finding)
    elif finding.severity is Severity.WARNING:
        plan.warnings.append(finding)
    else:
        plan.infos.append(finding)
