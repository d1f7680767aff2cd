/** A clock the test moves by hand, in milliseconds. */
export class ManualClock {
  nowMs = 1_000;

  advance(ms: number): void {
    this.nowMs += ms;
  }
}
