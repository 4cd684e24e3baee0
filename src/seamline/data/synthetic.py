"""A synthetic world with known answers: users, courses, fashion items and their events.

Seamline's analyses (segmentation, funnels, uplift) need data whose truth is known, so this
module plants it: every user belongs to one of a few segments with distinct tastes across
both domains, and one past randomised coupon campaign has a known effect. The observable
tables use the canonical columns (`seamline.data.columns`); the answers go to `truth/`.

Everything is vectorised numpy over chunks of users and streamed to CSV with pyarrow: a
million users (~10M events) take about 30 s and under 1 GiB of memory. The same seed gives
byte-identical files: users and items come from fixed random streams, and each chunk of
events from its own stream derived from (seed, chunk index).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from seamline.data.columns import EVENT_COLUMNS, EVENT_TYPES, ITEM_COLUMNS, USER_COLUMNS
from seamline.progress import Progress, step

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# --------------------------------------------------------------------------------------
# Calendar. Behaviour is simulated in China local time (UTC+8) and written as UTC.
# --------------------------------------------------------------------------------------
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
# The coupon raises the final funnel step: p_coupon = 1 - (1 - p_control) * (1 - lift),
# with lift = LIFT_BASE + LIFT_PER_SENSITIVITY * price_sensitivity (capped at LIFT_MAX).
LIFT_BASE, LIFT_PER_SENSITIVITY, LIFT_MAX = 0.05, 0.15, 0.6


# --------------------------------------------------------------------------------------
# Vocabulary. Word lists are inline `|` tables, one row a line, to keep them readable.
# --------------------------------------------------------------------------------------
def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """(English, Chinese) pairs from `en | zh` rows."""
    return tuple((en, zh) for en, zh in _rows(text))


def _by_category(text: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    """`categories | en | zh [| more]` rows grouped per category; `*` = every fashion one."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for cats, *cells in _rows(text):
        for cat in FASHION_CATEGORIES if cats == "*" else cats.split():
            out.setdefault(cat, []).append(tuple(cells))
    return {cat: tuple(rows) for cat, rows in out.items()}


COURSE_CATEGORIES = (
    "finance", "fashion_design", "programming", "health_fitness", "language", "career",
    "arts_culture",
)  # fmt: skip
FASHION_CATEGORIES = (
    "dresses", "tops", "outerwear", "sportswear", "menswear", "shoes", "bags", "accessories",
)  # fmt: skip
N_COURSE_CATS = len(COURSE_CATEGORIES)
CATEGORIES = COURSE_CATEGORIES + FASHION_CATEGORIES  # one index space: courses first
CHANNELS = ("app", "web", "mini-program")
DOMAIN_NAMES = ("knowledge", "fashion")  # domain codes 0, 1
KNOWLEDGE, FASHION = 0, 1

