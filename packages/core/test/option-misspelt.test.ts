/**
 * An option's name misspelt among a call's inputs (another SDK's spelling, a typo, another library's habit) is named as
 * the option it holds, before anything is sent; a function given under a name no input takes is never advised past the
 * check (`validateInputs: false` would send its source as a form field).
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const ctx = useEmulatorClient();
const model = models.video("lucy-pro-t2v");

/** The call's refusal, with the number of requests the API got for it. */
async function refusal(extra: Record<string, unknown>, call: "submit" | "submitAndPoll" = "submitAndPoll") {
  ctx.emu.resetStats();
  const error = await ctx.client.queue[call]({ model, prompt: "a cat", ...extra } as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error: error as InvalidInputError, requests: ctx.emu.stats().requests.total };
}

describe("an option's name misspelt among the inputs", () => {
  const fn = () => {};
  it.each([
    ["on_status_change", fn, "onStatusChange"],
    ["onStatusChanged", fn, "onStatusChange"],
    ["ONSTATUSCHANGE", fn, "onStatusChange"],
    ["pollInterval", 500, "poll"],
    ["poll_interval", 500, "poll"],
    ["abortSignal", AbortSignal.timeout(60_000), "signal"],
    ["on_progress", fn, "onProgress"],
  ])("%s: names the option (did you mean …?), sends nothing", async (key, value, option) => {
    const { error, requests } = await refusal({ [key]: value });
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe(key);
    expect(error.message).toContain(`Invalid input for lucy-pro-t2v: "${key}" is no input: did you mean ${option}?`);
    // A function is never a field: no way past the check is offered for it; any other value may be a field the
    // catalogue does not know yet (the API ahead of the client): the way past the check stays told.
    if (typeof value === "function") expect(error.message).not.toContain("validateInputs");
    else expect(error.message).toContain(`did you mean ${option}?, or any name with validateInputs: false`);
    expect(requests).toBe(0);
  });

  it.each([
    ["model_version", "v2"],
    ["signal_strength", 3],
    ["download_url", "https://app.example/a.mp4"],
  ])("%s, no function, a field the API may have added: the way past the check is still told", async (key, value) => {
    const { error, requests } = await refusal({ [key]: value });
    expect(error.field).toBe(key);
    expect(error.message).toContain(", or any name with validateInputs: false");
    expect(requests).toBe(0);
  });

  it("webhookUrl is told as another SDK's webhook: the API has none (watch the job); nothing sent", async () => {
    for (const call of ["submit", "submitAndPoll"] as const) {
      const { error, requests } = await refusal({ webhookUrl: "https://app.example/hook" }, call);
      expect(error.field).toBe("webhookUrl");
      expect(error.message).toMatch(
        /"webhookUrl" has no counterpart: the API has no webhooks \(watch the job\), or any name with validateInputs: false/,
      );
      expect(requests).toBe(0);
    }
  });

  it("a function under a name that holds no option is refused without advising validateInputs: false", async () => {
    const { error, requests } = await refusal({ whenReady: fn });
    expect(error.field).toBe("whenReady");
    expect(error.message).toContain('"whenReady" is no input: a function cannot be one');
    expect(error.message).not.toContain("validateInputs");
    expect(requests).toBe(0);
  });

  it("a misspelt input that holds no option is still told the model's names and the way past the check", async () => {
    const { error, requests } = await refusal({ promt: "a cat" });
    expect(error.message).toMatch(
      /"promt" must be a known name \(one of prompt, .*\), or any with validateInputs: false/,
    );
    expect(requests).toBe(0);
  });
});
