/**
 * `@decart/emulator`: a local server that plays the Decart API for real. See the README for the contract.
 */
export { FAULT_KINDS } from "./faults.js";
export { DEFAULT_FLAG_PORT, type EmulatorFlag, emulatorFlags, emulatorOptionsFromFlags } from "./flags.js";
export { seededRandom } from "./random.js";
export { type FaultRoute, ROUTE_NAMES } from "./routes.js";
export { DEFAULT_API_KEY, startEmulator } from "./server.js";
export type {
  Emulator,
  EmulatorOptions,
  EmulatorStats,
  FaultKind,
  FaultRule,
  JobPage,
  JobRecord,
  JobStatus,
  RouteName,
  TimingOptions,
} from "./types.js";
