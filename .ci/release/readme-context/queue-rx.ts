// What the snippets of packages/queue-rx/README.md use without defining (a snippet of a list item continues the first
// one: its client, its imports).
declare const client: ReturnType<typeof import("@decart/core").createDecartClient>;
declare const models: typeof import("@decart/core").models;
declare const submitAll: typeof import("@decart/queue-rx").submitAll;
declare const submitJob: typeof import("@decart/queue-rx").submitJob;
declare const input: import("@decart/core").SubmitOptions<"lucy-pro-t2v">;
declare const jobId: string;
declare const id: string;
declare function save(jobId: string): void;
declare const bar: { update(fraction: number): void };
declare function show(video: Blob | undefined): void;
declare const badge: { set(status: string): void };
declare const clips: { id: string; prompt: string }[];
declare const model: import("@decart/core").VideoModel<"lucy-pro-t2v">;
declare const prompt: string;
declare function expect(actual: unknown): { toEqual(expected: unknown): void };
declare const processing: import("@decart/core").JobEvent;
declare const completed: import("@decart/core").JobEvent;
declare const done: import("@decart/core").JobStatusResponse;
