/**
 * Requests that Node would answer on its own (or not at all): each gets a JSON 4xx from the emulator, and an answer
 * given before the request's body was read closes the connection instead of waiting for the rest.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { ADMIN_ROUTES, API_ROUTES, SERVER_ALLOW } from "../src/routes.js";
import { bodyOf, jsonOf, raw, start, untilClosed } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

describe("answers Node would not give as JSON", () => {
  it("CONNECT gets 405 JSON (not a closed socket), its Allow listing HEAD with GET", async () => {
    const host = new URL(emu.url).host;
    const answer = await untilClosed(emu.url, `CONNECT ${host} HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 405 /);
    expect(answer.toLowerCase()).toContain("content-type: application/json");
    expect(answer.toLowerCase()).toContain("\r\nallow: get, head, post, delete, options\r\n");
    expect(bodyOf(answer)).toEqual({ detail: "Method Not Allowed" });
  });

  it("OPTIONS * (asterisk form) asks about the server: 204, no body, its Allow the server's methods, no CORS", async () => {
    const r = await raw(emu.url, { method: "OPTIONS", path: "*" });
    expect(r.status).toBe(204);
    expect(r.body.length).toBe(0);
    expect(r.headers.allow).toBe("GET, HEAD, POST, DELETE, OPTIONS");
    expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    // Another method cannot send the asterisk form: a malformed request, 400 JSON.
    for (const method of ["GET", "HEAD", "POST", "DELETE"]) {
      const wrong = await raw(emu.url, { method, path: "*", headers: { "x-api-key": emu.apiKey } });
      expect(wrong.status, method).toBe(400);
      if (method !== "HEAD") {
        expect(jsonOf(wrong).detail, method).toBe(
          `The request target * (asterisk form) is for OPTIONS only (RFC 9112, 3.2.4), not ${method}.`,
        );
      }
    }
  });

  it("CONNECT's Allow is every method some path of the route table takes, as each path's 405 and preflight say", async () => {
    const taken = new Set<string>();
    const admin = { authorization: `Bearer ${emu.adminToken}` };
    for (const { path: pattern } of [...API_ROUTES, ...ADMIN_ROUTES]) {
      const path = pattern.replace(/\{[^}]+\}/g, "job_x");
      const r = await raw(emu.url, { method: "PATCH", path, headers: { "x-api-key": emu.apiKey, ...admin } });
      expect(r.status, path).toBe(405);
      for (const m of String(r.headers.allow).split(", ")) taken.add(m);
      if (!path.startsWith("/_emulator/")) {
        const preflight = await raw(emu.url, {
          method: "OPTIONS",
          path,
          headers: { origin: "http://localhost:5173", "access-control-request-method": "GET" },
        });
        expect(preflight.status, path).toBe(204);
        taken.add("OPTIONS");
      }
    }
    const host = new URL(emu.url).host;
    const answer = await untilClosed(emu.url, `CONNECT ${host} HTTP/1.1\r\nhost: ${host}\r\n\r\n`);
    const allow = /\r\nallow: ([^\r]*)\r\n/i.exec(answer)?.[1];
    expect(new Set(allow?.split(", "))).toEqual(taken);
    expect(allow).toBe(SERVER_ALLOW);
  });
});

describe("an answer given before the body was read", () => {
  it("401 on a submit whose body is still coming: Connection: close, and the socket is closed", async () => {
    const host = new URL(emu.url).host;
    const answer = await untilClosed(
      emu.url,
      `POST /v1/jobs/lucy-pro-t2v HTTP/1.1\r\nhost: ${host}\r\nx-api-key: wrong\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: 10000000\r\n\r\n--b\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(bodyOf(answer).detail).toBe("Invalid API key.");
  });

  it("413 on an upload declared too large: Connection: close, and the socket is closed", async () => {
    const host = new URL(emu.url).host;
    const answer = await untilClosed(
      emu.url,
      `POST /v1/files HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${emu.apiKey}\r\ncontent-type: multipart/form-data; boundary=b\r\ncontent-length: 999999999999\r\n\r\n--b\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain("connection: close");
  });

  it("keeps the connection of a request without a body open (no Connection: close on a plain 401)", async () => {
    const r = await raw(emu.url, { path: "/v1/jobs/job_x", headers: { "x-api-key": "wrong" } });
    expect(r.status).toBe(401);
    expect(r.headers.connection).not.toBe("close");
  });
});
