"""The Monitor in a serving process: the daemon stopped mid-stream (spool,
then replay, exactly once), a forked worker, a full queue, bad batches."""

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pandas as pd

import aigov_agent as aigov
from aigov_agent._pb.aigov.v1 import journal_service_pb2 as jpb
from aigov_agent._pb.aigov.v1 import journal_service_pb2_grpc as jgrpc
from conftest import ROOT, Aigovd, free_port

HOUR = 3600


def setup_model(client, tmp_path, model="m"):
    artifact = tmp_path / f"{model}.bin"
    artifact.write_bytes(model.encode())
    client.register_system("s", name="monitored")
    client.register_model_version(model, "1", system_id="s",
                                  artifact=artifact)
    rng = np.random.default_rng(3)
    profile = aigov.ReferenceProfile.from_frame(pd.DataFrame({
        "x": rng.normal(0, 1, 2000),
        "c": rng.choice(["a", "b", "c"], 2000)}))
    client.put_reference_profile(model, "1", profile)
    return profile


def rows(seed, n):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(0.5, 1, n),
                         "c": rng.choice(["a", "b", "d"], n)})


def window_reports(client):
    out, start = [], 0
    while True:
        resp = client.call(jgrpc.JournalServiceStub, "ListEntries",
                           jpb.ListEntriesRequest(start_sequence=start,
                                                  page_size=1000))
        out += [e for e in resp.entries if e.HasField("window_profile")]
        if not resp.has_more:
            return out
        start = resp.next_sequence


def totals(reports):
    """Summed counts per (window start, feature)."""
    out = {}
    for e in reports:
        w = e.window_profile
        for f in w.features:
            key = (w.window_start.seconds, f.name)
            counts = np.array(f.counts) + out.get(key, (0, 0))[0]
            out[key] = (counts, out.get(key, (0, 0))[1] + f.null_count)
    return {k: (list(v[0]), v[1]) for k, v in out.items()}


def expected(profile, parts):
    out = {}
    for start, frame in parts:
        for name, (counts, nulls) in profile.count(frame).items():
            key = (start, name)
            prev = out.get(key, (np.zeros(len(counts), dtype=int), 0))
            out[key] = (prev[0] + counts, prev[1] + nulls)
    return {k: (list(v[0]), v[1]) for k, v in out.items()}


def test_daemon_stopped_mid_stream_everything_arrives_once(tmp_path):
    daemon = Aigovd(tmp_path / "data", grpc_port=free_port()).start()
    spool = tmp_path / "spool"
    client = aigov.Client(daemon.target, spool_dir=str(spool), retries=0,
                          timeout=5)
    try:
        profile = setup_model(client, tmp_path)
        monitor = client.monitor("m", "1", send_interval=3600)
        t0 = (int(time.time()) // HOUR - 6) * HOUR
        parts = [(t0, rows(1, 300))]
        monitor.observe(parts[0][1], at=t0 + 10)
        assert monitor.flush(30)

        daemon.stop()
        for i, start in enumerate([t0, t0 + HOUR, t0 + 2 * HOUR]):
            parts.append((start, rows(10 + i, 200)))
            monitor.observe(parts[-1][1], at=start + 60)
        assert not monitor.flush(30)  # nothing could be delivered
        stats = monitor.stats()
        assert stats["spooled_reports"] == 3 and stats["dropped_rows"] == 0
        # More failed sends grow gRPC's reconnect backoff; the agent's own
        # cap (2 s) and its wait for a reconnecting channel must still get
        # the spool through soon after aigovd is back.
        assert not monitor.flush(30) and not monitor.flush(30)
        spooled = sorted(os.listdir(spool))
        assert len(spooled) == 1 and spooled[0].endswith(".batch")
        shutil.copy(spool / spooled[0], tmp_path / "copy.batch")

        daemon.start()  # same port, same journal
        assert monitor.flush(30)
        assert monitor.stats()["replayed_reports"] == 3
        assert os.listdir(spool) == []
        reports = window_reports(client)
        assert len(reports) == 4
        assert totals(reports) == expected(profile, parts)

        # The same spooled batch sent again (an answer lost on the way):
        # aigovd knows its event ids and records nothing new.
        # Replayed by the pipeline command this time.
        shutil.copy(tmp_path / "copy.batch", spool / spooled[0])
        r = subprocess.run(
            [sys.executable, "-m", "aigov_agent", "--json", "replay"],
            capture_output=True, text=True, env=dict(
                os.environ, PYTHONPATH=str(ROOT / "agents" / "python"),
                AIGOV_TARGET=daemon.target, AIGOV_SPOOL_DIR=str(spool)))
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout) == {"replayed_reports": 3,
                                        "refused_reports": 0,
                                        "spool_empty": True}
        assert os.listdir(spool) == []
        assert len(window_reports(client)) == 4
        assert totals(window_reports(client)) == expected(profile, parts)
    finally:
        client.close()
        daemon.stop()


