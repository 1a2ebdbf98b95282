/** Fault rules: chosen at random by rate, or forced per request with the `x-emulator-fault` header. */
import type { FaultRoute } from "./routes.js";
import { FAULT_ROUTES } from "./routes.js";
import { shown } from "./shown.js";
import { durationOk, MAX_TIMER_MS } from "./timer.js";
import type { FaultRule } from "./types.js";

/**
 * The kinds of fault the emulator can inject (the README's "Faults" section says what each does); frozen: every
 * emulator reads it.
 */
export const FAULT_KINDS = Object.freeze([
  "429",
  "500",
  "503",
  "504",
  "reset",
  "slow",
  "stall",
  "truncate",
  "trickle",
  "stuck",
] as const);
/** A kind of fault: one of `FAULT_KINDS`. */
export type FaultKind = (typeof FAULT_KINDS)[number];
const KIND_SET = new Set<string>(FAULT_KINDS);
const RULE_ROUTES = new Set<string>([...FAULT_ROUTES, "*"]);

/** Longest fault delay: what a timer can wait (about 24.8 days), as every duration the emulator takes. */
const MAX_DELAY_MS = MAX_TIMER_MS;
/** A Retry-After a client can read: a whole number of seconds, written without an exponent. */
const retryAfterOk = (v: number) => Number.isSafeInteger(v) && v >= 0;
const delayOk = (v: number) => durationOk(v, 0);

/** `trickle`: the bytes of each write (1 to 1 MiB; default 1 KiB) and the pause after each (0 to 1 s; default 10 ms). */
export const TRICKLE_CHUNK_BYTES = { least: 1, most: 1024 * 1024, default: 1024 } as const;
export const TRICKLE_DELAY_MS = { least: 0, most: 1000, default: 10 } as const;
const chunkOk = (v: number) => Number.isInteger(v) && v >= TRICKLE_CHUNK_BYTES.least && v <= TRICKLE_CHUNK_BYTES.most;
const trickleDelayOk = (v: number) => delayOk(v) && v <= TRICKLE_DELAY_MS.most;

export interface Fault {
  kind: FaultKind;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** `trickle` only: the bytes of each write. */
  chunkBytes?: number;
}

export const ERROR_FAULTS: Readonly<Record<string, { status: number; detail: string }>> = {
  "429": { status: 429, detail: "Too many requests (fault injected by the emulator)." },
  "500": { status: 500, detail: "Internal server error (fault injected by the emulator)." },
  "503": { status: 503, detail: "Service unavailable (fault injected by the emulator)." },
  "504": { status: 504, detail: "Gateway timeout (fault injected by the emulator)." },
};

/** The faults that act on an answer's body: they mean nothing on an answer that has none. */
const BODY_FAULTS = new Set<FaultKind>(["stall", "truncate", "trickle"]);

/**
 * Whether a fault kind means anything on a route (for a request answered without a body, `bodiless`: a HEAD, a
 * DELETE); others are ignored there (and not counted): `stuck` on any route but submit, `stall`, `truncate` and
 * `trickle` on an answer without a body.
 */
export function faultApplies(kind: FaultKind, route: FaultRoute, bodiless: boolean): boolean {
  if (kind === "stuck") return route === "submit";
  return !(bodiless && BODY_FAULTS.has(kind));
}

/** A fault's parameters: by the header's names, the rule's (and Fault's) fields. */
const HEADER_PARAMS = { "retry-after": "retryAfterSeconds", delay: "delayMs", chunk: "chunkBytes" } as const;
type Param = (typeof HEADER_PARAMS)[keyof typeof HEADER_PARAMS];
const PARAMS: readonly Param[] = Object.values(HEADER_PARAMS);
const RULE_FIELDS = new Set<string>(["kind", "route", "rate", ...PARAMS]);

/**
 * The one check of a fault's parameter, for rules (setFaults, `faults`, the admin route, `--faults`) and the header
 * alike: the problem, worded with `name` (the rule's field or the header's parameter), or undefined when it is fine.
 * Only a number is a number: no string, null or list is read as one.
 */
function paramProblem(kind: FaultKind, param: Param, value: unknown, name: string): string | undefined {
  if (param === "chunkBytes" && kind !== "trickle") return `${name} is for trickle only`;
  const n = typeof value === "number" ? value : Number.NaN;
  switch (param) {
    case "retryAfterSeconds":
      return retryAfterOk(n) ? undefined : `${name} must be a whole number from 0 to 2^53-1 (seconds)`;
    case "delayMs":
      if (kind === "trickle") return trickleDelayOk(n) ? undefined : `${name} must be within 0..1000 for trickle`;
      return delayOk(n) ? undefined : `${name} must be within 0..${MAX_DELAY_MS} (ms)`;
    case "chunkBytes":
      return chunkOk(n)
        ? undefined
        : `${name} must be a whole number from ${TRICKLE_CHUNK_BYTES.least} to ${TRICKLE_CHUNK_BYTES.most}`;
  }
}

