/**
 * A Vite plugin that puts the playground's backend behind Vite's dev server and its preview server: the emulator on
 * loopback, and the page's routes (`/api/config`, `/api/token`). Closing the Vite server closes them.
 */
import type { Connect, Plugin } from "vite";
import { type Backend, type BackendOptions, serveFetch, startBackend } from "./backend.js";

export function decartPlayground(options: BackendOptions = {}): Plugin {
  let backend: Promise<Backend> | undefined;
  const start = (log: (line: string) => void) => {
    backend ??= startBackend(options).then((b) => {
      log(`  Decart emulator on ${b.emulator.url} (the page gets client tokens from /api/token)`);
      return b;
    });
    return backend;
  };
  const close = async () => {
    const b = backend;
    backend = undefined;
    if (b) await (await b).close();
  };
  const middleware =
    (log: (line: string) => void): Connect.NextHandleFunction =>
    (req, res, next) => {
      const path = (req.url ?? "").split("?")[0] ?? "";
      start(log).then(
        (b) => {
          const route = b.routes[path];
          if (route) void serveFetch(route, req, res);
          else next();
        },
        (error) => next(error),
      );
    };
  return {
    name: "decart-playground",
    configureServer(server) {
      const log = (line: string) => server.config.logger.info(line);
      server.httpServer?.once("close", () => void close());
      server.middlewares.use(middleware(log));
      void start(log);
    },
    configurePreviewServer(server) {
      const log = (line: string) => server.config.logger.info(line);
      server.httpServer.once("close", () => void close());
      server.middlewares.use(middleware(log));
      void start(log);
    },
  };
}
