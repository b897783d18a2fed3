/** Always visible: server reachability, queue depth, scanner health, and the UI's own link. */
import type { KioskStatus } from '../../../src/shared/api.js';
import { provisioningText, t, type Lang, type TextKey } from '../i18n.js';

export function StatusBar({ lang, status, connected }: { lang: Lang; status: KioskStatus | null; connected: boolean }) {
  if (!connected || !status) {
    return (
      <footer class="status-bar warn" data-testid="status-bar">
        <span data-testid="ui-link">⚠ {t(lang, 'uiDisconnected')}</span>
      </footer>
    );
  }
  const net = status.delivery.state;
  const netText = net === 'online' ? t(lang, 'online') : net === 'offline' ? t(lang, 'offline') : t(lang, 'unknownNet');
  return (
    <footer class="status-bar" data-testid="status-bar">
      <span class={`net net-${net}`} data-testid="net" data-state={net}>
        <span aria-hidden="true">{net === 'online' ? '●' : net === 'offline' ? '✕' : '○'}</span> {netText}
      </span>
      <span data-testid="queue">
        {t(lang, 'queue')}: {status.delivery.queueDepth}
        {status.delivery.rejected > 0 ? ` (⚠ ${status.delivery.rejected})` : ''}
      </span>
      <span data-testid="scanners">
        {t(lang, 'scanners')}:{' '}
        {status.scanners.length === 0
          ? t(lang, 'noScanner')
          : status.scanners.map((s) => (
              <span key={s.deviceId} class={`scanner scanner-${s.state}`} data-state={s.state}>
                {s.state === 'connected' ? '●' : '✕'} {s.deviceId} {t(lang, `state_${s.state}` as TextKey)}
              </span>
            ))}
      </span>
      {status.provisioning && status.provisioning.state !== 'provisioned' && (
        <span class="warn" data-testid="provisioning" data-state={status.provisioning.state}>
          ⚠ {t(lang, 'provisioningCard')}: {provisioningText(lang, status.provisioning)}
        </span>
      )}
    </footer>
  );
}
