import { fileURLToPath } from "node:url";

/** The built `decart` bin, as a user runs it (`pnpm --filter @decart/cli build` first). */
export const CLI_BIN = fileURLToPath(new URL("./node_modules/@decart/cli/bin/decart.js", import.meta.url));
