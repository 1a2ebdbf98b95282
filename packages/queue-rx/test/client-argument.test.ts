// A client argument that is none (undefined, a promise of a client, its options, its `queue`, arguments swapped): each
// function ends with the core's InvalidInputError naming `client` and the call, before any request.
import { InvalidInputError, models } from "@decart/core";
import type { Emulator } from "@decart/emulator";
import { lastValueFrom, type Observable } from "rxjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { submitAll } from "../src/batch.js";
import { retryWatch } from "../src/operators.js";
import { submitJob, watchJob } from "../src/watch.js";
import { clientFor, startFast } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startFast();
});
afterAll(() => emu.close());

const input = { model: models.video("lucy-pro-t2v"), prompt: "A lake" };

it("refuses a client argument that is no client, naming it and the call, before any request", async () => {
  const client = clientFor(emu);
  const { job_id } = await client.queue.submit(input);
  const options = { apiKey: emu.apiKey, baseUrl: emu.url };
  const any =
    (f: (...args: never[]) => Observable<unknown>, ...args: unknown[]) =>
    () =>
      lastValueFrom(f(...(args as never[])));
  const cases: [() => Promise<unknown>, string][] = [
    [any(watchJob, undefined, job_id), "watchJob(client, jobId)"],
    [any(watchJob, options, job_id), "watchJob(client, jobId)"],
    [any(watchJob, job_id, client), "watchJob(client, jobId)"],
    [any(submitJob, Promise.resolve(client), input), "submitJob(client, input)"],
    [any(submitJob, client.queue, input), "submitJob(client, input)"],
    [any(submitJob, options, input), "submitJob(client, input)"],
    [any(submitJob, input, client), "submitJob(client, input)"],
    [any(submitAll, [input]), "submitAll(client, inputs)"],
  ];
  emu.resetStats();
  for (const [run, call] of cases) {
    const error = await run().then(
      () => undefined,
      (e) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "client" });
    expect(error.message).toMatch(`${call}: "client" must be a client of createDecartClient`);
  }
  expect(emu.stats().requests.total).toBe(0);
});

it("retryWatch refuses a client argument that is no client as it is called, naming it (not a bare TypeError)", () => {
  const client = clientFor(emu);
  for (const given of [undefined, Promise.resolve(client), client.queue, 1]) {
    let error: any;
    try {
      retryWatch(given as never, 1);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ field: "client" });
    expect(error.message).toMatch('retryWatch(client, count): "client" must be a client of createDecartClient');
  }
});
