#!/usr/bin/env bash
# Smoke test of justifi-mock over real HTTP: token, paging, retrieval, Sub-Account scoping,
# 404s, create_payment with Idempotency-Key replay and misuse, declines, state errors,
# injected faults, and a clean exit on SIGTERM. Exits non-zero on the first mismatch.
#
#   mock/smoke.sh [path/to/justifi-mock]     (default: build/mock/justifi-mock)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-${JUSTIFI_MOCK_BIN:-$here/../build/mock/justifi-mock}}
work=$(mktemp -d)
mock_pid=""

cleanup() {
    if [[ -n $mock_pid ]] && kill -0 "$mock_pid" 2>/dev/null; then
        kill "$mock_pid" 2>/dev/null || true
        wait "$mock_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

passed=0
fail() {
    echo "FAIL: $*" >&2
    echo "--- last response body:" >&2
    head -c 600 "$work/body" >&2 2>/dev/null || true
    echo >&2
    exit 1
}
ok() {
    passed=$((passed + 1))
    echo "ok - $*"
}

# call METHOD PATH [curl args...]: body in $work/body, headers in $work/headers, status in $status.
call() {
    local method=$1 path=$2
    shift 2
    status=$(curl -sS -X "$method" "$base$path" -o "$work/body" -D "$work/headers" -w '%{http_code}' "$@")
}
authed() {
    local method=$1 path=$2
    shift 2
    call "$method" "$path" -H "Authorization: Bearer $token" "$@"
}
expect_status() {
    [[ $status == "$1" ]] || fail "$2: expected HTTP $1, got $status"
}
# check DESCRIPTION PYTHON-EXPRESSION: the expression sees the response body as `d`.
check() {
    python3 - "$work/body" "$2" <<'PY' || fail "$1"
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2], {"d": d}) else 1)
PY
}
# field PYTHON-EXPRESSION: prints a value from the response body.
field() {
    python3 - "$work/body" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))
PY
}
header() {
    grep -i "^$1:" "$work/headers" | head -1 | cut -d: -f2- | tr -d ' \r'
}

[[ -x $bin ]] || fail "no justifi-mock binary at $bin (build it: cmake --build build --target justifi-mock)"

# Start on a free port; readiness is the "listening" log line.
"$bin" --port 0 --seed 42 --log-level info 2>"$work/mock.log" &
mock_pid=$!
port=""
for _ in $(seq 200); do
    port=$(grep -o '"message":"listening".*' "$work/mock.log" 2>/dev/null | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2 || true)
    [[ -n $port ]] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$work/mock.log" >&2; fail "justifi-mock exited before listening"; }
    sleep 0.05
done
[[ -n $port ]] || fail "justifi-mock never logged its listening line"
base="http://127.0.0.1:$port"
ok "listening on port $port"

# --- tokens ---------------------------------------------------------------------------
call POST /oauth/token -H 'Content-Type: application/json' -d '{"client_id":"test_client_id","client_secret":"nope"}'
expect_status 401 "wrong client secret"
check "wrong credentials answer invalid_credentials" 'd["error"]["code"] == "invalid_credentials"'
call POST /oauth/token -d 'client_id=test_client_id&client_secret=test_client_secret'
expect_status 200 "form-encoded token request"
call POST /oauth/token -H 'Content-Type: application/json' -d '{"client_id":"test_client_id","client_secret":"test_client_secret"}'
expect_status 200 "JSON token request"
check "token response carries access_token and expires_in" 'len(d["access_token"]) > 20 and d["expires_in"] == 86400'
token=$(field 'd["access_token"]')
ok "POST /oauth/token (JSON and form; wrong secret is 401)"

call GET /v1/payments
expect_status 401 "no Authorization header"
call GET /v1/payments -H "Authorization: Bearer not-a-token"
expect_status 401 "unknown bearer token"
check "401 uses the error envelope" 'd["error"]["code"] == "not_authenticated"'
ok "/v1 requires a bearer token this mock issued"

# --- paging ---------------------------------------------------------------------------
authed GET '/v1/payments?limit=10'
expect_status 200 "first page"
check "first page: 10 items, no previous, a next" \
    'd["type"] == "array" and len(d["data"]) == 10 and not d["page_info"]["has_previous"] and d["page_info"]["has_next"]'
