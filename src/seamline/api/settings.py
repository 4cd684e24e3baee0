"""Service settings: from arguments, else `SEAMLINE_` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """How `seamline serve` runs. Environment: SEAMLINE_WORKSPACE, SEAMLINE_MAX_BODY_BYTES..."""

    model_config = SettingsConfigDict(env_prefix="SEAMLINE_", extra="ignore")

    workspace: Path = Path("seamline-workspace")
    # A batch of 50,000 events is about 10 MB of JSON; larger bodies are refused (413).
    max_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    max_batch_events: int = Field(default=50_000, gt=0)
    # Distinct keys outside the canonical columns in one batch (kept in `attrs`); more: 413.
    max_extra_keys: int = Field(default=10_000, gt=0)
    # Browsers may call the API from these origins; none by default (CORS closed).
    cors_origins: list[str] = Field(default_factory=list)
    # Re-check the model store for a newer or stale model at most this often.
    model_check_seconds: float = Field(default=2.0, ge=0)
    dashboard: bool = True
    # Campaign specs the dashboard offers (YAML files); default: the workspace's campaign_specs/.
    campaign_specs: Path | None = None
