// The API reference as TypeDoc builds it (`pnpm run docs`), as CI builds it: no warning, and a comment on every
// export (what an editor shows on hover too).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeDocs } from "test-utils/typedoc";

describeDocs(resolve(dirname(fileURLToPath(import.meta.url)), ".."));
