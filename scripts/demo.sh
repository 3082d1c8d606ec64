#!/usr/bin/env bash
# `make demo`: the whole path on one machine, with the demo content the project ships.
#
#   1. check the example playlists (kiosk validate) and show today's plan (kiosk schedule);
#   2. publish assets/demo/ with a demo signing key into a local portal directory, plus a
#      signed urgent-alert document;
#   3. serve that directory on 127.0.0.1 (kiosk portal serve);
#   4. sync it into a local content store (kiosk sync --once), verified like a real device;
#   5. run the scheduler daemon beside the player (alert poll, screen power, nightly sync);
#   6. play: a window when a desktop is there, fullscreen on a Pi console (KMS/DRM),
#      otherwise headless for DEMO_SECONDS with a screenshot.
#
# Everything goes under var/demo/ (git-ignored); rerunning reuses the key and the store.
# Environment: DEMO_MODE=window|fullscreen|headless to choose, DEMO_SECONDS (headless run
# length, default 60), DEMO_PORT (default: any free port), DEMO_DIR (default var/demo).
set -euo pipefail
cd "$(dirname "$0")/.."

bin="$PWD/.venv/bin"
kiosk="$bin/kiosk"
work="${DEMO_DIR:-$PWD/var/demo}"
mkdir -p "$work"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

step() { printf '\n== %s\n' "$*"; }

step "1/6 检查播放列表 (validate the example playlists)"
"$kiosk" validate playlists/*.yaml
"$kiosk" schedule playlists/demo.yaml

step "2/6 发布演示内容 (publish assets/demo with a demo key)"
if [ ! -f "$work/portal.key" ]; then
  "$kiosk" keygen --out "$work/portal.key"
fi
mkdir -p "$work/portal"
"$kiosk" publish assets/demo --out "$work/portal" --key "$work/portal.key"
# An urgent notice that expires in three days, so the demo always has a current one.
expires="$(TZ=Asia/Shanghai date -d '+3 days' '+%Y-%m-%d 18:00')"
cat >"$work/alerts.yaml" <<EOF
# 演示用紧急通知 (demo urgent notice; written by scripts/demo.sh)
alerts:
  - id: demo-heating
    level: blue
    title: 供暖管网检修提示
    body: 本周镇区供暖管网例行检修，如遇暖气不热，请拨打镇政府值班电话 0470-8942932。
    expires: $expires
    disclosure: 主动公开
EOF
"$kiosk" alerts publish "$work/alerts.yaml" --key "$work/portal.key" --out "$work/portal"

step "3/6 启动本地门户 (serve the portal on 127.0.0.1)"
rm -f "$work/portal.port"
"$kiosk" portal serve "$work/portal" --host 127.0.0.1 --port "${DEMO_PORT:-0}" \
  --port-file "$work/portal.port" >"$work/portal.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do
  [ -s "$work/portal.port" ] && break
  sleep 0.1
done
if [ ! -s "$work/portal.port" ]; then
  echo "门户没有启动，见 $work/portal.log (the portal did not start)" >&2
  exit 1
fi
port="$(cat "$work/portal.port")"
echo "http://127.0.0.1:$port/"

# The demo device's configuration: the local portal, the demo key, a local store. The
# screen stays on all day so the demo shows something at any hour.
cat >"$work/kiosk.yaml" <<EOF
# 演示设备配置 (demo device configuration; written by scripts/demo.sh)
playlist: $PWD/playlists/demo.yaml
state_dir: $work/state
timezone: Asia/Shanghai
portal:
  source: http://127.0.0.1:$port/
  public_key: $work/portal.key.pub
power:
  backend: blank
  workdays_only: false
  hours:
    mon-sun: 00:00-24:00
EOF
export KIOSK_CONFIG="$work/kiosk.yaml"

step "4/6 同步内容 (sync into the local content store)"
"$kiosk" sync --once

step "5/6 启动后台服务 (the scheduler daemon, log in var/demo/daemon.log)"
"$kiosk" daemon >"$work/daemon.log" 2>&1 &
pids+=("$!")

mode="${DEMO_MODE:-}"
if [ -z "$mode" ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    mode=window
  elif [ -t 0 ] && [ "${TERM:-}" = linux ] && compgen -G '/dev/dri/card*' >/dev/null; then
    mode=fullscreen # a Pi console without a desktop: KMS/DRM
  else
    mode=headless
  fi
fi

# Outside office hours on a non-working day the demo playlist has nothing scheduled and the
# player shows its calm default slide; headless runs jump to the next working morning.
fake=()
if [ "$mode" = headless ]; then
  morning="$("$bin/python" - <<'EOF'
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.workcal import load_calendar

tz = ZoneInfo("Asia/Shanghai")
now = datetime.now(tz)
calendar, _ = load_calendar(None)
day = now.date()
if now.time() >= time(17, 0):
    day += timedelta(days=1)
while not calendar.is_workday(day):
    day += timedelta(days=1)
start = datetime.combine(day, time(9, 30), tz)
print(max(start, now).isoformat(timespec="seconds"))
EOF
)"
  fake=(--fake-clock "$morning")
fi

step "6/6 播放 (the player: $mode)"
case "$mode" in
  window) "$kiosk" play --windowed ;;
  fullscreen) "$kiosk" play ;;
  headless)
    "$kiosk" play --headless "${fake[@]}" --duration "${DEMO_SECONDS:-60}" \
      --screenshot "$work/screenshot.png"
    echo "截图 (screenshot): $work/screenshot.png"
    "$kiosk" status
    ;;
  *)
    echo "DEMO_MODE 应为 window、fullscreen 或 headless" >&2
    exit 2
    ;;
esac
