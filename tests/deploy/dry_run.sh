#!/usr/bin/env bash
# deploy.dry_run: checks deploy.sh without AWS. In a throwaway git checkout holding a copy of
# deploy.sh it asserts the exact command sequence --dry-run prints for overridden names, the
# image tag from the git commit (and -dirty), exit 2 for an unknown option, a dry run with a
# PATH holding no aws or docker, and a real run against fake aws/docker that must execute the
# same sequence and never show the ECR password. Then shellcheck must pass on deploy.sh, these
# scripts and every other *.sh in the repository (shellcheck is required: scripts/install-deps.sh
# installs it).
# Usage: dry_run.sh [REPO_ROOT]   (default: two levels above this script)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${1:-$here/../..}" && pwd)
[[ -f $root/deploy.sh ]] || { echo "dry_run.sh: no deploy.sh in $root" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
  printf 'FAIL: %s\n' "$1" >&2
  failures=$((failures + 1))
}
pass() { printf 'ok: %s\n' "$1"; }

# Compares two files; on a difference prints both.
expect_same() { # description expected actual
  if diff -u "$2" "$3" >"$work/diff"; then
    pass "$1"
  else
    fail "$1"
    cat "$work/diff" >&2
  fi
}

# A checkout of its own: deploy.sh copied into a fresh repository with one commit, so the
# commit tag and the clean/dirty state are known whatever happens in the real working tree.
repo=$work/repo
mkdir -p "$repo" "$work/home"
cp "$root/deploy.sh" "$repo/deploy.sh"
printf 'FROM scratch\n' >"$repo/Dockerfile"
git_() { HOME=$work/home GIT_CONFIG_NOSYSTEM=1 git -C "$repo" "$@"; }
git_ init -q
git_ add deploy.sh Dockerfile
git_ -c user.name=test -c user.email=test@example.invalid -c commit.gpgsign=false commit -q -m test
commit=$(git_ rev-parse --short=12 HEAD)

# Runs the copied deploy.sh with exactly the given environment (plus HOME and PATH unless
# given): nothing leaks in from the caller's AWS_* or ECS_* variables.
deploy() { # [VAR=value...] -- args...
  local vars=()
  while [[ $1 != -- ]]; do vars+=("$1"); shift; done
  shift
  env -i HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 PATH="$PATH" "${vars[@]}" bash "$repo/deploy.sh" "$@"
}

fixed_env=(AWS_ACCOUNT_ID=123456789012 AWS_REGION=us-west-2 IMAGE_TAG=abc123
  ECR_REPOSITORY=team/justifi-mcp-test ECS_CLUSTER=justifi-mcp-staging ECS_SERVICE=justifi-mcp-canary)
registry=123456789012.dkr.ecr.us-west-2.amazonaws.com
image=$registry/team/justifi-mcp-test

# 1. The full printed sequence, in order, with the overridden names.
status=0
deploy "${fixed_env[@]}" -- --dry-run >"$work/out" 2>"$work/err" || status=$?
cat >"$work/expected" <<EOF
+ docker build --platform linux/amd64 --build-arg GIT_COMMIT=abc123 --file Dockerfile --tag team/justifi-mcp-test:abc123 .
+ docker tag team/justifi-mcp-test:abc123 $image:abc123
+ docker tag team/justifi-mcp-test:abc123 $image:latest
+ aws ecr get-login-password --region us-west-2 | docker login --username AWS --password-stdin $registry
+ aws ecs describe-services --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary --query 'services[0].taskDefinition' --output text
+ aws ecr describe-images --region us-west-2 --repository-name team/justifi-mcp-test --image-ids imageTag=latest --query 'imageDetails[0].imageTags' --output text
+ docker push $image:abc123
+ docker push $image:latest
+ aws ecs update-service --region us-west-2 --cluster justifi-mcp-staging --service justifi-mcp-canary --force-new-deployment --query 'service.deployments[?status==\`PRIMARY\`].id | [0]' --output text
+ aws ecs wait services-stable --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary
+ aws ecs describe-services --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary --query 'services[0].deployments[?id=='\''DEPLOYMENT_ID'\''].rolloutState | [0]' --output text
EOF
[[ $status -eq 0 ]] || { fail "dry run exits 0 (got $status)"; cat "$work/err" >&2; }
expect_same "dry run prints build, 2 tags, login, 2 pushes, update-service, wait in order" "$work/expected" "$work/out"
if grep -q -- "--task-definition PREVIOUS_TASK_DEFINITION" "$work/err"; then
  pass "dry run prints how to roll back"
