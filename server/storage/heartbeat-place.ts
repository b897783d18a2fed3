/**
 * The checkpoint id and direction a kiosk reports in its heartbeat (protocol extension, see
 * docs/PROTOCOL.md "Heartbeat") get columns of their own, in both backends: reading them out of
 * the stored body instead would fail on PostgreSQL for a body holding an escaped NUL anywhere
 * (its json functions refuse `\u0000`), and would parse every body on every page view.
 * Heartbeats stored before the migration have neither (null) until the kiosk's next one.
 */
export const HEARTBEAT_PLACE_MIGRATION = `
  ALTER TABLE heartbeats ADD COLUMN checkpoint_id TEXT;
  ALTER TABLE heartbeats ADD COLUMN direction TEXT;
`;
