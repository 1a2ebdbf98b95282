// Prints the model catalogue that every package reads, generated from spec/openapi.yaml.
import { catalogue, retiredModels } from "@decart/api";

const rows = Object.values(catalogue).map((m) => {
  const note =
    "aliasOf" in m
      ? `alias of ${m.aliasOf}`
      : "deprecatedInFavourOf" in m
        ? `deprecated: use ${m.deprecatedInFavourOf}`
        : "";
  const fields = m.fields.map((f) => (f.required ? f.name : `${f.name}?`)).join(", ");
  return [m.name, m.kind, m.path, fields, note];
});
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows)
  console.log(
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd(),
  );
console.log(`\nRetired (answered with 410): ${retiredModels.map((r) => r.name).join(", ")}`);
