#!/usr/bin/env bash
# Install the lobby display onto Raspberry Pi OS Lite (Bookworm or later, 64-bit).
#
#   sudo scripts/install-pi.sh [--dry-run] [options]
#
# What it does (each step is idempotent; running it again upgrades in place):
#   1. apt packages: CJK fonts, cec-ctl (v4l-utils), python3-venv, GBM/EGL for SDL's kmsdrm
#   2. a virtual environment in /opt/kiosk/venv with this source tree installed into it
#   3. the `kiosk` system user (sysusers.d) in groups video, render, input
#   4. /etc/kiosk/kiosk.yaml and /etc/kiosk/playlist.yaml from the examples — never
#      overwriting what is there (a newer example is left beside it as *.example)
#   5. the systemd units kiosk-player.service and kiosk-daemon.service, enabled; the login
#      prompt on tty1 (where the player draws) disabled
#   6. with --configure-boot: forced HDMI mode and no console blanking on the kernel
#      command line (/boot/firmware/cmdline.txt)
#
# Options:
#   --dry-run          print every action, change nothing
#   --no-apt           skip apt-get (packages already installed / offline)
#   --no-venv          skip creating/upgrading the virtual environment
#   --no-start         enable the units but do not (re)start them now
#   --configure-boot   also edit cmdline.txt (kept as cmdline.txt.kiosk-backup)
#   --mode WxH@R       forced HDMI mode for --configure-boot (default 1920x1080@60)
#   --output NAME      HDMI connector for --configure-boot (default HDMI-A-1)
#   -h, --help         this text
#
# Environment:
#   KIOSK_ROOT=/path   install into another root (an image being prepared, or a test);
#                      systemctl/systemd-sysusers then work offline with --root and
#                      nothing is started
#   KIOSK_PREFIX       install prefix (default /opt/kiosk)
set -euo pipefail

ROOT="${KIOSK_ROOT:-/}"
ROOT="${ROOT%/}"
PREFIX="${KIOSK_PREFIX:-/opt/kiosk}"
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

DRY_RUN=0
DO_APT=1
DO_VENV=1
DO_START=1
DO_BOOT=0
MODE="1920x1080@60"
OUTPUT="HDMI-A-1"

APT_PACKAGES=(
  fonts-noto-cjk    # Noto Sans/Serif CJK; the SC face is index 2 of the .ttc
  v4l-utils         # cec-ctl: HDMI-CEC standby / wake for the TV
  python3-venv
  python3-pip
  libgbm1           # SDL kmsdrm: buffers and EGL on the DRM device
  libegl1
  libgles2
  libdrm2
  systemd-timesyncd # the Pi has no RTC: network time before any expiry/power decision
  tzdata
)

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --no-apt) DO_APT=0 ;;
    --no-venv) DO_VENV=0 ;;
    --no-start) DO_START=0 ;;
    --configure-boot) DO_BOOT=1 ;;
    --mode) shift; MODE="${1:?--mode needs WxH@R}" ;;
    --output) shift; OUTPUT="${1:?--output needs a connector name}" ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install-pi.sh: 未知选项 (unknown option): $1" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '==> %s\n' "$*"; }

# Run a command, or only print it in --dry-run mode.
run() {
  if [ "$DRY_RUN" -eq 1 ]; then
    printf '[dry-run]'
    printf ' %q' "$@"
    printf '\n'
  else
    printf '+'
    printf ' %q' "$@"
    printf '\n'
    "$@"
  fi
}

# install_file SRC DEST MODE: copy when missing or different (DEST is inside ROOT).
install_file() {
  local src="$1" dest="$ROOT$2" mode="$3"
  if [ -f "$dest" ] && cmp -s "$src" "$dest"; then
    say "unchanged: $2"
    return 0
  fi
  run install -D -m "$mode" "$src" "$dest"
}

# install_config SRC DEST: never overwrite an edited config; leave the new example beside it.
install_config() {
  local src="$1" dest="$ROOT$2"
  if [ ! -e "$dest" ]; then
    run install -D -m 0644 "$src" "$dest"
  elif cmp -s "$src" "$dest"; then
    say "unchanged: $2"
  else
    say "kept local edits: $2 (new example: $2.example)"
    install_file "$src" "$2.example" 0644
  fi
}

systemctl_() {
  if [ "$ROOT" = "" ]; then
    run systemctl "$@"
  else
    run systemctl --root="$ROOT" "$@"
  fi
}

