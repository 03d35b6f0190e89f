"""The disk spool: window reports aigovd did not take, kept until it does.

Each file `<dir>/<ns>-<pid>-<uuid>.batch` holds one ReportWindowBatchRequest;
it is written under a temporary name, fsynced and renamed, so a reader never
sees half a file. A sender claims a file by renaming it to
`<name>.claim-<pid>` (one process wins the rename); the claims of processes
that died are taken back. Reports keep their event ids, and aigovd records
an event id once, so a file sent twice (a lost answer) counts once.

Thread-compatible (one Spool per thread); safe between processes.
"""

import logging
import os
import re
import time
import uuid

from aigov_agent._pb.aigov.v1 import monitoring_service_pb2 as mon_pb2

log = logging.getLogger("aigov_agent")
_CLAIM = re.compile(r"(.+\.batch)\.claim-(\d+)\Z")


class Spool:
    """A spool directory holding at most `max_bytes` (created on first put)."""

    def __init__(self, directory: str, max_bytes: int = 64 << 20):
        self.directory = directory
        self.max_bytes = max_bytes

    def put(self, reports) -> bool:
        """Writes `reports` (ReportWindowsRequest) durably; False when they
        were dropped (the spool is full or cannot be written)."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            data = mon_pb2.ReportWindowBatchRequest(
                windows=reports).SerializeToString()
            if _dir_bytes(self.directory) + len(data) > self.max_bytes:
                log.error("aigov spool %s full, %d reports dropped",
                          self.directory, len(reports))
                return False
            name = f"{time.time_ns():020d}-{os.getpid()}-{uuid.uuid4().hex}"
            tmp = os.path.join(self.directory, f".{name}.tmp")
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, os.path.join(self.directory, name + ".batch"))
            return True
        except OSError as e:
            log.error("aigov spool: cannot write to %s: %s", self.directory, e)
            return False

    def replay(self, send) -> bool:
        """Hands each spooled batch, oldest first, to `send(reports)`, which
        answers whether aigovd answered; a batch it answered is removed.
        Stops at the first that was not; True when the spool is empty."""
        try:
            names = sorted(os.listdir(self.directory))
        except FileNotFoundError:
            return True
        for name in names:
            path = os.path.join(self.directory, name)
            claim = _CLAIM.match(name)
            if claim:
                if _alive(int(claim.group(2))):
                    continue
                original = os.path.join(self.directory, claim.group(1))
                try:
                    os.replace(path, original)
                except OSError:
                    continue
                path = original
            elif not name.endswith(".batch"):
                continue
            claimed = f"{path}.claim-{os.getpid()}"
            try:
                os.rename(path, claimed)
            except OSError:
                continue  # another process took it
            try:
                with open(claimed, "rb") as f:
                    req = mon_pb2.ReportWindowBatchRequest.FromString(f.read())
            except Exception:  # pylint: disable=broad-except
                log.error("aigov spool: unreadable file %s, removed", claimed)
                os.remove(claimed)
                continue
            if not send(list(req.windows)):
                os.replace(claimed, path)
                return False
            os.remove(claimed)
        return True


def _dir_bytes(path) -> int:
    total = 0
    with os.scandir(path) as it:
        for e in it:
            try:
                total += e.stat().st_size
            except OSError:
                pass
    return total


def _alive(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
