"""The clerk's guide (docs/user-guide.md) and its pictures (docs/images/, made by docs/make_shots.py).

Checks files only: making the pictures takes a minute (``python docs/make_shots.py``) and is
not part of the suite.  Fails when the guide names a picture that does not exist, when a
chapter has no picture, when a registered shot is not used by the guide (or a picture in
docs/images/ is used by nothing), and when a picture is not a real screenshot (wrong size,
or all one colour).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDE = DOCS / "user-guide.md"
IMAGES = DOCS / "images"
WINDOW_SIZE = (1366, 768)
#: a picture of a real window has anti-aliased text: far more colours than this
MIN_COLOURS = 16

PICTURE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def named_pictures(text: str) -> list[tuple[str, str]]:
    """(caption, relative path) of every ``![说明](images/NAME.png)`` in ``text``."""
    return PICTURE.findall(text)


def chapters(text: str) -> dict[str, str]:
    """``## `` heading → the text up to the next ``## `` heading (code blocks ignored)."""
    out: dict[str, str] = {}
    current = None
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            current = line[3:].strip()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def registered_shots() -> list[str]:
    """The names registered with ``@shot("NAME", …)`` in docs/make_shots.py (read, not run)."""
    return re.findall(r'^@shot\("([^"]+)"', (DOCS / "make_shots.py").read_text(encoding="utf-8"), re.M)


# -- the rules, on small texts (each rule can fail) -----------------------------------------------

def test_the_rules_catch_a_chapter_without_picture_and_a_missing_name():
    text = "# 说明\n\n## 一\n\n![图](images/a.png)\n\n```\n## 不是标题\n```\n\n## 二\n\n没有图。\n"
    parts = chapters(text)
    assert list(parts) == ["一", "二"]
    assert [c for c, body in parts.items() if not named_pictures(body)] == ["二"]
    assert named_pictures(text) == [("图", "images/a.png")]


# -- the guide itself ----------------------------------------------------------------------------

def test_every_picture_the_guide_names_exists():
    missing = [path for _caption, path in named_pictures(guide_text()) if not (DOCS / path).is_file()]
    assert not missing, f"the guide names pictures that do not exist (python docs/make_shots.py): {missing}"


def test_every_picture_has_a_caption_and_lives_in_images():
    for caption, path in named_pictures(guide_text()):
        assert caption.strip(), path
        assert path.startswith("images/") and path.endswith(".png"), path


def test_every_chapter_has_a_picture():
    parts = chapters(guide_text())
    assert len(parts) >= 8
    without = [title for title, body in parts.items() if not named_pictures(body)]
    assert not without, f"chapters without a picture: {without}"


def test_every_registered_shot_is_used_by_the_guide_and_every_picture_is_registered():
    used = {Path(path).stem for _caption, path in named_pictures(guide_text())}
    shots = registered_shots()
    assert shots and len(shots) == len(set(shots))
    assert not set(shots) - used, f"shots the guide does not use: {sorted(set(shots) - used)}"
    assert not used - set(shots), f"pictures no shot makes: {sorted(used - set(shots))}"
    stray = {p.stem for p in IMAGES.glob("*.png")} - set(shots)
    assert not stray, f"pictures in docs/images/ that nothing makes: {sorted(stray)}"


@pytest.mark.parametrize("name", registered_shots())
def test_each_picture_is_a_real_screenshot(name):
    path = IMAGES / f"{name}.png"
    assert path.is_file(), f"{path} is missing: python docs/make_shots.py {name}"
    with Image.open(path) as image:
        size = image.size
        colours = image.convert("RGB").getcolors(maxcolors=4096)
    # the main window at 1366×768, or a dialog / menu at its own (smaller) size
    assert size == WINDOW_SIZE or (100 <= size[0] < WINDOW_SIZE[0] and 60 <= size[1] < WINDOW_SIZE[1]), size
    assert colours is None or len(colours) > MIN_COLOURS, f"{name}.png has {len(colours)} colours: empty?"
    assert path.stat().st_size < 400_000, "re-run make_shots.py (it compresses large pictures)"


def test_an_empty_picture_would_fail(tmp_path):
    blank = tmp_path / "blank.png"
    Image.new("RGB", WINDOW_SIZE, "white").save(blank)
    with Image.open(blank) as image:
        assert len(image.convert("RGB").getcolors(maxcolors=4096)) <= MIN_COLOURS
