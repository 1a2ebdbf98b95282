import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { decartPlayground } from "./server/plugin.js";

// `vite` (dev) and `vite preview` (the built page) both start the emulator and the token route behind the page.
export default defineConfig({
  plugins: [react(), decartPlayground({ emulatorOptions: { timing: { pendingMs: 1000, processingMs: 3000 } } })],
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
