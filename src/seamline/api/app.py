"""The FastAPI application: `create_app(workspace)` builds the service and dashboard.

The app is assembled here from one router per resource (`seamline.api.routes`); routes
check the key's scope, call one library function and return its result. Blocking work
runs in the worker thread pool; the workspace serialises writes (`seamline.api.service`).

Status codes: 401 no or bad key, 403 missing scope, 400 input the library refuses (the
message says why), 404 unknown user/item/experiment, 409 a conflict with the workspace's
state (no fitted model or segmentation yet, an experiment outside its window), 413 body,
batch or distinct extra keys over the limit, 422 a request outside the schema, 500 a
server fault (its detail only in the server log).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from seamline import __version__
from seamline.api.deps import Service
from seamline.api.middleware import ServiceMiddleware
from seamline.api.models import NoModel
from seamline.api.routes import ROUTERS
from seamline.api.settings import ServiceSettings
from seamline.errors import (
    ConflictError,
    NotFittedError,
    NotFoundError,
    SeamlineError,
    TooLargeError,
)

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"

PUBLIC_PATHS = frozenset({"/health", "/v1/version"})

# Library errors -> status; the most specific class wins (Starlette looks along the MRO).
STATUS_OF: dict[type[Exception], int] = {
    SeamlineError: 400,
    NotFoundError: 404,
    NotFittedError: 409,
    ConflictError: 409,
    NoModel: 409,
    TooLargeError: 413,
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with the bearer key declared on every non-public operation."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    doc = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    doc.setdefault("components", {})["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `seamline keys create`: `Authorization: Bearer KEY`.",
        }
    }
    for path, ops in doc.get("paths", {}).items():
        if path in PUBLIC_PATHS:
            continue
        for op in ops.values():
            op["security"] = [{"bearer": []}]
            op.setdefault("responses", {}).setdefault("401", {"description": "No or bad key"})
            op["responses"].setdefault("403", {"description": "The key lacks the scope"})
    app.openapi_schema = doc
    return doc


async def _library_error(request: Request, exc: Exception) -> JSONResponse:
    status = next((STATUS_OF[c] for c in type(exc).__mro__ if c in STATUS_OF), 400)
    detail = f"{exc}; fit one with `seamline fit`" if isinstance(exc, NoModel) else str(exc)
    return JSONResponse({"detail": detail}, status_code=status)


def create_app(
    workspace: str | Path | None = None, settings: ServiceSettings | None = None
) -> FastAPI:
    """The service for `workspace` (or `settings.workspace`)."""
    settings = settings or ServiceSettings()
    if workspace is not None:
        settings = settings.model_copy(update={"workspace": Path(workspace)})
    svc = Service(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc.ws.open()
        # Load the model and catalog before the first request rather than during it.
        try:
            svc.models.get()
            svc.items()
        except NoModel as e:
            log.warning("serving without recommendations: %s", e)
        try:
            yield
        finally:
            svc.ws.close()

    app = FastAPI(
        title="Seamline",
        version=__version__,
        description="Cross-domain marketing between knowledge platforms and fashion brands: "
        "event ingestion, recommendations, segments, campaigns and experiments.",
        lifespan=lifespan,
        # /docs is served below from the vendored Swagger UI (no CDN at run time).
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = svc
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(ServiceMiddleware, max_body_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    for exc_type in STATUS_OF:
        app.add_exception_handler(exc_type, _library_error)
    for router in ROUTERS:
        app.include_router(router)
    if settings.dashboard and STATIC.is_dir():
        _mount_dashboard(app)
    return app


def _mount_dashboard(app: FastAPI) -> None:
    app.mount("/dashboard", StaticFiles(directory=STATIC, html=True), name="dashboard")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/dashboard/")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Interactive API documentation (Swagger UI, vendored under web/static)."""
        from fastapi.openapi.docs import get_swagger_ui_html

        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Seamline API",
            swagger_js_url="/dashboard/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/dashboard/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="data:,",
        )
