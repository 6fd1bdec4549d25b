/**
 * Where scheduled jobs write what they produce (archives, exports, reports): S3 in AWS, a
 * directory locally. Keys are deterministic per job window, so a re-run replaces (or, on a
 * versioned bucket, adds a version of) the same object instead of adding a second copy.
 */
export interface ObjectStore {
  /** Writes the object; returns where it went (`s3://bucket/key` or a file path). */
  put(key: string, body: string, contentType: string): Promise<string>;
}

/** Relative, `/`-separated, no `..` or empty segments: the same rule for S3 and files. */
export const OBJECT_KEY_RE = /^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9=_.-]+(\/[A-Za-z0-9=_.-]+)*$/;
