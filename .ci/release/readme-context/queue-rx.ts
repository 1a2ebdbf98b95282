// What the snippets of packages/queue-rx/README.md use without defining.
declare const jobId: string;
declare function readStatus$(jobId: string): import("rxjs").Observable<import("@decart/core").JobStatusResponse>;
