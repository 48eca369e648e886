"""Verify the samples of a workspace: the vision model checks each final prompt against its
own clip, and each verdict is committed the moment it arrives (issue 12).

The prompts are the run's ``PromptSet`` (``load_prompts``): the subject, background and
effect parts sent are the ones the prompt builder placed in the final text. Every sample
that counts (present, not rejected) and has a prompt is verified once per (clip, model,
instruction, prompt text); a changed prompt makes its verdict stale and the next run
verifies it again. The batch is the caption batch (``run_claimed``: adaptive concurrency,
retries, a clean stop) with claims of kind "verify", so two runs never verify one sample
at once; the store, the key and the server are checked before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.basemodels import Mode
from annotator.captioning import Provider, ProviderError
from annotator.captioning.estimate import estimate_image_tokens, estimate_text_tokens
from annotator.captioning.pricing import CostEstimate
from annotator.captioning.providers.replay import ReplayProvider
from annotator.captioning.question import AsksAboutClips, clip_questions
from annotator.captioning.verification import (
    TASK as VERIFY_TASK,
)
from annotator.captioning.verification import (
    PromptParts,
    VerifyInstruction,
    VerifyRequest,
    VerifyResult,
    load_verify_instruction,
    verify_clip,
)
from annotator.config import Settings, load_settings
from annotator.counting import counted
from annotator.errors import AnnotatorError
from annotator.pipeline.caption import (
    choose_model,
    estimate_clip_tokens,
    make_provider,
    money_for,
)
from annotator.pipeline.claimed import ClaimedRun, OnFailure, run_claimed
from annotator.pipeline.prompts import load_prompts
from annotator.prompts.build import Prompt, PromptContext, PromptSet, PromptSource
from annotator.shellcmd import command
from annotator.verdicts import SampleVerdict
from annotator.workspace import Sample, Status, StoreWriteError, Workspace
from annotator.workspace.verdicts import (
    add_verdict,
    latest_verdicts,
    unreadable_keys,
    verdict_keys,
)

CLAIM_KIND = "verify"
# What a verdict costs on top of the clip, for --dry-run: the answer (a JSON object with
# three one-sentence notes) and, once in a while, the retry's second ask.
ANSWER_TOKENS = 160


@dataclass(frozen=True)
class VerifyPlan:
    """What a verify run would send: the provider, one request per sample to verify."""

    provider: Provider
    asker: AsksAboutClips
    provider_name: str
    model: str
    instruction: VerifyInstruction
    requests: list[VerifyRequest]
    sample_by_request: dict[VerifyRequest, Sample]
    cached: int  # samples whose prompt is verified already with these settings
    no_prompt: list[Sample] = field(default_factory=list)  # nothing to verify yet
    force: bool = False
    prompts: PromptSet | None = None
    # Keys whose stored verdict is unreadable: asked again, as a failed request would be.
    unreadable_again: frozenset[str] = frozenset()

    def start(
        self, ws: Workspace, on_failure: OnFailure | None
    ) -> ClaimedRun[VerifyRequest, VerifyResult]:
        """A new run of this plan (``run_verification``)."""
        return _VerifyRun(ws, self, on_failure)


def make_parts(prompt: Prompt) -> PromptParts:
    """The parts the model checks, as the prompt builder placed them in the final text."""
    parts = prompt.parts
    effect = parts.part("template")
    if prompt.source is PromptSource.OVERRIDE and not says_more(effect, parts.part("trigger")):
        # A person's full prompt and no template to find in it: the effect is what the
        # prompt says from the trigger on.
        effect = prompt.text[parts.trigger[0] :]
    return PromptParts(
        prompt=prompt.text,
        subject=parts.part("subject") or prompt.subject,
        background=parts.part("background") or prompt.background,
        effect=effect,
    )


def says_more(effect: str, trigger: str) -> bool:
    """Whether EFFECT has words beyond the trigger (and punctuation)."""
    return bool(effect.replace(trigger, "").strip(" .。,，"))


def plan_verification(
    ws: Workspace,
    sample_ids: Sequence[str] | None = None,
    *,
    provider: str | None = None,
    options: dict[str, Any] | None = None,
    model: str | None = None,
    force: bool = False,
    status: Status | None = None,
    settings: Settings | None = None,
) -> VerifyPlan:
    """Choose the samples to verify (those with no verdict for their prompt as it stands,
    all of them with FORCE) and build their requests."""
    settings = settings or load_settings()
    name, backend = make_provider(ws, provider, options or {}, settings)
    asker = clip_questions(backend)
    model = choose_model(model, name, settings)
    if isinstance(backend, ReplayProvider):
        # Recorded answers: stored, keyed and shown as replayed from their file, so a
        # recording never passes for (nor is cached as) the verdict of a real model.
        model = backend.answered_as(VERIFY_TASK)
    instruction = load_verify_instruction("zh" if ws.info.lang == "zh" else "en")
    samples = [s for s in ws.samples() if s.counts]
    if sample_ids is not None:
        wanted = set(sample_ids)
        samples = [s for s in samples if s.id in wanted]
    if status is not None:
        samples = [s for s in samples if s.status is status]
    prompts = load_prompts(ws, samples)
    # An unreadable verdict is kept (shown) until a readable answer replaces it, but does
    # not count as verified: a plain re-run asks again, as after a failed request.
    unreadable = unreadable_keys(ws)
    stored = verdict_keys(ws) - unreadable
    kf2v = ws.info.mode is Mode.KF2V
    requests: list[VerifyRequest] = []
    by_request: dict[VerifyRequest, Sample] = {}
    cached, no_prompt = 0, []
    for sample in samples:
        prompt = prompts[sample.id]
        if not prompt.complete or not prompt.text.strip():
            no_prompt.append(sample)
            continue
        stills = _stills(ws.root, sample) if kf2v else ()
        parts = make_parts(prompt)
        request = VerifyRequest(
            clip=ws.root / sample.clip,
            clip_sha256=sample.id,
            model=model,
            parts=parts,
            instruction=instruction.fill(parts, stills=bool(stills)),
            instruction_hash=instruction.digest,
            lang=instruction.lang,
            fps=settings.caption.fps,
            stills=stills,
            clip_key=sample.clip_key,  # a new clip edit: verified again
        )
        if not force and request.key in stored:
            cached += 1
            continue
        requests.append(request)
        by_request[request] = sample
    again = frozenset(r.key for r in requests if r.key in unreadable)
    _refuse_without_effect(ws.root, requests, prompts.context)
    return VerifyPlan(
        backend,
        asker,
        name,
        model,
        instruction,
        requests,
        by_request,
        cached,
        no_prompt,
        force,
        prompts,
        again,
    )


class NoEffectTextError(AnnotatorError):
    """Verify before the workspace has an effect text (no template yet)."""


def _refuse_without_effect(
    root: Path, requests: Sequence[VerifyRequest], context: PromptContext
) -> None:
    """Refuse to ask about prompts that say nothing of the effect: before ``mine --apply``
    or a template, the effect line would be empty (or the trigger alone), every clip would
    come back "effect not shown", and each verdict would go stale (and be paid for again)
    the moment the template is set, as it changes every prompt."""
    if context.template.strip():
        return
    empty = [r for r in requests if not says_more(r.parts.effect, context.trigger)]
    if not empty:
        return  # a person's own full prompts carry their effect text
    raise NoEffectTextError(
        f"no effect text yet: the workspace has no template, so the prompts of "
        f"{counted(len(empty), 'sample')} say nothing of the effect for the model to check",
        fix=f"find the effect's words in the captions with `{command('mine', root, '--apply')}`"
        f" or write them with `{command('template', root, '--set', 'TEXT')}`, "
        "then run verify",
    )


def _stills(root: Path, sample: Sample) -> tuple[Path, ...]:
    """A kf2v sample's first and last frame images, when both are there."""
    if sample.first_frame is None or sample.last_frame is None:
        return ()
    first, last = root / sample.first_frame, root / sample.last_frame
    return (first, last) if first.is_file() and last.is_file() else ()


