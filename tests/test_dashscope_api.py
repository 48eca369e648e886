"""One reading of a DashScope refusal and one classification, for captioning and fine-tuning."""

from __future__ import annotations

from email.utils import formatdate
from time import time

import pytest

from annotator import captioning
from annotator.captioning.errors import provider_error
from annotator.dashscope_api import REGIONS, Failure, Kind, classify, read_failure
from annotator.finetune import errors as finetune
from annotator.finetune.client import Service

NATIVE = {"request_id": "rid-1", "code": "Throttling.RateQuota", "message": "Slow down."}
COMPATIBLE = {
    "error": {"message": "Slow down.", "type": "Throttling.RateQuota", "code": None},
    "request_id": "rid-1",
}


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        (NATIVE, {}, Failure(429, "Throttling.RateQuota", "Slow down.", "rid-1")),
        (COMPATIBLE, {}, Failure(429, "Throttling.RateQuota", "Slow down.", "rid-1")),
        # The openai SDK keeps only the inner object; the id comes from the header.
        (
            {"message": "Slow down.", "code": "limit_requests", "type": "x"},
            {"X-Request-Id": "rid-2"},
            Failure(429, "limit_requests", "Slow down.", "rid-2"),
        ),
        (
            "<html>\n <h1>429   Too Many</h1></html>",
            {},
            Failure(429, None, "Error code: 429: <html> <h1>429 Too Many</h1></html>"),
        ),
        (None, {}, Failure(429, None, "Error code: 429")),
    ],
    ids=["native", "compatible", "sdk-inner", "proxy-page", "no-body"],
)
def test_every_answer_shape_is_read_into_one_failure(
    body: object, headers: dict[str, str], expected: Failure
) -> None:
    assert read_failure(429, body, headers, fallback="Error code: 429") == expected


def test_a_success_whose_body_is_an_error() -> None:
    assert read_failure(200, {"code": "NotFound"}).status == 404
    assert read_failure(200, {"code": "InvalidParameter", "message": "no"}).status == 400


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "12"}, 12.0),
        ({"retry-after-ms": "1500", "Retry-After": "12"}, 1.5),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_with_the_failure(headers: dict[str, str], seconds: float) -> None:
    assert read_failure(429, NATIVE, headers).retry_after == seconds


def test_retry_after_as_a_date() -> None:
    headers = {"Retry-After": formatdate(time() + 60, usegmt=True)}
    wait = read_failure(429, NATIVE, headers).retry_after
    assert wait is not None and 0 < wait <= 61


@pytest.mark.parametrize(
    ("status", "code", "message", "kind"),
    [
        (401, "InvalidApiKey", "Invalid API-key provided.", Kind.KEY_REFUSED),
        (400, "invalid_api_key", "", Kind.KEY_REFUSED),
        (
            400,
            "Arrearage",
            "Access denied, make sure your account is in good standing.",
            Kind.ARREARS,
        ),
        (403, None, "the account is in arrears", Kind.ARREARS),
        (403, "AccessDenied.Unpurchased", "Access denied.", Kind.ACCESS_DENIED),
        (400, "DataInspectionFailed", "inappropriate content", Kind.CONTENT_REJECTED),
        (400, "data_inspection_failed", "inappropriate content", Kind.CONTENT_REJECTED),
        (429, "Throttling.RateQuota", "", Kind.TOO_MANY_REQUESTS),
        (429, "Throttling.BurstRate", "", Kind.TOO_MANY_REQUESTS),
        (429, "Throttling", "Too many jobs", Kind.QUOTA_REACHED),
        (429, None, "", Kind.QUOTA_REACHED),
        (404, "Model.NotExist", "Model not exist.", Kind.MODEL_UNKNOWN),
        (404, "model_not_found", "The model does not exist.", Kind.MODEL_UNKNOWN),
        (400, "InvalidParameter", "Model not exist or not running: wan9", Kind.MODEL_UNKNOWN),
        (400, "InvalidParameter", "The video for the model is too short.", Kind.INVALID),
        (404, "NotFound", "", Kind.NOT_FOUND),
        (409, "Conflict", "exists", Kind.CONFLICT),
        (408, None, "timeout", Kind.SERVER_FAILED),
        (500, "InternalError", "boom", Kind.SERVER_FAILED),
        (503, "ServiceUnavailable", "busy", Kind.SERVER_FAILED),
        (400, "InvalidParameter", "bad n_epochs", Kind.INVALID),
        (413, None, "too large", Kind.UNEXPECTED),
    ],
)
def test_one_classification(status: int, code: str | None, message: str, kind: Kind) -> None:
    assert classify(Failure(status, code, message)) is kind


def test_a_request_naming_no_model_is_never_refused_for_one() -> None:
    failure = Failure(404, "NotFound", "Model deployment not found")
    assert classify(failure) is Kind.MODEL_UNKNOWN
    assert classify(failure, names_model=False) is Kind.NOT_FOUND


