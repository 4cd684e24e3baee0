"""Helpers shared by the tests (and the service benchmark); not part of the package."""
