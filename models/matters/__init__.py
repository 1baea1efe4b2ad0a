"""Matters (民情事项): registration, the workflow table, deadlines and search."""
