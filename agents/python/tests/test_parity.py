"""The agent bins exactly as aigovd defines the bins: on the same generated
data, ReferenceProfile.from_frame / from_csv and aigovctl's C++ binning
(daemon/monitoring/binning.h, `aigovctl drift profile`) give the same edges
and counts, and the windows a Monitor sends through a real aigovd hold the
counts aigovctl computes for the same rows."""

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

import aigov_agent as aigov
from aigov_agent._pb.aigov.v1 import journal_service_pb2 as jpb
from aigov_agent._pb.aigov.v1 import journal_service_pb2_grpc as jgrpc
from conftest import ctl

HOUR = 3600


def generated(rng, n, shift=0.0):
    """Numeric (continuous, heavy ties, with nulls and infinities) and
    categorical (many categories, a long tail, nulls) columns."""
    income = rng.lognormal(10 + shift, 0.5, n)
    income[rng.random(n) < 0.03] = np.nan
    age = rng.integers(18, 80, n).astype(float)  # ties
    age[rng.random(n) < 0.01] = np.inf
    age[rng.random(n) < 0.01] = -np.inf
    score = np.round(rng.normal(0, 1, n), 1) + shift
    tail = rng.zipf(1.6, n)
    region = np.array([f"r{min(t, 60)}" for t in tail], dtype=object)
    region[rng.random(n) < 0.02] = None
    product = rng.choice(["card", "loan", "mortgage", "überbrückung"], n)
    return pd.DataFrame({"income": income, "age": age, "score": score,
                         "region": region, "product": product,
                         "zip": rng.integers(1000, 1100, n)})


def write_csv(df, path):
    # repr() round-trips every double; None and NaN as empty cells.
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(df.columns) + "\n")
        for row in df.itertuples(index=False):
            cells = []
            for v in row:
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    cells.append("")
                elif isinstance(v, float):
                    cells.append(repr(v))
                else:
                    cells.append(str(v))
            f.write(",".join(cells) + "\n")


def cpp_profile(ref_csv, window_csv=None, start=None):
    args = ["drift", "profile", "--csv", ref_csv, "--model", "m@1",
            "--categorical", "zip", "--max-categories", "12"]
    if window_csv:
        args += ["--count", window_csv, "--window-start", start]
    return json.loads(ctl(*args).stdout)


def assert_same_reference(py, cpp):
    assert [f.name for f in py.features] == \
        [f["name"] for f in cpp["features"]]
    for f, c in zip(py.features, cpp["features"]):
        assert f.null_count == int(c.get("null_count", 0)), f.name
        if isinstance(f, aigov.NumericFeature):
            assert f.edges == c["numeric"]["edges"], f.name
            assert f.counts == [int(x) for x in c["numeric"]["counts"]], f.name
            assert f.std == pytest.approx(float(c["numeric"].get("std", 0)),
                                          rel=1e-12)
        else:
            assert f.categories == c["categorical"]["categories"], f.name
            assert f.counts == [int(x) for x in c["categorical"]["counts"]]


def test_reference_bins_match_aigovctl(tmp_path):
    rng = np.random.default_rng(7)
    df = generated(rng, 5000)
    write_csv(df, tmp_path / "ref.csv")
    cpp = cpp_profile(tmp_path / "ref.csv")
    from_frame = aigov.ReferenceProfile.from_frame(
        df, categorical=["zip"], max_categories=12)
    from_csv = aigov.ReferenceProfile.from_csv(
        tmp_path / "ref.csv", categorical=["zip"], max_categories=12)
    assert_same_reference(from_frame, cpp)
    assert_same_reference(from_csv, cpp)
    kinds = {f.name: type(f).__name__ for f in from_frame.features}
    assert kinds == {"income": "NumericFeature", "age": "NumericFeature",
                     "score": "NumericFeature",
                     "region": "CategoricalFeature",
                     "product": "CategoricalFeature",
                     "zip": "CategoricalFeature"}
    region = from_frame.feature("region")
    assert len(region.categories) == 12 and region.counts[12] > 0  # other
    # The reference is never out of range of itself.
    for f in from_frame.features:
        if isinstance(f, aigov.NumericFeature) and f.name != "age":
            assert f.counts[0] == 0 and f.counts[-1] == 0, f.name


def test_windows_sent_through_aigovd_hold_aigovctls_counts(client, tmp_path):
    rng = np.random.default_rng(11)
    ref = generated(rng, 4000)
    artifact = tmp_path / "m.bin"
    artifact.write_bytes(b"m")
    client.register_system("s", name="parity")
    client.register_model_version("m", "1", system_id="s", artifact=artifact)
    profile = aigov.ReferenceProfile.from_frame(ref, categorical=["zip"],
                                                max_categories=12)
    client.put_reference_profile("m", "1", profile)
    monitor = client.monitor("m", "1", send_interval=3600)
    start = (int(time.time()) // HOUR - 5) * HOUR  # an hour of the test's day
    window = generated(rng, 3000, shift=0.3)
    window.loc[5, "region"] = "never-seen"
    # Row by row, in frames, as dicts of columns and as row dicts.
    for i in range(0, 100):
        monitor.observe(window.iloc[i].to_dict(), at=start + 1)
    monitor.observe(window.iloc[100:1500], at=start + 2)
    monitor.observe({c: window[c].to_numpy()[1500:2000]
                     for c in window.columns}, at=start + 3)
    monitor.observe(window.iloc[2000:].to_dict("records"), at=start + 4)
    assert monitor.flush(30)
    assert monitor.stats()["observed_rows"] == 3000
    assert monitor.stats()["sent_reports"] == 1

    write_csv(ref, tmp_path / "ref.csv")
    write_csv(window, tmp_path / "win.csv")
    cpp = cpp_profile(tmp_path / "ref.csv", tmp_path / "win.csv",
                      "1970-01-01T00:00:00Z")[1]
    want = {f["name"]: ([int(x) for x in f["counts"]],
                        int(f.get("null_count", 0))) for f in cpp["features"]}
    assert want["region"][0][-1] >= 1  # the unseen one

    entries = client.call(jgrpc.JournalServiceStub, "ListEntries",
                          jpb.ListEntriesRequest(start_sequence=0)).entries
    reports = [e.window_profile for e in entries
               if e.HasField("window_profile")]
    assert len(reports) == 1
    assert reports[0].window_start.seconds == start
    got = {f.name: (list(f.counts), f.null_count)
           for f in reports[0].features}
    assert got == want


@pytest.mark.parametrize("text", [
    "a,b\n1,x\n\n2,y\n",                 # a blank line
    "a,b\n,\nNA,None\n",                 # all null: numeric, edges [0]
    "a,b\n5,x\n5,x\n5,y\n",              # one distinct value
    "a,b\n1e308,\"q,\"\"uoted\"\"\"\n-inf,z\n1.7976931348623157e308,z\n",
    "a,b\r\n1,2\r\n3,4\r\n",
    "a,a\n1,2\n",                        # refused by both
    "a,b\n1\n",                          # refused by both
])
def test_edge_files_agree(tmp_path, text):
    path = tmp_path / "edge.csv"
    path.write_bytes(text.encode())
    cpp = ctl("drift", "profile", "--csv", path, "--model", "m@1",
              check=False)
    try:
        py = aigov.ReferenceProfile.from_csv(path)
    except ValueError:
        py = None
    assert (cpp.returncode == 0) == (py is not None), (cpp.stderr, text)
    if py is not None:
        assert_same_reference(py, json.loads(cpp.stdout))
