"""Cold-start evaluation across domains: how well interest carries from a source domain
to a target domain for users never seen in the target (`protocol`), with the baselines
every transfer method must beat (`baselines`)."""

from seamline.evaluate.cross.protocol import CrossResult, evaluate_cross
from seamline.evaluate.cross.split import ColdSplit, cold_split, load_events

__all__ = ["ColdSplit", "CrossResult", "cold_split", "evaluate_cross", "load_events"]
