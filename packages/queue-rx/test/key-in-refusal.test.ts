/**
 * A key (or client token) given where an input goes (`submitAll(client, ["dct_…"])`: pasted in the wrong place) is
 * shown by its length in the batch's refusal, as the core's refusals show it: never whole in its message, its stack or
 * its JSON. Other text is cut at 40 characters. Nothing is sent.
 */

import { shownValue } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, toArray } from "rxjs";
import { afterEach, expect, it } from "vitest";
import { type BatchInput, submitAll } from "../src/batch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const KEY = "dct_s3cr3t_0123456789abcdef0123456789abcdef01234567";

/** What an error says: its message, its stack and its JSON. */
const said = (error: any) => `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;

for (const key of [KEY, `ek_${KEY.slice(4)}`, `DCT_${KEY.slice(4)}`]) {
  it(`${key.slice(0, 4)}… as an input, a keyed input, an iterator's input or its next()'s answer: by its length`, async () => {
    emu = await startFast();
    const client = clientFor(emu);
    const elements = (inputs: Iterable<BatchInput>) =>
      lastValueFrom(submitAll(client, inputs, { download: false }).pipe(toArray())).then((events) => events[0]!.error);
    const errors = [
      await elements([key] as never),
      await elements([{ key: 1, input: key }] as never),
      await elements(
        (function* () {
          yield key;
        })() as never,
      ),
      await lastValueFrom(submitAll(client, { [Symbol.iterator]: () => ({ next: () => key }) } as never)).catch(
        (e) => e,
      ),
    ];
    expect(errors.map((e) => e?.name)).toEqual(Array(4).fill("InvalidInputError"));
    for (const error of errors) {
      expect(error.message).toContain(`${key.length} characters`);
      expect(said(error).toLowerCase()).not.toContain(key.slice(0, 8).toLowerCase());
    }
    expect(emu.stats().requests.total).toBe(0);
  });
}

it("other text is shown quoted, cut at 40 characters", async () => {
  emu = await startFast();
  const text = "A serene lake at sunset, with mountains behind it";
  const [event] = await lastValueFrom(submitAll(clientFor(emu), [text] as never).pipe(toArray()));
  expect(event!.error?.message).toContain(`(got ${JSON.stringify(text.slice(0, 40))})`);
  expect(emu.stats().requests.total).toBe(0);
});

it("each element refused is shown as the core shows a value (shownValue): a key in any text by its length", async () => {
  emu = await startFast();
  const values = [KEY, `Bearer ${KEY}`, "A serene lake at sunset, with mountains behind it", 42, 1n, null, true];
  const events = await lastValueFrom(submitAll(clientFor(emu), values as never).pipe(toArray()));
  const messages = values.map((_, index) => events.find((e) => e.index === index)?.error?.message);
  values.forEach((value, i) => {
    expect(messages[i]).toContain(`(got ${shownValue(value)}): give it its input`);
  });
  expect(messages[0]).toContain(`(got ${KEY.length} characters)`);
  expect(messages[1]).toContain(`(got ${KEY.length + 7} characters)`);
  expect(messages.join("\n").toLowerCase()).not.toContain(KEY.slice(4, 16).toLowerCase());
  expect(emu.stats().requests.total).toBe(0);
});
