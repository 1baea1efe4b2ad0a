"""Core: the ledger connection, errors, validators and the rules every area shares."""
