"""The navigation sidebar's sections, in order: (key, title, "module:Class").

A page class takes ``(ctx: AppContext, parent=None)`` and has ``refresh()``.
Only sections that work are listed here.
"""

PAGES: list[tuple[str, str, str]] = [
    ("residents", "居民台账", "ui.pages.residents:ResidentsPage"),
    ("grids", "网格管理", "ui.pages.grids:GridsPage"),
]
