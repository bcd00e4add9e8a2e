#!/usr/bin/env bash
# An example workspace agent (SPEC R10, readiness: {check: agent}): once the workspace is usable, it tells
# warmpool so, with the workspace's own token, and the prebuild becomes eligible for claims.
#
#   agent-ready.sh REQUEST_JSON
#
# REQUEST_JSON is the create request warmpool sent to the provisioner (dir-provisioner.sh keeps it as
# <workspace>/request.json); a real provisioner hands agent_token and agent_ready_url to the machine it boots
# (cloud-init, a secret, an environment variable) and the agent runs this when its health checks pass.
# The token is valid only for POST <agent_ready_url> of that one workspace:
#   200 ready (again: idempotent), 401 no or unknown token, 403 another workspace's token,
#   409 its create has not been recorded yet (an agent can boot before the provisioner's create returns), or the
#   workspace failed or is gone. A 409 is asked again every AGENT_READY_RETRY_DELAY seconds (2), up to
#   AGENT_READY_ATTEMPTS times in all (30); any other answer ends the script at once.
set -euo pipefail

request="${1:?usage: agent-ready.sh REQUEST_JSON}"

# One JSON string member of the request (warmpool writes these values without quotes or backslashes).
member() {
  sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$request"
}

token="$(member agent_token)"
url="$(member agent_ready_url)"
[ -n "$token" ] && [ -n "$url" ] || { echo "agent-ready: no agent_token/agent_ready_url in $request" >&2; exit 2; }

attempts="${AGENT_READY_ATTEMPTS:-30}"
delay="${AGENT_READY_RETRY_DELAY:-2}"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
for ((i = 1; ; i++)); do
  # The token travels in a header read from stdin (-H @-), never on the command line where ps would show it.
  status="$(printf 'Authorization: Bearer %s\n' "$token" \
    | curl -sS -X POST -H @- --max-time 10 -o "$body" -w '%{http_code}' "$url")" || exit 1
  if [ "$status" = 200 ]; then
    cat "$body"; echo
    exit 0
  fi
  if [ "$status" != 409 ] || [ "$i" -ge "$attempts" ]; then
    echo "agent-ready: HTTP $status from $url: $(cat "$body")" >&2
    exit 22
  fi
  sleep "$delay"
done
