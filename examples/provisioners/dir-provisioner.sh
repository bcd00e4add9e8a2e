#!/usr/bin/env bash
# A working warmpool command provisioner: every workspace is a directory holding the request that made it.
#
#   dir-provisioner.sh create|delete|check|claim [ROOT]
#
# ROOT is where workspace directories go: the second argument, else $DIR_PROVISIONER_ROOT, else
# ./.warmpool/workspaces. warmpool passes the request in WARMPOOL_* variables and as JSON on stdin
# (see README.md). create makes ROOT/<workspace id>/ with request.json (stdin as received) and
# workspace.txt, and prints the outputs {"path", "url"} as JSON on stdout; delete removes the
# directory and succeeds when it is already gone, so both can be retried safely.
# check prints {"status": "gone"} when the directory no longer exists, else {"status": "ready"} — or
# {"status": "starting"} for the first N checks of a workspace when ROOT/.ready-after-checks holds N (a
# workspace that takes N readiness checks to boot; a large N is one that never gets ready).
# claim hands the workspace over: it writes owner.txt (new owner, new name, the claim's parameters) and
# claim.json (stdin as received) into the directory and prints the outputs {"owner", "name"}; a
# workspace whose directory is gone cannot be claimed (exit 1, a failed claim).
# Exit 65 with {"permanent": true, ...} on stdout marks an error that retrying cannot fix.
set -euo pipefail

action="${1:-${WARMPOOL_TRANSITION:-}}"
root="${2:-${DIR_PROVISIONER_ROOT:-./.warmpool/workspaces}}"
id="${WARMPOOL_WORKSPACE_ID:-}"

# A JSON string literal for $1 (backslash, quote and control characters escaped).
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

permanent() {
  printf '{"permanent": true, "error": %s}\n' "$(json_string "$1")"
  echo "dir-provisioner: $1" >&2
  exit 65
}

# The id becomes a path: accept only a UUID, so no request can reach outside ROOT.
[[ "$id" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]] \
  || permanent "WARMPOOL_WORKSPACE_ID '$id' is not a UUID"
dir="$root/$id"

case "$action" in
  create)
    mkdir -p -- "$dir"
    if [ -t 0 ]; then
      echo '{}' > "$dir/request.json"   # run by hand from a terminal: no request on stdin
    else
      cat > "$dir/request.json"
    fi
    {
      echo "workspace: $id"
      echo "name: ${WARMPOOL_WORKSPACE_NAME:-}"
      echo "owner: ${WARMPOOL_OWNER:-}"
      echo "preset: ${WARMPOOL_TEMPLATE:-}@${WARMPOOL_TEMPLATE_VERSION:-}/${WARMPOOL_PRESET:-}"
      env | grep '^WARMPOOL_PARAM_' | sort || true
    } > "$dir/workspace.txt"
    path="$(cd -- "$dir" && pwd)"
    echo "dir-provisioner: created $path" >&2
    printf '{"outputs": {"path": %s, "url": %s}}\n' "$(json_string "$path")" "$(json_string "file://$path")"
    ;;
  delete)
    rm -rf -- "$dir"
    echo "dir-provisioner: deleted $dir" >&2
    ;;
  check)
    if [ -d "$dir" ]; then
      needed=0
      [ -f "$root/.ready-after-checks" ] && needed="$(tr -dc 0-9 < "$root/.ready-after-checks")"
      checks=$(( $(cat "$dir/checks" 2>/dev/null || echo 0) + 1 ))
      echo "$checks" > "$dir/checks"
      if [ "$checks" -le "${needed:-0}" ]; then
        echo '{"status": "starting"}'
      else
        echo '{"status": "ready"}'
      fi
    else
      echo "dir-provisioner: $dir is gone" >&2
      echo '{"status": "gone"}'
    fi
    ;;
  claim)
    if [ ! -d "$dir" ]; then
      printf '{"error": %s}\n' "$(json_string "workspace $id is gone; it cannot be claimed")"
      exit 1
    fi
    if [ -t 0 ]; then
      echo '{}' > "$dir/claim.json"
    else
      cat > "$dir/claim.json"
    fi
    {
      echo "owner: ${WARMPOOL_OWNER:-}"
      echo "name: ${WARMPOOL_WORKSPACE_NAME:-}"
      env | grep '^WARMPOOL_PARAM_' | sort || true
    } > "$dir/owner.txt"
    echo "dir-provisioner: claimed $dir for ${WARMPOOL_OWNER:-}" >&2
    printf '{"outputs": {"owner": %s, "name": %s}}\n' "$(json_string "${WARMPOOL_OWNER:-}")" \
      "$(json_string "${WARMPOOL_WORKSPACE_NAME:-}")"
    ;;
  *)
    permanent "unknown transition '$action' (expected create, delete, check or claim)"
    ;;
esac
