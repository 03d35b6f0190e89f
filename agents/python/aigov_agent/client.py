"""The aigovd client: one object per process (or per daemon) that records
systems, model versions, datasets, runs, deployments and governance events,
and hands out drift monitors.

Each recording call is synchronous, returns the journal sequence number of
the entry (the original one when the same record was already written) and
raises AigovError when aigovd refuses it. Event ids are derived from the
record's content as `aigovctl apply` derives them, so calling again with the
same record writes nothing; pass `event_id=` to choose one.

Thread-safe. Fork-safe: the gRPC channel is created lazily in each process
(a child never uses its parent's), as the gRPC maintainers advise for
pre-forking servers (grpc/grpc#29586).
"""

import contextlib
import datetime
import os
import socket
import threading
import time
import uuid
import weakref
from typing import Optional, Sequence

import grpc

from aigov_agent import records
from aigov_agent._pb.aigov.v1 import event_kind_pb2
from aigov_agent._pb.aigov.v1 import governance_service_pb2 as gov_pb2
from aigov_agent._pb.aigov.v1 import governance_service_pb2_grpc as gov_grpc
from aigov_agent._pb.aigov.v1 import journal_service_pb2 as journal_pb2
from aigov_agent._pb.aigov.v1 import journal_service_pb2_grpc as journal_grpc
from aigov_agent._pb.aigov.v1 import lineage_service_pb2 as lineage_pb2
from aigov_agent._pb.aigov.v1 import lineage_service_pb2_grpc as lineage_grpc
from aigov_agent._pb.aigov.v1 import monitoring_pb2
from aigov_agent._pb.aigov.v1 import monitoring_service_pb2 as mon_pb2
from aigov_agent._pb.aigov.v1 import monitoring_service_pb2_grpc as mon_grpc
from aigov_agent._pb.aigov.v1 import records_pb2
from aigov_agent._pb.aigov.v1 import registry_service_pb2 as reg_pb2
from aigov_agent._pb.aigov.v1 import registry_service_pb2_grpc as reg_grpc

DEFAULT_TARGET = "127.0.0.1:7420"
# Codes worth another try: the record is idempotent (its event id), so a
# retry after a lost answer writes nothing twice.
_RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED,
              grpc.StatusCode.DEADLINE_EXCEEDED)


class AigovError(Exception):
    """aigovd refused a request, or could not be reached.

    `code` is the grpc.StatusCode, `details` aigovd's message (for a refused
    record: the field path and the reason).
    """

    def __init__(self, code, details, target=None):
        hint = ""
        text = str(details)
        if target and ("Failed parsing HTTP/2" in text or "http1" in text
                       or "HTTP/1" in text):
            hint = (f" ({target} answers HTTP/1, as aigovd's HTTP port "
                    f"(/metrics, 127.0.0.1:7421 by default) does; the agent "
                    f"talks to its gRPC port: AIGOV_TARGET=127.0.0.1:7420)")
        elif code in (grpc.StatusCode.UNAVAILABLE,
                      grpc.StatusCode.DEADLINE_EXCEEDED) and target:
            hint = (f" (is aigovd running at {target}? set AIGOV_TARGET or "
                    f"Client(target=...), as aigovctl's --target)")
        super().__init__(f"{code.name}: {details}{hint}")
        self.code = code
        self.details = details


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _refused(target: str) -> bool:
    """True when a TCP connection to `target` (host:port, optionally
    dns:/// or ipv4:) is refused at once: no aigovd listens there. False
    when it connects, times out, or the target is not a host and port."""
    t = target
    for prefix in ("dns:///", "ipv4:", "ipv6:"):
        if t.startswith(prefix):
            t = t[len(prefix):]
    host, sep, port = t.rpartition(":")
    if not sep or not port.isdigit():
        return False
    host = host.strip("[]") or "127.0.0.1"
    try:
        with socket.create_connection((host, int(port)), timeout=0.5):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


class Run:
    """A lineage run in progress (see Client.record_run)."""

    def __init__(self, run_id):
        self.run_id = run_id
        self.outputs = []
        self.output_models = []
        self.start_sequence = None
        self.end_sequence = None

    def add_output(self, dataset_id, version):
        self.outputs.append((dataset_id, version))

    def add_output_model(self, model_id, version):
        self.output_models.append((model_id, version))


