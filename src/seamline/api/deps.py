"""What every route depends on: the shared `Service` (workspace, keys, model cache) and
the key check per scope, as `Annotated` dependencies (`Read`, `Ingest`, `Assign`, `Admin`,
`Svc`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Query, Request

from seamline.api.keys import ApiKey, KeyStore
from seamline.api.models import ModelCache, NoModel
from seamline.api.service import ServiceWorkspace
from seamline.api.settings import ServiceSettings
from seamline.data.browse import item_catalog
from seamline.data.columns import DOMAINS
from seamline.errors import DataError

log = logging.getLogger(__name__)


class Service:
    """What the routes share: the workspace, keys, model cache and settings."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.ws = ServiceWorkspace(settings.workspace)
        self.keys = KeyStore(settings.workspace)
        self.models = ModelCache(self.ws, settings.model_check_seconds)
        self._items: dict[str, dict[str, Any]] | None = None

    def items(self) -> dict[str, dict[str, Any]]:
        """Item details for decorating recommendations, read once (the service is the only
        writer, and it writes events, not the catalog)."""
        if self._items is None:
            self._items = item_catalog(self.ws)
        return self._items

    @property
    def specs_dir(self) -> Path:
        """The folder of campaign specs the dashboard offers."""
        return self.settings.campaign_specs or Path(self.settings.workspace) / "campaign_specs"

    def refresh(self) -> None:
        """Reload the catalog and the model now (call it from a worker thread: loading a
        model is blocking work)."""
        self._items = None
        self.items()
        self.models.expire()
        with contextlib.suppress(NoModel):
            self.models.get()

    def stages(self) -> dict[str, Any]:
        from seamline.segments.repo import segment_list

        out: dict[str, Any] = {}
        try:
            _, name = self.models.get()
            out["recommender"] = {"available": True, "model": name}
        except NoModel as e:
            out["recommender"] = {"available": False, "reason": str(e)}
        n = len(segment_list(self.ws))
        out["segments"] = {"available": n > 0, "segments": n}
        if not n:
            out["segments"]["reason"] = "no segmentation run yet (`seamline segment`)"
        return out


# Dependencies are `async def`: they are cheap and never block, and a sync dependency would
# cost a worker-thread round trip on every request.
def service_of(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


async def _service(request: Request) -> Service:
    return service_of(request)


def require(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """Dependency: a valid key (401 otherwise) that holds `scope` (403 otherwise)."""

    async def check(request: Request) -> ApiKey:
        # The header is read here rather than through fastapi.security.HTTPBearer: one
        # dependency level less on every request; the scheme is declared in the OpenAPI
        # document by the app builder.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                401, "missing API key (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"}
            )
        try:
            key = service_of(request).keys.verify(token.strip())
        except DataError:  # the key file is unreadable: a server fault, its path stays here
            log.exception("cannot check API keys")
            raise HTTPException(500, "the service cannot check API keys; see its log") from None
        if key is None:
            raise HTTPException(401, "invalid or revoked API key", {"WWW-Authenticate": "Bearer"})
        request.scope.setdefault("state", {})["key_id"] = key.key_id
        if not key.allows(scope):
            raise HTTPException(403, f"this key lacks the {scope!r} scope")
        return key

    return check


Read = Annotated[ApiKey, Depends(require("read"))]
Ingest = Annotated[ApiKey, Depends(require("ingest"))]
Assign = Annotated[ApiKey, Depends(require("assign"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]
Svc = Annotated[Service, Depends(_service)]

Domain = Literal[DOMAINS]  # type: ignore[valid-type]
DomainQ = Annotated[
    Domain | None, Query(description=f"One of {', '.join(DOMAINS)}; all domains when omitted.")
]
