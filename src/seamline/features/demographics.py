"""Demographics from the users table: age (or the middle of the age band), gender, city."""

from __future__ import annotations

from seamline.features.base import Context

DESCRIPTIONS = {
    "age": "age, else the middle of the age band",
    "gender": "gender as given",
    "female": "1 for female, 0 for male, empty otherwise",
    "city": "city as given",
    "occupation": "occupation as given",
}

# Age bands to a representative age ("25-34" -> 29.5, "55+" -> 60, "<18" -> 16).
_BAND_AGE = """
CASE
    WHEN age_band LIKE '%-%' THEN (TRY_CAST(split_part(age_band, '-', 1) AS DOUBLE)
                                   + TRY_CAST(split_part(age_band, '-', 2) AS DOUBLE)) / 2
    WHEN age_band LIKE '%+' THEN TRY_CAST(replace(age_band, '+', '') AS DOUBLE) + 5
    WHEN age_band LIKE '<%' THEN TRY_CAST(replace(age_band, '<', '') AS DOUBLE) - 2
END"""


def sql(ctx: Context) -> str:
    return f"""
SELECT user_id,
       COALESCE(age, {_BAND_AGE}) AS age,
       gender,
       CASE WHEN gender IN ('female', 'f', 'woman', 'women') THEN 1
            WHEN gender IN ('male', 'm', 'man', 'men') THEN 0 END AS female,
       city,
       occupation
FROM users
"""
