"""REST service and dashboard over a workspace: `create_app(workspace)`."""

from seamline.api.app import create_app
from seamline.api.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]