check "newest first" '[p["created_at"] for p in d["data"]] == sorted([p["created_at"] for p in d["data"]], reverse=True)'
page1=$(field '",".join(p["id"] for p in d["data"])')
first_payment=$(field 'd["data"][0]["id"]')
end_cursor=$(field 'd["page_info"]["end_cursor"]')
authed GET "/v1/payments?limit=10&after_cursor=$end_cursor"
expect_status 200 "second page"
check "second page: previous and next" 'len(d["data"]) == 10 and d["page_info"]["has_previous"] and d["page_info"]["has_next"]'
check "second page does not repeat the first" "not set(p['id'] for p in d['data']) & set('$page1'.split(','))"
start_cursor=$(field 'd["page_info"]["start_cursor"]')
authed GET "/v1/payments?limit=10&before_cursor=$start_cursor"
expect_status 200 "back to the first page"
check "before_cursor returns the first page again" "','.join(p['id'] for p in d['data']) == '$page1' and not d['page_info']['has_previous']"
total=0
cursor=""
for _ in $(seq 20); do
    authed GET "/v1/payments?limit=100${cursor:+&after_cursor=$cursor}"
    expect_status 200 "walking all payments"
    total=$((total + $(field 'len(d["data"])')))
    [[ $(field 'd["page_info"]["has_next"]') == True ]] || break
    cursor=$(field 'd["page_info"]["end_cursor"]')
done
((total >= 300)) || fail "expected several hundred seeded payments, walked $total"
authed GET '/v1/payments?limit=0'
expect_status 400 "limit=0"
check "limit out of range names the parameter" 'd["error"]["param"] == "limit"'
authed GET "/v1/payments?after_cursor=$end_cursor&before_cursor=$start_cursor"
expect_status 400 "both cursors"
authed GET '/v1/payments?payment_status=refunded&limit=100'
expect_status 200 "payment_status filter"
check "payment_status=refunded keeps refunded payments" \
    'd["data"] and all(p["status"] in ("partially_refunded", "fully_refunded") for p in d["data"])'
ok "cursor paging over $total payments (limit bounds, both cursors, filters)"

# --- retrieval and 404 ----------------------------------------------------------------
authed GET "/v1/payments/$first_payment"
expect_status 200 "retrieve a payment"
check "single envelope" "d['id'] == '$first_payment' and d['type'] == 'payment' and d['data']['id'] == '$first_payment' and d['page_info'] is None"
authed GET /v1/payments/py_doesnotexist
expect_status 404 "unknown payment"
check "404 not_found envelope" 'd["error"]["code"] == "not_found"'
authed GET /v1/no_such_resource
expect_status 404 "unknown endpoint"
ok "retrieve by id; unknown ids and endpoints are 404"

# --- Sub-Account scoping --------------------------------------------------------------
authed GET /v1/sub_accounts
expect_status 200 "list sub accounts"
check "three or four sub accounts" '3 <= len(d["data"]) <= 4 and all(a["id"].startswith("acc_") for a in d["data"])'
acc_a=$(field 'd["data"][0]["id"]')
acc_b=$(field 'd["data"][1]["id"]')
authed GET '/v1/payments?limit=100' -H "Sub-Account: $acc_a"
expect_status 200 "payments of one sub account"
check "only that sub account's payments" "d['data'] and all(p['account_id'] == '$acc_a' for p in d['data'])"
authed GET '/v1/payments?limit=1' -H "Sub-Account: $acc_b"
payment_b=$(field 'd["data"][0]["id"]')
authed GET "/v1/payments/$payment_b" -H "Sub-Account: $acc_a"
expect_status 404 "another sub account's payment"
authed GET "/v1/payments/$payment_b"
expect_status 200 "the platform sees every account"
authed GET /v1/payments -H 'Sub-Account: acc_unknown'
expect_status 404 "unknown sub account"
check "unknown Sub-Account names the header" 'd["error"]["param"] == "Sub-Account"'
ok "Sub-Account scoping (lists, retrievals, unknown account)"

