"""Fixtures: a real aigovd on loopback with its own data directory.

The binaries come from AIGOV_BUILD_DIR (default build/dev, as ./scripts/test
builds it). Nothing here fakes aigovd.
"""

import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "agents" / "python"))
BUILD = pathlib.Path(os.environ.get("AIGOV_BUILD_DIR", ROOT / "build" / "dev"))
AIGOVD = BUILD / "daemon" / "aigovd"
# The real daemon on a clock moved through its stdin (test builds only).
AIGOVD_CONTROLLED = BUILD / "daemon" / "aigovd-controlled-clock"
AIGOVCTL = BUILD / "agents" / "cli" / "aigovctl"
READY = re.compile(r'"msg":"aigovd ready".*"grpc_port":(\d+),"http_port":(\d+)')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Aigovd:
    """One aigovd process over `data_dir`; start() again after stop() reuses
    the data directory and the gRPC port."""

    def __init__(self, data_dir, grpc_port=0, extra=(), clock_start=None):
        self.data_dir = pathlib.Path(data_dir)
        self.grpc_port = grpc_port
        self.http_port = 0
        self.extra = list(extra)
        # Unix seconds the controlled clock starts at; None: the real one.
        self.clock_start = clock_start
        self.proc = None
        self.log_path = self.data_dir.parent / (self.data_dir.name + ".log")

    @property
    def target(self):
        return f"127.0.0.1:{self.grpc_port}"

    def start(self, timeout=60):
        assert AIGOVD.exists(), f"{AIGOVD} missing: build first (./scripts/test)"
        log = open(self.log_path, "ab")
        offset = log.tell()
        controlled = self.clock_start is not None
        argv = [str(AIGOVD_CONTROLLED if controlled else AIGOVD),
                f"--data_dir={self.data_dir}",
                f"--grpc_listen=127.0.0.1:{self.grpc_port}",
                "--http_listen=127.0.0.1:0", *self.extra]
        if controlled:
            argv.append(f"--controlled_clock_start={int(self.clock_start)}")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if controlled else subprocess.DEVNULL,
            stdout=subprocess.PIPE if controlled else subprocess.DEVNULL,
            stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                m = READY.search(f.read().decode(errors="replace"))
            if m:
                self.grpc_port, self.http_port = int(m[1]), int(m[2])
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"aigovd exited {self.proc.returncode}: "
                                   f"{self.log_path.read_text()[-2000:]}")
            time.sleep(0.02)
        raise RuntimeError("aigovd did not become ready")

    def advance(self, seconds):
        """Moves the controlled clock; returns its new unix seconds once
        every periodic component has done its round."""
        self.proc.stdin.write(f"advance {int(seconds)}\n".encode())
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().decode()
        assert answer.startswith("now "), answer
        return int(answer.split()[1])

    def metrics(self):
        import urllib.request  # pylint: disable=import-outside-toplevel
        with urllib.request.urlopen(
                f"http://127.0.0.1:{self.http_port}/metrics", timeout=10) as r:
            return r.read().decode()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)
        self.proc = None


@pytest.fixture
def aigovd(tmp_path):
    d = Aigovd(tmp_path / "data").start()
    yield d
    d.stop()


@pytest.fixture
def client(aigovd, tmp_path):
    import aigov_agent
    c = aigov_agent.Client(aigovd.target, spool_dir=str(tmp_path / "spool"),
                           timeout=10, retries=1)
    yield c
    c.close()


def ctl(*args, check=True, **kw):
    """Runs aigovctl; returns the CompletedProcess (text)."""
    r = subprocess.run([str(AIGOVCTL), *map(str, args)], capture_output=True,
                       text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"aigovctl {' '.join(map(str, args))}: "
                             f"{r.returncode}\n{r.stdout}\n{r.stderr}")
    return r
