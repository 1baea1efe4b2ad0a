"""Reporting: what the printouts print, gathered from the other areas (no PDF drawing here)."""
