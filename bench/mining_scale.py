"""Benchmark: how phrase mining scales, 100 -> 1,000 -> 10,000 captions, en and zh.

    .venv/bin/python bench/mining_scale.py            # all sizes (10,000 takes a while)
    .venv/bin/python bench/mining_scale.py 100 1000   # only these sizes

The captions imitate Qwen-VL's free-form answers for one effect, about 8 clauses
each: a shared effect worded with small variations (synonyms, optional words, the
pronoun that follows the subject, clauses sometimes merged) plus varied subject and
background clauses. Two corpora per language: "realistic", and "unique", the worst
case for speed, where no subject or background clause repeats (so nothing is scored
once for many). For each size the script prints the seconds (best of a few runs for
the small sizes; every run starts with cold caches), the growth factor from the
previous size, and the ratio to the target where there is one (< 1.0 passes; the exit
code is 1 otherwise):

- 1,000 captions, en and zh, realistic and unique: under 2 s;
- 10,000 captions, en and zh, unique (the worst case): under 30 s.

Above a few thousand distinct clauses the miner groups a sample and lets the rest join
(``clause_groups.SAMPLE_KEYS``), and it finds word sequences on a sample of captions
(``sequences.NGRAM_SAMPLE``), so the growth factor per step stays near 10 (linear).
Not part of the test suite.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.mining import lexicon, spans
from annotator.mining.phrases import mine_phrases
from annotator.mining.template import distill_template

SIZES = (100, 1_000, 10_000)
# (captions, worst case only) -> seconds
TARGETS = {(1_000, False): 2.0, (1_000, True): 2.0, (10_000, True): 30.0}
REPEATS = {100: 5, 1_000: 3}  # best of; larger sizes run once


# Subject and background clauses are built from several independent choices so
# that, as in real answers, most of them differ from caption to caption.


def _opts(options: str) -> list[str]:
    return [o.strip() for o in options.split("|")]


_EN_SUBJECTS = [
    tuple(pair.split(":"))
    for pair in _opts(
        "woman:she|girl:she|lady:she|man:he|boy:he|gentleman:he|dog:it|cat:it|horse:it|car:it|"
        "parrot:it|robot:it"
    )
]
_EN_AGES = _opts("young|elderly|small|tall|cheerful|middle-aged|slender|calm")
_EN_ACTIONS = _opts(
    "standing still|looking at the camera|smiling softly|waving a hand|sitting on a bench|"
    "holding a cup of coffee|reading a book|leaning on a railing|walking slowly|turning around"
)
_EN_PLACES = _opts(
    "a brick wall covered in ivy|a busy city street|a sunny beach|a snowy forest|"
    "a cozy living room|a rooftop at dusk|a flower garden|an empty parking lot|a library|"
    "a misty meadow|a neon-lit alley|a wooden pier"
)
_EN_HAIR = _opts("long red|short black|curly blond|straight brown|silver|wavy auburn")
_EN_FEATURES = _opts(
    "round glasses|a straw hat|a silver necklace|bright green eyes|freckles|a small scar|"
    "a wide smile|rosy cheeks|a thin moustache|pearl earrings"
)
_EN_MOODS = _opts("relaxed|happy|curious|thoughtful|confident|a little shy")
_EN_COLOURS = _opts("white|red|navy|yellow|green|grey|pink|black|beige|teal")
_EN_MATERIALS = _opts("cotton|denim|woollen|silk|leather")
_EN_GARMENTS = _opts("dress|jacket|hoodie|suit|raincoat|shirt|sweater|blouse|coat|vest")
_EN_BG_THINGS = _opts(
    "tall trees|a few clouds|old lanterns|parked bicycles|green hills|glass towers|"
    "market stalls|fishing boats|stone arches|string lights"
)
_EN_BG_VERBS = _opts("stand|drift|glow|sway|rise|line up")
_EN_BG_WHERE = _opts(
    "in the distance|behind the subject|along the horizon|on the left|on the right|"
    "under a pale blue sky|in soft focus|near the water"
)
_EN_PRON = {
    "she": {"p": "she", "o": "her", "g": "her"},
    "he": {"p": "he", "o": "him", "g": "his"},
    "it": {"p": "it", "o": "it", "g": "its"},
}

_ZH_SUBJECTS = [
    tuple(pair.split(":"))
    for pair in _opts(
        "女性:她|女孩:她|女士:她|男性:他|男孩:他|先生:他|小狗:它|猫咪:它|白马:它|老爷车:它|鹦鹉:它|机器人:它"
    )
]
_ZH_AGES = _opts("年轻的|年迈的|瘦小的|高大的|开朗的|中年|苗条的|安静的")
_ZH_ACTIONS = _opts(
    "静静地站着|看着镜头|微微一笑|挥手致意|坐在长椅上|端着一杯咖啡|读着书|倚着栏杆|慢慢走动|转过身来"
)
_ZH_PLACES = _opts(
    "爬满常春藤的砖墙前|繁忙的城市街道上|阳光明媚的海滩上|白雪覆盖的森林里|温馨的客厅里|"
    "黄昏的天台上|花园里|空旷的停车场|图书馆里|雾气弥漫的草地上|霓虹闪烁的小巷里|木栈道上"
)
_ZH_HAIR = _opts("红棕色长发|黑色短发|金色卷发|棕色直发|银白头发|栗色波浪发")
_ZH_FEATURES = _opts(
    "圆框眼镜|草帽|银色项链|绿色眼睛|雀斑|小伤疤|灿烂笑容|红润脸颊|细细的胡子|珍珠耳环"
)
_ZH_MOODS = _opts("神情放松|显得很开心|充满好奇|若有所思|自信满满|略显害羞")
_ZH_COLOURS = _opts("白色|红色|藏青色|黄色|绿色|灰色|粉色|黑色|米色|青色")
_ZH_MATERIALS = _opts("棉质|牛仔|羊毛|丝绸|皮质")
_ZH_GARMENTS = _opts("连衣裙|夹克|连帽衫|西装|雨衣|衬衫|毛衣|上衣|大衣|马甲")
_ZH_BG_THINGS = _opts(
    "高大的树木|几朵白云|古老的灯笼|停放的自行车|青翠的山丘|玻璃高楼|热闹的摊位|渔船|石拱门|串灯"
)
_ZH_BG_VERBS = _opts("静静矗立|缓缓飘动|闪闪发光|轻轻摇曳|连绵起伏|整齐排列")
_ZH_BG_WHERE = _opts(
    "在远处|在主体身后|在地平线上|在画面左侧|在画面右侧|在淡蓝色的天空下|在虚化的背景里|在水边"
)


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


def _uniquify(parts: list[str], rng: random.Random) -> list[str]:
    """Put a random number before each part's final mark: no two clauses are then identical."""
    return [f"{p[:-1]} {rng.randrange(10**6)}{p[-1]}" for p in parts]