def estimate_request(request: VerifyRequest, sample: Sample) -> tuple[int, int]:
    """Estimated (input, output) tokens of one request: the clip as the server samples it,
    the stills, the instruction, and the answer."""
    probe = sample.probe
    tokens = estimate_clip_tokens(sample, request.fps, request.model)
    if probe is not None:
        tokens += len(request.stills) * estimate_image_tokens(
            probe.width, probe.height, request.model
        )
    return tokens + estimate_text_tokens(request.instruction), ANSWER_TOKENS


# One runner for every pass (annotator/pipeline/claimed.py); its name here for callers.
# A failure is reported only: the sample's status is a person's business and stays.
run_verification = run_claimed


class _VerifyRun(ClaimedRun[VerifyRequest, VerifyResult]):
    """One run's callbacks: claim a request, store its verdict, release it."""

    done_word = "verified"

    def __init__(
        self,
        ws: Workspace,
        plan: VerifyPlan,
        on_failure: OnFailure | None,
    ) -> None:
        super().__init__(
            ws,
            CLAIM_KIND,
            lambda request: request.key,
            lambda request: request.clip_sha256,
            force=plan.force,
            command="verify",
        )
        self.plan, self.on_failure = plan, on_failure

    def answers_since(self, request: VerifyRequest) -> str | None:
        """An unreadable verdict asked again is replaced: only what another run stored
        since this one began keeps it from being sent."""
        if request.key in self.plan.unreadable_again:
            return self.started
        return super().answers_since(request)

    def send(self, request: VerifyRequest) -> VerifyResult:
        """Ask the plan's model whether the prompt matches the clip."""
        return verify_clip(self.plan.asker, request)

    def store(self, request: VerifyRequest, result: VerifyResult) -> None:
        """Commit the verdict with its provenance."""
        try:
            add_verdict(
                self.ws,
                request.clip_sha256,
                provider=self.plan.provider_name,
                model=result.model,
                instruction_hash=request.instruction_hash,
                prompt=request.parts.prompt,
                cache_key=request.key,
                clip_key=request.clip_key or request.clip_sha256,
                verdict=result.verdict,
                unreadable=result.problem,
                answer=result.answer if result.verdict is None else None,
                input_tokens=result.input_tokens,
                output_tokens=result.output_tokens,
            )
        except StoreWriteError as exc:
            raise self.lose(exc) from exc
        # The claim stays until the run ends: the stored verdict already makes others skip.

    def failed(self, request: VerifyRequest, error: ProviderError) -> None:
        """Report the failure and release the claim; nothing is stored for the sample."""
        if self.on_failure:
            self.on_failure(self.plan.sample_by_request[request], error)
        self.release(request)


