#!/usr/bin/env bash
# Stands in for `aws` and the container tool when tests/deploy/dry_run.sh runs deploy.sh for
# real. Usage: fake-cli.sh NAME ARGS... (NAME is aws, docker or podman). Each call is appended
# to $FAKE_LOG as one line, "NAME ARGS" joined by spaces; answers are canned.
set -euo pipefail

name=$1
shift
line="$name $*"

case "$name ${1:-} ${2:-}" in
  "aws sts get-caller-identity")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    printf '%s\n' "$FAKE_ACCOUNT_ID"
    ;;
  "aws ecr get-login-password")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    printf '%s\n' "$FAKE_PASSWORD"
    ;;
  "aws ecs describe-services")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    if [[ $line == *rolloutState* ]]; then
      printf '%s\n' "${FAKE_ROLLOUT_STATE:-COMPLETED}"
    else
      printf '%s\n' "$FAKE_PREVIOUS_TASK_DEFINITION"
    fi
    ;;
  "aws ecr describe-images")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    printf 'latest\t%s\n' "$FAKE_PREVIOUS_TAG"
    ;;
  "aws ecs update-service")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    printf 'ecs-svc/1234567890\n'
    ;;
  "aws ecs wait")
    printf '%s\n' "$line" >>"$FAKE_LOG"
    exit "${FAKE_WAIT_STATUS:-0}"
    ;;
  "docker login "* | "podman login "*)
    # Reads the whole of stdin before logging, so this line follows get-login-password's.
    password=$(cat)
    if [[ $password == "$FAKE_PASSWORD" ]]; then
      printf '%s <password on stdin>\n' "$line" >>"$FAKE_LOG"
    else
      printf '%s <no password on stdin>\n' "$line" >>"$FAKE_LOG"
    fi
    printf 'Login Succeeded\n'
    ;;
  *)
    printf '%s\n' "$line" >>"$FAKE_LOG"
    ;;
esac
