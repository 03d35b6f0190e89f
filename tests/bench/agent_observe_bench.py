#!/usr/bin/python3
"""What Monitor.observe() costs a serving process, per row, for 20 features
(16 numeric, 4 categorical), against a real aigovd on loopback.

Two figures per batch shape:
- caller: the time spent inside observe() (what the request path pays);
- amortised: from the first observe() to flush() returning, i.e. the caller's
  time plus the monitor thread's counting and sending, divided by the rows.
Target (issue 15): < 20 µs per row amortised.

Run on purpose (never by the tests):
    /usr/bin/python3 tests/bench/agent_observe_bench.py [--rows N]
"""

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

import numpy as np
import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "agents" / "python"))
sys.path.insert(0, str(ROOT / "agents" / "python" / "tests"))

import aigov_agent as aigov  # noqa: E402
from conftest import Aigovd  # noqa: E402

NUMERIC, CATEGORICAL = 16, 4


def frame(rng, n):
    cols = {f"n{i}": rng.normal(i, 1 + i / 10, n) for i in range(NUMERIC)}
    for i in range(CATEGORICAL):
        cols[f"c{i}"] = rng.choice([f"v{k}" for k in range(8 + 4 * i)], n)
    return pd.DataFrame(cols)


def run(client, profile, model, shape, rows, rng):
    data = frame(rng, rows)
    monitor = client.monitor(model, "1", profile=profile, send_interval=3600,
                             queue_size=1_000_000)
    if shape == 1:
        batches = data.to_dict("records")
    else:
        batches = [data.iloc[i:i + shape] for i in range(0, rows, shape)]
    at = time.time() - 7200
    start = time.perf_counter()
    inside = 0.0
    for b in batches:
        t = time.perf_counter()
        monitor.observe(b, at=at)
        inside += time.perf_counter() - t
    assert monitor.flush(600)
    total = time.perf_counter() - start
    stats = monitor.stats()
    assert stats["observed_rows"] == rows and stats["dropped_rows"] == 0
    return inside / rows * 1e6, total / rows * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        daemon = Aigovd(pathlib.Path(tmp) / "data").start()
        try:
            client = aigov.Client(daemon.target,
                                  spool_dir=str(pathlib.Path(tmp) / "spool"))
            client.register_system("bench", name="bench")
            profile = aigov.ReferenceProfile.from_frame(frame(rng, 20_000))
            print(f"agent_observe_bench: {NUMERIC + CATEGORICAL} features, "
                  f"{args.rows} rows per round, {args.rounds} rounds; "
                  f"µs per row (median, worst)")
            print(f"{'batch':>8} {'caller':>16} {'amortised':>16}")
            for shape in (1, 10, 100, 1000):
                inside, total = [], []
                for r in range(args.rounds):
                    model = f"m{shape}-{r}"
                    client.register_model_version(model, "1",
                                                  system_id="bench",
                                                  artifact=model.encode())
                    client.put_reference_profile(model, "1", profile)
                    rows = args.rows if shape > 1 else min(args.rows, 50_000)
                    i, t = run(client, profile, model, shape, rows, rng)
                    inside.append(i)
                    total.append(t)
                print(f"{shape:>8} {statistics.median(inside):>8.2f} "
                      f"({max(inside):5.2f}) {statistics.median(total):>8.2f} "
                      f"({max(total):5.2f})")
            client.close()
        finally:
            daemon.stop()


if __name__ == "__main__":
    main()
