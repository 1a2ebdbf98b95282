/**
 * A watch's iterator driven by hand: `return()` or `throw()` while its `next()` waits on a status read stops that read
 * at once (a generator's own would wait behind the pending `next()`), and the watch ends as a loop left by `break` does.
 */
import type { Emulator } from "@decart/emulator";
import { afterEach, expect, it } from "vitest";
import { models } from "../src/index.js";
import { clientFor, lastingHandles, startFast } from "./helpers.js";

const model = models.video("lucy-pro-t2v");
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** A job whose status reads hang for a minute, a client, and the emulator's status reads so far. */
async function slowReads() {
  emu = await startFast();
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit({ model, prompt: "[stuck]" });
  emu.setFaults([{ route: "status", kind: "slow", delayMs: 60_000 }]);
  const reads = () => emu!.stats().requests.byRoute.status ?? 0;
  return { client, job_id, reads };
}

/** Resolves once `condition` holds. */
async function until(condition: () => boolean) {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
}

for (const how of ["return", "throw"] as const) {
  it(`${how}() on a watch whose next() waits on a slow status read ends both at once, the read aborted`, async () => {
    const before = await lastingHandles();
    const { client, job_id, reads } = await slowReads();
    const it = client.queue.watch(job_id, { model: "lucy-pro-t2v", download: false });
    const next = it.next();
    await until(() => reads() === 1);
    const open = (await lastingHandles()).TCPSocketWrap ?? 0;
    const stopping = how === "return" ? it.return() : it.throw(new Error("left"));
    // (Without the abort, both wait a minute for the read: the test times out.)
    expect(await next).toEqual({ done: true, value: undefined });
    if (how === "return") expect(await stopping).toEqual({ done: true, value: undefined });
    else await expect(stopping).rejects.toThrow("left");
    expect(await it.next()).toEqual({ done: true, value: undefined });
    // The read's connection is closed by the abort, while the emulator still holds its answer back (closing the
    // emulator would end it too: the count is taken first).
    expect((await lastingHandles()).TCPSocketWrap ?? 0).toBeLessThan(open);
    await emu!.close();
    emu = undefined;
    const after = await lastingHandles();
    for (const [kind, count] of Object.entries(after)) expect(count, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });
}

it("submitAndWatch: return() while next() waits on a read ends it as `break` does, after `submitted`", async () => {
  const { client, job_id, reads } = await slowReads();
  // A second job, submitted by the watch: its `submitted` and first status come, then its read hangs.
  const it = client.queue.submitAndWatch({ model, prompt: "[stuck]", download: false });
  const events: string[] = [];
  for (let e = await it.next(); !e.done; e = await it.next()) {
    events.push(e.value.type);
    if (e.value.type === "status") break;
  }
  const next = it.next();
  await until(() => reads() === 1);
  const stopping = it.return();
  expect(await next).toEqual({ done: true, value: undefined });
  expect(await stopping).toEqual({ done: true, value: undefined });
  expect(events).toEqual(["submitted", "status"]);
  // The same end as a loop left by `break` at a yield.
  const watch = client.queue.submitAndWatch({ model, prompt: "[stuck]", download: false });
  for await (const _ of watch) break;
  expect(await watch.next()).toEqual({ done: true, value: undefined });
  expect(job_id).toBeTruthy();
});

it("throw(error) at a `downloading` event part way through the result rejects with that error, not as a failed download", async () => {
  emu = await startFast();
  const client = clientFor(emu);
  // `[trickle]`: the result comes in 1024-byte writes, so that `downloading` comes with some bytes and more to come.
  const { job_id } = await client.queue.submit({ model, prompt: "a lake [trickle]" });
  const it = client.queue.watch(job_id, { model: "lucy-pro-t2v" });
  const mine = new Error("mine");
  for (let e = await it.next(); !e.done; e = await it.next()) {
    if (e.value.type === "downloading" && e.value.receivedBytes > 0) {
      await expect(it.throw(mine)).rejects.toBe(mine);
      break;
    }
  }
  expect(await it.next()).toEqual({ done: true, value: undefined });
});
