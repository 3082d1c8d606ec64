#!/usr/bin/env bash
# `make demo`: validate the example playlists and show what would play today.
# Later stages extend this to the full path (publish → serve → sync → play).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
"$bin/kiosk" validate playlists/*.yaml
"$bin/kiosk" schedule playlists/demo.yaml
