"""Write the recorded verdicts of the bundled sample clips: samples/{i2v,kf2v}/verify.jsonl.

    .venv/bin/python samples/record_verdicts.py

The offline ``replay`` provider answers ``annotator verify`` from these files, so the demo
shows the feature with no key and no network. Every clip in samples/manifest.json gets
two answers, en and zh, each the JSON object the verify instruction asks for
(templates/instructions/verify.{en,zh}.txt), written the way Qwen-VL answers it: short
notes, a few wrapped in ```json fences although the instruction forbids them.

The verdicts answer the prompts the demo builds: the recorded captions (replay), the
template ``annotator mine --apply`` proposes from them, a person's edits none. They were
written by looking at each clip (its first and last frame, the effect in between) against
those prompts. Replay answers by clip, not by prompt: a prompt edited later gets the same
answer, so re-verifying an edited prompt needs a real model.

HONEST MISMATCHES (what a person should look at; keep them):
  - i2v/clip_07.mp4, en: the subject says "five rounded petals"; the flower has seven.
  - i2v/clip_04.mp4, en: the subject says "a striped tail"; the tail is plain orange (the
    two dark stripes are on the body).
  - i2v/clip_12.mp4, en: the background says "small framed pictures"; there is one.
  - kf2v, en: the mined template says every subject re-appears as "a flat paper origami
    teapot": only clip_05 (the teapot) does; the bluebird, fish, rabbit, rocket and
    butterfly come back as origami versions of themselves (the template took another
    clip's figure).
  - kf2v, zh: the mined template says "变成了一只扁平的淡粉色折纸" (pale pink origami): only
    the bluebird's origami is pink; the others are mint, lavender, peach, light blue and
    pale yellow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# (clip path, lang) pairs whose answer comes wrapped in ```json fences.
FENCED = {("i2v/clip_04.mp4", "en"), ("kf2v/clip_03.mp4", "zh"), ("i2v/clip_10.mp4", "zh")}

EN_EFFECT_I2V = (
    "A ring of golden sparkles appears around {it}, spirals inward clockwise, the frame "
    "flashes white and {it} is left glowing gold."
)
ZH_EFFECT_I2V = "金色闪光粒子在{it}周围出现并顺时针向内收拢，画面闪白后{it}通体金色，与描述一致。"


def v(
    subject: tuple[bool, str],
    background: tuple[bool, str],
    effect: tuple[bool, str],
    category: str,
    defects: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One verdict object, keys in the order the instruction lists them."""
    return {
        "subject_matches": subject[0],
        "subject_note": subject[1],
        "background_matches": background[0],
        "background_note": background[1],
        "effect_shown": effect[0],
        "effect_note": effect[1],
        "defects": list(defects),
        "subject_category": category,
    }


def i2v(it_en: str, it_zh: str) -> tuple[tuple[bool, str], tuple[bool, str]]:
    """The i2v effect as every clip shows it (the template's wording holds for all)."""
    return (
        (True, EN_EFFECT_I2V.format(it=it_en)),
        (True, ZH_EFFECT_I2V.format(it=it_zh)),
    )


def kf2v_en(figure: str) -> tuple[bool, str]:
    """The en template says 'origami teapot': true only of the teapot clip."""
    if figure == "teapot":
        return (
            True,
            "It spins and shrinks into blue smoke and re-appears as a flat light-blue paper "
            "origami teapot, as written.",
        )
    return (
        False,
        f"The {figure} spins and shrinks into a swirl of blue smoke, but it re-appears as a "
        f"paper origami {figure}, not as a teapot.",
    )


def kf2v_zh(figure: str, colour: str) -> tuple[bool, str]:
    """The zh template says '淡粉色折纸' (pale pink origami): true only of the bluebird."""
    if colour == "淡粉色":
        return (
            True,
            f"{figure}旋转缩小成蓝色烟雾，又变成一只扁平的淡粉色折纸{figure}，与描述一致。",
        )
    return (
        False,
        f"{figure}旋转缩小成蓝色烟雾后，变成的是{colour}的折纸{figure}，不是淡粉色。",
    )


# Per clip: (en verdict, zh verdict).
VERDICTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

