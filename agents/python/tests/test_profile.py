"""ReferenceProfile from every kind of input gives the same bins, and
counts agree with the profile's own reference counts."""

import numpy as np
import pandas as pd
import pytest

import aigov_agent as aigov


def test_pandas_numpy_and_dicts_give_the_same_profile(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, 3000)
    y = rng.integers(0, 5, 3000).astype(float)
    c = rng.choice(["a", "b", "c"], 3000)
    frame = pd.DataFrame({"x": x, "y": y, "c": c})
    want = aigov.ReferenceProfile.from_frame(frame).to_dict()
    structured = np.zeros(3000, dtype=[("x", "f8"), ("y", "f8"), ("c", "U1")])
    structured["x"], structured["y"], structured["c"] = x, y, c
    assert aigov.ReferenceProfile.from_frame(structured).to_dict() == want
    assert aigov.ReferenceProfile.from_frame(
        {"x": x, "y": list(y), "c": list(c)}).to_dict() == want
    numeric = aigov.ReferenceProfile.from_frame(
        np.column_stack([x, y]), features=["x", "y"]).to_dict()
    assert numeric["features"] == want["features"][:2]
    # A profile counts its own reference back to its reference counts, and
    # survives its JSON file (other categories included).
    prof = aigov.ReferenceProfile.from_frame(frame, max_categories=2)
    for name, (counts, nulls) in prof.count(frame).items():
        assert list(counts) == prof.feature(name).counts and nulls == 0
    assert prof.feature("c").other_categories == frozenset({"c"})
    prof.save(tmp_path / "p.json")
    again = aigov.ReferenceProfile.load(tmp_path / "p.json")
    assert again.to_dict() == prof.to_dict()
    assert again.feature("c").bin_of("c") == 2       # other
    assert again.feature("c").bin_of("zzz") == 3     # unseen
    proto = again.to_proto("m", "1")
    back = aigov.ReferenceProfile.from_proto(proto)
    # Read back from aigovd, the rest of the categories is not known: a
    # value outside the top counts as other while the reference had any.
    assert back.feature("c").bin_of("zzz") == 2


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="needs features"):
        aigov.ReferenceProfile.from_frame(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="no column 'z'"):
        aigov.ReferenceProfile.from_frame(pd.DataFrame({"x": [1.0]}),
                                          features=["z"])
    with pytest.raises(TypeError, match="cannot profile a int"):
        aigov.ReferenceProfile.from_frame(3)
