"""The PySide6 front end.  Calls models/ and reports/; never writes SQL."""
