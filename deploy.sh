#!/usr/bin/env bash
# Deploys justifi-mcp to AWS: builds the container image, tags it with the git commit and
# `latest`, pushes both tags to ECR and rolls the ECS Fargate service onto the new image,
# then waits until the service is stable. Every name comes from the environment (see
# --help). --dry-run prints each command, shell-quoted, and runs none of them.
set -euo pipefail

prog=deploy.sh

usage() {
  printf '%s\n' \
    "usage: $prog [--dry-run] [--help]" \
    "" \
    "Builds the image from the Dockerfile, tags it <registry>/<repository>:<IMAGE_TAG> and" \
    ":latest, logs in to ECR, pushes both tags, forces a new deployment of the ECS service" \
    "and waits until the service is stable. Prints how to roll back at the end." \
    "" \
    "options:" \
    "  -n, --dry-run   print each command (prefixed with '+ ') instead of running it;" \
    "                  needs neither the AWS CLI nor a container tool" \
    "  -h, --help      print this help" \
    "" \
    "environment (default in brackets):" \
    "  AWS_REGION      AWS region [\$AWS_DEFAULT_REGION, else us-east-1]" \
    "  AWS_ACCOUNT_ID  12-digit account id [from 'aws sts get-caller-identity']" \
    "  ECR_REGISTRY    registry host [<AWS_ACCOUNT_ID>.dkr.ecr.<AWS_REGION>.amazonaws.com]" \
    "  ECR_REPOSITORY  ECR repository [justifi-mcp]" \
    "  ECS_CLUSTER     ECS cluster [justifi-mcp]" \
    "  ECS_SERVICE     ECS service [justifi-mcp]" \
    "  IMAGE_TAG       image tag [git rev-parse --short=12 HEAD, plus -dirty for a dirty tree]" \
    "  CONTAINER_TOOL  docker or podman [docker]" \
    "  DOCKERFILE      Dockerfile, relative to the repository root [Dockerfile]" \
    "  PLATFORM        image platform [linux/amd64]" \
    "" \
    "exit status: 0 deployed (or dry run printed), 1 a step failed, 2 bad usage or settings"
}

die() { printf '%s: %s\n' "$prog" "$1" >&2; exit "${2:-1}"; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }

dry_run=false
while (($#)); do
  case $1 in
    -n | --dry-run) dry_run=true ;;
    -h | --help) usage; exit 0 ;;
    -*) printf '%s: unknown option: %s (see --help)\n' "$prog" "$1" >&2; exit 2 ;;
    *) printf '%s: unexpected argument: %s (see --help)\n' "$prog" "$1" >&2; exit 2 ;;
  esac
  shift
done

# Shell-quotes one word: bare when it is made of safe characters, else in single quotes.
quote() {
  local word=$1
  if [[ -n $word && $word != *[!A-Za-z0-9_@%+=:,./-]* ]]; then
    printf '%s' "$word"
  else
    printf "'%s'" "${word//\'/\'\\\'\'}"
  fi
}

# Shell-quotes a whole command line.
quote_all() {
  local word sep=
  for word in "$@"; do
    printf '%s' "$sep"
    quote "$word"
    sep=' '
  done
}

# Prints a command as `+ <command>`, then runs it unless this is a dry run.
run() {
  printf '+ %s\n' "$(quote_all "$@")"
  $dry_run || "$@"
}

