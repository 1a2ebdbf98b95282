/**
 * `@decart/emulator/testing`: what the SDK's own tests hold its other packages to, read from the emulator itself. Not
 * part of the emulator's contract: it may change in any release.
 */
export { NO_VIDEO_BRANDS } from "./media/sniff.js";
