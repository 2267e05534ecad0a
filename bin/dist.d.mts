export declare const ROOT: string
export declare const STAMP: string
export declare const distState: () => "fresh" | "stale" | "missing"
export declare const build: () => void
