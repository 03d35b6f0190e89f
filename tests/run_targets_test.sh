#!/usr/bin/env bash
# ./scripts/run builds only what running needs: configures a fresh build
# tree as the dev preset does, lists every command that building
# scripts/run's targets runs (nothing is built), and fails if any step compiles
# or links a test, a benchmark or a fuzzer, or if aigovd, aigovctl or the
# agent's stubs are missing from the plan. Prints the plan's size beside
# the whole build's.
#
# Usage: run_targets_test.sh SOURCE_DIR
set -euo pipefail
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t targets < <("$src/scripts/run" --print-targets)
[[ ${#targets[@]} -gt 0 ]] || { echo "scripts/run --print-targets printed nothing" >&2; exit 1; }
cmake --preset dev -S "$src" -B "$tmp/build" >/dev/null
# Every command that building the targets from scratch runs (ninja -n would
# stop at the glob check that re-runs CMake).
plan=$(ninja -C "$tmp/build" -t commands "${targets[@]}")
steps=$(wc -l <<<"$plan")
whole=$(ninja -C "$tmp/build" -t commands | wc -l)

fail=0
if grep -E -- '_test\.cc|_bench\.cc|_fuzzer\.cc|-o [^ ]*(_test|_bench|_fuzzer)( |$)|/tests/(integration|bench|fuzz)/' <<<"$plan"; then
  echo "the commands above build a test, benchmark or fuzzer" >&2
  fail=1
fi
for want in '-o daemon/aigovd ' '-o agents/cli/aigovctl ' 'gen_stubs.py'; do
  grep -qF -- "$want" <<<"$plan" || { echo "no command builds: $want" >&2; fail=1; }
done
echo "scripts/run builds ${targets[*]}: $steps of the dev preset's $whole build commands"
exit $fail
