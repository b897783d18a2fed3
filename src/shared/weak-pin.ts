/**
 * Technician PINs too easy to guess to be set: every digit the same (000000, 777777) and runs of
 * consecutive digits up or down, wrapping 9 to 0 (123456, 654321, 890123). They are the first a
 * guesser tries, so the wait between wrong PINs would protect them for minutes, not a year.
 * Refused when a PIN is set (setup code, panel, --set-pin, a new PIN file); a PIN already in force
 * keeps working.
 */
export function weakPinProblem(pin: string): string | undefined {
  if (!/^\d+$/.test(pin) || pin.length < 2) return undefined;
  const d = [...pin].map(Number);
  if (d.every((x) => x === d[0])) return 'every digit is the same';
  const steps = d.slice(1).map((x, i) => (x - d[i]! + 10) % 10);
  if (steps.every((s) => s === 1)) return 'its digits count up (like 123456)';
  if (steps.every((s) => s === 9)) return 'its digits count down (like 654321)';
  return undefined;
}
