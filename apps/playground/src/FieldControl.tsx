import { sentLength } from "@decart/core";
import { type ReactNode, useEffect, useId, useRef } from "react";
import { type Field, fileProblem } from "./fields.js";

interface Props {
  field: Field;
  description: string | undefined;
  value: string | File | undefined;
  onChange(value: string | File | undefined): void;
  /** The id of the text saying what is wrong with this field's value (a form problem, a run's error), if any. */
  error?: string | undefined;
}

/**
 * One field of the model, as its catalogue entry says: enums and booleans as selects (left at the server's default
 * unless chosen), numbers with their limits, files as file inputs, the prompt and JSON as text areas. A file the field
 * does not take (one kept from another model's form: see `fileProblem`) is said under it, and the field tied to that
 * text as to any input error (not a live region: arrowing through the model picker would say it at each model passed;
 * read with the field, and by the form's problems on Generate).
 *
 * A text with a most (the prompt's `maxLength`) has no native `maxlength`: the browser counts UTF-16 code units and a
 * line break as 1, so it would cut a pasted text short silently (an emoji is 2 units) and let through one the client
 * then refuses (a line break is sent as CRLF). Its count is shown as the client counts it (`sentLength` of the core,
 * the rule its check goes by), and past the most it is the field's error (`aria-invalid`, `aria-errormessage`).
 */
export function FieldControl({ field, description, value, onChange, error }: Props) {
  const id = useId();
  const help = `${id}-help`;
  const refused = fileProblem(field, value);
  const text = typeof value === "string" ? value : "";
  // A text's most (the prompt's), and its count as the client counts it (see above).
  const limit = field.type === "string" && !field.enum ? field.maxLength : undefined;
  const count = sentLength(text);
  const over = limit !== undefined && count > limit;
  const countId = `${id}-count`;
  // The error said elsewhere (a form problem, a run's error), else a file the field does not take, else a count past
  // the most.
  const said = error ?? (refused ? `${id}-refused` : over ? countId : undefined);
  const common = {
    id,
    required: field.required,
    "aria-describedby":
      [said, limit !== undefined && countId !== said && countId, description && help].filter(Boolean).join(" ") ||
      undefined,
    "aria-invalid": said ? true : undefined,
    "aria-errormessage": said || undefined,
  };
  const fallback = field.default === undefined ? "not sent" : `default: ${String(field.default)}`;
  // A file kept from before (the form of another model, then this one again) is shown chosen: it is what is sent.
  const picker = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = picker.current;
    if (!input || !(value instanceof File) || input.files?.[0] === value) return;
    const chosen = new DataTransfer();
    chosen.items.add(value);
    input.files = chosen.files;
  }, [value]);
  let control: ReactNode;
  if (field.type === "file") {
    control = (
      <input
        {...common}
        ref={picker}
        type="file"
        accept={field.accept?.join(",")}
        onChange={(e) => onChange(e.target.files?.[0])}
      />
    );
  } else if (field.enum || field.type === "boolean") {
    const options = field.enum ?? ["true", "false"];
    control = (
      <select {...common} value={text} onChange={(e) => onChange(e.target.value || undefined)}>
        {!field.required && <option value="">({fallback})</option>}
        {options.map((o) => (
          <option key={o} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  } else if (field.type === "integer" || field.type === "number") {
    control = (
      <input
        {...common}
        type="number"
        min={field.minimum}
        max={field.maximum}
        step={field.type === "integer" ? 1 : "any"}
        placeholder={fallback}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else if (field.name === "prompt" || field.type === "json") {
    control = (
      <textarea
        {...common}
        rows={field.type === "json" ? 5 : 3}
        minLength={field.minLength}
        placeholder={field.type === "json" ? "JSON" : undefined}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        type="text"
        minLength={field.minLength}
        value={text}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        {field.name}
        {field.required && <span aria-hidden="true"> *</span>}
      </label>
      {control}
      {refused && (
        <small id={`${id}-refused`} className="field-error">
          {refused}
        </small>
      )}
      {limit !== undefined && (
        <small id={countId} className={over ? "field-error" : "hint"}>
          {count} of {limit} characters{over && `: ${count - limit} too many`}
          {/[\r\n]/.test(text) && " (a line break counts 2: it is sent as CRLF)"}
        </small>
      )}
      {description && (
        <small id={help} className="hint">
          {description}
        </small>
      )}
    </div>
  );
}
