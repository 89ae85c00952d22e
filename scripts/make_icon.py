"""Draw the addon's icon (pareto_odoo/static/description/icon.png) with Pillow.

A pie whose 20% wedge, the SME share target, is pulled out in green.

    python scripts/make_icon.py
"""

import math
import pathlib

from PIL import Image, ImageDraw

SIZE, SCALE = 128, 4  # drawn 4x larger, then downsampled for smooth edges
OUT = pathlib.Path(__file__).resolve().parent.parent / "pareto_odoo/static/description/icon.png"


def main():
    big = SIZE * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=22 * SCALE, fill=(35, 61, 94, 255))
    center, radius = big / 2, 40 * SCALE
    box = (center - radius, center - radius, center + radius, center + radius)
    # 80%: the rest of the spend, from -18 deg clockwise (PIL angles run clockwise from 3 o'clock).
    draw.pieslice(box, start=54, end=342, fill=(214, 222, 232, 255))
    # 20%: the SME share, pulled out along its bisector (18 deg).
    shift = 9 * SCALE
    dx, dy = shift * math.cos(math.radians(18)), shift * math.sin(math.radians(18))
    draw.pieslice(
        (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy),
        start=-18,
        end=54,
        fill=(46, 174, 96, 255),
    )
    image.resize((SIZE, SIZE), Image.LANCZOS).save(OUT, optimize=True)
    print(OUT)


if __name__ == "__main__":
    main()
