#!/usr/bin/python3
"""The aigov demo: a credit-scoring model, from training to a drift alert,
recorded by the Python agent in a real aigovd. Run it with ./scripts/demo.

Story (every step is a real call; nothing is simulated but the applicants):
1. A logistic-regression credit-scoring model is trained with scikit-learn
   on generated applicant data; the system (AI Act Annex III 5(b)), the
   datasets, the training run, the model version, its evidence and the
   production deployment are recorded.
2. The model serves eight quarter-hour windows of applications (the last
   two hours, time-stamped as they happened); from the fifth window on, the
   applicants' incomes fall by 40 %. The monitor counts the inputs per
   window; aigovd scores each window and raises drift ALERT on `income` and
   on `debt_to_income` (derived from it), the two shifted features only.
   The harm shows in the declared refusal rate (lower is better, threshold
   45 %): it breaches from the shift on, and aigovd journals a
   PerformanceBreach (the AUC, also declared, barely moves).
3. A credit officer overrides a refusal, an incident is reported and an
   applicant contests an automated refusal (GDPR Art. 22). What the
   compliance engine makes of it is printed as it says it: the open
   obligations with their titles, and each clock where one runs (the
   Art. 73 incident clock is not yet applicable under the default regime,
   eu-ai-act-omnibus-2026, and the demo says so).
4. Debian's Prometheus (when installed) scrapes aigovd with the project's
   alert rules (their `for:` shortened to 15 s for the demo, the expressions
   unchanged) until the drift alert fires.
aigovd and Prometheus are left running; `./scripts/demo --stop` stops what
the demo started.
"""

import argparse
import datetime
import json
import os
import pathlib
import pickle
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "agents" / "python"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import aigov_agent as aigov  # noqa: E402
from aigov_agent._pb.aigov.v1 import journal_service_pb2 as journal_pb2  # noqa
from aigov_agent._pb.aigov.v1 import journal_service_pb2_grpc as journal_grpc  # noqa
from aigov_agent._pb.aigov.v1 import event_kind_pb2  # noqa: E402
from aigov_agent._pb.aigov.v1 import monitoring_pb2  # noqa: E402

SYSTEM = "demo-loans"
MODEL = "demo-credit-scoring"
VERSION = "2.0"
DEPLOYMENT = "demo-loans-prod"
WINDOW = 900
WINDOWS = 8
SHIFT_FROM = 4
ROWS_PER_WINDOW = 2000
REGIONS = ["Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie",
           "Hauts-de-France", "Grand Est", "Bretagne"]
HOUSING = ["rent", "own", "mortgage", "family"]
SHIFTED = ("income", "debt_to_income")
# A score above this is a refusal; the declared refusal rate must stay at or
# below REFUSAL_THRESHOLD.
REFUSE_ABOVE = 0.35
REFUSAL_THRESHOLD = 0.45


def say(text=""):
    print(text, flush=True)


def applicants(rng, n, income_factor=1.0):
    age = rng.integers(21, 70, n)
    income = rng.lognormal(np.log(3200), 0.45, n) * income_factor
    loan = np.round(rng.lognormal(np.log(15000), 0.6, n), -2)
    return pd.DataFrame({
        "age": age.astype(float),
        "income": np.round(income, 2),
        "employment_years": np.round(np.minimum(rng.exponential(6, n),
                                                age - 18), 1),
        "loan_amount": loan,
        "duration_months": rng.choice([12, 24, 36, 48, 60, 72, 84],
                                      n).astype(float),
        "existing_loans": rng.poisson(0.8, n).astype(float),
        "debt_to_income": np.round(loan / (income * 12), 4),
        "region": rng.choice(REGIONS, n, p=[.3, .2, .15, .15, .1, .1]),
        "housing": rng.choice(HOUSING, n, p=[.4, .2, .3, .1]),
    })


def defaults(rng, df):
    """Whether each applicant defaults (the label), from a known risk."""
    z = (-2.0 + 2.2 * df["debt_to_income"] + 0.25 * df["existing_loans"]
         - 0.04 * df["employment_years"] - 0.01 * (df["age"] - 40)
         + 0.3 * (df["housing"] == "rent"))
    return rng.random(len(df)) < 1 / (1 + np.exp(-z))


def design(df):
    x = df[["age", "income", "employment_years", "loan_amount",
            "duration_months", "existing_loans", "debt_to_income"]].copy()
    x["income"] = np.log(x["income"])
    for h in HOUSING[:-1]:
        x[f"housing_{h}"] = (df["housing"] == h).astype(float)
    return x.to_numpy()