else
  fail "dry run prints how to roll back"
fi

# The same with podman, a platform and a Dockerfile of one's own.
deploy "${fixed_env[@]}" CONTAINER_TOOL=podman PLATFORM=linux/arm64 DOCKERFILE=deploy/Containerfile \
  -- --dry-run >"$work/out" 2>/dev/null
sed -e 's/^+ docker /+ podman /' -e 's/| docker /| podman /' -e 's#linux/amd64#linux/arm64#' \
  -e 's#--file Dockerfile#--file deploy/Containerfile#' "$work/expected" >"$work/expected.podman"
expect_same "CONTAINER_TOOL, PLATFORM and DOCKERFILE are honoured" "$work/expected.podman" "$work/out"

# ECR_REGISTRY replaces the account-derived registry; no account id is needed then.
deploy AWS_REGION=us-west-2 IMAGE_TAG=abc123 ECR_REGISTRY=registry.example.test:5000 -- --dry-run \
  >"$work/out" 2>/dev/null
if grep -qx "+ docker push registry.example.test:5000/justifi-mcp:abc123" "$work/out" &&
  ! grep -q "sts get-caller-identity" "$work/out"; then
  pass "ECR_REGISTRY overrides the registry"
else
  fail "ECR_REGISTRY overrides the registry"
  cat "$work/out" >&2
fi

# 2. Without IMAGE_TAG the tag is the git commit, with -dirty for a dirty tree.
deploy AWS_ACCOUNT_ID=123456789012 -- --dry-run >"$work/out" 2>/dev/null
if grep -qx "+ docker tag justifi-mcp:$commit 123456789012.dkr.ecr.us-east-1.amazonaws.com/justifi-mcp:$commit" "$work/out" &&
  grep -qx "+ docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/justifi-mcp:$commit" "$work/out" &&
  grep -qx "+ docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/justifi-mcp:latest" "$work/out" &&
  grep -qxF "+ aws ecs update-service --region us-east-1 --cluster justifi-mcp --service justifi-mcp --force-new-deployment --query 'service.deployments[?status==\`PRIMARY\`].id | [0]' --output text" "$work/out"; then
  pass "without IMAGE_TAG the tag is the commit ($commit); defaults are justifi-mcp in us-east-1"
else
  fail "without IMAGE_TAG the tag is the commit ($commit); defaults are justifi-mcp in us-east-1"
  cat "$work/out" >&2
fi
printf '\n' >>"$repo/Dockerfile"
deploy AWS_ACCOUNT_ID=123456789012 -- --dry-run >"$work/out" 2>/dev/null
if grep -qx "+ docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/justifi-mcp:$commit-dirty" "$work/out"; then
  pass "a dirty tree tags $commit-dirty"
else
  fail "a dirty tree tags $commit-dirty"
  cat "$work/out" >&2
fi
git_ checkout -q -- Dockerfile

# 3. Bad usage: exit 2 and a message naming the culprit; --help exits 0.
for arg in --bogus -x stray; do
  status=0
  deploy "${fixed_env[@]}" -- --dry-run "$arg" >"$work/out" 2>"$work/err" || status=$?
  if [[ $status -eq 2 ]] && grep -qF -- "$arg" "$work/err" && [[ ! -s $work/out ]]; then
    pass "'$arg' exits 2 naming it"
  else
    fail "'$arg' exits 2 naming it (got $status)"
    cat "$work/err" >&2
  fi
done
for bad in AWS_ACCOUNT_ID=12345 IMAGE_TAG=latest "IMAGE_TAG=a b" AWS_REGION=nowhere; do
  status=0
  deploy "${fixed_env[@]}" "$bad" -- --dry-run >/dev/null 2>"$work/err" || status=$?
  if [[ $status -eq 2 ]]; then
    pass "$bad is refused with 2"
  else
    fail "$bad is refused with 2 (got $status)"
    cat "$work/err" >&2
  fi
