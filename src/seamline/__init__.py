"""Seamline: cross-domain marketing between knowledge platforms and fashion brands."""

from seamline.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["Workspace", "__version__"]
