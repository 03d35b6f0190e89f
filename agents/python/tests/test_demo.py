"""./scripts/demo runs to completion against its own aigovd and Prometheus,
leaves them running, and ends in the state the story promises."""

import json
import os
import re
import subprocess

from conftest import ROOT, free_port


def alive(pid_file):
    try:
        os.kill(int(pid_file.read_text()), 0)
        return True
    except (OSError, ValueError):
        return False


def test_demo_story_end_to_end(tmp_path):
    data = tmp_path / "demo"
    summary = tmp_path / "summary.json"
    args = ["--data-dir", str(data), "--target", f"127.0.0.1:{free_port()}",
            "--http", f"127.0.0.1:{free_port()}", "--prometheus",
            f"127.0.0.1:{free_port()}", "--summary", str(summary)]
    try:
        r = subprocess.run([str(ROOT / "scripts" / "demo"), *args],
                           capture_output=True, text=True, timeout=900)
        assert r.returncode == 0, r.stdout + r.stderr
        state = json.loads(summary.read_text())
        # Drift ALERT on the shifted features only.
        assert state["drift"].pop("income") == "ALERT"
        assert state["drift"].pop("debt_to_income") == "ALERT"
        assert set(state["drift"].values()) == {"OK"}, state["drift"]
        # The applicant's contest runs its month; the override and the
        # incident are in the record the obligations rest on.
        by_id = {f["id"]: f for f in state["findings"]}
        assert by_id["GDPR-08"]["status"] == "PENDING"
        assert by_id["GDPR-08"]["deadline"]
        assert "AIA-20" in by_id
        # The story printed is the engine's: the open obligations listed
        # are exactly those it finds open, as many as the count says, each
        # with its title; a clock is printed only where one runs.
        out = r.stdout
        printed = set(re.findall(
            r"^     (\S+)\s+(VIOLATED|AT_RISK|PENDING)\s+(.+)$", out, re.M))
        engine = {(f["id"], f["status"], f["title"]) for f in state["findings"]
                  if f["status"] in ("VIOLATED", "AT_RISK", "PENDING")}
        assert printed == engine, (printed ^ engine)
        count = re.search(r"(\d+) obligations evaluated, (\d+) open:", out)
        assert int(count[1]) == len(state["findings"])
        assert int(count[2]) == len(engine)
        for oid in ("AIA-20", "GDPR-08"):
            f = by_id[oid]
            if f["deadline"]:
                assert f"clock: {oid} {f['title']}" in out
                assert f"due {f['deadline']}" in out
            else:
                assert f"no clock: {oid} {f['title']}" in out
                assert f"is {f['status']}" in out
        if not by_id["AIA-20"]["deadline"]:
            assert "Art. 73 clock" not in out
        # The harm breaches what was declared: the refusal rate, not AUC;
        # what it entails is printed with the engine's status for it.
        assert state["breaches"] == ["refusal_rate"]
        assert "(above the declared 45 %)" in out
        assert "journalled a PerformanceBreach" in out
        f = by_id["AIA-13"]
        assert (f"clock: AIA-13" if f["deadline"] else
                f"no clock: AIA-13 {f['title']}") in out
        # Prometheus fired the project's drift alert, for those features.
        firing = {tuple(f) for f in state["firing"]}
        assert ("AigovFeatureDriftAlert", "income") in firing
        assert ("AigovFeatureDriftAlert", "debt_to_income") in firing
        assert not {f for a, f in firing
                    if a == "AigovFeatureDriftAlert"} - {"income",
                                                         "debt_to_income"}
        assert ("AigovDatasetDriftAlert", "") in firing  # income is critical
        # It says where to look, and leaves everything running.
        for where in ("drift status --model demo-credit-scoring@2.0",
                      "/metrics", "/compliance", "/alerts", "--stop"):
            assert where in r.stdout
        assert alive(data / "aigovd.pid") and alive(data / "prometheus.pid")
    finally:
        subprocess.run([str(ROOT / "scripts" / "demo"), "--stop",
                        "--data-dir", str(data)], check=False)
    assert not (data / "aigovd.pid").exists()
