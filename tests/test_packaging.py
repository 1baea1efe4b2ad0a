"""The build's rules (packaging/bundle.py) as tables, and the files the build needs.

The build itself runs in .ci/run (Linux) and .github/workflows/windows.yml (Windows); these
tests keep the rules it applies honest without running PyInstaller.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from resources import version

ROOT = Path(__file__).resolve().parent.parent


def _bundle():
    spec = importlib.util.spec_from_file_location("bundle", ROOT / "packaging" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle = _bundle()


@pytest.mark.parametrize("dest, shipped", [
    # what the program uses
    ("PySide6/Qt/lib/libQt6Core.so.6", True),
    ("PySide6/Qt/lib/libQt6Charts.so.6", True),
    ("PySide6/Qt/lib/libQt6Pdf.so.6", True),
    ("PySide6/Qt6PrintSupport.dll", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/plugins/styles/qmodernwindowsstyle.dll", True),
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqico.so", True),
    ("PySide6/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qt_zh_CN.qm", True),
    ("resources/fonts/uming.ttc", True),
    ("libpython3.11.so.1.0", True),
    # what it never uses
    ("PySide6/Qt/lib/libQt6Qml.so.6", False),
    ("PySide6/Qt/lib/libQt6Quick.so.6", False),
    ("PySide6/Qt6Quick.dll", False),
    ("PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", False),
    ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
    ("PySide6/Qt6WebEngineCore.dll", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", False),
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qt_fr.qm", False),
    ("PySide6/Qt/qml/QtQuick/Controls/libqtquickcontrols2plugin.so", False),
])
def test_what_the_build_ships(dest, shipped):
    entry = (dest, "/src/" + dest, "BINARY")
    assert (bundle.kept([entry]) == [entry]) is shipped


def test_no_qt_module_the_program_imports_is_excluded():
    imported = set()
    for path in (ROOT / "ui").rglob("*.py"):
        imported |= set(re.findall(r"from (PySide6\.Qt\w+) import", path.read_text(encoding="utf-8")))
    assert imported, "the UI imports Qt modules"
    assert not imported & set(bundle.EXCLUDED_MODULES)


def test_version_is_written_once_and_windows_can_read_it():
    assert re.fullmatch(r"\d+\.\d+\.\d+", version.VERSION)
    assert version.version_tuple() == tuple(map(int, version.VERSION.split("."))) + (0,)
    # the installer takes the version the workflow reads from resources/version.py
    iss = (ROOT / "packaging" / "installer.iss").read_text(encoding="utf-8")
    assert "AppVersion={#AppVersion}" in iss
    workflow = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    assert "from resources import version" in workflow and "/DAppVersion=" in workflow


def test_the_build_has_its_icon_and_smoke_test():
    from PIL import Image

    ico = Image.open(ROOT / "resources" / "icons" / "app.ico")
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    workflow = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for text in (workflow, ci):
        assert "smoke_test.py" in text and "build.spec" in text
    assert "installer.iss" in workflow


def test_pruning_keeps_extension_modules_and_what_is_linked():
    def entry(dest):
        return (dest, "/src/" + dest, "BINARY")

    links = {
        "/src/PySide6/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "/src/PySide6/Qt/lib/libQt6Gui.so.6": ["libfontconfig.so.1"],
        "/src/libfontconfig.so.1": ["libexpat.so.1"],
    }
    binaries = [entry(d) for d in (
        "PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6", "libfontconfig.so.1",
        "libexpat.so.1", "libgtk-3.so.0", "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
        "libpython3.11.so.1.0")]
    kept = {e[0] for e in bundle.prune(binaries, lambda src: links.get(src, []))}
    assert kept == {"PySide6/QtGui.abi3.so", "PySide6/Qt/lib/libQt6Gui.so.6", "libfontconfig.so.1",
                    "libexpat.so.1", "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
                    "libpython3.11.so.1.0"}          # only the GTK library nobody links is dropped
