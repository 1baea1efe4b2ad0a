"""Evaluation (月度评比、年度考评): the scheme, the counts, scoring and publishing."""
