"""What every caller of DashScope shares: the regions, the one key reader, and one
reading of a refused request.

Captioning and fine-tuning each have their own error classes, because the batch runner
and the fine-tune pipeline do different things with a refusal; neither reads an error
answer or decides what it means on its own. ``read_failure`` turns any answer shape
(native, OpenAI-compatible, a proxy's page) into one ``Failure``, and ``classify`` says
which ``Kind`` of refusal it is (dashscope-api.md sections 3 and 5), once for both.
"""

from annotator.dashscope_api.failures import (
    Failure,
    Kind,
    classify,
    parse_retry_after,
    read_failure,
)
from annotator.dashscope_api.keys import (
    DEFAULT_KEY_ENV_VAR,
    REGIONS,
    MakesKeyError,
    Region,
    get_region,
    key_may_travel_to,
    key_withheld,
    read_key,
    region_hint,
)

__all__ = [
    "DEFAULT_KEY_ENV_VAR",
    "REGIONS",
    "Failure",
    "Kind",
    "MakesKeyError",
    "Region",
    "classify",
    "get_region",
    "key_may_travel_to",
    "key_withheld",
    "parse_retry_after",
    "read_failure",
    "read_key",
    "region_hint",
]
