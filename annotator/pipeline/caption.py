"""Caption the samples of a workspace and commit each answer the moment it arrives.

Before anything is sent: the store must take a write, the key must be set and the server
reachable. Each request is claimed in the store just before it is sent (``caption``
claims in annotator/workspace/claims.py), so two runs on one workspace, a CLI batch and
the review UI's ``C`` say, share the work: none sends what the other holds or stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.captioning import (
    BatchProgress,
    BatchSummary,
    CaptionRequest,
    CaptionResult,
    Provider,
    ProviderError,
    UnreachableError,
    cache_key,
    estimate_tokens,
    get_provider,
    load_instruction,
    load_instruction_file,
)
from annotator.captioning.pricing import CostEstimate, estimate_cost
from annotator.captioning.providers.replay import ReplayFileError
from annotator.config import Settings, load_settings
from annotator.pipeline.claimed import ClaimedRun, OnFailure, run_claimed
from annotator.workspace import Sample, Status, StoreWriteError, Workspace

DEFAULT_MODEL = "qwen-vl-max"
REPLAY_FILE = "replay.jsonl"
CLAIM_KIND = "caption"


@dataclass(frozen=True)
class CaptionPlan:
    """What a caption run would send: the provider, and one request per sample to caption."""

    provider: Provider
    provider_name: str
    requests: list[CaptionRequest]
    sample_by_request: dict[CaptionRequest, Sample]
    cached: int  # samples skipped because a caption with the same key is stored
    force: bool = False  # caption again even where a caption with the same key is stored

    def start(
        self, ws: Workspace, on_failure: OnFailure | None
    ) -> ClaimedRun[CaptionRequest, CaptionResult]:
        """A new run of this plan (``run_plan``)."""
        return _CaptionRun(ws, self, on_failure)


def choose_model(model: str | None, provider: str, settings: Settings) -> str:
    """The model asked for, else a named endpoint's own, else the configured, else the default."""
    endpoint = settings.endpoints.get(provider)
    return (
        model or (endpoint.model if endpoint else None) or settings.caption.model or DEFAULT_MODEL
    )


def make_provider(
    ws: Workspace, name: str | None, options: dict[str, Any], settings: Settings
) -> tuple[str, Provider]:
    """The provider called NAME; a named endpoint of the config becomes an OpenAI-compatible one."""
    name = name or settings.caption.provider
    options = {k: v for k, v in options.items() if v is not None}
    if name in settings.endpoints:
        endpoint = settings.endpoints[name]
        options = {
            "base_url": endpoint.base_url,
            "key_env_var": endpoint.key_env_var,
            "video_as": endpoint.video_as,
            "frames_as": endpoint.frames_as,
            **options,
        }
        return name, get_provider("openai", **options)
    if name == "replay":
        options.setdefault("path", ws.root / REPLAY_FILE)
        if not Path(options["path"]).is_file():
            raise ReplayFileError(
                f"no recorded captions at {options['path']}: the replay provider only answers "
                "from recordings (the bundled samples have them). Caption with --provider "
                "dashscope (needs DASHSCOPE_API_KEY), --provider openai --base-url URL for a "
                "local Qwen-VL server, or set caption.provider in the config file"
            )
    elif name in ("dashscope", "openai"):
        options.setdefault("region", settings.caption.region)
    return name, get_provider(name, **options)


def plan_captions(
    ws: Workspace,
    sample_ids: Sequence[str] | None = None,
    *,
    provider: str | None = None,
    options: dict[str, Any] | None = None,
    model: str | None = None,
    instruction_kind: str = "structured",
    instruction_file: Path | None = None,
    fps: float | None = None,
    force: bool = False,
    status: Status | None = None,
    settings: Settings | None = None,
) -> CaptionPlan:
    """Choose the samples to caption (missing ones unless FORCE) and build their requests."""
    settings = settings or load_settings()
    name, backend = make_provider(ws, provider, options or {}, settings)
    if instruction_file is not None:
        instruction = load_instruction_file(instruction_file)
    else:
        instruction = load_instruction(instruction_kind, ws.info.lang)
    model = choose_model(model, name, settings)
    fps = fps or settings.caption.fps
    samples = ws.samples()
    if sample_ids is not None:
        wanted = set(sample_ids)
        samples = [s for s in samples if s.id in wanted]
    if status is not None:
        samples = [s for s in samples if s.status is status]
    cached_keys = ws.cached_keys()
    requests, by_request, cached = [], {}, 0
    for sample in samples:
        request = CaptionRequest(
            clip=ws.root / sample.clip,
            clip_sha256=sample.id,
            clip_key=sample.clip_key,  # a new clip edit: a new caption
            instruction=instruction,
            model=model,
            fps=fps,
            structured=instruction_file is None and instruction_kind == "structured",
        )
        if not force and cache_key(request, name) in cached_keys:
            cached += 1
            continue
        requests.append(request)
        by_request[request] = sample
    return CaptionPlan(backend, name, requests, by_request, cached, force)


