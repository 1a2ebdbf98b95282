import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Emulator } from "@decart/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models, NotFoundError } from "../src/index.js";
import { clientFor, startFast } from "./helpers.js";

// A 404 that is not the API naming a missing job, file or model (the framework's bare "Not Found" for a path no route
// serves, a gateway's page) says which URL was asked, and to check baseUrl: a baseUrl ending in /v1 read as "no job".
let emu: Emulator;
let gateway: Server;
let gatewayUrl: string;
beforeAll(async () => {
  emu = await startFast();
  gateway = createServer((_req, res) =>
    res.writeHead(404, { "content-type": "text/html" }).end("<title>404 gateway: no route</title>"),
  );
  await new Promise<void>((ok) => gateway.listen(0, "127.0.0.1", ok));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/decart`;
});
afterAll(async () => {
  gateway.close();
  await emu.close();
});

describe("a 404 of a wrong URL", () => {
  it("a baseUrl ending in /v1: a status read and a submit name their URL and say to check baseUrl", async () => {
    const client = clientFor(emu, { baseUrl: `${emu.url}/v1`, maxRetries: 0 });
    const read = await client.queue.status("job_abc").catch((e) => e);
    expect(read).toBeInstanceOf(NotFoundError);
    expect(read.message).toMatch(
      new RegExp(`^Not Found \\(HTTP 404, request [^)]+\\); GET ${emu.url}/v1/v1/jobs/job_abc: check baseUrl `),
    );
    const submit = await client.queue.submit({ model: models.video("lucy-pro-t2v"), prompt: "A lake" }).catch((e) => e);
    expect(submit.message).toContain(`; POST ${emu.url}/v1/v1/jobs/lucy-pro-t2v: check baseUrl`);
  });

  it("a gateway's own 404 page says so too", async () => {
    const error = await clientFor(emu, { baseUrl: gatewayUrl, maxRetries: 0 })
      .queue.status("job_abc")
      .catch((e) => e);
    expect(error.message).toContain(`; GET ${gatewayUrl}/v1/jobs/job_abc: check baseUrl`);
  });

  it("the API's own 404 of a job it does not know stays as it is", async () => {
    const error = await clientFor(emu, { maxRetries: 0 })
      .queue.status("job_abc")
      .catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toMatch(/^Job not found \(HTTP 404, request [^)]+\)$/);
  });
});