if [ "$DRY_RUN" -eq 0 ] && [ "$ROOT" = "" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-pi.sh: 请用 sudo 运行 (run as root: sudo $0 $*)" >&2
  exit 1
fi
if [ "$DRY_RUN" -eq 1 ]; then
  say "dry run: nothing is changed (root: ${ROOT:-/})"
fi

# 1. packages ------------------------------------------------------------------------
if [ "$DO_APT" -eq 1 ]; then
  say "apt packages"
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${APT_PACKAGES[@]}"
fi

# 2. the program -----------------------------------------------------------------------
if [ "$DO_VENV" -eq 1 ]; then
  say "virtual environment in $PREFIX/venv"
  if [ ! -x "$ROOT$PREFIX/venv/bin/python" ]; then
    run python3 -m venv "$ROOT$PREFIX/venv"
  else
    say "unchanged: $PREFIX/venv (exists; upgrading the package)"
  fi
  run "$ROOT$PREFIX/venv/bin/pip" install -q --upgrade pip
  run "$ROOT$PREFIX/venv/bin/pip" install -q --upgrade "$SRC"
fi
say "documentation in $PREFIX/docs"
for doc in "$SRC"/docs/*.md; do
  [ -e "$doc" ] || continue
  install_file "$doc" "$PREFIX/docs/$(basename "$doc")" 0644
done

# 3. user ------------------------------------------------------------------------------
say "system user kiosk"
install_file "$SRC/systemd/kiosk.sysusers" /usr/lib/sysusers.d/kiosk.conf 0644
if [ "$ROOT" = "" ]; then
  run systemd-sysusers /usr/lib/sysusers.d/kiosk.conf
else
  run systemd-sysusers --root="$ROOT" "$ROOT/usr/lib/sysusers.d/kiosk.conf"
fi

# 4. configuration ---------------------------------------------------------------------
say "configuration in /etc/kiosk"
install_config "$SRC/systemd/kiosk.example.yaml" /etc/kiosk/kiosk.yaml
if [ -f "$SRC/playlists/demo.yaml" ]; then
  install_config "$SRC/playlists/demo.yaml" /etc/kiosk/playlist.yaml
fi

# 5. services --------------------------------------------------------------------------
say "systemd units"
install_file "$SRC/systemd/kiosk-player.service" /etc/systemd/system/kiosk-player.service 0644
install_file "$SRC/systemd/kiosk-daemon.service" /etc/systemd/system/kiosk-daemon.service 0644
if [ "$ROOT" = "" ]; then
  run systemctl daemon-reload
fi
# The player owns tty1; a login prompt there would fight it for the console.
systemctl_ disable getty@tty1.service
systemctl_ enable kiosk-daemon.service kiosk-player.service
if [ "$ROOT" = "" ] && [ "$DO_START" -eq 1 ]; then
  run systemctl restart kiosk-daemon.service kiosk-player.service
fi

# 6. boot settings ---------------------------------------------------------------------
CMDLINE="$ROOT/boot/firmware/cmdline.txt"
BOOT_ARGS=("video=$OUTPUT:${MODE}D" "consoleblank=0")
if [ "$DO_BOOT" -eq 1 ]; then
  say "kernel command line: ${BOOT_ARGS[*]}"
  if [ ! -f "$CMDLINE" ]; then
    echo "install-pi.sh: 找不到 $CMDLINE (not Raspberry Pi OS Bookworm?)" >&2
    exit 1
  fi
  line="$(head -n 1 "$CMDLINE")"
  new="$line"
  for arg in "${BOOT_ARGS[@]}"; do
    key="${arg%%=*}="
    case " $new " in
      *" $arg "*) ;;
      *" $key"*)
        say "kept existing ${key%=} setting in cmdline.txt (wanted $arg)"
        ;;
      *) new="$new $arg" ;;
    esac
  done
  if [ "$new" = "$line" ]; then
    say "unchanged: /boot/firmware/cmdline.txt"
  else
    run cp -p "$CMDLINE" "$CMDLINE.kiosk-backup"
    if [ "$DRY_RUN" -eq 1 ]; then
      printf '[dry-run] write %q: %s\n' "$CMDLINE" "$new"
    else
      printf '%s\n' "$new" >"$CMDLINE"
      say "wrote $CMDLINE (reboot to apply)"
    fi
  fi
else
  say "boot settings not changed; for a TV that is off at boot add to /boot/firmware/cmdline.txt:"
  say "  ${BOOT_ARGS[*]}   (or rerun with --configure-boot; see docs/deploy.md)"
fi

say "done. Check with: sudo -u kiosk $PREFIX/venv/bin/kiosk doctor"
