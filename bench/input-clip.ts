/**
 * The small input clip the benchmarks upload (lucy-clip's `data`): a lucy-pro-t2v result of an in-process emulator on
 * its fast clock. Import it dynamically from a script whose child processes must not load the emulator.
 */
import { createDecartClient, models } from "@decart/core";
import { startEmulator } from "@decart/emulator";

export async function renderInputClip(): Promise<Uint8Array<ArrayBuffer>> {
  const emu = await startEmulator({ timing: "fast", logger: () => {} });
  try {
    const client = createDecartClient({ apiKey: emu.apiKey, baseUrl: emu.url, logger: { warn: () => {} } });
    const made = await client.queue.submitAndPoll({
      model: models.video("lucy-pro-t2v"),
      prompt: "input clip",
      poll: { initialDelayMs: 50, intervalMs: 50 },
    });
    if (made.status !== "completed") throw new Error("could not render the input clip");
    return new Uint8Array(await made.data.arrayBuffer());
  } finally {
    await emu.close();
  }
}
