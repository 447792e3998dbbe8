#!/usr/bin/env bash
# The fork drill: proves that a behaviour change in wasmtime shows up where
# the README says it will. It copies the pinned wasmtime crate out of cargo's
# registry into target/drill/, makes it report one trap as another (dropping
# an unresolved subtask traps as `waitable-set-drop-has-waiters` instead of
# `subtask-drop-not-resolved`), points the workspace at the copy with
# [patch.crates-io], runs the suite with --report, restores Cargo.toml and
# Cargo.lock (always, also on failure or Ctrl-C), and checks that
# `harness compare` flags exactly the cases that expect that trap. Then it
# builds the results page from both reports.
#
#   bench/fork-drill.sh        # on demand, not in CI: rebuilds wasmtime
#
# Output: target/drill/{main,fork}.json, target/drill/compare.txt,
# target/drill/page/index.html.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
drill=target/drill
mkdir -p "$drill"

# The cases that expect the trap the change rewrites; the drill fails unless
# compare flags these and nothing else.
expected="traps/subtask-drop-resolved-but-not-delivered
traps/subtask-drop-unresolved"

version=$(awk '/^name = "wasmtime"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
source_dir=$(ls -d "$registry"/*/"wasmtime-$version" 2>/dev/null | head -1)
if [ -z "$source_dir" ]; then
  echo "wasmtime $version is not in $registry; run \`cargo fetch\` first" >&2
  exit 1
fi

echo "== baseline: the suite on wasmtime $version from crates.io"
cargo build -q --bin harness
target/debug/harness run --report "$drill/main.json" >"$drill/main.log" 2>&1 || true
tail -1 "$drill/main.log"

echo "== patching a copy of $source_dir"
copy="$drill/wasmtime-$version"
rm -rf "$copy"
# -p keeps the registry's timestamps, and the edited file gets the original's
# back, so a second drill finds the patched build up to date.
cp -rp "$source_dir" "$copy"
file="$copy/src/runtime/component/concurrent.rs"
count=$(grep -c 'bail!(Trap::SubtaskDropNotResolved)' "$file" || true)
if [ "$count" -eq 0 ]; then
  echo "$file: no \`bail!(Trap::SubtaskDropNotResolved)\` to rewrite; update the drill for this wasmtime" >&2
  exit 1
fi
sed -i 's/bail!(Trap::SubtaskDropNotResolved)/bail!(Trap::WaitableSetDropHasWaiters)/' "$file"
touch -r "$source_dir/src/runtime/component/concurrent.rs" "$file"
echo "rewrote $count trap sites in src/runtime/component/concurrent.rs"

cp Cargo.toml "$drill/Cargo.toml.orig"
cp Cargo.lock "$drill/Cargo.lock.orig"
restore() {
  cp "$drill/Cargo.toml.orig" Cargo.toml
  cp "$drill/Cargo.lock.orig" Cargo.lock
  echo "== restored Cargo.toml and Cargo.lock"
}
trap restore EXIT
# A path dependency inside the workspace's folder would become a member
# (built without the dependencies' opt-level): keep target/ out.
grep -q '^exclude = \[' Cargo.toml || { echo "Cargo.toml has no \`exclude = [\` line to extend" >&2; exit 1; }
sed -i 's/^exclude = \[/exclude = ["target", /' Cargo.toml
printf '\n[patch.crates-io]\nwasmtime = { path = "%s" }\n' "$copy" >>Cargo.toml

echo "== the suite on the patched copy (rebuilds wasmtime and what depends on it)"
build_start=$(date +%s)
cargo build -q --bin harness
echo "patched build: $(($(date +%s) - build_start)) s"
target/debug/harness run --report "$drill/fork.json" >"$drill/fork.log" 2>&1 || true
tail -1 "$drill/fork.log"
grep -q '"source": "path"' "$drill/fork.json" || {
  echo "the fork report does not record a path source for wasmtime: the patch was not used" >&2
  exit 1
}

restore
trap - EXIT
# The harness binary is rebuilt unpatched for compare and page.
cargo build -q --bin harness

echo "== compare"
status=0
target/debug/harness compare "$drill/main.json" "$drill/fork.json" >"$drill/compare.txt" || status=$?
cat "$drill/compare.txt"
flagged=$(awk '/^regressions \(/ { on = 1; next } on && /^  / { sub(/^  /, ""); sub(/: .*/, ""); print; next } { on = 0 }' \
  "$drill/compare.txt" | sort)
if [ "$status" -ne 1 ] || [ "$flagged" != "$(echo "$expected" | sort)" ]; then
  echo "drill FAILED: compare exited $status and flagged:" >&2
  echo "${flagged:-(nothing)}" >&2
  echo "expected exactly:" >&2
  echo "$expected" >&2
  exit 1
fi

target/debug/harness page "$drill/main.json" "$drill/fork.json" -o "$drill/page"
echo "drill passed: compare flagged exactly the $(echo "$expected" | wc -l) expected cases in $(($(date +%s) - start)) s"
