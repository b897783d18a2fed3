#!/bin/sh
# deb post-install: start the kiosk at login of the kiosk user's session (XDG autostart) and let
# the plugdev group reach HID scanners without root (serial scanners need the dialout group).
set -e
cat > /etc/xdg/autostart/checkpoint-kiosk.desktop <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Checkpoint Kiosk
Exec="/opt/Checkpoint Kiosk/checkpoint-kiosk"
Terminal=false
X-GNOME-Autostart-enabled=true
NoDisplay=true
DESKTOP
cat > /etc/udev/rules.d/70-checkpoint-kiosk.rules <<'RULES'
# Barcode scanners in HID POS or keyboard mode, read through hidraw: group plugdev
SUBSYSTEM=="hidraw", MODE="0660", GROUP="plugdev"
RULES
udevadm control --reload-rules 2>/dev/null || true
exit 0
