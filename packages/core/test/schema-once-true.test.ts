/**
 * A schema's `once: true` (a view layer's own, given to `checkWatchOptions` beside the watch's): its object is read into
 * a copy of its own fields as it is checked, not refused, as a copy function (`first`'s) makes its own.
 */
import { expect, it } from "vitest";
import { checkWatchOptions } from "../src/index.js";

it("a layer's own schema with once: true copies the object's own fields", () => {
  const extra = Object.freeze({ a: 1 });
  const read = checkWatchOptions<{ extra: object }>({ extra }, { extra: { type: "object", once: true } });
  expect(read.extra).toEqual({ a: 1 });
  expect(read.extra).not.toBe(extra);
});
