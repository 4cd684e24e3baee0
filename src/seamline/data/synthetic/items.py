"""Items of the synthetic world: bilingual courses and fashion items with prices and popularity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seamline.data.columns import ITEM_COLUMNS
from seamline.data.synthetic.arrays import Bools, Cols, Floats, Ints, ids, pick
from seamline.data.synthetic.vocab import (
    BENEFITS,
    CATEGORIES,
    CATEGORY_PROVIDERS,
    COLOURS,
    COURSE_AUDIENCES,
    COURSE_BENEFITS,
    COURSE_CATEGORIES,
    COURSE_FORMATS,
    COURSE_MEDIAN_PRICE,
    COURSE_PREFIX_LEVELS,
    COURSE_PREFIXES,
    COURSE_PRICE_LADDER,
    COURSE_SUFFIXES,
    COURSE_TOPICS,
    DOMAIN_NAMES,
    FASHION_BRANDS,
    FASHION_CATEGORIES,
    FASHION_MEDIAN_PRICE,
    GARMENTS,
    GENERAL_PROVIDERS,
    MATERIALS,
    N_COURSE_CATS,
    STYLES,
)

PRICE_TIERS = 3  # budget, mid, premium third of each category
MIN_ITEMS, MAX_ITEMS = 200, 100_000
KNOWLEDGE_ITEM_SHARE = 0.4


@dataclass
class Items:
    n: int
    ids: pa.Array
    price: Floats
    quality: Floats  # latent; shifts ratings
    cum_pop: Floats  # (category, price tier) group + cumulative popularity within it
    table: pa.Table  # the items.csv rows, in item_id order


def item_count(n_users: int) -> int:
    return int(np.clip(n_users // 10, MIN_ITEMS, MAX_ITEMS))


def _split(n: int, k: int) -> Ints:
    """n items spread as evenly as possible over k categories."""
    return np.array([n // k + (i < n % k) for i in range(k)], dtype=np.int64)


def make_items(n: int, rng: np.random.Generator) -> Items:
    n_k = round(n * KNOWLEDGE_ITEM_SHARE)
    counts = np.concatenate([_split(n_k, N_COURSE_CATS), _split(n - n_k, len(FASHION_CATEGORIES))])
    category = np.repeat(np.arange(len(CATEGORIES)), counts)
    parts = [_courses(rng, i, int(c)) for i, c in enumerate(counts[:N_COURSE_CATS])]
    parts += [_garments(rng, i, int(c)) for i, c in enumerate(counts[N_COURSE_CATS:])]
    cols = _concat_cols([p for p, _ in parts])
    price = np.concatenate([pr for _, pr in parts])

    # Internally items are grouped by (category, price tier) so that views can pick a
    # group first and then an item in it; see `_group_cdf`.
    group = category * PRICE_TIERS + _price_tiers(category, price, counts)
    order = np.argsort(group, kind="stable")
    category, price, group = category[order], price[order], group[order]
    cols = {k: c.take(pa.array(order)) for k, c in cols.items()}
    domain = (category >= N_COURSE_CATS).astype(np.int64)

    # Ids are shuffled within each domain so that their order says nothing.
    numbers = np.concatenate([rng.permutation(n_k), rng.permutation(n - n_k)]) + 1
    item_ids = pa.concat_arrays([ids("K", numbers[:n_k], 6), ids("F", numbers[n_k:], 6)])
    cum_pop = _group_cdf(group, rng.lognormal(0.0, 1.0, n), len(CATEGORIES) * PRICE_TIERS)
    table = pa.table(
        {
            "item_id": item_ids,
            "domain": pick(DOMAIN_NAMES, domain),
            "category": pick(CATEGORIES, category),
            "price": pa.array(price),
            **cols,
        }
    ).select(list(ITEM_COLUMNS))
    by_id = np.lexsort((numbers, domain))
    quality = rng.normal(0.0, 0.4, n)
    return Items(n, item_ids, price, quality, cum_pop, table.take(pa.array(by_id)))


def _price_tiers(category: Ints, price: Floats, counts: Ints) -> Ints:
    """Each item's price third (0 budget, 1 mid, 2 premium) within its category."""
    order = np.lexsort((price, category))
    starts = np.cumsum(counts) - counts
    rank = np.empty(len(price), dtype=np.int64)
    rank[order] = np.arange(len(price)) - starts[category[order]]
    return rank * PRICE_TIERS // counts[category]


def _group_cdf(group: Ints, pop: Floats, n_groups: int) -> Floats:
    """`group + cumulative popularity share within the group` for items sorted by group.

    Picking an item of group g is then one searchsorted of g + uniform over this array,
    done for all views at once. Every group must be non-empty.
    """
    counts = np.bincount(group, minlength=n_groups)
    starts = np.cumsum(counts) - counts
    cum = np.cumsum(pop)
    before = np.concatenate([[0.0], cum])[starts]
    totals = np.bincount(group, weights=pop, minlength=n_groups)
    out: Floats = group + (cum - before[group]) / totals[group]
    out[np.cumsum(counts) - 1] = np.arange(n_groups) + 1.0  # exact upper edges
    return out


def _concat_cols(parts: list[Cols]) -> Cols:
    return {k: pa.concat_arrays([p[k] for p in parts]) for k in parts[0]}


def _words(pairs: tuple[tuple[str, ...], ...], idx: Ints, lang: int, *, pad: str = "") -> pa.Array:
    """The `lang` (0 English, 1 Chinese) word of pairs[idx]; `pad` joins non-empty words."""
    return pick(tuple((p[lang] + pad) if p[lang] else "" for p in pairs), idx)


