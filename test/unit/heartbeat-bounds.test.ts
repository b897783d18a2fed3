/**
 * The kiosk sends a heartbeat every protocol v1 server accepts (src/sync/heartbeat-bounds.ts): a
 * driver's long error text with carriage returns and escape sequences is cut and cleaned, extra
 * scanners are left out, everything else goes as it is.
 */
import { expect, it } from 'vitest';
import { boundedText, heartbeatForServer, MAX_HEARTBEAT_SCANNERS, SCANNER_TEXT_LIMITS } from '../../src/sync/heartbeat-bounds.js';
import type { ScannerStatus } from '../../src/shared/types.js';

const scanner = (over: Partial<ScannerStatus> = {}): ScannerStatus => ({ deviceId: 'camera:/dev/video0', uri: 'camera:/dev/video0', state: 'disconnected', reads: 3, errors: 1, ...over });

it('cleans and cuts what a driver said to the bounds the server enforces', () => {
  const raw = `ffmpeg exited\r\n${'frame=  12 fps=0.0\r'.repeat(60)}\u001b[0m\u0000done`;
  const body = heartbeatForServer({ queueDepth: 2, oldestPendingAt: null, lastScanAt: null, trustIssuedAt: null, version: '1.4.0', scanners: [scanner({ lastError: raw, uri: `serial:${'x'.repeat(400)}` })] });
  const s = body.scanners[0]!;
  expect(s.lastError).toHaveLength(SCANNER_TEXT_LIMITS.lastError);
  expect(s.lastError?.startsWith('ffmpeg exited  frame=  12 fps=0.0 frame=')).toBe(true);
  expect(s.lastError?.endsWith('…')).toBe(true);
  expect(/[\p{Cc}]/u.test(s.lastError ?? '')).toBe(false);
  expect(s.uri).toHaveLength(SCANNER_TEXT_LIMITS.uri);
  expect({ ...s, lastError: undefined, uri: undefined }).toEqual({ ...scanner(), lastError: undefined, uri: undefined });
  expect(body).toMatchObject({ queueDepth: 2, version: '1.4.0' });
});

it('keeps a short text as it is, never splits a surrogate pair, and sends at most 16 scanners', () => {
  expect(boundedText('reads fine', 500)).toBe('reads fine');
  expect(boundedText('bad\u001bcable', 500)).toBe('bad\ufffdcable');
  const cut = boundedText(`${'a'.repeat(8)}😀😀`, 10);
  expect(cut).toBe(`${'a'.repeat(8)}…`);
  const many = Array.from({ length: 20 }, (_, i) => scanner({ deviceId: `hid:${i}` }));
  const body = heartbeatForServer({ queueDepth: 0, oldestPendingAt: null, lastScanAt: null, trustIssuedAt: null, version: '1', scanners: many });
  expect(body.scanners.map((s) => s.deviceId)).toEqual(many.slice(0, MAX_HEARTBEAT_SCANNERS).map((s) => s.deviceId));
});

it('masks a camera password in a scanner uri or error, whatever the driver sent', () => {
  const body = heartbeatForServer({
    queueDepth: 0,
    oldestPendingAt: null,
    lastScanAt: null,
    trustIssuedAt: null,
    version: '1.4.0',
    scanners: [
      scanner({
        deviceId: 'camera:http://10.0.0.9/videostream.cgi',
        uri: 'camera:http://admin:pw@10.0.0.9/videostream.cgi%3Fuser%3Dadmin%26pwd%3DS3cret',
        lastError: 'http://10.0.0.9/videostream.cgi?user=admin&pwd=S3cret: Connection refused',
      }),
    ],
  });
  expect(JSON.stringify(body)).not.toMatch(/S3cret|admin:pw/);
  expect(body.scanners[0]).toMatchObject({ uri: 'camera:http://***@10.0.0.9/videostream.cgi%3Fuser%3Dadmin%26pwd%3D***', lastError: 'http://10.0.0.9/videostream.cgi?user=admin&pwd=***: Connection refused' });
});
