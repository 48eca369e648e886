"""The README's flow on the bundled samples with their recorded captions, in-process.

On a copy of samples/i2v and samples/kf2v: init with the trigger, caption (replay),
mine --apply, prompts --json and check --json, in English and in Chinese (the replay
provider answers in the language of the instruction), with structured captions (the
default) and free-form ones (--freeform: subject and background are cut out of the
caption). Every prompt must follow the formula subject + background + trigger + motion
template: both parts present, the trigger exactly once and inside the motion, and one
motion text for all samples once the pronouns are folded.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz
from typer.testing import CliRunner

from annotator.cli import app
from annotator.mining import fill_pronouns, split_clauses

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CORPUS = Path(__file__).resolve().parents[1] / "mining" / "corpus"
TRIGGER = "s86b5p"
runner = CliRunner()

_SLOT = re.compile(r"\{[a-z]+\}")
_EN_PRONOUN = re.compile(
    r"\b(?:she|he|it|her|his|him|its|hers|herself|himself|itself)\b", re.IGNORECASE
)
_ZH_PRONOUN = re.compile("[她他它]")


def _run(*args: object) -> Any:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, (args, result.output)
    return result


def fold(text: str) -> str:
    """Pronouns and pronoun slots to one mark, end punctuation off: she/he/it texts compare."""
    text = _SLOT.sub("_", text)
    text = _ZH_PRONOUN.sub("_", _EN_PRONOUN.sub("_", text))
    return text.rstrip("。.")


def _same_part(placed: str, given: str) -> bool:
    """The assembler drops a part's end mark and capitalises an English part."""
    placed, given = placed.rstrip("。."), given.strip().rstrip("。.")
    return placed[:1].lower() + placed[1:] == given[:1].lower() + given[1:]


@dataclass(frozen=True)
class Flow:
    mode: str
    lang: str
    kind: str  # "structured" or "freeform"
    root: Path
    mined: dict[str, Any]
    template: str
    rows: list[dict[str, Any]]
    check: dict[str, Any]
    recorded: dict[str, Any]  # clip file name -> the recorded fields (structured) or text

    @property
    def name(self) -> str:
        return f"{self.mode}-{self.lang}-{self.kind}"


FLOWS = [
    (m, lang, k)
    for k in ("structured", "freeform")
    for m in ("i2v", "kf2v")
    for lang in ("en", "zh")
]