def make_en_caption(rng: random.Random, unique: bool = False) -> str:
    """One English caption: subject, looks, clothes, background, then the effect."""
    noun, cls = rng.choice(_EN_SUBJECTS)
    p = _EN_PRON[cls]
    opening = _pick(rng, "The video opens on", "The video begins with", "The video shows")
    parts = [
        f"{opening} a {rng.choice(_EN_AGES)} {noun} {rng.choice(_EN_ACTIONS)} "
        f"in front of {rng.choice(_EN_PLACES)}.",
        f"{p['p'].capitalize()} has {rng.choice(_EN_HAIR)} hair with {rng.choice(_EN_FEATURES)} "
        f"and looks {rng.choice(_EN_MOODS)},",
        f"wearing a {rng.choice(_EN_COLOURS)} {rng.choice(_EN_MATERIALS)} "
        f"{rng.choice(_EN_GARMENTS)}.",
        f"In the background {rng.choice(_EN_BG_THINGS)} {rng.choice(_EN_BG_VERBS)} "
        f"{rng.choice(_EN_BG_WHERE)}.",
    ]
    if unique:
        parts = _uniquify(parts, rng)
    ring = _pick(
        rng,
        "a ring of golden sparkles",
        "a ring of gold sparkles",
        "a glittering ring of golden sparkles",
        "a swirling ring of golden sparkles",
    )
    rise = _pick(rng, "appears at", "rises from", "forms at")
    spiral = _pick(rng, "spirals up around", "spirals upward around", "spins up around")
    flash = _pick(
        rng,
        "a bright white flash",
        "a brilliant white flash",
        "a blinding white flash",
        "an intense white flash",
    )
    fills = _pick(rng, "fills the frame", "fills the whole frame", "floods the frame")
    glow = _pick(
        rng,
        "is left glowing gold",
        "is left glowing with a golden light",
        "is left softly glowing gold",
    )
    conn = _pick(rng, "Then ", "Suddenly ", "")
    parts.append(
        f"{(conn + ring)[0].upper()}{(conn + ring)[1:]} {rise} {p['g']} feet, "
        f"{spiral} {p['g']} body."
    )
    if rng.random() < 0.5:
        parts.append(f"{flash.capitalize()} {fills}, and {p['p']} {glow}.")
    else:
        parts.append(f"{flash.capitalize()} {fills}. {p['p'].capitalize()} {glow}.")
    if rng.random() < 0.4:
        parts.append(_pick(rng, "The camera slowly pushes in.", "The camera slowly zooms in."))
    return " ".join(parts)


