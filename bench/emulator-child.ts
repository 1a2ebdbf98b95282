/** Starts `emulator-server.ts` in a child process (through tsx) and talks to it over IPC. */
import type { ChildProcess } from "node:child_process";
import { fork } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export interface Ready {
  type: "ready";
  url: string;
  apiKey?: string;
  adminToken?: string;
  jobId?: string;
}

export interface ServerChild {
  ready: Ready;
  child: ChildProcess;
  ask<T>(msg: { type: string }): Promise<T>;
  stop(): Promise<void>;
}

export async function startServerChild(mode: "emulator" | "bare" | "drain", answer?: string): Promise<ServerChild> {
  const child = fork(join(here, "emulator-server.ts"), answer === undefined ? [mode] : [mode, answer], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`server child exited with ${code}`)));
    child.on("message", (msg: Ready) => {
      if (msg.type === "ready") resolve(msg);
    });
  });
  return {
    ready,
    child,
    ask<T>(msg: { type: string }) {
      return new Promise<T>((resolve) => {
        const onMessage = (reply: { type: string }) => {
          if (reply.type === msg.type) {
            child.off("message", onMessage);
            resolve(reply as T);
          }
        };
        child.on("message", onMessage);
        child.send(msg);
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.send({ type: "exit" });
      });
    },
  };
}
