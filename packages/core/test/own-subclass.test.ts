/**
 * A class of yours that extends the package's errors (`class PaymentError extends DecartError {}`, with no `static
 * kind`) has prototype semantics: only its own instances are `instanceof` it (never every error of its parent), and it
 * is named as you wrote it. The package's own classes keep their cross-copy marker check. Errors from real answers.
 */
import { describe, expect, it } from "vitest";
import {
  createDecartClient,
  DecartError,
  type ErrorCode,
  JobTimeoutError,
  ServerError,
  TimeoutError,
} from "../src/index.js";
import { json, serve, silent } from "./helpers.js";

class PaymentError extends DecartError {}
class MyTimeout extends JobTimeoutError {}
class MyServerError extends ServerError {}
/** One of yours with a `kind` of its own: checked by the marker, as the package's classes are. */
class Marked extends DecartError {
  static override readonly kind: string = "MarkedError";
}

describe("a subclass of yours", () => {
  it("is matched by its own instances only, is named as written, and keeps its parent's code", async () => {
    const server = await serve((_req, res) => json(res, 500, { detail: "boom" }));
    try {
      const client = createDecartClient({ apiKey: "k", baseUrl: server.url, logger: silent, maxRetries: 0 });
      const sdk = await client.queue.status(`job_${"ab".repeat(16)}`).catch((e) => e);
      expect(sdk).toBeInstanceOf(ServerError);
      expect(sdk).toBeInstanceOf(DecartError);
      for (const Class of [PaymentError, MyTimeout, MyServerError, Marked]) {
        expect(sdk instanceof Class, Class.name).toBe(false);
        expect(Class.isInstance(sdk), Class.name).toBe(false);
      }
      expect(new JobTimeoutError("t") instanceof MyTimeout).toBe(false);
      expect(MyTimeout.isInstance(new JobTimeoutError("t"))).toBe(false);
      expect(new TimeoutError("t") instanceof MyTimeout).toBe(false);

      const mine = new PaymentError("card declined", { code: "PAYMENT" });
      expect(mine).toBeInstanceOf(PaymentError);
      expect(PaymentError.isInstance(mine)).toBe(true);
      expect(mine).toBeInstanceOf(DecartError);
      expect(mine).toMatchObject({ name: "PaymentError", code: "PAYMENT" });
      expect(mine.toJSON()).toMatchObject({ name: "PaymentError", code: "PAYMENT", message: "card declined" });
      const late = new MyTimeout("too late", { jobId: "job_1" });
      expect(late).toBeInstanceOf(MyTimeout);
      expect(late).toBeInstanceOf(JobTimeoutError);
      expect(JobTimeoutError.isInstance(late)).toBe(true);
      expect(late).toMatchObject({ name: "MyTimeout", code: "JOB_TIMEOUT" });
      expect(new MyServerError("x")).toMatchObject({ name: "MyServerError", code: "SERVER" });
      expect(new Marked("x")).toMatchObject({ name: "MarkedError", code: "MARKED" });
      expect(Marked.isInstance(new Marked("x"))).toBe(true);
      // A value whose prototype cannot be read is none.
      const trap = new Proxy(
        {},
        {
          getPrototypeOf() {
            throw new Error("trap");
          },
        },
      );
      expect(PaymentError.isInstance(trap)).toBe(false);
      expect(trap instanceof MyTimeout).toBe(false);
    } finally {
      await server.close();
    }
  });

  it("a DecartError made without a code has DECART, one of the codes", () => {
    const code: ErrorCode = new DecartError("x").code;
    expect(code).toBe("DECART");
    expect(new PaymentError("x").code).toBe("DECART");
  });
});
