"""The ledger: pure Python + SQLite. Never imports Qt (see tests/test_layers.py)."""
