"""Step 4: a test video from the deployed LoRA on a new picture, downloaded beside the workspace.

i2v sends ``input.img_url`` to the video-generation path; kf2v sends
``input.first_frame_url`` (and ``last_frame_url``) to the image2video path. Both are
asynchronous tasks (``X-DashScope-Async: enable``). A local picture goes to DashScope's
temporary storage first (oss://, 48 h), as the SDK does for ``file://`` paths; the
base-model generations of `annotator source` send small pictures inline instead (a
``data:`` URI, which the image-to-video API reference documents for ``img_url``,
``first_frame_url`` and ``last_frame_url``). The request, picture, polling and download
helpers here serve both (annotator/finetune/sourcing.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

from annotator.basemodels import Mode
from annotator.export.naming import sanitize_stem
from annotator.finetune.client import Answer, DashScopeClient
from annotator.finetune.errors import PipelineError, TaskFailedError
from annotator.finetune.multipart import Progress
from annotator.finetune.poll import Poller
from annotator.finetune.resumable import Resumed, resume
from annotator.finetune.status import DEPLOYMENT_RUNNING, TASK_FINAL, TASK_SUCCEEDED
from annotator.shellcmd import command
from annotator.userfiles import file_sha256, read_bytes
from annotator.workspace import Workspace
from annotator.workspace.remote import GENERATIONS, Deployment, Generation, Requested, RequestTable

URL_SCHEMES = ("http://", "https://", "oss://")
TASK_UNHAPPY = TASK_FINAL - {TASK_SUCCEEDED}
# A picture up to this size goes inline as a data: URI (the API takes images up to 10 MB;
# base64 grows them by a third); a bigger one goes through the temporary storage.
INLINE_LIMIT = 7 * 1024 * 1024


@dataclass(frozen=True)
class Picture:
    """An input image: a URL passed as is, or a local file (known by its sha256)."""

    text: str
    path: Path | None
    sha256: str | None

    @classmethod
    def of(cls, text: str) -> Picture:
        if text.startswith(URL_SCHEMES):
            return cls(text, None, None)
        path = Path(text).expanduser()
        if not path.is_file():
            raise PipelineError(f"{text} is not a file (nor an http(s):// or oss:// URL)")
        return cls(str(path.resolve()), path, file_sha256(path))

    @property
    def identity(self) -> str:
        return self.sha256 or self.text

    @property
    def stem(self) -> str:
        return sanitize_stem(self.path.stem if self.path else self.text.rsplit("/", 1)[-1])


@dataclass(frozen=True)
class Settings:
    """What shapes the video besides the pictures."""

    prompt: str | None = None
    resolution: str = "720P"
    prompt_extend: bool = False
    duration: int | None = None  # seconds; None: the model's default (not sent)
    seed: int | None = None  # None: the service draws one (not sent)


def output_folder(ws: Workspace, output: Path | None) -> Path:
    """Beside the workspace by default: inside it, the next scan would take videos for clips."""
    return output or ws.root.parent / f"{ws.root.name}-generated"


def _fingerprint(endpoint: str, model: str, mode: Mode, pics: list[Picture], s: Settings) -> str:
    data = {
        "endpoint": endpoint,
        "model": model,
        "mode": mode.value,
        "pictures": [p.identity for p in pics],
        "prompt": s.prompt,
        "resolution": s.resolution,
        "prompt_extend": s.prompt_extend,
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def synthesis_body(
    model: str, mode: Mode, urls: list[str], s: Settings, *, media: bool = False
) -> dict[str, Any]:
    """The request body: section 5's i2v or kf2v input, and the parameters.

    MEDIA: the pictures as ``input.media`` (``first_frame``, ``last_frame``), the input of
    wan2.7-i2v, which makes i2v and kf2v videos on the video-generation path.
    """
    if media:
        kinds = ("first_frame", "last_frame")
        inputs: dict[str, Any] = {
            "media": [{"type": kind, "url": url} for kind, url in zip(kinds, urls, strict=False)]
        }
    elif mode is Mode.KF2V:
        inputs = {"first_frame_url": urls[0]}
        if len(urls) > 1:
            inputs["last_frame_url"] = urls[1]
    else:
        inputs = {"img_url": urls[0]}
    if s.prompt:
        inputs["prompt"] = s.prompt
    parameters: dict[str, Any] = {"resolution": s.resolution, "prompt_extend": s.prompt_extend}
    if s.duration is not None:
        parameters["duration"] = s.duration
    if s.seed is not None:
        parameters["seed"] = s.seed
    return {"model": model, "input": inputs, "parameters": parameters}


def picture_url(client: DashScopeClient, pic: Picture, model: str, *, inline: bool = False) -> str:
    """What the request names PIC by: its URL, a data: URI (INLINE, when small enough), or
    the oss:// URL of its temporary upload."""
    if pic.path is None:
        return pic.text
    assert pic.sha256 is not None
    if inline and pic.path.stat().st_size <= INLINE_LIMIT:
        return data_uri(pic.path)
    return client.upload_temporary(pic.path, model, f"{pic.sha256[:16]}{pic.path.suffix.lower()}")


