/**
 * Where device numbers do not tell a terminal (macOS, the BSDs), `-o` naming a character device is told one by the
 * `/dev` name its links lead to (see `isTerminal`), never by opening it: a serial port's call-out name is a terminal
 * too (macOS's `/dev/cu.…`, FreeBSD's and OpenBSD's `/dev/cua…`, NetBSD's `/dev/dty…`), whose result's bytes would go
 * down the line; other devices are written.
 */
import { describe, expect, it } from "vitest";
import { terminalName } from "../src/files.js";

describe("terminalName", () => {
  it.each([
    "/dev/tty",
    "/dev/ttys003",
    "/dev/ttyu0",
    "/dev/cu.usbserial-1410",
    "/dev/cuau0",
    "/dev/cuaU0",
    "/dev/cua00",
    "/dev/dty00",
    "/dev/dtyU0",
    "/dev/pts/3",
    "/dev/ptyp0",
    "/dev/console",
    "/dev/ptmx",
  ])("%s is a terminal", (path) => {
    expect(terminalName(path)).toBe(true);
  });

  it.each(["/dev/null", "/dev/zero", "/dev/random", "/dev/consolectl", "/tmp/dev/tty1", "/dev/fd/3"])(
    "%s is none",
    (path) => {
      expect(terminalName(path)).toBe(false);
    },
  );
});
