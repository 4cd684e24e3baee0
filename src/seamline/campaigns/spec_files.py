"""Campaign specs kept as YAML files in a folder (the service's spec library) or sent as
YAML text: listed with their headline fields, parsed with errors naming the field."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from seamline.campaigns.spec import CampaignSpec, load_spec, parse_spec
from seamline.errors import ConfigError, NotFoundError, TooLargeError

if TYPE_CHECKING:
    from seamline.data.store import Store

MAX_SPEC_CHARS = 200_000


def spec_from_text(text: str, where: str = "spec") -> CampaignSpec:
    """A spec from YAML text; errors name the line (bad YAML) or the dotted field."""
    if len(text) > MAX_SPEC_CHARS:
        raise TooLargeError(f"{where}: {len(text)} characters, at most {MAX_SPEC_CHARS}")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{where}{line}: not valid YAML ({getattr(e, 'problem', e)})") from None
    return parse_spec(data, where)


def _summary(spec: CampaignSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "goal": spec.goal.params(),
        "budget": spec.budget,
        "voice": spec.voice.name,
        "languages": list(spec.languages),
        "channels": [c.name for c in spec.channels],
        "offers": [{"id": o.id, "kind": o.kind} for o in spec.offers],
        "holdout_share": spec.holdout_share,
    }


def list_specs(folder: Path) -> list[dict[str, Any]]:
    """Every `*.yaml` spec in `folder` by file name: its headline fields, or the error that
    keeps it from loading (so a broken file shows up instead of vanishing)."""
    out: list[dict[str, Any]] = []
    if not folder.is_dir():
        return out
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        entry: dict[str, Any] = {"file": path.name}
        try:
            entry.update(_summary(load_spec(path)))
            entry["text"] = path.read_text(encoding="utf-8")
        except ConfigError as e:
            entry.update(name=path.stem, error=str(e).replace(str(path), path.name))
        out.append(entry)
    return out


def spec_file(folder: Path, file: str) -> CampaignSpec:
    """The spec `file` of `folder` (a plain file name: no paths outside the folder)."""
    if Path(file).name != file or not file.endswith((".yaml", ".yml")):
        raise ConfigError(f"spec_file: a file name ending .yaml in the spec folder, got {file!r}")
    path = folder / file
    if not path.is_file():
        raise NotFoundError(f"no campaign spec {file!r} in the spec folder")
    return load_spec(path)


def make_plan(ws: Store, text: str | None, file: str | None, folder: Path) -> dict[str, Any]:
    """Plan the spec given as YAML `text` or as `file` of `folder`: checked against the
    workspace first, then planned and stored (`campaigns.plan.plan_campaign`)."""
    from seamline.campaigns.spec import check_spec

    if text is not None:
        spec = spec_from_text(text)
    elif file is not None:
        spec = spec_file(folder, file)
    else:
        raise ConfigError("give a spec (YAML text) or a spec file")
    check_spec(ws, spec)
    from seamline.campaigns.plan import plan_campaign

    return plan_campaign(ws, spec)
