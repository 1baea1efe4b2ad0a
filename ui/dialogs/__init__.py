"""Dialogs of the window (each a QDialog subclass)."""
