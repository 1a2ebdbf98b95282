/** See node-version.mjs. */
export declare function nodeTooOld(name: string, engines: string | undefined, version: string): string | undefined;
