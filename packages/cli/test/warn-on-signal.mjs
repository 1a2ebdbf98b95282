/**
 * Loaded first in a CLI process a test starts (`NODE_OPTIONS=--import=…`): each SIGUSR2 emits a warning of Node's
 * (`process.emitWarning`, as an experimental feature or `MaxListenersExceededWarning` does), printed by Node's own
 * listener, for a test to say where it lands while a progress bar is drawn.
 */
process.on("SIGUSR2", () => process.emitWarning("A warning while a bar is drawn", { code: "DECART_TEST" }));
