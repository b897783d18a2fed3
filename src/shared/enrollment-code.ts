/**
 * Enrollment codes as the central server compares them: white space removed, upper case, so what a
 * person typed ("k7qm 2xrp 9htd") still works. The kiosk binds its succession proof to the code in
 * this form (src/sync/succession-proof.ts), so both sides must use this one function.
 */
export function normaliseEnrollmentCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}
