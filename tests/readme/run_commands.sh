#!/usr/bin/env bash
# Runs the shell blocks of the documentation that are marked runnable, so every such command
# is one that works. A block is runnable when its info string is `sh`, `bash` or `shell`
# followed by the word `runnable` (GitHub still highlights it as shell):
#
#   ```sh runnable
#   build/justifi-mcp --version
#   ```
#
# An optional `timeout=SECONDS` word changes the block's deadline (default 60 s).
# Each block runs as one script, `bash -euo pipefail`, from the repository root (so `build/...`
# is the build directory), with stdin from /dev/null, a minimal environment (PATH, HOME, USER,
# LANG, TMPDIR: no MCP_*/JUSTIFI_* settings leak in) and, where Linux namespaces allow it, in a private
# network namespace with only loopback: fixed ports such as 8080 are always free and nothing
# reaches the internet. A block may start servers in the background (`cmd &`); whatever it
# leaves running is terminated when it ends. A block passes when it exits 0 in time.
# `make test`, `make run` and `ctest` are refused (recursion, or no end).
#
# Documents: README.md, docs/*.md and the README.md of each top-level folder.
#
#   tests/readme/run_commands.sh REPO_ROOT BUILD_DIR
set -euo pipefail

repo=$(cd "${1:?usage: run_commands.sh REPO_ROOT BUILD_DIR}" && pwd -P)
build=$(cd "${2:?usage: run_commands.sh REPO_ROOT BUILD_DIR}" && pwd -P)
default_timeout=60