def answers(target):
    try:
        with aigov.Client(target, retries=0, timeout=2) as c:
            c.call(journal_grpc.JournalServiceStub, "GetCheckpoint",
                   journal_pb2.GetCheckpointRequest(), retries=0, timeout=2)
        return True
    except aigov.AigovError:
        return False


def spawn(argv, log_path, pid_path):
    """Starts a process that outlives the demo (its own session)."""
    log = open(log_path, "ab")
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=log, start_new_session=True)
    pid_path.write_text(str(proc.pid))
    return proc


def start_aigovd(args, data):
    aigovd = pathlib.Path(args.build_dir) / "daemon" / "aigovd"
    log_path = data / "aigovd.log"
    offset = log_path.stat().st_size if log_path.exists() else 0
    proc = spawn([str(aigovd), f"--data_dir={data / 'aigov'}",
                  f"--grpc_listen={args.target}",
                  f"--http_listen={args.http}"], log_path,
                 data / "aigovd.pid")
    ready = re.compile(r'"msg":"aigovd ready"')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            f.seek(offset)
            if ready.search(f.read().decode(errors="replace")):
                return
        if proc.poll() is not None:
            raise SystemExit(f"demo: aigovd exited ({proc.returncode}); see "
                             f"{log_path}")
        time.sleep(0.05)
    raise SystemExit(f"demo: aigovd did not start; see {log_path}")


def record_story(client, data, rng):
    say("1. Training and recording the model")
    train = applicants(rng, 20000)
    y = defaults(rng, train)
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    client.register_system(
        SYSTEM, name="Consumer credit scoring (demo)", annex_iii_point="5(b)",
        roles=["provider", "deployer"],
        intended_purpose="Score consumer-loan applicants; a credit officer "
        "decides below the auto-approve band.",
        risk={"performs_profiling": True, "decides_about_persons": True,
              "eu_market": True},
        gdpr={"role": "controller", "personal_data": True,
              "lawful_basis": "contract", "large_scale": True,
              "solely_automated_decision_with_legal_effect": True},
        people=[{"id": "credit-risk-lead@bank.example", "role": "overseer"},
                {"id": "dpo@bank.example", "role": "dpo"}],
        lifecycle_stage="production", jurisdiction="FR")
    client.record_dataset(
        "demo-applications", "v1", data=train, source_system="loans-db",
        licence="internal", purpose="credit scoring model training",
        contains_personal_data=True, lawful_basis="contract",
        anonymisation="pseudonymised", subjects_informed=True)
    with client.record_run("train-credit-scoring",
                           inputs=["demo-applications@v1"]) as run:
        split = 16000
        model = make_pipeline(StandardScaler(), LogisticRegression(
            max_iter=1000))
        model.fit(design(train.iloc[:split]), y[:split])
        held_out = model.predict_proba(design(train.iloc[split:]))[:, 1]
        auc = roc_auc_score(y[split:], held_out)
        refusal_rate = float(np.mean(held_out > REFUSE_ABOVE))
        artifact = data / "credit-model.pkl"
        artifact.write_bytes(pickle.dumps(model))
        run.add_output_model(MODEL, VERSION)
        client.register_model_version(
            MODEL, VERSION, system_id=SYSTEM, artifact=artifact,
            training_datasets=["demo-applications@v1"],
            training_run_id=run.run_id, code_ref="agents/python/examples/"
            "credit_demo.py", change_class="retrain",
            declared_metrics=[{"name": "auc", "value": round(auc, 3),
                               "threshold": 0.70,
                               "direction": "higher_is_better"},
                              {"name": "refusal_rate",
                               "value": round(refusal_rate, 3),
                               "threshold": REFUSAL_THRESHOLD,
                               "direction": "lower_is_better"}])
    say(f"   trained on 16,000 applicants, held-out AUC {auc:.3f}, "
        f"refusal rate {refusal_rate:.1%} (declared, at most "
        f"{REFUSAL_THRESHOLD:.0%}); "
        f"{MODEL}@{VERSION} registered (artefact sha256 of "
        f"{artifact.name}), run {run.run_id[:8]}… START→COMPLETE")
    client.register_evidence(
        "demo-dpia", "dpia", system_id=SYSTEM,
        document=b"Data protection impact assessment of the demo scoring",
        uri="https://bank.example/dpia/credit-scoring.pdf")
    client.deploy(DEPLOYMENT, MODEL, VERSION, environment="prod",
                  region="eu-west-3", approver="release-manager@bank.example",
                  gate_decision=f"approved: AUC {auc:.3f} >= 0.70")
    profile = aigov.ReferenceProfile.from_frame(
        train, critical=["income"], window_seconds=WINDOW)
    client.put_reference_profile(MODEL, VERSION, profile)
    say(f"   deployed as {DEPLOYMENT}; reference profile of "
        f"{len(profile.features)} features (income critical), "
        f"{WINDOW // 60}-minute windows")
    return model


