"""Residents: the residents ledger, its search index and its export."""
