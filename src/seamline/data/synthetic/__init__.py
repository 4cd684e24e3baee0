"""A synthetic world with known answers: users, courses, fashion items and their events.

Seamline's analyses (segmentation, funnels, uplift) need data whose truth is known, so this
package plants it: every user belongs to one of a few segments with distinct tastes across
both domains, and one past randomised coupon campaign has a known effect. The observable
tables use the canonical columns (`seamline.data.columns`); the answers go to `truth/`.

Everything is vectorised numpy over chunks of users and streamed to CSV with pyarrow: a
million users (~10M events) take about 30 s and under 1 GiB of memory. The same seed gives
byte-identical files: users and items come from fixed random streams, and each chunk of
events from its own stream derived from (seed, chunk index).

Modules: `world` (generate_world), `users`, `items`, `behaviour` (sessions, views, the
funnel), `truth` (truth/ files), `personas` and `vocab` (loaded from `data/`), `window`
(calendar and campaign), `arrays` (numpy/Arrow/CSV helpers).
"""

from seamline.data.synthetic.personas import SEGMENTS, Segment
from seamline.data.synthetic.vocab import CATEGORIES, CITIES, DOMAIN_NAMES
from seamline.data.synthetic.window import COUPON_DISCOUNT, COUPON_ID
from seamline.data.synthetic.world import WorldSummary, generate_world

__all__ = [
    "CATEGORIES",
    "CITIES",
    "COUPON_DISCOUNT",
    "COUPON_ID",
    "DOMAIN_NAMES",
    "SEGMENTS",
    "Segment",
    "WorldSummary",
    "generate_world",
]
