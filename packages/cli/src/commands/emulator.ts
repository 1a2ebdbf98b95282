import type { EmulatorOptions } from "@decart/emulator";
import { shellWord } from "../command.js";
import { EXIT, signalExit, usageError } from "../exit.js";
import type { Output } from "../output.js";
import { forgetSecret } from "../secrets.js";
import { onInterrupt } from "../signals.js";

/**
 * `decart emulator [-p port] [--fast] […]`: the local emulator on 127.0.0.1 (never another interface), until Ctrl-C,
 * SIGTERM or SIGHUP. `flags` are the values of the emulator's own flags (`emulatorFlags` of @decart/emulator, but
 * `--host`) by name; a value one does not take is a usage error naming it. Prints its URL, its dev key, its admin token
 * (for `GET /_emulator/stats`, as `Authorization: Bearer …`), and the two variables that point the CLI at it.
 */
export async function runEmulator(
  flags: Record<string, string | boolean | undefined>,
  output: Output,
): Promise<number> {
  if (flags.host !== undefined) {
    throw usageError(
      "decart emulator listens on 127.0.0.1 only: for another interface, reachable from other machines, run " +
        "decart-emulator --host <host> --keys <keys of your own> (@decart/emulator)",
    );
  }
  const { emulatorOptionsFromFlags, startEmulator } = await import("@decart/emulator");
  let options: EmulatorOptions;
  try {
    options = emulatorOptionsFromFlags(flags);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const port = options.port;
  const emulator = await startEmulator({
    ...options,
    host: "127.0.0.1",
    ...(output.verbose && { logger: (line: string) => output.debug(line) }),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e?.code !== "EADDRINUSE" && e?.code !== "EACCES") throw e;
    const why = e.code === "EADDRINUSE" ? "is in use" : "needs privileges";
    throw usageError(`Port ${port} on 127.0.0.1 ${why}: pick another with --port <n>, or --port 0 for a free one`);
  });
  // The emulator's dev key and admin token (random per start) are its own, not secrets of the user's: printing them is
  // the point. So the dev key is printed even where it is the key in DECART_API_KEY (set to use an emulator before),
  // which every command scrubs otherwise (see secrets.ts).
  forgetSecret(emulator.apiKey);
  // Listened for before anything is printed: a signal that comes once the URL is out (a script that read it, a test)
  // finds its handler, where it would end the process by the signal's default action, the emulator not closed and
  // nothing said.
  // SIGHUP (its terminal closed, an ssh connection dropped) too, as every command takes it: it ended the process by its
  // default action. The first of them is heard; a second one ends the process at once, but the same signal again within
  // ONE_DELIVERY_MS of the first, which is that one delivered twice (`timeout` signals the process, then its group).
  const stopped = new Promise<NodeJS.Signals>((heard) => onInterrupt(heard));
  output.event({ type: "listening", url: emulator.url, api_key: emulator.apiKey, admin_token: emulator.adminToken });
  output.print(`Decart emulator listening on ${emulator.url}`);
  output.print(`API key: ${emulator.apiKey}`);
  output.print(`Admin token: ${emulator.adminToken} (for /_emulator/stats and the other admin routes)`);
  // Commands to paste into a shell: each value quoted for it as every command the CLI prints is (`shellWord`), so that
  // a key or a token given with `--keys` or `--admin-token` (`k$HOME;echo x`) is that text, never code the shell runs.
  const variable = (name: string, value: string) => `${name}=${shellWord(value)}`;
  output.info(
    output.err.dim(
      `Use it:  export ${variable("DECART_BASE_URL", emulator.url)} ${variable("DECART_API_KEY", emulator.apiKey)}\n` +
        `Stats:   curl -H ${shellWord(`Authorization: Bearer ${emulator.adminToken}`)} ` +
        `${shellWord(`${emulator.url}/_emulator/stats`)}\n` +
        "Stop it: Ctrl-C",
    ),
  );
  const signal = await stopped;
  await emulator.close();
  // SIGTERM is how a service manager or a script stops it (0); Ctrl-C 130 and SIGHUP 129, as for every command.
  const code = signal === "SIGTERM" ? EXIT.ok : signalExit(signal);
  // Its last line, as every command's, carries the exit code.
  output.event({ type: "stopped", exit_code: code });
  return code;
}
