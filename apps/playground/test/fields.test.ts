/** The form's reading of a model's fields (fields.ts), without a browser: what it shows and what it sends. */
import { describe, expect, it } from "vitest";
import { type Field, inputsOf, modelChoices, shownValues } from "../src/fields.js";

describe("a field that takes one of a list of values", () => {
  // An integer field with a list of values, as a spec may give one (`enum: [24, 30]`): a <select>'s value is text.
  const fps: Field = { name: "fps", type: "integer", required: false, enum: [24, 30] };
  const prompt: Field = { name: "prompt", type: "string", required: true };

  it("keeps a choice of an integer list, picked as text, and sends it as the number", () => {
    const shown = shownValues([prompt, fps], { prompt: "a lake", fps: "30" });
    expect(shown).toEqual({ prompt: "a lake", fps: "30" });
    expect(inputsOf([prompt, fps], shown)).toEqual({ inputs: { prompt: "a lake", fps: 30 }, problems: [] });
  });

  it("drops a value that is none of the field's choices (one kept from another model's form)", () => {
    expect(shownValues([fps], { fps: "25" })).toEqual({ fps: undefined });
    expect(shownValues([fps], { fps: undefined })).toEqual({ fps: undefined });
  });

  it("keeps a choice of every text list of the catalogue, and drops one of no list", () => {
    for (const { fields } of modelChoices) {
      for (const field of fields.filter((f) => f.enum)) {
        for (const choice of field.enum!)
          expect(shownValues([field], { [field.name]: String(choice) })).toEqual({ [field.name]: String(choice) });
        expect(shownValues([field], { [field.name]: "none of them" })).toEqual({ [field.name]: undefined });
      }
    }
  });
});
