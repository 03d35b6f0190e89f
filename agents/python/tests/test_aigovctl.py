"""aigovctl is complete and consistent: every command has --help ending with
the exit statuses, prints JSON on request, and shows progress on a terminal
only."""

import base64
import json
import os
import pty
import re
import subprocess

from conftest import AIGOVCTL, ctl


def leaves(path=()):
    """Every command path, from the --help listings."""
    text = ctl(*path, "--help").stdout
    subs = re.findall(r"^  ([a-z][a-z0-9-]*) {2,}", text.split(
        "Subcommands:")[1], re.MULTILINE) if "Subcommands:" in text else []
    if not subs:
        return [(path, text)]
    out = []
    for s in subs:
        out += leaves(path + (s,))
    return out


def test_every_command_has_help_exit_codes_and_json():
    commands = leaves()
    names = {" ".join(p) for p, _ in commands}
    assert {"apply", "journal verify", "journal export", "drift profile",
            "compliance report"} <= names, names
    for path, text in commands:
        assert "Exit status: 0 success" in text, path
        # Data comes as JSON on request: --json, or --format json, or (drift
        # profile) always.
        assert "--json" in text or re.search(
            r"--format .*json|printed as JSON", text, re.DOTALL), path


def on_a_terminal(args, stdout_tty):
    """Runs aigovctl with stderr (and maybe stdout) on a pseudo-terminal;
    returns (exit status, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    out_r, out_w = os.pipe()
    proc = subprocess.Popen([str(AIGOVCTL), *map(str, args)],
                            stdout=slave if stdout_tty else out_w,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    os.close(out_w)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    status = proc.wait()
    with os.fdopen(out_r, "rb") as f:
        out = f.read()
    os.close(master)
    return status, out.decode(), shown.decode(errors="replace")


def test_json_outputs_and_progress(aigovd, tmp_path):
    t = aigovd.target
    docs = tmp_path / "docs.yaml"
    docs.write_text("".join(
        f"---\nkind: AiSystem\nsystem_id: s{i}\nname: System {i}\n"
        for i in range(30)) + "---\nkind: ModelVersion\nmodel_id: m\n"
        "version: '1'\nsystem_id: s0\nartifact_sha256: xyz\n")
    r = ctl("apply", "-f", docs, "--json", "--target", t, check=False)
    assert r.returncode == 1
    results = json.loads(r.stdout)
    assert [x["result"] for x in results] == ["created"] * 30 + ["failed"]
    assert results[0]["sequence"] == 0 and results[0]["kind"] == "AiSystem"
    assert "model_version.artifact_sha256" in results[-1]["error"]
    # Again, piped: nothing new, and no progress on a pipe.
    docs.write_text(docs.read_text().rsplit("---\nkind: ModelVersion", 1)[0])
    r = ctl("apply", "-f", docs, "--json", "--target", t)
    assert {x["result"] for x in json.loads(r.stdout)} == {"unchanged"}
    assert "applying" not in r.stderr
    # stdout piped, stderr a terminal: progress there.
    status, out, shown = on_a_terminal(["apply", "-f", docs, "--target", t],
                                       stdout_tty=False)
    assert status == 0 and out.count("unchanged") == 30
    assert "applying: 30 / 30 documents" in shown

    key = json.loads(ctl("journal", "public-key", "--json", "--target",
                         t).stdout)["public_key"]
    assert re.fullmatch(r"[^+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*", key), key
    bundle = tmp_path / "bundle"
    exported = json.loads(ctl("journal", "export", "--out", bundle, "--json",
                              "--target", t).stdout)
    assert exported["entries"] == exported["tree_size"] >= 30
    r = ctl("journal", "export", "--out", tmp_path / "b2", "--target", t)
    assert "exporting" not in r.stderr  # a pipe: quiet
    status, _, shown = on_a_terminal(["journal", "export", "--out",
                                      tmp_path / "b3", "--target", t],
                                     stdout_tty=True)
    assert status == 0 and "exporting: " in shown

    verified = json.loads(ctl("journal", "verify", bundle, "--key", key,
                              "--json").stdout)
    assert verified["verified"] and verified["tree_size"] == \
        exported["tree_size"] and len(verified["root_hash"]) == 64
    lines = (bundle / "entries.jsonl").read_text().splitlines()
    line = json.loads(lines[3])
    raw = bytearray(base64.b64decode(line["entry_b64"]))
    raw[-1] ^= 1  # one bit of one entry
    line["entry_b64"] = base64.b64encode(bytes(raw)).decode()
    lines[3] = json.dumps(line)
    (bundle / "entries.jsonl").write_text("\n".join(lines) + "\n")
    r = ctl("journal", "verify", bundle, "--json", check=False)
    assert r.returncode == 1
    failed = json.loads(r.stdout)
    assert failed["verified"] is False and "3" in failed["error"]

    erased = json.loads(ctl("journal", "erase-subject", "--subject",
                            "nobody@example.org", "--json", "--target",
                            t).stdout)
    assert erased["key_existed"] is False and erased["sequence"] > 0
    # A usage error is 2, whatever the command.
    assert ctl("journal", "verify", check=False).returncode == 2
    assert ctl("drift", "profile", "--csv", "x.csv", check=False
               ).returncode == 2
