"""Small workspaces for the export tests: tiny real clips, prompts set as overrides."""

from __future__ import annotations

from pathlib import Path

from annotator.basemodels import Mode
from annotator.pipeline.scan import scan
from annotator.workspace import Status, Workspace, WorkspaceInfo
from tests.clips import make_clip

TRIGGER = "s86b5p"
ZH_MOTION = "然后开始展示s86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕{ta}。"
EN_MOTION = "Then the s86b5p money rain begins, banknotes pour down and swirl around {object}."
# Sizes vary so the set is not "low diversity" (a warning that --strict would turn into an error).
SIZES = [(64, 48), (48, 64), (64, 64), (80, 48), (48, 80), (96, 64)]


def zh_prompt(subject: str, pronoun: str = "她") -> str:
    """A full prompt in the guide's formula."""
    return (
        f"视频开头展示了{subject}。背景是爬满常春藤的砖墙。"
        f"然后开始展示s86b5p金钱雨特效，无数钞票如暴雨般倾泻而下，密集地砸向并环绕{pronoun}。"
    )


def en_prompt(subject: str) -> str:
    return (
        f"The video opens on {subject}. Behind is a brick wall covered in ivy. "
        "Then the s86b5p money rain begins, banknotes pour down and swirl around her."
    )


def make_workspace(
    root: Path,
    n: int,
    *,
    mode: Mode = Mode.I2V,
    lang: str = "zh",
    names: list[str] | None = None,
    accept: bool = True,
    prompts: list[str] | None = None,
) -> Workspace:
    """A workspace of N tiny clips, each with a prompt override, accepted unless told not."""
    root.mkdir(parents=True, exist_ok=True)
    names = names or [f"clip_{chr(ord('a') + i)}.mp4" for i in range(n)]
    for i, name in enumerate(names):
        w, h = SIZES[i % len(SIZES)]
        make_clip(root / name, width=w, height=h, seconds=2.5, fps=4, seed=i)
    model = "wan2.5-i2v-preview" if mode is Mode.I2V else "wan2.2-kf2v-flash"
    ws = Workspace.create(
        root, WorkspaceInfo(mode=mode, base_model=model, lang=lang, trigger=TRIGGER)
    )
    scan(ws)
    ws.set_workspace_field("template", ZH_MOTION if lang == "zh" else EN_MOTION)
    for i, sample in enumerate(ws.samples()):
        if prompts:
            text = prompts[i]
        else:
            text = zh_prompt(f"第{i}位舞者") if lang == "zh" else en_prompt(f"dancer number {i}")
        ws.edit(sample.id, "prompt_override", text)
        if accept:
            ws.set_status(sample.id, Status.ACCEPTED)
    return ws


SUBJECTS = [
    ("一位年轻女性站在砖墙前，她穿着白色连衣裙", "she"),
    ("一位穿西装的中年男性，面带微笑", "he"),
    ("一只橘色的猫坐在木地板上", "it"),
]


def use_assembled_prompts(ws: Workspace) -> None:
    """Replace the overrides by subject + background + pronoun: the assembly builds prompts."""
    for i, sample in enumerate(ws.samples()):
        subject, pronoun = SUBJECTS[i % len(SUBJECTS)]
        ws.edit(sample.id, "prompt_override", None)
        ws.edit(sample.id, "subject", subject)
        ws.edit(sample.id, "background", "背景是爬满常春藤的砖墙和远处的山")
        ws.edit(sample.id, "pronoun", pronoun)
