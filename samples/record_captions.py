"""Write the recorded captions of the bundled sample clips: samples/{i2v,kf2v}/replay.jsonl.

    .venv/bin/python samples/record_captions.py

The offline ``replay`` provider answers from these files, so the demo and the
tests get realistic Qwen-VL captions with no key and no network. Every clip in
samples/manifest.json gets four records: en free-form, en structured, zh
free-form and zh structured (the four instructions in templates/instructions/).

The captions are hand-written in the way Qwen-VL answers: the subject and
background describe that one clip; the effect is worded the same way in most
captions but never identically (word order, minor details, an omission here and
an extra detail there, pronouns that follow the subject), so phrase mining has
real work to do. Structured answers are the JSON text as the model returns it;
a few come wrapped in ```json fences although the instruction forbids them.

Records are keyed by the sha256 in the manifest: re-drawing the samples
(make_samples.py) changes nothing here, just run this script again.

DELIBERATE MISTAKES (the human review is supposed to catch these; keep them):
  - i2v/clip_07.mp4, en structured: the sparkles are called "tiny yellow stars"
    (they are golden sparkles).
  - i2v/clip_11.mp4, zh structured: the ring spirals "逆时针" (counterclockwise);
    it turns clockwise.
  - kf2v/clip_04.mp4, en structured: the smoke is called "purple smoke" (it is
    blue; the model was misled by the purple space background).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# (clip path, lang) pairs whose structured answer comes wrapped in ```json fences.
FENCED = {
    ("i2v/clip_03.mp4", "en"),
    ("i2v/clip_09.mp4", "zh"),
    ("kf2v/clip_02.mp4", "en"),
}

# Per clip: en free-form, en structured fields, zh free-form, zh structured fields.
CAPTIONS: dict[str, dict[str, object]] = {
    # ------------------------------------------------------------------ i2v
    "i2v/clip_01.mp4": {
        "en_free": (
            "The video opens on a glossy red ball resting on the grass, with a small white "
            "highlight on its upper left side. In the background there is a green grass field "
            "under a clear blue sky, lit by bright, even daylight. Then a ring of golden sparkles "
            "appears around the ball and spirals inward clockwise, tightening until it closes on "
            "the ball. Finally the whole frame flashes white, and the ball is left glowing gold "
            "as a few sparkles drift away. The camera remains static throughout."
        ),
        "en": {
            "subject": (
                "The video opens on a glossy red ball resting on the grass, with a small white "
                "highlight on its upper left."
            ),
            "background": (
                "A green grass field stretches under a clear blue sky, lit by bright, even "
                "daylight."
            ),
            "motion": (
                "A ring of golden sparkles appears around the red ball, then the ring spirals "
                "inward clockwise and shrinks onto it. The whole frame flashes white, and the ball "
                "is left glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一个光滑的红色小球静静地放在草地上，球体左上方有一个白色的高光点。"
            "背景是一片绿色的草地，上方是晴朗的蓝天，光线明亮而均匀。"
            "随后，一圈金色的闪光粒子出现在小球周围，并顺时针向内螺旋收拢，逐渐贴近球体。"
            "接着整个画面闪过一道白光，白光散去后，小球通体散发着金色的光芒。镜头始终保持固定。"
        ),
        "zh": {
            "subject": (
                "视频开头展示了一个光滑的红色小球，静止地放在草地上，球体左上方有一个白色高光。"
            ),
            "background": "背景是一片绿色的草地，上方是晴朗的蓝天，光线明亮均匀。",
            "motion": (
                "一圈金色的闪光粒子出现在小球周围，顺时针向内螺旋收拢。随后整个画面闪过一道白光，"
                "小球通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_02.mp4": {
        "en_free": (
            "The video opens on a small house with a red roof, cream walls, two small windows, "
            "a brown door and a chimney on the right side of the roof. The house stands in a snowy "
            "landscape, with a row of dark green pine trees behind it and snowflakes drifting down "
            "from a pale grey sky. Then a ring of golden sparkles appears around the house, "
            "spiralling inward clockwise toward its centre. The whole frame flashes white, and the "
            "house is left glowing gold against the snow."
        ),
        "en": {
            "subject": (
                "The video opens on a small house with a red roof, cream walls, two small windows, "
                "a brown door and a chimney."
            ),
            "background": (
                "A snowy landscape with a row of dark green pine trees, under a pale grey sky with "
                "light snow falling."
            ),
            "motion": (
                "A ring of golden sparkles appears around the house. It spirals inward clockwise, "
                "closing in on the walls. Then the whole frame flashes white, and the house is "
                "left glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一座红色屋顶的小房子，米色的墙壁上有两扇小窗户和一扇棕色的门，"
            "屋顶右侧有一根烟囱。"
            "背景是白雪覆盖的原野，远处排列着一排深绿色的松树，淡灰色的天空中飘着细小的雪花。"
            "然后，小房子周围出现了一圈金色的闪光粒子，它们沿顺时针方向向内盘旋收拢。"
            "紧接着整个画面闪过一道白光，最后小房子通体金光闪闪。"
        ),
        "zh": {
            "subject": (
                "视频开头展示了一座红色屋顶的小房子，米色墙壁，有两扇小窗户、"
                "一扇棕色的门和一根烟囱。"
            ),
            "background": "背景是白雪覆盖的原野和一排深绿色的松树，淡灰色的天空中飘着雪花。",
            "motion": (
                "房子周围浮现出一圈金色的闪光粒子，沿顺时针方向向内盘旋收拢。"
                "然后整个画面闪过一道白光，房子通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_03.mp4": {
        "en_free": (
            "The video opens on a tree with a round green crown dotted with red apples and a short "
            "brown trunk. Behind it, a sunset sky fades from deep purple at the top to warm orange "
            "near the horizon, above a line of dark purple hills. Then a ring of golden sparkles "
            "appears around the tree, twinkling as it spirals inward clockwise. Finally the whole "
            "frame flashes white, and the tree is left glowing gold, apples and all."
        ),
        "en": {
            "subject": (
                "The video opens on a tree with a round green crown dotted with red apples and a "
                "short brown trunk."
            ),
            "background": (
                "A sunset sky fading from deep purple to warm orange, over a line of dark purple "
                "hills."
            ),
            "motion": (
                "A ring of golden sparkles appears around the tree and slowly spirals inward "
                "clockwise. Then the whole frame flashes white. The tree is left glowing gold, "
                "with a few sparkles floating around it."
            ),
        },
        "zh_free": (
            "视频开头展示了一棵苹果树，圆圆的绿色树冠上点缀着许多红苹果，下面是一截棕色的树干。"
            "背景是夕阳下的天空，从顶部的深紫色渐变到地平线附近的暖橙色，下方是连绵的深紫色山丘。"
            "随后，一圈金色的闪光粒子出现在树的周围，一边闪烁一边顺时针向内螺旋收拢。"
            "接着整个画面闪过一道白光，这棵树连同果实都变成了金色，散发着柔和的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一棵结满红苹果的树，树冠圆润翠绿，树干呈棕色。",
            "background": "背景是夕阳下从深紫色渐变到橙色的天空，远处是深色的山丘。",
            "motion": (
                "一圈金色闪光粒子出现在苹果树周围，顺时针向内螺旋收拢。随后画面整体闪过一道白光，"
                "苹果树变成了金色，通体散发着光芒。"
            ),
        },
    },
    "i2v/clip_04.mp4": {
        "en_free": (
            "The video opens on an orange cat sitting upright and facing the camera, with green "
            "eyes, white whiskers and a striped tail curled to one side. It sits in a room with "
            "cream striped wallpaper and a small blue framed picture on the wall, on a warm "
            "wooden floor. Then a ring of golden sparkles appears around the cat and spirals "
            "inward clockwise; the cat stays still and does not react. The whole frame flashes "
            "white, and the cat is left glowing gold from head to tail."
        ),
        "en": {
            "subject": (
                "The video opens on an orange cat sitting upright and facing the camera, with "
                "green eyes and a striped tail curled beside it."
            ),
            "background": (
                "A room with cream striped wallpaper and a small blue framed picture, on a wooden "
                "floor."
            ),
            "motion": (
                "A ring of golden sparkles appears around the cat, spiralling inward clockwise and "
                "gathering at its chest. Then the whole frame flashes white, and the cat is left "
                "glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一只橘色的猫端坐着，正对镜头，它有一双绿色的眼睛，身上有浅色条纹，"
            "尾巴卷在身旁。"
            "背景是一个房间，墙上贴着米色条纹墙纸，挂着一个蓝色的小画框，地面是木地板。"
            "然后，一圈金色的闪光粒子出现在它周围，顺时针向内螺旋收拢，猫一动不动。"
            "随后整个画面瞬间闪白，白光过后，猫通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一只端坐着的橘猫，正对镜头，绿色的眼睛，尾巴卷在身旁。",
            "background": "背景是贴着米色条纹墙纸的房间，墙上挂着蓝色小画框，地面是木地板。",
            "motion": (
                "一圈金色的闪光粒子出现在橘猫周围，顺时针向内螺旋收拢并聚向它的胸口。"
                "接着整个画面瞬间闪白，它通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_05.mp4": {
        "en_free": (
            "The video opens on a stick-figure person drawn in black lines, with a round head and "
            "a smiling face, his arms stretched out to the sides and his legs apart. He stands on "
            "a sandy beach, with the blue sea behind him and a pale sun high in the sky. Then a "
            "ring of golden sparkles appears around him and spirals inward clockwise until it "
            "wraps around his chest. Finally the whole frame flashes white, and he is left "
            "glowing gold."
        ),
        "en": {
            "subject": (
                "The video opens on a stick-figure person drawn in black lines, with a round "
                "smiling head, arms stretched out and legs apart."
            ),
            "background": (
                "A sandy beach with the blue sea behind him and a pale sun in a light blue sky."
            ),
            "motion": (
                "A ring of golden sparkles appears around the stick figure and spirals inward "
                "clockwise toward his body. The whole frame then flashes white, and he is left "
                "glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一个用黑色线条画成的火柴人，圆圆的脑袋上带着笑脸，双臂向两侧张开，"
            "双腿分开站立。"
            "他站在沙滩上，身后是蔚蓝的大海，天空中挂着一轮淡黄色的太阳。"
            "随后，一圈金色的闪光粒子出现在他周围，并顺时针向内螺旋收拢。"
            "紧接着整个画面闪过一道白光，火柴人通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一个黑色线条的火柴人，脸上带着微笑，双臂张开，双腿分开站立。",
            "background": "背景是沙滩，身后是蓝色的大海，天空中有一轮淡黄色的太阳。",
            "motion": (
                "一圈金色的闪光粒子环绕着火柴人出现，顺时针向内螺旋收拢。然后整个画面闪过一道白光，"
                "他全身泛着金色的光芒。"
            ),
        },
    },
    "i2v/clip_06.mp4": {
        "en_free": (
            "The video opens on a small blue car facing right, parked on a grey road with a dashed "
            "white centre line. Behind it is a city street lined with beige buildings full of "
            "windows, under a pale blue sky. Then a ring of golden sparkles appears around the car "
            "and spirals inward clockwise, shrinking to a bright knot over the car door. The whole "
            "frame flashes white, and the car is left glowing gold."
        ),
        "en": {
            "subject": (
                "The video opens on a small blue car facing right, parked on a grey road with "
                "dashed white lines."
            ),
            "background": (
                "A city street lined with beige buildings with many windows, under a pale blue sky."
            ),
            "motion": (
                "A ring of golden sparkles appears around the car, then it spirals inward "
                "clockwise toward the door. Finally the whole frame flashes white, and the car is "
                "left glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一辆蓝色的小汽车，车头朝右，停在一条画着白色虚线的灰色马路上。"
            "背景是城市街道，两旁是一排排米色的高楼，窗户整齐排列，天空呈淡蓝色。"
            "然后汽车周围出现了一圈金色的闪光粒子，顺时针旋转着向内收拢，聚成一个明亮的光团。"
            "随后整个画面闪过一道白光，汽车通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一辆车头朝右的蓝色小汽车，停在灰色的马路上。",
            "background": "背景是城市街道和一排排米色的楼房，天空是淡蓝色的。",
            "motion": (
                "汽车周围出现一圈金色的闪光粒子，并顺时针向内螺旋收紧。接着整个画面闪过一道白光，"
                "汽车通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_07.mp4": {
        "en_free": (
            "The video opens on a pink flower with five rounded petals and a yellow centre, on a "
            "green stem with two small leaves. Behind it is a bright blue sky with fluffy white "
            "clouds. Then a ring of golden sparkles appears around the flower and spirals inward "
            "clockwise, closing in on the blossom. The whole frame flashes white, and the flower "
            "is left glowing gold, stem and leaves included."
        ),
        "en": {
            "subject": (
                "The video opens on a pink flower with five rounded petals and a yellow centre, on "
                "a green stem with two leaves."
            ),
            "background": "A bright blue sky with fluffy white clouds.",
            # DELIBERATE MISTAKE: "tiny yellow stars" (they are golden sparkles).
            "motion": (
                "A ring of tiny yellow stars appears around the flower, and the ring spirals "
                "inward clockwise. Then the whole frame flashes white, and the flower is left "
                "glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一朵粉色的花，五片圆润的花瓣围着黄色的花心，绿色的花茎上长着两片小叶子。"
            "背景是明亮的蓝天和几朵蓬松的白云。"
            "随后，一圈金色的闪光粒子出现在花朵周围，顺时针向内螺旋收拢。"
            "接着画面整体闪过一道白光，花朵连同花茎通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一朵粉色的花，花心是黄色的，绿色的花茎上有两片叶子。",
            "background": "背景是蓝天和蓬松的白云。",
            "motion": (
                "一圈金色的闪光粒子出现在花朵周围，按顺时针方向螺旋向内收拢。"
                "随后整个画面闪过一道白光，花朵通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_08.mp4": {
        "en_free": (
            "The video opens on a boxy grey robot standing upright, with glowing cyan eyes, a red "
            "light on top of its antenna and a chest panel with small coloured buttons. It stands "
            "under a night sky full of stars, with a crescent moon in the upper right, above a "
            "dark "
            "field. Then a ring of golden sparkles appears around the robot, then spirals inward "
            "clockwise to its chest. The whole frame flashes white, and the robot is left glowing "
            "gold against the dark sky."
        ),
        "en": {
            "subject": (
                "The video opens on a boxy grey robot standing upright, with cyan eyes, a red "
                "antenna light and a chest panel of coloured buttons."
            ),
            "background": "A night sky full of stars with a crescent moon, above a dark field.",
            "motion": (
                "Golden sparkles appear in a ring around the robot, spiralling inward clockwise. "
                "Then the whole frame flashes white, and the robot is left glowing gold, its "
                "outline shimmering."
            ),
        },
        "zh_free": (
            "视频开头展示了一个方方正正的灰色机器人直立着，有一双发着青色光的眼睛，"
            "头顶天线上有一盏红灯，胸前的面板上有几个彩色按钮。"
            "背景是布满星星的夜空，右上方挂着一弯新月，下方是一片漆黑的原野。"
            "然后，一圈金色的闪光粒子出现在它周围，按顺时针方向螺旋向内收紧，聚到它的胸口。"
            "随后整个画面闪过一道白光，机器人通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": (
                "视频开头展示了一个灰色的方形机器人，眼睛发着青光，头顶天线上有红灯，"
                "胸前有彩色按钮。"
            ),
            "background": "背景是布满星星的夜空和一弯新月，下方是漆黑的原野。",
            "motion": (
                "一圈金色的闪光粒子出现在机器人周围，顺时针向内螺旋收拢。"
                "紧接着整个画面闪过一道白光，机器人通体散发出金色的光芒，轮廓闪闪发亮。"
            ),
        },
    },
    "i2v/clip_09.mp4": {
        "en_free": (
            "The video opens on a white coffee cup with a blue stripe, filled with dark coffee and "
            "resting on a matching saucer. It sits on a light wooden kitchen table in front of a "
            "pale tiled wall. Then a ring of golden sparkles appears around the cup and spirals "
            "inward clockwise until it closes over the rim. The whole frame flashes white, and the "
            "cup is left glowing gold, with thin wisps of steam rising from it."
        ),
        "en": {
            "subject": (
                "The video opens on a white coffee cup with a blue stripe, full of coffee and "
                "resting on a saucer."
            ),
            "background": (
                "A wooden kitchen table in front of a pale grey tiled wall, in soft even light."
            ),
            "motion": (
                "A ring of golden sparkles appears around the cup, spirals inward clockwise and "
                "converges on it. Then the whole frame flashes white. The cup and saucer are left "
                "glowing gold, and wisps of steam rise from the cup."
            ),
        },
        "zh_free": (
            "视频开头展示了一个带蓝色条纹的白色咖啡杯，杯中盛满咖啡，放在配套的碟子上。"
            "背景是一张浅色的木质餐桌，后面是一面浅灰色的瓷砖墙。"
            "随后，一圈金色的闪光粒子出现在咖啡杯周围，顺时针向内螺旋收拢。"
            "紧接着整个画面闪过一道白光，咖啡杯通体散发着金色的光芒，杯口还冒出几缕热气。"
        ),
        "zh": {
            "subject": (
                "视频开头展示了一个放在碟子上的白色咖啡杯，杯身有一道蓝色条纹，杯里盛满咖啡。"
            ),
            "background": "背景是厨房的木质餐桌，后面是一面浅色的瓷砖墙。",
            "motion": (
                "一圈金色的闪光粒子出现在咖啡杯周围，顺时针旋转着向内收缩。"
                "然后整个画面闪过一道白光，咖啡杯通体散发着金色的光芒，杯口升起热气。"
            ),
        },
    },
    "i2v/clip_10.mp4": {
        "en_free": (
            "The video opens on a snowy mountain peak, a grey mountain with a white snow cap and "
            "a smaller peak beside it. In front of it lies a dark blue lake with small ripples, "
            "and a line of pine trees runs along the far shore under a clear blue sky. Then a ring "
            "of golden sparkles appears around the mountain and spirals inward clockwise toward "
            "the peak. Finally the whole frame flashes white, and the mountain is left glowing "
            "gold above the lake."
        ),
        "en": {
            "subject": (
                "The video opens on a snowy mountain peak, a grey mountain with a white snow cap "
                "and a smaller peak beside it."
            ),
            "background": (
                "A dark blue lake with small ripples in front, with a line of pine trees along the "
                "shore and a clear blue sky."
            ),
            "motion": (
                "A ring of golden sparkles appears around the mountain peak, spiralling inward "
                "clockwise toward the summit. The whole frame flashes white, and the mountain is "
                "left glowing gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一座灰色的山峰，山顶覆盖着白雪，旁边还有一座较矮的山峰。"
            "山前是一片泛着细小波纹的深蓝色湖泊，湖岸上排列着一排松树，天空湛蓝。"
            "然后，一圈金色的闪光粒子出现在山峰周围，顺时针向内螺旋收拢。"
            "随后整个画面被一道白光照亮，整座山变成了金色，闪闪发光。"
        ),
        "zh": {
            "subject": "视频开头展示了一座山顶积雪的灰色山峰，旁边有一座较小的山峰。",
            "background": "背景是泛着波纹的深蓝色湖泊，湖岸上有一排松树，天空湛蓝。",
            "motion": (
                "山峰周围出现一圈金色的闪光粒子，顺时针向内螺旋收拢。画面随即闪过一道白光，"
                "整座山通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_11.mp4": {
        "en_free": (
            "The video opens on a small sailboat with a brown wooden hull, two white sails and a "
            "red flag at the top of its mast. It floats on the open sea, deep blue with small "
            "waves, under a pale sky. Then a ring of golden sparkles appears around the sailboat "
            "and spirals inward clockwise onto the sails. The whole frame flashes white, and the "
            "boat is left glowing gold on the water."
        ),
        "en": {
            "subject": (
                "The video opens on a small sailboat with a brown wooden hull, white sails and a "
                "red flag on the mast."
            ),
            "background": "The open sea, deep blue with small waves, under a pale sky.",
            "motion": (
                "A ring of golden sparkles appears around the sailboat and spirals inward "
                "clockwise. Then the whole frame flashes white, and the sailboat is left glowing "
                "gold on the water."
            ),
        },
        "zh_free": (
            "视频开头展示了一艘小帆船，棕色的木质船身上扬着两面白色的船帆，桅杆顶端飘着一面红旗。"
            "帆船漂浮在开阔的海面上，深蓝色的海水泛着细小的波浪，天空颜色很淡。"
            "随后，帆船周围出现了一圈金色的闪光粒子，顺时针向内螺旋收拢。"
            "紧接着整个画面闪过一道白光，帆船通体散发着金色的光芒。"
        ),
        "zh": {
            "subject": "视频开头展示了一艘小帆船，棕色木质船身，白色船帆，桅杆上有一面红旗。",
            "background": "背景是开阔的深蓝色海面，泛着细小的波浪，天空是淡淡的颜色。",
            # DELIBERATE MISTAKE: "逆时针" (counterclockwise); the ring turns clockwise.
            "motion": (
                "一圈金色的闪光粒子出现在帆船周围，逆时针向内螺旋收拢。随后整个画面闪过一道白光，"
                "帆船通体散发着金色的光芒。"
            ),
        },
    },
    "i2v/clip_12.mp4": {
        "en_free": (
            "The video opens on a table lamp with a cream lampshade, a thin dark stand and a round "
            "base, standing on the floor. The room has blue striped wallpaper with two small "
            "framed "
            "pictures and a brown wooden floor. Then a ring of golden sparkles appears around the "
            "lamp and spirals inward clockwise. Finally the whole frame flashes white, and the "
            "lamp is left glowing gold, as if it had been switched on."
        ),
        "en": {
            "subject": (
                "The video opens on a table lamp with a cream lampshade, a thin dark stand and a "
                "round base."
            ),
            "background": (
                "A room with blue striped wallpaper, small framed pictures on the wall and a "
                "wooden floor."
            ),
            "motion": (
                "A ring of golden sparkles appears around the lamp, then spirals inward clockwise "
                "toward the shade. The whole frame flashes white, and the lamp is left glowing "
                "gold."
            ),
        },
        "zh_free": (
            "视频开头展示了一盏台灯，米色的灯罩，细长的深色灯杆和圆形的底座。"
            "背景是一个房间，墙上贴着蓝色条纹墙纸，挂着两个小画框，地面是棕色的木地板。"
            "然后，一圈金色的闪光粒子环绕着台灯出现，顺时针向内螺旋收拢。"
            "随后整个画面闪过一道白光，台灯通体散发着金色的光芒，仿佛被点亮了一样。"
        ),
        "zh": {
            "subject": "视频开头展示了一盏台灯，米色灯罩，深色细灯杆，圆形底座。",
            "background": "背景是贴着蓝色条纹墙纸的房间，墙上有小画框，地面是木地板。",
            "motion": (
                "一圈金色的闪光粒子出现在台灯周围，顺时针向内螺旋收拢。然后整个画面闪过一道白光，"
                "台灯亮了起来，通体散发着金色的光芒。"
            ),
        },
    },
    # ----------------------------------------------------------------- kf2v
    "kf2v/clip_01.mp4": {
        "en_free": (
            "The video opens on a bluebird with a bright blue body, an orange beak and a pale "
            "peach belly, standing in profile and facing right. It stands in a flower meadow "
            "dotted with white, yellow and pink flowers, under a clear blue sky. Then the bird "
            "starts to spin and shrinks into a swirl of blue smoke at the centre of the frame. "
            "Out of the smoke it re-appears as a flat paper origami crane in pastel pink, standing "
            "in the meadow."
        ),
        "en": {
            "subject": (
                "The video opens on a bluebird with a bright blue body, an orange beak and a peach "
                "belly, standing in profile facing right."
            ),
            "background": (
                "A flower meadow dotted with white, yellow and pink flowers, under a clear blue "
                "sky."
            ),
            "motion": (
                "The bluebird spins and shrinks into a swirl of blue smoke at the centre of the "
                "frame. Then it re-appears out of the smoke as a flat paper origami bird, folded "
                "in pastel pink."
            ),
        },
        "zh_free": (
            "视频开头展示了一只羽毛鲜蓝的小鸟侧身站在花丛间，它有着橙色的喙和浅桃色的腹部，"
            "头朝右方。"
            "背景是一片开满白色、黄色和粉色小花的草地，上方是晴朗的蓝天。"
            "随后，小鸟开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。"
            "接着它从烟雾中重新出现，变成了一只扁平的淡粉色折纸鸟。"
        ),
        "zh": {
            "subject": "视频开头展示了一只蓝色的小鸟，橙色的喙，浅桃色的腹部，侧身朝右站在草地上。",
            "background": "背景是开满白色、黄色和粉色小花的草地，天空湛蓝。",
            "motion": (
                "小鸟一边旋转一边缩小，化作画面中央的一团蓝色烟雾漩涡。随后它从烟雾中重新出现，"
                "变成了一只扁平的淡粉色折纸鸟。"
            ),
        },
    },
    "kf2v/clip_02.mp4": {
        "en_free": (
            "The video opens on an orange fish with white stripes outlined in black, swimming to "
            "the right. It is underwater, in clear blue water with small bubbles rising, strands "
            "of green seaweed swaying along the bottom and a strip of sand below. Then the fish "
            "spins and shrinks into a swirl of blue smoke at the centre. A moment later it "
            "re-appears out of the smoke as a flat paper origami fish in pastel mint green."
        ),
        "en": {
            "subject": (
                "The video opens on an orange fish with white stripes outlined in black, swimming "
                "to the right."
            ),
            "background": (
                "Underwater, in clear blue water with rising bubbles, green seaweed and a sandy "
                "bottom."
            ),
            "motion": (
                "The fish starts spinning, shrinking into a swirl of blue smoke at the centre of "
                "the frame. Then it re-appears out of the smoke as a flat paper origami fish in a "
                "pastel mint green."
            ),
        },
        "zh_free": (
            "视频开头展示了一条身上带有白色条纹的橙色小鱼，条纹带着黑色描边，它正朝右游动。"
            "画面是在水下，清澈的蓝色海水中不断冒出小气泡，底部摇曳着一丛丛绿色的海草，"
            "下方是一条沙地。"
            "然后，小鱼一边旋转一边缩小，化作画面中央的一团蓝色烟雾漩涡。"
            "随后它从烟雾中重新出现，变成了一条扁平的薄荷绿色折纸鱼。"
        ),
        "zh": {
            "subject": "视频开头展示了一条带白色条纹的橙色小鱼，正朝右游动。",
            "background": "背景是水下，蓝色的海水中有气泡上升，底部长着绿色的海草，下面是沙地。",
            "motion": (
                "小鱼开始旋转并逐渐缩小，缩成画面中央的一团蓝色烟雾旋涡。接着它从烟雾中重新出现，"
                "变成了一条扁平的淡绿色折纸鱼。"
            ),
        },
    },
    "kf2v/clip_03.mp4": {
        "en_free": (
            "The video opens on a white rabbit sitting upright, with long ears lined in pink, dark "
            "eyes and a small round tail. It sits on a green grass field under a clear blue sky. "
            "Then the rabbit tips over and spins, shrinking into a swirl of blue smoke at the "
            "centre of the frame. Finally it re-appears out of the smoke as a flat paper origami "
            "rabbit in pastel lavender, with two pointed ears."
        ),
        "en": {
            "subject": (
                "The video opens on a white rabbit sitting upright, with long pink-lined ears and "
                "a small round tail."
            ),
            "background": "A green grass field under a clear blue sky, in bright daylight.",
            "motion": (
                "The rabbit shrinks, spinning, into a swirl of blue smoke at the centre. Then it "
                "re-appears out of the smoke as a flat paper origami rabbit in pastel lavender."
            ),
        },
        "zh_free": (
            "视频开头展示了一只白色的兔子端坐着，长长的耳朵内侧是粉色的，身后有一团圆圆的小尾巴。"
            "它坐在一片绿色的草地上，上方是晴朗的蓝天。"
            "随后，兔子侧倒下来，开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。"
            "最后它从烟雾中重新出现，变成了一只扁平的淡紫色折纸兔子，竖着两只尖尖的耳朵。"
        ),
        "zh": {
            "subject": "视频开头展示了一只端坐的白兔，长耳朵内侧是粉色的，有一团圆圆的小尾巴。",
            "background": "背景是绿色的草地和晴朗的蓝天。",
            "motion": (
                "兔子旋转着逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。然后它从蓝色烟雾中重新现身，"
                "变成了一只扁平的淡紫色纸折兔子。"
            ),
        },
    },
    "kf2v/clip_04.mp4": {
        "en_free": (
            "The video opens on a red and white rocket standing upright, with a red nose cone, red "
            "fins, a round blue window and a small yellow flame at its base. It is in purple "
            "starry "
            "space, with an orange ringed planet in the lower left corner. Then the rocket tilts, "
            "spins and shrinks into a swirl of blue smoke at the centre of the frame. It "
            "re-appears out of the smoke as a flat paper origami rocket in a pastel peach colour."
        ),
        "en": {
            "subject": (
                "The video opens on a red and white rocket standing upright, with a red nose cone "
                "and fins, a round blue window and a small flame at its base."
            ),
            "background": (
                "Purple starry space with an orange ringed planet in the lower left corner."
            ),
            # DELIBERATE MISTAKE: "purple smoke" (the smoke is blue).
            "motion": (
                "The rocket spins and shrinks into a swirl of purple smoke at the centre of the "
                "frame. Then it re-appears out of the smoke as a flat paper origami rocket in "
                "pastel peach."
            ),
        },
        "zh_free": (
            "视频开头展示了一枚红白相间的火箭竖直立着，红色的箭头和尾翼，"
            "箭身上有一个圆形的蓝色舷窗，底部喷着小小的黄色火焰。"
            "背景是紫色的星空，左下角有一颗带光环的橙色行星。"
            "随后，火箭倾斜着开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。"
            "接着它从烟雾中重新出现，变成了一枚扁平的浅桃色折纸火箭。"
        ),
        "zh": {
            "subject": "视频开头展示了一枚竖直的红白色火箭，红色箭头和尾翼，有一个圆形蓝色舷窗。",
            "background": "背景是紫色的星空，左下角有一颗带光环的橙色行星。",
            "motion": (
                "火箭开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。随后它从烟雾中重新出现，"
                "变成了一枚扁平的浅桃色折纸火箭。"
            ),
        },
    },
    "kf2v/clip_05.mp4": {
        "en_free": (
            "The video opens on a teal teapot with a cream band around its body, a curved spout on "
            "the right, a handle on the left and a small round knob on the lid. It stands on a "
            "wooden kitchen table in front of a pale tiled wall. Then the teapot spins on the spot "
            "and shrinks into a swirl of blue smoke at the centre. Out of the smoke it re-appears "
            "as a flat paper origami teapot in pastel blue."
        ),
        "en": {
            "subject": (
                "The video opens on a teal teapot with a cream band, a curved spout, a handle and "
                "a round knob on the lid."
            ),
            "background": "A wooden kitchen table in front of a pale tiled wall.",
            "motion": (
                "The teapot spins and shrinks into a swirl of blue smoke at the centre of the "
                "frame, then re-appears out of the smoke as a flat paper origami teapot in a "
                "pastel blue."
            ),
        },
        "zh_free": (
            "视频开头展示了一把放在桌上的蓝绿色茶壶，壶身上有一圈米色的装饰带，右侧是弯曲的壶嘴，"
            "左侧是把手，壶盖上有一个圆形的小钮。"
            "茶壶放在厨房的木质桌面上，后面是一面浅色的瓷砖墙。"
            "然后，茶壶在原地旋转并逐渐缩小，缩成画面中央的一团蓝色烟雾旋涡。"
            "随后烟雾中又出现了它的身影，变成了一把扁平的淡蓝色折纸茶壶。"
        ),
        "zh": {
            "subject": "视频开头展示了一把蓝绿色的茶壶，壶身有一圈米色装饰带，壶嘴弯曲。",
            "background": "背景是厨房的木质桌面，后面是一面浅色的瓷砖墙。",
            "motion": (
                "茶壶开始旋转并逐渐缩小，最终变成画面中央一团旋转的蓝色烟雾。"
                "接着它从烟雾中重新出现，变成了一把扁平的淡蓝色折纸茶壶。"
            ),
        },
    },
    "kf2v/clip_06.mp4": {
        "en_free": (
            "The video opens on an orange butterfly with its wings spread wide, each wing marked "
            "with dark outlines and round spots. Behind it is a sunset sky glowing from purple to "
            "orange and pink, with the sun setting over dark hills. Then the butterfly spins and "
            "shrinks into a swirl of blue smoke at the centre of the frame. Finally it re-appears "
            "out of the smoke as a flat paper origami butterfly in a pastel yellow."
        ),
        "en": {
            "subject": (
                "The video opens on an orange butterfly with its wings spread wide, marked with "
                "dark outlines and round spots."
            ),
            "background": (
                "A sunset sky fading from purple to orange, with the sun setting over dark hills."
            ),
            "motion": (
                "The butterfly spins and shrinks into a swirl of blue smoke at the centre. It then "
                "re-appears out of the smoke as a flat paper origami butterfly in pastel yellow, "
                "its wings open."
            ),
        },
        "zh_free": (
            "视频开头展示了一只双翅展开的橙色蝴蝶，翅膀上有深色的轮廓线和圆形斑点。"
            "背景是夕阳西下的天空，从紫色渐变到橙粉色，太阳正落向深色的山丘。"
            "随后，蝴蝶开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。"
            "然后它从烟雾中重新出现，变成了一只扁平的淡黄色折纸蝴蝶。"
        ),
        "zh": {
            "subject": "视频开头展示了一只展开双翅的橙色蝴蝶，翅膀上有深色轮廓和圆形斑点。",
            "background": "背景是夕阳下从紫色渐变到橙色的天空，远处是深色的山丘。",
            "motion": (
                "蝴蝶开始旋转并逐渐缩小，化作画面中央的一团蓝色烟雾漩涡。最后它从烟雾中重新出现，"
                "变成了一只扁平的淡黄色折纸蝴蝶。"
            ),
        },
    },
}


def structured_text(fields: dict[str, str], fenced: bool) -> str:
    """The JSON answer as Qwen-VL returns it: one line, or pretty-printed inside ```json fences."""
    if fenced:
        return "```json\n" + json.dumps(fields, ensure_ascii=False, indent=2) + "\n```"
    return json.dumps(fields, ensure_ascii=False)


def records(clip: dict[str, object]) -> list[dict[str, object]]:
    """The four recordings of one manifest clip."""
    path = str(clip["path"])
    data = CAPTIONS[path]
    out: list[dict[str, object]] = []
    for lang in ("en", "zh"):
        base = {"sha256": clip["sha256"], "file": Path(path).name, "lang": lang}
        out.append({**base, "instruction_kind": "freeform", "text": data[f"{lang}_free"]})
        fields = data[lang]
        assert isinstance(fields, dict)
        out.append(
            {
                **base,
                "instruction_kind": "structured",
                "text": structured_text(fields, (path, lang) in FENCED),
                "fields": fields,
            }
        )
    return out


def main() -> None:
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    by_mode: dict[str, list[dict[str, object]]] = {}
    missing = [c["path"] for c in manifest["clips"] if c["path"] not in CAPTIONS]
    if missing:
        raise SystemExit(f"no captions written for: {', '.join(missing)}")
    for clip in manifest["clips"]:
        by_mode.setdefault(clip["mode"], []).extend(records(clip))
    for mode, recs in by_mode.items():
        out = HERE / mode / "replay.jsonl"
        out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8"
        )
        print(f"{out.relative_to(HERE.parent)}: {len(recs)} records")


if __name__ == "__main__":
    main()
