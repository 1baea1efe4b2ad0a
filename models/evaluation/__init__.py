"""Evaluation (月度评比、年度考评, SPEC §5): the scheme, the counts, scoring and publishing.

One module a job, each importing only those above it in this list:

* :mod:`~models.evaluation.scheme` — the 评比方案 as data (indicators, weights, targets,
  督办 card points, grade thresholds), its validation and where it is stored;
* :mod:`~models.evaluation.figures` — the plain dataclasses of a month's results;
* :mod:`~models.evaluation.counts` — the SQL counts behind each indicator, as of the
  last second of the month;
* :mod:`~models.evaluation.scoring` — scores from counts: rates, targets, weights,
  half-up rounding, ranks;
* :mod:`~models.evaluation.publications` — the stored 定稿 versions (reading);
* :mod:`~models.evaluation.adjustments` — 加减分 (manual, and the automatic 督办 cards);
* :mod:`~models.evaluation.monthly` — a month (or several) computed, or of record;
* :mod:`~models.evaluation.publishing` — 定稿 and the differences since;
* :mod:`~models.evaluation.annual` — 年度考评 from the monthly totals;
* :mod:`~models.evaluation.trace` — the records behind one figure (计分依据);
* :mod:`~models.evaluation.ranking_export` — the ranking export of SPEC §8.

What the printouts make of it (通报, 评分卡, 年度考评表) is ``models.reporting.evaluation_data``.

Decisions where SPEC §5 leaves room (each one tested in tests/models/evaluation/):

* **As of the last second of M** (``YYYY-MM-DD 23:59:59`` of the last day).  Only
  events with ``at`` ≤ that second count; presence uses the last day of M.
* **Cancelled matters**: a matter with a 作废 event at or before the end of M is
  left out of every indicator of M.  A matter cancelled *after* M still counts
  for M (as of the end of M it was a live matter, e.g. an overdue one), so a
  month's figures never change because of something done later.
* **Closed** as of T = the first 办结 event with ``at`` ≤ T.  **Deadline** as of
  T = ``new_deadline`` of the last 延期 event with ``at`` ≤ T, else the 登记
  event's ``deadline``, else the first 延期's ``old_deadline``, else the
  matter's ``deadline`` column (a matter never extended).
* **Due month** = month of min(closed_at, deadline) if closed as of T, else the
  month of the deadline.  On time = closed at or before the deadline.
* **Ratings** = 回访 events in M with a satisfaction of 满意/基本满意/不满意.
* **Visit coverage**: a household counts when it is active at the end of M and
  appears in a visit dated in M; the household's own grid decides the grid.
* **Ledger completeness**: a valid ID = an 18-character stored number (numbers
  are validated when entered, models.core.idcard); a phone = a non-empty phone of
  the resident or of another resident of the household *present at the end of
  M*; a resident without a household is incomplete.
* **Volunteer hours**: hours of activities dated in M.  An activity with a grid
  counts for that grid (and its community); a community-wide activity (no
  grid) counts for no grid but does count in its community's pooled figure
  (its ``community_id``, else the ledger's own community): "activities in the
  community" are all of them.
* **Adjustments** of a grid for M = manual rows of ``score_adjustments`` (source
  手工, period M) + automatic card points for every 督办 event of M carrying a
  黄牌/红牌 on the grid's matters (points from the scheme; the card stands even if
  the matter is later cancelled: it is the supervisor's decision, not a matter
  statistic).  Automatic cards are computed from the events, never stored, so
  the schema's ``source='督办'`` rows are ignored (nobody should write them).
* **Community figures**: the same formulas over the pooled counts of the
  community's grids (plus community-wide activities); the community's own
  adjustments are the rows with ``community_id`` (cards belong to grids).
* **Rounding**: scores are exact fractions (``fractions.Fraction``, never floats);
  total = Σ weight × score + adjustments, rounded once to 2 decimals, half-up
  like ``decimal.ROUND_HALF_UP`` (55.625 → 55.63, where float ``round`` gives
  55.62; −1.005 → −1.01).  Ranks compare the rounded totals (1, 2, 2, 4).
* **Which grids**: a grid is evaluated for M when it exists at the end of M
  (``established_on`` NULL or ≤ last day, ``dissolved_on`` NULL or after it).
  A grid with no active household still gets the literal SPEC formulas (every
  denominator 0 → every score 1); the annual mean leaves such months out (the
  grid served nobody that month), see :mod:`~models.evaluation.annual`.
* **Annual**: mean of the grid's (rounded) monthly totals over the months of Y
  that have ended by now in which it was evaluated with households, + the
  year's adjustments (period ``YYYY``), rounded half-up to 2 decimals; grade by
  the scheme's thresholds.  Months that are published use their published totals.
* **Scheme of a month**: a published month is (re)computed with the scheme
  stored in its latest publication; other months with the scheme in force.
"""