def load_verdicts(ws: Workspace, prompts: PromptSet) -> dict[str, SampleVerdict]:
    """The latest verdict of every sample in PROMPTS that has one, stale when its prompt
    is no longer the text that was verified or its clip was edited since."""
    latest = latest_verdicts(ws)
    clips = {s.id: s.clip_key for s in ws.samples(include_missing=True)}
    return {
        sid: latest[sid].seen_against(prompt.text, clips.get(sid, sid))
        for sid, prompt in prompts.prompts.items()
        if sid in latest
    }


@dataclass(frozen=True)
class VerifyTotals:
    """Where the verified samples stand: verified (a current verdict), flagged among
    them, stale (the prompt changed since its verdict), unverified (no verdict yet)."""

    verified: int
    flagged: int
    stale: int
    unverified: int


def totals(samples: Sequence[Sample], verdicts: Mapping[str, SampleVerdict]) -> VerifyTotals:
    """The counts over SAMPLES of their latest VERDICTS."""
    seen = [verdicts.get(s.id) for s in samples]
    current = [v for v in seen if v is not None and not v.stale]
    return VerifyTotals(
        verified=len(current),
        flagged=sum(1 for v in current if v.flagged),
        stale=sum(1 for v in seen if v is not None and v.stale),
        unverified=sum(1 for v in seen if v is None),
    )


def money(
    plan: VerifyPlan, input_tokens: int, output_tokens: int, settings: Settings
) -> CostEstimate:
    """What these tokens cost (``money_for``: replay nothing, DashScope its dated list
    price for the region, any other server unknown)."""
    return money_for(
        plan.provider, plan.provider_name, plan.model, (input_tokens, output_tokens), settings
    )
