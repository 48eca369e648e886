"""A fake of DashScope's fine-tuning APIs (dashscope-api.md section 5) on 127.0.0.1.

Serves, with the documented JSON shapes:

- ``POST /api/v1/files`` (Beijing: field ``files``) and ``POST /compatible-mode/v1/files``
  (Singapore: field ``file``), both with ``purpose``
- ``POST|GET /api/v1/fine-tunes``, ``GET|DELETE /api/v1/fine-tunes/{id}``,
  ``POST .../cancel``, ``GET .../logs``, ``.../validation-results``,
  ``.../validation-details/{ckpt}``, ``.../export/{ckpt}``, ``.../checkpoints``
- ``POST|GET /api/v1/deployments``, ``GET|DELETE /api/v1/deployments/{name}``
- ``POST`` the i2v and kf2v video-synthesis paths (``X-DashScope-Async`` required), with a
  deployed LoRA or a base model (``img_url`` / ``first_frame_url`` + ``last_frame_url`` as
  an http(s) URL, an oss:// upload or a ``data:image/...;base64,`` URI),
  ``GET /api/v1/tasks/{id}``, ``GET /api/v1/tasks`` (the account's tasks, ``data``)
- ``GET /api/v1/uploads?action=getPolicy`` and ``POST /oss``: temporary image uploads
- ``GET /media/...``: the preview and result videos it hands out URLs for

Statuses move one step each time a resource is read (``job_steps``, ``deploy_steps``,
``task_steps``; ``fail_tasks`` names tasks, by creation order from 1, that end FAILED);
``task_videos`` are the videos of successful tasks, by creation order (default: bytes that
are no real video), ``preview_video`` that of every checkpoint preview; ``stall`` (an
unset Event) holds every create's answer until it is set;
``hold_jobs`` freezes jobs where they are; a RUNNING job grows its log by
``log_lines_per_read`` lines at each read. Every request is recorded.

Paging follows the documentation (dashscope-api.md, "API details checked"): logs take
``offset`` = lines to skip (default 0) and ``line`` = page size (default 100, 1 to 1000);
the jobs list pages with ``page_no`` and ``page_size`` (default 10, 1 to 100), the
deployments list likewise (default 50, 1 to 200); both answer ``total``.
Scripted errors: ``fail(name, Reply)`` answers the next request to NAME with it. The
server runs in a thread of the test process, so it outlives a CLI subprocess killed -9.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from tests.fakes.dashscope_server import Recorded, Reply, read_request
from tests.fakes.local_server import LocalServer

KNOWN_MODELS = frozenset(
    {"wan2.5-i2v-preview", "wan2.6-i2v", "wan2.7-i2v", "wan2.2-i2v-flash", "wan2.2-kf2v-flash"}
)
AIGC_KEYS = frozenset({"use_input_prompt", "prompt", "lora_prompt_default"})
CHECKPOINTS = ("checkpoint-20", "checkpoint-40", "checkpoint-60")
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00fake-video" * 64
I2V = "/api/v1/services/aigc/video-generation/video-synthesis"
KF2V = "/api/v1/services/aigc/image2video/video-synthesis"

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), name)
    for m, p, name in (
        ("POST", r"^/api/v1/files$", "files.cn"),
        ("POST", r"^/compatible-mode/v1/files$", "files.intl"),
        ("POST", r"^/api/v1/fine-tunes$", "jobs.create"),
        ("GET", r"^/api/v1/fine-tunes$", "jobs.list"),
        ("GET", r"^/api/v1/fine-tunes/(?P<id>[^/]+)$", "jobs.get"),
        ("DELETE", r"^/api/v1/fine-tunes/(?P<id>[^/]+)$", "jobs.delete"),
        ("POST", r"^/api/v1/fine-tunes/(?P<id>[^/]+)/cancel$", "jobs.cancel"),
        ("GET", r"^/api/v1/fine-tunes/(?P<id>[^/]+)/logs$", "jobs.logs"),
        ("GET", r"^/api/v1/fine-tunes/(?P<id>[^/]+)/validation-results$", "jobs.results"),
        (
            "GET",
            r"^/api/v1/fine-tunes/(?P<id>[^/]+)/validation-details/(?P<ckpt>[^/]+)$",
            "jobs.details",
        ),
        ("GET", r"^/api/v1/fine-tunes/(?P<id>[^/]+)/export/(?P<ckpt>[^/]+)$", "jobs.export"),
        ("GET", r"^/api/v1/fine-tunes/(?P<id>[^/]+)/checkpoints$", "jobs.checkpoints"),
        ("POST", r"^/api/v1/deployments$", "deployments.create"),
        ("GET", r"^/api/v1/deployments$", "deployments.list"),
        ("GET", r"^/api/v1/deployments/(?P<name>[^/]+)$", "deployments.get"),
        ("DELETE", r"^/api/v1/deployments/(?P<name>[^/]+)$", "deployments.delete"),
        ("POST", f"^{I2V}$", "tasks.i2v"),
        ("POST", f"^{KF2V}$", "tasks.kf2v"),
        ("GET", r"^/api/v1/tasks/(?P<id>[^/]+)$", "tasks.get"),
        ("GET", r"^/api/v1/tasks/?$", "tasks.list"),
        ("GET", r"^/api/v1/uploads/?$", "policy"),
        ("POST", r"^/oss$", "oss"),
        ("GET", r"^/media/.+$", "media"),
    )
]
_NO_AUTH = frozenset({"oss", "media"})


def _now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _rid() -> str:
    return str(uuid.uuid4())


@dataclass
class Resource:
    """A job, deployment or task: its fields, its status script and where it is in it."""

    data: dict[str, Any]
    steps: list[str]
    index: int = 0
    logs: list[str] = field(default_factory=list)
    exports: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.steps[self.index]

    def advance(self) -> None:
        self.index = min(self.index + 1, len(self.steps) - 1)


class FakeFinetune(LocalServer):
    """The server; a context manager. Knobs are plain attributes, set them before a request."""

    def __init__(self, *, keys: tuple[str, ...] = ("sk-test",)) -> None:
        self.keys = set(keys)
        self.job_steps = ["PENDING", "RUNNING", "RUNNING", "SUCCEEDED"]
        self.deploy_steps = ["PENDING", "RUNNING"]
        self.task_steps = ["PENDING", "RUNNING", "SUCCEEDED"]
        self.fail_tasks: set[int] = set()
        self.task_videos: list[bytes] = []
        self.stall: threading.Event | None = None
        self.preview_video: bytes | None = None  # served for checkpoint previews
        self.task_list_broken = False  # the task list answers without its data list
        self.hold_jobs = False
        self.log_lines_per_read = 1
        self.max_deployments: int | None = None
        self.arrears = False
        # A careless proxy: error answers repeat the request's Authorization header.
        self.echo_authorization = False
        # A server that talks too much: said after every log line (a key, escapes...).
        self.log_noise = ""
        self.recorded: list[Recorded] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, Resource] = {}
        self.deployments: dict[str, Resource] = {}
        self.tasks: dict[str, Resource] = {}
        self.temporary: dict[str, bytes] = {}
        self._scripted: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.RLock()
        super().__init__(_make_handler(self))

    def fail(self, name: str, *replies: Reply) -> None:
        """Answer the next requests to route NAME (e.g. ``deployments.create``) with REPLIES."""
        with self._lock:
            self._scripted[name].extend(replies)

    def requests(self, name: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.recorded if name is None or r.endpoint == name]

    # -- the routes --------------------------------------------------------------------

    def handle(self, rec: Recorded, params: dict[str, str]) -> tuple[int, dict[str, Any] | bytes]:
        with self._lock:
            scripted = self._scripted[rec.endpoint]
            if scripted:
                reply = scripted.popleft()
                return reply.status, {
                    "request_id": _rid(),
                    "code": reply.code,
                    "message": reply.message,
                }
            if rec.endpoint not in _NO_AUTH:
                token = rec.headers.get("authorization", "").removeprefix("Bearer ")
                if token not in self.keys:
                    return _error(401, "InvalidApiKey", "Invalid API-key provided.")
            if self.arrears and rec.method == "POST":
                return _error(
                    400,
                    "Arrearage",
                    "Access denied, please make sure your account is in good standing.",
                )
            method = getattr(self, "_" + rec.endpoint.replace(".", "_"))
            return method(rec, **params)

    def _files_cn(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        if rec.form.get("purpose") != "fine-tune" or "files" not in rec.files:
            return _error(400, "InvalidParameter", "files and purpose=fine-tune are required")
        name, data = rec.files["files"]
        file_id = str(uuid.uuid4())
        self.files[file_id] = {"name": name, "bytes": len(data), "form": dict(rec.form)}
        uploaded = [{"name": name, "file_id": file_id}]
        return 200, {
            "request_id": _rid(),
            "data": {"uploaded_files": uploaded, "failed_uploads": []},
        }

    def _files_intl(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        if rec.form.get("purpose") != "fine-tune" or "file" not in rec.files:
            return _error(400, "InvalidParameter", "file and purpose=fine-tune are required")
        name, data = rec.files["file"]
        file_id = f"file-ft-{uuid.uuid4().hex[:24]}"
        self.files[file_id] = {"name": name, "bytes": len(data), "form": dict(rec.form)}
        return 200, {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "filename": name,
            "purpose": "fine-tune",
            "status": "processed",
            "created_at": 1763866800,
        }

    def _jobs_create(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        body = rec.json or {}
        model = body.get("model")
        if model not in KNOWN_MODELS:
            return _error(400, "InvalidParameter", f"The model `{model}` does not exist.")
        for file_id in body.get("training_file_ids", []) + body.get("validation_file_ids", []):
            if file_id not in self.files:
                return _error(400, "InvalidParameter", f"file {file_id} not found")
        stamp = datetime.now().strftime("%Y%m%d%H%M")
        job_id = f"ft-{stamp}-{uuid.uuid4().hex[:4]}"
        data = {
            "job_id": job_id,
            "job_name": job_id,
            "status": self.job_steps[0],
            "finetuned_output": f"{model}-{job_id}",
            "model": model,
            "base_model": model,
            "training_file_ids": body.get("training_file_ids", []),
            "validation_file_ids": body.get("validation_file_ids", []),
            "hyper_parameters": body.get("hyper_parameters", {}),
            "training_type": body.get("training_type"),
            "create_time": _now(),
            "workspace_id": "llm-fake-workspace",
            "user_identity": "1234567890",
            "creator": "1234567890",
            "modifier": "1234567890",
            "group": "llm",
            "max_output_cnt": len(CHECKPOINTS),
        }
        self.jobs[job_id] = Resource(data, list(self.job_steps))
        return 200, {"request_id": _rid(), "output": dict(data)}

    def _job(self, job_id: str) -> Resource | None:
        return self.jobs.get(job_id)

    def _job_view(self, job: Resource) -> dict[str, Any]:
        data = {**job.data, "status": job.status}
        if job.status in ("SUCCEEDED", "FAILED", "CANCELED"):
            data.update(end_time=_now(), output_cnt=len(CHECKPOINTS))
        if job.status == "SUCCEEDED":
            data["usage"] = 432000
        return data

    def _jobs_get(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        if not self.hold_jobs:
            job.advance()
        self._log(job)
        return 200, {"request_id": _rid(), "output": self._job_view(job)}

    def add_deployment(self, deployed_model: str, model_name: str, status: str = "RUNNING") -> None:
        """A deployment made outside the tests' workspace (another project on the account)."""
        data = {"deployed_model": deployed_model, "model_name": model_name, "plan": "lora"}
        with self._lock:
            self.deployments[deployed_model] = Resource(data, [status])

    def _log(self, job: Resource) -> None:
        noise = self.log_noise
        if job.status == "RUNNING":
            for _ in range(self.log_lines_per_read):
                n = len(job.logs) + 1
                job.logs.append(f"epoch {n}: loss={1 / (n + 1):.6f}{noise}")
        elif job.status == "SUCCEEDED" and not any("##FT_COMPLETE##" in x for x in job.logs):
            job.logs += ["training finished", f"##FT_COMPLETE##{noise}"]
        elif job.status == "FAILED" and not any("ERROR" in line for line in job.logs):
            job.logs.append(f"ERROR: video_3.mp4 lasts 12.0 s; wan2.5 takes at most 10 s{noise}")

    def _jobs_list(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        items = [self._job_view(j) for j in reversed(list(self.jobs.values()))]
        return _page(rec, items, "jobs", default_size=10, max_size=100)

    def _jobs_cancel(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        job.steps, job.index = ["CANCELING", "CANCELED"], 0
        return 200, {"request_id": _rid(), "output": {"status": "success"}}

    def _jobs_delete(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        if job.status not in ("SUCCEEDED", "FAILED", "CANCELED"):
            return _error(400, "UnsupportedOperation", "a running job cannot be deleted")
        del self.jobs[id]
        return 200, {"request_id": _rid(), "output": {"status": "success"}}

    def _jobs_logs(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        offset = _int_param(rec, "offset", 0)
        count = _int_param(rec, "line", 100)
        if offset is None or offset < 0 or count is None or not 1 <= count <= 1000:
            return _error(400, "InvalidParameter", "offset >= 0 and 1 <= line <= 1000")
        lines = job.logs[offset : offset + count]  # past the end: no lines
        return 200, {"request_id": _rid(), "output": {"total": len(job.logs), "logs": lines}}

    def _jobs_results(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        done = CHECKPOINTS if job.status == "SUCCEEDED" else ()
        return 200, {"request_id": _rid(), "output": [{"checkpoint": c} for c in done]}

    def _jobs_details(self, rec: Recorded, id: str, ckpt: str) -> tuple[int, dict[str, Any]]:
        if self._job(id) is None or ckpt not in CHECKPOINTS:
            return _error(404, "NotFound", f"{id}/{ckpt} not found")
        page = int(rec.query.get("page_no", ["1"])[0])
        size = int(rec.query.get("page_size", ["10"])[0])
        items = [
            {
                "video_path": f"{self.url}/media/{id}/{ckpt}/{n}.mp4?Expires=86400",
                "prompt": f"preview prompt {n}",
                "first_frame_path": f"{self.url}/media/{id}/image_{n}.jpg",
            }
            for n in range(1, 3)
        ]
        chunk = items[(page - 1) * size : page * size]
        output = {"page_no": page, "page_size": size, "total": len(items), "list": chunk}
        return 200, {"request_id": _rid(), "output": output}

    def _jobs_export(self, rec: Recorded, id: str, ckpt: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None or ckpt not in CHECKPOINTS:
            return _error(404, "NotFound", f"{id}/{ckpt} not found")
        name = rec.query.get("model_name", [""])[0]
        if not name:
            return _error(400, "InvalidParameter", "model_name is required")
        job.exports[ckpt] = {"model_name": name, "steps": ["PROCESSING", "SUCCEEDED"], "i": -1}
        return 200, {"request_id": _rid(), "output": True}

    def _jobs_checkpoints(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        job = self._job(id)
        if job is None:
            return _error(404, "NotFound", f"job {id} not found")
        items = []
        for ckpt, export in job.exports.items():
            export["i"] = min(export["i"] + 1, len(export["steps"]) - 1)
            items.append(
                {
                    "create_time": _now(),
                    "job_id": id,
                    "checkpoint": ckpt,
                    "full_name": f"{id}-{ckpt}",
                    "model_name": export["model_name"],
                    "model_display_name": export["model_name"],
                    "status": export["steps"][export["i"]],
                }
            )
        return 200, {"request_id": _rid(), "output": items}

    def _deployable(self, name: str) -> str | None:
        for job in self.jobs.values():
            if job.data["finetuned_output"] == name and job.status == "SUCCEEDED":
                return job.data["model"]
            if any(e["model_name"] == name for e in job.exports.values()):
                return job.data["model"]
        return None

    def _deployments_create(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        body = rec.json or {}
        model_name = body.get("model_name", "")
        base = self._deployable(model_name)
        if base is None:
            return _error(400, "InvalidParameter", f"model {model_name} not found or not ready")
        if body.get("plan") != "lora" or set(body.get("aigc_config") or {}) != AIGC_KEYS:
            return _error(400, "InvalidParameter", "plan lora needs aigc_config")
        name = model_name + (f"-{body['suffix']}" if body.get("suffix") else "")
        if name in self.deployments:
            return _error(409, "Conflict", f"deployment {name} already exists")
        if self.max_deployments is not None and len(self.deployments) >= self.max_deployments:
            return _error(429, "Throttling", "Deployment count exceeds the limit of the account.")
        data = {
            "deployed_model": name,
            "model_name": model_name,
            "status": self.deploy_steps[0],
            "base_model": base,
            "gmt_create": _now(),
            "gmt_modified": _now(),
            "workspace_id": "llm-fake-workspace",
            "charge_type": "post_paid",
            "creator": "1234567890",
            "modifier": "1234567890",
            "plan": "lora",
            "capacity": body.get("capacity", 1),
        }
        self.deployments[name] = Resource(data, list(self.deploy_steps))
        return 200, {"request_id": _rid(), "output": dict(data)}

    def _deployments_list(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        items = [{**d.data, "status": d.status} for d in self.deployments.values()]
        return _page(rec, items, "deployments", default_size=50, max_size=200)

    def _deployments_get(self, rec: Recorded, name: str) -> tuple[int, dict[str, Any]]:
        found = self.deployments.get(name)
        if found is None:
            return 404, {"request_id": _rid(), "code": "NotFound", "message": "not found"}
        if found.status == "DELETING":
            del self.deployments[name]
        else:
            found.advance()
        return 200, {"request_id": _rid(), "output": {**found.data, "status": found.status}}

    def _deployments_delete(self, rec: Recorded, name: str) -> tuple[int, dict[str, Any]]:
        found = self.deployments.get(name)
        if found is None:
            return 404, {"request_id": _rid(), "code": "NotFound", "message": "not found"}
        found.steps, found.index = ["DELETING"], 0
        output = {"deployed_model": name, "status": "DELETING"}
        return 200, {"request_id": _rid(), "output": output}

    def _start_task(self, rec: Recorded, kf2v: bool) -> tuple[int, dict[str, Any]]:
        if rec.headers.get("x-dashscope-async") != "enable":
            return _error(
                403, "AccessDenied", "current user api does not support synchronous calls"
            )
        body = rec.json or {}
        model = body.get("model", "")
        found = self.deployments.get(model)
        base = model in KNOWN_MODELS
        if (base and ("kf2v" in model) != kf2v) or (model.startswith("wan2.7") and kf2v):
            return _error(400, "InvalidParameter", f"{model} is not served on this path")
        if not base and (found is None or found.status != "RUNNING"):
            return _error(400, "InvalidParameter", f"Model not exist or not running: {model}")
        inputs = body.get("input") or {}
        if base and model.startswith("wan2.7"):  # pictures as input.media, any mode
            media = inputs.get("media") or []
            images = {str(m.get("type")): str(m.get("url", "")) for m in media}
            if "first_frame" not in images or set(images) - {"first_frame", "last_frame"}:
                return _error(400, "InvalidParameter", "wan2.7 takes media first_frame[, last]")
        else:
            keys = ["first_frame_url"] if kf2v else ["img_url"]
            if base and kf2v:
                keys.append("last_frame_url")
            images = {key: str(inputs.get(key, "")) for key in keys}
        for key, image in images.items():
            if image.startswith("oss://") and rec.headers.get("x-dashscope-ossresourceresolve") != (
                "enable"
            ):
                return _error(
                    400, "InvalidParameter", "The provided URL does not appear to be valid."
                )
            if not image.startswith(("http://", "https://", "oss://", "data:image/")):
                return _error(400, "InvalidParameter", f"{key} must be a URL or a data URI")
            if image.startswith("data:") and ";base64," not in image:
                return _error(400, "InvalidParameter", f"{key} is not base64")
        if base and not inputs.get("prompt"):
            return _error(400, "InvalidParameter", "a base model needs input.prompt")
        task_id = str(uuid.uuid4())
        number = len(self.tasks) + 1
        data = {
            "task_id": task_id,
            "submit_time": _now(),
            "orig_prompt": inputs.get("prompt", ""),
            "model_name": model,
            "gmt_create": int(datetime.now().timestamp() * 1000),
            "number": number,
        }
        steps = list(self.task_steps)
        if number in self.fail_tasks:
            steps[-1] = "FAILED"
        self.tasks[task_id] = Resource(data, steps)
        output = {"task_status": self.task_steps[0], "task_id": task_id}
        return 200, {"request_id": _rid(), "output": output}

    def _tasks_i2v(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        return self._start_task(rec, kf2v=False)

    def _tasks_kf2v(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        return self._start_task(rec, kf2v=True)

    def _tasks_get(self, rec: Recorded, id: str) -> tuple[int, dict[str, Any]]:
        task = self.tasks.get(id)
        if task is None:
            return _error(404, "NotFound", f"task {id} not found")
        task.advance()
        output = {
            k: v for k, v in task.data.items() if k not in ("model_name", "gmt_create", "number")
        }
        output["task_status"] = task.status
        body: dict[str, Any] = {"request_id": _rid(), "output": output}
        if task.status == "RUNNING":
            output["scheduled_time"] = _now()
        if task.status == "SUCCEEDED":
            output.update(
                scheduled_time=_now(),
                end_time=_now(),
                actual_prompt="The video opens on a cat. Then the s86b5p money rain begins.",
                video_url=f"{self.url}/media/tasks/{id}.mp4?Expires=86400",
            )
            body["usage"] = {"duration": 5, "video_count": 1, "SR": 720}
        if task.status == "FAILED":
            output.update(
                code="DataInspectionFailed", message="Input data may contain inappropriate content."
            )
        return 200, body

    def _tasks_list(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        model = rec.query.get("model_name", [None])[0]
        if self.task_list_broken:
            return 200, {"request_id": _rid(), "output": {"tasks": "elsewhere"}}
        items = [
            {
                "task_id": task_id,
                "model_name": t.data["model_name"],
                "status": t.status,
                "gmt_create": t.data["gmt_create"],
                "request_id": _rid(),
            }
            for task_id, t in reversed(list(self.tasks.items()))
            if model is None or t.data["model_name"] == model
        ]
        page = _int_param(rec, "page_no", 1) or 1
        size = _int_param(rec, "page_size", 10) or 10
        chunk = items[(page - 1) * size : page * size]
        return 200, {
            "request_id": _rid(),
            "data": chunk,
            "total": len(items),
            "page_no": page,
            "page_size": size,
        }

    def _policy(self, rec: Recorded) -> tuple[int, dict[str, Any]]:
        model = rec.query.get("model", ["unknown"])[0]
        data = {
            "policy": "ZmFrZS1wb2xpY3k=",
            "signature": "fake-signature",
            "upload_dir": f"dashscope-instant/fake/{model}",
            "upload_host": f"{self.url}/oss",
            "expire_in_seconds": 300,
            "max_file_size_mb": 100,
            "capacity_limit_mb": 999999,
            "oss_access_key_id": "fake-access-key-id",
            "x_oss_object_acl": "private",
            "x_oss_forbid_overwrite": "true",
        }
        return 200, {"request_id": _rid(), "data": data}

    def _oss(self, rec: Recorded) -> tuple[int, bytes]:
        self.temporary[rec.form.get("key", "")] = rec.files.get("file", ("", b""))[1]
        return 200, b""

    def _media(self, rec: Recorded) -> tuple[int, bytes]:
        match = re.match(r"^/media/tasks/(?P<id>[^/.]+)\.mp4", urlsplit(rec.path).path)
        task = self.tasks.get(match["id"]) if match else None
        if task is not None and self.task_videos:
            number = int(task.data["number"])
            return 200, self.task_videos[(number - 1) % len(self.task_videos)]
        if match is None and self.preview_video is not None and rec.path.count("/") >= 4:
            return 200, self.preview_video  # /media/{job}/{checkpoint}/{n}.mp4
        return 200, VIDEO


def _echo(rec: Recorded) -> str:
    auth = rec.headers.get("authorization", "")
    return f"echo: Authorization: {auth}; the key was {auth.removeprefix('Bearer ')}"


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"request_id": _rid(), "code": code, "message": message}


def _int_param(rec: Recorded, name: str, default: int) -> int | None:
    """A whole-number query parameter, DEFAULT when absent, None when not a number."""
    raw = rec.query.get(name, [str(default)])[0]
    try:
        return int(raw)
    except ValueError:
        return None


def _page(
    rec: Recorded, items: list[dict[str, Any]], key: str, *, default_size: int, max_size: int
) -> tuple[int, dict[str, Any]]:
    """One page of ITEMS as the list calls answer it: page_no from 1, and the total."""
    page = _int_param(rec, "page_no", 1)
    size = _int_param(rec, "page_size", default_size)
    if page is None or page < 1 or size is None or not 1 <= size <= max_size:
        return _error(400, "InvalidParameter", f"page_no >= 1 and 1 <= page_size <= {max_size}")
    chunk = items[(page - 1) * size : page * size]
    output = {"page_no": page, "page_size": size, "total": len(items), key: chunk}
    return 200, {"request_id": _rid(), "output": output}


def _route(method: str, path: str) -> tuple[str, dict[str, str]]:
    for m, pattern, name in _ROUTES:
        match = pattern.match(path)
        if m == method and match:
            return name, match.groupdict()
    return "unknown", {}


def _make_handler(server: FakeFinetune) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body in one segment: no 40 ms delayed-ACK stall per request.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

        def _handle(self, method: str) -> None:
            split = urlsplit(self.path)
            name, params = _route(method, split.path)
            rec = read_request(self, method, name)
            with server._lock:
                server.recorded.append(rec)
            if name == "unknown":
                status, answer = _error(404, "NotFound", f"no route {method} {split.path}")
            else:
                status, answer = server.handle(rec, params)
            if name in ("tasks.i2v", "tasks.kf2v") and server.stall is not None:
                server.stall.wait(30)  # outside the lock: the test reads the fake meanwhile
            if server.echo_authorization and status >= 400 and isinstance(answer, dict):
                answer = {**answer, "message": f"{answer.get('message')} ({_echo(rec)})"}
            self._send(status, answer)

        def _send(self, status: int, answer: dict[str, Any] | bytes) -> None:
            if isinstance(answer, bytes):
                data, kind = answer, "video/mp4"
            else:
                data, kind = json.dumps(answer, ensure_ascii=False).encode(), "application/json"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
