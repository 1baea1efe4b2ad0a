"""Volunteers: organisations, volunteers, activities and service hours."""
