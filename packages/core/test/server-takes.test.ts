/**
 * Inputs the server takes (FastAPI reads forms leniently, pydantic's lax mode reads values loosely) and the client
 * refuses before sending, as the spec's schemas have them: the emulator README's "What the emulator takes and
 * @decart/core refuses". Each case is sent twice: through the client (refused, nothing reaches the emulator), and as
 * the same form over plain HTTP (the emulator takes it, as the server does).
 */
import { describe, expect, it } from "vitest";
import { InvalidInputError, models } from "../src/index.js";
import { useEmulatorClient } from "./helpers.js";

const env = useEmulatorClient();

const MP4 = Buffer.from("\0\0\0\x18ftypisom\0\0\0\0isommp41");
const PNG = Buffer.from("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "latin1");
const mp4 = () => new Blob([MP4], { type: "video/mp4" });
const png = () => new Blob([PNG], { type: "image/png" });

/** The inputs as a form, encoded as the client encodes them (a list as JSON text). */
function formOf(inputs: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(inputs)) {
    form.append(name, value instanceof Blob ? value : typeof value === "string" ? value : JSON.stringify(value));
  }
  return form;
}

async function refusedUpFront(model: Parameters<typeof models.video>[0], inputs: Record<string, unknown>) {
  const before = env.emu.stats().requests.total;
  const error = await env.client.queue.submit({ model: models.video(model), ...inputs } as never).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(env.emu.stats().requests.total, "no request reaches the emulator").toBe(before);
  return error as InvalidInputError;
}

async function takenOverHttp(model: string, inputs: Record<string, unknown>) {
  const res = await fetch(`${env.emu.url}/v1/jobs/${model}`, {
    method: "POST",
    headers: { "x-api-key": env.emu.apiKey },
    body: formOf(inputs),
  });
  return { status: res.status, body: await res.text() };
}

describe("what the server takes and the client refuses before sending", () => {
  it("restyle's empty prompt beside a reference_image: the server reads it as no prompt, the client asks for none", async () => {
    const inputs = { prompt: "", data: mp4(), reference_image: png() };
    const error = await refusedUpFront("lucy-restyle-2", inputs);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.field).toBe("prompt");
    const sent = await takenOverHttp("lucy-restyle-2", inputs);
    expect(sent.status, sent.body).toBe(200);
    // Left out, as the client asks, it is sent and taken.
    const { prompt: _, ...without } = inputs;
    await expect(env.client.queue.submit({ model: models.video("lucy-restyle-2"), ...without })).resolves.toMatchObject(
      {
        status: "pending",
      },
    );
  });

  it("a trajectory point's values of another JSON type: the server reads them laxly, the client asks for numbers", async () => {
    const trajectory = [
      { frame: true, x: "0", y: 0 },
      { frame: "2", x: 0.5, y: 0.5 },
    ];
    for (const given of [trajectory, JSON.stringify(trajectory)]) {
      const error = await refusedUpFront("lucy-motion", { data: png(), trajectory: given });
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.field).toBe("trajectory[0].frame");
    }
    const sent = await takenOverHttp("lucy-motion", { data: png(), trajectory });
    expect(sent.status, sent.body).toBe(200);
    // Given as numbers, it is sent and taken.
    const numbers = [
      { frame: 1, x: 0, y: 0 },
      { frame: 2, x: 0.5, y: 0.5 },
    ];
    await expect(
      env.client.queue.submit({ model: models.video("lucy-motion"), data: png(), trajectory: numbers }),
    ).resolves.toMatchObject({ status: "pending" });
  });
});
