#!/usr/bin/env bash
# The official documents' font: Liberation Serif (Debian's fonts-liberation2), metric-compatible
# with Times New Roman (Decree 30/2020, Annex I). Installed with apt-get when missing (as root or
# with sudo); otherwise, or if that fails, stop with a message saying what to install. The
# documents app looks in the same folders (giamsat/documents/engine/fonts.py), or only in
# DOCUMENT_FONT_DIR when it is set.
set -uo pipefail
found() {
  local dirs="/usr/share/fonts/truetype/liberation2 /usr/share/fonts/truetype/liberation"
  [ -n "${DOCUMENT_FONT_DIR:-}" ] && dirs="$DOCUMENT_FONT_DIR"  # as fonts.py: only there when set
  for dir in $dirs; do
    [ -f "$dir/LiberationSerif-Regular.ttf" ] && [ -f "$dir/LiberationSerif-Bold.ttf" ] \
      && [ -f "$dir/LiberationSerif-Italic.ttf" ] && [ -f "$dir/LiberationSerif-BoldItalic.ttf" ] && return 0
  done
  return 1
}
found && exit 0
echo "== installing Debian's fonts-liberation2 (Liberation Serif) for the official documents"
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else SUDO="none"; fi
if [ "$SUDO" != "none" ] && command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fonts-liberation2 >/dev/null 2>&1
fi
found && exit 0
echo "The documents need the font Liberation Serif: install Debian's fonts-liberation2" \
  "(apt-get install fonts-liberation2), or set DOCUMENT_FONT_DIR to a folder holding" \
  "LiberationSerif-Regular.ttf, -Bold.ttf, -Italic.ttf and -BoldItalic.ttf." >&2
exit 1