tmp=$(mktemp -d)
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# The working directory: the repository itself when BUILD_DIR is its build/, else a directory
# of symlinks to the repository's entries with build -> BUILD_DIR.
workdir=$repo
if [[ $(cd "$repo/build" 2>/dev/null && pwd -P) != "$build" ]]; then
  workdir="$tmp/root"
  mkdir "$workdir"
  for entry in "$repo"/* "$repo"/.[!.]*; do
    [[ -e $entry || -L $entry ]] || continue
    [[ $(basename "$entry") == build ]] && continue
    ln -s "$entry" "$workdir/$(basename "$entry")"
  done
  ln -s "$build" "$workdir/build"
  echo "note: build/ is $build (via a symlink in $workdir)"
fi

# A private network namespace per block, when this machine allows one and can bring up its
# loopback interface; otherwise the host's network.
netns=()
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
  for candidate in "unshare -n" "unshare -rn"; do
    read -ra try <<<"$candidate"
    if "${try[@]}" -- ip link set lo up >/dev/null 2>&1; then
      netns=("${try[@]}" --)
      break
    fi
  done
fi
if ((${#netns[@]})); then
  echo "note: each block runs in a private network namespace (${netns[*]})"
else
  echo "note: no private network namespace here (unshare or ip missing, or not permitted): blocks use the host's network, so the ports they name must be free"
fi

# Extracts the runnable blocks of one document into $tmp/blocks/N.sh and appends
# "N<US>doc:line<US>timeout<US>first command line" to $tmp/index.
extract() {
  awk -v dir="$tmp/blocks" -v doc="$1" -v deftimeout="$default_timeout" -v start="$2" '
    function lead(s,   n) { n = 0; while (substr(s, n + 1, 1) == " ") n++; return n }
    function run(s, c,   n) { n = 0; while (substr(s, n + 1, 1) == c) n++; return n }
    BEGIN { n = start; infence = 0 }
    !infence {
      ind = lead($0); rest = substr($0, ind + 1); ch = substr(rest, 1, 1)
      if ((ch == "`" || ch == "~") && run(rest, ch) >= 3) {
        infence = 1; fch = ch; flen = run(rest, ch); findent = ind
        info = substr(rest, flen + 1)
        nw = split(info, w, /[ \t]+/)
        first = ""; runnable = 0; t = deftimeout
        for (i = 1; i <= nw; i++) {
          if (w[i] == "") continue
          if (first == "") { first = w[i]; continue }
          if (w[i] == "runnable") runnable = 1
          else if (w[i] ~ /^timeout=[0-9]+$/) t = substr(w[i], 9) + 0
        }
        runnable = runnable && (first == "sh" || first == "bash" || first == "shell")
        if (runnable) { n++; file = dir "/" n ".sh"; printf "" > file; firstcmd = ""; fline = NR }
        next
      }
      next
    }
    {
      ind = lead($0); rest = substr($0, ind + 1)
      if (substr(rest, 1, 1) == fch && run(rest, fch) >= flen && substr(rest, run(rest, fch) + 1) ~ /^[ \t]*$/) {
        if (runnable) { close(file); printf "%d\037%s:%d\037%d\037%s\n", n, doc, fline, t, firstcmd >> (dir "/../index") }
        infence = 0; runnable = 0; next
      }
      if (!runnable) next
      line = $0
      strip = (ind < findent) ? ind : findent
      line = substr(line, strip + 1)
      print line > file
      if (firstcmd == "" && line !~ /^[ \t]*(#.*)?$/) { firstcmd = line; sub(/^[ \t]+/, "", firstcmd); sub(/[ \t]+#.*$/, "", firstcmd) }
    }
    END {
      if (infence && runnable) printf "%d\037%s:%d\037%d\037%s\n", n, doc, fline, -1, "(fence never closed)" >> (dir "/../index")
    }
  ' "$repo/$1"
}

mkdir "$tmp/blocks"
: >"$tmp/index"
docs=()
declare -A listed=()
for f in "$repo"/README.md "$repo"/docs/*.md "$repo"/*/README.md; do
  [[ -f $f ]] || continue
  rel=${f#"$repo"/}
  [[ $rel == build/* || -n ${listed[$rel]:-} ]] && continue
  listed[$rel]=1
  docs+=("$rel")
done
for doc in "${docs[@]}"; do
  count=$(wc -l <"$tmp/index")
  extract "$doc" "$count"
done

total=$(wc -l <"$tmp/index")
if ((total == 0)); then
  echo "FAIL no runnable blocks (\`\`\`sh runnable) in ${docs[*]}"
  exit 1
fi
echo "running $total runnable blocks from ${docs[*]}"

# Whether a process of this group still runs (zombies, waiting for init to reap them, do not count).
group_alive() {
  local stat line rest state pgrp
  for stat in /proc/[0-9]*/stat; do
    read -r line 2>/dev/null <"$stat" || continue
    rest=${line##*) }
    read -r state _ pgrp _ <<<"$rest"
    [[ $pgrp == "$1" && $state != Z ]] && return 0
  done
  return 1
}

# Ends what a block left running: its process group (timeout(1) leads one per block).
reap() {
  local group=$1
  kill -TERM -- "-$group" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    group_alive "$group" || return 0
    sleep 0.1
  done
  kill -KILL -- "-$group" 2>/dev/null || true
}

in_netns=
((${#netns[@]})) && in_netns=netns
failed=0
while IFS=$'\037' read -r n where limit first; do
  script="$tmp/blocks/$n.sh"
  log="$tmp/blocks/$n.log"
  label="$where: $first"
  if ((limit < 0)); then
    echo "FAIL $label"
    failed=$((failed + 1))
    continue
  fi
  if grep -Eq '(^|[;&|(`[:space:]])(make([[:space:]]+-[^[:space:]]+)*[[:space:]]+(test|run)|ctest)([[:space:];&|)]|$)' "$script"; then
    echo "FAIL $label  (runs make test, make run or ctest: leave such blocks unmarked)"
    failed=$((failed + 1))
    continue
  fi
  started=$(date +%s%N)
  (
    cd "$workdir"
    # shellcheck disable=SC2016 # the inner script's $0 and $1 are its own
    exec env -i PATH="$PATH" HOME="${HOME:-$tmp}" USER="${USER:-$(id -un)}" LANG=C.UTF-8 \
      TMPDIR="${TMPDIR:-/tmp}" \
      timeout -k 5 "$limit" "${netns[@]}" bash -c '
        if [[ $1 == netns ]]; then ip link set lo up; fi
        exec bash -euo pipefail "$0"' "$script" "$in_netns"
  ) </dev/null >"$log" 2>&1 &
  group=$!
  rc=0
  wait "$group" || rc=$?
  reap "$group"
  ms=$((($(date +%s%N) - started) / 1000000))
  if ((rc == 0)); then
    echo "PASS $label  (${ms} ms)"
  else
    why="exit $rc"
    ((rc == 124)) && why="timed out after ${limit}s"
    echo "FAIL $label  ($why)"
    echo "----- output (last 60 lines) -----"
    tail -n 60 "$log"
    echo "----- script -----"
    cat "$script"
    echo "------------------"
    failed=$((failed + 1))
  fi
done <"$tmp/index"

if ((failed)); then
  echo "FAIL $failed of $total runnable blocks"
  exit 1
fi
echo "PASS all $total runnable blocks"
