import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Vitest runs without globals, so Testing Library does not unmount by itself: every test's trees are unmounted here,
// before the test file's own afterEach closes its emulator (hooks run in list order), so no hook left mounted goes on
// watching a job on a closed port.
afterEach(() => cleanup());
