/**
 * An append-only file that rotates by size (`audit.log` → `audit.log.1` → … → `audit.log.N`, the oldest
 * deleted), shared by the JSON-lines and hash-chained sinks. Files are created `0600`: audit records name
 * people and addresses. A file that does not end in a newline (a crash mid-write) gets one before the next
 * record, so the damage stays confined to one visibly broken line.
 */
import { type FileHandle, open, rename, stat } from 'node:fs/promises';

/** Rotation settings; `maxBytes` undefined means never rotate. */
export interface RotationSettings {
  /** Rotate before a write would take the file past this many bytes. */
  readonly maxBytes?: number | undefined;
  /** Rotated files kept (`.1` … `.N`). Default 5. */
  readonly maxFiles?: number | undefined;
}

/** An append-only, size-rotated file. */
export interface RotatingFile {
  readonly path: string;
  /** Appends `text` whole, rotating first when it would not fit. */
  append(text: string): Promise<void>;
  /**
   * The last complete line of the newest non-empty file (current, else `.1`) that `accept` takes (any, by
   * default), for resuming a chain past lines a crash left torn.
   */
  lastLine(accept?: (line: string) => boolean): Promise<string | undefined>;
  close(): Promise<void>;
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

async function lastLineOf(
  path: string,
  accept: (line: string) => boolean = () => true,
): Promise<string | undefined> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const { size } = await file.stat();
    // Read backwards in growing chunks: the file may be large, its last record small.
    for (let window = 64 * 1024; ; window *= 4) {
      const start = Math.max(0, size - window);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      // The part after the last newline is a torn line (no newline after it), not a complete record; the
      // part before the first newline may be cut by the window.
      const lines = buffer
        .toString('utf8')
        .split('\n')
        .slice(start > 0 ? 1 : 0, -1);
      for (let index = lines.length - 1; index >= 0; index -= 1) {
        const line = lines[index] as string;
        if (line !== '' && accept(line)) return line;
      }
      if (start === 0) return undefined;
    }
  } finally {
    await file.close();
  }
}

/**
 * Opens (lazily, on the first append) an append-only file rotated by size.
 *
 * @example
 * ```ts
 * const file = createRotatingFile('/var/log/authz.jsonl', { maxBytes: 50 * 1024 * 1024, maxFiles: 10 });
 * await file.append('{"type":"decision"}\n');
 * ```
 */
export function createRotatingFile(path: string, settings: RotationSettings = {}): RotatingFile {
  const maxFiles = settings.maxFiles ?? 5;
  let handle: FileHandle | undefined;
  let size = 0;
  let needsNewline = false;

  async function openCurrent(): Promise<FileHandle> {
    if (handle) return handle;
    const opened = await open(path, 'a+', 0o600);
    const { size: current } = await opened.stat();
    size = current;
    if (current > 0) {
      const last = Buffer.alloc(1);
      await opened.read(last, 0, 1, current - 1);
      needsNewline = last[0] !== 0x0a;
    }
    handle = opened;
    return opened;
  }

  async function rotate(): Promise<void> {
    await handle?.close();
    handle = undefined;
    for (let index = maxFiles - 1; index >= 1; index -= 1) {
      await renameIfPresent(`${path}.${index}`, `${path}.${index + 1}`);
    }
    await renameIfPresent(path, `${path}.1`);
  }

  return {
    path,
    async append(text) {
      let file = await openCurrent();
      let bytes = Buffer.from(needsNewline ? `\n${text}` : text, 'utf8');
      if (settings.maxBytes !== undefined && size > 0 && size + bytes.length > settings.maxBytes) {
        await rotate();
        file = await openCurrent();
        bytes = Buffer.from(text, 'utf8');
      }
      let offset = 0;
      try {
        while (offset < bytes.length) {
          const { bytesWritten } = await file.write(bytes, offset, bytes.length - offset);
          offset += bytesWritten;
        }
        needsNewline = false;
      } catch (error) {
        // Part of a line may have landed: start the next record on a fresh line.
        if (offset > 0) needsNewline = true;
        throw error;
      } finally {
        size += offset;
      }
    },
    async lastLine(accept) {
      const current = await lastLineOf(path, accept);
      if (current !== undefined) return current;
      try {
        if ((await stat(path)).size > 0) return undefined;
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      return lastLineOf(`${path}.1`, accept);
    },
    async close() {
      await handle?.close();
      handle = undefined;
    },
  };
}
