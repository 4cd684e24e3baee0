"""The FastAPI application: `create_app(workspace)` builds the service and dashboard.

Routes are thin: they check the key's scope, call one library function (a stage's API or a
view in `seamline.api.views`) and return its result. Blocking work runs in the worker
thread pool; the workspace serialises writes (see `seamline.api.service`).

Status codes: 401 no or bad key, 403 missing scope, 400 input the library refuses (the
message says why), 404 unknown user/item/experiment, 409 the stage asked for has no results
in this workspace yet (no fitted model, no segmentation run), 413 body or batch too large.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from seamline import __version__
from seamline.api import schemas, views
from seamline.api.keys import ApiKey, KeyStore
from seamline.api.middleware import ServiceMiddleware
from seamline.api.models import ModelCache, NoModel
from seamline.api.service import ServiceWorkspace
from seamline.api.settings import ServiceSettings
from seamline.data.columns import DOMAINS
from seamline.data.store import SCHEMA_VERSION
from seamline.errors import ConfigError, DataError, NotFittedError, SeamlineError
from seamline.segments import api as seg_api

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"

PUBLIC_PATHS = frozenset({"/health", "/v1/version"})


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
            with self.ws.connect(read_only=True) as con:
                rows = con.execute(
                    "SELECT item_id, domain, title, category, brand, price FROM items"
                ).fetchall()
            self._items = {
                r[0]: {
                    "domain": r[1],
                    "title": r[2],
                    "category": r[3],
                    "brand": r[4],
                    "price": r[5],
                }
                for r in rows
            }
        return self._items

    def refresh(self) -> None:
        """Forget cached item details and look for a new model at the next request."""
        self._items = None
        self.models.expire()

    def stages(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        try:
            _, name = self.models.get()
            out["recommender"] = {"available": True, "model": name}
        except NoModel as e:
            out["recommender"] = {"available": False, "reason": str(e)}
        from seamline.segments import api as seg

        n = len(seg.segment_list(self.ws))
        out["segments"] = {"available": n > 0, "segments": n}
        if not n:
            out["segments"]["reason"] = "no segmentation run yet (`seamline segment`)"
        return out


# Dependencies are `async def`: they are cheap and never block, and a sync dependency would
# cost a worker-thread round trip on every request.
def _service_of(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


async def _service(request: Request) -> Service:
    return _service_of(request)


def require(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """Dependency: a valid key (401 otherwise) that holds `scope` (403 otherwise)."""

    async def check(request: Request) -> ApiKey:
        # The header is read here rather than through fastapi.security.HTTPBearer: one
        # dependency level less on every request; the scheme is declared in the OpenAPI
        # document by `_openapi`.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                401, "missing API key (Authorization: Bearer KEY)", {"WWW-Authenticate": "Bearer"}
            )
        key = _service_of(request).keys.verify(token.strip())
        if key is None:
            raise HTTPException(401, "invalid or revoked API key", {"WWW-Authenticate": "Bearer"})
        request.scope.setdefault("state", {})["key_id"] = key.key_id
        if not key.allows(scope):
            raise HTTPException(403, f"this key lacks the {scope!r} scope")
        return key

    return check


Read = Annotated[ApiKey, Depends(require("read"))]
Ingest = Annotated[ApiKey, Depends(require("ingest"))]
Admin = Annotated[ApiKey, Depends(require("admin"))]
Svc = Annotated[Service, Depends(_service)]

DomainQ = Annotated[
    str | None, Query(description=f"One of {', '.join(DOMAINS)}; all domains when omitted.")
]


def _domain(domain: str | None) -> str | None:
    if domain is not None and domain not in DOMAINS:
        raise HTTPException(422, f"unknown domain {domain!r}; allowed: {', '.join(DOMAINS)}")
    return domain


_NO_DETAILS = dict.fromkeys(("domain", "title", "category", "brand", "price"))


def _decorate(svc: Service, recs: list[Any]) -> list[dict[str, Any]]:
    items = svc.items()
    # A model pads with -inf when fewer than k items pass the domain and filters: those
    # are not recommendations (and not valid JSON numbers).
    return [
        {
            "item_id": r.item_id,
            "score": float(r.score),
            "because": list(r.because),
            **items.get(r.item_id, _NO_DETAILS),
        }
        for r in recs
        if math.isfinite(r.score)
    ]


def _json(data: dict[str, Any]) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
        media_type="application/json",
    )


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

    @app.exception_handler(NotFittedError)
    async def _not_fitted(request: Request, exc: NotFittedError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(SeamlineError)
    async def _bad_input(request: Request, exc: SeamlineError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(NoModel)
    async def _no_model(request: Request, exc: NoModel) -> JSONResponse:
        return JSONResponse({"detail": f"{exc}; fit one with `seamline fit`"}, status_code=409)

    # --- public ----------------------------------------------------------------------
    @app.get("/health", response_model=schemas.Health, tags=["service"])
    async def health() -> dict[str, str]:
        """Liveness: answers without a key."""
        return {"status": "ok", "version": __version__}

    @app.get("/v1/version", response_model=schemas.Version, tags=["service"])
    async def version() -> dict[str, str]:
        return {"version": __version__, "schema_version": SCHEMA_VERSION, "api": "v1"}

    @app.get("/v1/whoami", response_model=schemas.KeyInfo, tags=["service"])
    def whoami(key: Read) -> dict[str, Any]:
        """The calling key's id, name and scopes (needs `read`)."""
        return {"key_id": key.key_id, "name": key.name, "scopes": list(key.scopes)}

    @app.get("/v1/stages", tags=["service"])
    def stages(key: Read, s: Svc) -> dict[str, Any]:
        """Which stages have results to serve (the dashboard asks before it calls them)."""
        return s.stages()

    # --- ingestion -------------------------------------------------------------------
    @app.post("/v1/events", response_model=schemas.EventsOut, tags=["events"])
    def post_events(body: schemas.EventsIn, key: Ingest, s: Svc) -> dict[str, Any]:
        """Store a batch of events (scope `ingest`). Idempotent by `event_id`; the batch is
        committed before the reply, so an acknowledged event survives a crash."""
        if len(body.events) > s.settings.max_batch_events:
            raise HTTPException(
                413,
                f"{len(body.events):,} events in one batch; at most "
                f"{s.settings.max_batch_events:,}",
            )
        label = f"api:{key.key_id}:{body.batch_id or secrets.token_hex(8)}"
        return views.ingest_batch(s.ws, body.events, label)

    # --- data ------------------------------------------------------------------------
    @app.get("/v1/quality", tags=["data"])
    def quality(key: Read, s: Svc) -> dict[str, Any]:
        """The data-quality summary (as `seamline quality --json`)."""
        return views._jsonable(s.ws.quality())

    @app.get("/v1/overview", tags=["data"])
    def overview(
        key: Read, s: Svc, days: Annotated[int, Query(ge=1, le=3650)] = 120
    ) -> dict[str, Any]:
        """Headline KPIs overall and per domain, and daily activity."""
        return views.overview(s.ws, days=days)

    # --- users and recommendations ---------------------------------------------------
    @app.get("/v1/users", tags=["users"])
    def users(
        key: Read,
        s: Svc,
        q: Annotated[str, Query(max_length=200, description="Start of a user id.")] = "",
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> list[dict[str, Any]]:
        return views.search_users(s.ws, q, limit)

    @app.get("/v1/users/{user_id}", tags=["users"])
    def user(
        user_id: str,
        key: Read,
        s: Svc,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """A user's profile and history in each domain."""
        found = views.user_detail(s.ws, user_id, limit=limit)
        if found is None:
            raise HTTPException(404, "no such user in this workspace")
        return found

    @app.get(
        "/v1/users/{user_id}/recommendations",
        response_model=schemas.RecommendationsOut,
        tags=["recommendations"],
    )
    async def recommendations(
        user_id: str,
        key: Read,
        s: Svc,
        domain: DomainQ = None,
        k: Annotated[int, Query(ge=1, le=1000)] = 10,
        category: Annotated[list[str] | None, Query(description="Keep these categories.")] = None,
        price_min: Annotated[float | None, Query(ge=0)] = None,
        price_max: Annotated[float | None, Query(ge=0)] = None,
        exclude_seen: bool = True,
    ) -> Response:
        """Top-k items for a user (unknown users get popular items), each with its score
        and the history items that explain it."""
        # Runs on the event loop: scoring one user takes well under a millisecond, less
        # than a hop to a worker thread would.
        model, name = s.models.get()
        k = min(k, s.settings.max_k)
        # The model skips filters that are None.
        filters = {"category": category or None, "price_min": price_min, "price_max": price_max}
        recs = model.recommend(
            [user_id],
            k=k,
            domain=_domain(domain),
            exclude_seen=exclude_seen,
            filters=filters or None,
            unknown="popular",
        )[0]
        # Already JSON-ready: answering with the encoded body skips FastAPI's re-validation
        # against the response model (the schema still documents the shape).
        return _json(
            {
                "user_id": user_id,
                "domain": domain,
                "k": k,
                "model": name,
                "items": _decorate(s, recs),
            }
        )

    @app.get(
        "/v1/items/{item_id}/similar", response_model=schemas.SimilarOut, tags=["recommendations"]
    )
    async def similar(
        item_id: str, key: Read, s: Svc, k: Annotated[int, Query(ge=1, le=1000)] = 10
    ) -> dict[str, Any]:
        model, name = s.models.get()
        try:
            recs = model.similar_items(item_id, k=min(k, s.settings.max_k))
        except (KeyError, DataError) as e:
            raise HTTPException(404, f"unknown item for model {name}: {e}") from None
        return {"item_id": item_id, "model": name, "items": _decorate(s, recs)}

    @app.get("/v1/models", tags=["recommendations"])
    def models(key: Read, s: Svc) -> list[dict[str, Any]]:
        """Saved recommenders (manifests), newest first, the default marked."""
        from seamline.recommend.store import list_models

        return [{k: v for k, v in m.items() if k != "path"} for m in list_models(s.ws)]

    @app.post("/v1/models/fit", tags=["recommendations"])
    def fit(body: schemas.FitIn, key: Admin, s: Svc) -> list[dict[str, Any]]:
        """Refit recommenders on the stored events (scope `admin`). The store is held by
        the service, so this is how to refit while serving; the new default is answered
        from the next request on."""
        from seamline.recommend.store import fit_models, set_default

        fitted = fit_models(s.ws, body.models)
        if body.default:
            set_default(s.ws, body.default)
        s.refresh()
        return [{k: v for k, v in f.items() if k != "path"} for f in fitted]

    # --- segments --------------------------------------------------------------------
    @app.get("/v1/segments", tags=["segments"])
    def segments(key: Read, s: Svc) -> list[dict[str, Any]]:
        """Segments of the latest segmentation run, with names and profiles."""
        return views._jsonable(seg_api.segment_list(s.ws))

    @app.post("/v1/segments/run", tags=["segments"])
    def run_segments(body: dict[str, Any], key: Admin, s: Svc) -> dict[str, Any]:
        """Rebuild user features and segment the users (scope `admin`); the body is a
        segment config, e.g. {"k": 6} ({} for the defaults: automatic k)."""
        from seamline.features.build import build_features
        from seamline.segments.api import run_segmentation
        from seamline.segments.config import SegmentConfig

        config = SegmentConfig(**body)
        build_features(s.ws)
        run = run_segmentation(s.ws, config)
        return views._jsonable({k: run[k] for k in ("run_id", "method", "k", "segments")})

    @app.get("/v1/users/{user_id}/segment", tags=["segments"])
    def user_segment(user_id: str, key: Read, s: Svc) -> dict[str, Any]:
        found = seg_api.user_segment(s.ws, user_id)
        if found is None:
            raise HTTPException(404, "user has no segment in the latest run")
        return views._jsonable(found)

    # --- campaigns and experiments ---------------------------------------------------
    @app.get("/v1/campaigns", tags=["campaigns"])
    def campaigns(key: Read, s: Svc) -> dict[str, Any]:
        """Coupon redemptions and each coupon campaign's uplift and ROI."""
        return views.campaigns(s.ws)

    @app.get("/v1/experiments", tags=["experiments"])
    def experiments(key: Read, s: Svc) -> list[dict[str, Any]]:
        from seamline.experiments.api import list_experiments

        return list_experiments(s.ws)

    @app.get("/v1/experiments/analysis", tags=["experiments"])
    def experiments_analysis(key: Read, s: Svc) -> list[dict[str, Any]]:
        """Every experiment with its analysis (for the dashboard)."""
        return views.experiments_overview(s.ws)

    @app.post("/v1/experiments", tags=["experiments"])
    def create_experiment(body: dict[str, Any], key: Admin, s: Svc) -> dict[str, Any]:
        """Store an experiment design (scope `admin`), as `seamline ab create` does."""
        from seamline.experiments.api import create_experiment as create

        try:
            cfg = create(s.ws, body)
        except (TypeError, ValueError) as e:
            if isinstance(e, SeamlineError):
                raise
            raise ConfigError(f"experiment config: {e}") from None
        return views._jsonable(cfg.to_dict())

    @app.get("/v1/experiments/{name}/report", tags=["experiments"])
    def experiment_report(name: str, key: Read, s: Svc) -> dict[str, Any]:
        from seamline.experiments.api import experiment_report as report
        from seamline.experiments.api import list_experiments

        if name not in {e["name"] for e in list_experiments(s.ws)}:
            raise HTTPException(404, f"no experiment {name!r}")
        return views._jsonable(report(s.ws, name))

    @app.post(
        "/v1/experiments/{name}/assignments",
        response_model=schemas.AssignmentOut,
        tags=["experiments"],
    )
    def assign(name: str, body: schemas.AssignmentIn, key: Read, s: Svc) -> dict[str, Any]:
        """The user's arm (deterministic) and a recorded first exposure (scope `read`: apps
        ask for an arm where they ask for recommendations)."""
        from seamline.experiments.api import assign_user, list_experiments

        if name not in {e["name"] for e in list_experiments(s.ws)}:
            raise HTTPException(404, f"no experiment {name!r}")
        return {
            "experiment": name,
            "user_id": body.user_id,
            "arm": assign_user(s.ws, name, body.user_id),
        }

    # --- dashboard -------------------------------------------------------------------
    if settings.dashboard and STATIC.is_dir():
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

    return app