def _bilingual(zh: Bools, en: pa.Array, cn: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(zh), cn, en)


def _courses(rng: np.random.Generator, cat: int, m: int) -> tuple[Cols, Floats]:
    """`m` courses of one category: bilingual titles, providers, ladder prices."""
    name = COURSE_CATEGORIES[cat]
    zh = rng.random(m) < 0.7
    topics = COURSE_TOPICS[name]
    top = rng.integers(0, len(topics), m)
    pre = rng.integers(0, len(COURSE_PREFIXES), m)
    suf = rng.integers(0, len(COURSE_SUFFIXES), m)
    aud = rng.integers(0, len(COURSE_AUDIENCES), m)
    ben = rng.integers(0, len(COURSE_BENEFITS), m)
    lessons = pc.cast(pa.array(rng.integers(8, 61, m)), pa.string())
    join = pc.binary_join_element_wise
    title_en = join(
        _words(COURSE_PREFIXES, pre, 0, pad=" "),
        _words(topics, top, 0, pad=" "),
        _words(COURSE_SUFFIXES, suf, 0),
        "",
    )
    title_zh = join(
        "《",
        _words(COURSE_PREFIXES, pre, 1),
        _words(topics, top, 1),
        _words(COURSE_SUFFIXES, suf, 1),
        "》",
        "",
    )
    desc_en = join(
        lessons,
        " lessons for ",
        _words(COURSE_AUDIENCES, aud, 0),
        ", ",
        _words(COURSE_BENEFITS, ben, 0),
        ".",
        "",
    )
    desc_zh = join(
        lessons,
        "节课，适合",
        _words(COURSE_AUDIENCES, aud, 1),
        "，",
        _words(COURSE_BENEFITS, ben, 1),
        "。",
        "",
    )
    # Half the courses come from the category's two specialist providers.
    providers = GENERAL_PROVIDERS + CATEGORY_PROVIDERS[name]
    specialist = rng.random(m) < 0.5
    prov = np.where(
        specialist,
        len(GENERAL_PROVIDERS) + rng.integers(0, 2, m),
        rng.integers(0, len(GENERAL_PROVIDERS), m),
    )
    tags = join(
        name,
        pick(COURSE_PREFIX_LEVELS, pre),
        pick(COURSE_FORMATS, rng.integers(0, len(COURSE_FORMATS), m)),
        "|",
    )
    # Prices snap to the platform's usual ladder (9.9, 49, 199, ...); some are tasters.
    raw = np.log(COURSE_MEDIAN_PRICE[name]) + rng.normal(0.0, 0.8, m)
    price = COURSE_PRICE_LADDER[np.abs(raw[:, None] - np.log(COURSE_PRICE_LADDER)).argmin(1)]
    price = np.where(rng.random(m) < 0.08, COURSE_PRICE_LADDER[0], price)
    cols = {
        "title": _bilingual(zh, title_en, title_zh),
        "description": _bilingual(zh, desc_en, desc_zh),
        "brand": pick(providers, prov),
        "tags": tags,
        "language": pick(("en", "zh"), zh.astype(np.int64)),
    }
    return cols, price


def _garments(rng: np.random.Generator, fcat: int, m: int) -> tuple[Cols, Floats]:
    """`m` fashion items of one category: style + material + garment, brand-tier prices."""
    name = FASHION_CATEGORIES[fcat]
    zh = rng.random(m) < 0.55
    styles, materials, garments = STYLES[name], MATERIALS[name], GARMENTS[name]
    benefits = BENEFITS[name]
    sty = rng.integers(0, len(styles), m)
    mat = rng.integers(0, len(materials), m)
    gar = rng.integers(0, len(garments), m)
    col = rng.integers(0, len(COLOURS), m)
    ben = rng.integers(0, len(benefits), m)
    join = pc.binary_join_element_wise
    # "Slim-fit linen shirt" / "修身亚麻衬衫"
    title_en = join(
        _words(styles, sty, 0, pad=" "),
        _words(materials, mat, 0, pad=" "),
        _words(garments, gar, 0),
        "",
    )
    title_zh = join(_words(styles, sty, 1), _words(materials, mat, 1), _words(garments, gar, 1), "")
    # "Slim-fit linen shirt in navy, breathable for summer."
    desc_en = join(
        title_en, " in ", _words(COLOURS, col, 0), ", ", _words(benefits, ben, 0), ".", ""
    )
    desc_zh = join(
        title_zh, "，", _words(COLOURS, col, 1), "，", _words(benefits, ben, 1), "。", ""
    )
    seasons = tuple(b[2].replace(" ", "|") for b in benefits)
    tags = join(name, _words(COLOURS, col, 0), pick(seasons, ben), "|")
    brands = tuple(FASHION_BRANDS)
    brand = rng.integers(0, len(brands), m)
    tier = np.array(list(FASHION_BRANDS.values()))[brand]
    raw = FASHION_MEDIAN_PRICE[name] * tier * rng.lognormal(0.0, 0.3, m)
    price = np.clip(np.rint(raw / 10) * 10 - 1, 19, 19_999)  # shop-style prices: 399, 1299
    cols = {
        "title": _bilingual(zh, title_en, title_zh),
        "description": _bilingual(zh, desc_en, desc_zh),
        "brand": pick(brands, brand),
        "tags": tags,
        "language": pick(("en", "zh"), zh.astype(np.int64)),
    }
    return cols, price.astype(np.float64)
