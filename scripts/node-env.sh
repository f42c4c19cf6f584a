# Sourced by scripts/npm and scripts/setup.sh: puts the Node that Tessera needs first on PATH.
# Tessera builds, tests and benchmarks run on Node 24, the major current Electron bundles
# (DESIGN.md §7). The machine's own Node is used when it is already 24 or newer; otherwise
# the Node binary published on the npm registry (node-<os>-<arch>) is kept in a cache folder.
TESSERA_NODE_VERSION="24.21.0"
TESSERA_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/tessera"

tessera_node_package() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) return 1 ;;
  esac
  echo "node-$os-$arch"
}

tessera_node_dir() {
  echo "$TESSERA_CACHE/node-$TESSERA_NODE_VERSION"
}

tessera_system_node_ok() {
  command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 24 ]
}

if [ -x "$(tessera_node_dir)/bin/node" ]; then
  PATH="$(tessera_node_dir)/bin:$PATH"
  export PATH
fi
