import { createHash } from 'node:crypto';
import { access, mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The inbox folder institutions deliver into, with archive/ (processed files) and rejected/
 * (whole-file rejections, each with a `.reason` file beside it) inside it.
 */
export const ARCHIVE_DIR = 'archive';
export const REJECTED_DIR = 'rejected';

export interface InboxListing {
  /** Regular files waiting, by name. */
  files: string[];
  /** Entries that are not regular files (links, folders, ...), left where they are, with why. */
  ignored: { name: string; reason: string }[];
}

/**
 * The files waiting in the inbox. Hidden entries are left alone: upload tools write into dot-files
 * and rename them when complete, so a half-delivered file is never taken (or rejected). A symbolic
 * link is never followed (it could point anywhere on the machine), nor is a folder read.
 */
export async function listInbox(inbox: string): Promise<InboxListing> {
  const entries = await readdir(inbox, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const listing: InboxListing = { files: [], ignored: [] };
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.') || (entry.isDirectory() && (entry.name === ARCHIVE_DIR || entry.name === REJECTED_DIR))) continue;
    if (entry.isFile()) listing.files.push(entry.name);
    else listing.ignored.push({ name: entry.name, reason: entry.isSymbolicLink() ? 'a symbolic link: not followed' : entry.isDirectory() ? 'a folder: not read' : 'not a regular file' });
  }
  return listing;
}

/** Reads through one reused buffer: a stream would leave a 100 MB file's worth of chunks to the garbage collector. */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const handle = await open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export async function fileExists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

/** Moves a processed file to archive/ under its versioned name (the same content twice lands on the same name). */
export async function archiveFile(inbox: string, name: string, archivedName: string): Promise<void> {
  await mkdir(path.join(inbox, ARCHIVE_DIR), { recursive: true });
  await moveIfPresent(path.join(inbox, name), path.join(inbox, ARCHIVE_DIR, archivedName));
}

/**
 * Moves a rejected file to rejected/ with `{name}.reason` beside it. An earlier rejected file of
 * the same name is kept: the newcomer gets a numbered name.
 */
export async function rejectFile(inbox: string, name: string, reason: string): Promise<string> {
  const dir = path.join(inbox, REJECTED_DIR);
  await mkdir(dir, { recursive: true });
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let target = name;
  for (let n = 1; await fileExists(path.join(dir, target)); n++) target = `${stem}.${n}${ext}`;
  // The reason first: a file in rejected/ always has its reason.
  await writeFile(path.join(dir, `${target}.reason`), `${reason}\n`);
  await moveIfPresent(path.join(inbox, name), path.join(dir, target));
  return target;
}

/** Another run may have moved the file first; that is not an error. */
async function moveIfPresent(from: string, to: string): Promise<void> {
  await rename(from, to).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
}