_e, _z = i2v("the ball", "小球")
VERDICTS["i2v/clip_01.mp4"] = (
    v(
        (True, "A glossy red ball on the grass with a white highlight at its upper left."),
        (True, "A green grass field under a clear blue sky."),
        _e,
        "object",
    ),
    v(
        (True, "草地上一个红色小球，左上方有白色高光。"),
        (True, "绿色草地和晴朗的蓝天。"),
        _z,
        "object",
    ),
)
_e, _z = i2v("the house", "房子")
VERDICTS["i2v/clip_02.mp4"] = (
    v(
        (
            True,
            "A small house with a red roof, cream walls, two windows, a brown door and a chimney.",
        ),
        (True, "Snowy ground, dark pine trees and falling snow under a pale grey sky."),
        _e,
        "building",
    ),
    v(
        (True, "红色屋顶的小房子，两扇窗、一扇门和一根烟囱都在。"),
        (True, "雪地、松树和飘雪的灰色天空。"),
        _z,
        "building",
    ),
)
_e, _z = i2v("the tree", "苹果树")
VERDICTS["i2v/clip_03.mp4"] = (
    v(
        (True, "A round green tree crown with red apples on a short brown trunk."),
        (True, "A purple-to-orange sunset sky over dark purple hills."),
        _e,
        "other",
    ),
    v(
        (True, "圆形绿色树冠上有红苹果，树干是棕色的。"),
        (True, "紫色到橙色渐变的晚霞和深色山丘。"),
        _z,
        "other",
    ),
)
_e, _z = i2v("the cat", "猫")
VERDICTS["i2v/clip_04.mp4"] = (
    v(
        (
            False,
            "An orange cat with green eyes sits facing the camera, but its curled tail is "
            "plain orange, not striped; the two dark stripes are on its body.",
        ),
        (True, "Cream striped wallpaper, a small blue framed picture and a wooden floor."),
        _e,
        "animal",
    ),
    v(
        (True, "一只端坐的橘猫，绿色眼睛，尾巴卷在身旁。"),
        (True, "米色条纹墙纸、蓝色小画框和木地板。"),
        _z,
        "animal",
    ),
)
_e, _z = i2v("the figure", "火柴人")
VERDICTS["i2v/clip_05.mp4"] = (
    v(
        (True, "A stick figure drawn in black lines, smiling, arms out and legs apart."),
        (True, "A sandy beach with blue sea behind and a pale sun in a light blue sky."),
        _e,
        "person",
    ),
    v(
        (True, "黑色线条的火柴人，面带微笑，双臂张开。"),
        (True, "沙滩、蓝色大海和淡黄色的太阳。"),
        _z,
        "person",
    ),
)
_e, _z = i2v("the car", "汽车")
VERDICTS["i2v/clip_06.mp4"] = (
    v(
        (True, "A small blue car facing right on a grey road with dashed white lines."),
        (True, "A city street with beige buildings under a pale blue sky."),
        _e,
        "vehicle",
    ),
    v(
        (True, "一辆车头朝右的蓝色小汽车停在马路上。"),
        (True, "城市街道和米色楼房，天空淡蓝。"),
        _z,
        "vehicle",
    ),
)
_e, _z = i2v("the flower", "花")
VERDICTS["i2v/clip_07.mp4"] = (
    v(
        (
            False,
            "The pink flower has seven rounded petals, not five; the yellow centre and "
            "the two leaves are right.",
        ),
        (True, "A bright blue sky with white clouds."),
        _e,
        "other",
    ),
    v((True, "粉色的花，黄色花心，花茎上有两片叶子。"), (True, "蓝天和白云。"), _z, "other"),
)
_e, _z = i2v("the robot", "机器人")
VERDICTS["i2v/clip_08.mp4"] = (
    v(
        (True, "A boxy grey robot with cyan eyes, a red antenna light and coloured buttons."),
        (True, "A starry night sky with a crescent moon over a dark field."),
        _e,
        "object",
    ),
    v(
        (True, "灰色方形机器人，青色眼睛，红色天线灯，胸前彩色按钮。"),
        (True, "星空、新月和漆黑的原野。"),
        _z,
        "object",
    ),
)
_e, _z = i2v("the cup", "咖啡杯")
VERDICTS["i2v/clip_09.mp4"] = (
    v(
        (True, "A white cup with a blue stripe, full of coffee, on a saucer."),
        (True, "A wooden table in front of a pale tiled wall."),
        _e,
        "object",
    ),
    v(
        (True, "碟子上的白色咖啡杯，有蓝色条纹，盛满咖啡。"),
        (True, "木质餐桌和浅色瓷砖墙。"),
        _z,
        "object",
    ),
)
_e, _z = i2v("the mountain", "山峰")
VERDICTS["i2v/clip_10.mp4"] = (
    v(
        (True, "A grey mountain with a snow cap and a smaller peak beside it."),
        (True, "A dark blue lake with ripples, pine trees along the shore, a clear sky."),
        _e,
        "landscape",
    ),
    v(
        (True, "山顶积雪的灰色山峰，旁边有一座较小的山峰。"),
        (True, "深蓝色湖面、湖岸松树和蓝天。"),
        _z,
        "landscape",
    ),
)
_e, _z = i2v("the boat", "帆船")
VERDICTS["i2v/clip_11.mp4"] = (
    v(
        (True, "A sailboat with a brown hull, white sails and a red flag on the mast."),
        (True, "Open deep blue sea with small waves under a pale sky."),
        _e,
        "vehicle",
    ),
    v(
        (True, "棕色船身、白色船帆、桅杆上有红旗的小帆船。"),
        (True, "深蓝色海面和浅色天空。"),
        _z,
        "vehicle",
    ),
)
_e, _z = i2v("the lamp", "台灯")
VERDICTS["i2v/clip_12.mp4"] = (
    v(
        (True, "A table lamp with a cream shade, a thin dark stand and a round base."),
        (
            False,
            "Blue striped wallpaper and a wooden floor, but there is only one small framed "
            "picture on the wall, not several.",
        ),
        _e,
        "object",
    ),
    v(
        (True, "米色灯罩、深色细灯杆、圆形底座的台灯。"),
        (True, "蓝色条纹墙纸、墙上的小画框和木地板。"),
        _z,
        "object",
    ),
)

