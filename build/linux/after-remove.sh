#!/bin/sh
# deb post-remove: undo after-install.sh.
rm -f /etc/xdg/autostart/checkpoint-kiosk.desktop /etc/udev/rules.d/70-checkpoint-kiosk.rules
udevadm control --reload-rules 2>/dev/null || true
exit 0
