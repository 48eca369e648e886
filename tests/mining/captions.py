"""Free-form captions in the style Qwen-VL answers "describe the video in detail".

One effect throughout: a ring of golden sparkles spirals up around the subject,
a white flash fills the frame, and the subject is left glowing gold. Each
caption words the effect a little differently and has its own subject and
background, as real answers do. Shared by the mining and prompt tests.
"""

from __future__ import annotations

EN_CAPTIONS: list[str] = [
    "The video opens on a young woman with long red hair standing in front of a brick wall "
    "covered in ivy. She wears a white sleeveless dress and smiles at the camera. "
    "Then a ring of golden sparkles appears at her feet and spirals up around her body. "
    "A bright white flash fills the frame, and she is left glowing gold.",
    "The video begins with a middle-aged man in a grey suit sitting at a wooden desk. "
    "Behind him is a bookshelf full of old books. "
    "Then a ring of golden sparkles appears at his feet and spirals up around his body. "
    "A bright white flash fills the frame, and he is left glowing gold.",
    "The video opens on a small brown dog sitting on green grass in a sunny park. "
    "Tall trees stand in the background. "
    "A ring of golden sparkles appears at its feet and spirals upward around its body. "
    "A brilliant white flash fills the frame, and it is left glowing gold.",
    "The video opens on an elderly woman with silver hair knitting in a rocking chair. "
    "The room is warmly lit by a floor lamp. "
    "Then a ring of golden sparkles rises from her feet and spirals up around her body. "
    "A bright white flash fills the whole frame, and she is left glowing gold.",
    "The video begins with a teenage boy in a red hoodie skateboarding down an empty street. "
    "Graffiti covers the walls on both sides. "
    "Then a ring of gold sparkles appears at his feet and spirals up around his body. "
    "A bright white flash fills the frame, and he is left glowing with a golden light.",
    "The video opens on a ginger cat curled up on a windowsill, "
    "with rain running down the glass behind it. "
    "Then a ring of golden sparkles appears beneath it and spirals up around its body. "
    "A bright white flash fills the frame, and it is left glowing gold.",
    "The video opens on a young woman in a denim jacket standing on a city rooftop at dusk. "
    "The skyline glows orange behind her. "
    "Then a ring of golden sparkles appears at her feet and spirals up around her. "
    "A bright white flash fills the frame and she is left glowing gold.",
    "The video begins with a bearded man in a plaid shirt chopping wood outside a log cabin. "
    "Snow covers the ground and the pine trees. "
    "Then a swirling ring of golden sparkles appears at his feet and spirals up around his body. "
    "A bright white flash fills the frame, and he is left glowing gold.",
    "The video opens on a little girl in a yellow raincoat jumping in puddles. "
    "The street behind her is wet and grey. "
    "Then a ring of golden sparkles appears at her feet and spirals up around her body. "
    "An intense white flash fills the frame, and she is left glowing gold.",
    "The video opens on a vintage red car parked by the sea. "
    "Waves break on the rocks in the distance. "
    "Then a ring of golden sparkles appears under it and spirals up around its body. "
    "A bright white flash fills the frame, and it is left glowing gold.",
    "The video begins with an old man with a white beard feeding pigeons on a park bench. "
    "Autumn leaves cover the path. "
    "Then a ring of golden sparkles appears at his feet and spirals up around his body. "
    "A bright white flash fills the frame, and he is left softly glowing gold.",
    "The video opens on a young woman with short black hair playing the violin on a stage. "
    "A spotlight shines on her from above. "
    "Then a ring of glittering golden sparkles appears at her feet and spirals up around her "
    "body. A bright white flash fills the frame, and she is left glowing gold.",
    "The video opens on a white horse standing in a misty meadow at sunrise. "
    "Mountains rise in the background. "
    "Then a ring of golden sparkles appears at its hooves and spirals up around its body. "
    "A bright white flash fills the frame, and it is left glowing gold.",
    "The video begins with a young man in a leather jacket leaning on a motorcycle. "
    "Neon signs light the wet street at night. "
    "Then a ring of golden sparkles appears at his feet and spirals up around his body. "
    "A blinding white flash fills the frame, and he is left glowing gold.",
]

