"""Segment profiles and their readable names, in English and Chinese.

A profile describes a segment against the whole population: size, demographics, domain
mix, top categories per domain and brands, spend, willingness to pay, cross-domain
affinity, habits, RFM groups, and the lift (segment mean / population mean) of every
numeric feature. Names and one-line descriptions are built by rules over those numbers
(spend and price level, the category with the highest lift, the domain focus, activity),
so they follow whatever the data shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

# Category words seen in the synthetic world, the public datasets and common catalogs;
# any other label is used as it is in both languages.
ZH_WORDS: dict[str, str] = {
    "finance": "理财", "fashion_design": "时尚设计", "programming": "编程",
    "health_fitness": "健康健身", "language": "语言", "career": "职场",
    "arts_culture": "艺术文化", "dresses": "连衣裙", "dress": "连衣裙", "tops": "上衣",
    "outerwear": "外套", "sportswear": "运动服饰", "menswear": "男装", "shoes": "鞋履",
    "bags": "箱包", "bag": "箱包", "accessories": "配饰", "trousers": "长裤",
    "sweater": "毛衣", "t-shirt": "T恤", "jacket": "夹克", "skirt": "半身裙",
    "shorts": "短裤", "blouse": "女衬衫", "shirt": "衬衫", "vest top": "背心",
    "bra": "内衣", "underwear bottom": "内裤", "socks": "袜子", "hoodie": "连帽衫",
    "coat": "大衣", "sneakers": "运动鞋", "boots": "靴子", "swimwear bottom": "泳裤",
    "bikini top": "比基尼上衣", "leggings/tights": "打底裤", "cardigan": "开衫",
    "top": "上衣", "knowledge": "知识", "fashion": "时尚", "other": "其他",
    "earring": "耳环", "underwear tights": "连裤袜", "pyjama bottom": "睡裤",
    "pyjama set": "睡衣套装", "swimsuit": "泳衣", "hat/beanie": "帽子", "scarf": "围巾",
    "belt": "腰带", "necklace": "项链", "bodysuit": "连体衣", "jumpsuit/playsuit": "连身裤",
    "garment set": "套装", "sandals": "凉鞋", "pumps": "浅口鞋", "other shoe": "其他鞋履",
    "other accessories": "其他配饰", "blazer": "西装外套",
    "underwear body": "塑身衣", "sunglasses": "太阳镜", "wallet": "钱包", "gloves": "手套",
}  # fmt: skip
NO_CATEGORY = "(none)"  # items without a category; never a profile's "top" category
DAYPARTS = {
    "tod_night": ("late-night", "深夜", "at night"),
    "tod_morning": ("morning", "晨间", "in the morning"),
    "tod_afternoon": ("afternoon", "午间", "in the afternoon"),
    "tod_evening": ("evening", "晚间", "in the evening"),
}
DAYPART_ZH = {
    "tod_night": "深夜",
    "tod_morning": "上午",
    "tod_afternoon": "下午",
    "tod_evening": "晚上",
}
ROLE = {  # domain focus -> (English, Chinese)
    "knowledge": ("learners", "学习者"),
    "fashion": ("fashion shoppers", "时尚购物者"),
    "other": ("customers", "顾客"),
    "mixed": ("cross-domain fans", "跨界用户"),
}
HIGH_SPEND, LOW_SPEND = 1.5, 0.5  # lift of spend per user
PRICE_LEVEL = 0.2  # difference in mean log price index (about 20 % dearer / cheaper)
FOCUS = 0.65  # share of activity that makes a domain "the" domain of a segment
DORMANT_DAYS, DORMANT_EVENTS = 1.8, 0.6  # lift of days since active / of events
MIN_CATEGORY_SHARE = 0.08


def zh(label: str) -> str:
    return ZH_WORDS.get(label.lower(), label)


def en(label: str) -> str:
    return label.replace("_", " ")


def _num(v: Any, digits: int = 4) -> float | None:
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else round(f, digits)


def _lift(seg: float, pop: float) -> float | None:
    return _num(seg / pop, 3) if pop and not math.isnan(seg) and not math.isnan(pop) else None


def _top_values(col: pd.Series, mask: npt.NDArray[np.bool_], n: int = 3) -> list[dict[str, Any]]:
    """Most frequent values of a text column in the segment, with share and lift."""
    pop = col.value_counts(normalize=True)
    seg = col[mask].value_counts(normalize=True).head(n)
    return [
        {"value": str(v), "share": _num(s), "lift": _lift(float(s), float(pop.get(v, 0)))}
        for v, s in seg.items()
    ]


def build_profiles(
    frame: pd.DataFrame,
    labels: npt.NDArray[np.int64],
    columns: Sequence[dict[str, Any]],
    heatmap_columns: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One profile per segment id (0..k-1); `columns` is the feature metadata."""
    meta = {c["name"]: c for c in columns}
    numeric = [
        c for c in frame.columns
        if c != "user_id" and pd.api.types.is_numeric_dtype(frame[c])
    ]  # fmt: skip
    values = frame[numeric].astype("float64")
    pop_mean = values.mean()
    pop_std = values.std(ddof=0).replace(0, np.nan)
    k = int(labels.max()) + 1 if len(labels) else 0
    n = len(frame)
    profiles = []
    for s in range(k):
        mask = labels == s
        seg = values[mask]
        mean = seg.mean()
        lift = {c: _lift(float(mean[c]), float(pop_mean[c])) for c in numeric}
        z = {
            c: _num((mean[c] - pop_mean[c]) / pop_std[c], 3)
            for c in heatmap_columns
            if c in mean and not math.isnan(float(pop_std[c]))
        }
        p: dict[str, Any] = {"id": s, "size": int(mask.sum()), "share": _num(mask.sum() / n)}
        p["demographics"] = {
            "age_mean": _num(mean.get("age"), 1),
            "female_share": _num(mean.get("female")),
            **{
                f"top_{c}": _top_values(frame[c].astype("string"), mask)
                for c in ("city", "occupation")
                if c in frame.columns
            },
        }
        domains = [m for m in columns if m["name"].startswith("share_") and "domain" in m]
        p["domains"] = {
            m["domain"]: {
                "activity_share": _num(mean[m["name"]]),
                "lift": lift.get(m["name"]),
                "purchase_share": _num(mean.get(f"buy_{m['name']}")),
            }
            for m in domains
        }
        cats: dict[str, list[dict[str, Any]]] = {}
        for m in columns:
            if m["name"].startswith("cat_") and "domain" in m and m["label"] != NO_CATEGORY:
                cats.setdefault(m["domain"], []).append(
                    {
                        "category": m["label"],
                        "share": _num(mean[m["name"]]),
                        "lift": lift[m["name"]],
                    }
                )
        p["top_categories"] = {
            d: sorted(
                (c for c in cs if (c["share"] or 0) >= MIN_CATEGORY_SHARE),
                key=lambda c: -(c["share"] or 0),
            )[:3]
            for d, cs in cats.items()
        }
        brands = [
            {"brand": m["label"], "share": _num(mean[m["name"]]), "lift": lift[m["name"]]}
            for m in columns
            if m["name"].startswith("brand_") and "label" in m
        ]
        p["top_brands"] = sorted(brands, key=lambda b: -(b["share"] or 0))[:3]

        def pick(names: Sequence[str], mean: pd.Series = mean) -> dict[str, Any]:
            return {c: _num(mean[c]) for c in names if c in mean}

        p["spend"] = {
            **pick(["monetary", "frequency", "avg_order_value", "recency_days"]),
            "median_monetary": _num(seg["monetary"].median()) if "monetary" in seg else None,
            "buyer_share": _num((seg["frequency"] > 0).mean()) if "frequency" in seg else None,
            "monetary_lift": lift.get("monetary"),
        }
        p["willingness_to_pay"] = pick(
            ["paid_ratio", "price_index_view", "price_index_buy", "price_sensitivity",
             "coupon_share", "full_price_share", "band_low", "band_high"]
        )  # fmt: skip
        p["cross_domain"] = {
            **pick(["cross_buyer", "domains_active", "domains_bought"]),
            "cross_buyer_lift": lift.get("cross_buyer"),
        }
        tods = {t: _num(mean[t]) for t in DAYPARTS if t in mean}
        channels = {
            meta[c]["label"]: _num(mean[c])
            for c in numeric
            if c.startswith("channel_") and c in meta and "label" in meta[c]
        }
        p["habits"] = {
            "time_of_day": tods,
            "channels": channels,
            **pick(["purchase_cadence_days", "weekend_share"]),
        }
        p["engagement"] = pick(
            ["events", "active_days", "sessions", "days_since_active", "click_rate",
             "buy_rate", "completion_rate"]
        )  # fmt: skip
        if "rfm_group" in frame.columns:
            p["rfm_groups"] = {
                str(g): _num(v)
                for g, v in frame.loc[mask, "rfm_group"].value_counts(normalize=True).items()
            }
        p["lift"] = {c: v for c, v in lift.items() if v is not None}
        p["z"] = z
        p["_pop"] = {
            "price_index_view": _num(pop_mean.get("price_index_view")),
            "monetary": _num(pop_mean.get("monetary")),
        }
        profiles.append(p)
    name_profiles(profiles)
    for p in profiles:
        p.pop("_pop")
    return profiles


