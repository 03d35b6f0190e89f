"""Every recording call of the Client against a real aigovd: the entry it
returns is in the journal with what was sent, the same call again writes
nothing, and a refused record raises with the field path."""

import datetime
import json

import grpc
import numpy as np
import pandas as pd
import pytest

import aigov_agent as aigov
from aigov_agent._pb.aigov.v1 import journal_service_pb2 as jpb
from aigov_agent._pb.aigov.v1 import journal_service_pb2_grpc as jgrpc


def entry(client, sequence):
    return client.call(jgrpc.JournalServiceStub, "GetEntry",
                       jpb.GetEntryRequest(sequence=sequence)).entry


def register_basics(client, tmp_path):
    client.register_system("loans", name="Loan scoring",
                           annex_iii_point="5(b)", roles=["provider"])
    artifact = tmp_path / "model.pkl"
    artifact.write_bytes(b"model bytes")
    client.register_model_version("credit-scoring", "2.0", system_id="loans",
                                  artifact=artifact)
    return artifact


def test_every_call_returns_its_journal_entry(client, tmp_path):
    s_sys = client.register_system(
        "loans", name="Loan scoring", annex_iii_point="5(b)",
        roles=["provider", "deployer"], intended_purpose="credit decisions",
        lifecycle_stage="pilot")
    e = entry(client, s_sys)
    assert e.ai_system.system_id == "loans"
    assert e.ai_system.risk.annex_iii_point == "5(b)"
    assert [r for r in e.ai_system.roles] == [1, 2]
    assert e.ai_system.lifecycle_stage == 3  # PILOT

    frame = pd.DataFrame({"income": [1.0, 2.0], "region": ["n", "s"]})
    s_data = client.record_dataset("applications", "2026-10", data=frame,
                                   licence="internal",
                                   contains_personal_data=True,
                                   lawful_basis="contract")
    got = entry(client, s_data).dataset_version
    assert got.content_sha256 == aigov.records.sha256_of(frame)
    assert len(got.content_sha256) == 64 and got.licence == "internal"

    artifact = tmp_path / "model.pkl"
    artifact.write_bytes(b"weights")
    with client.record_run("train-credit", inputs=["applications@2026-10"]) \
            as run:
        run.add_output_model("credit-scoring", "2.0")
        s_model = client.register_model_version(
            "credit-scoring", "2.0", system_id="loans", artifact=artifact,
            training_datasets=["applications@2026-10"],
            training_run_id=run.run_id,
            declared_metrics=[{"name": "auc", "value": 0.8,
                               "threshold": 0.75, "direction": "higher_is_better"}])
    mv = entry(client, s_model).model_version
    assert mv.artifact_sha256 == aigov.records.sha256_of(b"weights")
    assert mv.training_datasets[0].dataset_id == "applications"
    assert mv.declared_metrics[0].direction == 1
    start, end = entry(client, run.start_sequence), entry(client,
                                                          run.end_sequence)
    assert start.run_event.event_type == 1 and end.run_event.event_type == 3
    assert end.run_event.output_models[0].model_id == "credit-scoring"
    assert run.start_sequence < s_model < run.end_sequence

    with pytest.raises(RuntimeError):
        with client.record_run("train-credit",
                               inputs=["applications@2026-10"]) as failed:
            raise RuntimeError("out of memory")
    assert entry(client, failed.end_sequence).run_event.event_type == 5

    s_dep = client.deploy("loans-prod", "credit-scoring", "2.0",
                          environment="prod", region="eu-west-1")
    dep = entry(client, s_dep).deployment
    assert dep.environment == 4 and dep.state == 1
    assert dep.model_version.version == "2.0"

    s_ev = client.register_evidence("dpia-1", "dpia", system_id="loans",
                                    document=b"%PDF-1.7 the DPIA",
                                    uri="https://example.org/dpia.pdf")
    assert entry(client, s_ev).evidence_document.document_id == "dpia-1"

    s_over = client.record_oversight(
        "loans", "override", reviewers=["officer-17"],
        model="credit-scoring@2.0", reason="income proof seen",
        decision_ref="application-4711")
    ov = entry(client, s_over).oversight_action
    assert ov.action == 2 and ov.reviewers[0].id == "officer-17"
    assert ov.model_version.model_id == "credit-scoring"

    s_inc = client.report_incident(
        "loans", category="fundamental_rights",
        description="refusals skewed by postcode",
        model_versions=["credit-scoring@2.0"], deployment_id="loans-prod")
    assert entry(client, s_inc).incident.category == 3

    s_dsr = client.record_data_subject_request(
        "loans", "art22_contest", subject="applicant-4711",
        decision_ref="application-4711")
    dsr = entry(client, s_dsr).data_subject_request
    assert dsr.type == 4 and dsr.status == 1 and dsr.received_at.seconds > 0

    now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
    s_perf = client.report_performance("credit-scoring", "2.0", "auc", 0.81,
                                       n=900, window_start=now // 3600 * 3600)
    assert entry(client, s_perf).performance_sample.value == 0.81

    profile = aigov.ReferenceProfile.from_frame(pd.DataFrame({
        "income": np.arange(1000, dtype=float),
        "region": ["n", "s"] * 500}))
    s_ref = client.put_reference_profile("credit-scoring", "2.0", profile)
    ref = entry(client, s_ref).reference_profile
    assert [f.name for f in ref.features] == ["income", "region"]
    assert list(ref.features[0].numeric.edges) == profile.features[0].edges

    sequences = [s_sys, s_data, s_model, s_dep, s_ev, s_over, s_inc, s_dsr,
                 s_perf, s_ref]
    assert len(set(sequences)) == len(sequences)
    # The same record again: the original entry, nothing written.
    again = client.register_model_version(
        "credit-scoring", "2.0", system_id="loans", artifact=artifact,
        training_datasets=["applications@2026-10"],
        training_run_id=run.run_id,
        declared_metrics=[{"name": "auc", "value": 0.8, "threshold": 0.75,
                           "direction": "higher_is_better"}])
    assert again == s_model
    assert client.get("ModelVersion", "credit-scoring",
                      "2.0").model_version.artifact_sha256 == mv.artifact_sha256


def test_refusals_name_the_field(client, tmp_path):
    register_basics(client, tmp_path)
    with pytest.raises(aigov.AigovError) as e:
        client.register_model_version("credit-scoring", "3.0",
                                      system_id="loans",
                                      artifact_sha256="xyz")
    assert e.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "model_version.artifact_sha256" in str(e.value)
    with pytest.raises(aigov.AigovError) as e:
        client.deploy("d", "credit-scoring", "9.9")
    assert e.value.code == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(ValueError, match="environment: unknown Environment"):
        client.deploy("d", "credit-scoring", "2.0", environment="moon")
    with pytest.raises(ValueError, match="no such field"):
        client.register_system("x", colour="blue")


def test_unreachable_daemon_says_where(tmp_path):
    from conftest import free_port
    c = aigov.Client(f"127.0.0.1:{free_port()}", retries=0, timeout=2)
    with pytest.raises(aigov.AigovError) as e:
        c.register_system("loans", name="x")
    assert e.value.code in (grpc.StatusCode.UNAVAILABLE,
                            grpc.StatusCode.DEADLINE_EXCEEDED)
    assert "is aigovd running at" in str(e.value)


def test_a_stopped_daemon_fails_fast_with_the_hint(tmp_path):
    # Retries and a long timeout, as a serving process would configure: a
    # refused connection is answered at once, not after every retry has
    # waited out its timeout (the answer names the fast path).
    from conftest import free_port
    target = f"127.0.0.1:{free_port()}"
    c = aigov.Client(target, retries=3, timeout=120)
    with pytest.raises(aigov.AigovError) as e:
        c.register_system("loans", name="x")
    assert e.value.code == grpc.StatusCode.UNAVAILABLE
    assert f"nothing listens at {target}" in str(e.value)
    assert f"is aigovd running at {target}?" in str(e.value)


def test_environment_configures_the_client(monkeypatch, aigovd):
    monkeypatch.setenv("AIGOV_TARGET", aigovd.target)
    monkeypatch.setenv("AIGOV_TOKEN", "s3cret")
    c = aigov.Client()
    assert c.target == aigovd.target and c.token == "s3cret"
    # aigovd ignores the bearer token; the call goes through with it.
    assert c.register_system("env-system", name="from env") >= 0


def test_event_ids_are_those_aigovctl_derives(client, aigovd, tmp_path):
    """The same record written by `aigovctl apply` and by the agent is one
    journal entry: both derive the event id from the content alike."""
    from conftest import ctl
    client.register_system("loans", name="Loan scoring")
    doc = tmp_path / "mv.yaml"
    doc.write_text("kind: ModelVersion\nmodel_id: credit-scoring\n"
                   "version: '3.0'\nsystem_id: loans\n"
                   f"artifact_sha256: {'ab' * 32}\nchange_class: retrain\n"
                   "training_datasets: [{dataset_id: d, version: '1'}]\n")
    out = ctl("apply", "-f", doc, "--json", "--target", aigovd.target).stdout
    applied = json.loads(out)[0]
    assert applied["result"] == "created"
    again = client.register_model_version(
        "credit-scoring", "3.0", system_id="loans", artifact_sha256="ab" * 32,
        change_class="retrain", training_datasets=["d@1"])
    assert again == applied["sequence"]
