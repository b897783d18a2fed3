/**
 * The technician's way in: press and hold the top-left corner for HOLD_MS. Invisible, out of the
 * keyboard's tab order, and a tap or a brush does nothing; the PIN still follows.
 */
import { useRef } from 'preact/hooks';

/** How long the corner must be held, ms. */
export const HOLD_MS = 2000;

export function TechCorner({ onOpen }: { onOpen: () => void }) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const cancel = () => {
    if (timer.current !== undefined) clearTimeout(timer.current);
    timer.current = undefined;
  };
  return (
    <div
      class="tech-corner"
      data-testid="tech-corner"
      aria-hidden="true"
      onPointerDown={(e) => {
        e.preventDefault();
        cancel();
        timer.current = setTimeout(() => {
          timer.current = undefined;
          onOpen();
        }, HOLD_MS);
      }}
      onPointerUp={cancel}
      onPointerLeave={cancel}
      onPointerCancel={cancel}
    />
  );
}