def data_uri(path: Path) -> str:
    """The picture at PATH as ``data:{MIME type};base64,{data}``, read as a user file."""
    kind = mimetypes.guess_type(path.name)[0] or "image/png"
    data = read_bytes(path)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def needs_oss(body: Mapping[str, Any]) -> bool:
    """Whether the body names a temporary upload (the request must then say so)."""
    inputs = body["input"]
    urls = [str(v) for k, v in inputs.items() if k.endswith("_url")]
    urls += [str(m.get("url")) for m in inputs.get("media") or [] if isinstance(m, dict)]
    return any(url.startswith("oss://") for url in urls)


def start_generation(
    ws: Workspace,
    client: DashScopeClient,
    deployment: Deployment,
    pictures: list[Picture],
    settings: Settings,
    *,
    again: bool = False,
) -> Resumed[Generation]:
    """The task for these pictures and settings: the stored one, or a new one."""
    model = deployment.deployed_model
    assert model is not None
    mode = ws.info.mode
    if mode is Mode.I2V and len(pictures) > 1:
        raise PipelineError("an i2v workspace takes one picture (the first frame), not two")
    if deployment.status != DEPLOYMENT_RUNNING:
        raise PipelineError(
            f"deployment {model} is {deployment.status}, not RUNNING: wait for it with "
            f"`{command('deploy', ws.root)} --wait`"
        )
    endpoint = client.service.endpoint
    fp = _fingerprint(endpoint, model, mode, pictures, settings)
    request = _GenerationRequest(client, model, mode, pictures, settings, again)
    return resume(ws, GENERATIONS, request, endpoint, fp)


@dataclass(frozen=True)
class _GenerationRequest:
    """A video synthesis task as `resume` makes it (a Resource)."""

    client: DashScopeClient
    model: str
    mode: Mode
    pictures: list[Picture]
    settings: Settings
    again: bool  # make another video though one was made

    def reusable(self, stored: Generation) -> bool:
        return not self.again and stored.status not in TASK_UNHAPPY

    def listed(self) -> tuple[()]:
        return ()  # the service lists no tasks: an unanswered one costs nothing to redo

    def made_by(self, item: Mapping[str, Any], attempt: Generation) -> bool:
        return False

    def new_row(self) -> dict[str, Any]:
        """The body, with the local pictures uploaded (only now: a stored task needs none)."""
        urls = [picture_url(self.client, pic, self.model) for pic in self.pictures]
        pictures = [pic.text for pic in self.pictures]
        return {
            "request": synthesis_body(self.model, self.mode, urls, self.settings),
            "deployed_model": self.model,
            "kind": self.mode.value,
            "image": pictures[0],
            "last_image": pictures[1] if len(pictures) > 1 else None,
            "prompt": self.settings.prompt,
        }

    def create(self, attempt: Generation) -> Answer:
        body = attempt.request
        return self.client.synthesize(body, kf2v=self.mode is Mode.KF2V, oss=needs_oss(body))


T = TypeVar("T", bound=Requested)


def refresh_task(ws: Workspace, client: DashScopeClient, table: RequestTable[T], found: T) -> T:
    """Ask for the task of FOUND (a row of TABLE with a task_id); store and return it."""
    task_id = table.service_id_of(found)
    assert task_id is not None
    answer = client.get_task(task_id)
    output = answer.output if isinstance(answer.output, dict) else {}
    return table.record(ws, found.id, output, answer.request_id, answer.usage)


def refresh_generation(ws: Workspace, client: DashScopeClient, found: Generation) -> Generation:
    return refresh_task(ws, client, GENERATIONS, found)


def task_failure(task_id: str | None, status: str, code: str | None, message: str | None) -> str:
    """How a task that did not succeed ended, for a message."""
    said = f"{code}: {message}" if code else (message or "no reason given")
    return f"task {task_id} ended {status} ({said})"


def wait_generation(
    ws: Workspace,
    client: DashScopeClient,
    found: Generation,
    poller: Poller,
    on_update: Callable[[Generation, float], None] | None = None,
) -> Generation:
    """Poll the task until it ends; TaskFailedError unless it SUCCEEDED."""
    last = poller.wait(
        lambda: refresh_generation(ws, client, GENERATIONS.by_row(ws, found.id)),
        lambda g: g.status in TASK_FINAL,
        on_update,
        what=f"task {found.task_id}",
    )
    if last.status != TASK_SUCCEEDED:
        ended = task_failure(last.task_id, last.status, last.code, last.message)
        raise TaskFailedError(
            f"{ended}. Try another picture, or run "
            f"again with --again; a content refusal (DataInspectionFailed) means the picture "
            "or the prompt was judged unsafe",
            code=last.code,
        )
    return last


def download_video(
    ws: Workspace,
    client: DashScopeClient,
    found: Generation,
    folder: Path,
    progress: Progress | None = None,
) -> Generation:
    """Save the task's video (its URL lasts 24 h) into FOLDER; the path is stored."""
    if not found.video_url or found.task_id is None:
        raise PipelineError(f"task {found.task_id} has no video yet ({found.status})")
    if found.video_path and Path(found.video_path).is_file():
        return found
    stem = sanitize_stem(PurePosixPath(urlsplit(found.image).path).stem, "video")
    dest = folder / f"{stem}-{sanitize_stem(found.task_id, 'task')[:8]}.mp4"  # never a "/"
    client.download(found.video_url, dest, progress)
    return GENERATIONS.update(ws, found.id, {"video_path": str(dest)})