def _focus(p: dict[str, Any]) -> str:
    shares = {d: v["activity_share"] or 0 for d, v in p["domains"].items()}
    if not shares:
        return "other"
    top = max(shares, key=lambda d: shares[d])
    return top if shares[top] >= FOCUS or len(shares) == 1 else "mixed"


def _top_category(p: dict[str, Any], focus: str) -> str | None:
    """The category the segment over-indexes on most (among those it uses enough)."""
    best, best_lift = None, 1.15
    for d, cats in p["top_categories"].items():
        if focus not in ("mixed", d):
            continue
        for c in cats:
            if (c["lift"] or 0) > best_lift:
                best, best_lift = c["category"], c["lift"]
    return best


LOYAL_GROUPS = ("Champions", "Loyal")
LAPSING_GROUPS = ("At risk", "Hibernating", "Cannot lose them", "About to sleep")


def _rfm_share(p: dict[str, Any], groups: Sequence[str]) -> float:
    shares = p.get("rfm_groups") or {}
    return float(sum(shares.get(g) or 0 for g in groups))


def _words(p: dict[str, Any]) -> dict[str, Any]:
    lift = p["lift"]
    focus = _focus(p)
    spend_lift = p["spend"].get("monetary_lift")
    price = p["willingness_to_pay"].get("price_index_view")
    pop_price = p["_pop"].get("price_index_view")
    gap = price - pop_price if price is not None and pop_price is not None else 0.0
    dormant = (lift.get("days_since_active") or 0) >= DORMANT_DAYS and (
        lift.get("events") or 1
    ) <= DORMANT_EVENTS
    if dormant:
        level = ("dormant", "沉睡")
    elif spend_lift is not None and spend_lift >= HIGH_SPEND:
        level = ("high-spend", "高消费")
    elif gap <= -PRICE_LEVEL or (spend_lift is not None and spend_lift <= LOW_SPEND):
        level = ("budget", "精打细算的")
    elif gap >= PRICE_LEVEL:
        level = ("premium", "品质")
    elif _rfm_share(p, LOYAL_GROUPS) >= 0.5:
        level = ("loyal", "忠实")
    elif _rfm_share(p, LAPSING_GROUPS) >= 0.6:
        level = ("lapsing", "流失风险")
    else:
        level = ("", "")
    cat = _top_category(p, focus)
    tods = {t: v for t, v in p["habits"]["time_of_day"].items() if v is not None}
    daypart = max(tods, key=lambda t: tods[t]) if tods else None
    return {"level": level, "category": cat, "focus": focus, "daypart": daypart}


