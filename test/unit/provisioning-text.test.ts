import { describe, expect, it } from 'vitest';
import { provisioningText } from '../../renderer/src/i18n.js';
import { IN_SERVICE_MESSAGE, TECHNICIAN_ONLY_MESSAGE } from '../../src/app/provisioning.js';

describe('provisioning card notices on the screens', () => {
  it('says an ignored card in Vietnamese on a Vietnamese screen, naming the panel button as it reads there', () => {
    const text = provisioningText('vi', { state: 'ignored', reason: 'technician-only', message: TECHNICIAN_ONLY_MESSAGE });
    expect(text).toContain('chỉ dành cho kỹ thuật viên');
    expect(text).toContain('"Cấp phép lại bằng thẻ"');
    expect(text).toContain('khi bảng còn mở');
    expect(text).not.toContain('technician');
  });

  it('tells the in-service case apart from the enrolled one, in both languages', () => {
    const vi = provisioningText('vi', { state: 'ignored', reason: 'in-service', message: IN_SERVICE_MESSAGE });
    const en = provisioningText('en', { state: 'ignored', reason: 'in-service', message: IN_SERVICE_MESSAGE });
    expect(vi).toContain('đang tự ghi nhận');
    expect(en).toContain('already records check-ins on its own');
    expect(en).toContain('"Re-provision by card"');
    expect(en).toContain('while the panel stays open');
    expect(en).not.toBe(provisioningText('en', { state: 'ignored', reason: 'technician-only', message: TECHNICIAN_ONLY_MESSAGE }));
  });

  it("keeps the kiosk's own words for a refusal (the server's or the card's problem)", () => {
    const message = 'Provisioning card refused: the card has expired';
    expect(provisioningText('vi', { state: 'refused', reason: 'expired', message })).toBe(message);
  });
});
