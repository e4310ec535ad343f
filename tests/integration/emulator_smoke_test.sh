#!/usr/bin/env bash
# Smoke test of bqbroker-emulator as integration tests start it (--bigquery scripted): start it,
# wait for its readiness line, then one full authorization code → token → refresh (narrowed
# scope) → revoke sequence with curl, asserting each answer and what the control API observed.
# Usage: emulator_smoke_test.sh PATH/TO/bqbroker-emulator
set -euo pipefail

fake_bin=$1
work=$(mktemp -d)
fake_pid=
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }

# Start it with its stdout on a pipe, and wait (bounded) for the readiness line: no sleeping.
coproc FAKE { exec "$fake_bin" --bigquery scripted --client-secrets-out "$work/client_secrets.json" \
                   --account alice@example.com --exit-with-parent 2>"$work/fake.log"; }
fake_pid=$FAKE_PID
IFS= read -r -t 20 ready <&"${FAKE[0]}" || fail "no readiness line within 20 s"
base=$(jq -r .base_url <<<"$ready")
expect_eq "$(jq -r .port <<<"$ready")" "${base##*:}" "port in the readiness line"

secrets="$work/client_secrets.json"
expect_eq "$(stat -c %a "$secrets")" 600 "client_secrets.json mode"
client_id=$(jq -r .installed.client_id "$secrets")
client_secret=$(jq -r .installed.client_secret "$secrets")
token_uri=$(jq -r .installed.token_uri "$secrets")
auth_uri=$(jq -r .installed.auth_uri "$secrets")
expect_eq "$token_uri" "$base/token" "token_uri"

# 1. Authorization: the fake answers as the consenting user with a 302 to the loopback.
verifier=$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')
challenge=$(printf %s "$verifier" | openssl dgst -sha256 -binary | basenc --base64url | tr -d '=')
redirect="http://127.0.0.1:1/"
scopes="openid email https://www.googleapis.com/auth/bigquery https://www.googleapis.com/auth/bigquery.readonly"
location=$(curl -sS -o /dev/null -w '%{redirect_url}' -G "$auth_uri" \
  --data-urlencode response_type=code --data-urlencode "client_id=$client_id" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "scope=$scopes" \
  --data-urlencode state=s-123 --data-urlencode "code_challenge=$challenge" \
  --data-urlencode code_challenge_method=S256 --data-urlencode access_type=offline \
  --data-urlencode prompt=consent)
[[ "$location" == "$redirect?"* ]] || fail "authorization did not redirect to the loopback: $location"
query=${location#*\?}
code=$(tr '&' '\n' <<<"$query" | sed -n 's/^code=//p')
state=$(tr '&' '\n' <<<"$query" | sed -n 's/^state=//p')
expect_eq "$state" s-123 "state in the redirect"
[ -n "$code" ] || fail "no code in the redirect"
code=$(printf '%b' "${code//%/\\x}")  # percent-decode

token() { curl -sS -w '\n%{http_code}' "$token_uri" "$@"; }
# 2. Code exchange with the PKCE verifier.
out=$(token --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "client_id=$client_id" --data-urlencode "client_secret=$client_secret" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "code_verifier=$verifier")
expect_eq "$(tail -n1 <<<"$out")" 200 "code exchange status"
body=$(head -n -1 <<<"$out")
refresh_token=$(jq -r .refresh_token <<<"$body")
access_token=$(jq -r .access_token <<<"$body")
[[ "$refresh_token" == 1//* ]] || fail "no refresh_token in the code exchange"
[[ "$access_token" == ya29.* ]] || fail "no access_token in the code exchange"
b64url_decode() { local s=${1//-/+}; s=${s//_//}; while (( ${#s} % 4 )); do s+='='; done; base64 -d <<<"$s"; }
email=$(b64url_decode "$(jq -r .id_token <<<"$body" | cut -d. -f2)" | jq -r .email)
expect_eq "$email" alice@example.com "email in the id_token"

# 2b. The same code again is refused.
out=$(token --data-urlencode grant_type=authorization_code --data-urlencode "code=$code" \
  --data-urlencode "client_id=$client_id" --data-urlencode "client_secret=$client_secret" \
  --data-urlencode "redirect_uri=$redirect" --data-urlencode "code_verifier=$verifier")
expect_eq "$(tail -n1 <<<"$out")" 400 "reused code status"
expect_eq "$(head -n -1 <<<"$out" | jq -r .error)" invalid_grant "reused code error"

# 3. Refresh with a narrower scope, after one injected 503.
curl -sS -f -o /dev/null "$base/_fake/faults" -H 'Content-Type: application/json' \
  -d '{"status":503,"grant_type":"refresh_token"}'
refresh() {
  token --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh_token" \
    --data-urlencode "client_id=$client_id" --data-urlencode "client_secret=$client_secret" \
    --data-urlencode "scope=https://www.googleapis.com/auth/bigquery.readonly"
}
expect_eq "$(refresh | tail -n1)" 503 "injected fault"
out=$(refresh)
expect_eq "$(tail -n1 <<<"$out")" 200 "refresh status"
body=$(head -n -1 <<<"$out")
expect_eq "$(jq -r .scope <<<"$body")" https://www.googleapis.com/auth/bigquery.readonly "refreshed scope"
expect_eq "$(jq -r 'has("refresh_token")' <<<"$body")" false "refresh_token on refresh"
narrow=$(jq -r .access_token <<<"$body")
info=$(curl -sS "$base/tokeninfo?access_token=$narrow")
expect_eq "$(jq -r .scope <<<"$info")" https://www.googleapis.com/auth/bigquery.readonly "tokeninfo scope"

# 4. What the control API observed: counts, the last form with secrets hashed.
stats=$(curl -sS -f "$base/_fake/stats")
expect_eq "$(jq -r '.token_requests.by_grant_type.refresh_token' <<<"$stats")" 2 "refresh count"
expect_eq "$(jq -r '.token_requests.faulted' <<<"$stats")" 1 "faulted count"
expect_eq "$(jq -r '.last_token_request.form.scope' <<<"$stats")" \
  https://www.googleapis.com/auth/bigquery.readonly "last scope asked"
rt_hash="sha256:$(printf %s "$refresh_token" | sha256sum | cut -c1-16)"
expect_eq "$(jq -r '.last_token_request.form.refresh_token' <<<"$stats")" "$rt_hash" "masked refresh_token"
issued=$(curl -sS -f "$base/_fake/tokens")
expect_eq "$(jq -r '.access_tokens | length' <<<"$issued")" 2 "access tokens issued"

# 5. Revoke: the refresh token and its access tokens die; a second revoke is a 400.
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$base/revoke?token=$refresh_token")" 200 "revoke"
expect_eq "$(refresh | head -n -1 | jq -r .error)" invalid_grant "refresh after revoke"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$base/tokeninfo?access_token=$narrow")" 400 "tokeninfo after revoke"
expect_eq "$(curl -sS -o /dev/null -w '%{http_code}' -X POST --data-urlencode "token=$refresh_token" "$base/revoke")" 400 "second revoke"

# 6. The fake's own log holds no token, code or secret.
for secret in "$refresh_token" "$access_token" "$narrow" "$code" "$client_secret"; do
  if grep -qF -- "$secret" "$work/fake.log"; then fail "a secret appears in the fake's log"; fi
done
echo "bqbroker-emulator smoke test: OK"
