import type { ReactNode } from "react";

/**
 * A list of what the form made, or asked for, but no longer shows (its run moved on): "Jobs not shown", "Images not
 * shown". Its heading is its name, `hint` says what is listed.
 */
export function NotShown({ name, hint, children }: { name: string; hint: string; children: ReactNode }) {
  return (
    <section aria-label={name}>
      <h2>{name}</h2>
      <p className="hint">{hint}</p>
      {children}
    </section>
  );
}
