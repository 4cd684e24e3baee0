"""A stored campaign plan without planning: the example spec, a few users with rendered
messages, saved through the plan store (for the service and dashboard tests)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import yaml

from seamline.campaigns import store
from seamline.campaigns.content import MessageTemplates
from seamline.campaigns.context import message_context
from seamline.campaigns.spec import load_spec
from seamline.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "campaigns"
HOSTILE = "<script>alert(1)</script>{{ 7*7 }} wrap dress"


def copy_examples(folder: Path) -> Path:
    """The example specs copied into `folder` (a service's spec library)."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in EXAMPLES.glob("*.yaml"):
        shutil.copy(f, folder / f.name)
    return folder


def open_spec(text: str) -> str:
    """The example spec's YAML for every user, with a cheap, high-margin message (profitable
    wherever the learned uplift is positive), so a small world's plan is not empty."""
    data = yaml.safe_load(text)
    data["audience"] = {}
    data["offers"][2].update(contact_cost=0.01, margin=0.9)
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def store_example_plan(ws_path: Path, *, summary_previews: bool = False) -> int:
    """Save a small plan of `learners-to-fashion.yaml`; one item title is hostile. Messages
    are stored as the planner stores them (title line, then body); with `summary_previews`
    the summary also holds every variant, as the planner's summary does."""
    spec = load_spec(EXAMPLES / "learners-to-fashion.yaml")
    templates = MessageTemplates(spec.voice, [c.name for c in spec.channels], spec.languages)
    rows, previews = [], []
    items = [{"item_id": "F000001", "title": HOSTILE, "price": 459.0, "domain": "fashion"}]
    for offer in spec.offers:
        for lang in spec.languages:
            for channel in (c.name for c in spec.channels):
                user = f"U{len(rows):04d}"
                ctx = message_context(user, items, offer=offer)
                m = templates.render(ctx, channel, lang)
                rows.append(
                    {
                        "user_id": user, "offer_id": offer.id, "arm": "campaign",
                        "uplift": 0.02, "expected_profit": 3.0, "expected_cost": 1.0,
                        "channel": channel, "language": lang, "items": json.dumps(items),
                        "message": f"{m.title}\n{m.body}" if m.title else m.body,
                    }
                )  # fmt: skip
                previews.append(
                    {
                        "offer_id": offer.id, "offer_kind": offer.kind, "channel": channel,
                        "language": lang, "user_id": user, "title": m.title, "body": m.body,
                    }
                )  # fmt: skip
    summary = {
        "totals": {"users": len(rows), "budget": spec.budget, "spend": 18.0, "roi": 2.0},
        "roi_curve": [
            {"budget": 10.0, "spend": 9.0, "profit": 25.0, "roi": 2.5, "users": 6},
            {"budget": 20.0, "spend": 18.0, "profit": 36.0, "roi": 2.0, "users": 12},
        ],
    }
    if summary_previews:
        summary["previews"] = previews
    ws = Workspace(ws_path)
    return store.save_plan(
        ws, spec.name, spec.params(), summary, spec.experiment_name(store.next_plan_id(ws)),
        pd.DataFrame(rows), 0.1,
    )  # fmt: skip
