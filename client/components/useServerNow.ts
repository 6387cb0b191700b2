'use client';

import { useEffect, useRef, useState } from 'react';
import { clockOffset, msRemaining, msUntilNextTick, serverTime } from '@/lib/countdown';

/**
 * The server's current time, ticking once a second until `deadline`.
 *
 * `serverNow` is the server's `Date.now()` when it rendered the page. The offset to the
 * browser's clock is taken once per `serverNow` (a refresh brings a new one), so a browser
 * clock that is wrong does not change the countdown. The first render (on the server and in
 * the browser alike) uses `serverNow` itself, so hydration matches.
 */
export function useServerNow(serverNow: number, deadline: string | number, running: boolean): number {
  const [now, setNow] = useState(serverNow);
  const sync = useRef<{ serverNow: number; offset: number } | null>(null);

  useEffect(() => {
    if (!sync.current || sync.current.serverNow !== serverNow) {
      sync.current = { serverNow, offset: clockOffset(serverNow, Date.now()) };
    }
    const { offset } = sync.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      const current = serverTime(Date.now(), offset);
      setNow(current);
      const left = msRemaining(deadline, current);
      // Wake just after the displayed second changes; stop once the window has closed.
      if (running && left > 0) timer = setTimeout(tick, msUntilNextTick(left) + 15);
    };
    timer = setTimeout(tick, 0);
    return () => clearTimeout(timer);
  }, [serverNow, deadline, running]);

  return now;
}
