"""`python3 -m aigov_agent` against a real aigovd, and the package installed
with pip into a virtual environment."""

import json
import os
import subprocess
import sys


from conftest import ROOT, ctl

PKG = ROOT / "agents" / "python"


def agent(target, *args, check=True, spool=None):
    env = dict(os.environ, PYTHONPATH=str(PKG), AIGOV_TARGET=target)
    if spool:
        env["AIGOV_SPOOL_DIR"] = str(spool)
    r = subprocess.run([sys.executable, "-m", "aigov_agent", *map(str, args)],
                       capture_output=True, text=True, env=env)
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def test_pipeline_commands(aigovd, tmp_path):
    t = aigovd.target
    ctl("apply", "-f", "-", "--target", t,
        input="kind: AiSystem\nsystem_id: loans\nname: Loans\n")
    (tmp_path / "train.csv").write_text(
        "income,region\n" + "".join(f"{i},{'ns'[i % 2]}\n" for i in range(50)))
    r = agent(t, "--json", "record-dataset", "applications", "1",
              "--file", tmp_path / "train.csv", "--licence", "internal")
    data_seq = json.loads(r.stdout)["sequence"]
    (tmp_path / "model.pkl").write_bytes(b"weights")
    r = agent(t, "--json", "record-run", "train", "--input", "applications@1",
              "--output-model", "credit@1", "--", sys.executable, "-c",
              "print('training')")
    run = json.loads(r.stdout.splitlines()[-1])
    assert run["status"] == "COMPLETE" and "training" in r.stdout
    r = agent(t, "--json", "register-model", "credit", "1", "--system",
              "loans", "--artifact", tmp_path / "model.pkl",
              "--training-dataset", "applications@1")
    model_seq = json.loads(r.stdout)["sequence"]
    assert data_seq < run["start_sequence"] < run["end_sequence"] < model_seq
    # The same registration again: the same entry.
    r = agent(t, "register-model", "credit", "1", "--system", "loans",
              "--artifact", tmp_path / "model.pkl", "--training-dataset",
              "applications@1")
    assert f"(sequence {model_seq})" in r.stdout

    r = agent(t, "--json", "profile", "credit", "1", "--csv",
              tmp_path / "train.csv", "--upload", "--out",
              tmp_path / "p.json")
    assert json.loads(r.stdout)["features"] == 2
    status = json.loads(ctl("drift", "status", "--model", "credit@1",
                            "--json", "--target", t).stdout)
    assert status["model_id"] == "credit"
    # Printed, the document is what aigovctl computes from the same file.
    printed = json.loads(agent(t, "profile", "credit", "1", "--csv",
                               tmp_path / "train.csv").stdout)
    cpp = json.loads(ctl("drift", "profile", "--csv", tmp_path / "train.csv",
                         "--model", "credit@1").stdout)
    assert printed == cpp

    r = agent(t, "record-run", "train", "--", sys.executable, "-c",
              "raise SystemExit(3)", check=False)
    assert r.returncode == 3 and "FAIL" in r.stderr
    r = agent(t, "register-model", "credit", "2", "--system", "loans",
              "--artifact", tmp_path / "missing.pkl", check=False)
    assert r.returncode == 1 and "missing.pkl" in r.stderr
    r = agent(t, "register-model", check=False)
    assert r.returncode == 2
    r = agent(t, "--json", "replay", spool=tmp_path / "empty-spool")
    assert json.loads(r.stdout) == {"replayed_reports": 0,
                                    "refused_reports": 0, "spool_empty": True}
    assert agent(t, "--help").stdout.count("register-model") >= 1


def test_pip_install_into_a_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                    str(venv)], check=True)
    r = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--no-build-isolation",
         "--no-index", "--quiet", str(PKG)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import aigov_agent, os; print(aigov_agent.__file__); "
         "print(aigov_agent.Client().target)"],
        capture_output=True, text=True, cwd=tmp_path,
        env={k: v for k, v in os.environ.items()
             if k not in ("PYTHONPATH", "AIGOV_TARGET")})
    assert out.returncode == 0, out.stderr
    assert str(venv) in out.stdout.splitlines()[0]
    assert out.stdout.splitlines()[1] == "127.0.0.1:7420"
    assert (venv / "bin" / "aigov-agent").exists()


def test_the_readme_lines_run_as_written_and_drift_reaches_metrics(
        tmp_path, monkeypatch, caplog):
    import re
    import time
    import numpy as np
    import pandas as pd
    import aigov_agent
    from conftest import Aigovd
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Instrument your own model", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert len(code.strip().splitlines()) == 11
    # aigovd on a clock it can be moved along: the window the snippet fills
    # (now) closes and is evaluated when the clock passes its end.
    aigovd = Aigovd(tmp_path / "data", clock_start=time.time()).start()
    monkeypatch.setenv("AIGOV_TARGET", aigovd.target)
    monkeypatch.setenv("AIGOV_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.pkl").write_bytes(b"a pickled model")
    rng = np.random.default_rng(5)

    class Model:
        def predict(self, batch):
            return np.zeros(len(batch))

    frame = pd.DataFrame({"income": rng.normal(3000, 500, 1000),
                          "region": rng.choice(["n", "s"], 1000)})
    scope = {"train_df": frame, "model": Model(),
             "stream": [frame.iloc[i:i + 100] for i in range(0, 1000, 100)]}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102
    c = scope["client"]
    assert c.get("ModelVersion", "credit-scoring", "2.0").model_version \
        .system_id == "loans"
    assert scope["monitor"].stats()["observed_rows"] == 1000
    assert scope["monitor"].stats()["sent_reports"] >= 1
    assert isinstance(c, aigov_agent.Client)
    assert "no enabled deployment" not in caplog.text
    c.close()
    # Two hours on: the window is evaluated, and the version's drift series
    # are on /metrics, where Prometheus and Grafana read them.
    aigovd.advance(2 * 3600)
    text = aigovd.metrics()
    labels = 'system="loans",model="credit-scoring",version="2.0"'
    for family in ("aigov_feature_drift_state", "aigov_feature_drift_score"):
        assert f'{family}{{{labels},feature="income"' in text, text[-2000:]
    assert f"aigov_dataset_drift_state{{{labels}}}" in text
    aigovd.stop()
