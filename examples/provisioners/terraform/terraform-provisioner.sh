#!/usr/bin/env bash
# A warmpool command provisioner that keeps one Terraform working directory (and state) per workspace.
#
#   terraform-provisioner.sh create|delete [ROOT]
#
# ROOT: the second argument, else $TF_PROVISIONER_ROOT, else ./.warmpool/terraform. create copies
# main.tf beside this script into ROOT/<workspace id>/, runs init, validate and apply there, and
# prints the `warmpool_outputs` output as warmpool's outputs JSON; delete destroys and removes it.
# Terraform's own output goes to stderr (warmpool keeps its tail in the build log). An invalid
# configuration exits 65 (permanent); any other Terraform failure exits non-zero (transient).
set -euo pipefail

here="$(cd -- "$(dirname -- "$0")" && pwd)"
action="${1:-${WARMPOOL_TRANSITION:-}}"
root="${2:-${TF_PROVISIONER_ROOT:-./.warmpool/terraform}}"
id="${WARMPOOL_WORKSPACE_ID:-}"
export TF_IN_AUTOMATION=1 TF_INPUT=0

[[ "$id" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]] || {
  echo '{"permanent": true, "error": "WARMPOOL_WORKSPACE_ID is not a UUID"}'
  exit 65
}
dir="$root/$id"
vars=(-var "workspace_id=$id" -var "workspace_name=${WARMPOOL_WORKSPACE_NAME:-}"
      -var "preset=${WARMPOOL_TEMPLATE:-}/${WARMPOOL_PRESET:-}")

case "$action" in
  create)
    mkdir -p -- "$dir"
    cp -- "$here/main.tf" "$dir/main.tf"
    terraform -chdir="$dir" init -input=false -no-color >&2
    if ! terraform -chdir="$dir" validate -no-color >&2; then
      echo '{"permanent": true, "error": "the Terraform configuration is invalid"}'
      exit 65
    fi
    terraform -chdir="$dir" apply -auto-approve -input=false -no-color "${vars[@]}" >&2
    terraform -chdir="$dir" output -no-color -json warmpool_outputs
    ;;
  delete)
    if [ -d "$dir" ]; then
      terraform -chdir="$dir" destroy -auto-approve -input=false -no-color "${vars[@]}" >&2
      rm -rf -- "$dir"
    fi
    ;;
  *)
    echo "{\"permanent\": true, \"error\": \"unknown transition (expected create or delete)\"}"
    exit 65
    ;;
esac
