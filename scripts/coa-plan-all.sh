#!/usr/bin/env bash
# Plans the chart-of-accounts alignment of pipelines. coa-plan.yml and coa-apply.yml run it once per
# pipeline (each job holds only that pipeline's credentials); locally it plans every pipeline a
# change touches.
#   scripts/coa-plan-all.sh <base-commit> <out-dir> [pipeline...]
#     pipelines: the ones to plan; none = every pipeline changed since <base-commit>.
# Environment:
#   BILLSYNC_DATA_ROOT     where pipelines/ and mappings/ are read (default: this repository). The
#                          tool itself always runs from this repository: a pull request's files are data.
#   BILLSYNC_COMMENT_SHARE how many plans share one PR comment (default: the number planned here).
#   BILLSYNC_PLAN_HINT     where the markdown says the full plan is.
# Writes <out-dir>/<pipeline>.json (plan file), <pipeline>.md (its markdown) and comment.md (all of
# them). With $GITHUB_OUTPUT set, outputs `pipelines`, `changed` (plans that change Bill.com) and
# `failed`. `plan coa --detailed-exitcode` exits 0 (no changes) or 2 (changes, and a plan file was
# written); ANY other status is that pipeline's failure: the others are still planned, and the
# script exits 1 at the end so the job fails visibly.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-}"
out="$(mkdir -p "${2:-coa-plans}" && cd "${2:-coa-plans}" && pwd)"
shift $(( $# > 2 ? 2 : $# ))
data="$(cd "${BILLSYNC_DATA_ROOT:-$repo}" && pwd)"

if [ "$#" -gt 0 ]; then
  pipelines=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
else
  pipelines=$(cd "$repo" && node --import tsx scripts/affected-pipelines.ts "$base")
fi
count=$(jq length <<<"$pipelines")
share="${BILLSYNC_COMMENT_SHARE:-$count}"
# One PR comment holds every pipeline's plan: share GitHub's 65,535-character limit between them.
budget=$(( 60000 / (share > 0 ? share : 1) ))
hint="${BILLSYNC_PLAN_HINT:-the plan files in $out/}"

changed=()
failed=()
: > "$out/comment.md"
if [ "$count" -eq 0 ]; then
  echo "No pipeline is affected by this change." > "$out/comment.md"
fi
while IFS= read -r pipeline; do
  [ -n "$pipeline" ] || continue
  echo "== plan coa $pipeline" >&2
  rm -f "$out/$pipeline.json"
  set +e
  (cd "$data" && node "$repo/bin/billsync.mjs" plan coa "$pipeline" --out "$out/$pipeline.json" --format markdown --detailed-exitcode \
    --max-comment-chars "$budget" --full-plan-hint "$hint") > "$out/$pipeline.md" 2> "$out/$pipeline.log"
  rc=$?
  set -e
  cat "$out/$pipeline.log" >&2
  if [ "$rc" -eq 2 ] && ! jq -e '.actions | length' "$out/$pipeline.json" > /dev/null 2>&1; then
    echo "plan coa $pipeline exited 2 but wrote no readable plan file: treated as a failure" >&2
    rc=70
  fi
  case "$rc" in
    0) ;;
    2)
      if [ "$(jq '.actions | length' "$out/$pipeline.json")" -gt 0 ]; then changed+=("$pipeline"); fi
      ;;
    *)
      failed+=("$pipeline")
      echo "::error title=COA plan failed::billsync plan coa $pipeline exited $rc (the other pipelines are still planned)" >&2
      # billsync's error messages name variables and files, never secret values.
      {
        printf "### Chart-of-accounts plan: \`%s\`\n\n**Planning failed** (exit %s):\n\n\`\`\`\n" "$pipeline" "$rc"
        grep -v 'npm warn' "$out/$pipeline.log" | tail -n 8 | cut -c1-600
        printf '```\n'
      } > "$out/$pipeline.md"
      ;;
  esac
  { cat "$out/$pipeline.md"; echo; } >> "$out/comment.md"
done < <(jq -r '.[]' <<<"$pipelines")

as_json() { printf '%s\n' "$@" | jq -R . | jq -cs 'map(select(. != ""))'; }
changed_json=$(as_json "${changed[@]+"${changed[@]}"}")
failed_json=$(as_json "${failed[@]+"${failed[@]}"}")
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "pipelines=$(jq -c . <<<"$pipelines")"
    echo "changed=$changed_json"
    echo "failed=$failed_json"
  } >> "$GITHUB_OUTPUT"
fi
echo "planned: $(jq -c . <<<"$pipelines"); with Bill.com changes: $changed_json; failed: $failed_json" >&2
if [ "${#failed[@]}" -gt 0 ]; then exit 1; fi
