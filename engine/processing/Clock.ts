/** The engine clock: every timer, deadline, back-off, TTL and FEEL `now()` reads it. */
export interface EngineClock {
  now(): number;
}

export const systemClock: EngineClock = { now: () => Date.now() };

/** A clock tests can move: system time plus an offset, or a fixed instant. */
export class ControlledClock implements EngineClock {
  private offset = 0;
  private fixed: number | undefined;
  private listeners: (() => void)[] = [];
  now(): number {
    return this.fixed ?? Date.now() + this.offset;
  }
  /** Moves the clock forward; due timers fire. */
  increaseTime(ms: number): void {
    if (this.fixed !== undefined) this.fixed += ms;
    else this.offset += ms;
    this.changed();
  }
  /** Jumps to an instant (it keeps running from there). */
  setTime(epochMs: number): void {
    this.offset = epochMs - Date.now();
    this.fixed = undefined;
    this.changed();
  }
  /** Stops the clock at its current instant (or at `epochMs`). */
  freeze(epochMs = this.now()): void {
    this.fixed = epochMs;
    this.changed();
  }
  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }
  private changed() {
    for (const l of this.listeners) l();
  }
}
