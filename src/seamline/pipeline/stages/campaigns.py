"""Stage `campaigns`: plan a campaign from a spec; on a synthetic world also simulate the
users' responses from its truth and measure the plan's holdout experiment, so the report
sets predicted against measured incremental conversions and profit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from seamline.config import SeamlineConfig
from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.campaigns.spec import CampaignSpec
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace

log = logging.getLogger(__name__)
DEFAULT_SPEC = "main-job.yaml"  # package data: seamline/campaigns/specs/


def default_spec() -> CampaignSpec:
    """The main job's spec, shipped with the package, so a run works from any directory."""
    from importlib import resources

    from seamline.campaigns.spec import parse_spec

    text = resources.files("seamline.campaigns").joinpath("specs", DEFAULT_SPEC).read_text("utf-8")
    return parse_spec(yaml.safe_load(text), f"seamline/campaigns/specs/{DEFAULT_SPEC}")


class CampaignsConfig(SeamlineConfig):
    """Which campaign spec the main job plans (null: the package's main-job spec)."""

    what: ClassVar[str] = "campaigns config"

    spec: Path | None = None
    simulate: bool = True  # on a synthetic world: simulate the responses and measure


@dataclass(frozen=True)
class CampaignsResult(StageResult):
    plan_id: int | None
    name: str
    totals: dict[str, Any] = field(default_factory=dict)
    measured: dict[str, Any] = field(default_factory=dict)
    not_planned: str | None = None  # why nothing was planned (e.g. an empty audience)
    simulated_events: int = 0  # purchases simulated and added to the event store
    power: dict[str, Any] = field(default_factory=dict)  # the holdout's MDE (holdout_power)

    def summary(self) -> list[str]:
        if self.not_planned:
            return [f"campaign {self.name}: not planned: {self.not_planned}"]
        t = self.totals
        lines = [
            f"campaign {self.name}: {t['users']:,} users ({t['holdout_users']:,} held out), "
            f"spend {t['spend']:,.2f} of {t['budget']:,.0f}, expected incremental profit "
            f"{t['expected_incremental_profit']:,.2f}"
        ]
        p = self.power
        if p.get("mde_conversions") is not None:
            lines.append(
                f"campaign {self.name} holdout: detects {p['mde_conversions']:,.1f} incremental "
                f"conversions (alpha {p['alpha']}, power {p['power']:.0%}); predicted "
                f"{p['predicted_conversions']:,.1f}"
                + ("" if p.get("detectable") else ": below it, the interval will likely span 0")
            )
        m = self.measured
        if m:
            lines.append(
                f"campaign {self.name} measured: incremental conversions "
                f"{m['incremental_conversions']:+.2f} {_ci(m['incremental_conversions_ci'])} "
                f"(predicted {m['predicted_incremental_conversions']:.2f}, true "
                f"{_num(m.get('true_incremental_conversions'))}), profit "
                f"{m['incremental_profit']:+,.2f} {_ci(m['incremental_profit_ci'])} (predicted "
                f"{m['predicted_incremental_profit']:,.2f}, true "
                f"{_num(m.get('true_incremental_profit'))})"
            )
        return lines


def _ci(v: Any) -> str:
    return f"[{v[0]:,.2f}, {v[1]:,.2f}]" if v else ""


def _num(v: Any) -> str:
    return "n/a" if v is None else f"{v:,.2f}"


class CampaignsStage:
    name = "campaigns"
    config_key = "campaigns"
    config_type = CampaignsConfig

    def run(
        self, ctx: RunContext, config: CampaignsConfig, progress: Progress | None
    ) -> CampaignsResult | None:
        from seamline.campaigns.plan import plan_campaign
        from seamline.campaigns.simulate import measure_plan, simulate_plan
        from seamline.campaigns.spec import load_spec
        from seamline.errors import DataError

        spec = load_spec(config.spec) if config.spec is not None else default_spec()
        try:
            plan = plan_campaign(ctx.workspace, spec, progress=progress)
        except DataError as e:  # too little data for this spec: the run goes on, and says so
            log.warning("campaign %s: not planned: %s", spec.name, e)
            return CampaignsResult(None, spec.name, not_planned=str(e))
        measured: dict[str, Any] = {}
        events = 0
        truth = ctx.data_dir / "truth" if ctx.data_dir is not None else None
        if config.simulate and truth is not None and (truth / "user_propensity.csv").is_file():
            drawn = simulate_plan(ctx.workspace, ctx.data_dir, plan["plan_id"])  # type: ignore[arg-type]
            events = int(drawn["events"])
            measured = measure_plan(ctx.workspace, plan["plan_id"])
        return CampaignsResult(
            plan["plan_id"], spec.name, plan["summary"]["totals"], measured, None, events,
            plan["summary"].get("power", {}),
        )  # fmt: skip

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.campaigns import campaigns_section

        return campaigns_section(workspace)
