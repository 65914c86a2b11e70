#!/usr/bin/env bash
# Times opsbook's full build (with every diagram) and `check` (no diagrams) on generated
# organisations of 100, 1,000 and 10,000 services, and layout-rs's cost per graph size.
# Prints medians of several runs. Not run by CI: these machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
work=${WORK:-/tmp/opsbook-bench}
cargo build --release --quiet --example gen-corpus --example layout-cost
cargo build --release --quiet
mkdir -p "$work"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

timed() { # prints wall seconds and peak RSS (KB) of a command
  /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1
}

echo "| services | pages | build median (s) | build peak RSS (MB) | check median (s) |"
echo "|---:|---:|---:|---:|---:|"
for n in 100 1000 10000; do
  book="$work/org$n"
  [ -d "$book" ] || target/release/examples/gen-corpus --services "$n" --seed 7 --out "$book"
  builds=(); rss=(); checks=()
  for _ in $(seq "$runs"); do
    read -r wall peak < <(timed target/release/opsbook build "$book" -o "$work/site$n" --today 2026-11-28)
    builds+=("$wall"); rss+=("$peak")
    read -r wall _ < <(timed target/release/opsbook check "$book" --today 2026-11-28)
    checks+=("$wall")
  done
  pages=$(find "$work/site$n" -name '*.html' | wc -l)
  echo "| $n | $pages | $(printf '%s\n' "${builds[@]}" | median) | $(( $(printf '%s\n' "${rss[@]}" | median) / 1024 )) | $(printf '%s\n' "${checks[@]}" | median) |"
done
echo
target/release/examples/layout-cost
