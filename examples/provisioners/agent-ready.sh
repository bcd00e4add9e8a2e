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
#   409 the workspace failed or is gone.
set -euo pipefail

request="${1:?usage: agent-ready.sh REQUEST_JSON}"

# One JSON string member of the request (warmpool writes these values without quotes or backslashes).
member() {
  sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$request"
}

token="$(member agent_token)"
url="$(member agent_ready_url)"
[ -n "$token" ] && [ -n "$url" ] || { echo "agent-ready: no agent_token/agent_ready_url in $request" >&2; exit 2; }

# The token travels in a header read from stdin (-H @-), never on the command line where ps would show it.
printf 'Authorization: Bearer %s\n' "$token" | curl -fsS -X POST -H @- --max-time 10 "$url"
echo
