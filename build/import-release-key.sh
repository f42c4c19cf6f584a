#!/usr/bin/env bash
# Imports the OpenPGP release key for release.yml into a throwaway GNUPGHOME under RUNNER_TEMP
# (removed by a later step). Reads LINUX_GPG_PRIVATE_KEY (ASCII-armored secret key) and
# LINUX_GPG_PASSPHRASE from the environment and never prints either; the passphrase reaches gpg
# and rpmsign only through a file readable by this user.
#
# For later steps it appends to GITHUB_ENV: GNUPGHOME, RELEASE_KEY_FINGERPRINT and
# RELEASE_KEY_PASSPHRASE_FILE, and writes the public key to $RUNNER_TEMP/tessera-release-key.asc.
# Without a key it does nothing (a manual build stays unsigned), unless --required (a release).
set -euo pipefail

required=false
if [ "${1:-}" = --required ]; then required=true; fi

if [ -z "${LINUX_GPG_PRIVATE_KEY:-}" ] || [ -z "${LINUX_GPG_PASSPHRASE:-}" ]; then
  if [ "$required" = true ]; then
    echo "::error::No Linux release key (LINUX_GPG_PRIVATE_KEY and LINUX_GPG_PASSPHRASE)"
    exit 1
  fi
  echo "No Linux release key: nothing is signed"
  exit 0
fi

home="$RUNNER_TEMP/gnupg"
passphrase_file="$RUNNER_TEMP/gpg-passphrase"
(umask 077 && mkdir -p "$home" && printf '%s' "$LINUX_GPG_PASSPHRASE" > "$passphrase_file")
export GNUPGHOME="$home"
printf '%s\n' "$LINUX_GPG_PRIVATE_KEY" | gpg --batch --quiet --import

# Exactly one secret key: the one that signs.
mapfile -t fingerprints < <(
  gpg --batch --with-colons --list-secret-keys |
    awk -F: '$1 == "sec" { primary = 1; next } $1 == "fpr" && primary { print $10; primary = 0 }'
)
if [ "${#fingerprints[@]}" -ne 1 ]; then
  echo "::error::LINUX_GPG_PRIVATE_KEY must hold exactly one secret key"
  exit 1
fi
fingerprint="${fingerprints[0]}"

# A wrong passphrase fails here, before anything is signed. (Never `--output /dev/null`: gpg
# replaces its output file, and as root that turns /dev/null into a plain file.)
check_file="$RUNNER_TEMP/passphrase-check.sig"
printf 'check\n' | gpg --batch --pinentry-mode loopback --passphrase-file "$passphrase_file" \
  --local-user "$fingerprint" --detach-sign --output "$check_file"
rm -f "$check_file"

gpg --batch --armor --export "$fingerprint" > "$RUNNER_TEMP/tessera-release-key.asc"
{
  echo "GNUPGHOME=$home"
  echo "RELEASE_KEY_FINGERPRINT=$fingerprint"
  echo "RELEASE_KEY_PASSPHRASE_FILE=$passphrase_file"
} >> "$GITHUB_ENV"
echo "Release key $fingerprint imported"
