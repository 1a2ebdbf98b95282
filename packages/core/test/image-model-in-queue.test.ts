/**
 * An image model given to the queue (its definition or its name) is refused before anything is sent, the refusal
 * naming the call that takes it: `client.process`.
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const ctx = useEmulatorClient();

describe("an image model given to the queue", () => {
  it.each([
    ["models.image(…)", () => models.image("lucy-pro-t2i")],
    ["its name", () => "lucy-pro-t2i"],
  ])("%s: submit and submitAndPoll say it is an image model for client.process; nothing is sent", async (_, model) => {
    ctx.emu.resetStats();
    for (const call of ["submit", "submitAndPoll"] as const) {
      const error = await ctx.client.queue[call]({ model: model(), prompt: "a cat" } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ field: "model" });
      expect((error as Error).message).toMatch(
        /^Invalid input: "model" must be from models\.video\(\) .*: lucy-pro-t2i is an image model, use client\.process \(got "lucy-pro-t2i"\)$/,
      );
    }
    expect(ctx.emu.stats().requests.total).toBe(0);
  });

  it("a video model of the catalogue refused for another reason (not a whole definition) gets no such hint", async () => {
    const { path: _, ...pathless } = models.video("lucy-pro-t2v");
    const error = await ctx.client.queue.submit({ model: pathless, prompt: "a cat" } as never).catch((e: unknown) => e);
    expect((error as Error).message).not.toContain("image model");
  });
});