CITY_WEIGHTS = {
    city: int(w)
    for city, w in _rows("""
        Shanghai | 14
        Beijing | 13
        Shenzhen | 10
        Guangzhou | 9
        Hangzhou | 8
        Chengdu | 8
        Wuhan | 6
        Nanjing | 6
        Xi'an | 5
        Chongqing | 5
        Suzhou | 4
        Tianjin | 4
        Changsha | 3
        Xiamen | 3
        Qingdao | 2
    """)
}
CITIES = tuple(CITY_WEIGHTS)
OCCUPATIONS = (
    "student", "software engineer", "designer", "marketing", "finance professional",
    "teacher", "healthcare", "sales", "civil servant", "freelancer", "manager", "retired",
)  # fmt: skip
AGE_BANDS = ((0, "<18"), (18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"), (55, "55+"))

COURSE_TOPICS = _by_category("""
    finance | Personal Finance | 个人理财
    finance | Index Fund Investing | 基金定投
    finance | Budgeting | 记账与预算
    finance | Stock Market Basics | 股票投资
    finance | Reading Financial Statements | 财报分析
    finance | Personal Finance for Fashion Lovers | 时尚穿搭与财务管理
    finance | Retirement Planning | 保险与养老规划
    fashion_design | Fashion Design Fundamentals | 服装设计基础
    fashion_design | Personal Styling | 时尚穿搭
    fashion_design | Colour Theory for Outfits | 色彩搭配
    fashion_design | Pattern Making | 服装打版
    fashion_design | Fashion Buying | 时尚买手
    fashion_design | Sustainable Fashion | 可持续时尚
    fashion_design | Image Management | 个人形象管理
    programming | Python Programming | Python编程
    programming | Data Analysis with Pandas | 数据分析
    programming | Web Development | 前端开发
    programming | Machine Learning | 机器学习
    programming | SQL for Analysts | SQL数据库
    programming | Mini-Program Development | 小程序开发
    health_fitness | Home Workouts | 居家健身
    health_fitness | Running Training | 跑步训练
    health_fitness | Yoga for Beginners | 瑜伽入门
    health_fitness | Healthy Fat Loss | 科学减脂
    health_fitness | Sports Nutrition | 运动营养
    health_fitness | Pilates | 普拉提
    language | Business English | 商务英语
    language | IELTS Preparation | 雅思备考
    language | Japanese for Beginners | 日语五十音
    language | Spoken English | 英语口语
    language | French Basics | 法语入门
    language | Korean Basics | 韩语入门
    career | Workplace Communication | 职场沟通
    career | Presentation Skills | 高效PPT
    career | Interview Skills | 面试技巧
    career | Project Management | 项目管理
    career | Time Management | 时间管理
    career | Excel for the Office | Excel高效办公
    arts_culture | Art History | 艺术史
    arts_culture | Photography Basics | 摄影入门
    arts_culture | Classical Music Appreciation | 古典音乐欣赏
    arts_culture | Chinese Calligraphy | 书法
    arts_culture | Film Studies | 电影赏析
    arts_culture | Traditional Chinese Culture | 中国传统文化
""")
COURSE_PREFIXES = _pairs("""
    |
    Practical | 实战
    Complete | 系统学
    Essential | 零基础学
    Advanced | 进阶
    30-Day | 30天搞定
""")
COURSE_PREFIX_LEVELS = (
    "intermediate",
    "intermediate",
    "advanced",
    "beginner",
    "advanced",
    "beginner",
)
COURSE_SUFFIXES = _pairs("""
    Course | 课
    Bootcamp | 训练营
    Masterclass | 必修课
    Workshop | 实战营
    for Everyone | 精品课
""")
COURSE_AUDIENCES = _pairs("""
    beginners | 零基础学员
    young professionals | 职场新人
    students | 大学生
    busy parents | 宝妈宝爸
    fashion lovers | 时尚爱好者
    freelancers | 自由职业者
""")
COURSE_BENEFITS = _pairs("""
    with exercises and community Q&A | 配套练习与社群答疑
    with tutor feedback | 讲师一对一点评
    lifetime access | 终身回看
    includes downloadable materials | 附赠学习资料
""")
COURSE_MEDIAN_PRICE = dict(
    zip(COURSE_CATEGORIES, (199.0, 299.0, 399.0, 99.0, 199.0, 149.0, 79.0), strict=True)
)
COURSE_PRICE_LADDER = np.array(
    [9.9, 19.9, 29.9, 49, 69, 99, 129, 149, 199, 249, 299, 399, 499, 699, 999, 1299, 1999],
    dtype=np.float64,
)
COURSE_FORMATS = ("video", "audio", "live")
GENERAL_PROVIDERS = ("Seamline Academy", "知行学堂", "Bright Path Learning", "青藤课堂")
CATEGORY_PROVIDERS = _by_category("""
    finance | Finlit School | 理财星球
    fashion_design | Mode Institute | 衣本课堂
    programming | CodeCraft | 极客营
    health_fitness | FitLab | 元气健身学院
    language | LinguaHub | 声音语言社
    career | Career Compass | 职场加油站
    arts_culture | Muse Lectures | 博雅讲堂
""")

GARMENTS = _by_category("""
    dresses | wrap dress | 裹身连衣裙
    dresses | midi dress | 中长款连衣裙
    dresses | slip dress | 吊带裙
    dresses | shirt dress | 衬衫裙
    dresses | maxi dress | 长裙
    tops | T-shirt | T恤
    tops | shirt | 衬衫
    tops | blouse | 女士衬衫
    tops | knit sweater | 针织毛衣
    tops | polo shirt | Polo衫
    tops | hoodie | 连帽卫衣
    outerwear | trench coat | 风衣
    outerwear | coat | 大衣
    outerwear | down jacket | 羽绒服
    outerwear | jacket | 夹克
    outerwear | blazer | 西装外套
    sportswear | running tights | 跑步紧身裤
    sportswear | sports bra | 运动内衣
    sportswear | track jacket | 运动夹克
    sportswear | training shorts | 训练短裤
    sportswear | yoga pants | 瑜伽裤
    menswear | chinos | 休闲裤
    menswear | oxford shirt | 牛津纺衬衫
    menswear | suit trousers | 西裤
    menswear | suit | 西装
    menswear | crew-neck sweater | 圆领毛衣
    shoes | sneakers | 运动鞋
    shoes | loafers | 乐福鞋
    shoes | ankle boots | 短靴
    shoes | running shoes | 跑鞋
    shoes | sandals | 凉鞋
    shoes | heels | 高跟鞋
    bags | tote bag | 托特包
    bags | crossbody bag | 斜挎包
    bags | backpack | 双肩包
    bags | handbag | 手提包
    bags | clutch | 手拿包
    accessories | scarf | 围巾
    accessories | belt | 腰带
    accessories | sunglasses | 太阳镜
    accessories | watch | 手表
    accessories | earrings | 耳环
    accessories | cap | 棒球帽
""")
MATERIALS = _by_category("""
    dresses tops outerwear menswear | linen | 亚麻
    dresses tops outerwear menswear | cotton | 纯棉
    dresses tops outerwear menswear | silk | 真丝
    dresses tops outerwear menswear | wool | 羊毛
    dresses tops outerwear menswear | denim | 牛仔
    sportswear | quick-dry | 速干
    sportswear | stretch | 弹力
    sportswear | mesh | 透气网眼
    sportswear | recycled nylon | 再生尼龙
    shoes bags | leather | 真皮
    shoes bags | canvas | 帆布
    shoes | suede | 麂皮
    shoes | knit | 飞织
    bags | nylon | 尼龙
    accessories | |
""")
STYLES = _by_category("""
    dresses tops outerwear menswear sportswear | Slim-fit | 修身
    dresses tops outerwear menswear | Relaxed | 宽松
    * | Classic | 经典
    * | Minimalist | 极简
    * | Vintage | 复古
    * | Everyday | 百搭
    sportswear shoes bags | Lightweight | 轻盈
""")
COLOURS = _pairs("""
    navy | 藏青色
    black | 黑色
    white | 白色
    beige | 米色
    olive | 橄榄绿
    burgundy | 酒红色
    grey | 灰色
    camel | 驼色
    sky blue | 天蓝色
""")
# The last cell is the season tag (space-separated seasons become separate tags).
BENEFITS = _by_category("""
    dresses tops menswear sportswear | breathable for summer | 透气适合夏天 | summer
    outerwear menswear tops | warm for winter | 冬季保暖 | winter
    outerwear dresses tops | a light layer for spring and autumn | 春秋薄款 | spring autumn
    * | made for everyday wear | 日常好穿 | all-season
    dresses tops outerwear menswear shoes bags | easy to pair for the office | 通勤百搭 | all-season
    bags accessories | a thoughtful gift | 送礼佳选 | all-season
    shoes | cushioned for all-day comfort | 久穿不累 | all-season
    sportswear | sweat-wicking for workouts | 吸湿排汗适合运动 | all-season
    bags shoes accessories | light enough for travel | 轻便适合旅行 | all-season
""")
FASHION_MEDIAN_PRICE = dict(
    zip(FASHION_CATEGORIES, (399.0, 159.0, 699.0, 259.0, 359.0, 499.0, 599.0, 199.0), strict=True)
)
# Fictional brands with a price tier (multiplier on the category's median price).
FASHION_BRANDS = {
    brand: float(tier)
    for brand, tier in _rows("""
        Linen & Loom | 1.0
        Urban Thread | 0.7
        北岸 Northshore | 1.3
        Mistral Atelier | 2.2
        青衣 Qingyi | 1.1
        Stride Athletics | 0.9
        Maison Lumière | 3.0
        Cloudstep | 0.8
        Jade & Co | 1.6
        Basics Lab | 0.5
        Harbour Tailors | 1.4
        Peak Motion | 0.85
    """)
}


# --------------------------------------------------------------------------------------
# Segments and behaviour parameters
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """A planted user segment: its latent tastes drive every observable behaviour."""

    key: str
    name_en: str
    name_zh: str
    share: float  # fraction of users
    knowledge_share: float  # fraction of sessions on the knowledge platform
    course_taste: dict[str, float]  # main course categories (others get TASTE_FLOOR)
    fashion_taste: dict[str, float]  # main fashion categories
    price_sensitivity: float  # how fast buying falls with log price; higher = thriftier
    activity: float  # relative number of item views
    session_depth: float  # mean item views per session
    channels: tuple[float, float, float]  # app, web, mini-program
    peak_hour: float  # typical session start, local time (UTC+8)
    hour_spread: float
    female_share: float
    age_mean: float
    age_sd: float
    completion: float  # chance an enrolled, well-matched course is completed
    occupations: dict[str, float]
    active_days: int = WINDOW_DAYS  # days after a user's first possible day they stay active


# Segments share single traits (evening sessions, the app, dresses) but differ in their
# combination, so no one column gives them away.
SEGMENTS: tuple[Segment, ...] = (
    Segment(
        key="fashion_learners",
        name_en="High-spend fashion learners",
        name_zh="高消费时尚学习者",
        share=0.12,
        knowledge_share=0.45,
        course_taste={"fashion_design": 0.6, "arts_culture": 0.2, "finance": 0.1},
        fashion_taste={"dresses": 0.45, "bags": 0.35, "accessories": 0.1},
        price_sensitivity=0.3,
        activity=1.8,
        session_depth=1.6,
        channels=(0.80, 0.12, 0.08),
        peak_hour=21.0,
        hour_spread=1.2,
        female_share=0.85,
        age_mean=31,
        age_sd=5,
        completion=0.55,
        occupations={"designer": 3, "marketing": 3, "manager": 2, "freelancer": 2},
    ),
    Segment(
        key="budget_students",
        name_en="Budget students",
        name_zh="精打细算的学生",
        share=0.18,
        knowledge_share=0.6,
        course_taste={"programming": 0.5, "language": 0.4},
        fashion_taste={"tops": 0.5, "sportswear": 0.3, "shoes": 0.1},
        price_sensitivity=2.0,
        activity=1.0,
        session_depth=1.3,
        channels=(0.15, 0.05, 0.80),
        peak_hour=21.5,
        hour_spread=1.2,
        female_share=0.55,
        age_mean=21,
        age_sd=2,
        completion=0.35,
        occupations={"student": 1},
    ),
    Segment(
        key="career_finance",
        name_en="Career finance learners",
        name_zh="职场理财学习者",
        share=0.16,
        knowledge_share=0.75,
        course_taste={"finance": 0.5, "career": 0.4},
        fashion_taste={"menswear": 0.55, "outerwear": 0.2, "shoes": 0.15},
        price_sensitivity=0.8,
        activity=1.1,
        session_depth=1.3,
        channels=(0.20, 0.70, 0.10),
        peak_hour=8.0,
        hour_spread=1.0,
        female_share=0.35,
        age_mean=34,
        age_sd=6,
        completion=0.5,
        occupations={"finance professional": 4, "software engineer": 2, "manager": 3, "sales": 1},
    ),
    Segment(
        key="fashion_shoppers",
        name_en="Fashion-only shoppers",
        name_zh="纯时尚购物者",
        share=0.20,
        knowledge_share=0.05,
        course_taste={"arts_culture": 0.4, "language": 0.3, "fashion_design": 0.2},
        fashion_taste={"shoes": 0.35, "tops": 0.3, "dresses": 0.15, "outerwear": 0.1},
        price_sensitivity=1.2,
        activity=1.2,
        session_depth=1.6,
        channels=(0.50, 0.05, 0.45),
        peak_hour=14.5,
        hour_spread=1.5,
        female_share=0.8,
        age_mean=27,
        age_sd=5,
        completion=0.2,
        occupations={"marketing": 2, "sales": 3, "designer": 1, "freelancer": 2, "teacher": 1},
    ),
    Segment(
        key="health_sports",
        name_en="Health & sports enthusiasts",
        name_zh="健康运动达人",
        share=0.12,
        knowledge_share=0.4,
        course_taste={"health_fitness": 0.8},
        fashion_taste={"sportswear": 0.65, "shoes": 0.25},
        price_sensitivity=1.0,
        activity=1.3,
        session_depth=1.3,
        channels=(0.75, 0.10, 0.15),
        peak_hour=7.5,
        hour_spread=1.0,
        female_share=0.5,
        age_mean=29,
        age_sd=6,
        completion=0.6,
        occupations={"healthcare": 3, "software engineer": 2, "teacher": 2, "sales": 1},
    ),
    Segment(
        key="culture_learners",
        name_en="Language & culture learners",
        name_zh="语言文化学习者",
        share=0.10,
        knowledge_share=0.92,
        course_taste={"language": 0.5, "arts_culture": 0.4},
        fashion_taste={"outerwear": 0.45, "accessories": 0.35},
        price_sensitivity=0.9,
        activity=1.0,
        session_depth=1.3,
        channels=(0.30, 0.60, 0.10),
        peak_hour=20.5,
        hour_spread=1.2,
        female_share=0.6,
        age_mean=40,
        age_sd=9,
        completion=0.65,
        occupations={"teacher": 4, "civil servant": 3, "retired": 2, "freelancer": 1},
    ),
    Segment(
        key="dormant",
        name_en="Dormant users",
        name_zh="沉睡用户",
        share=0.12,
        knowledge_share=0.3,
        course_taste={"career": 0.3, "health_fitness": 0.3, "arts_culture": 0.2},
        fashion_taste={"accessories": 0.45, "bags": 0.3, "menswear": 0.1},
        price_sensitivity=1.5,
        activity=0.35,
        session_depth=1.0,
        channels=(0.20, 0.50, 0.30),
        peak_hour=14.0,
        hour_spread=1.5,
        female_share=0.45,
        age_mean=45,
        age_sd=10,
        completion=0.1,
        occupations={"retired": 3, "civil servant": 2, "sales": 2, "teacher": 1, "manager": 1},
        active_days=30,  # a few visits early on, then silence
    ),
)
TASTE_FLOOR = 0.01  # no category is unthinkable for anyone
TASTE_CONCENTRATION = 80.0  # Dirichlet spread of a user's taste around the segment's
SHARE_CONCENTRATION = 25.0  # Beta spread of a user's knowledge share
ACTIVITY_SPREAD = 0.35  # lognormal sd of a user's activity around the segment's

# Funnel. afford = sigmoid(AFFORD_BIAS - sensitivity * log(price / reference price)).
AFFORD_BIAS = 1.2
REFERENCE_PRICE = (150.0, 250.0)  # knowledge, fashion
CLICK_BASE, CLICK_MATCH = 0.06, 0.30  # click | view = base + match * taste match
CART_RATE = 0.65  # cart | click = rate * afford (fashion only)
BUY_BASE = (0.12, 0.35)  # enroll | click (knowledge), purchase | cart (fashion) ...
BUY_AFFORD = (0.38, 0.45)  # ... = base + afford_slope * afford
RATE_AFTER = (0.5, 0.3)  # rate | complete (knowledge), rate | purchase (fashion)
REVIEW_AFTER = (0.25, 0.15)
# Views favour a price tier: weight exp(wtp * (tier - 1)), wtp = bias - slope * sensitivity.
PRICE_TIERS = 3
WTP_BIAS, WTP_SLOPE = 1.0, 1.2
EVENTS_PER_VIEW = 1.56  # measured events per planned view; calibrates `events_per_user`

CHUNK_USERS = 50_000
MIN_ITEMS, MAX_ITEMS = 200, 100_000
KNOWLEDGE_ITEM_SHARE = 0.4


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WorldSummary:
    """What `generate_world` wrote, with the headline truths."""

    out_dir: Path
    users: int
    items: int
    events: int
    segments: int
    files: dict[str, str]  # logical name -> path
    seed: int = 0
    sessions: int = 0
    conversion_ate: float = 0.0  # true effect of the coupon on conversion (in-window)
    revenue_ate: float = 0.0  # true effect on revenue per user (CNY, in-window)


def generate_world(
    n_users: int,
    seed: int,
    out_dir: str | Path,
    *,
    events_per_user: float = 10.0,
    progress: Progress | None = None,
) -> WorldSummary:
    """Write a synthetic world of `n_users` users to `out_dir` (see module docstring).

    Files: events.csv, items.csv, users.csv and truth/ (planted segments, the campaign's
    assignment and true effect, a README). The same arguments give byte-identical files.
    """
    if n_users < 1:
        raise ValueError(f"n_users must be at least 1, got {n_users}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if not events_per_user > 0:
        raise ValueError(f"events_per_user must be positive, got {events_per_user}")
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    files = {
        "events": out / "events.csv",
        "items": out / "items.csv",
        "users": out / "users.csv",
        "truth_users": out / "truth" / "users.csv",
        "campaign_assignment": out / "truth" / "campaign_assignment.csv",
        "campaign": out / "truth" / "campaign.json",
        "segments": out / "truth" / "segments.json",
        "world": out / "truth" / "world.json",
        "readme": out / "truth" / "README.md",
    }

    users = _make_users(n_users, events_per_user, np.random.default_rng([seed, 0]))
    items = _make_items(_item_count(n_users), np.random.default_rng([seed, 1]))
    _write_csv(files["users"], _users_table(users), quote=False)
    _write_csv(files["truth_users"], _truth_users_table(users), quote=False)
    _write_csv(files["campaign_assignment"], _assignment_table(users), quote=False)
    _write_csv(files["items"], items.table, quote=True)

    tally = _Tally()
    n_events, n_sessions = _write_events(files["events"], users, items, seed, tally, progress)
    campaign = _campaign_truth(tally, users, seed)
    _write_json(files["campaign"], campaign)
    _write_json(files["segments"], _segments_truth(users))
    world = _world_truth(seed, events_per_user, users, items, n_events, n_sessions)
    _write_json(files["world"], world)
    files["readme"].write_text(README, encoding="utf-8")
    true_effect = campaign["true_effect"]["sample"]
    return WorldSummary(
        out_dir=out,
        users=n_users,
        items=items.n,
        events=n_events,
        segments=len(SEGMENTS),
        files={k: str(v) for k, v in files.items()},
        seed=seed,
        sessions=n_sessions,
        conversion_ate=true_effect["conversion_ate"],
        revenue_ate=true_effect["revenue_per_user_ate"],
    )


def _write_events(
    path: Path,
    users: _Users,
    items: _Items,
    seed: int,
    tally: _Tally,
    progress: Progress | None,
) -> tuple[int, int]:
    """Simulate users chunk by chunk, appending each chunk's events to the CSV."""
    n_events = n_sessions = 0
    with (
        step(progress, "Generating synthetic world", total=users.n) as task,
        path.open("wb") as sink,
    ):
        writer = _csv_writer(sink, _events_schema(), quote=False)
        for chunk, lo in enumerate(range(0, users.n, CHUNK_USERS)):
            hi = min(lo + CHUNK_USERS, users.n)
            rng = np.random.default_rng([seed, 2, chunk])
            table, sessions = _simulate_chunk(
                users, items, lo, hi, rng, n_events, n_sessions, tally
            )
            writer.write_table(table)
            n_events += table.num_rows
            n_sessions += sessions
            task.advance(hi - lo)
        writer.close()
    return n_events, n_sessions


def _world_truth(
    seed: int, events_per_user: float, users: _Users, items: _Items, n_events: int, n_sessions: int
) -> dict[str, Any]:
    return {
        "seed": seed,
        "events_per_user_target": events_per_user,
        "users": users.n,
        "items": items.n,
        "events": n_events,
        "sessions": n_sessions,
        "window_local": {"first_day": "2026-05-01", "last_day": "2026-10-31"},
        "utc_offset_hours": LOCAL_OFFSET_S // 3600,
        "segments": [s.key for s in SEGMENTS],
    }


# --------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------
@dataclass
class _Users:
    n: int
    segment: Ints
    coupon: Bools  # campaign arm: True = coupon
    first_day: Ints  # first window day (local) the user can be active
    signup_s: Ints  # signup time, UTC epoch seconds
    gender: Ints  # 0 female, 1 male
    age: Ints
    city: Ints
    occupation: Ints
    taste: Floats  # (n, len(CATEGORIES)); each domain's block sums to 1
    knowledge_share: Floats
    sensitivity: Floats
    views: Floats  # expected item views over the window


def _seg_array(attr: str) -> Floats:
    return np.array([float(getattr(s, attr)) for s in SEGMENTS])


def _taste_matrix() -> Floats:
    """Segment x category base taste, each domain block normalised to 1."""
    rows = []
    for s in SEGMENTS:
        k = np.array([s.course_taste.get(c, TASTE_FLOOR) for c in COURSE_CATEGORIES])
        f = np.array([s.fashion_taste.get(c, TASTE_FLOOR) for c in FASHION_CATEGORIES])
        rows.append(np.concatenate([k / k.sum(), f / f.sum()]))
    return np.array(rows)


def _categorical(rng: np.random.Generator, probs: Floats) -> Ints:
    """One draw per row of a (rows, k) probability matrix."""
    cum = np.cumsum(probs, axis=1)
    r = rng.random(len(probs)) * cum[:, -1]
    idx = (cum <= r[:, None]).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1).astype(np.int64)


def _make_users(n: int, events_per_user: float, rng: np.random.Generator) -> _Users:
    shares = _seg_array("share")
    segment = rng.choice(len(SEGMENTS), size=n, p=shares / shares.sum()).astype(np.int64)

    coupon = np.zeros(n, dtype=bool)
    coupon[rng.permutation(n)[: n // 2]] = True  # exactly half get the coupon

    # Most users signed up before the window; 15% join during it and act from the next day.
    # Segments that go quiet (dormant) are old accounts, never newcomers.
    lapses = _seg_array("active_days")[segment] < WINDOW_DAYS
    joins_late = (rng.random(n) < 0.15) & ~lapses
    signup_day = np.where(joins_late, rng.integers(0, WINDOW_DAYS - 14, n), 0)
    first_day = np.where(joins_late, signup_day + 1, 0).astype(np.int64)
    early_start = int(np.datetime64("2021-01-01", "s").astype(np.int64)) - LOCAL_OFFSET_S
    early = rng.integers(early_start, WINDOW_START_UTC, n)
    late = WINDOW_START_UTC + signup_day * DAY_S + rng.integers(0, DAY_S, n)
    signup_s = np.where(joins_late, late, early).astype(np.int64)

    female = rng.random(n) < _seg_array("female_share")[segment]
    age_draw = rng.normal(_seg_array("age_mean")[segment], _seg_array("age_sd")[segment])
    age = np.clip(np.rint(age_draw), 16, 75).astype(np.int64)
    city_w = np.array(list(CITY_WEIGHTS.values()), dtype=np.float64)
    city = rng.choice(len(CITIES), size=n, p=city_w / city_w.sum()).astype(np.int64)
    occ_w = np.array([[s.occupations.get(o, 0.0) for o in OCCUPATIONS] for s in SEGMENTS])
    occupation = _categorical(rng, occ_w[segment])

    base = _taste_matrix()[segment] * TASTE_CONCENTRATION
    g = rng.gamma(base)  # Dirichlet draws, one per domain block
    k, f = g[:, :N_COURSE_CATS], g[:, N_COURSE_CATS:]
    taste = np.hstack([k / k.sum(axis=1, keepdims=True), f / f.sum(axis=1, keepdims=True)])

    p = _seg_array("knowledge_share")[segment]
    knowledge_share = rng.beta(p * SHARE_CONCENTRATION, (1 - p) * SHARE_CONCENTRATION)
    sensitivity = _seg_array("price_sensitivity")[segment] * rng.lognormal(0.0, 0.25, n)

    activity = _seg_array("activity")
    activity = activity / (activity @ (shares / shares.sum()))  # population mean = 1
    noise = rng.lognormal(-(ACTIVITY_SPREAD**2) / 2, ACTIVITY_SPREAD, n)  # mean 1
    views = events_per_user / EVENTS_PER_VIEW * activity[segment] * noise
    return _Users(
        n=n,
        segment=segment,
        coupon=coupon,
        first_day=first_day,
        signup_s=signup_s,
        gender=(~female).astype(np.int64),
        age=age,
        city=city,
        occupation=occupation,
        taste=taste,
        knowledge_share=knowledge_share,
        sensitivity=sensitivity,
        views=views,
    )


def _user_ids(numbers: Ints, n_users: int) -> pa.Array:
    return _ids("U", numbers, max(7, len(str(n_users))))


def _users_table(u: _Users) -> pa.Table:
    bands = np.searchsorted([lo for lo, _ in AGE_BANDS], u.age, side="right") - 1
    return pa.table(
        {
            "user_id": _user_ids(np.arange(1, u.n + 1), u.n),
            "gender": _pick(("female", "male"), u.gender),
            "age": pa.array(u.age),
            "age_band": _pick(tuple(b for _, b in AGE_BANDS), bands),
            "city": _pick(CITIES, u.city),
            "occupation": _pick(OCCUPATIONS, u.occupation),
            "signup_at": _iso(u.signup_s),
        }
    ).select(list(USER_COLUMNS))


def _truth_users_table(u: _Users) -> pa.Table:
    return pa.table(
        {
            "user_id": _user_ids(np.arange(1, u.n + 1), u.n),
            "segment": _pick(tuple(s.key for s in SEGMENTS), u.segment),
        }
    )


def _assignment_table(u: _Users) -> pa.Table:
    return pa.table(
        {
            "user_id": _user_ids(np.arange(1, u.n + 1), u.n),
            "arm": _pick(("control", "coupon"), u.coupon.astype(np.int64)),
        }
    )


# --------------------------------------------------------------------------------------
# Items
# --------------------------------------------------------------------------------------
@dataclass
class _Items:
    n: int
    ids: pa.Array
    price: Floats
    quality: Floats  # latent; shifts ratings
    cum_pop: Floats  # (category, price tier) group + cumulative popularity within it
    table: pa.Table  # the items.csv rows, in item_id order


def _item_count(n_users: int) -> int:
    return int(np.clip(n_users // 10, MIN_ITEMS, MAX_ITEMS))


def _split(n: int, k: int) -> Ints:
    """n items spread as evenly as possible over k categories."""
    return np.array([n // k + (i < n % k) for i in range(k)], dtype=np.int64)


def _make_items(n: int, rng: np.random.Generator) -> _Items:
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
    ids = pa.concat_arrays([_ids("K", numbers[:n_k], 6), _ids("F", numbers[n_k:], 6)])
    cum_pop = _group_cdf(group, rng.lognormal(0.0, 1.0, n), len(CATEGORIES) * PRICE_TIERS)
    table = pa.table(
        {
            "item_id": ids,
            "domain": _pick(DOMAIN_NAMES, domain),
            "category": _pick(CATEGORIES, category),
            "price": pa.array(price),
            **cols,
        }
    ).select(list(ITEM_COLUMNS))
    by_id = np.lexsort((numbers, domain))
    quality = rng.normal(0.0, 0.4, n)
    return _Items(n, ids, price, quality, cum_pop, table.take(pa.array(by_id)))


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


Cols = dict[str, pa.Array]


def _concat_cols(parts: list[Cols]) -> Cols:
    return {k: pa.concat_arrays([p[k] for p in parts]) for k in parts[0]}


def _words(pairs: tuple[tuple[str, ...], ...], idx: Ints, lang: int, *, pad: str = "") -> pa.Array:
    """The `lang` (0 English, 1 Chinese) word of pairs[idx]; `pad` joins non-empty words."""
    return _pick(tuple((p[lang] + pad) if p[lang] else "" for p in pairs), idx)


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
    providers = GENERAL_PROVIDERS + tuple(p for pair in CATEGORY_PROVIDERS[name] for p in pair)
    specialist = rng.random(m) < 0.5
    prov = np.where(
        specialist,
        len(GENERAL_PROVIDERS) + rng.integers(0, 2, m),
        rng.integers(0, len(GENERAL_PROVIDERS), m),
    )
    tags = join(
        name,
        _pick(COURSE_PREFIX_LEVELS, pre),
        _pick(COURSE_FORMATS, rng.integers(0, len(COURSE_FORMATS), m)),
        "|",
    )
    # Prices snap to the platform's usual ladder (9.9, 49, 199, ...); some are tasters.
    raw = np.log(COURSE_MEDIAN_PRICE[name]) + rng.normal(0.0, 0.8, m)
    price = COURSE_PRICE_LADDER[np.abs(raw[:, None] - np.log(COURSE_PRICE_LADDER)).argmin(1)]
    price = np.where(rng.random(m) < 0.08, COURSE_PRICE_LADDER[0], price)
    cols = {
        "title": _bilingual(zh, title_en, title_zh),
        "description": _bilingual(zh, desc_en, desc_zh),
        "brand": _pick(providers, prov),
        "tags": tags,
        "language": _pick(("en", "zh"), zh.astype(np.int64)),
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
    tags = join(name, _words(COLOURS, col, 0), _pick(seasons, ben), "|")
    brands = tuple(FASHION_BRANDS)
    brand = rng.integers(0, len(brands), m)
    tier = np.array(list(FASHION_BRANDS.values()))[brand]
    raw = FASHION_MEDIAN_PRICE[name] * tier * rng.lognormal(0.0, 0.3, m)
    price = np.clip(np.rint(raw / 10) * 10 - 1, 19, 19_999)  # shop-style prices: 399, 1299
    cols = {
        "title": _bilingual(zh, title_en, title_zh),
        "description": _bilingual(zh, desc_en, desc_zh),
        "brand": _pick(brands, brand),
        "tags": tags,
        "language": _pick(("en", "zh"), zh.astype(np.int64)),
    }
    return cols, price.astype(np.float64)


# --------------------------------------------------------------------------------------
# Behaviour: sessions -> item views -> funnel
# --------------------------------------------------------------------------------------
VIEW, CLICK, CART, PURCHASE, ENROLL, COMPLETE, REVIEW, RATE = (
    EVENT_TYPES.index(t)
    for t in ("view", "click", "cart", "purchase", "enroll", "complete", "review", "rate")
)


@dataclass
class _Views:
    """One row per item view; sessions are flattened onto their views."""

    session: Ints  # chunk-local session index
    user: Ints  # global user index
    domain: Ints
    channel: Ints
    item: Ints
    time: Ints  # UTC epoch seconds
    in_campaign: Bools  # the session falls in the campaign window
    match: Floats  # user's taste for the category relative to their favourite


@dataclass
class _Funnel:
    """Per view: which later steps happened, when, and what they were worth."""

    click: Bools
    cart: Bools
    buy: Bools  # purchase (fashion) or enroll (knowledge), as realised
    done: Bools  # course completed
    rate: Bools
    review: Bools
    treated: Bools  # coupon arm and in the campaign window
    qty: Ints
    paid: Floats
    rating: Ints
    t_click: Ints
    t_cart: Ints
    t_buy: Ints
    t_done: Ints
    t_rate: Ints
    t_review: Ints


@dataclass
class _Sessions:
    user: Ints  # global user index
    start: Ints  # UTC epoch seconds
    domain: Ints
    channel: Ints
    depth: Floats  # expected item views
    in_campaign: Bools


def _plan_sessions(rng: np.random.Generator, u: _Users, lo: int, hi: int) -> _Sessions:
    """Sessions of users [lo, hi), one per local day at most, in time order per user."""
    seg = u.segment[lo:hi]
    depth = _seg_array("session_depth")
    avail = np.minimum(WINDOW_DAYS - u.first_day[lo:hi], _seg_array("active_days")[seg])
    avail = avail.astype(np.int64)
    n_sess = np.clip(rng.poisson(u.views[lo:hi] / depth[seg]), 1, avail)
    user = np.repeat(np.arange(lo, hi), n_sess)
    n = len(user)
    # Session i of a user with k sessions over d days falls in day stratum [i*d/k, (i+1)*d/k):
    # strata are disjoint, so sessions never overlap and come in time order.
    rank = np.arange(n) - np.repeat(np.cumsum(n_sess) - n_sess, n_sess)
    k, d = np.repeat(n_sess, n_sess), np.repeat(avail, n_sess)
    d_lo, d_hi = rank * d // k, (rank + 1) * d // k
    day = u.first_day[user] + d_lo + (rng.random(n) * (d_hi - d_lo)).astype(np.int64)
    s_seg = u.segment[user]
    hour = rng.normal(_seg_array("peak_hour")[s_seg], _seg_array("hour_spread")[s_seg])
    hour = np.clip(hour, FIRST_SESSION_HOUR, LAST_SESSION_HOUR)
    channels = np.array([s.channels for s in SEGMENTS])
    return _Sessions(
        user=user,
        start=WINDOW_START_UTC + day * DAY_S + (hour * 3600).astype(np.int64),
        domain=(rng.random(n) >= u.knowledge_share[user]).astype(np.int64),
        channel=_categorical(rng, channels[s_seg]),
        depth=depth[s_seg],
        in_campaign=(day >= CAMPAIGN_FIRST_DAY) & (day < CAMPAIGN_FIRST_DAY + CAMPAIGN_DAYS),
    )


def _plan_views(rng: np.random.Generator, s: _Sessions, u: _Users, items: _Items) -> _Views:
    """The item views of each session, a minute or a few apart."""
    n_views = np.minimum(1 + rng.poisson(s.depth - 1), 30)
    session = np.repeat(np.arange(len(s.user)), n_views)
    first = np.cumsum(n_views) - n_views
    gaps = 40 + rng.exponential(140.0, len(session)).astype(np.int64)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    time = s.start[session] + elapsed - elapsed[first][session]

    user, domain = s.user[session], s.domain[session]
    category, match = _pick_categories(rng, u.taste, user, domain)
    # Willingness to pay picks the price tier; popularity then picks the item in it.
    wtp = WTP_BIAS - WTP_SLOPE * u.sensitivity[user]
    tier = _categorical(rng, np.exp(np.outer(wtp, np.arange(PRICE_TIERS) - 1.0)))
    r = np.minimum(rng.random(len(session)), 1 - 1e-9)
    item = np.searchsorted(items.cum_pop, category * PRICE_TIERS + tier + r, side="right")
    return _Views(
        session=session,
        user=user,
        domain=domain,
        channel=s.channel[session],
        item=item.astype(np.int64),
        time=time,
        in_campaign=s.in_campaign[session],
        match=match,
    )


def _pick_categories(
    rng: np.random.Generator, taste: Floats, user: Ints, domain: Ints
) -> tuple[Ints, Floats]:
    """A category per view from the user's taste in that domain, and how well it matches."""
    category = np.empty(len(user), dtype=np.int64)
    match = np.empty(len(user))
    for dom, cols in ((KNOWLEDGE, slice(0, N_COURSE_CATS)), (FASHION, slice(N_COURSE_CATS, None))):
        rows = np.flatnonzero(domain == dom)
        t = taste[user[rows], cols]
        picked = _categorical(rng, t)
        category[rows] = picked + (0 if dom == KNOWLEDGE else N_COURSE_CATS)
        match[rows] = t[np.arange(len(rows)), picked] / t.max(axis=1)
    return category, match


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _per_domain(fashion: Bools, pair: tuple[float, float]) -> Floats:
    """pair[KNOWLEDGE] or pair[FASHION] for each row."""
    return np.where(fashion, pair[FASHION], pair[KNOWLEDGE])


@dataclass
class _Decision:
    """The last funnel step (purchase | cart, enroll | click), under both campaign arms."""

    click: Bools
    cart: Bools
    chance: Bools  # the view reached the last step
    p0: Floats  # buying probability without / with the coupon
    p1: Floats
    buy0: Bools  # potential outcomes: the same uniform decides both
    buy1: Bools
    treated: Bools  # coupon arm and in the campaign window
    qty: Ints
    gross: Floats  # full price x quantity
    paid1: Floats  # with the coupon

    @property
    def buy(self) -> Bools:
        return np.where(self.treated, self.buy1, self.buy0)

    @property
    def paid(self) -> Floats:
        return np.where(self.treated, self.paid1, self.gross)


def _decide(rng: np.random.Generator, v: _Views, u: _Users, items: _Items) -> _Decision:
    """Taste match drives clicks; price against the user's sensitivity drives buying."""
    n = len(v.user)
    fashion = v.domain == FASHION
    sens = u.sensitivity[v.user]
    price = items.price[v.item]
    afford = _sigmoid(AFFORD_BIAS - sens * np.log(price / _per_domain(fashion, REFERENCE_PRICE)))

    click = rng.random(n) < CLICK_BASE + CLICK_MATCH * v.match
    cart = click & fashion & (rng.random(n) < CART_RATE * afford)
    chance = np.where(fashion, cart, click)
    p0 = _per_domain(fashion, BUY_BASE) + _per_domain(fashion, BUY_AFFORD) * afford
    lift = np.minimum(LIFT_BASE + LIFT_PER_SENSITIVITY * sens, LIFT_MAX)
    p1 = 1 - (1 - p0) * (1 - lift)
    r = rng.random(n)

    q = rng.random(n)
    qty = np.where(fashion, 1 + (q < 0.12) + (q < 0.03), 1).astype(np.int64)
    gross = np.round(price * qty, 2)
    return _Decision(
        click=click,
        cart=cart,
        chance=chance,
        p0=p0,
        p1=p1,
        buy0=chance & (r < p0),
        buy1=chance & (r < p1),
        treated=u.coupon[v.user] & v.in_campaign,
        qty=qty,
        gross=gross,
        paid1=np.round(gross * (1 - COUPON_DISCOUNT), 2),
    )


def _funnel(rng: np.random.Generator, v: _Views, u: _Users, items: _Items, d: _Decision) -> _Funnel:
    """What follows the decision (completion, ratings) and when each step happened."""
    n = len(v.user)
    fashion = v.domain == FASHION
    buy = d.buy
    completion = _seg_array("completion")[u.segment[v.user]]
    done = buy & ~fashion & (rng.random(n) < completion * (0.5 + 0.5 * v.match))
    after = np.where(fashion, buy, done)
    rate = after & (rng.random(n) < _per_domain(fashion, RATE_AFTER))
    review = after & (rng.random(n) < _per_domain(fashion, REVIEW_AFTER))
    stars = 3.4 + 1.4 * (v.match - 0.5) + items.quality[v.item] + rng.normal(0.0, 0.8, n)

    # Each step comes seconds to minutes after the one before it.
    t_click = v.time + rng.integers(3, 41, n)
    t_cart = t_click + rng.integers(20, 301, n)
    t_buy = np.where(fashion, t_cart + rng.integers(30, 601, n), t_cart)
    t_done = t_buy + rng.integers(600, 3601, n)
    t_after = np.where(fashion, t_buy, t_done)
    return _Funnel(
        click=d.click,
        cart=d.cart,
        buy=buy,
        done=done,
        rate=rate,
        review=review,
        treated=d.treated,
        qty=d.qty,
        paid=d.paid,
        rating=np.clip(np.rint(stars), 1, 5).astype(np.int64),
        t_click=t_click,
        t_cart=t_cart,
        t_buy=t_buy,
        t_done=t_done,
        t_rate=t_after + rng.integers(10, 121, n),
        t_review=t_after + rng.integers(60, 401, n),
    )


def _simulate_chunk(
    u: _Users,
    items: _Items,
    lo: int,
    hi: int,
    rng: np.random.Generator,
    event_offset: int,
    session_offset: int,
    tally: _Tally,
) -> tuple[pa.Table, int]:
    sessions = _plan_sessions(rng, u, lo, hi)
    views = _plan_views(rng, sessions, u, items)
    decision = _decide(rng, views, u, items)
    tally.add(views, u, lo, hi, decision)
    funnel = _funnel(rng, views, u, items, decision)
    return _events_table(views, funnel, u, items, event_offset, session_offset), len(sessions.user)


def _events_table(
    v: _Views, f: _Funnel, u: _Users, items: _Items, event_offset: int, session_offset: int
) -> pa.Table:
    """Flatten the funnel into event rows, ordered by user, then time."""
    n = len(v.user)
    buy_type = np.where(v.domain == FASHION, PURCHASE, ENROLL)
    steps: list[tuple[Bools, Ints, Ints]] = [
        (np.ones(n, dtype=bool), np.full(n, VIEW), v.time),
        (f.click, np.full(n, CLICK), f.t_click),
        (f.cart, np.full(n, CART), f.t_cart),
        (f.buy, buy_type, f.t_buy),
        (f.done, np.full(n, COMPLETE), f.t_done),
        (f.rate, np.full(n, RATE), f.t_rate),
        (f.review, np.full(n, REVIEW), f.t_review),
    ]
    view = np.concatenate([np.flatnonzero(m) for m, _, _ in steps])
    etype = np.concatenate([codes[m] for m, codes, _ in steps])
    time = np.concatenate([t[m] for m, _, t in steps])
    order = np.lexsort((etype, time, v.user[view]))
    view, etype, time = view[order], etype[order], time[order]

    is_buy = (etype == PURCHASE) | (etype == ENROLL)
    has_qty = is_buy | (etype == CART)
    has_rating = (etype == RATE) | (etype == REVIEW)
    used_coupon = is_buy & f.treated[view]
    table = pa.table(
        {
            "event_id": _ids("E", event_offset + 1 + np.arange(len(view)), 10),
            "user_id": _user_ids(v.user[view] + 1, u.n),
            "item_id": items.ids.take(pa.array(v.item[view])),
            "domain": _pick(DOMAIN_NAMES, v.domain[view]),
            "event_type": _pick(EVENT_TYPES, etype),
            "timestamp": _iso(time),
            "value": pa.array(f.paid[view], mask=~is_buy),
            "quantity": pa.array(f.qty[view], mask=~has_qty),
            "rating": pa.array(f.rating[view], mask=~has_rating),
            "session_id": _ids("S", session_offset + 1 + v.session[view], 9),
            "channel": _pick(CHANNELS, v.channel[view]),
            "coupon_id": _pick((COUPON_ID,), np.zeros(len(view), dtype=np.int64), ~used_coupon),
        }
    )
    return table.select(list(EVENT_COLUMNS))


def _events_schema() -> pa.Schema:
    types = {"value": pa.float64(), "quantity": pa.int64(), "rating": pa.int64()}
    return pa.schema([(name, types.get(name, pa.string())) for name in EVENT_COLUMNS])


# --------------------------------------------------------------------------------------
# Campaign truth
# --------------------------------------------------------------------------------------
class _Tally:
    """Per-user campaign outcomes, summed by (arm, segment) over all chunks.

    For every user both potential outcomes are known: the same uniform decides the last
    funnel step with and without the coupon. `e*` metrics are their model expectations.
    """

    def __init__(self) -> None:
        self.sums: dict[str, Floats] = {}

    def add(self, v: _Views, u: _Users, lo: int, hi: int, d: _Decision) -> None:
        local = v.user - lo

        def per_user(weights: Floats | Bools) -> Floats:
            return np.bincount(local, weights=weights, minlength=hi - lo).astype(np.float64)

        def in_window(x: Floats | Bools | float) -> Floats:
            return np.where(d.chance & v.in_campaign, x, 0.0)

        orders0, orders1 = per_user(in_window(d.buy0)), per_user(in_window(d.buy1))
        rev0, rev1 = per_user(in_window(d.buy0 * d.gross)), per_user(in_window(d.buy1 * d.paid1))
        coupon = u.coupon[lo:hi]
        metrics = {
            "users": np.ones(hi - lo),
            "active": per_user(v.in_campaign) > 0,
            "chances": per_user(in_window(1.0)),
            "lift_sum": per_user(in_window(d.p1 - d.p0)),
            "conv0": orders0 > 0,
            "conv1": orders1 > 0,
            "rev0": rev0,
            "rev1": rev1,
            # P(at least one purchase) = 1 - product over the user's chances of (1 - p).
            "econv0": 1 - np.exp(per_user(in_window(np.log1p(-d.p0)))),
            "econv1": 1 - np.exp(per_user(in_window(np.log1p(-d.p1)))),
            "erev0": per_user(in_window(d.p0 * d.gross)),
            "erev1": per_user(in_window(d.p1 * d.paid1)),
            # What the assigned arm actually showed.
            "orders": np.where(coupon, orders1, orders0),
            "converted": np.where(coupon, orders1, orders0) > 0,
            "revenue": np.where(coupon, rev1, rev0),
        }
        key = u.segment[lo:hi] + len(SEGMENTS) * coupon
        cells = 2 * len(SEGMENTS)
        for name, values in metrics.items():
            sums = np.bincount(key, weights=values, minlength=cells).astype(np.float64)
            self.sums[name] = self.sums.get(name, 0.0) + sums.reshape(2, len(SEGMENTS))

    def total(self, name: str, arm: int | None = None, seg: int | None = None) -> float:
        s = self.sums[name]
        s = s if arm is None else s[arm : arm + 1]
        s = s if seg is None else s[:, seg]
        return float(np.sum(s))


def _effects(t: _Tally, seg: int | None = None) -> dict[str, dict[str, float]]:
    """True effects over all users (of one segment): model expectations and the sample's."""
    users = t.total("users", seg=seg)

    def per_user(name: str) -> float:
        return t.total(name, seg=seg) / users if users else 0.0

    out = {}
    for label, prefix in (("expected", "e"), ("sample", "")):
        c0, c1 = per_user(prefix + "conv0"), per_user(prefix + "conv1")
        r0, r1 = per_user(prefix + "rev0"), per_user(prefix + "rev1")
        out[label] = {
            "conversion_control": round(c0, 6),
            "conversion_coupon": round(c1, 6),
            "conversion_ate": round(c1 - c0, 6),
            "revenue_per_user_control": round(r0, 6),
            "revenue_per_user_coupon": round(r1, 6),
            "revenue_per_user_ate": round(r1 - r0, 6),
        }
    chances = t.total("chances", seg=seg)
    lift = t.total("lift_sum", seg=seg) / chances if chances else 0.0
    out["expected"]["purchase_probability_lift"] = round(lift, 6)  # per last-step chance
    out["sample"]["users"] = int(users)
    return out


def _realised(t: _Tally, arm: int) -> dict[str, float]:
    """What a difference in means between the arms sees."""
    users = int(t.total("users", arm=arm))
    orders = int(t.total("orders", arm=arm))
    converters, revenue = int(t.total("converted", arm=arm)), t.total("revenue", arm=arm)
    return {
        "users": users,
        "active_in_window": int(t.total("active", arm=arm)),
        "converters": converters,
        "conversion_rate": round(converters / users, 6) if users else 0.0,
        "orders": orders,
        "coupon_redemptions": orders if arm == 1 else 0,
        "revenue": round(revenue, 2),
        "revenue_per_user": round(revenue / users, 6) if users else 0.0,
    }


def _campaign_truth(t: _Tally, u: _Users, seed: int) -> dict[str, Any]:
    start = WINDOW_START_UTC + CAMPAIGN_FIRST_DAY * DAY_S
    end = start + CAMPAIGN_DAYS * DAY_S
    coupon, control = _realised(t, 1), _realised(t, 0)
    effects = _effects(t)
    return {
        "name": "Golden September cross-domain coupon",
        "name_zh": "金九跨界优惠券",
        "coupon_id": COUPON_ID,
        "discount": COUPON_DISCOUNT,
        "window": {
            "start_local": "2026-09-01T00:00:00+08:00",
            "end_local": "2026-10-01T00:00:00+08:00",
            "start_utc": _iso_one(start),
            "end_utc": _iso_one(end),
        },
        "design": {
            "unit": "user",
            "assignment": "exactly half of all users, chosen uniformly at random (seeded)",
            "seed": seed,
            "assignment_file": "truth/campaign_assignment.csv",
        },
        "arms": [
            {
                "arm": "coupon",
                "users": int(u.coupon.sum()),
                "description": f"{COUPON_DISCOUNT:.0%} off every course enrolment and fashion "
                f"purchase in the window; those events carry coupon_id "
                f"{COUPON_ID} and the discounted value",
            },
            {"arm": "control", "users": int((~u.coupon).sum()), "description": "no coupon"},
        ],
        "effect_model": {
            "step": "final funnel step: cart -> purchase (fashion), click -> enroll (knowledge)",
            "formula": "p_coupon = 1 - (1 - p_control) * (1 - lift)",
            "lift": f"min({LIFT_BASE} + {LIFT_PER_SENSITIVITY} * price_sensitivity, {LIFT_MAX})",
            "lift_base": LIFT_BASE,
            "lift_per_sensitivity": LIFT_PER_SENSITIVITY,
            "lift_max": LIFT_MAX,
            "note": "earlier steps (view, click, cart) are unaffected; the coupon lowers the "
            "price paid, so its revenue effect can be negative for users who buy "
            "anyway",
        },
        "outcomes": {
            "conversion": "user made at least one purchase or enroll in the window",
            "revenue_per_user": "sum of value paid in the window / users (CNY)",
        },
        "true_effect": {
            **effects,
            "by_segment": {s.key: _effects(t, i)["sample"] for i, s in enumerate(SEGMENTS)},
            "note": "sample: both potential outcomes of every user (the same random draw "
            "decides the purchase with and without the coupon); expected: their "
            "model probabilities given the funnel up to the final step",
        },
        "realised": {
            "coupon": coupon,
            "control": control,
            "difference": {
                "conversion_rate": round(coupon["conversion_rate"] - control["conversion_rate"], 6),
                "revenue_per_user": round(
                    coupon["revenue_per_user"] - control["revenue_per_user"], 6
                ),
            },
        },
    }


def _segments_truth(u: _Users) -> dict[str, Any]:
    counts = np.bincount(u.segment, minlength=len(SEGMENTS))
    base = _taste_matrix()
    out = []
    for i, s in enumerate(SEGMENTS):
        occ_total = sum(s.occupations.values())
        out.append(
            {
                "key": s.key,
                "name_en": s.name_en,
                "name_zh": s.name_zh,
                "share": s.share,
                "users": int(counts[i]),
                "knowledge_share": s.knowledge_share,
                "course_taste": {
                    c: round(float(w), 4)
                    for c, w in zip(COURSE_CATEGORIES, base[i, :N_COURSE_CATS], strict=True)
                },
                "fashion_taste": {
                    c: round(float(w), 4)
                    for c, w in zip(FASHION_CATEGORIES, base[i, N_COURSE_CATS:], strict=True)
                },
                "price_sensitivity": s.price_sensitivity,
                "coupon_lift": round(
                    min(LIFT_BASE + LIFT_PER_SENSITIVITY * s.price_sensitivity, LIFT_MAX), 4
                ),
                "activity": s.activity,
                "views_per_session": s.session_depth,
                "channels": dict(zip(CHANNELS, s.channels, strict=True)),
                "peak_hour_local": s.peak_hour,
                "hour_spread": s.hour_spread,
                "female_share": s.female_share,
                "age_mean": s.age_mean,
                "age_sd": s.age_sd,
                "completion": s.completion,
                "occupations": {o: round(w / occ_total, 4) for o, w in s.occupations.items()},
            }
        )
    return {
        "segments": out,
        "user_variation": {
            "taste": f"Dirichlet(segment taste * {TASTE_CONCENTRATION}) per domain",
            "knowledge_share": f"Beta with concentration {SHARE_CONCENTRATION}",
            "price_sensitivity": "segment value * lognormal(0, 0.25)",
            "activity": "segment value (normalised to mean 1) * lognormal(sd 0.35)",
        },
    }


README = """\
# Ground truth of this synthetic world

Generated by `seamline.data.synthetic.generate_world`. The observable tables
(`../events.csv`, `../items.csv`, `../users.csv`) use Seamline's canonical columns; the
files here are the answers an analysis should recover. Never feed them to a model.

- `users.csv`: `user_id`, `segment`, the planted segment of every user.
- `segments.json`: each segment's English and Chinese name and its latent tastes: course
  and fashion category preferences, knowledge/fashion mix, price sensitivity (and so
  willingness to pay and coupon lift), activity, channels, peak hour (local time, UTC+8),
  demographics; plus how users vary around their segment.
- `campaign.json`: the past randomised coupon campaign: arms, discount, window, the
  effect model, the true effects (expected and from per-user potential outcomes, overall
  and by segment) and the realised numbers per arm.
- `campaign_assignment.csv`: `user_id`, `arm` (`coupon` or `control`).
- `world.json`: seed, sizes and the simulated window.

How the world behaves:

- Users act on distinct local days between 2026-05-01 and 2026-10-31 (China time);
  timestamps are written in UTC. Each session is on one platform (domain) and channel.
  Dormant users visit only in their first 30 days; 15% of the others sign up during the
  window and act from the next day.
- Views pick a category from the user's taste, a price tier from their willingness to pay
  (the inverse of price sensitivity), then an item by popularity.
- Fashion funnel: view -> click -> cart -> purchase. Knowledge funnel: view -> click ->
  enroll -> complete. Purchases and completions may be followed by `rate`/`review`
  (ratings 1-5, higher when the item matches the user's taste).
- Clicks depend on taste match; carts, purchases and enrolments on price against the
  user's price sensitivity.
- Campaign: exactly half the users (seeded) got coupon `SEAMLINE-SEP20`, 20% off every
  purchase and enrolment in sessions starting in September 2026 (China time). It raises
  only the final funnel step, more for price-sensitive users, and cuts the price paid, so
  its revenue effect is negative where users would have bought anyway. Conversion = at
  least one purchase or enrolment in such sessions.
  `true_effect.sample` compares both potential outcomes of every user (exact for this
  world); `realised` is what a difference in means between the arms sees.
"""


# --------------------------------------------------------------------------------------
# Arrow and CSV helpers
# --------------------------------------------------------------------------------------
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _pick(words: tuple[str, ...], idx: Ints, mask: Bools | None = None) -> pa.Array:
    """words[idx] as an Arrow string array (null where mask is True)."""
    return pa.array(words, pa.string()).take(pa.array(idx, pa.int64(), mask=mask))


def _ids(prefix: str, numbers: Ints, width: int) -> pa.Array:
    digits = pc.utf8_lpad(
        pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def _iso(epoch_s: Ints) -> pa.Array:
    return pc.strftime(pa.array(epoch_s, pa.timestamp("s")), format=ISO_FORMAT)


def _iso_one(epoch_s: int) -> str:
    return str(_iso(np.array([epoch_s], dtype=np.int64))[0].as_py())


def _csv_writer(sink: IO[bytes], schema: pa.Schema, *, quote: bool) -> pacsv.CSVWriter:
    # Arrow quotes header names; write a plain header ourselves.
    sink.write((",".join(schema.names) + "\n").encode())
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed" if quote else "none")
    return pacsv.CSVWriter(sink, schema, write_options=options)


def _write_csv(path: Path, table: pa.Table, *, quote: bool) -> None:
    with path.open("wb") as sink:
        writer = _csv_writer(sink, table.schema, quote=quote)
        writer.write_table(table)
        writer.close()


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