def name_profiles(profiles: list[dict[str, Any]]) -> None:
    """Set name_en, name_zh, description_en and description_zh on each profile."""
    used: set[str] = set()
    for p in profiles:
        w = _words(p)
        role_en, role_zh = ROLE[w["focus"]]
        cat = w["category"]
        if cat and w["focus"] == "fashion":
            role_en, role_zh = "shoppers", "购物者"
        parts_en = [w["level"][0], en(cat) if cat else "", role_en]
        name_en = " ".join(x for x in parts_en if x)
        name_zh = w["level"][1] + (zh(cat) if cat else "") + role_zh
        if name_en in used and w["daypart"]:
            dp = DAYPARTS[w["daypart"]]
            name_en, name_zh = f"{dp[0]} {name_en}", dp[1] + name_zh
        if name_en in used:
            name_en, name_zh = f"{name_en} {p['id']}", f"{name_zh}{p['id']}"
        used.add(name_en)
        p["name_en"] = name_en[0].upper() + name_en[1:]
        p["name_zh"] = name_zh
        p["description_en"], p["description_zh"] = _describe(p, w)


def money(v: float) -> str:
    """Amounts of any scale readable: 1,234 / 12.5 / 0.0284."""
    a = abs(v)
    return f"{v:,.0f}" if a >= 100 else f"{v:.1f}" if a >= 1 else f"{v:.3g}"


def _describe(p: dict[str, Any], w: dict[str, Any]) -> tuple[str, str]:
    share = p["share"] or 0
    cats = [c for cs in p["top_categories"].values() for c in cs]
    cats = sorted(cats, key=lambda c: -(c["share"] or 0))[:2]
    en_parts = [f"{share:.0%} of users"]
    zh_parts = [f"占用户{share:.0%}"]
    if cats:
        en_parts.append("mostly " + " and ".join(en(c["category"]) for c in cats))
        zh_parts.append("偏好" + "、".join(zh(c["category"]) for c in cats))
    if len(p["domains"]) > 1 and "knowledge" in p["domains"]:
        ks = p["domains"]["knowledge"]["activity_share"] or 0
        en_parts.append(f"{ks:.0%} of activity on courses")
        zh_parts.append(f"知识类活动占{ks:.0%}")
    m, ml = p["spend"].get("monetary"), p["spend"].get("monetary_lift")
    if m is not None and ml is not None:
        en_parts.append(f"spends {money(m)} per user ({ml:.1f}x average)")
        zh_parts.append(f"人均消费{money(m)}（平均的{ml:.1f}倍）")
    chans = {c: v for c, v in p["habits"]["channels"].items() if v is not None}
    if w["daypart"]:
        where = f" on {max(chans, key=lambda c: chans[c])}" if chans else ""
        en_parts.append(f"active mostly {DAYPARTS[w['daypart']][2]}{where}")
        via = f"通过{max(chans, key=lambda c: chans[c])}" if chans else ""
        zh_parts.append(f"多在{DAYPART_ZH[w['daypart']]}{via}活跃")
    return "; ".join(en_parts) + ".", "；".join(zh_parts) + "。"
