"""What the PyInstaller build leaves out, and the Windows version resource (used by build.spec).

Kept out of build.spec so the rules can be tested as tables (tests/test_packaging.py)
without running PyInstaller: the Python modules excluded, the Qt files dropped from the
collected binaries and data, and the shared libraries no kept binary needs any more.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from resources import version

#: Python packages never used at run time (tests, build tools, the Qt parts we don't use)
EXCLUDED_MODULES = [
    "tkinter", "unittest", "pydoc_data", "lib2to3", "pytest", "pytestqt", "_pytest", "pypdf",
    "time_machine", "xlwt", "openpyxl", "PyInstaller",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.Qt3DCore", "PySide6.Qt3DRender",
    "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuick3D", "PySide6.QtQml",
    "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets", "PySide6.QtBluetooth",
    "PySide6.QtDesigner", "PySide6.QtNetworkAuth", "PySide6.QtSql", "PySide6.QtTest",
    "PySide6.QtSvgWidgets", "PySide6.QtUiTools", "PySide6.QtXml", "PySide6.QtPositioning",
    "PySide6.QtLocation", "PySide6.QtSensors", "PySide6.QtSerialPort", "PySide6.QtTextToSpeech",
    "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine", "PySide6.QtHelp",
    "PySide6.QtDataVisualization", "PySide6.QtGraphs", "PySide6.QtSpatialAudio",
    "PySide6.QtHttpServer", "PySide6.QtVirtualKeyboard",
]

#: Qt libraries, plugins and files that the kept modules pull in but the program never uses
#: (QML/Quick come in through the virtual-keyboard input plugin; Wayland/EGLFS are Linux
#: display back-ends other than xcb; the GTK platform theme drags in GTK, Cairo and Pango;
#: TLS and network-information plugins: the program is offline)
_DROPPED_FILES = re.compile(
    r"(Qt6?(Qml|Quick|VirtualKeyboard|Wayland|WlShell|EglFS|EglFs|Multimedia|WebEngine|3D|Designer"
    r"|Positioning|Location|Sensors|Test|Sql|Xml|Svg|Graphs|DataVisualization)[A-Za-z]*[.\-_]"
    r"|[\\/]plugins[\\/](platforminputcontexts|wayland[^\\/]*|egldeviceintegrations|tls"
    r"|networkinformation|generic|sqldrivers|qmltooling|multimedia|position|sensors|designer)[\\/]"
    r"|[\\/]imageformats[\\/][^\\/]*(svg|tiff|webp|icns|tga|wbmp)"
    r"|[\\/]platforms[\\/][^\\/]*(wayland|eglfs|minimalegl|linuxfb|vnc|vkkhrdisplay)"
    r"|[\\/]platformthemes[\\/][^\\/]*(gtk3|xdgdesktopportal)"
    r"|[\\/]iconengines[\\/][^\\/]*svg"
    r"|(^|[\\/])(opengl32sw|d3dcompiler_47)\.dll$"
    r"|[\\/]qml[\\/])", re.IGNORECASE)
#: Qt's own message catalogues: only Simplified Chinese is ever shown
_TRANSLATION = re.compile(r"[\\/]translations[\\/](?P<name>[^\\/]+)\.qm$", re.IGNORECASE)


def kept(entries):
    """The TOC without the dropped Qt files and the translations other than zh_CN."""
    kept = []
    for entry in entries:
        dest = entry[0]
        if _DROPPED_FILES.search("/" + dest):
            continue
        match = _TRANSLATION.search("/" + dest)
        if match and not match.group("name").endswith("zh_CN"):
            continue
        kept.append(entry)
    return kept


def without_orphans(binaries):
    """Drop the top-level shared libraries that no kept binary needs any more (Linux only).

    PyInstaller collected them for the plugins removed by :func:`kept` (GTK, Cairo, Pango for
    the GTK theme; EGL/Wayland …).  Roots are the binaries inside packages (Python extension
    modules, Qt libraries and plugins) and libpython; a top-level library stays when a root
    needs it, directly or through another kept library.  On Windows the dropped plugins need
    only Qt's own DLLs, so nothing is pruned there (and nothing is risked untested).
    """
    if sys.platform == "win32":
        return binaries
    from PyInstaller.depend import bindepend

    return prune(binaries, lambda src: [Path(name).name for name, _path in bindepend.get_imports(src)])


#: a top-level shared library (``libX11.so.6``), as opposed to a Python extension module
#: that also sits at the top (``_cffi_backend.cpython-311-x86_64-linux-gnu.so``, loaded by
#: import, never linked: it must never be pruned)
_SHARED_LIBRARY = re.compile(r"^lib[^/\\]*\.so(\.[0-9.]+)?$")


def prunable(dest: str) -> bool:
    """Whether ``dest`` is a top-level shared library that only stays when something needs it."""
    dest = dest.replace("\\", "/")
    return ("/" not in dest and bool(_SHARED_LIBRARY.match(dest)) and ".cpython-" not in dest
            and not dest.startswith("libpython"))


def prune(binaries, imports):
    """``binaries`` without the :func:`prunable` libraries that no other kept binary needs.

    Args:
        imports: ``imports(src) -> [library file names]`` the binary at ``src`` links.
    """
    top = {entry[0]: entry for entry in binaries if prunable(entry[0])}
    queue = [entry for entry in binaries if not prunable(entry[0])]
    needed, seen = set(), set()
    while queue:
        src = queue.pop()[1]
        if src in seen:
            continue
        seen.add(src)
        for base in imports(src):
            if base in top and base not in needed:
                needed.add(base)
                queue.append(top[base])
    return [entry for entry in binaries if not prunable(entry[0]) or entry[0] in needed]


def version_info(file_name):
    """The Windows version resource (product name, version, company) of one executable
    (None elsewhere: PyInstaller writes it with pefile, a Windows-only dependency)."""
    if sys.platform != "win32":
        return None
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = version.version_tuple()
    text = ".".join(map(str, numbers))
    strings = [
        vi.StringStruct("CompanyName", version.COMPANY),
        vi.StringStruct("FileDescription", version.DESCRIPTION),
        vi.StringStruct("FileVersion", text),
        vi.StringStruct("InternalName", file_name.removesuffix(".exe")),
        vi.StringStruct("LegalCopyright", version.COPYRIGHT),
        vi.StringStruct("OriginalFilename", file_name),
        vi.StringStruct("ProductName", f"{version.APP_NAME} {version.APP_NAME_EN}"),
        vi.StringStruct("ProductVersion", version.VERSION),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            # 0804: Chinese (PRC); 04B0 = 1200: UTF-16
            vi.StringFileInfo([vi.StringTable("080404B0", strings)]),
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0804, 1200])]),
        ],
    )
