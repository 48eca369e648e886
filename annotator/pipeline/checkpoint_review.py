"""The checkpoint board: every checkpoint's preview of every validation sample, the choice.

What `annotator checkpoints DIR --review` shows (annotator/tui/screens/checkpoints.py):
the previews are fetched and downloaded (their URLs last 24 h) through the same use cases
as `annotator checkpoints --download`, the person's pick is recorded in the workspace
(ft_checkpoints.chosen_at, which `annotator jobs` shows), and exporting and deploying the
pick runs `checkpoints --export` and `deploy --checkpoint`'s steps. The view takes these
as plain values; it never holds the store or the client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.finetune.checkpoints import (
    download_previews,
    export_checkpoint,
    previews_folder,
    refresh_checkpoints,
    wait_export,
)
from annotator.finetune.client import DashScopeClient
from annotator.finetune.deploy import deploy_target, deployment_body, start_deployment
from annotator.finetune.exported import find_export
from annotator.finetune.poll import Poller
from annotator.finetune.prices import VIDEO_PRICES
from annotator.shellcmd import command
from annotator.workspace import Workspace
from annotator.workspace.db import now_iso
from annotator.workspace.remote import CHECKPOINTS, Checkpoint, FinetuneJob


@dataclass(frozen=True)
class Preview:
    """One checkpoint's video of one validation sample."""

    checkpoint: str
    step: int | None
    sample: int  # 1-based: the validation sample
    prompt: str
    path: Path | None  # the downloaded video (None: not downloaded)


def step_of(checkpoint: Checkpoint) -> int | None:
    """The training step a checkpoint was saved at: the service's, else its name's number."""
    match = re.search(r"(\d+)$", checkpoint.checkpoint)
    return int(match[1]) if match else None


class CheckpointBoard:
    """The use cases the checkpoint view runs, for one job (its methods may block: the view
    calls them on a worker thread)."""

    def __init__(
        self,
        ws: Workspace,
        client: DashScopeClient,
        job: FinetuneJob,
        poller: Poller,
        output: Path | None = None,
    ) -> None:
        assert job.job_id is not None
        self._ws, self._client, self._job, self._poller = ws, client, job, poller
        self.job_id: str = job.job_id
        self._folder = previews_folder(ws, job.job_id, output)
        self.problems: list[str] = []  # the last load's previews that could not be fetched

    @property
    def title(self) -> str:
        return f"job {self.job_id} ({self._job.status}) · {self._job.model or ''}"

    def load(self) -> list[Preview]:
        """Fetch every checkpoint's previews, download those not on disk; all previews."""
        found = refresh_checkpoints(self._ws, self._client, self._job)
        previews = []
        self.problems = []
        for ckpt in found:
            paths = [Path(p) for p in ckpt.downloads or []]
            # A preview the service lists without a video has no file (download_previews
            # skips it): the files go, in order, to the previews that have a video.
            with_video = [bool(item.get("video_path")) for item in ckpt.previews or []]
            if len(paths) != sum(with_video) or not all(p.is_file() for p in paths):
                try:
                    paths = download_previews(
                        self._ws, self._client, self.job_id, ckpt, self._folder
                    )
                except AnnotatorError as exc:  # one checkpoint's previews: the others show
                    self.problems.append(f"{ckpt.checkpoint}: {exc}")
                    paths = []
            files = iter(paths)
            previews += [
                Preview(
                    checkpoint=ckpt.checkpoint,
                    step=step_of(ckpt),
                    sample=n,
                    prompt=str(item.get("prompt") or ""),
                    path=next(files, None) if has_video else None,
                )
                for n, (item, has_video) in enumerate(
                    zip(ckpt.previews or [], with_video, strict=True), start=1
                )
            ]
        return previews

    def chosen(self) -> str | None:
        """The checkpoint picked as the best, if one is."""
        for ckpt in CHECKPOINTS.select(self._ws, job_id=self.job_id):
            if ckpt.chosen_at is not None:
                return ckpt.checkpoint
        return None

    def choose(self, checkpoint: str) -> None:
        """Record CHECKPOINT as the best of the job (and no other)."""
        for ckpt in CHECKPOINTS.select(self._ws, job_id=self.job_id):
            if ckpt.chosen_at is not None and ckpt.checkpoint != checkpoint:
                CHECKPOINTS.put(
                    self._ws,
                    {"job_id": self.job_id, "checkpoint": ckpt.checkpoint, "chosen_at": None},
                )
        stamp = {"job_id": self.job_id, "checkpoint": checkpoint, "chosen_at": now_iso()}
        CHECKPOINTS.put(self._ws, stamp)

    def cost(self, checkpoint: str) -> str:
        """What exporting and deploying CHECKPOINT costs, as far as annotator knows."""
        model = self._job.model or self._job.base_model or ""
        prices = VIDEO_PRICES.get(model, {})
        per_video = ", ".join(f"{res} {p:.2f} CNY/s" for res, p in prices.items())
        return (
            f"Export {checkpoint}: no charge. Deploy it: plan lora, capacity 1, billed while "
            "it runs until `annotator deploy DIR --delete` (the deployment's price is not in "
            "annotator's table: see the Model Studio console)"
            + (f"; each test video is billed like {model}: {per_video}" if per_video else "")
            + "."
        )

    def export_and_deploy(self, checkpoint: str) -> str:
        """Export CHECKPOINT (once), wait for it, deploy it (once); what happened."""
        export_checkpoint(self._ws, self._client, self._job, checkpoint)
        done = wait_export(self._ws, self._client, self._job, checkpoint, self._poller)
        endpoint = self._client.service.endpoint
        target = deploy_target(self._ws, endpoint, checkpoint=checkpoint, job_id=self.job_id)
        body = deployment_body(find_export(self._ws), target)
        started = start_deployment(self._ws, self._client, body, target)
        row = started.row
        verb = "deploying" if started.created else "deployed already"
        return (
            f"{checkpoint} exported as {done.model_name}; {verb} as {row.deployed_model} "
            f"({row.status}): follow it with `{command('deploy', self._ws.root)} --wait`"
        )