def test_forked_worker_keeps_reporting(client, tmp_path):
    profile = setup_model(client, tmp_path)
    monitor = client.monitor("m", "1", send_interval=3600)
    t0 = (int(time.time()) // HOUR - 3) * HOUR
    before = rows(1, 250)
    monitor.observe(before, at=t0)
    assert monitor.flush(30)
    unsent = rows(2, 100)
    monitor.observe(unsent, at=t0)  # counted by the parent, not yet sent
    child_rows = rows(3, 400)

    pid = os.fork()
    if pid == 0:  # the worker: its own channel, thread and counts
        ok = False
        try:
            monitor.observe(child_rows, at=t0)
            ok = monitor.flush(30) and monitor.stats()["observed_rows"] == 400
            client.register_system("from-child", name="child")
        except BaseException:  # pylint: disable=broad-except
            pass
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    # Two threads flushing at once both hear back.
    answers = []
    flushers = [threading.Thread(target=lambda: answers.append(
        monitor.flush(30))) for _ in range(2)]
    for f in flushers:
        f.start()
    for f in flushers:
        f.join(60)
    assert answers == [True, True]
    assert monitor.stats()["observed_rows"] == 350
    assert client.get("AiSystem", "from-child").ai_system.name == "child"
    assert totals(window_reports(client)) == expected(
        profile, [(t0, before), (t0, unsent), (t0, child_rows)])


class _Stalled(aigov.ReferenceProfile):
    """A profile whose feature names wait for `release`: the monitor's thread
    stops inside its first count, as a slow machine might."""

    def __init__(self, base):
        super().__init__(base.features, base.window_seconds)
        self.entered = threading.Event()
        self.release = threading.Event()
        self._names = base.names

    @property
    def names(self):
        if getattr(self, "release", None) is not None:
            self.entered.set()
            self.release.wait()
        return self._names

    @names.setter
    def names(self, value):
        self._names = value


def test_full_queue_drops_and_counts_never_blocks(client, tmp_path):
    base = setup_model(client, tmp_path)
    stalled = _Stalled(base)
    monitor = aigov.Monitor("m", "1", client=client, profile=stalled,
                            queue_size=8, send_interval=3600)
    t0 = (int(time.time()) // HOUR - 2) * HOUR
    monitor.observe({"x": 0.1, "c": "a"}, at=t0)
    assert stalled.entered.wait(30)

    def flood():
        for _ in range(100):
            monitor.observe(rows(5, 3), at=t0)

    caller = threading.Thread(target=flood)
    caller.start()
    caller.join(60)
    assert not caller.is_alive(), "observe() blocked"
    stats = monitor.stats()
    assert stats["queued"] == 8
    assert stats["dropped_rows"] == (100 - 8) * 3
    stalled.release.set()
    assert monitor.flush(30)
    assert monitor.stats()["observed_rows"] == 1 + 8 * 3
    monitor.close()


def test_bad_batches_never_raise(client, tmp_path):
    setup_model(client, tmp_path)
    monitor = client.monitor("m", "1", send_interval=3600)
    t0 = (int(time.time()) // HOUR - 1) * HOUR
    monitor.observe(42, at=t0)                      # not a batch
    monitor.observe(np.zeros((2, 5)), at=t0)        # wrong width
    monitor.observe({"x": "abc", "c": None}, at=t0)  # text in a number
    monitor.observe({"x": 1.0, "c": "a"}, at=object())  # a bad time
    monitor.observe(pd.DataFrame({"x": [2.0], "c": ["b"]}).iloc[0], at=t0)
    assert monitor.flush(30)
    stats = monitor.stats()
    assert stats["errors"] == 3
    assert stats["observed_rows"] == 2
    assert stats["invalid_values"] == 1  # "abc": not a number, not a null
    report = window_reports(client)[-1].window_profile
    x = next(f for f in report.features if f.name == "x")
    assert x.null_count == 0 and sum(x.counts) == 1  # 2.0 alone
    monitor.close()
    assert monitor.flush(30) is False  # at once: closed


def test_unusable_values_are_counted_and_named_once(client, tmp_path,
                                                    caplog):
    setup_model(client, tmp_path)
    client.deploy("prod", "m", "1")
    monitor = client.monitor("m", "1", send_interval=3600)
    t0 = (int(time.time()) // HOUR - 1) * HOUR
    caplog.set_level("WARNING", logger="aigov_agent")
    for _ in range(2):
        monitor.observe(pd.DataFrame({"x": [1.0, "n/a", "?"],
                                      "c": ["a", "b", "a"]}), at=t0)
        monitor.observe(pd.DataFrame({"x": [0.5, 0.7]}), at=t0)  # no c
    assert monitor.flush(30)
    stats = monitor.stats()
    assert stats["invalid_values"] == 4
    assert stats["missing_columns"] == 4  # 2 rows x 1 feature, twice
    assert stats["errors"] == 0
    text = caplog.text
    # Each problem once, with the call that fixes it.
    assert text.count("not numbers") == 1
    assert "categorical=['x']" in text
    assert text.count("lack the profiled features c") == 1
    assert "from_frame(train_df, features=[...])" in text
    assert "no enabled deployment" not in text
    monitor.close()


def test_rows_without_a_profile_wait_and_say_what_fixes_it(client, tmp_path,
                                                          caplog):
    artifact = tmp_path / "n.bin"
    artifact.write_bytes(b"n")
    client.register_system("s", name="monitored")
    client.register_model_version("n", "1", system_id="s", artifact=artifact)
    monitor = client.monitor("n", "1", send_interval=3600)
    caplog.set_level("WARNING", logger="aigov_agent")
    t0 = (int(time.time()) // HOUR - 1) * HOUR
    monitor.observe(rows(1, 30), at=t0)
    monitor.observe(rows(2, 20), at=t0)
    assert monitor.flush(30) is False  # nothing could be counted
    stats = monitor.stats()
    assert stats["rows_without_profile"] == 50
    assert stats["observed_rows"] == 0 and stats["dropped_rows"] == 0
    assert "client.put_reference_profile('n', '1'" in caplog.text
    monitor.close(timeout=1)


def test_an_undeployed_version_is_named_once(client, tmp_path, caplog):
    setup_model(client, tmp_path)  # registered and profiled, not deployed
    monitor = client.monitor("m", "1", send_interval=3600)
    caplog.set_level("WARNING", logger="aigov_agent")
    t0 = (int(time.time()) // HOUR - 1) * HOUR
    for seed in range(3):
        monitor.observe(rows(seed, 10), at=t0)
        assert monitor.flush(30)
    assert caplog.text.count("no enabled deployment serves this version") == 1
    assert "client.deploy('prod', 'm', '1')" in caplog.text
    monitor.close()


def test_a_monitor_on_its_own_reads_the_environment(client, aigovd, tmp_path,
                                                    monkeypatch):
    profile = setup_model(client, tmp_path)
    monkeypatch.setenv("AIGOV_TARGET", aigovd.target)
    monkeypatch.setenv("AIGOV_SPOOL_DIR", str(tmp_path / "own-spool"))
    monitor = aigov.Monitor("m", "1", send_interval=3600)
    assert monitor.client.target == aigovd.target
    t0 = (int(time.time()) // HOUR - 1) * HOUR
    batch = rows(9, 120)
    monitor.observe(batch, at=t0)
    assert monitor.flush(30)  # the profile fetched from aigovd's journal
    assert totals(window_reports(client)) == expected(profile, [(t0, batch)])
    monitor.close()
