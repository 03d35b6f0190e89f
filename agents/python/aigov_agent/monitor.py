"""Drift monitoring inside a serving process: Monitor.observe(batch) counts
the inputs of a model version per window in its reference profile's bins and
sends the windows to aigovd; only counts leave the process, never rows.

Guarantees, for a process that serves predictions:
- observe() never blocks and never raises: it puts the batch on a bounded
  queue (queue_size batches) and returns; when the queue is full the batch is
  dropped and counted (stats()["dropped_rows"]).
- A background thread (a daemon thread, one per monitor and process) counts
  the batches and, every send_interval seconds, sends what it counted as
  WindowProfile reports, each with its own event id. Reports of one window
  add up in aigovd, so a window may be sent in several parts.
- When aigovd cannot be reached, reports are written to a disk spool
  (spool_dir, at most max_spool_bytes; beyond it they are dropped and
  counted) and sent again, with the same event ids, once it answers: aigovd
  records an event id once, so nothing is counted twice.
- flush() sends everything counted so far (or spools it) and waits; an exit
  handler flushes every monitor when the interpreter exits.
- fork(): a child starts with an empty monitor (what the parent counted is
  the parent's to send), its own queue, thread and gRPC channel.

The batch is read on the monitor's thread after observe() returns; NumPy
arrays are copied, other objects are not and must not be changed in place.
"""

import atexit
import logging
import os
import queue
import threading
import time
import uuid
import weakref
from typing import Dict, List, Optional

import numpy as np

from aigov_agent import profile as _profile
from aigov_agent.spool import Spool
from aigov_agent._pb.aigov.v1 import monitoring_service_pb2 as mon_pb2
from aigov_agent._pb.aigov.v1 import monitoring_service_pb2_grpc as mon_grpc

log = logging.getLogger("aigov_agent")

_MONITORS: "weakref.WeakSet[Monitor]" = weakref.WeakSet()
_FLUSH = object()
_STOP = object()
# Reports per ReportWindowBatch call.
_REPORTS_PER_CALL = 64


class _Window:
    """What one window has counted, per feature: totals, plus what waits to
    be counted in bulk (DataFrames by column set, column chunks, and values
    of rows observed one at a time)."""

    # Pending rows beyond which they are counted at once (bounds memory).
    FOLD_ROWS = 16384

    def __init__(self):
        self.totals: Dict[str, list] = {}  # name -> [counts, nulls]
        self.frames: Dict[tuple, list] = {}
        self.chunks: Dict[str, list] = {}
        self.scalars: Dict[str, list] = {}
        self.pending_rows = 0

    def fold(self, prof, invalid):
        """Counts everything pending into the totals; adds to `invalid`
        (feature name -> [values left out, the first of them]) what was
        neither a number nor null in a numeric feature."""
        for frames in self.frames.values():
            big = frames[0] if len(frames) == 1 else _concat(frames)
            for name, values in _profile.columns_of(big, prof.names).items():
                self._add(prof, name, [values], invalid)
        for name, parts in self.chunks.items():
            self._add(prof, name, parts, invalid)
        for name, values in self.scalars.items():
            self._add(prof, name, [values], invalid)
        self.frames, self.chunks, self.scalars = {}, {}, {}
        self.pending_rows = 0

    def _add(self, prof, name, parts, invalid):
        feature = prof.feature(name)
        total = self.totals.get(name)
        if total is None:
            total = self.totals[name] = [np.zeros(feature.bins, np.int64), 0]
        for part in _merge(parts, feature):
            counts, nulls, bad, example = feature.count_checked(part)
            total[0] += counts
            total[1] += nulls
            if bad:
                seen = invalid.setdefault(name, [0, example])
                seen[0] += bad