/** Checks and normalises rules given by a caller (API, admin route or CLI); throws a readable error. */
export function normaliseRules(rules: unknown): FaultRule[] {
  if (!Array.isArray(rules)) throw new TypeError("faults must be an array of rules");
  return rules.map((raw, i) => {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new TypeError(`fault rule ${i} must be an object`);
    }
    const r = raw as Record<string, unknown>;
    const fail = (problem: string): never => {
      throw new TypeError(`fault rule ${i}: ${problem} (got ${shown(r)})`);
    };
    for (const field of Object.keys(r)) if (!RULE_FIELDS.has(field)) fail(`unknown field ${JSON.stringify(field)}`);
    if (typeof r.kind !== "string" || !KIND_SET.has(r.kind)) fail(`unknown kind ${shown(r.kind)}`);
    const kind = r.kind as FaultKind;
    const route = r.route === undefined ? "*" : r.route;
    if (typeof route !== "string" || !RULE_ROUTES.has(route)) fail(`unknown route ${shown(r.route)}`);
    const rate = r.rate === undefined ? 1 : r.rate;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) fail("rate must be a number within 0..1");
    const rule: FaultRule = { kind, route: route as FaultRule["route"], rate: rate as number };
    for (const param of PARAMS) {
      const value = r[param];
      if (value === undefined) continue;
      const problem = paramProblem(kind, param, value, param);
      if (problem) fail(problem);
      rule[param] = value as number;
    }
    return rule;
  });
}

/**
 * Parses `x-emulator-fault: <kind>[; retry-after=N][; delay=MS][; chunk=BYTES]` (`chunk` for trickle only, whose
 * delay is at most 1 s). Numbers are written in digits (`1e3`, `0x10` and an empty value are refused), each parameter
 * once, and checked by the rules' own check. Returns undefined when absent, or an error message when malformed.
 */
export function parseFaultHeader(value: string | string[] | undefined): Fault | string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(";") : value;
  const [head, ...params] = text.split(";").map((s) => s.trim());
  if (!head || !KIND_SET.has(head)) {
    return `Unknown x-emulator-fault kind ${JSON.stringify(head ?? "")}; expected one of ${FAULT_KINDS.join(", ")}.`;
  }
  const fault: Fault = { kind: head as FaultKind };
  for (const p of params) {
    if (p === "") continue;
    const eq = p.indexOf("=");
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const param = Object.hasOwn(HEADER_PARAMS, key) ? HEADER_PARAMS[key as keyof typeof HEADER_PARAMS] : undefined;
    if (!param) {
      return `Bad x-emulator-fault parameter ${JSON.stringify(p)}; expected retry-after=N (whole seconds), delay=MS or (trickle only) chunk=BYTES.`;
    }
    if (fault[param] !== undefined) return `Bad x-emulator-fault parameter ${JSON.stringify(p)}: ${key} given twice.`;
    const digits = eq < 0 ? "" : p.slice(eq + 1).trim();
    const problem = paramProblem(fault.kind, param, /^\d+(\.\d+)?$/.test(digits) ? Number(digits) : Number.NaN, key);
    if (problem) {
      const digitsRule = param === "chunkBytes" && fault.kind !== "trickle" ? "" : ", written in digits";
      return `Bad x-emulator-fault parameter ${JSON.stringify(p)}: ${problem}${digitsRule}.`;
    }
    fault[param] = Number(digits);
  }
  return fault;
}

/**
 * The first rule for `route` (for a request answered without a body: `bodiless`) that fires (each matching rule is
 * sampled once, in order).
 */
export function sampleFault(
  rules: readonly FaultRule[],
  route: FaultRoute,
  bodiless: boolean,
  random: () => number,
): Fault | undefined {
  for (const rule of rules) {
    if (rule.route !== undefined && rule.route !== "*" && rule.route !== route) continue;
    if (!faultApplies(rule.kind, route, bodiless)) continue;
    const rate = rule.rate ?? 1;
    if (rate <= 0 || (rate < 1 && random() >= rate)) continue;
    const fault: Fault = { kind: rule.kind };
    for (const param of PARAMS) if (rule[param] !== undefined) fault[param] = rule[param];
    return fault;
  }
  return undefined;
}

/**
 * Parses the CLI form: comma-separated `[route:]kind[@rate]` items (e.g. `status:503@0.1,content:truncate@0.05`),
 * or a JSON array of rules. Either form with no rule (`,`, `[]`) is refused, with one message: a flag given to inject
 * faults that injects none is a mistake.
 */
export function parseFaultsArg(text: string): FaultRule[] {
  const trimmed = text.trim();
  const none = () =>
    new TypeError(
      `no fault rule in ${JSON.stringify(text)}: give comma-separated [route:]kind[@rate] items, e.g. status:503@0.1, ` +
        "or a JSON array of at least one rule",
    );
  if (trimmed.startsWith("[")) {
    const rules = normaliseRules(JSON.parse(trimmed));
    if (!rules.length) throw none();
    return rules;
  }
  const items = trimmed
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw none();
  const rules = items.map((item) => {
    const at = item.indexOf("@");
    const spec = at < 0 ? item : item.slice(0, at);
    const rate = at < 0 ? undefined : rateOf(item, item.slice(at + 1).trim());
    const colon = spec.indexOf(":");
    const route = colon < 0 ? undefined : spec.slice(0, colon);
    const kind = colon < 0 ? spec : spec.slice(colon + 1);
    return { kind, ...(route !== undefined ? { route } : {}), ...(rate !== undefined ? { rate } : {}) };
  });
  return normaliseRules(rules);
}

/**
 * The rate after an item's `@`: a decimal number from 0 to 1, written out (`0.1`, `.5`, `1`). Nothing after the `@`,
 * an exponent (`1e-400`, which is 0) or any other text is refused, rather than read as a rate of 0.
 */
function rateOf(item: string, text: string): number {
  const rate = Number(text);
  if (!/^(\d+\.?\d*|\.\d+)$/.test(text) || rate > 1 || (rate === 0 && /[1-9]/.test(text))) {
    throw new TypeError(
      `the rate of ${JSON.stringify(item)} must be a decimal number from 0 to 1 after "@" (e.g. ${item.slice(0, item.indexOf("@"))}@0.1), or no "@" at all for a rate of 1`,
    );
  }
  return rate;
}