# What the batch runner and the fine-tune pipeline each make of every kind.
SIDES = {
    Kind.KEY_REFUSED: (captioning.AuthError, finetune.KeyRefusedError),
    Kind.ARREARS: (captioning.AuthError, finetune.ArrearsError),
    Kind.ACCESS_DENIED: (captioning.AuthError, finetune.AccessDeniedError),
    Kind.CONTENT_REJECTED: (captioning.ContentRejectedError, finetune.InvalidRequestError),
    Kind.TOO_MANY_REQUESTS: (captioning.RateLimitedError, finetune.ResourceLimitError),
    Kind.QUOTA_REACHED: (captioning.RateLimitedError, finetune.ResourceLimitError),
    Kind.MODEL_UNKNOWN: (captioning.ModelNotFoundError, finetune.UnknownModelError),
    Kind.NOT_FOUND: (captioning.ModelNotFoundError, finetune.NotFoundError),
    Kind.CONFLICT: (captioning.TransientError, finetune.ConflictError),
    Kind.SERVER_FAILED: (captioning.TransientError, finetune.ServiceError),
    Kind.INVALID: (captioning.InvalidRequestError, finetune.InvalidRequestError),
    Kind.UNEXPECTED: (captioning.ProviderError, finetune.InvalidRequestError),
}
EXAMPLES = {
    Kind.KEY_REFUSED: Failure(401, "InvalidApiKey", "Invalid API-key provided."),
    Kind.ARREARS: Failure(400, "Arrearage", "Access denied."),
    Kind.ACCESS_DENIED: Failure(403, "AccessDenied", "no"),
    Kind.CONTENT_REJECTED: Failure(400, "DataInspectionFailed", "inappropriate"),
    Kind.TOO_MANY_REQUESTS: Failure(429, "Throttling.RateQuota", "slow", retry_after=3.0),
    Kind.QUOTA_REACHED: Failure(429, "Throttling", "Too many jobs"),
    Kind.MODEL_UNKNOWN: Failure(404, "Model.NotExist", "Model not exist."),
    Kind.NOT_FOUND: Failure(404, "NotFound", "gone"),
    Kind.CONFLICT: Failure(409, "Conflict", "exists"),
    Kind.SERVER_FAILED: Failure(500, "InternalError", "boom"),
    Kind.INVALID: Failure(400, "InvalidParameter", "bad"),
    Kind.UNEXPECTED: Failure(418, None, "teapot"),
}


@pytest.mark.parametrize("kind", list(Kind))
def test_each_side_maps_every_kind_to_its_own_class(kind: Kind) -> None:
    failure = EXAMPLES[kind]
    assert classify(failure) is kind
    caption_class, finetune_class = SIDES[kind]
    caption_error = provider_error(
        failure, clip="a.mp4", key_env_var="DASHSCOPE_API_KEY", region=REGIONS["cn"]
    )
    remote_error = finetune.error_for(
        failure, what="creating the job", where=Service.resolve("cn").where, model="wan2.5"
    )
    assert type(caption_error) is caption_class and type(remote_error) is finetune_class
    assert caption_error.code == failure.code and remote_error.code == failure.code
    assert remote_error.status == failure.status


def test_retry_after_reaches_the_batch_runner() -> None:
    error = provider_error(
        EXAMPLES[Kind.TOO_MANY_REQUESTS], clip="a.mp4", key_env_var=None, region=None
    )
    assert isinstance(error, captioning.RateLimitedError) and error.retry_after == 3.0


@pytest.mark.parametrize(
    "kind", [Kind.KEY_REFUSED, Kind.ARREARS, Kind.ACCESS_DENIED, Kind.MODEL_UNKNOWN]
)
def test_the_fix_is_a_field_of_its_own(kind: Kind) -> None:
    failure = EXAMPLES[kind]
    caption_error = provider_error(
        failure, clip="a.mp4", key_env_var="DASHSCOPE_API_KEY", region=REGIONS["intl"]
    )
    remote_error = finetune.error_for(
        failure, what="creating the job", where=Service.resolve("intl").where, model="wan9"
    )
    for error in (caption_error, remote_error):
        assert error.fix and error.fix not in error.message
        assert str(error) == f"{error.message}; {error.fix}"


def test_a_text_body_is_redacted_before_it_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    # The key straddles the cut at 200 characters: cut first, its head would be left.
    secret = "plainsecretvalue42xyzw"
    monkeypatch.setenv("DASHSCOPE_API_KEY", secret)
    body = "x" * 190 + " " + secret + " the rest of a proxy's page"
    message = read_failure(502, body).message
    assert secret[:8] not in message


def test_a_connection_reason_is_redacted_before_it_is_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annotator.captioning.errors import connection_reason

    secret = "plainsecretvalue42xyzw"
    monkeypatch.setenv("DASHSCOPE_API_KEY", secret)
    reason = connection_reason(OSError("y" * 150 + " " + secret))
    assert secret[:8] not in reason
