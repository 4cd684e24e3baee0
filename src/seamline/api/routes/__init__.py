"""One `APIRouter` per resource; `ROUTERS` is the order the app includes them in."""

from fastapi import APIRouter

from seamline.api.routes import (
    admin,
    campaigns,
    data,
    experiments,
    plans,
    recommendations,
    segments,
    service,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    service.router,
    data.router,
    users.router,
    recommendations.router,
    segments.router,
    experiments.router,
    campaigns.router,
    plans.router,
    admin.router,
)
