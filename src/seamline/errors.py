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


class NotFoundError(DataError):
    """A named thing (experiment, user, item) is not in the workspace."""


class ConflictError(SeamlineError):
    """The request conflicts with the workspace's state (e.g. an experiment outside its
    window)."""


class TooLargeError(DataError):
    """Input over a documented limit (the message names the limit)."""
