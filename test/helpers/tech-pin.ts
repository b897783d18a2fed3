/** Sets the technician PIN of a kiosk data dir (as the technician screen does), with a cheap scrypt cost for tests. */
import { hashPin, PIN_SETTINGS } from '../../src/app/tech-pin.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';

export async function setTechPin(dataDir: string, pin: string): Promise<void> {
  const store = openStore({ dir: dataDir, logger: silentLogger, clock: systemClock });
  try {
    store.setSetting(PIN_SETTINGS.hash, await hashPin(pin, 1 << 10));
  } finally {
    store.close();
  }
}
