import { describe, expect, it } from "vitest";
import { createDecartClient, models } from "../src/index.js";
import { clientFor, firstN, instantDelay, serve, silent, startFast } from "./helpers.js";

// A submit answered 500 may have made a job. Without `retrySubmit` it is not sent again, and its error says so; with
// it, it is sent again: the words say that (a second job may be billed), not "not sent again", and that resend goes
// to the logger's `warn` (money), not `debug`.
const t2v = models.video("lucy-pro-t2v");

const logged = () => {
  const lines: [level: string, line: string][] = [];
  return {
    lines,
    logger: {
      debug: (m: string) => lines.push(["debug", m]),
      warn: (m: string) => lines.push(["warn", m]),
    },
  };
};

describe("a submit that may have made a job", () => {
  it("sent again under retrySubmit: said so at warn, a second job may be billed", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "500", rate: 0.5 }], random: firstN(1) });
    try {
      const { lines, logger } = logged();
      const done = await clientFor(emu, {
        retrySubmit: true,
        logger,
        poll: { delay: instantDelay() },
      }).queue.submitAndPoll({ model: t2v, prompt: "x", download: false });
      expect(done.status).toBe("completed");
      expect(emu.stats().jobsCreated).toBe(1);
      const resent = lines.filter(([, line]) => /HTTP 500/.test(line));
      expect(resent).toHaveLength(1);
      expect(resent[0]![0]).toBe("warn");
      expect(resent[0]![1]).toMatch(
        /a job \(or file\) may exist: sent again \(`retrySubmit`\): a second job may be billed; retry 1 in \d+ ms$/,
      );
      expect(resent[0]![1]).not.toMatch(/not sent again|could bill twice/);
    } finally {
      await emu.close();
    }
  });

  it("without retrySubmit: not sent again, and its error says so", async () => {
    const emu = await startFast({ faults: [{ route: "submit", kind: "500", rate: 0.5 }], random: firstN(1) });
    try {
      const { lines, logger } = logged();
      const error = await clientFor(emu, { logger })
        .queue.submit({ model: t2v, prompt: "x" })
        .catch((e) => e);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN" });
      expect(error.message).toMatch(
        /a job \(or file\) may exist: not sent again \(that could bill twice\): ask support before retrying$/,
      );
      expect(emu.stats().requests.byRoute.submit).toBe(1);
      expect(lines).toEqual([]);
    } finally {
      await emu.close();
    }
  });

  it("sent again under retrySubmit and failing again (500, then 500): each joiner said once", async () => {
    let posts = 0;
    const api = await serve((_req, res) => {
      posts++;
      res.writeHead(500, { "content-type": "application/json", "x-request-id": `req_${posts}` });
      res.end(`{"detail":"Broken ${posts}"}`);
    });
    try {
      const error = await createDecartClient({
        apiKey: "dct_resend_key_0123456789abcdef",
        baseUrl: api.url,
        logger: silent,
        retrySubmit: true,
        maxRetries: 1,
        poll: { delay: instantDelay() },
      })
        .queue.submit({ model: t2v, prompt: "x" })
        .catch((e) => e);
      expect(posts).toBe(2);
      expect(error).toMatchObject({ code: "SUBMIT_OUTCOME_UNKNOWN", requestId: "req_1", retryable: false });
      expect(error.message).toBe(
        "Broken 1 (HTTP 500, request req_1); a job (or file) may exist: sent again (`retrySubmit`): a second job may be billed; " +
          "then: Broken 2 (HTTP 500, request req_2); a job (or file) may exist: not sent again (that could bill twice): ask support before retrying",
      );
    } finally {
      await api.close();
    }
  });
});
