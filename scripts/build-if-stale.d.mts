/** What `npm run build` reads. */
export declare const INPUTS: string[];
/** What it writes: the last file each of its two steps produces. */
export declare const OUTPUTS: string[];
/** Newest mtime (ms) under a path, directories included; 0 when it does not exist. */
export declare function newestMtime(path: string): number;
/** Whether the build outputs under `root` are missing or older than any input. */
export declare function isStale(root: string, inputs?: string[], outputs?: string[]): boolean;
