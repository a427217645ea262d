#!/usr/bin/env bash
# Long fuzzing runs (`make fuzz`): every libFuzzer target in BUILD for SECONDS, JOBS at a time.
# Each starts from its seeds, the inputs kept from earlier runs (fuzz/coverage/, unpacked into
# BUILD/fuzz/coverage/) and its regression inputs. New inputs go to BUILD/fuzz/scratch/<target>
# (`make fuzz-merge` keeps what they add), crashing inputs to BUILD/fuzz/crashes/, logs to
# BUILD/fuzz/logs/. Exits non-zero if any target crashed or broke a property.
# Usage: scripts/fuzz.sh BUILD SECONDS JOBS
set -euo pipefail
build=$(cd "$1" && pwd) seconds=$2 jobs=$3
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz/logs" "$build/fuzz/crashes"

run_one() {
  local t=$1 dirs=("$root/fuzz/corpus/$1")
  [ -d "$build/fuzz/coverage/$t" ] && dirs+=("$build/fuzz/coverage/$t")
  [ -d "$root/fuzz/regressions/$t" ] && dirs+=("$root/fuzz/regressions/$t")
  mkdir -p "$build/fuzz/scratch/$t"
  if "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$build/fuzz/crashes/$t-" \
       "$build/fuzz/scratch/$t" "${dirs[@]}" >"$build/fuzz/logs/$t.log" 2>&1; then
    echo "fuzz $t: ok, $(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/fuzz/logs/$t.log" |
      grep -o '[0-9]*$') runs, corpus $(ls "$build/fuzz/scratch/$t" | wc -l) new inputs"
  else
    echo "fuzz $t: FAILED, see $build/fuzz/logs/$t.log and $build/fuzz/crashes/" >&2
    return 1
  fi
}
export -f run_one
export build seconds root

ls "$root/fuzz/"*_fuzz.cc | xargs -n1 basename | sed 's/_fuzz\.cc$//' |
  xargs -P "$jobs" -I{} bash -c 'run_one {}'
