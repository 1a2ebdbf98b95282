/**
 * A key echoed by a server just where the client cuts what it says (500 characters of a `detail`, 200 of an HTML
 * page's title, 80 of a 2xx answer that is not JSON) is not kept in part: a redaction of its whole forms
 * (`createTokenRoute`'s `onError`, the CLI's) could not recognise a form cut short. Over HTTP, against a server that
 * echoes the key it was sent, in the forms the route clears, at every place of the cut.
 */
import { describe, expect, it } from "vitest";
import { createDecartClient, type DecartError } from "../src/index.js";
import { createTokenRoute } from "../src/server.js";
import { serve } from "./helpers.js";

const KEY = "dct_SeCrEt_kEy_1234567890abcdef";
/** A key of characters other than letters, digits and `_-%+/=` (which a header can carry). */
const ODD = "dct_SeCrEt.kEy~1234!567890*abc:def";
/** A key whose forms are longer than 128 characters (its percent-encoded one is 3 times its length). */
const LONG = `dct_${"LoNgSeCrEt".repeat(6)}`;
const b64 = (text: string) => Buffer.from(text).toString("base64");
const formsOf = (key: string): Record<string, string> => ({
  upper: key.toUpperCase(),
  base64: b64(key),
  base64url: b64(`x:${key}`).replace(/\+/g, "-").replace(/\//g, "_"),
  ek: `ek_${key.slice(4)}`,
  percent: [...key].map((c) => `%${c.charCodeAt(0).toString(16)}`).join(""),
});

/** How the server says it: `(pad, echo) => [status, content type, body]`, where the cut is. */
const answers: Record<string, [number, (text: string) => [number, string, string]]> = {
  detail: [500, (text) => [500, "application/json", JSON.stringify({ detail: text })]],
  "4xx detail": [500, (text) => [400, "application/json", JSON.stringify({ detail: text })]],
  title: [200, (text) => [502, "text/html", `<html><title>${text}</title><p>Bad gateway</p></html>`]],
  "not JSON": [80, (text) => [200, "text/plain", text]],
};

describe("a key's form echoed across the client's cut of a message", () => {
  for (const [name, key] of [
    ["a key", KEY],
    ["a key of characters other than letters, digits and _-%+/=", ODD],
    ["a key whose forms are longer than 128 characters", LONG],
  ] as const)
    it(`${name}: is dropped whole, never kept in part, from what the token route's onError sees`, async () => {
      const forms = formsOf(key);
      let next: [number, string, string] = [500, "text/plain", ""];
      const upstream = await serve((_req, res) => {
        res.writeHead(next[0], { "content-type": next[1], "x-request-id": "req_cut" }).end(next[2]);
      });
      try {
        let seen: DecartError | undefined;
        const route = createTokenRoute({
          authorize: () => true,
          apiKey: key,
          baseUrl: upstream.url,
          onError: (e) => (seen = e),
        });
        const leaks: string[] = [];
        for (const [where, [max, answer]] of Object.entries(answers)) {
          for (const [name, form] of Object.entries(forms)) {
            // The cut at places inside the form: after its first character, a few more, all but its last.
            for (const kept of [1, 2, 3, 5, 8, 13, 21, form.length - 1].filter(
              (n) => n < Math.min(form.length, max - 1),
            )) {
              const pad = max - kept - 1;
              next = answer(`${"x".repeat(pad)} ${form} and more words after it`);
              expect((await route(new Request("http://app.test/t", { method: "POST" }))).status).toBe(502);
              const text = `${seen!.message}\n${seen!.stack}`.toUpperCase();
              // Of the form, not even its first 4 characters (`DCT_`, `ZGN0`, `EK_S`, `%64%`).
              if (text.includes(form.slice(0, 4).toUpperCase()))
                leaks.push(`${where} ${name} ${kept}: ${seen!.message}`);
            }
          }
        }
        expect(leaks.slice(0, 3)).toEqual([]);
        // What comes before the cut form is kept.
        next = answers.detail![1](`${"x".repeat(480)} ${forms.upper}`);
        await route(new Request("http://app.test/t", { method: "POST" }));
        expect(seen!.message).toMatch(/^x{480} \(HTTP 500, request req_cut\)$/);
      } finally {
        await upstream.close();
      }
    });

  it("cuts nothing from a message that fits", async () => {
    const upstream = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ detail: "y".repeat(500) }));
    });
    try {
      let seen: DecartError | undefined;
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: KEY,
        baseUrl: upstream.url,
        onError: (e) => (seen = e),
      });
      await route(new Request("http://app.test/t", { method: "POST" }));
      expect(seen!.message).toBe(`${"y".repeat(500)} (HTTP 500)`);
    } finally {
      await upstream.close();
    }
  });
});

describe("a message of one word (no white space) cut", () => {
  it("a long key's percent form at the cut goes whole, even past 128 characters from where the cut falls", async () => {
    const percent = formsOf(LONG).percent;
    const bodies = [
      JSON.stringify({ detail: `${"x".repeat(340)}${percent}` }),
      JSON.stringify({ detail: `https://api.example/v1?a=b&key=${percent}${"y".repeat(300)}` }),
    ];
    const upstream = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" }).end(bodies.shift());
    });
    try {
      let seen: DecartError | undefined;
      const route = createTokenRoute({
        authorize: () => true,
        apiKey: LONG,
        baseUrl: upstream.url,
        onError: (e) => (seen = e),
      });
      await route(new Request("http://app.test/t", { method: "POST" }));
      expect(seen!.message).toBe("HTTP error (HTTP 500)");
      await route(new Request("http://app.test/t", { method: "POST" }));
      // What comes before it, up to the last `&`, is kept.
      expect(seen!.message).toBe("https://api.example/v1?a=b& (HTTP 500)");
    } finally {
      await upstream.close();
    }
  });

  it("a 2xx status answer of minified JSON that is not valid keeps the start of its excerpt", async () => {
    const body = '{"job_id":"job_123","status":"processing","progress":0.5,"eta_seconds":12,"queue_position":NaN}';
    const upstream = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    try {
      const e = await createDecartClient({ apiKey: KEY, baseUrl: upstream.url, maxRetries: 0 })
        .queue.status("job_123")
        .catch((e: DecartError) => e);
      expect((e as DecartError).message).toContain(
        `not JSON (application/json: ${JSON.stringify('{"job_id":"job_123","status":"processing","progress":0.5,"eta_seconds":12,"')})`,
      );
    } finally {
      await upstream.close();
    }
  });
});
