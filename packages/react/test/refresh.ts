// React Refresh's runtime (what a bundler's dev server runs for Fast Refresh) hooked in before react-dom loads, as a
// dev server's page does: react-dom registers with it as it starts, so that a test can edit a component the way a
// saved file does (test/fast-refresh.test.tsx). Nothing else changes: with no edit, the runtime only tracks the roots.
import { injectIntoGlobalHook } from "react-refresh/runtime";

injectIntoGlobalHook(globalThis as unknown as Window);