@pytest.fixture(scope="module", params=FLOWS, ids=lambda p: "-".join(p))
def flow(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Flow:
    mode, lang, kind = request.param
    root = tmp_path_factory.mktemp(f"{mode}-{lang}-{kind}") / mode
    shutil.copytree(SAMPLES / mode, root)
    _run("init", root, "--mode", mode, "--trigger", TRIGGER, "--lang", lang)
    freeform = ["--freeform"] if kind == "freeform" else []
    _run("caption", root, "--provider", "replay", *freeform)
    mined = json.loads(_run("mine", root, "--apply", "--json").output)
    template = _run("template", root).output.strip()
    rows = json.loads(_run("prompts", root, "--json").output)
    # As export would take them before review: every sample, however few (issue 14 item 7).
    ready = ("--include-unreviewed", "--allow-small")
    check = json.loads(_run("check", root, "--json", *ready).output)
    recorded = {}
    for line in (root / "replay.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["lang"] == lang and entry["instruction_kind"] == kind:
            recorded[entry["file"]] = entry["fields"] if kind == "structured" else entry["text"]
    return Flow(mode, lang, kind, root, mined, template, rows, check, recorded)


def test_mining_finds_the_effect_and_stores_the_template(flow: Flow) -> None:
    assert flow.mined["shared_effect"] is True
    assert flow.mined["phrases"][0]["support"] >= 0.5
    # `template` prints what --apply stored (rich may wrap it: compare without spaces).
    assert "".join(flow.template.split()) == "".join(flow.mined["template"].split())
    assert flow.mined["template"].count(TRIGGER) == 1
    head = f"然后开始展示{TRIGGER}" if flow.lang == "zh" else f"Then the {TRIGGER} "
    assert flow.mined["template"].startswith(head)


def test_every_sample_has_a_prompt_in_the_formula(flow: Flow) -> None:
    n_clips = len(list(flow.root.glob("*.mp4")))
    assert len(flow.rows) == n_clips == len(flow.recorded)
    zh = flow.lang == "zh"
    joiner, end = ("。", "。") if zh else (". ", ".")
    for row in flow.rows:
        prompt, spans = row["prompt"], row["spans"]
        assert row["source"] == "assembled", row
        part = {name: prompt[a:b] for name, (a, b) in spans.items()}
        # Subject and background: present, from this clip's own caption (its structured
        # fields, or the free-form caption's opening clauses, the subject first).
        recorded = flow.recorded[Path(row["clip"]).name]
        for name in ("subject", "background"):
            assert part[name], (name, row)
            assert _same_part(part[name], row[name]), (part[name], row[name])
            if flow.kind == "structured":
                assert row[name] == recorded[name].strip()
        if flow.kind == "freeform":
            clauses = split_clauses(recorded, flow.lang)
            own = split_clauses(row["subject"], flow.lang) + split_clauses(
                row["background"], flow.lang
            )
            assert own == clauses[: len(own)], (own, clauses)
        # In that order, then the motion, and nothing else.
        assert prompt == joiner.join([part["subject"], part["background"], part["template"]]) + end
        # The trigger exactly once, inside the motion.
        assert prompt.count(TRIGGER) == 1
        assert part["trigger"] == TRIGGER
        t_start, t_end = spans["template"]
        assert t_start <= spans["trigger"][0] < spans["trigger"][1] <= t_end
        # The motion is the stored template, this sample's pronouns filled in.
        assert "{" not in prompt
        filled = fill_pronouns(flow.mined["template"], row["pronoun"], flow.lang)
        assert part["template"] == filled.rstrip("。.")
        if zh:
            assert re.search("[\u4e00-\u9fff]", part["subject"] + part["background"])
        else:
            assert not re.search("[\u4e00-\u9fff]", prompt)


def test_one_motion_text_once_pronouns_are_folded(flow: Flow) -> None:
    motions = {fold(row["prompt"][slice(*row["spans"]["template"])]) for row in flow.rows}
    assert motions == {fold(flow.mined["template"])}


def test_check_finds_no_error(flow: Flow) -> None:
    findings = flow.check["findings"] + flow.check["left_out"]
    assert not [f for f in findings if f["severity"] == "error"], findings
    assert flow.check["train"] == len(flow.rows)


def test_prompt_lint_has_no_warning(flow: Flow) -> None:
    every = flow.check["findings"] + flow.check["left_out"]
    findings = [f for f in every if f["code"].startswith("prompt-")]
    assert not [f for f in findings if f["severity"] != "info"], findings


def test_no_effect_wording_in_subject_or_background(flow: Flow) -> None:
    """No clause of a subject or background says what a clause of the motion says.

    fuzz.partial_ratio (the shorter string's best place in the longer) < 75, clauses of 8
    characters or more. On these samples the structured flows, whose parts the model
    writes apart, peak at 64 (en) and 50 (zh); effect clauses a free-form split once left in
    a background (before phrases were also compared part by part) scored 75 to 92.
    """
    leaks = []
    for row in flow.rows:
        filled = fill_pronouns(flow.mined["template"], row["pronoun"], flow.lang)
        motion = [c.lower() for c in split_clauses(filled, flow.lang) if TRIGGER not in c]
        own = split_clauses(row["subject"], flow.lang) + split_clauses(row["background"], flow.lang)
        for clause in (c.lower() for c in own if len(c) >= 8):
            score = max(fuzz.partial_ratio(clause, m) for m in motion)
            if score >= 75:
                leaks.append((row["clip"], clause, round(score)))
    assert not leaks, leaks


# --------------------------------------------------------------------------- no shared effect


def test_mine_says_when_the_captions_share_no_effect(tmp_path: Path) -> None:
    """Ten i2v samples captioned with the corpus's unrelated structured answers."""
    corpus = json.loads((CORPUS / "unrelated_motion.en.json").read_text(encoding="utf-8"))
    clips = sorted((SAMPLES / "i2v").glob("*.mp4"))[: len(corpus["captions"])]
    lines = []
    for clip, caption in zip(clips, corpus["captions"], strict=True):
        shutil.copy(clip, tmp_path / clip.name)
        parts: dict[str, list[str]] = {"subject": [], "background": [], "motion": []}
        for tag, text in caption["parts"]:
            parts[tag if tag in parts else "motion"].append(text)
        fields = {k: " ".join(v) for k, v in parts.items()}
        record = {"sha256": "", "file": clip.name, "lang": "en", "instruction_kind": "structured"}
        lines.append(json.dumps({**record, "text": json.dumps(fields), "fields": fields}))
    (tmp_path / "replay.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _run("init", tmp_path, "--mode", "i2v", "--trigger", TRIGGER)
    _run("caption", tmp_path, "--provider", "replay")

    mined = json.loads(_run("mine", tmp_path, "--json").output)
    assert mined["shared_effect"] is False
    assert mined["template"] == f"Then the {TRIGGER} effect begins."
    said = " ".join(_run("mine", tmp_path).output.split())
    assert "No shared effect: no phrase that could describe an effect is in 50% or more" in said
