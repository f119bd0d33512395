#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those that are missing.
#   scripts/system-deps.sh          runtime: Japanese fonts and WeasyPrint's libraries
#   scripts/system-deps.sh --test   also Chromium (browser tests) and poppler-utils (PDF checks)
set -euo pipefail

packages=(fonts-ipaexfont-gothic fonts-ipaexfont-mincho libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(chromium poppler-utils)
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Debian パッケージをインストールします: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "root 権限か sudo が必要です: apt-get install ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
