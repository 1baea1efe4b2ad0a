"""Fonts, styles, translations, templates; ``resources.paths`` finds them (frozen too)."""
