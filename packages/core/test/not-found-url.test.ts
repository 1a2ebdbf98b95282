import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models, NotFoundError } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

// A 404 that may be of a wrong URL (a gateway's page, no JSON; the framework's bare "Not Found" for a path no route
// serves, with a baseUrl ending in /v1) says which URL was asked, and to check baseUrl: a baseUrl ending in /v1 read as
// "no job". The API's own 404 (its bare "Not Found" of a job that expired, an empty one) says nothing of baseUrl.
let emu: Emulator;
let gateway: Server;
let gatewayUrl: string;
let api: Server;
let apiUrl: string;
beforeAll(async () => {
  // The API's own bare 404s, with a right baseUrl: FastAPI's default `{"detail":"Not Found"}` for a job, an empty one
  // for a file.
  api = createServer((req, res) => {
    if (req.url!.startsWith("/v1/files/")) res.writeHead(404).end();
    else res.writeHead(404, { "content-type": "application/json" }).end('{"detail":"Not Found"}');
  });
  await new Promise<void>((ok) => api.listen(0, "127.0.0.1", ok));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  emu = await startFast();
  gateway = createServer((_req, res) =>
    res.writeHead(404, { "content-type": "text/html" }).end("<title>404 gateway: no route</title>"),
  );
  await new Promise<void>((ok) => gateway.listen(0, "127.0.0.1", ok));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/decart`;
});
afterAll(async () => {
  gateway.close();
  api.close();
  await emu.close();
});

describe("a 404 of a wrong URL", () => {
  it("a baseUrl ending in /v1: a status read and a submit name their URL and say to check baseUrl", async () => {
    const client = clientFor(emu, { baseUrl: `${emu.url}/v1`, maxRetries: 0 });
    const read = await client.queue.status("job_abc").catch((e) => e);
    expect(read).toBeInstanceOf(NotFoundError);
    expect(read.message).toMatch(
      new RegExp(
        `^Not Found \\(HTTP 404, request [^)]+\\); GET ${emu.url}/v1/v1/jobs/job_abc: if it is no route of the API, check baseUrl \\(the client adds /v1/…\\)$`,
      ),
    );
    const submit = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" }).catch((e) => e);
    expect(submit.message).toContain(
      `; POST ${emu.url}/v1/v1/jobs/lucy-pro-t2v: if it is no route of the API, check baseUrl (the client adds /v1/…)`,
    );
    expect(submit.hint).toBe("if it is no route of the API, check baseUrl (the client adds /v1/…)");
  });

  it("a gateway's own 404 page says so too", async () => {
    const error = await clientFor(emu, { baseUrl: gatewayUrl, maxRetries: 0 })
      .queue.status("job_abc")
      .catch((e) => e);
    expect(error.message).toContain(`; GET ${gatewayUrl}/v1/jobs/job_abc: if it is no route of the API, check baseUrl`);
  });

  it("the API's own 404 of a job it does not know stays as it is", async () => {
    const error = await clientFor(emu, { maxRetries: 0 })
      .queue.status("job_abc")
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(/^Job job_abc: Job not found \(HTTP 404, request [^)]+\)$/);
  });

  it("the API's bare 404 of a job (FastAPI's default words) and its empty one of a file say nothing of baseUrl", async () => {
    const client = clientFor(emu, { baseUrl: apiUrl, maxRetries: 0 });
    const read = await client.queue.status("job_expired_1").catch((e) => e);
    expect(read).toBeInstanceOf(NotFoundError);
    expect(read.message).toBe("Job job_expired_1: Not Found (HTTP 404)");
    expect(read.hint).toBeUndefined();
    const gone = await client.files.delete("file_gone_1").catch((e) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone.message).toBe("HTTP error (HTTP 404)");
    expect(gone.hint).toBeUndefined();
  });
});
