"""Stage `privacy`: nothing to run in the main job; its section shows the privacy budget,
the releases and the erasure audit of the workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seamline.pipeline.stage import RunContext, StageResult

if TYPE_CHECKING:
    from seamline.progress import Progress
    from seamline.report.sections import Section
    from seamline.workspace import Workspace


class PrivacyStage:
    name = "privacy"
    config_key = None
    config_type = None

    def run(self, ctx: RunContext, config: Any, progress: Progress | None) -> StageResult | None:
        return None

    def section(self, workspace: Workspace) -> Section | None:
        from seamline.report.privacy import privacy_section

        return privacy_section(workspace)
