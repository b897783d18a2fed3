/** The sections of the operations room, in page order. Add a section: a file and a line here. */
import type { DashboardSection } from '../section.js';
import { checkpointsSection } from './checkpoints.js';
import { deviceStatesSection } from './device-states.js';
import { figuresSection } from './figures.js';
import { fleetSection } from './fleet-table.js';
import { fleetAdminSection } from './fleet-admin.js';
import { hourlySection } from './hourly.js';
import { tracingSection } from './tracing.js';
import { verdictsSection } from './verdicts.js';

export const DASHBOARD_SECTIONS: readonly DashboardSection[] = [
  figuresSection,
  hourlySection,
  checkpointsSection,
  verdictsSection,
  deviceStatesSection,
  fleetSection,
  fleetAdminSection,
  tracingSection,
];