def serve(client, model, rng):
    from sklearn.metrics import roc_auc_score
    say(f"2. Serving {WINDOWS} windows of {ROWS_PER_WINDOW} applications; "
        f"incomes fall by 40 % from window {SHIFT_FROM + 1}")
    monitor = client.monitor(MODEL, VERSION, send_interval=2.0)
    now = int(time.time())
    first = (now // WINDOW - 1 - WINDOWS) * WINDOW
    refused_at_shift = None
    for k in range(WINDOWS):
        start = first + k * WINDOW
        factor = 0.6 if k >= SHIFT_FROM else 1.0
        apps = applicants(rng, ROWS_PER_WINDOW, factor)
        y = defaults(rng, apps)
        scores = np.zeros(len(apps))
        for i in range(0, len(apps), 50):  # the serving loop
            batch = apps.iloc[i:i + 50]
            scores[i:i + 50] = model.predict_proba(design(batch))[:, 1]
            monitor.observe(batch, at=start + i * WINDOW // len(apps))
        refusals = float(np.mean(scores > REFUSE_ABOVE))
        if k == SHIFT_FROM:
            refused_at_shift = refusals
        auc = roc_auc_score(y, scores)
        client.report_performance(MODEL, VERSION, "auc", round(auc, 4),
                                  n=len(apps), window_start=start)
        client.report_performance(MODEL, VERSION, "refusal_rate",
                                  round(refusals, 4), n=len(apps),
                                  window_start=start)
        when = datetime.datetime.fromtimestamp(start, datetime.timezone.utc)
        say(f"   window {k + 1} {when:%H:%M}Z: {refusals:5.1%} refused"
            + (" (above the declared 45 %)" if refusals > REFUSAL_THRESHOLD
               else "") + f", AUC {auc:.3f}"
            + ("  (incomes shifted)" if factor < 1 else ""))
    if not monitor.flush(60):
        raise SystemExit("demo: the monitor could not deliver its windows")
    return refused_at_shift


def breaches(client, timeout=60):
    """The PerformanceBreach entries aigovd journalled for the version
    (waiting for the first, which follows the breaching windows)."""
    deadline = time.monotonic() + timeout
    while True:
        resp = client.call(
            journal_grpc.JournalServiceStub, "ListEntries",
            journal_pb2.ListEntriesRequest(
                kind=event_kind_pb2.EVENT_KIND_PERFORMANCE_BREACH,
                model_id=MODEL, page_size=100))
        found = [(e.sequence, e.performance_breach) for e in resp.entries]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def wait_for_drift(client, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.drift_status(MODEL, VERSION)
        states = {f.feature: f.state
                  for f in status.last_evaluation.features}
        if status.HasField("last_evaluation") and \
                all(states.get(f) == 4 for f in SHIFTED) and \
                len(status.open_windows) == 0:
            return status
        time.sleep(0.5)
    raise SystemExit("demo: drift did not reach ALERT in time; see "
                     "aigovctl drift status")


def wait_for_findings(ctl, target, timeout=60):
    """The system's obligations and the regime once the contest's clock and
    the refusal-rate breach show (the engine evaluates after each entry, on
    the sequencer's heels)."""
    deadline = time.monotonic() + timeout
    while True:
        status = json.loads(subprocess.run(
            [ctl, "--target", target, "compliance", "status", "--system",
             SYSTEM, "--json"], capture_output=True, text=True,
            check=True).stdout)
        obligations = status["obligations"]
        by_id = {o["id"]: o for o in obligations}
        ready = by_id.get("GDPR-08", {}).get("deadline") and \
            by_id.get("AIA-13", {}).get("status") not in (
                None, "NOT_APPLICABLE")
        if ready or time.monotonic() > deadline:
            return obligations, status["regime"]
        time.sleep(0.5)


OPEN = ("VIOLATED", "AT_RISK", "PENDING")
RANK = {"VIOLATED": 0, "AT_RISK": 1, "PENDING": 2}


def tell_compliance(findings, regime):
    """Prints what the engine says, as it says it: every open obligation
    (with its title and what fixes it), then the clocks the story's events
    start, each with the status the engine gives it."""
    open_ = sorted((f for f in findings if f["status"] in OPEN),
                   key=lambda f: (RANK[f["status"]], f["id"]))
    say(f"   compliance under {regime}: {len(findings)} obligations "
        f"evaluated, {len(open_)} open:")
    for f in open_:
        say(f"     {f['id']:<8} {f['status']:<9} {f['title']}")
        say(textwrap.fill(f["reason"], width=96, initial_indent=" " * 10,
                          subsequent_indent=" " * 10))
        for fix in f.get("to_fix", [])[:2]:
            say(f"          to fix: {fix}")
    by_id = {f["id"]: f for f in findings}
    for oid, event in (("AIA-13", "the drift ALERT and the breach"),
                       ("AIA-20", "the incident"),
                       ("GDPR-08", "the Art. 22 contest")):
        f = by_id.get(oid)
        if f is None:
            continue
        if f["deadline"]:
            say(f"   clock: {oid} {f['title']} ({event}): {f['status']}, "
                f"due {f['deadline']}")
        else:
            say(f"   no clock: {oid} {f['title']} ({event}) is "
                f"{f['status']}: " + textwrap.shorten(f["reason"], 120,
                                                       placeholder=" …"))


def governance(client, refused):
    say("3. People act on it")
    client.record_oversight(
        SYSTEM, "override", action_id="demo-override-1",
        reviewers=[{"id": "officer-17@bank.example", "role": "credit officer"}],
        model=f"{MODEL}@{VERSION}", deployment_id=DEPLOYMENT,
        decision_ref="application-48213",
        reason="Refusal overturned: payslips show the income the score "
        "under-read.")
    say("   a credit officer overrode a refusal (Art. 14(4)(d))")
    client.report_incident(
        SYSTEM, incident_id="demo-incident-1", category="fundamental_rights",
        description=f"Refusals rose to {refused:.0%} after applicant incomes "
        "shifted; the model's inputs drifted (income, debt_to_income).",
        model_versions=[f"{MODEL}@{VERSION}"], deployment_id=DEPLOYMENT)
    say("   an incident was reported")
    client.record_data_subject_request(
        SYSTEM, "art22_contest", request_id="demo-contest-1",
        subject="applicant-48213", decision_ref="application-48213")
    say("   an applicant contested the automated refusal (GDPR Art. 22)")


def prometheus(args, data, http):
    binary = shutil.which("prometheus")
    if args.no_prometheus or binary is None:
        say("4. Prometheus: " + ("skipped (--no-prometheus)" if
                                 args.no_prometheus else
                                 "not installed (apt-get install prometheus)"))
        return None
    pdir = data / "prometheus"
    pdir.mkdir(parents=True, exist_ok=True)
    rules = (ROOT / "deploy" / "prometheus" / "rules" /
             "aigov.rules.yml").read_text()
    rules = re.sub(r"(\n\s+for: )\S+", r"\g<1>15s", rules)
    (pdir / "aigov.rules.yml").write_text(
        "# deploy/prometheus/rules/aigov.rules.yml with every for: cut to 15s "
        "so that the demo's\n# alerts fire within a minute. Written by "
        "./scripts/demo.\n" + rules)
    (pdir / "prometheus.yml").write_text(
        "global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n"
        "rule_files: [aigov.rules.yml]\nscrape_configs:\n"
        f"  - job_name: aigov\n    static_configs:\n"
        f"      - targets: ['{http}']\n")
    pid_file = data / "prometheus.pid"
    if pid_file.exists():
        _kill(pid_file)
        time.sleep(0.5)
    note = None
    host, port = args.prometheus.rsplit(":", 1)
    if not _free(host, int(port)):
        # Debian's package runs its own Prometheus on 9090.
        with socket.socket() as sock:
            sock.bind((host, 0))
            args.prometheus = f"{host}:{sock.getsockname()[1]}"
        note = (f"   ({host}:{port} is taken, e.g. by the prometheus "
                f"service; this one listens on {args.prometheus})")
    proc = spawn([binary, f"--config.file={pdir / 'prometheus.yml'}",
           f"--storage.tsdb.path={pdir / 'data'}",
           f"--web.listen-address={args.prometheus}"],
          data / "prometheus.log", pid_file)
    say(f"4. Prometheus on http://{args.prometheus} scrapes "
        f"http://{http}/metrics with the project's alert rules")
    if note:
        say(note)
    deadline = time.monotonic() + args.alert_timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            say(f"   Prometheus exited ({proc.returncode}); see "
                f"{data / 'prometheus.log'}")
            return []
        try:
            with urllib.request.urlopen(
                    f"http://{args.prometheus}/api/v1/alerts",
                    timeout=2) as r:
                alerts = json.load(r)["data"]["alerts"]
        except OSError:
            alerts = []
        firing = sorted({(a["labels"]["alertname"],
                          a["labels"].get("feature", ""))
                         for a in alerts if a["state"] == "firing"})
        if any(a == "AigovFeatureDriftAlert" for a, _ in firing):
            for name, feature in firing:
                say(f"   firing: {name}" + (f" (feature {feature})"
                                            if feature else ""))
            return firing
        time.sleep(1)
    say("   the drift alert has not fired yet; watch "
        f"{alerts_page(args.prometheus)}")
    return []


def alerts_page(address):
    """The URL of Prometheus's alerts page at `address`.

    Upstream Prometheus serves it at /alerts; Debian's build (2.42, without
    the React UI) only at /classic/alerts, and /alerts is a 404 there.
    """
    for path in ("/alerts", "/classic/alerts"):
        try:
            with urllib.request.urlopen(f"http://{address}{path}",
                                        timeout=2) as r:
                if r.status == 200:
                    return f"http://{address}{path}"
        except OSError:
            continue
    return f"http://{address}/classic/alerts"


def _free(host, port):
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
            return True
        except OSError:
            return False


def _kill(pid_file):
    try:
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
    except (OSError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)


def main():
    p = argparse.ArgumentParser(
        prog="./scripts/demo", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 1)[1])
    p.add_argument("--target", default=os.environ.get("AIGOV_TARGET",
                                                      "127.0.0.1:7420"),
                   help="aigovd gRPC address; started here on --data-dir "
                   "when nothing answers (default 127.0.0.1:7420)")
    p.add_argument("--http", default="127.0.0.1:7421",
                   help="aigovd's HTTP address (default 127.0.0.1:7421)")
    p.add_argument("--data-dir", default=str(ROOT / "var" / "demo"))
    p.add_argument("--prometheus", default="127.0.0.1:9090",
                   help="address Prometheus listens on")
    p.add_argument("--no-prometheus", action="store_true")
    p.add_argument("--alert-timeout", type=float, default=120)
    p.add_argument("--build-dir", default=str(ROOT / "build" / "dev"))
    p.add_argument("--summary", help="also write the final state as JSON")
    p.add_argument("--stop", action="store_true",
                   help="stop the aigovd and Prometheus the demo started")
    args = p.parse_args()
    data = pathlib.Path(args.data_dir).resolve()
    if args.stop:
        for name in ("prometheus.pid", "aigovd.pid"):
            _kill(data / name)
        say(f"demo: stopped what it started under {data}")
        return 0
    data.mkdir(parents=True, exist_ok=True)
    ctl = str(pathlib.Path(args.build_dir) / "agents" / "cli" / "aigovctl")

    if answers(args.target):
        say(f"demo: using the aigovd at {args.target}")
    else:
        say(f"demo: no aigovd at {args.target}; starting one on "
            f"{data / 'aigov'}")
        start_aigovd(args, data)
    client = aigov.Client(args.target, spool_dir=str(data / "spool"))
    rng = np.random.default_rng(2026)
    model = record_story(client, data, rng)
    refused = serve(client, model, rng)
    status = wait_for_drift(client)
    states = {f.feature: monitoring_pb2.DriftState.Name(
        f.state).replace("DRIFT_STATE_", "")
        for f in status.last_evaluation.features}
    say("   drift: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    breached = breaches(client)
    for sequence, b in breached:
        say(f"   aigovd journalled a PerformanceBreach (entry {sequence}): "
            f"{b.metric} at {b.value:.1%} against the declared "
            f"{b.threshold:.0%}, {b.windows} windows running")
    governance(client, refused)
    findings, regime = wait_for_findings(ctl, args.target)
    tell_compliance(findings, regime)
    firing = prometheus(args, data, args.http)
    client.close()

    say()
    say("Where to look:")
    say(f"  {ctl} drift status --model {MODEL}@{VERSION} --target "
        f"{args.target}")
    say(f"  {ctl} compliance findings --system {SYSTEM} --target "
        f"{args.target}")
    say(f"  {ctl} compliance report --system {SYSTEM} --format html --out "
        f"report.html --target {args.target}")
    say(f"  {ctl} journal list --target {args.target}")
    say(f"  http://{args.http}/metrics          the metrics Prometheus scrapes")
    say(f"  http://{args.http}/compliance       the compliance web view")
    if firing is not None:
        say(f"  {alerts_page(args.prometheus)}  Prometheus's alerts page")
    say(f"  ./scripts/demo --stop --data-dir {data}   stops what the demo "
        "started (logs in that directory)")
    if args.summary:
        pathlib.Path(args.summary).write_text(json.dumps({
            "drift": states, "findings": findings,
            "breaches": [b.metric for _, b in breached],
            "firing": [list(f) for f in firing or []]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