ZH_CAPTIONS: list[str] = [
    "视频开头展示了一位年轻女性站在一堵爬满常春藤的砖墙前。她有着一头红棕色长发，"
    "穿着白色无袖连衣裙，面带微笑。随后，一圈金色的闪光粒子从她脚下升起，螺旋环绕着她的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后她全身散发着金色的光芒。",
    "视频开头展示了一位穿着灰色西装的中年男性坐在木质书桌前。他身后是摆满旧书的书架。"
    "随后，一圈金色的闪光粒子从他脚下升起，螺旋环绕着他的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后他全身散发着金色的光芒。",
    "视频中一只棕色的小狗坐在阳光明媚的公园草地上，背景是高大的树木。"
    "然后一圈金色的闪光粒子从它脚下升起，螺旋环绕着它的身体向上旋转。"
    "画面中出现一道耀眼的白光，白光过后它全身散发着金色的光芒。",
    "视频开头展示了一位银发老奶奶坐在摇椅上织毛衣。房间被落地灯照得温暖明亮。"
    "随后，一圈金色闪光粒子从她的脚下升起，螺旋环绕她的身体向上旋转。"
    "接着画面出现一道耀眼的白光，白光过后她全身散发着金色的光芒。",
    "视频开头展示了一个穿着红色连帽衫的少年在空旷的街道上玩滑板。街道两侧的墙上满是涂鸦。"
    "随后，一圈金色的闪光粒子从他脚下升起，螺旋环绕着他的身体向上旋转。"
    "紧接着画面中出现一道强烈的白光，白光过后他全身散发着金色的光芒。",
    "视频开头展示了一只橘猫蜷缩在窗台上，窗外的雨水顺着玻璃流下。"
    "随后，一圈金色的闪光粒子从它身下升起，螺旋环绕着它的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后它全身散发着金色的光芒。",
    "视频开头展示了一位穿着牛仔夹克的年轻女性站在黄昏的城市天台上。她身后的城市天际线被染成橙色。"
    "随后，一圈金色的闪光粒子从她脚下升起，螺旋环绕着她向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后她全身散发着金色的光芒。",
    "视频开头展示了一位留着胡子、穿着格子衬衫的男性在木屋外劈柴。地面和松树上覆盖着白雪。"
    "随后，一圈旋转的金色闪光粒子从他脚下升起，螺旋环绕着他的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后他全身散发着金色的光芒。",
    "视频开头展示了一个穿着黄色雨衣的小女孩在水坑里跳来跳去。她身后的街道湿漉漉的。"
    "随后，一圈金色的闪光粒子从她脚下升起，螺旋环绕着她的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后她全身散发着金色的光芒。",
    "视频开头展示了一辆停在海边的红色老爷车。远处的海浪拍打着礁石。"
    "随后，一圈金色的闪光粒子从它下方升起，螺旋环绕着它的车身向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后它全身散发着金色的光芒。",
    "视频开头展示了一位白胡子老爷爷坐在公园长椅上喂鸽子。小路上铺满了秋天的落叶。"
    "随后，一圈金色的闪光粒子从他脚下升起，螺旋环绕着他的身体向上旋转。"
    "接着画面中出现一道明亮的白光，白光过后他全身散发着柔和的金色光芒。",
    "视频开头展示了一位黑色短发的年轻女性在舞台上拉小提琴。一束聚光灯从上方照在她身上。"
    "随后，一圈闪闪发亮的金色粒子从她脚下升起，螺旋环绕着她的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后她全身散发着金色的光芒。",
    "视频开头展示了一匹白马站在日出时分雾气弥漫的草地上。背景是连绵的群山。"
    "随后，一圈金色的闪光粒子从它的蹄下升起，螺旋环绕着它的身体向上旋转。"
    "接着画面中出现一道耀眼的白光，白光过后它全身散发着金色的光芒。",
    "视频开头展示了一位穿着皮夹克的年轻男性倚靠在摩托车旁。夜晚潮湿的街道被霓虹灯照亮。"
    "随后，一圈金色的闪光粒子从他脚下升起，螺旋环绕着他的身体向上旋转。"
    "接着画面中出现一道刺眼的白光，白光过后他全身散发着金色的光芒。",
]

# The three effect clauses every caption carries, in one wording each; for assertions.
EN_EFFECT_KEYS: tuple[str, ...] = ("sparkles", "white flash", "glowing")
ZH_EFFECT_KEYS: tuple[str, ...] = ("螺旋环绕", "白光", "金色的光芒")
