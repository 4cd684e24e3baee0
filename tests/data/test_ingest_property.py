"""Property: whatever a malformed CSV holds, every record is accounted for, or the call
fails with a DataError and stores nothing.

Generated files mix good rows with stray quotes, giant fields, control and invisible
characters, text in another encoding and stray bytes. A stray quote is followed by a record
of its own (or ends the file): a quote that runs into a line that is no record either cannot
be told apart from a quoted field over lines.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import event, given, settings
from hypothesis import strategies as st

from seamline.data import csvscan
from seamline.errors import DataError
from seamline.workspace import Workspace

HEADER = "event_id,user_id,item_id,domain,event_type,timestamp,value,note"
GIANT = 300  # record size limit while the property runs, so giant fields stay cheap

NOTES = st.sampled_from(
    [
        "plain",
        "café",  # non-ASCII: in a Latin-1 file it is not UTF-8
        "丝绸",
        '12" vinyl',
        '"two\nlines"',
        '"say ""hi"""',
        "bell\x07here",
        "nul\x00here",
        "zero\u200bwidth",
        "x" * (GIANT + 5),  # a giant field
        "",
    ]
)
USERS = st.sampled_from(["u1", "u2", "", "u\u202e3", "u\x014", '{"a":1}'])


@st.composite
def records(draw: st.DrawFn) -> list[str]:
    """Records, each one file record (a stray-quote line or a good or bad row)."""
    out: list[str] = []
    for i in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["good", "good", "good", "stray", "short", "repeat"]))
        row = f"e{i},{draw(USERS)},i{i % 3},fashion,view,2026-01-02,{i},{draw(NOTES)}"
        if kind == "stray":
            out += [f'e{i},"u1,i1,fashion,view,2026-01-02,1,open', row]  # then a record
        elif kind == "short":
            out.append(f"e{i},u1,i1")
        elif kind == "repeat" and out:
            out.append(out[-1])
        else:
            out.append(row)
    return out


def _stored(ws: Workspace) -> tuple[int, int]:
    if not ws.db_path.exists():
        return 0, 0
    with ws.connect() as con:
        events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        ingests = con.execute("SELECT count(*) FROM ingests").fetchall()[0][0]
    return int(events), int(ingests)


@settings(max_examples=25, deadline=None)
@given(
    rows=records(),
    encoding=st.sampled_from(["utf-8", "latin-1", "gbk"]),
    declared=st.booleans(),
    stray_byte=st.booleans(),
)
def test_every_record_is_accounted_for_or_nothing_is_stored(
    rows: list[str], encoding: str, declared: bool, stray_byte: bool
) -> None:
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # "café" has no GBK form, "丝绸" no Latin-1 one
        data = text.encode("utf-8")
        encoding = "utf-8"
    if stray_byte:
        data = data.replace(b"plain", b"pl\xffain", 1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        mock.patch.object(csvscan, "MAX_RECORD_CHARS", GIANT),
    ):
        path = Path(tmp) / "events.csv"
        path.write_bytes(data)
        ws = Workspace(Path(tmp) / "ws")
        try:
            s = ws.ingest(events=path, encoding=encoding if declared else None).to_dict()
        except DataError as e:
            assert "\n" not in str(e) and str(e).startswith(f"{path}: ")
            assert _stored(ws) == (0, 0)
            event("refused: nothing stored")
            return
        event(f"accounted, reasons {sorted(s['rejected_by_reason'])}")
        assert s["rows"] == len(rows)  # a quoted field over lines is still one record
        assert s["accepted"] + s["rejected"] + s["duplicates"] == len(rows)
        assert sum(s["rejected_by_reason"].values()) == s["rejected"]
        assert _stored(ws) == (s["accepted"], 1)