done
status=0
deploy -- --help >"$work/out" 2>&1 || status=$?
if [[ $status -eq 0 ]] && grep -q -- "--dry-run" "$work/out" && grep -q ECS_CLUSTER "$work/out"; then
  pass "--help prints usage"
else
  fail "--help prints usage (got $status)"
fi

# 4. A dry run needs neither aws nor docker: a PATH of basic tools only, and no account id
#    (so the STS call is printed and a placeholder used).
mkdir -p "$work/basic-bin"
for t in bash git env cat sed grep head tr dirname; do
  p=$(command -v "$t") && ln -s "$p" "$work/basic-bin/$t"
done
if PATH=$work/basic-bin command -v docker >/dev/null || PATH=$work/basic-bin command -v aws >/dev/null; then
  fail "the basic PATH has no docker or aws"
fi
status=0
env -i HOME="$work/home" GIT_CONFIG_NOSYSTEM=1 PATH="$work/basic-bin" AWS_REGION=us-west-2 \
  "$work/basic-bin/bash" "$repo/deploy.sh" --dry-run >"$work/out" 2>"$work/err" || status=$?
if [[ $status -eq 0 ]] && [[ $(head -n1 "$work/out") == "+ aws sts get-caller-identity --region us-west-2 --query Account --output text" ]] &&
  grep -qx "+ aws ecs wait services-stable --region us-west-2 --cluster justifi-mcp --services justifi-mcp" "$work/out"; then
  pass "dry run works with no aws or docker on PATH"
else
  fail "dry run works with no aws or docker on PATH (got $status)"
  cat "$work/out" "$work/err" >&2
fi

# 5. For real, against fake aws and docker: the commands run are the ones printed, the
#    password only ever travels through the pipe, and a failed wait exits 1 with the roll-back.
mkdir -p "$work/fake-bin"
for t in aws docker podman; do
  printf '#!/usr/bin/env bash\nexec bash %q %s "$@"\n' "$here/fake-cli.sh" "$t" >"$work/fake-bin/$t"
  chmod +x "$work/fake-bin/$t"
done
password=fake-ecr-password-$RANDOM$RANDOM
fake_env=(FAKE_LOG="$work/fake.log" FAKE_PASSWORD="$password" FAKE_ACCOUNT_ID=123456789012
  FAKE_PREVIOUS_TASK_DEFINITION=arn:aws:ecs:us-west-2:123456789012:task-definition/justifi-mcp-canary:41
  FAKE_PREVIOUS_TAG=0123456789ab)

# A dry run with them on PATH runs none of them.
: >"$work/fake.log"
PATH="$work/fake-bin:$PATH" deploy "${fixed_env[@]}" "${fake_env[@]}" -- --dry-run >/dev/null 2>&1
if [[ ! -s $work/fake.log ]]; then
  pass "a dry run runs no aws or docker command"
else
  fail "a dry run runs no aws or docker command"
  cat "$work/fake.log" >&2
fi

: >"$work/fake.log"
status=0
PATH="$work/fake-bin:$PATH" deploy "${fixed_env[@]/AWS_ACCOUNT_ID=*/AWS_PROFILE=unused}" "${fake_env[@]}" -- \
  >"$work/out" 2>"$work/err" || status=$?
