"""Errors raised by Seamline; each says what, where and what is allowed."""


class SeamlineError(Exception):
    """Base class of Seamline's own errors."""


class DataError(SeamlineError, ValueError):
    """Input data cannot be used as given (missing column, unreadable file, bad value)."""


class ConfigError(SeamlineError, ValueError):
    """A configuration or column mapping is invalid."""


class WorkspaceBusyError(SeamlineError, RuntimeError):
    """Another process holds the workspace's store (DuckDB allows one writer process)."""


class NotFittedError(SeamlineError, RuntimeError):
    """A component was used before `fit`."""
