"""One HTTP client for DashScope's file, fine-tune, deployment and video synthesis APIs.

Plain httpx for every call, on purpose (dashscope-api.md section 5): the dashscope SDK
cannot upload a zip for fine-tuning (``Files.upload`` never sends ``purpose`` and
refuses a non-JSONL file), cannot deploy with ``aigc_config``, and has no checkpoint,
validation or export calls. Using it for the calls it can make would mean two HTTP
stacks, two error shapes and two retry policies; one httpx client gives one of each,
a streamed upload with progress, and a transport tests can point at a fake server.

The key is read from the environment when the client is made (by the one DashScope key
reader, which sends it only over https or to this machine), sent only to the DashScope
host in the Authorization header, never to upload or download hosts, and never written
anywhere; every error message hides it.
"""

from __future__ import annotations

import mimetypes
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from annotator.config import load_settings
from annotator.dashscope_api import DEFAULT_KEY_ENV_VAR, REGIONS, Region, read_failure, read_key
from annotator.finetune.errors import (
    BadResponseError,
    ConnectionFailedError,
    MissingKeyError,
    NotFoundError,
    RemoteError,
    Where,
    error_for,
)
from annotator.finetune.multipart import FilePart, MultipartBody, Progress
from annotator.safetext import remember_secret

BASE_URL_ENV = "ANNOTATOR_DASHSCOPE_BASE_URL"
PURPOSE = "fine-tune"
I2V_PATH = "/api/v1/services/aigc/video-generation/video-synthesis"
KF2V_PATH = "/api/v1/services/aigc/image2video/video-synthesis"
_RETRY_WAITS = (1.0, 3.0)  # for GETs that hit a 5xx, a throttle or a dropped connection
LOG_PAGE = 1000  # the most log lines one request may ask for (the documented upper limit)
LIST_PAGE = 50  # items per page of the jobs and deployments lists (within both limits)
_MAX_PAGES = 1000  # a guard against a list whose pages never end
# A guard against a download that never ends (a broken or hostile server): a Wan video or
# preview is a few MB to a few tens of MB.
MAX_DOWNLOAD_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class Service:
    """Where requests go: the region (keys and upload shapes differ) and its base URL."""

    region: Region
    base_url: str
    key_env_var: str | None = None  # None: DASHSCOPE_API_KEY, sent only where it may go

    @classmethod
    def resolve(cls, region: str, base_url: str | None = None) -> Service:
        """REGION's host, unless BASE_URL (or $ANNOTATOR_DASHSCOPE_BASE_URL) replaces it."""
        if region not in REGIONS:
            raise ValueError(f"unknown region {region!r}; known regions: {', '.join(REGIONS)}")
        url = base_url or os.environ.get(BASE_URL_ENV) or REGIONS[region].host
        url = url.rstrip("/").removesuffix("/api/v1").removesuffix("/compatible-mode/v1")
        return cls(REGIONS[region], url)

    @property
    def endpoint(self) -> str:
        """What the store keys remote ids by: an id means nothing in another region."""
        return f"{self.region.name}:{self.base_url}"

    @property
    def where(self) -> Where:
        other = next(r for name, r in REGIONS.items() if name != self.region.name)
        return Where(
            base_url=self.base_url,
            region=self.region.name,
            label=self.region.label,
            other_region=other.name,
            other_label=other.label,
            key_env_var=self.key_env_var or DEFAULT_KEY_ENV_VAR,
        )

    def read_key(self) -> str:
        """The key from the environment; MissingKeyError says how to set it."""
        key = read_key(
            self.key_env_var,
            self.region,
            url=self.base_url,
            required=True,
            error=MissingKeyError,
        )
        assert key is not None  # required: an error otherwise
        return key


def service_for(region: str | None, base_url: str | None = None) -> Service:
    """REGION, else caption.region of the config file (else its default); ValueError if unknown.

    A config file that cannot be read raises ConfigError (a ValueError too).
    """
    return Service.resolve(region or load_settings().caption.region, base_url)


