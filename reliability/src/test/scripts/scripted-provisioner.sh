#!/usr/bin/env bash
# A command provisioner whose behaviour a test scripts per preset, and whose workspaces are directories the
# test can count (the "real" resources, as opposed to the database's rows).
#
#   scripted-provisioner.sh create|delete ROOT
#
# ROOT/plan/<template>--<preset> holds words, one per create call of that preset, in order; the last word
# repeats (no file: "ok"):
#   ok       succeed at once          ok:<s>   sleep <s> seconds, then succeed
#   fail     exit 1 (transient)       hang     sleep 300 s (stands for a create that never returns)
# create: records "<n> <word> <workspace id> <pid>" in ROOT/calls/<template>--<preset> (n = the call's number,
#         counted under a lock); unless it fails, makes ROOT/ws/<template>--<preset>/<workspace id>/ before it
#         sleeps (so a create killed midway leaves its resource behind, as a real one would).
# delete: removes the workspace's directory; succeeds when it is already gone.
# Every process that sleeps writes its pid to ROOT/pids/<pid> (removed when done), so that a test can end the
# orphans of a killed service.
set -euo pipefail

action="$1"
root="$2"
key="${WARMPOOL_TEMPLATE}--${WARMPOOL_PRESET}"
id="${WARMPOOL_WORKSPACE_ID}"
[[ "$id" =~ ^[0-9a-f-]{36}$ ]] || { echo "bad workspace id '$id'" >&2; exit 65; }
mkdir -p "$root/calls" "$root/ws/$key" "$root/pids"
cat > /dev/null   # the request on stdin: not needed (the variables carry it)

case "$action" in
  create)
    exec 9>"$root/calls/.lock"
    n=$(
      flock 9
      count=1
      if [[ -f "$root/calls/$key" ]]; then count=$(( $(wc -l < "$root/calls/$key") + 1 )); fi
      words=(ok)
      if [[ -f "$root/plan/$key" ]]; then read -r -a words < "$root/plan/$key"; fi
      word="${words[$(( count <= ${#words[@]} ? count - 1 : ${#words[@]} - 1 ))]}"
      echo "$count $word $id $$" >> "$root/calls/$key"
      echo "$count $word"
    )
    exec 9>&-
    word="${n#* }"
    if [[ "$word" == fail ]]; then
      echo "scripted failure (call ${n%% *})" >&2
      exit 1
    fi
    mkdir -p "$root/ws/$key/$id"
    case "$word" in
      ok) ;;
      ok:*)
        echo $$ > "$root/pids/$$"
        sleep "${word#ok:}"
        rm -f "$root/pids/$$"
        ;;
      hang)
        echo $$ > "$root/pids/$$"
        exec sleep 300
        ;;
      *)
        echo "unknown word '$word' in $root/plan/$key" >&2
        exit 65
        ;;
    esac
    printf '{"outputs": {"path": "%s"}}\n' "$root/ws/$key/$id"
    ;;
  delete)
    rm -rf -- "$root/ws/$key/$id"
    ;;
  *)
    echo "unknown transition '$action'" >&2
    exit 65
    ;;
esac
