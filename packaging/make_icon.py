"""Draw the application icon (a grid over a house) into app.ico and app.png.

Run once after changing the design: ``python packaging/make_icon.py``.  The
drawing is original and made here with Pillow, so the icon has no licence of its own.
The files are committed; the build (build.spec) and the window (ui/app.py) use them.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)
RED = (196, 30, 36, 255)        # the red of Chinese official documents
WHITE = (255, 255, 255, 255)
GOLD = (242, 196, 58, 255)


def draw(size: int = 1024) -> Image.Image:
    """The icon at ``size`` pixels: a red rounded square, a white house, a gold grid over it."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    s = size / 64
    d.rounded_rectangle([2 * s, 2 * s, 62 * s, 62 * s], radius=12 * s, fill=RED)
    # the house: roof and body
    d.polygon([(32 * s, 9 * s), (55 * s, 29 * s), (9 * s, 29 * s)], fill=WHITE)
    d.rectangle([15 * s, 28 * s, 49 * s, 54 * s], fill=WHITE)
    # the grid over the body: 3 × 3 cells of the ledger
    width = max(1, round(2.6 * s))
    for i in range(4):
        x = 18 * s + i * 9.33 * s
        y = 31 * s + i * 7.33 * s
        d.line([(x, 31 * s), (x, 53 * s)], fill=GOLD, width=width)
        d.line([(18 * s, y), (46 * s, y)], fill=GOLD, width=width)
    return img


def main() -> None:
    big = draw()
    big.resize((256, 256), Image.LANCZOS).save(HERE / "app.png")
    big.save(HERE / "app.ico", sizes=[(n, n) for n in SIZES])


if __name__ == "__main__":
    main()
