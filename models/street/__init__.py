"""The street office (街道): signed monthly packages from every community, ranked side by side.

One module a job, each importing only those above it in this list:

* :mod:`~models.street.schema` — the street's tables (its communities and their keys, the
  packages imported);
* :mod:`~models.street.package` — the package format: what a community sends (built from
  its latest 定稿 version, never from live data), canonical JSON, the Ed25519 signature,
  reading and checking a file;
* :mod:`~models.street.registry` — a street ledger: ``street init``, its communities and
  their registered keys, importing packages (every refusal, nothing written);
* :mod:`~models.street.ranking` — the street's 月度评比 (communities over their pooled
  counts, every grid of every community together, who has not reported), 年度考评 over
  communities, the ranking export;
* :mod:`~models.street.bulletin` — what the street bulletin prints (plain data for reports/).

The community side (``publish``, ``package export``) reads the published snapshot only;
the street side holds no personal data: only what packages carry.  docs/street.md has
the format and the decisions.
"""
