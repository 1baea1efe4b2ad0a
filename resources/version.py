"""The program's name and version: the one place they are written.

The window's about box, the command line's ``--version``, the Windows version resource
(build.spec) and the installer (packaging/installer.iss, via the build workflow) read them here.
"""

APP_NAME = "网格台账"
APP_NAME_EN = "GridLedger"
#: MAJOR.MINOR.PATCH; Windows wants four numbers, see :func:`version_tuple`
VERSION = "1.0.0"
#: the issuing office is the clerk's own; the build says who made the program, generically
COMPANY = "网格台账项目"
DESCRIPTION = "网格台账：社区网格化管理台账与月度评比"
COPYRIGHT = "网格台账项目"


def version_tuple() -> tuple[int, int, int, int]:
    """VERSION as the four numbers of a Windows version resource (``1.0.0`` → (1, 0, 0, 0))."""
    parts = [int(p) for p in VERSION.split(".")]
    return tuple((parts + [0, 0, 0, 0])[:4])
