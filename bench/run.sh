#!/usr/bin/env bash
# Comparative benchmark: opsbook against Hugo, mdBook and MkDocs on the same generated pages.
#
#   bench/run.sh                      # N = 100, 1,000 and 10,000
#   SIZES="100 1000 5000 10000" RUNS=5 bench/run.sh
#   SIZES=5000 SKIP="mdbook mkdocs" APPEND=1 bench/run.sh   # add one N to the last run
#
# For each N it generates one organisation (bench corpus, seed 7) with `gen-corpus --peers`,
# so every tool renders the same Markdown, then times each tool's full build in alternation
# (opsbook, Hugo, mdBook, MkDocs, opsbook, ...) so that the load of this shared machine falls on
# all of them alike, plus opsbook's `check` alone and its no-op rebuild. At N = 1,000 it also
# times `opsbook serve` from a save to the reload (bench/serve-latency.py). Every raw
# measurement goes to $WORK/times.tsv and bench/report.py turns them into bench/RESULTS.md.
#
# Not run by CI: it installs tools and takes tens of minutes on a noisy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=${SIZES:-"100 1000 10000"}
runs=${RUNS:-5}
# Builds of 5,000 services and more take tens of seconds each; fewer runs keep the total sane.
big_runs=${BIG_RUNS:-3}
# A tool whose build takes longer than this (seconds) gets only $big_runs runs at that N.
slow=${SLOW:-60}
# A build that takes longer than this is stopped, and that tool is not run at larger N:
# mdBook and MkDocs put the whole navigation in every page, so they grow quadratically.
limit=${TIMEOUT:-300}
# Sources and outputs of every tool live here, on the same disk (the root file system; not
# tmpfs, so that writing the site counts as it would for a user).
work=${WORK:-/tmp/opsbook-peers}
venv=bench/.venv
today=2026-11-28

# --- Tools: install what is missing, from the registries -------------------------------
need_apt() { # package: apt-get install it (as root, or through sudo when there is one)
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$1"
}
[ -x /usr/bin/time ] || need_apt time # GNU time: it reports peak RSS, bash's `time` does not
command -v hugo >/dev/null || need_apt hugo
export PATH="$HOME/.cargo/bin:$PATH"
command -v mdbook >/dev/null || cargo install mdbook --locked
[ -x "$venv/bin/mkdocs" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q mkdocs; }
mkdocs="$venv/bin/mkdocs"

cargo build --release --quiet
cargo build --release --quiet --example gen-corpus
opsbook=target/release/opsbook

mkdir -p "$work"
times="$work/times.tsv"

# Every build writes into a new folder, and the outputs are deleted only when the run ends:
# on a file system without a journal (this machine's root is one), ext4 will not reuse an
# inode freed in the last 60 s (300 s while its block is unwritten), and each new file then
# costs a walk past every recently freed one. Deleting the last build's output right before
# a build tripled that build's system time (opsbook at 1,000 services: 0.3 s in a quiet
# folder, 0.9 to 3.1 s after deleting its last output, growing with each round; Hugo 0.6 to
# 1.7 s), which measured the order of deletions rather than the tools.
outputs="$work/outputs"
fresh_outputs() {
  [ -d "$outputs" ] || return 0
  rm -rf "$outputs"
  sync
  sleep 61
}
fresh_outputs
mkdir -p "$outputs"
# APPEND=1 keeps the measurements (and the machine facts) of the last run and adds to them.
if [ -n "${APPEND:-}" ] && [ -f "$times" ]; then
  echo "adding to $times"
  echo "added=N = $sizes on $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/meta.env"
else
  printf 'tool\tservices\trun\twall_s\tcpu_s\trss_kb\tpages\tstatus\n' >"$times"
  write_meta=yes
fi

# Facts for the report: the machine, the versions, the date.
[ -z "${write_meta:-}" ] || {
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "nproc=$(nproc)"
  echo "memory=$(free -g | awk '/^Mem:/ {print $2}') GiB"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "opsbook=$($opsbook --version) ($(git rev-parse --short HEAD))"
  echo "hugo=$(hugo version | cut -d' ' -f1-2)"
  echo "mdbook=$(mdbook --version)"
  echo "mkdocs=mkdocs $("$mkdocs" --version | awk '{print $3}')"
  echo "work=$work ($(df --output=source "$work" | tail -1))"
  echo "runs=$runs"
  echo "big_runs=$big_runs"
  echo "timeout=$limit"
  echo "slow=$slow"
} >"$work/meta.env"

