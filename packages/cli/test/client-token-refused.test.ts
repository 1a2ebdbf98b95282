/**
 * A client token (`ek_…`) given as the key and refused (expired, revoked: HTTP 401) is told in the CLI's words: set a
 * valid key or a new token where the CLI takes them, not the client's option (`token: fetchTokenFrom(…)`), which a
 * terminal has none of. Against the emulator, which refuses a token it did not issue.
 */
import type { Emulator } from "@decart/emulator";
import { describe, expect, it } from "vitest";
import { events, run, useEmulator } from "./helpers.js";

let emu: Emulator;
let env: Record<string, string>;
useEmulator({}, (f) => ({ emu, env } = f));

describe("a client token refused", () => {
  it("jobs status and video: exit 4, saying to set a valid key or a new token in DECART_API_KEY or --api-key", async () => {
    const token = { ...env, DECART_API_KEY: "ek_expired0123456789abcdefgh" };
    for (const args of [
      ["jobs", "status", `job_${"a".repeat(32)}`],
      ["video", "A lake"],
    ]) {
      const refused = await run(args, { env: token });
      expect(refused.code, refused.stderr).toBe(4);
      const [error] = events(refused.stdout);
      expect(error).toMatchObject({ type: "error", exit_code: 4 });
      for (const text of [error!.message as string, refused.stderr]) {
        expect(text, args[0]).toContain(
          "a client token (ek_…) expires and the CLI does not renew it: set a valid API key (dct_…), or a new token, in DECART_API_KEY or --api-key",
        );
        expect(text, args[0]).not.toContain("fetchTokenFrom");
        expect(text, args[0]).not.toContain("apiKey");
      }
    }
    expect(emu.stats().jobsCreated).toBe(0);
  });

  it("a key (dct_…) refused still names where it came from, and no token", async () => {
    const refused = await run(["jobs", "status", `job_${"a".repeat(32)}`], {
      env: { ...env, DECART_API_KEY: "dct_refused0123456789abcdefgh" },
    });
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.stderr).toContain("; check the key given by --api-key or DECART_API_KEY");
    expect(refused.stderr).not.toContain("client token");
  });
});