def open_client(service: Service, **options: Any) -> DashScopeClient:
    """A client for SERVICE with the key from the environment (MissingKeyError if none)."""
    return DashScopeClient(service, service.read_key(), **options)


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: ``output`` (or ``data``), ``usage`` and ``request_id`` of the body."""

    output: Any
    usage: dict[str, Any] | None = None
    request_id: str | None = None
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UploadedFile:
    file_id: str
    name: str
    bytes: int
    status: str | None
    created_at: str | None
    request_id: str | None
    body: dict[str, Any]


class DashScopeClient:
    """The calls of section 5, each returning the answer or raising a RemoteError."""

    def __init__(
        self,
        service: Service,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service
        self._sleep = sleep
        remember_secret(api_key)  # a key given here, not read from a variable, is hidden too
        self._http = httpx.Client(
            base_url=service.base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
        )
        # Uploads to OSS and downloads of results go to other hosts: no key there.
        self._plain = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()
        self._plain.close()

    def __enter__(self) -> DashScopeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one request path ----------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        model: str | None = None,
        retry: bool = False,
        **kwargs: Any,
    ) -> Answer:
        waits = list(_RETRY_WAITS) if retry else []
        while True:
            try:
                return self._once(method, path, what=what, model=model, **kwargs)
            except RemoteError as exc:
                if not (exc.transient and waits):
                    raise
                self._sleep(waits.pop(0))

    def _page(self, path: str, what: str, page_no: int, page_size: int) -> Answer:
        """One page of a list (a GET, retried as reads are)."""
        params = {"page_no": page_no, "page_size": page_size}
        return self._request("GET", path, what=what, params=params, retry=True)

    def _once(self, method: str, path: str, *, what: str, model: str | None, **kw: Any) -> Answer:
        try:
            response = self._http.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise ConnectionFailedError(
                f"cannot reach DashScope {self.service.region.label} at {self.service.base_url} "
                f"while {what} ({type(exc).__name__}: {exc})",
                fix="check the network, a proxy, or --base-url, then run the command again "
                "(nothing is created twice)",
            ) from exc
        body = _json(response)
        code = body.get("code") if isinstance(body, dict) else None
        if response.is_success and not (code and "output" not in body and "data" not in body):
            if not isinstance(body, dict):
                raise BadResponseError(
                    f"DashScope answered {what} with something that is not JSON "
                    f"({response.text[:120]!r})",
                    fix="a proxy in between? try again",
                )
            return Answer(
                output=body.get("output", body.get("data", body)),
                usage=body.get("usage"),
                request_id=body.get("request_id"),
                body=body,
            )
        failure = read_failure(
            response.status_code, response.text if body is None else body, response.headers
        )
        raise error_for(failure, what=what, where=self.service.where, model=model)

    # -- files -------------------------------------------------------------------------

    def upload_file(
        self, path: Path, *, description: str | None = None, progress: Progress | None = None
    ) -> UploadedFile:
        """Upload a dataset zip with purpose fine-tune, in the region's documented shape."""
        what = f"the upload of {path.name}"
        if self.service.region.name == "intl":
            fields = [("purpose", PURPOSE)]
            part = FilePart("file", path, path.name, "application/zip")
            url = "/compatible-mode/v1/files"
        else:
            fields = [("purpose", PURPOSE)]
            if description:
                fields.append(("descriptions", description))
            part = FilePart("files", path, path.name, "application/zip")
            url = "/api/v1/files"
        body = MultipartBody(fields, part, progress)
        answer = self._request(
            "POST",
            url,
            what=what,
            content=body,
            headers=body.headers,
            timeout=httpx.Timeout(60.0, connect=10.0, read=600.0),
        )
        return _uploaded(answer, path, what)

    # -- fine-tune jobs ----------------------------------------------------------------

    def create_job(self, body: Mapping[str, Any]) -> Answer:
        return self._request(
            "POST",
            "/api/v1/fine-tunes",
            what="creating the fine-tune job",
            model=body.get("model"),
            json=dict(body),
        )

    def get_job(self, job_id: str) -> Answer:
        return self._request(
            "GET", f"/api/v1/fine-tunes/{job_id}", what=f"reading job {job_id}", retry=True
        )

    def list_jobs(self, page_no: int = 1, page_size: int = LIST_PAGE) -> Answer:
        """One page of the account's jobs (page_size 1 to 100, the service's default 10)."""
        return self._page("/api/v1/fine-tunes", "listing jobs", page_no, page_size)

    def iter_jobs(self, page_size: int = LIST_PAGE) -> Iterator[dict[str, Any]]:
        """Every job of the account, newest first, asking for the next page only when needed."""
        return _every_item(self.list_jobs, "jobs", page_size)

    def cancel_job(self, job_id: str) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}/cancel"
        return self._request("POST", path, what=f"cancelling job {job_id}")

    def delete_job(self, job_id: str) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}"
        return self._request("DELETE", path, what=f"deleting job {job_id}")

    def job_logs(self, job_id: str, offset: int = 0, line: int = 100) -> Answer:
        """Up to LINE log lines (at most 1000) after the first OFFSET: ``output.{total, logs}``.

        As the API documentation says: OFFSET is the number of lines to skip, so reading
        starts at line OFFSET + 1. (The dashscope SDK's docstring calls it a 1-based start
        line; the documentation and the service do not.)
        """
        params = {"offset": offset, "line": line}
        path = f"/api/v1/fine-tunes/{job_id}/logs"
        return self._request("GET", path, what=f"reading the logs of {job_id}", params=params)

    def validation_results(self, job_id: str) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}/validation-results"
        return self._request("GET", path, what=f"listing checkpoints of {job_id}", retry=True)

    def validation_details(
        self, job_id: str, checkpoint: str, page_no: int = 1, page_size: int = 10
    ) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}/validation-details/{checkpoint}"
        params = {"page_no": page_no, "page_size": page_size}
        what = f"reading the previews of {checkpoint}"
        return self._request("GET", path, what=what, params=params, retry=True)

    def export_checkpoint(self, job_id: str, checkpoint: str, model_name: str) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}/export/{checkpoint}"
        what = f"exporting {checkpoint} of {job_id}"
        return self._request("GET", path, what=what, params={"model_name": model_name})

    def list_checkpoints(self, job_id: str) -> Answer:
        path = f"/api/v1/fine-tunes/{job_id}/checkpoints"
        return self._request("GET", path, what=f"reading the exports of {job_id}", retry=True)

    # -- deployments -------------------------------------------------------------------

    def create_deployment(self, body: Mapping[str, Any]) -> Answer:
        what = f"deploying {body.get('model_name')}"
        return self._request("POST", "/api/v1/deployments", what=what, json=dict(body))

    def list_deployments(self, page_no: int = 1, page_size: int = LIST_PAGE) -> Answer:
        """One page of the account's deployments (page_size 1 to 200, default 50)."""
        return self._page("/api/v1/deployments", "listing deployments", page_no, page_size)

    def iter_deployments(self, page_size: int = LIST_PAGE) -> Iterator[dict[str, Any]]:
        """Every deployment of the account, asking for the next page only when needed."""
        return _every_item(self.list_deployments, "deployments", page_size)

    def get_deployment(self, deployed_model: str) -> Answer:
        path = f"/api/v1/deployments/{deployed_model}"
        return self._request("GET", path, what=f"reading deployment {deployed_model}", retry=True)

    def delete_deployment(self, deployed_model: str) -> Answer:
        path = f"/api/v1/deployments/{deployed_model}"
        return self._request("DELETE", path, what=f"deleting deployment {deployed_model}")

    # -- video synthesis ---------------------------------------------------------------

    def upload_temporary(self, path: Path, model: str, key_name: str) -> str:
        """Put a local image on DashScope's temporary storage (48 h); returns its oss:// URL."""
        policy = self._request(
            "GET",
            "/api/v1/uploads",
            what=f"asking where to upload {path.name}",
            params={"action": "getPolicy", "model": model},
            retry=True,
        ).output
        try:
            key = f"{policy['upload_dir']}/{key_name}"
            fields = [
                ("OSSAccessKeyId", policy["oss_access_key_id"]),
                ("Signature", policy["signature"]),
                ("policy", policy["policy"]),
                ("key", key),
                ("x-oss-object-acl", policy["x_oss_object_acl"]),
                ("x-oss-forbid-overwrite", policy["x_oss_forbid_overwrite"]),
                ("success_action_status", "200"),
            ]
            host = policy["upload_host"]
        except (KeyError, TypeError) as exc:
            raise BadResponseError(f"the upload policy lacks {exc}; try again") from None
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        fields.append(("x-oss-content-type", kind))
        body = MultipartBody(fields, FilePart("file", path, key_name, kind))
        try:
            response = self._plain.post(host, content=body, headers=body.headers)
        except httpx.TransportError as exc:
            raise ConnectionFailedError(f"cannot upload {path.name} to {host}: {exc}") from exc
        if not response.is_success:
            raise RemoteError(
                f"the temporary upload of {path.name} failed ({response.status_code}: "
                f"{response.text[:200]}); try again, or give the image as an https:// URL",
                status=response.status_code,
            )
        return f"oss://{key}"

    def synthesize(self, body: Mapping[str, Any], *, kf2v: bool, oss: bool) -> Answer:
        """Start a video synthesis task (always asynchronous)."""
        headers = {"X-DashScope-Async": "enable"}
        if oss:
            headers["X-DashScope-OssResourceResolve"] = "enable"
        return self._request(
            "POST",
            KF2V_PATH if kf2v else I2V_PATH,
            what=f"starting a video with {body.get('model')}",
            json=dict(body),
            headers=headers,
        )

    def get_task(self, task_id: str) -> Answer:
        path = f"/api/v1/tasks/{task_id}"
        return self._request("GET", path, what=f"reading task {task_id}", retry=True)

    def iter_tasks(self, model: str, page_size: int = LIST_PAGE) -> Iterator[dict[str, Any]]:
        """The account's asynchronous tasks of MODEL (the last 24 h), page by page.

        ``GET /api/v1/tasks`` with the filters the dashscope SDK sends (``model_name``,
        ``page_no``, ``page_size``); the items are read from ``data`` (each with
        ``task_id``, ``model_name``, ``status``, ``gmt_create``), as the asynchronous
        task management page describes them.
        """
        for page_no in range(1, _MAX_PAGES + 1):
            params = {"page_no": page_no, "page_size": page_size, "model_name": model}
            body = self._request(
                "GET",
                "/api/v1/tasks",
                what=f"listing the tasks of {model}",
                params=params,
                retry=True,
            ).body
            items = body.get("data")
            if not isinstance(items, list):
                # Not the documented shape: say so rather than read it as "no such task",
                # which would start a video a dead run may have started already.
                raise BadResponseError(
                    f"the task list of {model} came without a `data` list ({str(body)[:120]})",
                    fix="run again later; or, to start the unanswered generations anew (they "
                    "may then be made twice), add --retry-unanswered",
                )
            items = [i for i in items if isinstance(i, dict)]
            yield from items
            total = body.get("total")
            seen = (page_no - 1) * page_size + len(items)
            if not items or (seen >= total if isinstance(total, int) else len(items) < page_size):
                return

    # -- downloads ---------------------------------------------------------------------

    def download(self, url: str, dest: Path, progress: Progress | None = None) -> Path:
        """Save URL to DEST (through DEST.part, so a broken download leaves no half file)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        shown = unsigned(url)  # a result URL's query is its signature: never said
        try:
            with self._plain.stream("GET", url) as response:
                if response.status_code in (403, 404):
                    raise NotFoundError(
                        f"{shown} is gone ({response.status_code}): result URLs last 24 h; "
                        "fetch fresh ones and download again",
                        status=response.status_code,
                    )
                response.raise_for_status()
                total = int(response.headers.get("Content-Length") or 0)
                if total > MAX_DOWNLOAD_BYTES:
                    raise _too_large(shown)
                done = 0
                with part.open("wb") as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        done += len(chunk)
                        if done > MAX_DOWNLOAD_BYTES:
                            raise _too_large(shown)
                        if progress:
                            progress(done, total or done)
        except RemoteError:
            part.unlink(missing_ok=True)
            raise
        except httpx.HTTPError as exc:
            part.unlink(missing_ok=True)
            if isinstance(exc, httpx.HTTPStatusError):  # its text names the signed URL
                reason = f"{exc.response.status_code} {exc.response.reason_phrase}"
            else:
                reason = str(exc).replace(url, shown).replace(str(httpx.URL(url)), shown)
            raise ConnectionFailedError(f"cannot download {shown}: {reason}; try again") from exc
        part.replace(dest)
        return dest


def _every_item(
    fetch: Callable[[int, int], Answer], key: str, page_size: int
) -> Iterator[dict[str, Any]]:
    """The items under KEY of every page FETCH(page_no, page_size) answers, page 1 first.

    The end is where ``output.total`` says; without a total, the first short page. An empty
    page ends it too, so a list that shrinks while it is read cannot loop.
    """
    seen = 0
    for page_no in range(1, _MAX_PAGES + 1):
        output = fetch(page_no, page_size).output
        output = output if isinstance(output, dict) else {}
        items = output.get(key)
        items = items if isinstance(items, list) else []
        yield from (item for item in items if isinstance(item, dict))
        seen += len(items)
        total = output.get("total")
        if not items or (seen >= total if isinstance(total, int) else len(items) < page_size):
            return


def _too_large(shown: str) -> RemoteError:
    return BadResponseError(
        f"{shown} is larger than any video ({MAX_DOWNLOAD_BYTES // 1024**2} MB): download stopped",
        fix="the server answered something else than the video; try again later",
    )


def unsigned(url: str) -> str:
    """URL without its query and fragment: a signed result URL's signature and access key id
    are there, and a message names the file without them."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _uploaded(answer: Answer, path: Path, what: str) -> UploadedFile:
    body = answer.body
    size = path.stat().st_size
    if "id" in body:  # Singapore: the OpenAI-compatible file object
        return UploadedFile(
            file_id=str(body["id"]),
            name=str(body.get("filename") or path.name),
            bytes=int(body.get("bytes") or size),
            status=body.get("status"),
            created_at=None if body.get("created_at") is None else str(body["created_at"]),
            request_id=answer.request_id,
            body=body,
        )
    data = answer.output if isinstance(answer.output, dict) else {}
    done = data.get("uploaded_files") or []
    if not done:
        failed = data.get("failed_uploads") or []
        reason = "; ".join(str(f.get("message") or f) for f in failed if isinstance(f, dict))
        raise RemoteError(
            f"{what} was refused ({reason or 'no file id in the answer'}); check that the "
            "zip is under 1 GB and run the command again",
            request_id=answer.request_id,
        )
    first = done[0]
    return UploadedFile(
        file_id=str(first["file_id"]),
        name=str(first.get("name") or path.name),
        bytes=size,
        status=None,
        created_at=None,
        request_id=answer.request_id,
        body=body,
    )