# The repository root is where this script lives; the build context and DOCKERFILE are relative to it.
root=$PWD
if [[ ${BASH_SOURCE[0]} == */* ]]; then
  root=$(cd "${BASH_SOURCE[0]%/*}" && pwd)
fi
cd "$root"

region=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
repository=${ECR_REPOSITORY:-justifi-mcp}
cluster=${ECS_CLUSTER:-justifi-mcp}
service=${ECS_SERVICE:-justifi-mcp}
tool=${CONTAINER_TOOL:-docker}
dockerfile=${DOCKERFILE:-Dockerfile}
platform=${PLATFORM:-linux/amd64}

[[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || die "AWS_REGION '$region' is not an AWS region" 2
[[ $repository =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] || die "ECR_REPOSITORY '$repository' is not a repository name" 2
[[ -n $cluster ]] || die "ECS_CLUSTER is empty" 2
[[ -n $service ]] || die "ECS_SERVICE is empty" 2
[[ -n $tool ]] || die "CONTAINER_TOOL is empty" 2
[[ -n $platform ]] || die "PLATFORM is empty" 2

if [[ -n ${IMAGE_TAG:-} ]]; then
  tag=$IMAGE_TAG
else
  command -v git >/dev/null 2>&1 || die "git not found: set IMAGE_TAG" 2
  tag=$(git rev-parse --short=12 HEAD 2>/dev/null) || die "$root is not a git checkout with a commit: set IMAGE_TAG" 2
  if [[ -n $(git status --porcelain 2>/dev/null) ]]; then
    tag+=-dirty
    note "the working tree has uncommitted changes: tagging the image $tag"
  fi
fi
[[ $tag =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "IMAGE_TAG '$tag' is not a valid image tag" 2
[[ $tag != latest ]] || die "IMAGE_TAG must not be 'latest': the image gets that tag as well" 2

if $dry_run; then
  note "dry run: printing the commands, running none of them"
  [[ -f $dockerfile ]] || note "dry run: there is no Dockerfile at $root/$dockerfile"
else
  missing=()
  for cmd in aws "$tool"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  ((${#missing[@]} == 0)) || die "not found on PATH: ${missing[*]}"
  [[ -f $dockerfile ]] || die "no Dockerfile at $root/$dockerfile (set DOCKERFILE)"
  # AWS CLI v2 pipes output through a pager on a terminal; a deploy must not stop for it.
  export AWS_PAGER=
fi

# The registry: given, or from the account id (given, or asked of STS).
if [[ -n ${ECR_REGISTRY:-} ]]; then
  registry=$ECR_REGISTRY
else
  account=${AWS_ACCOUNT_ID:-}
  if [[ -z $account ]]; then
    sts=(aws sts get-caller-identity --region "$region" --query Account --output text)
    printf '+ %s\n' "$(quote_all "${sts[@]}")"
    if $dry_run; then
      account=aws-account-id
      note "dry run: the account id is shown as '$account'"
    else
      account=$("${sts[@]}") || die "could not read the AWS account id (set AWS_ACCOUNT_ID)"
    fi
  fi
  [[ $account =~ ^[0-9]{12}$ || ($dry_run == true && $account == aws-account-id) ]] ||
    die "AWS_ACCOUNT_ID '$account' is not a 12-digit account id" 2
  registry=$account.dkr.ecr.$region.amazonaws.com
fi

local_image=$repository:$tag
image=$registry/$repository:$tag
latest=$registry/$repository:latest

# GIT_COMMIT is what `justifi-mcp --version` reports (the image's build has no .git).
run "$tool" build --platform "$platform" --build-arg "GIT_COMMIT=$tag" --file "$dockerfile" --tag "$local_image" .
run "$tool" tag "$local_image" "$image"
run "$tool" tag "$local_image" "$latest"

# The password goes from one process to the other through the pipe only: never an
# argument, a variable or a traced line.
login_password=(aws ecr get-login-password --region "$region")
login=("$tool" login --username AWS --password-stdin "$registry")
printf '+ %s | %s\n' "$(quote_all "${login_password[@]}")" "$(quote_all "${login[@]}")"
if ! $dry_run; then
  "${login_password[@]}" | "${login[@]}"
fi

# What runs now, for the roll-back note: the service's task definition and the commit tag
# that `latest` carries before this push. Neither is needed to deploy: a first deploy has neither.
describe_service=(aws ecs describe-services --region "$region" --cluster "$cluster" --services "$service"
  --query 'services[0].taskDefinition' --output text)
describe_latest=(aws ecr describe-images --region "$region" --repository-name "$repository"
  --image-ids imageTag=latest --query 'imageDetails[0].imageTags' --output text)
printf '+ %s\n' "$(quote_all "${describe_service[@]}")"
printf '+ %s\n' "$(quote_all "${describe_latest[@]}")"
previous_task_definition=PREVIOUS_TASK_DEFINITION
previous_tag=PREVIOUS_TAG
if ! $dry_run; then
  previous_task_definition=$("${describe_service[@]}" 2>/dev/null) || previous_task_definition=
  [[ $previous_task_definition == arn:* ]] || previous_task_definition=
  previous_tag=
  for t in $("${describe_latest[@]}" 2>/dev/null || true); do
    [[ $t == latest || $t == "$tag" ]] || { previous_tag=$t; break; }
  done
fi

run "$tool" push "$image"
run "$tool" push "$latest"

# The new deployment's id: `wait services-stable` also succeeds once the circuit breaker has
# rolled a failed deployment back, so success is this deployment completing, not stability.
# shellcheck disable=SC2016  # the backticks are JMESPath literals, not a command substitution
update=(aws ecs update-service --region "$region" --cluster "$cluster" --service "$service"
  --force-new-deployment --query 'service.deployments[?status==`PRIMARY`].id | [0]' --output text)
printf '+ %s\n' "$(quote_all "${update[@]}")"
deployment_id=DEPLOYMENT_ID
if ! $dry_run; then
  deployment_id=$("${update[@]}")
fi

rollback_note() {
  printf '%s\n' "To roll back to what ran before this deployment:" >&2
  if [[ -n $previous_tag ]]; then
    printf '  %s\n' "# point latest back at the previous image (the task definition may name :latest)" >&2
    printf '  %s && %s && %s\n' \
      "$(quote_all "$tool" pull "$registry/$repository:$previous_tag")" \
      "$(quote_all "$tool" tag "$registry/$repository:$previous_tag" "$latest")" \
      "$(quote_all "$tool" push "$latest")" >&2
  fi
  if [[ -n $previous_task_definition ]]; then
    printf '  %s\n' "$(quote_all aws ecs update-service --region "$region" --cluster "$cluster" \
      --service "$service" --task-definition "$previous_task_definition" --force-new-deployment)" >&2
  else
    printf '  %s\n' "(the service's previous task definition is unknown: see 'aws ecs list-task-definitions')" >&2
  fi
}

if ! run aws ecs wait services-stable --region "$region" --cluster "$cluster" --services "$service"; then
  note "service $service in cluster $cluster did not become stable"
  rollback_note
  exit 1
fi

rollout=(aws ecs describe-services --region "$region" --cluster "$cluster" --services "$service"
  --query "services[0].deployments[?id=='$deployment_id'].rolloutState | [0]" --output text)
printf '+ %s\n' "$(quote_all "${rollout[@]}")"
if ! $dry_run; then
  state=$("${rollout[@]}")
  if [[ $state != COMPLETED ]]; then
    note "deployment $deployment_id of $service is '$state', not COMPLETED: ECS rolled it back (see the service's events)"
    rollback_note
    exit 1
  fi
fi

if $dry_run; then
  note "dry run: would deploy $image to service $service in cluster $cluster ($region)"
else
  note "deployed $image to service $service in cluster $cluster ($region)"
fi
rollback_note
