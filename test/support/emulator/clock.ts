/**
 * The emulator's server clock. Every `Date` header, timestamp and rate-limit window comes
 * from here, so tests decide what time GitHub thinks it is.
 */
export interface EmulatorClock {
  now(): Date;
  set(d: Date): void;
  advance(ms: number): void;
}

/**
 * A clock frozen at `start` that moves only when told. Without `start` it follows the
 * machine's clock (for contributors running the CLI) and `set`/`advance` shift it.
 */
export function createClock(start?: Date): EmulatorClock {
  if (start !== undefined) {
    return frozenClock(start.getTime());
  }
  return followingClock();
}

function frozenClock(startMs: number): EmulatorClock {
  let nowMs = startMs;
  return {
    now: () => new Date(nowMs),
    set: (d) => {
      nowMs = d.getTime();
    },
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

function followingClock(): EmulatorClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    set: (d) => {
      offsetMs = d.getTime() - Date.now();
    },
    advance: (ms) => {
      offsetMs += ms;
    },
  };
}
