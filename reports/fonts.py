"""The Chinese fonts of every printout, registered once (SPEC §6: every font embedded).

Four logical faces, always under the same reportlab names so styles and charts
never care where a face came from:

======== ============================ ==================================
name     preferred (Windows)          fallback (bundled in resources/fonts)
======== ============================ ==================================
``Song`` SimSun ``simsun.ttc``         AR PL UMing CN ``uming.ttc``
``Hei``  SimHei ``simhei.ttf``         WenQuanYi Zen Hei ``wqy-zenhei.ttc``
``Fang`` FangSong ``simfang.ttf``      the Song face
``Kai``  KaiTi ``simkai.ttf``          the Song face
======== ============================ ==================================

Only TrueType-outline fonts are used: reportlab subsets and embeds them
(``pdffonts`` says ``emb yes``).  CFF/OpenType-PS fonts (most Noto/Source Han
``.otf``) cannot be embedded by reportlab, and ``UnicodeCIDFont('STSong-Light')``
is never embedded, so neither is ever used.  reportlab's own default,
Helvetica, is not embedded either: every canvas, drawing and chart label in
``reports/`` names one of these faces explicitly.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from resources.paths import resource_path

SONG, HEI, FANG, KAI = "Song", "Hei", "Fang", "Kai"

#: (logical name, [(Windows file, subfont index)], bundled fallback or another logical face)
_FACES: list[tuple[str, list[tuple[str, int]], tuple[str, int] | str]] = [
    (SONG, [("simsun.ttc", 0), ("simsun.ttf", 0)], ("uming.ttc", 0)),
    (HEI, [("simhei.ttf", 0)], ("wqy-zenhei.ttc", 0)),
    (FANG, [("simfang.ttf", 0)], SONG),
    (KAI, [("simkai.ttf", 0)], SONG),
]

#: Set to "1" to ignore the Windows fonts (tests, or a PC whose system fonts are broken).
ENV_BUNDLED_ONLY = "GRIDLEDGER_BUNDLED_FONTS"


@dataclass(frozen=True)
class FontSource:
    """Where a logical face came from (shown in the about box and used by tests)."""

    name: str
    path: Path
    subfont_index: int
    system: bool


_lock = threading.Lock()
_sources: dict[str, FontSource] = {}


def system_font_dirs() -> list[Path]:
    """Folders holding the Windows fonts (machine-wide, then per-user), where they exist."""
    if sys.platform != "win32" and not os.environ.get("GRIDLEDGER_SYSTEM_FONT_DIR"):
        return []
    dirs = []
    if os.environ.get("GRIDLEDGER_SYSTEM_FONT_DIR"):
        dirs.append(Path(os.environ["GRIDLEDGER_SYSTEM_FONT_DIR"]))
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
    return [d for d in dirs if d.is_dir()]


def bundled_font_dir() -> Path:
    return resource_path("fonts")


def _try_register(name: str, path: Path, index: int) -> bool:
    try:
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=index))
    except (TTFError, OSError, ValueError):
        # A damaged file, or one whose licence bits forbid embedding: use the next candidate.
        return False
    return True


def register_fonts() -> dict[str, FontSource]:
    """Register Song/Hei/Fang/Kai with reportlab (once per process; thread-safe).

    Returns:
        logical name → :class:`FontSource`.

    Raises:
        RuntimeError: the bundled fonts are missing (a broken installation).
    """
    with _lock:
        if _sources:
            return dict(_sources)
        use_system = os.environ.get(ENV_BUNDLED_ONLY) != "1"
        dirs = system_font_dirs() if use_system else []
        for name, windows_files, fallback in _FACES:
            source = None
            for file_name, index in windows_files:
                for folder in dirs:
                    path = folder / file_name
                    if path.is_file() and _try_register(name, path, index):
                        source = FontSource(name, path, index, True)
                        break
                if source:
                    break
            if source is None and isinstance(fallback, tuple):
                path = bundled_font_dir() / fallback[0]
                if not _try_register(name, path, fallback[1]):
                    raise RuntimeError(f"缺少报表字体文件：{path}（安装不完整，请重新安装本程序）。")
                source = FontSource(name, path, fallback[1], False)
            elif source is None:
                # No such face on this PC: it prints in the face it falls back to (parsing a
                # 20 MB TTC a second time under another name would cost half a second).
                source = _sources[fallback]
            _sources[name] = source
        # <b> in a Song, Fang or Kai paragraph prints in Hei (Chinese official documents bold
        # with a Hei face); there are no italics in Chinese printouts.
        for name in {face(SONG), face(FANG), face(KAI)}:
            addMapping(name, 0, 0, name)
            addMapping(name, 1, 0, HEI)
            addMapping(name, 0, 1, name)
            addMapping(name, 1, 1, HEI)
        addMapping(HEI, 0, 0, HEI)
        addMapping(HEI, 1, 0, HEI)
        addMapping(HEI, 0, 1, HEI)
        addMapping(HEI, 1, 1, HEI)
        return dict(_sources)


def face(name: str) -> str:
    """The reportlab font name to use for logical face ``name`` (Fang/Kai fall back to Song)."""
    source = _sources.get(name)
    return source.name if source else name


def font_sources() -> dict[str, FontSource]:
    """The registered faces (registering them first when needed)."""
    return register_fonts()
