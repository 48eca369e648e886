"""The bundled samples (the demo's recorded captions) keep giving the same templates.

The snapshot was taken when issue 16 reworked the miner: it equals what the miner gave
before, for all eight flows (i2v/kf2v, en/zh, free-form/structured). A change to it must
be a better template, reviewed by eye: regenerate with
``.venv/bin/python -m tests.mining.test_samples_snapshot``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.mining import distill_template, mine_phrases

SAMPLES = Path(__file__).parents[2] / "samples"
SNAPSHOT = Path(__file__).parent / "snapshots" / "samples_templates.json"
TRIGGER = "s86b5p"
FLOWS = [
    (mode, lang, kind)
    for mode in ("i2v", "kf2v")
    for lang in ("en", "zh")
    for kind in ("freeform", "structured")
]


def sample_template(mode: str, lang: str, kind: str) -> str:
    """The template mined from the recorded captions of one flow (structured: the motion)."""
    texts = []
    for line in (SAMPLES / mode / "replay.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["lang"] == lang and entry["instruction_kind"] == kind:
            texts.append(entry["fields"]["motion"] if kind == "structured" else entry["text"])
    return distill_template(mine_phrases(texts, lang), TRIGGER, lang)


@pytest.mark.parametrize(("mode", "lang", "kind"), FLOWS, ids=["-".join(f) for f in FLOWS])
def test_the_samples_template_is_unchanged(mode: str, lang: str, kind: str) -> None:
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))[f"{mode}-{lang}-{kind}"]
    assert sample_template(mode, lang, kind) == expected


if __name__ == "__main__":
    snapshot = {"-".join(f): sample_template(*f) for f in FLOWS}
    SNAPSHOT.write_text(json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
