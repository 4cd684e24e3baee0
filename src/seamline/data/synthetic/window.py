"""The simulated calendar and the planted coupon campaign's window and effect model.

Behaviour is simulated in China local time (UTC+8) and written as UTC.
"""

from __future__ import annotations

import numpy as np

LOCAL_OFFSET_S = 8 * 3600
WINDOW_FIRST_DAY = np.datetime64("2026-05-01")
WINDOW_DAYS = 184  # 2026-05-01 .. 2026-10-31 local
WINDOW_START_UTC = int(WINDOW_FIRST_DAY.astype("datetime64[s]").astype(np.int64)) - LOCAL_OFFSET_S
DAY_S = 86_400
# Sessions start in this local-time band, so one user's sessions (one per day) never overlap.
FIRST_SESSION_HOUR, LAST_SESSION_HOUR = 6.0, 23.5

CAMPAIGN_FIRST_DAY = int((np.datetime64("2026-09-01") - WINDOW_FIRST_DAY).astype(np.int64))
CAMPAIGN_DAYS = 30
COUPON_ID = "SEAMLINE-SEP20"
COUPON_DISCOUNT = 0.20
# How the coupon (and any later offer) moves users: seamline.data.synthetic.offer_effect.