class Client:
    """A connection to aigovd.

    target: host:port (AIGOV_TARGET, default 127.0.0.1:7420).
    token: sent as `authorization: Bearer <token>` (AIGOV_TOKEN).
    tls_ca: PEM file of the CA that signed aigovd's certificate; TLS when
      set (AIGOV_TLS_CA).
    timeout: seconds per call; retries: further tries of a call that found
      aigovd unavailable or busy.
    """

    def __init__(self, target: Optional[str] = None, *,
                 token: Optional[str] = None, tls_ca: Optional[str] = None,
                 timeout: float = 10.0, retries: int = 3,
                 spool_dir: Optional[str] = None):
        self.target = target or os.environ.get("AIGOV_TARGET") or \
            DEFAULT_TARGET
        self.token = token if token is not None else os.environ.get(
            "AIGOV_TOKEN")
        self.tls_ca = tls_ca if tls_ca is not None else os.environ.get(
            "AIGOV_TLS_CA")
        self.timeout = timeout
        self.retries = retries
        self.spool_dir = spool_dir or os.environ.get("AIGOV_SPOOL_DIR") or \
            os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(
                os.path.expanduser("~"), ".cache"), "aigov", "spool")
        self._root_ca = None
        if self.tls_ca:
            with open(self.tls_ca, "rb") as f:
                self._root_ca = f.read()
        self._lock = threading.Lock()
        self._pid = None
        self._channel = None
        self._stubs = {}
        self._profiles = {}
        self._monitors = {}
        _CLIENTS.add(self)

    # -- transport ---------------------------------------------------------

    def _stub(self, factory):
        with self._lock:
            if self._pid != os.getpid():
                # A new process (or the first call): the parent's channel
                # is not ours to use or to close.
                self._pid = os.getpid()
                # Reconnect within 2 s of aigovd coming back (gRPC's
                # default backoff grows to 120 s), so a spool drains soon.
                options = [("grpc.max_receive_message_length", 64 << 20),
                           ("grpc.initial_reconnect_backoff_ms", 250),
                           ("grpc.min_reconnect_backoff_ms", 250),
                           ("grpc.max_reconnect_backoff_ms", 2000)]
                if self._root_ca is not None:
                    creds = grpc.ssl_channel_credentials(self._root_ca)
                    self._channel = grpc.secure_channel(self.target, creds,
                                                        options)
                else:
                    self._channel = grpc.insecure_channel(self.target, options)
                self._stubs = {}
            stub = self._stubs.get(factory)
            if stub is None:
                stub = self._stubs[factory] = factory(self._channel)
            return stub

    def _metadata(self):
        return (("authorization", f"Bearer {self.token}"),) if self.token \
            else None

    def call(self, factory, method, request, *, retries=None, timeout=None,
             wait_for_ready=False):
        """Calls one RPC with retries; returns the response or raises
        AigovError. With wait_for_ready the call waits (up to its timeout)
        for a channel that is reconnecting instead of failing at once."""
        tries = 1 + (self.retries if retries is None else retries)
        delay = 0.2
        for attempt in range(tries):
            try:
                rpc = getattr(self._stub(factory), method)
                # A retry waits for the channel to reconnect (up to the
                # timeout) rather than failing during gRPC's backoff.
                return rpc(request, timeout=timeout or self.timeout,
                           metadata=self._metadata(),
                           wait_for_ready=wait_for_ready or attempt > 0)
            except grpc.RpcError as e:
                code = e.code() if hasattr(e, "code") else \
                    grpc.StatusCode.UNKNOWN
                if code == grpc.StatusCode.UNAVAILABLE and \
                        _refused(self.target):
                    # Nothing listens: say so now rather than after every
                    # retry has waited out its timeout.
                    raise AigovError(code, "nothing listens at "
                                     f"{self.target}", self.target) from None
                if code in _RETRYABLE and attempt + 1 < tries:
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
                    continue
                raise AigovError(code, e.details() if hasattr(e, "details")
                                 else str(e), self.target) from None
        raise AssertionError("unreachable")

    def close(self):
        """Flushes the monitors and closes this process's channel."""
        for m in list(self._monitors.values()):
            m.close()
        with self._lock:
            if self._channel is not None and self._pid == os.getpid():
                self._channel.close()
            self._channel, self._pid, self._stubs = None, None, {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _write(self, factory, method, request_type, field, kind, record,
               event_id):
        request = request_type(event_id=event_id or records.derive_event_id(
            kind, record))
        getattr(request, field).CopyFrom(record)
        return self.call(factory, method, request).sequence

    # -- registry ----------------------------------------------------------

    def register_system(self, system_id: str, *, name: str = "",
                        annex_iii_point: Optional[str] = None,
                        event_id: Optional[str] = None, **fields) -> int:
        """Records an AI system (fields of aigov.v1.AiSystem: roles, risk,
        gdpr, people, intended_purpose, lifecycle_stage, ...)."""
        rec = records.fill(records_pb2.AiSystem(system_id=system_id,
                                                name=name), fields)
        if annex_iii_point is not None:
            rec.risk.annex_iii_point = annex_iii_point
        return self._write(reg_grpc.RegistryServiceStub, "RegisterAiSystem",
                           reg_pb2.RegisterAiSystemRequest, "ai_system",
                           "AiSystem", rec, event_id)

    def register_model_version(self, model_id: str, version: str, *,
                               system_id: str, artifact=None,
                               artifact_sha256: Optional[str] = None,
                               event_id: Optional[str] = None,
                               **fields) -> int:
        """Records a model version; `artifact` (a path or bytes) is hashed
        for artifact_sha256. Other fields of aigov.v1.ModelVersion:
        training_datasets=["loans@2026-09"], declared_metrics=[{...}], ..."""
        if artifact_sha256 is None:
            if artifact is None:
                raise ValueError("artifact or artifact_sha256 is required")
            artifact_sha256 = records.sha256_of(artifact)
        rec = records.fill(records_pb2.ModelVersion(
            model_id=model_id, version=version, system_id=system_id,
            artifact_sha256=artifact_sha256), fields)
        return self._write(reg_grpc.RegistryServiceStub,
                           "RegisterModelVersion",
                           reg_pb2.RegisterModelVersionRequest,
                           "model_version", "ModelVersion", rec, event_id)

    def record_dataset(self, dataset_id: str, version: str, *, data=None,
                       content_sha256: Optional[str] = None,
                       event_id: Optional[str] = None, **fields) -> int:
        """Records a dataset version; `data` (a path, bytes or a DataFrame)
        is hashed for content_sha256. Other fields of aigov.v1.DatasetVersion:
        licence, contains_personal_data, parents=["raw@1"], ..."""
        if content_sha256 is None and data is not None:
            content_sha256 = records.sha256_of(data)
        rec = records.fill(records_pb2.DatasetVersion(
            dataset_id=dataset_id, version=version,
            content_sha256=content_sha256 or ""), fields)
        return self._write(reg_grpc.RegistryServiceStub,
                           "RegisterDatasetVersion",
                           reg_pb2.RegisterDatasetVersionRequest,
                           "dataset_version", "DatasetVersion", rec, event_id)

    def deploy(self, deployment_id: str, model_id: str, version: str, *,
               environment: str = "prod", state: str = "enabled",
               traffic_share: float = 1.0, event_id: Optional[str] = None,
               **fields) -> int:
        """Records a deployment (or a change of one: same deployment_id)."""
        rec = records.fill(records_pb2.Deployment(
            deployment_id=deployment_id, traffic_share=traffic_share),
            dict(model_version=(model_id, version), environment=environment,
                 state=state, **fields))
        return self._write(reg_grpc.RegistryServiceStub, "RegisterDeployment",
                           reg_pb2.RegisterDeploymentRequest, "deployment",
                           "Deployment", rec, event_id)

    def register_evidence(self, document_id: str, document_type: str, *,
                          document=None, content_sha256: Optional[str] = None,
                          event_id: Optional[str] = None, **fields) -> int:
        """Records an evidence document (type by name, e.g. "dpia");
        `document` (a path or bytes) is hashed for content_sha256."""
        if content_sha256 is None:
            if document is None:
                raise ValueError("document or content_sha256 is required")
            content_sha256 = records.sha256_of(document)
        rec = records.fill(records_pb2.EvidenceDocument(
            document_id=document_id, content_sha256=content_sha256),
            dict(type=document_type, **fields))
        return self._write(reg_grpc.RegistryServiceStub,
                           "RegisterEvidenceDocument",
                           reg_pb2.RegisterEvidenceDocumentRequest,
                           "evidence_document", "EvidenceDocument", rec,
                           event_id)

    def get(self, kind: str, record_id: str, version: str = ""):
        """The current state of one record (an aigov.v1.RegistryRecord);
        kind as in `aigovctl get`, e.g. "ModelVersion"."""
        number = records._enum_number(  # pylint: disable=protected-access
            reg_pb2.GetRecordRequest.DESCRIPTOR.fields_by_name["kind"],
            _upper_snake(kind), "kind")
        return self.call(reg_grpc.RegistryServiceStub, "GetRecord",
                         reg_pb2.GetRecordRequest(kind=number, id=record_id,
                                                  version=version)).record

    # -- lineage -----------------------------------------------------------

    @contextlib.contextmanager
    def record_run(self, job_name: str, *, job_namespace: str = "aigov",
                   inputs: Sequence = (), input_models: Sequence = (),
                   outputs: Sequence = (), output_models: Sequence = (),
                   run_id: Optional[str] = None):
        """A training or scoring run: START when entered, COMPLETE when the
        block ends, FAIL when it raises (the exception goes on). Inputs and
        outputs are "ID@VERSION" or (id, version); outputs may also be added
        inside the block (run.add_output, run.add_output_model). Yields the
        Run, whose start_sequence and end_sequence are the entries'."""
        run = Run(run_id or str(uuid.uuid4()))
        run.outputs.extend(outputs)
        run.output_models.extend(output_models)

        def event(event_type, with_outputs):
            rec = records.fill(records_pb2.RunEvent(
                run_id=run.run_id, job_namespace=job_namespace,
                job_name=job_name), dict(
                    event_type=event_type, event_time=_now(),
                    inputs=list(inputs), input_models=list(input_models),
                    outputs=run.outputs if with_outputs else [],
                    output_models=run.output_models if with_outputs else []))
            req = lineage_pb2.RecordRunRequest(
                event_id=f"run-{run.run_id}-{event_type}")
            req.run.CopyFrom(rec)
            return self.call(lineage_grpc.LineageServiceStub, "RecordRun",
                             req).sequence

        run.start_sequence = event("start", False)
        try:
            yield run
        except BaseException:
            run.end_sequence = event("fail", True)
            raise
        run.end_sequence = event("complete", True)

    # -- governance --------------------------------------------------------

    def record_oversight(self, system_id: str, action: str, *,
                         reviewers: Sequence = (), action_id:
                         Optional[str] = None, occurred_at=None,
                         event_id: Optional[str] = None, **fields) -> int:
        """Records a human-oversight action ("approve", "override", "stop");
        reviewers are ids or {"id", "role"} dicts; model="ID@VERSION" sets
        model_version."""
        if "model" in fields:
            fields["model_version"] = fields.pop("model")
        rec = records.fill(records_pb2.OversightAction(
            action_id=action_id or str(uuid.uuid4()), system_id=system_id),
            dict(action=action, occurred_at=occurred_at or _now(),
                 reviewers=[r if isinstance(r, dict) else {"id": r}
                            for r in reviewers], **fields))
        return self._write(gov_grpc.GovernanceServiceStub,
                           "RecordOversightAction",
                           gov_pb2.RecordOversightActionRequest,
                           "oversight_action", "OversightAction", rec,
                           event_id)

    def report_incident(self, system_id: str, *, category: str,
                        description: str = "", incident_id:
                        Optional[str] = None, aware_at=None, occurred_at=None,
                        event_id: Optional[str] = None, **fields) -> int:
        """Records an incident (category: "health", "critical_infrastructure",
        "fundamental_rights", "property_or_environment", "not_serious"),
        which starts the Art. 73 reporting clocks from aware_at (now by
        default). model_versions=["ID@VERSION"], deployment_id, ..."""
        aware = aware_at or _now()
        rec = records.fill(records_pb2.Incident(
            incident_id=incident_id or str(uuid.uuid4()), system_id=system_id,
            description=description), dict(
                category=category, aware_at=aware,
                occurred_at=occurred_at or aware, **fields))
        return self._write(gov_grpc.GovernanceServiceStub, "RecordIncident",
                           gov_pb2.RecordIncidentRequest, "incident",
                           "Incident", rec, event_id)

    def record_data_subject_request(self, system_id: str, request_type: str,
                                    *, request_id: Optional[str] = None,
                                    status: str = "received",
                                    received_at=None,
                                    event_id: Optional[str] = None,
                                    **fields) -> int:
        """Records a data subject's request ("access", "erasure",
        "objection", "art22_contest", "art86_explanation"), which starts the
        GDPR Art. 12(3) month from received_at (now by default); subject,
        decision_ref, datasets=["ID@VERSION"], ..."""
        rec = records.fill(records_pb2.DataSubjectRequest(
            request_id=request_id or str(uuid.uuid4()), system_id=system_id),
            dict(type=request_type, status=status,
                 received_at=received_at or _now(), **fields))
        return self._write(gov_grpc.GovernanceServiceStub,
                           "RecordDataSubjectRequest",
                           gov_pb2.RecordDataSubjectRequestRequest,
                           "data_subject_request", "DataSubjectRequest", rec,
                           event_id)

    # -- monitoring --------------------------------------------------------

    def put_reference_profile(self, model_id: str, version: str, profile,
                              *, event_id: Optional[str] = None) -> int:
        """Records the reference profile every later window of the model
        version is scored against; monitors of this client count in it."""
        p = profile.to_proto(model_id, version)
        seq = self._write(mon_grpc.MonitoringServiceStub,
                          "PutReferenceProfile",
                          mon_pb2.PutReferenceProfileRequest,
                          "reference_profile", "ReferenceProfile", p,
                          event_id)
        with self._lock:
            self._profiles[(model_id, version)] = profile
        return seq

    def reference_profile(self, model_id: str, version: str):
        """The model version's reference profile: the one this client sent,
        else aigovd's current one (read from its journal entry)."""
        from aigov_agent.profile import ReferenceProfile  # noqa: cycles
        with self._lock:
            if (model_id, version) in self._profiles:
                return self._profiles[(model_id, version)]
        status = self.call(mon_grpc.MonitoringServiceStub, "GetDriftStatus",
                           mon_pb2.GetDriftStatusRequest(model_id=model_id,
                                                         version=version))
        entry = self.call(journal_grpc.JournalServiceStub, "GetEntry",
                          journal_pb2.GetEntryRequest(
                              sequence=status.reference_sequence)).entry
        profile = ReferenceProfile.from_proto(entry.reference_profile)
        with self._lock:
            self._profiles.setdefault((model_id, version), profile)
        return profile

    def report_performance(self, model_id: str, version: str, metric: str,
                           value: float, *, n: int, window_start=None,
                           slice: str = "",  # pylint: disable=redefined-builtin
                           event_id: Optional[str] = None) -> int:
        """Records a measured metric of one window (held against the model
        version's declared metric of that name); window_start defaults to
        the start of the current hour."""
        if window_start is None:
            window_start = int(time.time()) // 3600 * 3600
        s = monitoring_pb2.PerformanceSample(
            model_id=model_id, version=version, metric=metric, slice=slice,
            value=float(value), n=int(n))
        s.window_start.CopyFrom(records.to_timestamp(window_start,
                                                     "window_start"))
        return self._write(mon_grpc.MonitoringServiceStub, "ReportPerformance",
                           mon_pb2.ReportPerformanceRequest,
                           "performance_sample", "PerformanceSample", s,
                           event_id)

    def monitor(self, model_id: str, version: str, **options):
        """The drift monitor of a model version (one per client and model
        version; options as Monitor's, taken on first use)."""
        from aigov_agent.monitor import Monitor  # noqa: cycles
        with self._lock:
            m = self._monitors.get((model_id, version))
            if m is None:
                m = self._monitors[(model_id, version)] = Monitor(
                    model_id, version, client=self, **options)
            return m

    def deployed(self, model_id: str, version: str) -> bool:
        """True when an enabled deployment serves the model version (drift
        series reach /metrics only for such versions)."""
        request = reg_pb2.ListRecordsRequest(
            kind=event_kind_pb2.EVENT_KIND_DEPLOYMENT, page_size=1000)
        while True:
            page = self.call(reg_grpc.RegistryServiceStub, "ListRecords",
                             request)
            for r in page.records:
                d = r.deployment
                if d.model_version.model_id == model_id and \
                        d.model_version.version == version and \
                        d.state == records_pb2.DEPLOYMENT_STATE_ENABLED:
                    return True
            if not page.next_page_token:
                return False
            request.page_token = page.next_page_token

    def drift_status(self, model_id: str, version: str):
        """aigovd's GetDriftStatus answer (aigov.v1.GetDriftStatusResponse)."""
        return self.call(mon_grpc.MonitoringServiceStub, "GetDriftStatus",
                         mon_pb2.GetDriftStatusRequest(model_id=model_id,
                                                       version=version))


_CLIENTS: "weakref.WeakSet[Client]" = weakref.WeakSet()


def _after_fork_in_child():
    # A thread of the parent may have held the lock at fork time.
    for c in list(_CLIENTS):
        c._lock = threading.Lock()  # pylint: disable=protected-access


os.register_at_fork(after_in_child=_after_fork_in_child)


def _upper_snake(kind: str) -> str:
    out = ""
    for i, ch in enumerate(kind):
        if ch.isupper() and i and not kind[i - 1].isupper():
            out += "_"
        out += ch.upper()
    return out


# Keep the generated enum module imported: Client.get names kinds by it.
_ = event_kind_pb2
