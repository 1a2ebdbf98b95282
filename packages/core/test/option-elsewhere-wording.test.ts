/**
 * What a name a call does not take is told, branch by branch of the one rule (`misplaced`): a `timeout`, or a
 * `timeoutMs` given to a call that takes none, is the call's own limit (its `deadline`, with no word of
 * `submitAndPoll`'s `timeoutMs`, or its `signal`), not the client's per-attempt `timeoutMs`; the client's own options,
 * a token route's and `createWatch`'s are told a `timeout` is their `timeoutMs`, but name their known ones for a client
 * option (`maxRetries`); a `webhook` is told to watch the job only by a call that makes one (not by a watch of a job that exists); `openPipe` (no
 * client's call) says `deadline`. Nothing is sent.
 */
import { expect, it } from "vitest";
import { createDecartClient, type DecartError, models } from "../src/index.js";
import { openPipe } from "../src/node.js";
import { createTokenRoute } from "../src/server.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

/** The refusal of a call, thrown at once or by its promise. */
const refusal = async (call: () => unknown) => {
  try {
    await call();
  } catch (e) {
    return e as DecartError & { field: string };
  }
  throw new Error("taken");
};

const deadline = /is deadline here \(Date\.now\(\) \+ ms\) \(options: deadline, budgetMs, signal/;
const signal = /is signal here: AbortSignal\.timeout\(ms\) \(options: /;
const calls: Record<string, (option: Record<string, unknown>) => unknown> = {
  "queue.status": (o) => env.client.queue.status("job_1", o as never),
  "queue.readStatus": (o) => env.client.queue.readStatus("job_1", o as never),
  "queue.download": (o) => env.client.queue.download("job_1", o as never),
  "files.get": (o) => env.client.files.get("file_1", o as never),
  "tokens.create": (o) => env.client.tokens.create(o as never),
  "queue.wait": (o) => env.client.queue.wait("job_1", o as never),
};

it.each([
  ["queue.status", "timeout", deadline],
  ["queue.status", "timeoutMs", deadline],
  ["queue.readStatus", "timeout", deadline],
  ["queue.readStatus", "timeoutMs", deadline],
  ["queue.download", "timeout", deadline],
  ["queue.download", "timeoutMs", deadline],
  ["files.get", "timeoutMs", signal],
  ["tokens.create", "timeoutMs", signal],
])("%s({ %s }) is told the call's own limit, and sends nothing", async (name, key, words) => {
  const error = await refusal(() => calls[name]!({ [key]: 5000 }));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
  expect(error.message).toMatch(words);
  expect(error.message).not.toContain("submitAndPoll's timeoutMs");
  expect(error.message).not.toContain("client option");
  expect(env.emu.stats().requests.total).toBe(0);
});

/** Each call that takes no `signal` but a `timeoutMs`, given `option`. */
const makers: Record<string, (option: Record<string, unknown>) => unknown> = {
  createDecartClient: (o) => createDecartClient({ apiKey: "dct_x", ...o }),
  createTokenRoute: (o) => createTokenRoute({ authorize: () => true, apiKey: "dct_x", ...o }),
  "queue.createWatch": (o) => env.client.queue.createWatch("job_1", o as never),
};

it.each(Object.keys(makers))("%s({ timeout }) is told its timeoutMs, with its known names", async (name) => {
  const error = await refusal(() => makers[name]!({ timeout: 5000 }));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "timeout"]);
  expect(error.message).toMatch(/: "timeout" is timeoutMs here \(ms\) \(options: .*timeoutMs/);
  expect(env.emu.stats().requests.total).toBe(0);
});

it.each([
  ["createDecartClient", ""],
  ["createTokenRoute", ""],
  ["queue.createWatch", ""],
])("%s({ webhook }) is told the API has none, in words that fit it", async (name, end) => {
  const error = await refusal(() => makers[name]!({ webhook: "https://example.com/hook" }));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "webhook"]);
  expect(error.message).toContain(`"webhook" has no counterpart: the API has no webhooks${end} (options: `);
  if (!end) expect(error.message).not.toContain("watch the job");
});

it.each([
  ["tokens.create", ""],
  ["files.get", ""],
  ["queue.status", ""],
  ["process", ""],
  ["queue.wait", ""],
  ["queue.submit", " (watch the job)"],
  ["queue.submitAndPoll", " (watch the job)"],
])("%s({ webhook }) is told to watch the job only where it makes one", async (name, end) => {
  const input = { prompt: "A lake", webhook: "https://example.com/hook" };
  const call =
    name === "process"
      ? () => env.client.process({ model: models.image("lucy-pro-t2i"), ...input } as never)
      : name === "queue.submit" || name === "queue.submitAndPoll"
        ? () =>
            env.client.queue[name === "queue.submit" ? "submit" : "submitAndPoll"]({
              model: models.video("lucy-pro-t2v"),
              ...input,
            } as never)
        : () => calls[name]!({ webhook: input.webhook });
  const error = await refusal(call);
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", "webhook"]);
  expect(error.message).toContain(`"webhook" has no counterpart: the API has no webhooks${end} (`);
  if (!end) expect(error.message).not.toContain("watch the job");
  expect(env.emu.stats().requests.total).toBe(0);
});

it.each([
  [
    "createTokenRoute",
    "maxRetries",
    () => createTokenRoute({ authorize: () => true, apiKey: "dct_x", maxRetries: 0 } as never),
  ],
  ["queue.createWatch", "maxRetries", () => env.client.queue.createWatch("job_1", { maxRetries: 0 } as never)],
  // A call of no client: not told of the client's options.
  ["openPipe", "maxRetries", () => openPipe("/nonexistent/pipe", "r", { maxRetries: 3 } as never)],
])("%s({ %s }) is told its known names, with no advice", async (_, key, call) => {
  const error = await refusal(call);
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
  expect(error.message).toMatch(new RegExp(`"${key}" must be a known name \\(one of `));
  expect(error.message).not.toMatch(/ here|client option/);
});

it.each(["timeout", "timeoutMs"])("openPipe({ %s }) is told deadline, before anything is opened", async (key) => {
  const error = await refusal(() => openPipe("/nonexistent/pipe", "r", { [key]: 5000 } as never));
  expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
  expect(error.message).toMatch(/is deadline here \(Date\.now\(\) \+ ms\) \(options: deadline, now, waiting, signal\)/);
});

it.each([
  ["timeoutMs", `"timeoutMs" must be deadline here (Date.now() + ms), or given to submitAndPoll, `],
  ["onStatusChange", `"onStatusChange" must be given to submitAndPoll, `],
])(
  "queue.submit({ %s }) is told where it goes (a timeoutMs, the submit's deadline first), and sends nothing",
  async (key, words) => {
    const model = models.video("lucy-pro-t2v");
    const error = await refusal(() => env.client.queue.submit({ model, prompt: "A lake", [key]: 5000 } as never));
    expect([error.code, error.field]).toEqual(["INVALID_INPUT", key]);
    expect(error.message).toBe(`Invalid input: ${words}queue.wait or submitJob's third argument, not to a submit`);
    expect(env.emu.stats().requests.total).toBe(0);
  },
);
