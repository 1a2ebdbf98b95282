/**
 * The rate-limit gate's ranks: each call it holds is let go at its rank among the calls still held, oldest first, in as
 * many parts of the closing's length as calls wait (`spread`). Checked against a plain list of the calls still held,
 * after sends and give-ups in any order, at the edge numbers of the gate's bookkeeping (1, 2, 3, 4, 7, 8, 64, 200), and
 * after every call held went and new ones are held. On a clock that does not move (the closing's window starts at
 * its end, and its whole length is the window); `random` always 0, so that each call's spread is exactly
 * rank / count × the closing's length.
 */
import { describe, expect, it } from "vitest";
import { createGate } from "../src/retry.js";

const SPAN = 1_000_000;

describe("the rate-limit gate's ranks", () => {
  it("a held call's spread is its rank among those still held, whichever were sent or given up before it", () => {
    const gate = createGate(() => 0);
    gate.close(SPAN, undefined, 0);
    // The calls still held, oldest first; each one's spread, with `random` 0: rank / count of the closing's length.
    const held: number[] = [];
    const check = () =>
      expect(held.map((ticket) => gate.spread(() => 0, ticket))).toEqual(
        held.map((_, rank) => (rank / held.length) * SPAN),
      );
    for (const round of [1, 2, 3, 4, 7, 8, 64, 200]) {
      for (let i = 0; i < round; i++) held.push(gate.hold());
      check();
      // Some go out of order: every third from the newest, then the oldest; a call never held (0) changes nothing.
      for (let i = held.length - 1; i >= 0; i -= 3) gate.sent(held.splice(i, 1)[0]!);
      gate.sent(0);
      if (held.length > 0) gate.sent(held.shift()!);
      check();
    }
    // All go; calls held after that are ranked from the first again.
    while (held.length > 0) gate.sent(held.pop()!);
    for (let i = 0; i < 5; i++) held.push(gate.hold());
    check();
  });
});
