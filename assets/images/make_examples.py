"""Regenerate the example image and PDF used by playlists/*.yaml (drawn with Pillow).

    .venv/bin/python assets/images/make_examples.py

Outputs: assets/images/lobby-floorplan.png (一楼大厅办事区示意图) and
assets/documents/application-form.pdf (政府信息公开申请表, two pages).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SC = 2  # Simplified Chinese face


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(BOLD if bold else FONT, size, index=SC)


def floorplan() -> None:
    w, h = 1280, 720
    img = Image.new("RGB", (w, h), "#f4f1e8")
    d = ImageDraw.Draw(img)
    d.text(
        (w // 2, 48),
        "红花尔基镇人民政府 一楼大厅办事区示意图",
        font=font(40, True),
        fill="#7a1f1f",
        anchor="mm",
    )
    d.rectangle((60, 100, w - 60, h - 60), outline="#5b4a3a", width=6)
    rooms = [
        ((80, 120, 400, 330), "政务公开栏", "#e7d7b5"),
        ((420, 120, 860, 330), "办事窗口 1—4 号", "#cfe0c8"),
        ((880, 120, 1200, 330), "党政办公室\n（依申请公开受理）", "#d6e2ef"),
        ((80, 420, 400, 640), "电子显示屏", "#f0d2cc"),
        ((880, 420, 1200, 640), "休息等候区", "#e9e2f2"),
    ]
    for box, label, colour in rooms:
        d.rectangle(box, fill=colour, outline="#5b4a3a", width=3)
        cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
        d.multiline_text(
            (cx, cy), label, font=font(32), fill="#222222", anchor="mm", align="center", spacing=10
        )
    d.rectangle((560, h - 66, 720, h - 54), fill="#f4f1e8")
    d.text((640, h - 30), "大门 ▲", font=font(28, True), fill="#222222", anchor="mm")
    d.text((640, 470), "咨询电话 0470-8942932", font=font(30), fill="#333333", anchor="mm")
    d.multiline_text(
        (640, 560),
        "办公时间（工作日）\n8:30—12:00　14:30—17:30",
        font=font(26),
        fill="#333333",
        anchor="mm",
        align="center",
        spacing=8,
    )
    img.save(HERE / "lobby-floorplan.png", optimize=True)


def form_page(title: str, rows: list[str], note: str) -> Image.Image:
    w, h = 1240, 1754  # A4 at 150 dpi
    img = Image.new("RGB", (w, h), "white")
    d = ImageDraw.Draw(img)
    d.text((w // 2, 150), title, font=font(56, True), fill="black", anchor="mm")
    y = 260
    for row in rows:
        d.rectangle((120, y, w - 120, y + 110), outline="black", width=3)
        d.line((420, y, 420, y + 110), fill="black", width=3)
        d.text((270, y + 55), row, font=font(32), fill="black", anchor="mm")
        y += 110
    d.multiline_text((120, y + 60), note, font=font(28), fill="black", spacing=16)
    return img


def application_form() -> None:
    p1 = form_page(
        "政府信息公开申请表",
        [
            "申请人姓名",
            "证件类型及号码",
            "联系电话",
            "通信地址",
            "电子邮箱",
            "所需信息名称",
            "所需信息用途",
            "获取方式",
            "申请日期",
        ],
        "填写说明：\n1. 所需信息请尽量写明文件名称、文号或其他特征描述。\n"
        "2. 获取方式可选：纸质、电子邮件、当面领取。\n3. 表格可在党政办公室领取，也可自行打印。",
    )
    p2 = form_page(
        "受理回执（由工作人员填写）",
        ["受理编号", "受理日期", "受理人", "答复期限", "备注"],
        "依照《中华人民共和国政府信息公开条例》，能够当场答复的当场答复；\n"
        "不能当场答复的，自收到申请之日起 20 个工作日内予以答复；\n"
        "需要延长答复期限的，经批准可延长，延长期限最长不超过 20 个工作日。",
    )
    out = HERE.parent / "documents" / "application-form.pdf"
    p1, p2 = p1.convert("1"), p2.convert("1")
    p1.save(out, save_all=True, append_images=[p2], resolution=150)


if __name__ == "__main__":
    floorplan()
    application_form()