def make_zh_caption(rng: random.Random, unique: bool = False) -> str:
    """One Chinese caption in the same shape as the English one."""
    noun, ta = rng.choice(_ZH_SUBJECTS)
    opening = _pick(rng, "视频开头展示了", "视频中", "画面开始时是")
    parts = [
        f"{opening}一位{rng.choice(_ZH_AGES)}{noun}在{rng.choice(_ZH_PLACES)}"
        f"{rng.choice(_ZH_ACTIONS)}。",
        f"{ta}有着{rng.choice(_ZH_HAIR)}，戴着{rng.choice(_ZH_FEATURES)}，{rng.choice(_ZH_MOODS)}，",
        f"穿着{rng.choice(_ZH_COLOURS)}{rng.choice(_ZH_MATERIALS)}{rng.choice(_ZH_GARMENTS)}。",
        f"背景中{rng.choice(_ZH_BG_THINGS)}{rng.choice(_ZH_BG_WHERE)}{rng.choice(_ZH_BG_VERBS)}。",
    ]
    if unique:
        parts = _uniquify(parts, rng)
    conn = _pick(rng, "随后，", "然后", "接着，", "")
    ring = _pick(rng, "一圈金色的闪光粒子", "一圈金色闪光粒子", "一圈闪闪发亮的金色粒子")
    rise = _pick(rng, "脚下升起", "身下升起", "脚下浮现")
    spiral = _pick(
        rng, "螺旋环绕着{t}的身体向上旋转", "螺旋环绕{t}的身体向上旋转", "螺旋环绕着{t}向上旋转"
    )
    flash = _pick(rng, "耀眼的白光", "强烈的白光", "刺眼的白光", "明亮的白光")
    glow = _pick(
        rng,
        "白光过后{t}全身散发着金色的光芒",
        "白光过后{t}全身散发着柔和的金色光芒",
        "白光过后{t}浑身散发着金色的光芒",
    )
    parts.append(f"{conn}{ring}从{ta}{rise}，{spiral.format(t=ta)}。")
    parts.append(f"接着画面中出现一道{flash}，{glow.format(t=ta)}。")
    if rng.random() < 0.4:
        parts.append(_pick(rng, "同时镜头缓缓拉近。", "镜头缓缓推进。"))
    return "".join(parts)


def make_captions(n: int, lang: str, seed: int = 0, unique: bool = False) -> list[str]:
    """n synthetic captions in lang ("en" or "zh"), reproducible from seed.

    unique: make every subject and background clause distinct (a random number in
    each), the worst case for speed: no identical clauses to score only once.
    """
    rng = random.Random(seed)
    make = make_zh_caption if lang == "zh" else make_en_caption
    return [make(rng, unique) for _ in range(n)]


def _mine_seconds(captions: list[str], lang: str, repeats: int) -> tuple[float, list]:  # type: ignore[type-arg]
    """Best wall time of mining the captions, each run with cold caches."""
    best, phrases = float("inf"), []
    for _ in range(repeats):
        lexicon._zh_key.cache_clear()
        lexicon._content_words.cache_clear()
        spans._verbless.cache_clear()
        start = time.perf_counter()
        phrases = mine_phrases(captions, lang)
        best = min(best, time.perf_counter() - start)
    return best, phrases


def run(lang: str, unique: bool, sizes: tuple[int, ...]) -> list[float]:
    """Time one corpus at every size; print a row per size. The ratios to the targets."""
    kind = "unique" if unique else "realistic"
    ratios, previous = [], None
    for n in sizes:
        captions = make_captions(n, lang, unique=unique)
        seconds, phrases = _mine_seconds(captions, lang, REPEATS.get(n, 1))
        growth = f"x{seconds / previous:6.1f}" if previous else "      -"
        line = (
            f"{lang}  {kind:9s} {n:6,d} captions {len(phrases):7,d} phrases"
            f"  {seconds:7.2f} s  growth {growth}"
        )
        target = TARGETS.get((n, unique))
        if target is not None:
            ratio = seconds / target
            ratios.append(ratio)
            line += f"  measured/target {seconds:.2f}/{target:.0f} s = {ratio:.2f}"
            line += "" if ratio < 1.0 else "  TOO SLOW"
        print(line, flush=True)
        if n == 1_000 and not unique:
            print("      template: " + distill_template(phrases, "s86b5p", lang), flush=True)
        previous = seconds
    return ratios


def main(argv: list[str]) -> int:
    sizes = tuple(int(a.replace(",", "").replace("_", "")) for a in argv) or SIZES
    start = time.perf_counter()
    mine_phrases(make_captions(20, "zh"), "zh")  # first use: imports, jieba's dictionary
    print(f"cold start (imports, jieba dictionary): {time.perf_counter() - start:.2f} s, not timed")
    ratios = [
        r for unique in (False, True) for lang in ("en", "zh") for r in run(lang, unique, sizes)
    ]
    if not ratios:
        return 0
    worst = max(ratios)
    print(f"worst measured/target: {worst:.2f}", "(ok)" if worst < 1.0 else "(TOO SLOW)")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
