"""Field encoding for rankers: vocabularies, the out-of-vocabulary slot, multi-valued fields."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from seamline.errors import DataError
from seamline.recommend.rank.fields import FieldEncoder


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "user": ["u1", "u2", "u1", "u3"],
        "genres": ["Action|Comedy", "Drama", None, "Action"],
        "price": [10.0, np.nan, 30.0, 20.0],
    })  # fmt: skip


def test_unseen_and_missing_values_go_to_the_fields_oov_slot() -> None:
    enc = FieldEncoder(["user"], ["genres"], ["price"], max_values=3).fit(_frame())
    assert enc.vocab == {"user": ["u1", "u2", "u3"], "genres": ["Action", "Comedy", "Drama"]}
    off = enc.offsets
    assert off == {"user": 1, "genres": 5} and enc.n_embeddings == 9
    new = pd.DataFrame({"user": ["u2", "stranger", None], "genres": ["Comedy|Horror", "", None],
                        "price": [20.0, None, 40.0]})  # fmt: skip
    x = enc.transform(new)
    assert x.sparse[:, 0].tolist() == [off["user"] + 2, off["user"], off["user"]]
    # known value, unseen value -> OOV; empty and missing -> one OOV entry, then padding (0)
    assert x.multi[0, 0].tolist() == [off["genres"] + 2, off["genres"], 0]
    assert x.multi[1, 0].tolist() == [off["genres"], 0, 0] == x.multi[2, 0].tolist()
    # dense: standardised with the training mean / spread, missing -> the mean (0)
    assert x.dense[1, 0] == 0.0 and x.dense[0, 0] == pytest.approx(0.0)
    assert x.dense[2, 0] == pytest.approx((40 - 20) / np.std([10.0, 30.0, 20.0]), rel=1e-6)


def test_min_count_and_value_cap() -> None:
    enc = FieldEncoder(["user"], ["genres"], min_count=2, max_values=1).fit(_frame())
    assert enc.vocab == {"user": ["u1"], "genres": ["Action"]}
    x = enc.transform(_frame())
    assert x.sparse[:, 0].tolist() == [2, 1, 2, 1]
    assert x.multi[:, 0, 0].tolist() == [4, 3, 3, 4]  # only the first value is kept


def test_json_round_trip_and_missing_column() -> None:
    enc = FieldEncoder(["user"], ["genres"], ["price"]).fit(_frame())
    again = FieldEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
    a, b = enc.transform(_frame()), again.transform(_frame())
    assert (a.sparse == b.sparse).all() and (a.multi == b.multi).all()
    assert np.array_equal(a.dense, b.dense)
    with pytest.raises(DataError, match="lacks field column 'genres'"):
        enc.transform(_frame().drop(columns="genres"))
