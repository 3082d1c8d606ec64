#!/usr/bin/env bash
# Make sure the Debian packages the project needs are present.
# Installs them with apt-get when run as root, through sudo when that works
# without a password, and otherwise prints the exact command and fails.
set -euo pipefail

need=()
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
for extra in "$@"; do
  case "$extra" in
    shellcheck) command -v shellcheck >/dev/null || need+=(shellcheck) ;;
    xvfb) command -v Xvfb >/dev/null || need+=(xvfb) ;;
    *) dpkg -s "$extra" >/dev/null 2>&1 || need+=("$extra") ;;
  esac
done

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get)
else
  echo "缺少系统软件包 (missing Debian packages): ${need[*]}" >&2
  echo "请先运行 (run first): sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
"${apt[@]}" update -q
DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -q --no-install-recommends "${need[@]}"
