"""`python3 -m aigov_agent`: the agent's calls for CI pipelines.

Exit status: 0 done, 1 aigovd refused the record or could not be reached,
2 a usage error; record-run exits with the wrapped command's status.
"""

import argparse
import json
import subprocess
import sys

from google.protobuf import json_format

from aigov_agent import client as _client
from aigov_agent import profile as _profile


def _print(args, what, sequence, extra=None):
    if args.json:
        print(json.dumps(dict(sequence=sequence, **(extra or {}))))
    else:
        print(f"{what} recorded (sequence {sequence})")


def _register_model(c, args):
    seq = c.register_model_version(
        args.model, args.version, system_id=args.system,
        artifact=args.artifact, parent_version=args.parent_version or "",
        training_datasets=args.training_dataset, code_ref=args.code_ref or "")
    _print(args, f"ModelVersion {args.model}@{args.version}", seq)
    return 0


def _record_dataset(c, args):
    seq = c.record_dataset(args.dataset, args.version, data=args.file,
                           licence=args.licence or "",
                           contains_personal_data=args.personal_data,
                           parents=args.parent)
    _print(args, f"DatasetVersion {args.dataset}@{args.version}", seq)
    return 0


def _record_run(c, args):
    command = args.command
    if not command:
        print("error: record-run: give the command after --", file=sys.stderr)
        return 2
    status = 0
    try:
        with c.record_run(args.job, job_namespace=args.namespace,
                          inputs=args.input, input_models=args.input_model,
                          outputs=args.output,
                          output_models=args.output_model) as run:
            status = subprocess.call(command)
            if status != 0:
                raise _CommandFailed(status)
    except _CommandFailed:
        pass
    what = "COMPLETE" if status == 0 else "FAIL"
    if args.json:
        print(json.dumps({"run_id": run.run_id,
                          "start_sequence": run.start_sequence,
                          "end_sequence": run.end_sequence,
                          "status": what, "exit_code": status}))
    else:
        print(f"run {run.run_id} of {args.job}: START (sequence "
              f"{run.start_sequence}), {what} (sequence {run.end_sequence})",
              file=sys.stderr)
    return status


class _CommandFailed(Exception):
    pass


def _profile_cmd(c, args):
    prof = _profile.ReferenceProfile.from_csv(
        args.csv, categorical=args.categorical, exclude=args.exclude,
        critical=args.critical, max_categories=args.max_categories,
        window_seconds=args.window)
    if args.out:
        prof.save(args.out)
    if args.upload:
        seq = c.put_reference_profile(args.model, args.version, prof)
        _print(args, f"ReferenceProfile {args.model}@{args.version}", seq,
               {"features": len(prof.features)})
        return 0
    doc = {"kind": "ReferenceProfile"}
    doc.update(json_format.MessageToDict(
        prof.to_proto(args.model, args.version),
        preserving_proto_field_name=True))
    print(json.dumps(doc, indent=2))
    return 0


def _replay(c, args):
    from aigov_agent.monitor import deliver  # noqa: cycles
    from aigov_agent.spool import Spool
    counts = {"replayed_reports": 0, "refused_reports": 0}

    def send(reports):
        results = deliver(c, reports)
        if results is None:
            return False
        for r in results:
            counts["refused_reports" if r.code else "replayed_reports"] += 1
        return True

    delivered = Spool(c.spool_dir).replay(send)
    if args.json:
        print(json.dumps(dict(counts, spool_empty=delivered)))
    else:
        print(f"{counts['replayed_reports']} spooled reports sent from "
              f"{c.spool_dir} ({counts['refused_reports']} refused)"
              + ("" if delivered else "; aigovd unreachable, the rest kept"))
    return 0 if delivered else 1


def _csv_list(text):
    return [t for t in text.split(",") if t]


def parser():
    p = argparse.ArgumentParser(
        prog="python3 -m aigov_agent",
        description="Record models, datasets, runs and reference profiles in "
        "aigovd's audit journal (for CI pipelines).",
        epilog="Exit status: 0 done, 1 refused or unreachable, 2 usage; "
        "record-run exits with the command's status.")
    p.add_argument("--target", help="aigovd host:port (AIGOV_TARGET, "
                   "default 127.0.0.1:7420)")
    p.add_argument("--json", action="store_true", help="print JSON")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    s = sub.add_parser("register-model", help="register a model version from "
                       "its artefact file")
    s.add_argument("model")
    s.add_argument("version")
    s.add_argument("--system", required=True, help="AI system id")
    s.add_argument("--artifact", required=True, help="file to hash")
    s.add_argument("--parent-version")
    s.add_argument("--training-dataset", action="append", default=[],
                   metavar="ID@VERSION")
    s.add_argument("--code-ref", help="e.g. git URL@commit")
    s.set_defaults(run=_register_model)

    s = sub.add_parser("record-dataset", help="record a dataset version from "
                       "its file")
    s.add_argument("dataset")
    s.add_argument("version")
    s.add_argument("--file", required=True, help="file to hash")
    s.add_argument("--licence")
    s.add_argument("--personal-data", action="store_true")
    s.add_argument("--parent", action="append", default=[],
                   metavar="ID@VERSION")
    s.set_defaults(run=_record_dataset)

    s = sub.add_parser("record-run", help="run a command as a lineage run: "
                       "START, then COMPLETE or FAIL by its exit status")
    s.add_argument("job")
    s.add_argument("--namespace", default="aigov")
    for flag in ("input", "output"):
        s.add_argument(f"--{flag}", action="append", default=[],
                       metavar="ID@VERSION", help=f"{flag} dataset")
        s.add_argument(f"--{flag}-model", action="append", default=[],
                       metavar="ID@VERSION", help=f"{flag} model version")
    s.set_defaults(run=_record_run)
    s.epilog = "The command to run follows --: record-run train -- make train"

    s = sub.add_parser("profile", help="compute a reference profile from a "
                       "CSV file (as aigovctl drift profile), print or upload "
                       "it")
    s.add_argument("model")
    s.add_argument("version")
    s.add_argument("--csv", required=True)
    s.add_argument("--categorical", type=_csv_list, default=[],
                   help="columns to bin as categories (a,b)")
    s.add_argument("--critical", type=_csv_list, default=[])
    s.add_argument("--exclude", type=_csv_list, default=[])
    s.add_argument("--max-categories", type=int,
                   default=_profile.DEFAULT_MAX_CATEGORIES)
    s.add_argument("--window", type=int, default=3600, help="seconds")
    s.add_argument("--out", help="also save it (JSON) for Monitor(profile=)")
    s.add_argument("--upload", action="store_true",
                   help="record it in aigovd")
    s.set_defaults(run=_profile_cmd)

    s = sub.add_parser("replay", help="send the reports the spool holds")
    s.set_defaults(run=_replay)
    return p


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    command = []
    if "--" in argv:
        command = argv[argv.index("--") + 1:]
        argv = argv[:argv.index("--")]
    args = parser().parse_args(argv)
    args.command = command
    c = _client.Client(args.target)
    try:
        return args.run(c, args)
    except _client.AigovError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2 if isinstance(e, ValueError) else 1
    finally:
        c.close()
