/**
 * Fleet administration in the operations room: the way to the fleet page (devices by group and
 * version, pending configuration, revoked devices, provisioning cards issued and used, releases,
 * the Revoke button and the card form), which reads the fleet records through the storage seam.
 */
import { esc } from '../../html.js';
import type { DashboardSection } from '../section.js';

export const fleetAdminSection: DashboardSection = {
  id: 'fleet-admin',
  width: 'quarter',
  render({ lang }) {
    const vi = lang === 'vi';
    const href = '/dashboard/fleet';
    return `<h2>${vi ? 'Quản lý thiết bị' : 'Fleet administration'}</h2>
<p>${vi ? 'Nhóm và phiên bản, cấu hình chờ áp dụng, thiết bị bị thu hồi, thẻ cấp phép, bản cập nhật.' : 'Groups and versions, pending configuration, revoked devices, provisioning cards, releases.'}</p>
<p><a href="${esc(href)}" data-link="fleet-admin">${vi ? 'Mở trang quản lý' : 'Open the fleet page'}</a></p>`;
  },
};
