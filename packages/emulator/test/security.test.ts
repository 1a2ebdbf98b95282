/**
 * What a web page (or another user on the network) can do to an emulator on loopback: nothing beyond the public API.
 * Admin routes need the admin token and never send CORS headers, every request must name this server in `Host`
 * (DNS rebinding), and a non-loopback interface is refused with the public default key.
 */
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Emulator } from "../src/index.js";
import { DEFAULT_API_KEY, startEmulator } from "../src/index.js";
import { bodyOf, form, jsonOf, post, raw, start, submit, untilClosed } from "./helpers.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await start();
});
afterAll(() => emu.close());

const bearer = (e: Emulator) => ({ authorization: `Bearer ${e.adminToken}` });

describe("admin routes", () => {
  it("answer 401 JSON without the admin token, with a wrong one, and with an API key", async () => {
    const cases: Record<string, string>[] = [{}, { authorization: "Bearer nope" }, { "x-api-key": emu.apiKey }];
    for (const headers of cases) {
      const r = await raw(emu.url, { path: "/_emulator/stats", headers });
      expect(r.status, JSON.stringify(headers)).toBe(401);
      expect(jsonOf(r).detail).toContain("admin token");
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const ok = await raw(emu.url, { path: "/_emulator/stats", headers: bearer(emu) });
    expect(ok.status).toBe(200);
    expect(typeof jsonOf(ok).jobsCreated).toBe("number");
  });

  it("cannot be sabotaged by a page's text/plain POST: the next submit still succeeds", async () => {
    const e = await start();
    try {
      const r = await raw(e.url, {
        method: "POST",
        path: "/_emulator/faults",
        headers: { "content-type": "text/plain", origin: "http://evil.example" },
        body: JSON.stringify([{ route: "submit", kind: "500" }]),
      });
      expect(r.status).toBe(401);
      expect(r.headers["access-control-allow-origin"]).toBeUndefined();
      await submit(e, "lucy-pro-t2v", { prompt: "not sabotaged" });
    } finally {
      await e.close();
    }
  });

  it("never send CORS headers, not even to a preflight or with the token", async () => {
    const preflight = await raw(emu.url, {
      method: "OPTIONS",
      path: "/_emulator/stats",
      headers: { origin: "http://evil.example", "access-control-request-headers": "authorization" },
    });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(preflight.headers["access-control-allow-headers"]).toBeUndefined();
    expect(preflight.status).toBeGreaterThanOrEqual(400);
    const read = await raw(emu.url, { path: "/_emulator/faults", headers: { ...bearer(emu), origin: "http://x" } });
    expect(read.status).toBe(200);
    expect(read.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("keep working in process without credentials (setFaults, stats)", async () => {
    const e = await start();
    try {
      e.setFaults([{ route: "submit", kind: "503" }]);
      expect((await post(e, "/v1/jobs/lucy-pro-t2v", form({ prompt: "p" }))).status).toBe(503);
      expect(e.stats().faultsInjected).toEqual({ "503": 1 });
    } finally {
      await e.close();
    }
  });

  it("take a fixed adminToken option", async () => {
    const e = await start({ adminToken: "my-secret" });
    try {
      expect(e.adminToken).toBe("my-secret");
      const r = await raw(e.url, { path: "/_emulator/faults", headers: { authorization: "Bearer my-secret" } });
      expect(r.status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it("refuse at start an adminToken that Authorization: Bearer cannot carry, never showing it", async () => {
    for (const adminToken of [
      "line\r\nbreak",
      "two words",
      " padded",
      "tab\tin",
      "caf\u00e9",
      "\u20ac",
      "",
      "nul\u0000",
    ]) {
      const started = start({ adminToken });
      await expect(started, JSON.stringify(adminToken)).rejects.toThrow(
        /^adminToken must be a non-empty string that Authorization: Bearer <token> carries as one word: visible ASCII, no spaces \(got (an empty string|a string with a space, a control character or a character beyond ASCII)\)$/,
      );
      if (adminToken.length > 1) await expect(started).rejects.not.toThrow(adminToken);
    }
    await expect(start({ adminToken: 42 as unknown as string })).rejects.toThrow(/adminToken .*\(got a number\)$/);
    // Every visible ASCII character is taken, and sent as it is, it opens the admin routes.
    const visible = Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
    const e = await start({ adminToken: visible });
    try {
      const r = await raw(e.url, { path: "/_emulator/faults", headers: { authorization: `Bearer ${visible}` } });
      expect(r.status).toBe(200);
    } finally {
      await e.close();
    }
  });
});

describe("the Host rule", () => {
  it("answers 421 JSON to a Host that is not this server (DNS rebinding), on API and admin routes", async () => {
    const port = new URL(emu.url).port;
    for (const path of ["/v1/jobs/job_x", "/_emulator/stats"]) {
      for (const host of [
        `evil.example:${port}`,
        "evil.example",
        "127.0.0.1.evil.example",
        "[::2]:80",
        "%6cocalhost",
      ]) {
        const r = await raw(emu.url, { path, headers: { host, "x-api-key": emu.apiKey, ...bearer(emu) } });
        expect(r.status, `${path} ${host}`).toBe(421);
        expect(jsonOf(r).detail).toContain("not a name of this server");
        expect(r.headers["access-control-allow-origin"]).toBeUndefined();
      }
    }
  });

  it("accepts the loopback names, any case, with or without a port", async () => {
    const port = new URL(emu.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "LOCALHOST", `[::1]:${port}`, "localhost."]) {
      const r = await raw(emu.url, { path: "/_emulator/faults", headers: { host, ...bearer(emu) } });
      expect(r.status, host).toBe(200);
    }
  });

  it("accepts the names given in allowedHosts", async () => {
    const e = await start({ allowedHosts: ["my-laptop.local"] });
    try {
      const r = await raw(e.url, {
        path: "/_emulator/faults",
        headers: { host: "my-laptop.local:1234", ...bearer(e) },
      });
      expect(r.status).toBe(200);
    } finally {
      await e.close();
    }
  });

  it("answers an HTTP/1.1 request without Host with 400 JSON (not Node's bare 400)", async () => {
    const answer = await untilClosed(emu.url, "GET /v1/jobs/job_x HTTP/1.1\r\nconnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.toLowerCase()).toContain("content-type: application/json");
    expect(answer).toContain('{"detail":"Missing Host header');
  });

  it("answers 400 JSON to a request with two Host headers, even two good ones (RFC 9112)", async () => {
    const host = new URL(emu.url).host;
    for (const hosts of [
      [host, host],
      [host, "evil.example"],
      ["evil.example", host],
    ]) {
      const answer = await untilClosed(
        emu.url,
        `GET /v1/jobs/job_x HTTP/1.1\r\n${hosts.map((h) => `Host: ${h}\r\n`).join("")}x-api-key: ${emu.apiKey}\r\nconnection: close\r\n\r\n`,
      );
      expect(answer, hosts.join(" ")).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('{"detail":"More than one Host header');
    }
  });

  it("answers 400 JSON to a Host that is not host[:port] (RFC 9112, 3.2), a port out of range above all", async () => {
    const port = new URL(emu.url).port;
    for (const host of [
      "localhost:99999",
      "localhost:65536",
      `127.0.0.1:${"9".repeat(400)}`,
      "localhost:x",
      "localhost:-1",
      "localhost:80:80",
      ":80",
      "[::1",
      "[::1]x",
      "[::1]:70000",
      "[fe80::1%25eth0]",
      "[not-an-address]",
      "local host",
      "localhost/x",
      "user@localhost",
    ]) {
      for (const path of ["/v1/jobs/job_x", "/_emulator/stats"]) {
        const answer = await untilClosed(
          emu.url,
          `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${emu.apiKey}\r\nconnection: close\r\n\r\n`,
        );
        expect(answer, `${path} ${host}`).toMatch(/^HTTP\/1\.1 400 /);
        expect(answer.toLowerCase()).toContain("content-type: application/json");
        expect(answer.toLowerCase()).not.toContain("access-control-allow-origin");
        // (shown as sent: a JSON string, cut after its first 100 characters, the cut marked after it)
        const shownHost = host.length > 100 ? `${JSON.stringify(host.slice(0, 100))}…` : JSON.stringify(host);
        expect(bodyOf(answer).detail).toBe(
          `Host ${shownHost} is not a valid host[:port] (RFC 9112, 3.2): a host name or address, then an optional port from 0 to 65535.`,
        );
      }
    }
    // The bounds themselves, an empty port (RFC 3986: the default one) and leading zeros are valid.
    for (const host of ["localhost:65535", "localhost:0", "localhost:", `localhost:0000${port}`, "[::1]:65535"]) {
      const r = await raw(emu.url, { path: "/_emulator/faults", headers: { host, ...bearer(emu) } });
      expect(r.status, host).toBe(200);
    }
  });

  it("answers an HTTP/1.0 request's invalid Host with 400 too (its Host may be missing, not malformed)", async () => {
    const bad = await untilClosed(emu.url, `GET /v1/jobs/job_x HTTP/1.0\r\nHost: localhost:99999\r\n\r\n`);
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    const none = await untilClosed(emu.url, `GET /v1/jobs/job_x HTTP/1.0\r\nx-api-key: ${emu.apiKey}\r\n\r\n`);
    expect(none).toMatch(/^HTTP\/1\.1 404 /);
  });

  it("shows a Host it refuses as it was sent, UTF-8 included (beyond ASCII it is no host name: 400)", async () => {
    const answer = await untilClosed(
      emu.url,
      `GET /v1/jobs/job_x HTTP/1.1\r\nhost: l\u00f6calhost\u4e2d\r\nx-api-key: ${emu.apiKey}\r\nconnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer).detail).toMatch(/^Host "l\u00f6calhost\u4e2d" is not a valid host\[:port\]/);
  });

  it("cuts a long Host it shows after 100 characters, never inside one, marks the cut, keeps the quoted part JSON", async () => {
    // 99 ASCII characters, then characters of 2 and 3 bytes in UTF-8: the 100th character is ö, the 101st 中.
    const host = `${"a".repeat(99)}\u00f6\u4e2d${"b".repeat(50)}.example`;
    for (const path of ["/v1/jobs/job_x", "/_emulator/stats"]) {
      const answer = await untilClosed(
        emu.url,
        `GET ${path} HTTP/1.1\r\nhost: ${host}\r\nx-api-key: ${emu.apiKey}\r\nconnection: close\r\n\r\n`,
      );
      expect(answer, path).toMatch(/^HTTP\/1\.1 400 /);
      const text = bodyOf(answer).detail;
      const shownHost = /^Host ("(?:[^"\\]|\\.)*")(…?) is not a valid host\[:port\]/.exec(text);
      expect(shownHost, text).not.toBeNull();
      expect(JSON.parse(shownHost![1]!)).toBe(`${"a".repeat(99)}\u00f6`);
      expect(shownHost![2]).toBe("…");
    }
    // A host name of 100 characters is shown whole, with no mark (it is another server's: 421).
    const whole = await raw(emu.url, { path: "/v1/jobs/job_x", headers: { host: `${"h".repeat(92)}.example` } });
    expect(whole.status).toBe(421);
    expect(jsonOf(whole).detail).toMatch(new RegExp(`^Host "${"h".repeat(92)}\\.example" is not a name`));
  });
});

describe("a request target in absolute form (RFC 9112, 3.2.2)", () => {
  /** A request whose target is `target`, with a good Host unless another is given. */
  const send = (target: string, extra = "", host = new URL(emu.url).host) =>
    untilClosed(
      emu.url,
      `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${emu.apiKey}\r\n${extra}connection: close\r\n\r\n`,
    );

  it("is served as the path it names, as an origin server must accept it (a proxy may pass it on)", async () => {
    const id = await submit(emu, "lucy-pro-t2v", { prompt: "absolute form" });
    for (const base of [emu.url, emu.url.replace("127.0.0.1", "localhost"), emu.url.replace("http:", "HTTP:")]) {
      const answer = await send(`${base}/v1/jobs/${id}`);
      expect(answer, base).toMatch(/^HTTP\/1\.1 200 /);
      expect(bodyOf(answer).job_id).toBe(id);
    }
    // Its query goes with it, on the admin routes too.
    const stats = await send(`${emu.url}/_emulator/stats?jobs&limit=1`, `authorization: Bearer ${emu.adminToken}\r\n`);
    expect(stats).toMatch(/^HTTP\/1\.1 200 /);
    expect(bodyOf(stats).jobs.limit).toBe(1);
    // No path is the root: no route there.
    const root = await send(emu.url);
    expect(root).toMatch(/^HTTP\/1\.1 404 /);
    expect(bodyOf(root)).toEqual({ detail: "Not Found" });
    // A wrong method there is the path's 405, its Allow as in origin form.
    const wrong = await untilClosed(
      emu.url,
      `PUT ${emu.url}/v1/client/tokens HTTP/1.1\r\nHost: ${new URL(emu.url).host}\r\nconnection: close\r\n\r\n`,
    );
    expect(wrong).toMatch(/^HTTP\/1\.1 405 /);
    expect(wrong.toLowerCase()).toContain("\r\nallow: post\r\n");
  });

  it("holds its authority to the Host rule: another server 421, no valid host 400, https 421, other schemes 400", async () => {
    const port = new URL(emu.url).port;
    const cases: [string, number, RegExp][] = [
      [
        `http://evil.example:${port}/v1/jobs/job_x`,
        421,
        /^The request target's authority "evil\.example:\d+" is not a name of this server/,
      ],
      [
        `http://localhost:99999/v1/jobs/job_x`,
        400,
        /^The request target's authority "localhost:99999" is not a valid host\[:port\]/,
      ],
      [`http:///v1/jobs/job_x`, 400, /^The request target's authority "" is not a valid host\[:port\]/],
      [`http://me@127.0.0.1:${port}/v1/jobs/job_x`, 400, /has a user name/],
      [`https://127.0.0.1:${port}/v1/jobs/job_x`, 421, /https URI: this server speaks plain http/],
      [`ftp://127.0.0.1:${port}/v1/jobs/job_x`, 400, /not an http URI \(scheme "ftp"\)/],
    ];
    for (const [target, status, detail] of cases) {
      const answer = await send(target);
      expect(answer, target).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(bodyOf(answer).detail, target).toMatch(detail);
    }
    // Host is still checked: present, and a name of this server.
    const foreignHost = await send(`${emu.url}/v1/jobs/job_x`, "", "evil.example");
    expect(foreignHost).toMatch(/^HTTP\/1\.1 421 /);
    const noHost = await untilClosed(emu.url, `GET ${emu.url}/v1/jobs/job_x HTTP/1.1\r\nconnection: close\r\n\r\n`);
    expect(noHost).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(noHost).detail).toMatch(/^Missing Host header/);
  });
});

describe("listening beyond loopback", () => {
  it("is refused with the public default key, with a message that says why", async () => {
    await expect(startEmulator({ host: "0.0.0.0" })).rejects.toThrow(/default key is public/);
    await expect(startEmulator({ host: "0.0.0.0", keys: [DEFAULT_API_KEY, "k"] })).rejects.toThrow(
      /default key .* is public/,
    );
  });

  it("works with keys of one's own, and still checks Host", async () => {
    const e = await startEmulator({ host: "0.0.0.0", keys: ["my-own-key"], timing: "fast" });
    try {
      const url = e.url.replace("0.0.0.0", "127.0.0.1");
      const ok = await raw(url, { path: "/v1/jobs/job_x", headers: { "x-api-key": "my-own-key" } });
      expect(ok.status).toBe(404);
      const bad = await raw(url, {
        path: "/v1/jobs/job_x",
        headers: { host: "evil.example", "x-api-key": "my-own-key" },
      });
      expect(bad.status).toBe(421);
    } finally {
      await e.close();
    }
  });
});

/** Everything the server sends on a connection to `address` (an IPv6 one without brackets) until it closes it. */
function sendTo(address: string, port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address, port }, () => socket.write(bytes));
    let out = "";
    socket.on("data", (c: Buffer) => {
      out += c.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(out));
  });
}

const locationOf = (answer: string) => /\r\nlocation: ([^\r]*)\r\n/i.exec(answer)?.[1];

/** A link-local IPv6 address of this machine, with its zone (`fe80::1%eth0`), if it has one. */
const linkLocal = Object.entries(networkInterfaces())
  .flatMap(([name, list]) => (list ?? []).map((a) => ({ name, ...a })))
  .find((a) => a.family === "IPv6" && !a.internal && /^fe80:/i.test(a.address));

describe("IPv6", () => {
  it("on ::1, writes a redirect's Location with the address in brackets, a URL, from Host or (HTTP/1.0) the socket", async () => {
    const e = await startEmulator({ host: "::1", timing: "fast" });
    try {
      expect(e.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      const port = Number(new URL(e.url).port);
      const expected = `http://[::1]:${port}/v1/jobs/job_x?a=1`;
      const withHost = await sendTo(
        "::1",
        port,
        `GET /v1/jobs/job_x/?a=1 HTTP/1.1\r\nHost: [::1]:${port}\r\nConnection: close\r\n\r\n`,
      );
      const noHost = await sendTo("::1", port, "GET /v1/jobs/job_x/?a=1 HTTP/1.0\r\n\r\n");
      for (const answer of [withHost, noHost]) {
        expect(answer).toMatch(/^HTTP\/1\.1 307 /);
        expect(locationOf(answer)).toBe(expected);
        expect(new URL(locationOf(answer)!).href).toBe(expected);
      }
    } finally {
      await e.close();
    }
  });

  it("takes an IPv6 address in any of its forms, in Host and as host: its own URL is never refused (421)", async () => {
    // fetch writes the URL's host in the one form URLs have (`[::ffff:7f00:1]`), not as the option gave it.
    const e = await startEmulator({ host: "::ffff:127.0.0.1", timing: "fast" });
    try {
      const own = await fetch(`${e.url}/v1/jobs/job_x`, { headers: { "x-api-key": e.apiKey } });
      expect(own.status).toBe(404);
      const port = new URL(e.url).port;
      for (const host of ["[::ffff:127.0.0.1]", "[::FFFF:7F00:1]", "[0:0:0:0:0:ffff:7f00:1]", "[0:0::1]"]) {
        const r = await raw(`http://127.0.0.1:${port}`, {
          path: "/v1/jobs/job_x",
          headers: { host: `${host}:${port}`, "x-api-key": e.apiKey },
        });
        expect(r.status, host).toBe(404);
      }
    } finally {
      await e.close();
    }
  });

  it("takes host in brackets, as URLs write an IPv6 address, and refuses one with a zone, which no URL can hold", async () => {
    const e = await startEmulator({ host: "[::1]", timing: "fast" });
    try {
      expect(e.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
      expect((await fetch(`${e.url}/v1/jobs/job_x`, { headers: { "x-api-key": e.apiKey } })).status).toBe(404);
    } finally {
      await e.close();
    }
    for (const host of ["::1%lo", "[::1%lo]", "fe80::1%eth0"]) {
      await expect(startEmulator({ host, keys: ["my-own-key"] }), host).rejects.toThrow(
        `host ${JSON.stringify(host)} has an IPv6 zone (a % and an interface), which no URL and no Host header can hold: listen on "::" (with keys of your own) or on an address without a zone.`,
      );
    }
  });

  // Node gives a link-local socket address with its zone (`fe80::1%eth0`); a `%` in a URL's host is no URL.
  it.skipIf(!linkLocal)(
    "on ::, answers HTTP/1.0 on a link-local address with a Location that is a URL (no zone)",
    async () => {
      const e = await startEmulator({ host: "::", keys: ["my-own-key"], timing: "fast" });
      try {
        const port = Number(new URL(e.url).port);
        const address = `${linkLocal!.address}%${linkLocal!.name}`;
        const answer = await sendTo(address, port, "GET /v1/files/ HTTP/1.0\r\n\r\n");
        expect(answer).toMatch(/^HTTP\/1\.1 307 /);
        const location = locationOf(answer)!;
        expect(location).toBe(`http://[${linkLocal!.address}]:${port}/v1/files`);
        expect(new URL(location).pathname).toBe("/v1/files");
      } finally {
        await e.close();
      }
    },
  );
});
