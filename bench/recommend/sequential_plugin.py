"""Sequential retrievers for the peer benchmark: the shared sequential plugin's numpy
item-transition model (`seq_trans`, ../shared/bench/plugin_sequential.py) beside Seamline's
sequence-aware models (`sl_transition`, `sl_blend`, and with SEQ_WITH_SASREC=1 `sl_sasrec`)
and its recency EASE (`sl_ease`), all fitted on the same train events of the protocol's
split (see seamline_plugin.py for how a split's events are found from X)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "bench"
sys.path.insert(0, str(HERE))

import seamline_plugin  # noqa: E402


def _shared_plugin() -> Any:
    path = Path(os.environ.get("SEQ_SHARED_PLUGIN", SHARED / "plugin_sequential.py"))
    spec = importlib.util.spec_from_file_location("plugin_sequential", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SEAMLINE = ["transition", "blend", "ease"] + (
    ["sasrec"] if os.environ.get("SEQ_WITH_SASREC") == "1" else []
)
_ours = seamline_plugin.PEER_MODELS
PEER_MODELS: dict[str, dict[str, Any]] = {
    "seq_trans": _shared_plugin().PEER_MODELS["seq_trans"],
    **{f"sl_{n}": _ours[f"sl_{n}"] for n in SEAMLINE},
}