cat >"$work/expected" <<EOF
aws sts get-caller-identity --region us-west-2 --query Account --output text
docker build --platform linux/amd64 --build-arg GIT_COMMIT=abc123 --file Dockerfile --tag team/justifi-mcp-test:abc123 .
docker tag team/justifi-mcp-test:abc123 $image:abc123
docker tag team/justifi-mcp-test:abc123 $image:latest
aws ecr get-login-password --region us-west-2
docker login --username AWS --password-stdin $registry <password on stdin>
aws ecs describe-services --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary --query services[0].taskDefinition --output text
aws ecr describe-images --region us-west-2 --repository-name team/justifi-mcp-test --image-ids imageTag=latest --query imageDetails[0].imageTags --output text
docker push $image:abc123
docker push $image:latest
aws ecs update-service --region us-west-2 --cluster justifi-mcp-staging --service justifi-mcp-canary --force-new-deployment --query service.deployments[?status==\`PRIMARY\`].id | [0] --output text
aws ecs wait services-stable --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary
aws ecs describe-services --region us-west-2 --cluster justifi-mcp-staging --services justifi-mcp-canary --query services[0].deployments[?id=='ecs-svc/1234567890'].rolloutState | [0] --output text
EOF
[[ $status -eq 0 ]] || { fail "a real run against fakes exits 0 (got $status)"; cat "$work/err" >&2; }
expect_same "a real run executes the printed sequence, the password on docker login's stdin" "$work/expected" "$work/fake.log"
if grep -qF -- "$password" "$work/out" "$work/err" "$work/fake.log"; then
  fail "the ECR password is never printed or passed as an argument"
else
  pass "the ECR password is never printed or passed as an argument"
fi
if grep -qF -- "--task-definition arn:aws:ecs:us-west-2:123456789012:task-definition/justifi-mcp-canary:41 --force-new-deployment" "$work/err" &&
  grep -qF -- "docker pull $image:0123456789ab" "$work/err"; then
  pass "the roll-back names the previous task definition and image"
else
  fail "the roll-back names the previous task definition and image"
  cat "$work/err" >&2
fi

: >"$work/fake.log"
status=0
PATH="$work/fake-bin:$PATH" deploy "${fixed_env[@]}" "${fake_env[@]}" FAKE_WAIT_STATUS=255 -- >/dev/null 2>"$work/err" ||
  status=$?
if [[ $status -eq 1 ]] && grep -q "did not become stable" "$work/err" && grep -q -- "--task-definition arn:" "$work/err"; then
  pass "a service that does not become stable exits 1 with the roll-back"
else
  fail "a service that does not become stable exits 1 with the roll-back (got $status)"
  cat "$work/err" >&2
fi

: >"$work/fake.log"
status=0
PATH="$work/fake-bin:$PATH" deploy "${fixed_env[@]}" "${fake_env[@]}" FAKE_ROLLOUT_STATE=FAILED -- >/dev/null \
  2>"$work/err" || status=$?
if [[ $status -eq 1 ]] && grep -q "is 'FAILED', not COMPLETED: ECS rolled it back" "$work/err" &&
  grep -q -- "--task-definition arn:" "$work/err"; then
  pass "a deployment the circuit breaker rolled back exits 1 with the roll-back, though the service is stable"
else
  fail "a deployment the circuit breaker rolled back exits 1 (got $status)"
  cat "$work/err" >&2
fi

# Without the tools, a real run stops before doing anything.
status=0
env -i HOME="$work/home" PATH="$work/basic-bin" "${fixed_env[@]}" "$work/basic-bin/bash" "$repo/deploy.sh" \
  >"$work/out" 2>"$work/err" || status=$?
if [[ $status -eq 1 && ! -s $work/out ]] && grep -q "not found on PATH: aws docker" "$work/err"; then
  pass "a real run without aws or docker stops at once"
else
  fail "a real run without aws or docker stops at once (got $status)"
  cat "$work/err" >&2
fi

# 6. shellcheck: deploy.sh and these tests, then every *.sh in the repository.
if ! command -v shellcheck >/dev/null 2>&1; then
  fail "shellcheck is not installed (scripts/install-deps.sh installs it: apt-get install shellcheck)"
else
  cd "$root"
  own=(deploy.sh tests/deploy/dry_run.sh tests/deploy/fake-cli.sh)
  if shellcheck "${own[@]}" >&2; then
    pass "shellcheck ${own[*]}"
  else
    fail "shellcheck ${own[*]}"
  fi
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t scripts < <(git ls-files --cached --others --exclude-standard -- '*.sh' | sort -u)
  else
    mapfile -t scripts < <(find . -name '*.sh' -not -path './build/*' -not -path '*/node_modules/*' -printf '%P\n' | sort)
  fi
  for s in "${scripts[@]}"; do
    [[ -f $s ]] || continue # deleted in the working tree
    [[ " ${own[*]} " != *" $s "* ]] || continue
    if shellcheck "$s" >"$work/shellcheck" 2>&1; then
      pass "shellcheck $s"
    else
      fail "shellcheck $s"
      cat "$work/shellcheck" >&2
    fi
  done
fi

if ((failures)); then
  printf '%d check(s) failed\n' "$failures" >&2
  exit 1
fi
echo "all deploy checks passed"
