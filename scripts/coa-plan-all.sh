#!/usr/bin/env bash
# Plans the chart-of-accounts alignment of every pipeline a change touches (used by coa-plan.yml and
# coa-apply.yml; runs the same locally).
#   scripts/coa-plan-all.sh <base-commit> <out-dir>
# Writes <out-dir>/<pipeline>.json (plan file), <pipeline>.md (its markdown) and comment.md (all of
# them, sized for one PR comment). With $GITHUB_OUTPUT set, outputs `pipelines` (affected) and
# `changed` (pipelines whose plan changes Bill.com). Exits 1 if any pipeline could not be planned.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-}"
out="${2:-coa-plans}"
mkdir -p "$out"

pipelines=$(node --import tsx scripts/affected-pipelines.ts "$base")
count=$(jq length <<<"$pipelines")
# One PR comment holds every pipeline's plan: share GitHub's 65,535-character limit between them.
budget=$(( 60000 / (count > 0 ? count : 1) ))
hint="${BILLSYNC_PLAN_HINT:-the plan files in $out/}"

changed=()
failed=0
: > "$out/comment.md"
if [ "$count" -eq 0 ]; then
  echo "No pipeline is affected by this change." > "$out/comment.md"
fi
for pipeline in $(jq -r '.[]' <<<"$pipelines"); do
  echo "== plan coa $pipeline" >&2
  set +e
  npx billsync plan coa "$pipeline" --out "$out/$pipeline.json" --format markdown --detailed-exitcode \
    --max-comment-chars "$budget" --full-plan-hint "$hint" > "$out/$pipeline.md" 2> "$out/$pipeline.log"
  rc=$?
  set -e
  cat "$out/$pipeline.log" >&2
  case "$rc" in
    0) ;;
    2)
      if [ "$(jq '.actions | length' "$out/$pipeline.json")" -gt 0 ]; then changed+=("$pipeline"); fi
      ;;
    *)
      failed=1
      # billsync's error messages name variables and files, never secret values.
      {
        printf '### Chart-of-accounts plan: `%s`\n\n**Planning failed** (exit %s):\n\n```\n' "$pipeline" "$rc"
        grep -v 'npm warn' "$out/$pipeline.log" | tail -n 8 | cut -c1-600
        printf '```\n'
      } > "$out/$pipeline.md"
      ;;
  esac
  { cat "$out/$pipeline.md"; echo; } >> "$out/comment.md"
done

changed_json=$(printf '%s\n' "${changed[@]+"${changed[@]}"}" | jq -R . | jq -cs 'map(select(. != ""))')
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "pipelines=$(jq -c . <<<"$pipelines")" >> "$GITHUB_OUTPUT"
  echo "changed=$changed_json" >> "$GITHUB_OUTPUT"
fi
echo "affected: $(jq -c . <<<"$pipelines"); with Bill.com changes: $changed_json" >&2
exit "$failed"