class Monitor:
    """The drift monitor of one model version (see the module docstring).

    client: the aigov_agent.Client to send through (by default one
      configured from the environment: AIGOV_TARGET, ...).
    profile: the ReferenceProfile to count in; by default the one the client
      sent for this model version, else aigovd's (fetched on the monitor's
      thread; batches wait for it in the queue).
    clock: seconds since the epoch of an observation without `at`.
    """

    def __init__(self, model_id: str, version: str, *, client=None,
                 profile=None, queue_size: int = 10000,
                 send_interval: float = 10.0,
                 spool_dir: Optional[str] = None,
                 max_spool_bytes: int = 64 << 20, clock=time.time):
        if client is None:
            from aigov_agent.client import Client  # noqa: cycles
            client = Client()
        self.client = client
        self.model_id = model_id
        self.version = version
        self.queue_size = queue_size
        self.send_interval = send_interval
        self.spool_dir = spool_dir or client.spool_dir
        self.max_spool_bytes = max_spool_bytes
        self.clock = clock
        self._profile = profile
        self._init_process_state()
        _MONITORS.add(self)

    def _init_process_state(self):
        self._pid = os.getpid()
        self._queue: "queue.Queue" = queue.Queue(self.queue_size)
        self._thread: Optional[threading.Thread] = None
        self._start_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self._windows: Dict[int, _Window] = {}
        self._outbox: List = []  # ReportWindowsRequest not yet delivered
        self._last_send = time.monotonic()
        self._next_profile_try = 0.0
        self._closed = False
        self._stats = dict(observed_rows=0, dropped_rows=0, errors=0,
                           invalid_values=0, missing_columns=0,
                           rows_without_profile=0,
                           sent_reports=0, refused_reports=0,
                           spooled_reports=0, replayed_reports=0,
                           dropped_reports=0)
        self._warned = set()  # what has been logged once
        self._deployment_checked = False

    # -- the caller's side -------------------------------------------------

    def observe(self, batch, at=None) -> None:
        """Counts `batch` (a DataFrame, a Series or a dict for one row, a
        dict of columns, a list of row dicts, a NumPy array) in the window
        of `at` (seconds since the epoch or a datetime; now by default).
        Never blocks, never raises."""
        try:
            if self._pid != os.getpid() or self._thread is None:
                self._start()
            if isinstance(batch, np.ndarray):
                batch = batch.copy()
            if at is None:
                at = self.clock()
            else:
                at = float(at.timestamp() if hasattr(at, "timestamp") else at)
            self._queue.put_nowait((at, batch))
        except queue.Full:
            self._count("dropped_rows", _rows(batch))
        except Exception:  # pylint: disable=broad-except
            self._count("errors", 1)

    def flush(self, timeout: float = 30.0) -> bool:
        """Sends everything observed so far (spooling what aigovd does not
        take) and replays the spool; True when nothing is left undelivered.
        Waits at most `timeout` seconds; False at once after close()."""
        if self._closed and self._pid == os.getpid():
            return False
        if self._pid != os.getpid() or self._thread is None:
            self._start()
        done = threading.Event()
        result = {}
        try:
            self._queue.put((_FLUSH, (done, result)), timeout=timeout)
        except queue.Full:
            return False
        if not done.wait(timeout):
            return False
        return result.get("delivered", False)

    def close(self, timeout: float = 5.0) -> None:
        """Flushes and stops the thread; later observations are dropped."""
        if self._closed:
            return
        self.flush(timeout)
        self._closed = True
        try:
            self._queue.put_nowait((_STOP, None))
        except queue.Full:
            pass

    def stats(self) -> dict:
        """Counters of this process: observed_rows, dropped_rows (queue
        full), errors (batches that could not be read), invalid_values
        (values of a numeric feature that are neither numbers nor null:
        left out of the counts), missing_columns (a profiled feature absent
        from an observed row, per row and feature), rows_without_profile
        (rows waiting because aigovd holds no reference profile for the
        version), sent_reports, refused_reports (aigovd said no: see the
        log), spooled_reports, replayed_reports, dropped_reports (spool
        full), queued (batches waiting). Each of invalid_values,
        missing_columns and rows_without_profile is logged once, with the
        call that fixes it."""
        with self._stats_lock:
            out = dict(self._stats)
        out["queued"] = self._queue.qsize()
        return out

    def _count(self, key, n):
        with self._stats_lock:
            self._stats[key] += n

    def _warn_once(self, key, message, *args):
        if key in self._warned:
            return
        self._warned.add(key)
        log.warning("aigov monitor %s@%s: " + message, self.model_id,
                    self.version, *args)

    def _start(self):
        with self._start_lock:
            if self._pid != os.getpid():
                self._init_process_state()
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, daemon=True,
                    name=f"aigov-monitor-{self.model_id}@{self.version}")
                self._thread.start()

    # -- the monitor's thread ----------------------------------------------

    def _run(self):
        pending = []  # batches waiting for the profile
        while True:
            wait = max(0.0, self.send_interval -
                       (time.monotonic() - self._last_send))
            try:
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                item = None
            items = [] if item is None else [item]
            while len(items) < 4096:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            flushes = [it[1] for it in items if it[0] is _FLUSH]
            stop = any(it[0] is _STOP for it in items)
            pending += [it for it in items
                        if it[0] is not _FLUSH and it[0] is not _STOP]
            delivered = False
            try:
                if pending and self._profile_ready():
                    self._count_batches(pending)
                    pending = []
                    with self._stats_lock:
                        self._stats["rows_without_profile"] = 0
                if len(pending) > self.queue_size:
                    drop = pending[:len(pending) - self.queue_size]
                    pending = pending[len(drop):]
                    self._count("dropped_rows", sum(_rows(b) for _, b in drop))
                if pending and items:
                    with self._stats_lock:
                        self._stats["rows_without_profile"] = sum(
                            _rows(b) for _, b in pending)
                if flushes or stop or time.monotonic() - self._last_send >= \
                        self.send_interval:
                    delivered = self._ship() and not pending
            except Exception:  # pylint: disable=broad-except
                log.exception("aigov monitor %s@%s", self.model_id,
                              self.version)
                self._count("errors", 1)
            for done, result in flushes:  # every waiter hears, once
                result["delivered"] = delivered
                done.set()
            if stop:
                return

    def _profile_ready(self) -> bool:
        if self._profile is None:
            # At most one try per send_interval: batches keep arriving.
            if time.monotonic() < self._next_profile_try:
                return False
            self._next_profile_try = time.monotonic() + self.send_interval
            try:
                self._profile = self.client.reference_profile(self.model_id,
                                                              self.version)
            except Exception as e:  # pylint: disable=broad-except
                if "NOT_FOUND" in str(e):
                    self._warn_once(
                        "profile", "aigovd holds no reference profile for "
                        "this version, so observed rows wait uncounted "
                        "(stats()['rows_without_profile']); send one: "
                        "client.put_reference_profile(%r, %r, "
                        "aigov.ReferenceProfile.from_frame(train_df))",
                        self.model_id, self.version)
                else:
                    log.warning("aigov monitor %s@%s: no reference profile "
                                "yet (%s)", self.model_id, self.version, e)
                return False
        return True

    def _check_deployment(self):
        """Warns once when no enabled deployment serves the version: aigovd
        keeps its windows but exports drift series only for deployed
        versions."""
        if self._deployment_checked:
            return
        try:
            deployed = self.client.deployed(self.model_id, self.version)
        except Exception:  # pylint: disable=broad-except
            return  # unreachable: asked again at the next send
        self._deployment_checked = True
        if not deployed:
            self._warn_once(
                "deployment", "no enabled deployment serves this version, "
                "so its drift reaches no /metrics series, Prometheus alert "
                "or Grafana panel (aigovctl drift status still shows it); "
                "record one: client.deploy('prod', %r, %r)", self.model_id,
                self.version)

    def _count_batches(self, batches):
        prof = self._profile
        step = prof.window_seconds
        names = prof.names
        for at, batch in batches:
            try:
                if _is_series(batch):  # one row, as df.iloc[i] gives it
                    batch = batch.to_dict()
                self._check_columns(batch, names)
                start = int(at // step) * step
                w = self._windows.get(start)
                if w is None:
                    w = self._windows[start] = _Window()
                if type(batch) is dict and not isinstance(  # noqa: E721
                        next(iter(batch.values()), None),
                        (list, tuple, np.ndarray)):
                    # One row: its values wait to be counted as columns.
                    for name in names:
                        if name in batch:
                            w.scalars.setdefault(name, []).append(batch[name])
                    rows = 1
                elif _is_frame(batch):
                    w.frames.setdefault(tuple(batch.columns), []).append(batch)
                    rows = len(batch)
                else:
                    for name, values in _profile.columns_of(batch,
                                                            names).items():
                        w.chunks.setdefault(name, []).append(values)
                    rows = _rows(batch)
            except Exception:  # pylint: disable=broad-except
                self._count("errors", 1)
                continue
            w.pending_rows += rows
            if w.pending_rows >= _Window.FOLD_ROWS:
                self._fold(w)
            self._count("observed_rows", rows)

    def _check_columns(self, batch, names):
        """Counts the profiled features `batch` lacks, per row."""
        if _is_frame(batch):
            present = set(batch.columns)
        elif isinstance(batch, dict):
            present = set(batch)
        elif isinstance(batch, np.ndarray) and batch.dtype.names:
            present = set(batch.dtype.names)
        elif isinstance(batch, (list, tuple)) and batch and \
                isinstance(batch[0], dict):
            present = set().union(*(set(r) for r in batch
                                    if isinstance(r, dict)))
        else:
            return  # a plain array: its columns are the profile's
        missing = [n for n in names if n not in present]
        if not missing:
            return
        self._count("missing_columns", len(missing) * _rows(batch))
        self._warn_once(
            "missing:" + ",".join(missing), "observed rows lack the "
            "profiled features %s: they are not counted (not as nulls "
            "either; stats()['missing_columns']); pass those columns to "
            "observe(), or profile without them: "
            "ReferenceProfile.from_frame(train_df, features=[...])",
            ", ".join(missing))

    def _fold(self, w):
        invalid = {}
        w.fold(self._profile, invalid)
        for name, (n, example) in invalid.items():
            self._count("invalid_values", n)
            self._warn_once(
                "invalid:" + name, "%d values of the numeric feature %r are "
                "not numbers (e.g. %r): left out of the counts "
                "(stats()['invalid_values']); send numbers, or profile it "
                "as a category: ReferenceProfile.from_frame(train_df, "
                "categorical=[%r])", n, name, example, name)

    def _reports(self):
        """The counted windows as reports (new event ids); clears them."""
        out = []
        for start in sorted(self._windows):
            w = self._windows[start]
            self._fold(w)
            report = mon_pb2.ReportWindowsRequest(
                event_id=f"win-{uuid.uuid4().hex}")
            wp = report.window_profile
            wp.model_id, wp.version = self.model_id, self.version
            wp.window_start.seconds = start
            for name in self._profile.names:
                if name in w.totals:
                    counts, nulls = w.totals[name]
                    wf = wp.features.add(name=name, null_count=nulls)
                    wf.counts.extend(int(c) for c in counts)
            if wp.features:
                out.append(report)
        self._windows = {}
        return out

    def _ship(self) -> bool:
        """Sends the outbox (spooling it when aigovd is unreachable) and
        replays the spool; True when nothing is left undelivered."""
        self._last_send = time.monotonic()
        if self._profile is not None:
            self._outbox.extend(self._reports())
        if self._outbox:
            self._check_deployment()
        reachable = True
        while self._outbox:
            chunk = self._outbox[:_REPORTS_PER_CALL]
            if not self._send(chunk, "sent_reports"):
                self._spool(self._outbox)
                self._outbox = []
                reachable = False
                break
            del self._outbox[:len(chunk)]
        if reachable:
            reachable = self._replay()
        return reachable

    def _send(self, reports, counter) -> bool:
        """True when aigovd answered (each report accepted or refused)."""
        results = deliver(self.client, reports)
        if results is None:
            return False
        for r in results:
            if r.code == 0:
                self._count(counter, 1)
            else:
                self._count("refused_reports", 1)
                log.warning("aigov monitor: report %s refused: %s",
                            r.event_id, r.message)
        return True

    def _spool(self, reports):
        ok = Spool(self.spool_dir, self.max_spool_bytes).put(reports)
        self._count("spooled_reports" if ok else "dropped_reports",
                    len(reports))

    def _replay(self) -> bool:
        return Spool(self.spool_dir, self.max_spool_bytes).replay(
            lambda reports: self._send(reports, "replayed_reports"))


def deliver(client, reports):
    """Sends reports in one ReportWindowBatch; aigovd's results, or None
    when it could not be reached."""
    req = mon_pb2.ReportWindowBatchRequest(windows=reports)
    try:
        # The monitor's own thread may wait: up to 5 s for a channel that
        # is reconnecting (aigovd just came back) before spooling.
        return client.call(mon_grpc.MonitoringServiceStub,
                           "ReportWindowBatch", req, retries=0,
                           timeout=min(client.timeout, 5.0),
                           wait_for_ready=True).results
    except Exception as e:  # pylint: disable=broad-except
        log.warning("aigov: aigovd unreachable (%s)", e)
        return None


def _merge(parts, feature):
    """The parts of one feature's column, joined where that is cheap."""
    if isinstance(feature, _profile.NumericFeature) and len(parts) > 1:
        try:
            return [np.concatenate([np.asarray(p, dtype=np.float64).ravel()
                                    for p in parts])]
        except (TypeError, ValueError):
            return parts
    return parts


def _is_frame(batch) -> bool:
    return hasattr(batch, "columns") and hasattr(batch, "to_numpy") and \
        hasattr(batch, "iloc")


def _is_series(batch) -> bool:
    return hasattr(batch, "to_dict") and hasattr(batch, "index") and \
        not hasattr(batch, "columns") and not isinstance(batch, dict)


def _concat(frames):
    import pandas  # pylint: disable=import-outside-toplevel
    return pandas.concat(frames, ignore_index=True, copy=False)


def _rows(batch) -> int:
    try:
        return _profile.batch_rows(batch)
    except Exception:  # pylint: disable=broad-except
        return 1


def _after_fork_in_child():
    for m in list(_MONITORS):
        m._init_process_state()  # pylint: disable=protected-access


def _flush_all_at_exit():
    deadline = time.monotonic() + 5.0
    for m in list(_MONITORS):
        if m._pid == os.getpid() and m._thread is not None and \
                not m._closed:  # pylint: disable=protected-access
            m.flush(max(0.1, deadline - time.monotonic()))


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_flush_all_at_exit)
