/** Calls `onIdle` after `ms` without a touch, click or key (null: not watching). */
import { useEffect, useRef } from 'preact/hooks';

export function useIdle(ms: number | null, onIdle: () => void): void {
  const callback = useRef(onIdle);
  callback.current = onIdle;
  useEffect(() => {
    if (ms === null) return;
    let timer = setTimeout(() => callback.current(), ms);
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(() => callback.current(), ms);
    };
    const events = ['pointerdown', 'keydown', 'input'] as const;
    for (const e of events) window.addEventListener(e, reset, true);
    return () => {
      clearTimeout(timer);
      for (const e of events) window.removeEventListener(e, reset, true);
    };
  }, [ms]);
}
