"""Test framework for spectrumd functional tests (Python 3 standard library only)."""