# --- create_payment and Idempotency-Key ------------------------------------------------
key="smoke-$(date +%s%N)"
body='{"amount":1050,"currency":"usd","capture_strategy":"automatic","description":"smoke test","payment_method":{"card":{"name":"Sylvia Fowles","number":"4111111111111111","verification":"123","month":"3","year":"2040","address_postal_code":"55555"}}}'
authed POST /v1/payments -H "Sub-Account: $acc_a" -H "Idempotency-Key: $key" -H 'Content-Type: application/json' -d "$body"
expect_status 201 "create a payment"
check "a succeeded card payment" 'd["type"] == "payment" and d["id"].startswith("py_") and d["data"]["status"] == "succeeded" and d["data"]["amount"] == 1050'
new_payment=$(field 'd["id"]')
authed POST /v1/payments -H "Sub-Account: $acc_a" -H "Idempotency-Key: $key" -H 'Content-Type: application/json' -d "$body"
expect_status 201 "the same request again"
check "the replay is the first answer" "d['id'] == '$new_payment'"
[[ $(header Idempotent-Replayed) == true ]] || fail "replay should carry Idempotent-Replayed: true"
authed POST /v1/payments -H "Sub-Account: $acc_a" -H "Idempotency-Key: $key" -H 'Content-Type: application/json' -d "${body/1050/2050}"
expect_status 422 "same key, another body"
check "key reuse is idempotency_params_mismatch" 'd["error"]["code"] == "idempotency_params_mismatch"'
authed POST /v1/payments -H "Sub-Account: $acc_a" -H 'Content-Type: application/json' -d "$body"
expect_status 400 "no Idempotency-Key"
check "missing key is idempotency_key_required" 'd["error"]["code"] == "idempotency_key_required"'
call GET /__mock/stats
check "one idempotent replay counted" 'd["idempotent_replays"] == 1 and d["token_requests"] == 3'
ok "create_payment with Idempotency-Key (replay, 422 on reuse, 400 when missing)"

authed POST "/v1/payments/$new_payment/capture" -H "Idempotency-Key: $key-capture"
expect_status 422 "capture a captured payment"
authed POST "/v1/payments/$new_payment/refunds" -H "Idempotency-Key: $key-refund" -d '{"amount":5000}'
expect_status 422 "refund more than the amount"
check "over-refund is refund_exceeds_amount_available" 'd["error"]["code"] == "refund_exceeds_amount_available"'
authed POST "/v1/payments/$new_payment/refunds" -H "Idempotency-Key: $key-refund2" -d '{"amount":300,"reason":"customer_request"}'
expect_status 201 "partial refund"
check "a refund object" 'd["type"] == "refund" and d["id"].startswith("re_") and d["data"]["amount"] == 300'
ok "state errors are 422; a partial refund succeeds"

# --- declines -------------------------------------------------------------------------
authed POST /v1/payments -H "Sub-Account: $acc_a" -H "Idempotency-Key: $key-decline" \
    -d '{"amount":1000,"currency":"usd","capture_strategy":"automatic","payment_method":{"token":"pm_test_card_declined"}}'
expect_status 402 "declined test token"
check "card_declined with a decline_code" 'd["error"]["code"] == "card_declined" and d["error"]["decline_code"]'
authed POST /v1/payments -H "Sub-Account: $acc_a" -H "Idempotency-Key: $key-nsf" \
    -d '{"amount":1000,"currency":"usd","capture_strategy":"automatic","payment_method":{"card":{"name":"A B","number":"4000000000009995","month":"1","year":"2040","address_postal_code":"55555"}}}'
expect_status 402 "insufficient funds test card"
check "decline_code insufficient_funds" 'd["error"]["decline_code"] == "insufficient_funds"'
ok "documented test cards decline with 402"

# --- faults ---------------------------------------------------------------------------
call POST /__mock/faults -H 'Content-Type: application/json' -d '{"fail_first":2,"fail_status":503,"rate_limit_first":1}'
expect_status 200 "set faults"
authed GET '/v1/refunds?limit=1'
expect_status 429 "rate limited first"
[[ $(header Retry-After) == 1 ]] || fail "429 should carry Retry-After: 1"
authed GET '/v1/refunds?limit=1'
expect_status 503 "first injected failure"
check "injected failures use the error envelope" 'd["error"]["code"] == "service_unavailable"'
authed GET '/v1/refunds?limit=1'
expect_status 503 "second injected failure"
authed GET '/v1/refunds?limit=1'
expect_status 200 "faults used up"
call POST /__mock/faults -d '{"drop_first":1}'
expect_status 200 "set a drop"
if curl -sS -m 5 "$base/v1/refunds?limit=1" -H "Authorization: Bearer $token" -o /dev/null 2>/dev/null; then
    fail "a dropped request should fail at the transport level"
fi
call GET /__mock/stats
check "faults counted" 'd["faults_injected"] == {"rate_limited": 1, "failed": 2, "dropped": 1}'
check "requests counted by path template" 'd["requests_by_path"]["GET /v1/refunds"] == 5'
ok "injected 429, 503s and a dropped connection"

# --- shutdown -------------------------------------------------------------------------
kill -TERM "$mock_pid"
exit_code=0
wait "$mock_pid" || exit_code=$?
mock_pid=""
[[ $exit_code == 0 ]] || fail "justifi-mock exited with $exit_code on SIGTERM"
ok "SIGTERM drains and exits 0"

echo "smoke: all $passed checks passed"
