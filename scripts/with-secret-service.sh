#!/usr/bin/env bash
# Runs a command with a private Secret Service: its own D-Bus session bus and an unlocked
# gnome-keyring whose files live in a temporary folder, removed afterwards. The keychain tests
# run here, so they never touch the keyring of the person (or CI session) running them, and it
# works the same whether or not the caller is already inside a D-Bus session.
#   scripts/with-secret-service.sh npx vitest run --project keychain
# On other systems the command runs as it is, against the OS keychain.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 64
fi

if [ "$(uname -s)" != Linux ]; then
  exec "$@"
fi

# The keyring's password: it guards only throwaway test entries in a temporary folder.
keyring_password=tessera-test-keyring

if [ "$1" != --inside-private-bus ]; then
  for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$0: $tool is missing; install dbus and gnome-keyring (scripts/setup.sh --tests)" >&2
      exit 69
    fi
  done
  state="$(mktemp -d "${TMPDIR:-/tmp}/tessera-secret-service.XXXXXX")"
  trap 'rm -rf "$state"' EXIT
  mkdir -m 700 "$state/runtime" "$state/data"
  # The private folders are set for the whole bus, so a keyring daemon that D-Bus starts on
  # demand uses them too; the command gets the caller's own values back (see below).
  # The bus and keyring daemons chatter on stderr (as root: "Failed to set fd limit"); that
  # goes to a log, shown only if the private bus could not be set up. The command keeps the
  # caller's stderr through fd 3.
  status=0
  TESSERA_OUTER_XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR-__unset__}" \
    TESSERA_OUTER_XDG_DATA_HOME="${XDG_DATA_HOME-__unset__}" \
    XDG_RUNTIME_DIR="$state/runtime" XDG_DATA_HOME="$state/data" \
    dbus-run-session -- "$0" --inside-private-bus "$@" 3>&2 2>"$state/daemons.log" || status=$?
  if [ ! -e "$state/ready" ]; then
    echo "$0: could not start a private Secret Service:" >&2
    cat "$state/daemons.log" >&2
    [ "$status" -ne 0 ] || status=70
  fi
  exit "$status"
fi
shift

# Inside the private bus. A caller's gnome-keyring control socket must not be reused.
unset GNOME_KEYRING_CONTROL GNOME_KEYRING_PID
printf '%s' "$keyring_password" | gnome-keyring-daemon --unlock --components=secrets >/dev/null

# Wait until the keyring owns its bus name (it forks before it registers).
registered=false
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    registered=true
    break
  fi
  sleep 0.05
done
if ! $registered; then
  echo "gnome-keyring-daemon did not register org.freedesktop.secrets" >&2
  exit 70
fi
touch "$XDG_RUNTIME_DIR/../ready"

restore() {
  if [ "$2" = __unset__ ]; then unset "$1"; else export "$1=$2"; fi
}
restore XDG_RUNTIME_DIR "$TESSERA_OUTER_XDG_RUNTIME_DIR"
restore XDG_DATA_HOME "$TESSERA_OUTER_XDG_DATA_HOME"
unset TESSERA_OUTER_XDG_RUNTIME_DIR TESSERA_OUTER_XDG_DATA_HOME
# Tells the keychain tests they are not writing into a real keyring.
export TESSERA_SECRET_SERVICE=private

exec "$@" 2>&3 3>&-
