# Sourced by the bench scripts: stop_pid PID asks a process to stop (SIGTERM), gives it three
# seconds, then kills it, and reaps it when it is this shell's child.
# shellcheck shell=bash

# shellcheck disable=SC2317  # called by the scripts' cleanup traps
stop_pid() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