KF2V_SCENES = {
    # clip: (en figure, zh figure, zh colour of its origami, category, en subject, en background,
    #        zh subject, zh background)
    "kf2v/clip_01.mp4": (
        "bluebird",
        "小鸟",
        "淡粉色",
        "animal",
        "A blue bird with an orange beak and a peach belly, facing right.",
        "A meadow of white, yellow and pink flowers under a blue sky.",
        "蓝色小鸟，橙色的喙，浅桃色腹部，朝右。",
        "开满小花的草地和蓝天。",
    ),
    "kf2v/clip_02.mp4": (
        "fish",
        "小鱼",
        "薄荷绿色",
        "animal",
        "An orange fish with black-outlined white stripes, swimming right.",
        "Clear blue water with bubbles, green seaweed and a sandy bottom.",
        "带白色条纹的橙色小鱼，朝右游。",
        "水下，有气泡、海草和沙底。",
    ),
    "kf2v/clip_03.mp4": (
        "rabbit",
        "白兔",
        "淡紫色",
        "animal",
        "A white rabbit sitting upright with pink-lined ears and a round tail.",
        "A green grass field under a clear blue sky.",
        "端坐的白兔，耳朵内侧粉色，圆尾巴。",
        "绿色草地和蓝天。",
    ),
    "kf2v/clip_04.mp4": (
        "rocket",
        "火箭",
        "浅橙色",
        "vehicle",
        "A red and white rocket with a round blue window and a small flame.",
        "Purple starry space with an orange ringed planet at the lower left.",
        "红白色火箭，红色箭头和尾翼，圆形蓝色舷窗。",
        "紫色星空，左下角有带光环的橙色行星。",
    ),
    "kf2v/clip_05.mp4": (
        "teapot",
        "茶壶",
        "浅蓝色",
        "object",
        "A teal teapot with a cream band, a curved spout, a handle and a knob.",
        "A wooden kitchen table in front of a pale tiled wall.",
        "蓝绿色茶壶，米色装饰带，壶嘴弯曲。",
        "木质桌面和浅色瓷砖墙。",
    ),
    "kf2v/clip_06.mp4": (
        "butterfly",
        "蝴蝶",
        "淡黄色",
        "animal",
        "An orange butterfly with spread wings, dark outlines and round spots.",
        "A purple-to-orange sunset sky over dark hills.",
        "展开双翅的橙色蝴蝶，翅膀有深色轮廓和圆斑。",
        "紫橙渐变的晚霞和深色山丘。",
    ),
}
for _clip, (_fig, _zfig, _colour, _cat, _es, _eb, _zs, _zb) in KF2V_SCENES.items():
    VERDICTS[_clip] = (
        v((True, _es), (True, _eb), kf2v_en(_fig), _cat),
        v((True, _zs), (True, _zb), kf2v_zh(_zfig, _colour), _cat),
    )


def answer_text(clip: str, lang: str, verdict: dict[str, Any]) -> str:
    """The verdict as the model writes it: one line of JSON, or fenced and indented."""
    if (clip, lang) in FENCED:
        return "```json\n" + json.dumps(verdict, ensure_ascii=False, indent=2) + "\n```"
    return json.dumps(verdict, ensure_ascii=False)


def main() -> None:
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    missing = [c["path"] for c in manifest["clips"] if c["path"] not in VERDICTS]
    if missing:
        raise SystemExit(f"no verdicts written for: {', '.join(missing)}")
    by_mode: dict[str, list[dict[str, str]]] = {}
    for clip in manifest["clips"]:
        for lang, verdict in zip(("en", "zh"), VERDICTS[clip["path"]], strict=True):
            record = {
                "sha256": clip["sha256"],
                "file": Path(clip["path"]).name,
                "lang": lang,
                "text": answer_text(clip["path"], lang, verdict),
            }
            by_mode.setdefault(clip["mode"], []).append(record)
    for mode, records in by_mode.items():
        out = HERE / mode / "verify.jsonl"
        out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
        )
        print(f"{out.relative_to(HERE.parent)}: {len(records)} records")


if __name__ == "__main__":
    main()
