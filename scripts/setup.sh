#!/usr/bin/env bash
# Installs what Tessera needs; safe to run again (each step is skipped when already done).
#   scripts/setup.sh           Node 24 and the npm packages: enough to build and start the app
#   scripts/setup.sh --tests   also the Debian packages and the Synapse virtualenv the tests use
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=node-env.sh
. scripts/node-env.sh

with_tests=false
[ "${1:-}" = "--tests" ] && with_tests=true

step() { printf '\n== %s\n' "$*"; }

# 1. Debian packages for the tests: Chromium for Playwright, dbus and gnome-keyring for the
#    Secret Service, python3-venv for Synapse, openssl for the TLS tests, shellcheck for the
#    scripts of the release workflow (run by actionlint, step 5), gnupg and rpm for the tests that
#    run its signing steps (test/shell/release-workflow.test.ts).
if $with_tests; then
  packages=(chromium dbus dbus-daemon gnome-keyring libsecret-1-0 python3-venv openssl shellcheck gnupg rpm)
  missing=()
  for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    step "Installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# 2. Node 24, from the npm registry's node-<os>-<arch> package, unless the machine has it.
if ! tessera_system_node_ok; then
  package="$(tessera_node_package)" || {
    echo "No Node $TESSERA_NODE_VERSION package for $(uname -s)/$(uname -m); install Node 24 yourself." >&2
    exit 1
  }
  step "Fetching Node $TESSERA_NODE_VERSION ($package) into $(tessera_node_dir)"
  mkdir -p "$TESSERA_CACHE"
  staging="$(mktemp -d "$TESSERA_CACHE/node-staging-XXXXXX")"
  (cd "$staging" && npm pack --silent "$package@$TESSERA_NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$(tessera_node_dir)"
  mv "$staging/package" "$(tessera_node_dir)"
  rm -rf "$staging"
  PATH="$(tessera_node_dir)/bin:$PATH"
  export PATH
fi
echo "Node $(node --version) at $(command -v node)"

# 3. npm packages, exactly as the lockfile says.
step "Installing npm packages (npm ci)"
npm ci --no-audit --no-fund

# 4. The Synapse the integration and UI tests start (the test setup would install it too).
if $with_tests; then
  step "Preparing the Synapse virtualenv"
  node --input-type=module -e "await (await import('./test/homeserver/synapse-venv.ts')).ensureSynapseVenv()"
fi

# 5. actionlint, which checks .github/workflows in the shell tests, built with Go from the Go
#    module proxy into the cache folder (test/shell/release-workflow.test.ts looks there).
if $with_tests; then
  actionlint_version=1.7.12
  actionlint="$TESSERA_CACHE/bin/actionlint"
  installed="$("$actionlint" -version 2>/dev/null || true)"
  if [ "${installed%%$'\n'*}" != "v$actionlint_version" ]; then
    go_tool="$(command -v go || echo /usr/local/go/bin/go)"
    if [ ! -x "$go_tool" ]; then
      echo "Go is needed to build actionlint $actionlint_version; install Go and run again." >&2
      exit 1
    fi
    step "Building actionlint $actionlint_version into $TESSERA_CACHE/bin"
    mkdir -p "$TESSERA_CACHE/bin"
    GOBIN="$TESSERA_CACHE/bin" GOFLAGS=-buildvcs=false \
      "$go_tool" install "github.com/rhysd/actionlint/cmd/actionlint@v$actionlint_version"
  fi
fi
