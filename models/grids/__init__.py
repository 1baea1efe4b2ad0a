"""Grids: the hierarchy (community → grid → building → unit → household) and its staff."""
