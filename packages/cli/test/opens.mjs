/**
 * Loaded first (`node --import`) into a CLI process a test starts: every open of the path `OPENS_WATCHED` names
 * (`fs.open`, `fs.openSync`, `fs/promises`' `open`, and so `createReadStream`/`createWriteStream`, as given or as a
 * link leads to it) appends a line to the file `OPENS_LOG`, so that a test can tell a device was never opened, by a
 * count, whatever the machine's speed. Nothing else of `fs` changes.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { resolve } from "node:path";

const watched = process.env.OPENS_WATCHED;
const log = process.env.OPENS_LOG;
if (watched && log) {
  const note = (path) => {
    if (typeof path !== "string" && !(path instanceof URL) && !Buffer.isBuffer(path)) return;
    let where = resolve(String(path instanceof URL ? path.pathname : path));
    try {
      where = fs.realpathSync.native(where);
    } catch {}
    if (where === watched) fs.appendFileSync(log, `${String(path)}\n`);
  };
  const { open, openSync } = fs;
  const openPromised = fs.promises.open;
  fs.open = function (path, ...rest) {
    note(path);
    return open.call(this, path, ...rest);
  };
  fs.openSync = function (path, ...rest) {
    note(path);
    return openSync.call(this, path, ...rest);
  };
  fs.promises.open = function (path, ...rest) {
    note(path);
    return openPromised.call(this, path, ...rest);
  };
  syncBuiltinESMExports();
}
