/**
 * The request log says what became of each request: its status when the answer went out in full, `no answer (why)`
 * when none did (a client that left, a `reset` fault, close()), `<status> cut (why)` when part of it did, and the
 * answers written straight to the socket (bytes that are not HTTP, CONNECT) too. Over real sockets.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { get, pollUntil, start, submit } from "./helpers.js";

let emu: Emulator | undefined;
let lines: string[] = [];
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  lines = [];
});

async function logged(): Promise<Emulator> {
  emu = await start({ logger: (line) => lines.push(line) });
  return emu;
}

/** Waits (on the event loop, no timer) until a line matching `pattern` is logged; returns it. */
async function line(pattern: RegExp): Promise<string> {
  for (;;) {
    const found = lines.find((l) => pattern.test(l));
    if (found) return found;
    await new Promise((r) => setImmediate(r));
  }
}

/** A connection that writes `bytes` and reads whatever comes. */
function open(e: Emulator, bytes: string): Socket {
  const u = new URL(e.url);
  const socket = connect(Number(u.port), u.hostname);
  socket.on("error", () => {});
  socket.on("data", () => {});
  socket.write(bytes);
  return socket;
}

const head = (e: Emulator) => `host: ${new URL(e.url).host}\r\nx-api-key: ${e.apiKey}\r\n`;

async function counted(e: Emulator, total: number): Promise<void> {
  while (e.stats().requests.total < total) await new Promise((r) => setImmediate(r));
}

describe("the request log", () => {
  it("logs an answer that went out in full with its status", async () => {
    const e = await logged();
    await get(e, "/v1/jobs/job_x");
    expect(await line(/^GET \/v1\/jobs\/job_x → /)).toMatch(/^GET \/v1\/jobs\/job_x → 404 [\d.]+ms req_/);
  });

  it("a client that leaves mid-upload: no answer (client left)", async () => {
    const e = await logged();
    const socket = open(
      e,
      `POST /v1/files HTTP/1.1\r\n${head(e)}content-type: multipart/form-data; boundary=B\r\ncontent-length: 5000\r\n\r\n` +
        `--B\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\n\r\n`,
    );
    await counted(e, 1);
    socket.destroy();
    expect(await line(/^POST \/v1\/files → /)).toMatch(/→ no answer \(client left\) /);
  });

  it("a reset fault: no answer (reset fault)", async () => {
    const e = await logged();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "reset" });
    await expect(get(e, `/v1/jobs/${id}`, { "x-emulator-fault": "reset" })).rejects.toThrow();
    expect(await line(new RegExp(`^GET /v1/jobs/${id} → `))).toMatch(/→ no answer \(reset fault\) /);
  });

  it("a truncate fault: the status, cut (truncate fault)", async () => {
    const e = await logged();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "truncate" });
    await pollUntil(e, id);
    await get(e, `/v1/jobs/${id}/content`, { "x-emulator-fault": "truncate" })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
    expect(await line(new RegExp(`^GET /v1/jobs/${id}/content → `))).toMatch(/→ 200 cut \(truncate fault\) /);
  });

  it("close() while answers wait or stall: no answer, or cut (emulator closed), logged by the time close() resolves", async () => {
    const e = await logged();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "closing" });
    await pollUntil(e, id);
    const before = e.stats().requests.total;
    open(e, `GET /v1/jobs/${id} HTTP/1.1\r\n${head(e)}x-emulator-fault: slow; delay=600000\r\n\r\n`);
    const stalled = open(e, `GET /v1/jobs/${id}/content HTTP/1.1\r\n${head(e)}x-emulator-fault: stall\r\n\r\n`);
    await counted(e, before + 2);
    await new Promise((r) => stalled.once("data", r));
    await e.close();
    // Already there: a process that exits when close() resolves (the bin does) loses no line.
    expect(lines.findLast((l) => l.startsWith(`GET /v1/jobs/${id} → `))).toMatch(/→ no answer \(emulator closed\) /);
    expect(lines.find((l) => l.startsWith(`GET /v1/jobs/${id}/content → `))).toMatch(/→ 200 cut \(emulator closed\) /);
  });

  it("close() called again before the first has resolved resolves with it, once the lines are logged", async () => {
    const e = await logged();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "closing twice" });
    const before = e.stats().requests.total;
    open(e, `GET /v1/jobs/${id} HTTP/1.1\r\n${head(e)}x-emulator-fault: slow; delay=600000\r\n\r\n`);
    await counted(e, before + 1);
    const first = e.close();
    await e.close();
    expect(lines.findLast((l) => l.startsWith(`GET /v1/jobs/${id} → `))).toMatch(/→ no answer \(emulator closed\) /);
    await first;
  });

  it("logs the answers written straight to the socket: bytes that are not HTTP, CONNECT", async () => {
    const e = await logged();
    open(e, "HELLO THERE\r\n\r\n");
    expect(await line(/not HTTP/)).toMatch(/^\(bytes that are not HTTP: HPE_\w+\) → 400 req_/);
    open(e, "CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n");
    expect(await line(/^CONNECT /)).toMatch(/^CONNECT example\.com:443 → 405 req_/);
  });

  it("an error behind an answer the emulator cut: no answer, and why (the truncate fault), not that the client left", async () => {
    const e = await logged();
    const id = await submit(e, "lucy-pro-t2v", { prompt: "truncate, then bytes that are not HTTP" });
    await pollUntil(e, id);
    open(e, `GET /v1/jobs/${id}/content HTTP/1.1\r\n${head(e)}x-emulator-fault: truncate\r\n\r\nHELLO THERE\r\n\r\n`);
    expect(await line(new RegExp(`^GET /v1/jobs/${id}/content → `))).toMatch(/→ 200 cut \(truncate fault\) /);
    expect(await line(/not HTTP/)).toMatch(/^\(bytes that are not HTTP: HPE_\w+\) → no answer \(truncate fault\) req_/);
  });

  it("logs a request answered 417 (an odd Expect) as any request: path without its query, status, time", async () => {
    const e = await logged();
    open(e, `GET /v1/jobs/job_y?secret=1 HTTP/1.1\r\n${head(e)}expect: foo\r\n\r\n`);
    expect(await line(/job_y/)).toMatch(/^GET \/v1\/jobs\/job_y → 417 [\d.]+ms req_/);
  });
});
