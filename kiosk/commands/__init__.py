"""One module per CLI command; see :mod:`kiosk.cli` for the contract."""
