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
 */
export function FieldControl({ field, description, value, onChange, error }: Props) {
  const id = useId();
  const help = `${id}-help`;
  const refused = fileProblem(field, value);
  const said = error ?? (refused && `${id}-refused`);
  const text = typeof value === "string" ? value : "";
  const common = {
    id,
    required: field.required,
    "aria-describedby": [said, description && help].filter(Boolean).join(" ") || undefined,
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
          <option key={o} value={o}>
            {o}
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
        maxLength={field.maxLength}
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
        maxLength={field.maxLength}
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
      {description && (
        <small id={help} className="hint">
          {description}
        </small>
      )}
    </div>
  );
}
