#!/usr/bin/env bash
# Runs the suite as N nextest shards (`--partition count:K/N`, default N=2)
# with the `ci` profile, then checks from the shards' JUnit reports that
# together they ran every test exactly once: the union is the full list and
# no test appears in two shards. Exits non-zero otherwise.
#
#   bench/partition-check.sh [N]
set -euo pipefail
n="${1:-2}"
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo nextest list --message-format oneline 2>/dev/null | sort >"$work/all"
echo "full list: $(wc -l <"$work/all") tests"

junit="$target/nextest/ci/junit.xml"
for k in $(seq 1 "$n"); do
  rm -f "$junit"
  # A failing test must not stop the check: the report still lists it.
  cargo nextest run --profile ci --partition "count:$k/$n" >"$work/shard-$k.log" 2>&1 || true
  if [ ! -f "$junit" ]; then
    echo "shard $k/$n wrote no JUnit report; its output:"; cat "$work/shard-$k.log"; exit 1
  fi
  # Each testcase element carries classname (the binary) and name (the case).
  grep -o '<testcase name="[^"]*" classname="[^"]*"' "$junit" \
    | sed -E 's/<testcase name="([^"]*)" classname="([^"]*)"/\2 \1/' | sort >"$work/ran-$k"
  echo "shard $k/$n: ran $(wc -l <"$work/ran-$k") tests ($(grep -o 'Summary.*' "$work/shard-$k.log" | tail -1))"
done

sort "$work"/ran-* >"$work/ran-all"
twice="$(uniq -d "$work/ran-all")"
missing="$(comm -23 "$work/all" <(sort -u "$work/ran-all"))"
extra="$(comm -13 "$work/all" <(sort -u "$work/ran-all"))"
status=0
if [ -n "$twice" ]; then echo "run in more than one shard:"; echo "$twice"; status=1; fi
if [ -n "$missing" ]; then echo "run by no shard:"; echo "$missing"; status=1; fi
if [ -n "$extra" ]; then echo "run but not in the full list:"; echo "$extra"; status=1; fi
if [ "$status" = 0 ]; then
  echo "ok: the $n shards ran $(wc -l <"$work/ran-all") tests, each of the $(wc -l <"$work/all") exactly once"
fi
exit "$status"
