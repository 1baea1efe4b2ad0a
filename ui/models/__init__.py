"""Qt item models over models/ queries."""
