"""./scripts/demo runs to completion against its own aigovd and Prometheus,
leaves them running, and ends in the state the story promises."""

import json
import os
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
