"""Open University Learning Analytics Dataset, 2013J/2014J subset (folder ``oulad``).

Items are the six modules (code_module, ``knowledge``, brand Open University); courses.csv
gives one row per presentation, so each module appears twice and the later presentation
wins at ingestion. studentRegistration -> ``enroll`` events; a final_result of Pass or
Distinction -> an extra ``complete`` event dated to the presentation's last day;
studentAssessment -> custom ``assess`` events (score as an attribute). studentInfo ->
users (one row per enrolment, ordered by presentation so the latest profile wins).
Day offsets become dates from an approximate presentation start (see ``_START``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from seamline.data.datasets import SourceTables
from seamline.data.datasets._common import query, read_text_table, require
from seamline.data.mapping import Mapping, TableMapping

NAME = "oulad"
FILES = (
    "courses.csv", "studentInfo.csv", "studentRegistration.csv",
    "assessments.csv", "studentAssessment.csv",
)  # fmt: skip
# vle.csv lists learning resources only (the clickstream studentVle.csv is not in the
# subset), so it carries no user behaviour and is not read.

# OULAD gives days relative to the start of a presentation, whose code is year + letter:
# "J" presentations start in October, "B" ones in February (the OULAD documentation). The
# exact start day is not published, so the 1st of the month is an approximation; days are
# exact relative to each other within a presentation. Other letters give no date.
_START = """make_date(CAST(left(code_presentation, 4) AS INTEGER),
                      CASE right(code_presentation, 1) WHEN 'J' THEN 10 WHEN 'B' THEN 2 END,
                      1)"""


def _on_day(offset: str) -> str:
    """SQL for the UTC midnight `offset` days after the presentation start."""
    return f"CAST({_START} + CAST({offset} AS INTEGER) AS TIMESTAMPTZ)"


def _events(tables: dict[str, pa.Table]) -> pa.Table:
    # event_id is each record's natural key: a student submits several assessments of one
    # module on the same day, and without it those events would look like duplicates.
    return query(
        f"""
        SELECT concat_ws('-', 'oulad-enroll', code_module, code_presentation, id_student)
                   AS event_id,
               id_student AS user_id, code_module AS item_id, 'knowledge' AS domain,
               'enroll' AS event_type, {_on_day("date_registration")} AS "timestamp",
               code_presentation AS presentation,
               CAST(date_registration AS INTEGER) AS day_offset,
               CAST(date_unregistration AS INTEGER) AS unregistered_day,
               CAST(num_of_prev_attempts AS INTEGER) AS num_of_prev_attempts,
               CAST(studied_credits AS INTEGER) AS studied_credits,
               final_result
        FROM registration
        LEFT JOIN info USING (code_module, code_presentation, id_student)

        UNION ALL BY NAME

        -- The data records the result, not when it was reached: the completion is dated
        -- to the presentation's last day, when results are final.
        SELECT concat_ws('-', 'oulad-complete', code_module, code_presentation, id_student)
                   AS event_id,
               id_student AS user_id, code_module AS item_id, 'knowledge' AS domain,
               'complete' AS event_type,
               {_on_day("module_presentation_length")} AS "timestamp",
               code_presentation AS presentation,
               CAST(module_presentation_length AS INTEGER) AS day_offset,
               final_result
        FROM info LEFT JOIN courses USING (code_module, code_presentation)
        WHERE final_result IN ('Pass', 'Distinction')

        UNION ALL BY NAME

        SELECT concat_ws('-', 'oulad-assess', id_assessment, id_student) AS event_id,
               id_student AS user_id, code_module AS item_id, 'knowledge' AS domain,
               'assess' AS event_type, {_on_day("date_submitted")} AS "timestamp",
               code_presentation AS presentation,
               CAST(date_submitted AS INTEGER) AS day_offset,
               id_assessment AS assessment_id, assessment_type,
               CAST(weight AS DOUBLE) AS assessment_weight,
               CAST(date AS INTEGER) AS assessment_due_day,
               is_banked = '1' AS is_banked,
               CAST(score AS DOUBLE) AS score
        FROM submitted LEFT JOIN assessments USING (id_assessment)
        """,
        **tables,
    )


def _items(courses: pa.Table) -> pa.Table:
    return query(
        """
        SELECT code_module AS item_id, 'knowledge' AS domain,
               'Open University' AS brand,
               code_presentation AS presentation,
               CAST(module_presentation_length AS INTEGER) AS presentation_days
        FROM courses
        ORDER BY code_presentation, code_module
        """,
        courses=courses,
    )


def _users(info: pa.Table) -> pa.Table:
    # One row per enrolment (12,489 rows, 12,400 students); a student's profile can differ
    # between presentations (e.g. age band), so all rows go through and the latest wins.
    return query(
        """
        SELECT id_student AS user_id, gender, age_band,
               region, highest_education, imd_band, disability = 'Y' AS disability
        FROM info
        ORDER BY code_presentation, id_student, code_module
        """,
        info=info,
    )


def load(path: Path) -> SourceTables:
    courses, info, registration, assessments, submitted = (
        read_text_table(p) for p in require(path, *FILES)
    )
    return SourceTables(
        name=NAME,
        events=_events(
            {
                "courses": courses,
                "info": info,
                "registration": registration,
                "assessments": assessments,
                "submitted": submitted,
            }
        ),
        items=_items(courses),
        users=_users(info),
        mapping=Mapping(events=TableMapping(custom_event_types=["assess"])),
        notes=(
            "Dates are approximate (day offsets from an assumed 1st-of-month presentation "
            "start), completion is dated to the presentation end, and Withdrawn students are "
            "not in this subset."
        ),
    )