# One runner for every pass (annotator/pipeline/claimed.py); its name here for callers.
run_plan = run_claimed


# What one caption answer takes, for a dry run's estimate: a structured answer (subject,
# background, motion) or a free description runs to about this many tokens.
ANSWER_TOKENS = 250


def money_for(
    provider: Provider,
    provider_name: str,
    model: str,
    tokens: tuple[int, int],
    settings: Settings,
) -> CostEstimate:
    """What TOKENS (input, output) cost with MODEL on PROVIDER: nothing for recordings
    (replay), DashScope's dated list price for its region (or config.toml's), unknown for
    any other server (a local one has prices of its own, if any)."""
    region = getattr(getattr(provider, "region", None), "name", None)
    return estimate_cost(
        model,
        *tokens,
        region=region if provider.needs_key else None,
        overrides=settings.token_prices,
        recorded=provider_name == "replay",
    )


def estimate_clip_tokens(sample: Sample, fps: float, model: str) -> int:
    """Estimated input tokens of SAMPLE's clip as the server samples it at FPS for MODEL."""
    probe = sample.probe
    return estimate_tokens(
        probe.duration_s if probe else 0.0,
        probe.width if probe else 0,
        probe.height if probe else 0,
        fps,
        model,
    )


class _CaptionRun(ClaimedRun[CaptionRequest, CaptionResult]):
    """One run's callbacks: claim a request, store its answer or failure, release it."""

    def __init__(
        self,
        ws: Workspace,
        plan: CaptionPlan,
        on_failure: OnFailure | None,
    ) -> None:
        super().__init__(
            ws,
            CLAIM_KIND,
            lambda request: cache_key(request, plan.provider_name),
            lambda request: plan.sample_by_request[request].id,
            force=plan.force,
            command="caption",
        )
        self.plan, self.on_failure = plan, on_failure

    def send(self, request: CaptionRequest) -> CaptionResult:
        """Ask the plan's provider for the caption."""
        return self.plan.provider.caption(request)

    def store(self, request: CaptionRequest, result: CaptionResult) -> None:
        """Commit the answer and the sample's new status."""
        sample = self.plan.sample_by_request[request]
        try:
            self.ws.add_caption(
                sample.id,
                provider=self.plan.provider_name,
                model=result.model,
                instruction=request.instruction,
                fps=request.fps,
                cache_key=self.key(request),
                text=result.text,
                fields=result.fields,
                flagged=result.flagged,
                input_tokens=result.input_tokens,
                output_tokens=result.output_tokens,
            )
        except StoreWriteError as exc:
            raise self.lose(exc) from exc
        try:
            self.ws.set_status_by_machine(
                sample.id, Status.CAPTIONED, None, only_from=(Status.NEW, Status.ERROR)
            )
        except StoreWriteError as exc:
            raise self.stop(exc) from exc
        # The claim stays until the run ends (release_all): a stored answer already makes
        # any other run skip the request, and one write fewer per answer keeps the pace.

    def failed(self, request: CaptionRequest, error: ProviderError) -> None:
        """Mark the sample failed (unless no fault of the clip), report it, release it."""
        sample = self.plan.sample_by_request[request]
        if self.on_failure:
            self.on_failure(sample, error)
        # A refused key, an unknown model, a server out of reach: no fault of the clip,
        # whose status stays.
        try:
            if not (error.stops_batch or isinstance(error, UnreachableError)):
                self.ws.set_status_by_machine(sample.id, Status.ERROR, str(error))
        except StoreWriteError as exc:
            raise self.stop(exc) from exc
        self.release(request)


def caption_samples(
    ws: Workspace,
    sample_ids: Sequence[str] | None = None,
    *,
    provider: str | None = None,
    options: dict[str, Any] | None = None,
    concurrency: int = 4,
    force: bool = False,
    on_progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
) -> BatchSummary:
    """Caption the given samples (all missing ones when None) in one blocking call."""
    plan = plan_captions(ws, sample_ids, provider=provider, options=options, force=force)
    return run_plan(ws, plan, concurrency=concurrency, on_progress=on_progress, cancel=cancel)
