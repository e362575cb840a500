#!/bin/sh
# Writes REGISTRY_AUTH_DIR/htpasswd (default .data/registry-auth/htpasswd), the user file of the
# `registry-auth` service in docker-compose.yml, which mounts the same REGISTRY_AUTH_DIR: one
# bcrypt entry for REGISTRY_AUTH_USER / REGISTRY_AUTH_PASSWORD. The defaults are a throwaway
# local test account, not a secret; the file is generated, never committed (.data/ is
# git-ignored). A relative REGISTRY_AUTH_DIR is taken from the repository root, as docker compose
# takes it from the compose file's directory. Run it before `docker compose up`, or before
# `docker-registry serve` with `auth.htpasswd.path` set to the file:
#
#   scripts/registry-auth-htpasswd.sh
#   REGISTRY_AUTH_USER=me REGISTRY_AUTH_PASSWORD=another-password scripts/registry-auth-htpasswd.sh
#   REGISTRY_AUTH_DIR=/tmp/registry-auth scripts/registry-auth-htpasswd.sh
#
# Needs htpasswd (Debian/Ubuntu: apache2-utils), or perl with a libcrypt that makes bcrypt
# (libxcrypt, as on Debian 12 and Ubuntu 22.04+).
set -eu

user="${REGISTRY_AUTH_USER:-hla-compass}"
password="${REGISTRY_AUTH_PASSWORD:-hla-compass-dev-password}"
case "$user" in
  '' | *:* | *[[:space:]]*)
    echo "registry-auth-htpasswd: REGISTRY_AUTH_USER must be non-empty, without ':' or spaces" >&2
    exit 2
    ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="${REGISTRY_AUTH_DIR:-.data/registry-auth}"
case "$dir" in
  /*) ;;
  *) dir="$root/$dir" ;;
esac
mkdir -p "$dir"

if command -v htpasswd >/dev/null 2>&1; then
  # -i reads the password from stdin, so it never shows in the process list.
  entry="$(printf '%s\n' "$password" | htpasswd -niB "$user")"
else
  hash="$(PASSWORD="$password" perl -e '
    my @alphabet = (".", "/", "A" .. "Z", "a" .. "z", "0" .. "9");
    my $salt = join "", map { $alphabet[int rand @alphabet] } 1 .. 22;
    print crypt($ENV{PASSWORD}, "\$2b\$10\$" . $salt) // "";
  ')"
  entry="$user:$hash"
fi

case "$entry" in
  "$user:\$2"*) ;;
  *)
    echo "registry-auth-htpasswd: could not make a bcrypt hash; install htpasswd (apt-get install apache2-utils)" >&2
    exit 1
    ;;
esac

printf '%s\n' "$entry" >"$dir/htpasswd"
echo "registry-auth-htpasswd: wrote $dir/htpasswd for user $user"