# The command line of one build of TOOL at N into OUT.
command_for() {
  local tool=$1 n=$2 out=$3
  case $tool in
  opsbook | opsbook-noop) echo "$opsbook build $work/org$n -o $out --today $today" ;;
  opsbook-check) echo "$opsbook check $work/org$n --today $today" ;;
  hugo) echo "hugo --quiet -s $work/peers$n/hugo -d $out" ;;
  mdbook) echo "mdbook build $work/peers$n/mdbook -d $out" ;;
  mkdocs) echo "$mkdocs build --quiet -f $work/peers$n/mkdocs/mkdocs.yml -d $out" ;;
  esac
}

# Runs one build under GNU time and appends its wall, CPU (user+sys) and peak RSS to $times.
# Returns 1 if the build ran out of time.
measure() {
  local tool=$1 n=$2 run=$3
  # A full build writes a folder of its own; the no-op rebuild reuses opsbook's. Nothing is
  # deleted until the run ends (see `fresh_outputs`).
  local out="$outputs/${tool%-noop}-$n-$run"
  local stats="$work/time.txt" status=ok
  # shellcheck disable=SC2046 # the command line is split into words on purpose
  /usr/bin/time -o "$stats" -f '%e %U %S %M' timeout "$limit" $(command_for "$tool" "$n" "$out") \
    >"$work/log-$tool-$n.txt" 2>&1 || status=$?
  # `check` exits 1 when some service is below its required level, as generated ones are.
  [ "$tool:$status" != opsbook-check:1 ] || status=ok
  case $status in
  ok) ;;
  124) status=timeout ;;
  *) echo "$tool failed at N=$n (exit $status), see $work/log-$tool-$n.txt" >&2; exit 1 ;;
  esac
  local pages=0
  [ -d "$out" ] && pages=$(find "$out" -name '*.html' | wc -l)
  # The last line: GNU time puts "Command exited with non-zero status" first when there is one.
  read -r wall user sys rss < <(tail -1 "$stats")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$run" "$wall" \
    "$(awk "BEGIN {print $user + $sys}")" "$rss" "$pages" "$status" >>"$times"
  echo "  $tool N=$n run $run: ${wall}s ($status)"
  last_wall[$tool]=$wall
  [ "$status" = ok ]
}

# opsbook's no-op rebuild is not in the list: it runs right after each opsbook build.
tools=(opsbook opsbook-check hugo mdbook mkdocs)
declare -A dropped=()   # tools that ran out of time at a smaller N
declare -A last_wall=() # each tool's last wall time, to spare slow tools some runs
for tool in ${SKIP:-}; do dropped[$tool]=skipped; done

for n in $sizes; do
  echo "N = $n"
  [ -d "$work/org$n" ] || target/release/examples/gen-corpus --services "$n" --seed 7 \
    --out "$work/org$n" --peers "$work/peers$n"
  rounds=$runs
  [ "$n" -lt 5000 ] || rounds=$big_runs
  for run in $(seq "$rounds"); do
    # Each round runs every tool once; the order turns by one each round, so that no tool
    # always follows the same one (the no-op rebuild always follows opsbook's build).
    turn=$(((run - 1) % ${#tools[@]}))
    order=("${tools[@]:turn}" "${tools[@]:0:turn}")
    for tool in "${order[@]}"; do
      [ -z "${dropped[$tool]:-}" ] || continue
      if [ "$run" -gt "$big_runs" ] && awk "BEGIN {exit !(${last_wall[$tool]:-0} > $slow)}"; then
        continue
      fi
      if ! measure "$tool" "$n" "$run"; then
        dropped[$tool]=$n
        continue
      fi
      if [ "$tool" = opsbook ]; then measure opsbook-noop "$n" "$run" || dropped[opsbook-noop]=$n; fi
    done
  done
  if [ "$n" -eq 1000 ]; then
    # Three sessions of nine saves; the report takes the median of their medians.
    for session in 1 2 3; do
      ms=$(python3 bench/serve-latency.py "$work/org$n" --opsbook "$opsbook" --saves 9 |
        awk '/^median/ {print $2}')
      printf 'opsbook-serve\t%s\t%s\t%s\t\t\t\tok\n' "$n" "$session" "$(awk "BEGIN {print $ms / 1000}")" >>"$times"
      echo "  serve N=$n session $session: ${ms} ms"
    done
  fi
done

python3 bench/report.py "$work" >bench/RESULTS.md
echo "wrote bench/RESULTS.md"
rm -rf "$outputs"
