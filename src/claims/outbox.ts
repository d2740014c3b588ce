// The outbox adapter: one interchange file per payer (and so per receiver), opened on the payer's first
// claim and completed when the batch ends. The interchange is written into a hidden file from its ISA on,
// with the payer's first functional group straight after it; a second group (the other claim type: claims of
// both types interleave in an export) is spooled to a part file of its own, which `finish` appends before the
// IEA (the groups stand in the file in the order they were opened). `finish` syncs the file; `publish`
// renames it into place, so a reader never sees half an interchange. The caller publishes only after the database says the file's claims are submitted: a file in
// the outbox is a file the database knows was sent, and a crash in between leaves a ready file that
// `recoverReadyFiles` publishes (or drops, when its claims were never marked submitted) on the next run.
// Memory stays flat: text goes to disk in 64 KiB chunks with backpressure. Envelope text comes from the X12
// core's writer (src/x12/writer.ts: ISA and GS from an InterchangeWriter, ST/SE/GE/IEA from serializeSegment
// with counts kept here). A claim arrives rendered (src/transactions/claim-837-render.ts: its segments as text, cut at its
// HL segments, perhaps on a worker thread); placing it numbers its HLs in the set and keeps the set's
// segment count for SE01.
// Files carry patient data: owner-only (0600).
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, type WriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Clock, WallTime } from '../common/clock.ts';
import { closeOutput, openOutputStream, writeOutput } from '../common/write-stream.ts';
import type { PayerProfile } from '../domain/payer-profile.ts';
import type { MappedClaim } from '../domain/mapped-claim.ts';
import { headOf, type PreparedClaim } from '../claim-exports/prepare-claim.ts';
import { ClaimRenderer, placeClaim } from '../transactions/claim-837-render.ts';
import type { ControlNumbers } from '../exchange/control-numbers.ts';
import type { Delimiters } from '../x12/segment.ts';
import { DEFAULT_DELIMITERS, InterchangeWriter, formatControlNumber, serializeSegment, type InterchangeHeader } from '../x12/writer.ts';
import { Hierarchy, transactionHeader } from '../transactions/claim-837-common.ts';
import { SegmentText } from '../transactions/claim-837-text.ts';
import { GUIDE as GUIDE_P } from '../transactions/claim-837p.ts';
import { GUIDE as GUIDE_I } from '../transactions/claim-837i.ts';

/** Where one claim went. */
export interface Placement {
  fileName: string;
  isa13: string;
  gs06: string;
  st02: string;
}

export interface OutboundFile {
  fileName: string;
  path: string;
  payerId: string;
  senderId: string;
  receiverId: string;
  isa13: string;
  sha256: string;
  claimCount: number;
  /** The complete interchange, synced, in the hidden ready folder until `publish` renames it to `path`. */
  readyPath: string;
}

export interface OutboxOptions {
  dir: string;
  clock: Clock;
  controlNumbers: ControlNumbers;
  /** Claims per ST/SE; the guide recommends at most 5,000. */
  claimsPerSetMax?: number;
  delimiters?: Delimiters;
  /** Written after every segment terminator ('' or '\n'); default none. */
  lineBreak?: string;
  /** Called when a payer's interchange is opened (its ISA13 is known), before any claim is placed in it. */
  onOpen?: (file: Omit<OutboundFile, 'sha256' | 'claimCount' | 'path' | 'readyPath'>) => Promise<void>;
}

const FLUSH_BYTES = 64 * 1024;

/** Complete interchanges waiting for the database to record them sent (a folder in the outbox, hidden). */
export const READY_FOLDER = '.ready';

/**
 * Finish what a crashed run left in OUT/.ready: a file the database records as sent is renamed into the
 * outbox (its claims are submitted; it must go out); any other is deleted (its claims are still pending and
 * are sent again in a new interchange by the run that resubmits them). Returns the file names of each kind.
 * Only under the outbox's lock (decision 0045): otherwise a ready file may be a live process's, about to be
 * recorded sent and published, and deleting it loses its claims.
 */
export async function recoverReadyFiles(dir: string, statesOf: (fileNames: string[]) => Promise<Map<string, string>>): Promise<{ published: string[]; dropped: string[] }> {
  const readyDir = path.join(dir, READY_FOLDER);
  const names = (await readdir(readyDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  })).sort();
  const result = { published: [] as string[], dropped: [] as string[] };
  if (names.length === 0) return result;
  const states = await statesOf(names);
  for (const name of names) {
    const ready = path.join(readyDir, name);
    if (states.get(name) === 'sent') {
      await rename(ready, path.join(dir, name));
      result.published.push(name);
    } else {
      await rm(ready, { force: true });
      result.dropped.push(name);
    }
  }
  await rm(readyDir, { recursive: true, force: true });
  return result;
}
const OWNER_ONLY = 0o600;
type ClaimType = 'professional' | 'institutional';

interface GroupState {
  /** Body segments of the open set; its count is the set's segments so far, ST included. */
  body: SegmentText;
  guide: string;
  gs06: string;
  /** Sets begun in the group (GE01). */
  sets: number;
  /** Claims in the open set; null before the first set. */
  setClaims: number | null;
  hierarchy: Hierarchy;
  st02: string;
  /**
   * The payer's first group is written straight into the interchange file (`direct`); a later one (the
   * other claim type, whose claims interleave) into a part file of its own, appended when the file is
   * completed.
   */
  direct: boolean;
  spoolPath: string | null;
  stream: WriteStream;
  buffer: string;
}

interface PayerOutput {
  payer: PayerProfile;
  senderId: string;
  receiverId: string;
  isa13: string;
  fileName: string;
  /** In the order they were opened: the order they have in the file. */
  groups: Map<ClaimType, GroupState>;
  /** The interchange file being written (hidden, in the part folder), and the hash of what went into it. */
  joinedPath: string;
  stream: WriteStream;
  hash: Hash;
  claimCount: number;
}


export const senderIdOf = (p: PayerProfile): string => `${p.submitter.interchangeQualifier}:${p.submitter.interchangeId}`;
export const receiverIdOf = (p: PayerProfile): string => `${p.receiver.interchangeQualifier}:${p.receiver.interchangeId}`;

export class Outbox {
  private readonly outputs = new Map<string, PayerOutput>();
  /** ISA09/ISA10, GS04/GS05 and BHT04/BHT05: the office's wall clock when the outbox opened. */
  private readonly createdAt: WallTime;
  private readonly partDir: string;
  private readonly readyDir: string;
  /** Ready files written by this outbox and not published yet (removed again by `abort`). */
  private readonly unpublished = new Set<string>();
  private readonly claimsPerSetMax: number;
  private readonly d: Delimiters;
  private readonly lineBreak: string;
  private renderer: ClaimRenderer | undefined;

  constructor(private readonly opts: OutboxOptions) {
    this.createdAt = opts.clock.wallTime();
    this.partDir = path.join(opts.dir, '.partial');
    this.readyDir = path.join(opts.dir, READY_FOLDER);
    this.claimsPerSetMax = opts.claimsPerSetMax ?? 5000;
    this.d = opts.delimiters ?? DEFAULT_DELIMITERS;
    this.lineBreak = opts.lineBreak ?? '';
  }

  /**
   * Place one claim in its payer's interchange. Synchronous while the claim goes into an open set and the
   * buffer has room; a promise when a file, group or set has to be opened (control numbers come from the
   * database) or the buffer is written out.
   */
  add(claim: PreparedClaim, payer: PayerProfile): Placement | Promise<Placement> {
    const out = this.outputs.get(payer.payerId);
    const group = out?.groups.get(claim.head.claimType);
    if (out === undefined || group === undefined || group.setClaims === null || group.setClaims >= this.claimsPerSetMax) {
      return this.addOpening(claim, payer);
    }
    return this.place(out, group, claim);
  }

  /** Render a mapped claim here and place it (what submit does with a claim prepared on this thread). */
  addMapped(mapped: MappedClaim): Placement | Promise<Placement> {
    this.renderer ??= new ClaimRenderer(new SegmentText(this.d, this.lineBreak));
    return this.add({ head: headOf(mapped), rendered: this.renderer.render(mapped) }, mapped.payer);
  }

  private async addOpening(claim: PreparedClaim, payer: PayerProfile): Promise<Placement> {
    const out = await this.outputFor(payer);
    const group = await this.groupFor(out, claim.head.claimType);
    if (group.setClaims === null || group.setClaims >= this.claimsPerSetMax) {
      const stNumber = await this.opts.controlNumbers.next(out.senderId, out.receiverId, 'ST');
      let text = group.setClaims === null ? '' : this.endSet(group);
      group.st02 = formatControlNumber(stNumber, 4, 9, 'ST02');
      group.hierarchy = new Hierarchy();
      group.setClaims = 0;
      group.sets++;
      // ST through 1000B; ST is the set's first counted segment.
      group.body.count = 0;
      text += group.body.segments(transactionHeader({ controlNumber: group.st02, guide: group.guide, referenceId: `${out.isa13}${group.st02}`, createdAt: this.createdAt, payer: out.payer }));
      group.buffer += text;
    }
    return this.place(out, group, claim);
  }

  private place(out: PayerOutput, group: GroupState, claim: PreparedClaim): Placement | Promise<Placement> {
    group.buffer += placeClaim(claim.rendered, group.hierarchy, group.body);
    group.setClaims!++;
    out.claimCount++;
    const placement: Placement = { fileName: out.fileName, isa13: out.isa13, gs06: group.gs06, st02: group.st02 };
    return group.buffer.length >= FLUSH_BYTES ? this.flush(out, group).then(() => placement) : placement;
  }

  /**
   * Complete every interchange, in the order the payers first appeared, into the ready folder (synced, not
   * yet visible in the outbox): record them sent, then `publish`.
   */
  async finish(): Promise<OutboundFile[]> {
    const files: OutboundFile[] = [];
    for (const out of this.outputs.values()) files.push(await this.complete(out));
    this.outputs.clear();
    await rm(this.partDir, { recursive: true, force: true });
    return files;
  }

  /** Rename finished files into the outbox, once the database records them sent. */
  async publish(files: readonly OutboundFile[]): Promise<void> {
    for (const f of files) {
      await rename(f.readyPath, f.path);
      this.unpublished.delete(f.readyPath);
    }
    // The folder goes when it is empty; files of a concurrent run (other names) keep it.
    if (files.length > 0 && (await readdir(this.readyDir).catch(() => [])).length === 0) await rm(this.readyDir, { recursive: true, force: true });
  }

  /** Drop every partial and unpublished file (the batch failed). */
  async abort(): Promise<void> {
    for (const out of this.outputs.values()) {
      for (const g of out.groups.values()) g.stream.destroy();
      out.stream.destroy();
    }
    this.outputs.clear();
    await rm(this.partDir, { recursive: true, force: true });
    for (const ready of this.unpublished) await rm(ready, { force: true });
    this.unpublished.clear();
  }

  private async outputFor(payer: PayerProfile): Promise<PayerOutput> {
    let out = this.outputs.get(payer.payerId);
    if (out) return out;
    const senderId = senderIdOf(payer);
    const receiverId = receiverIdOf(payer);
    const isa13 = formatControlNumber(await this.opts.controlNumbers.next(senderId, receiverId, 'ISA'), 9, 9, 'ISA13');
    const fileName = `837-${payer.payerId}-${isa13}.x12`;
    await mkdir(this.partDir, { recursive: true, mode: 0o700 });
    await this.opts.onOpen?.({ fileName, payerId: payer.payerId, senderId, receiverId, isa13 });
    const joinedPath = path.join(this.partDir, `${fileName}.joined`);
    out = {
      payer, senderId, receiverId, isa13, fileName, groups: new Map(), claimCount: 0,
      joinedPath, stream: openOutputStream(joinedPath, { mode: OWNER_ONLY }), hash: createHash('sha256'),
    };
    this.outputs.set(payer.payerId, out);
    await this.writeOut(out, Buffer.from(new InterchangeWriter({ delimiters: this.d, lineBreak: this.lineBreak }).beginInterchange(this.interchangeHeader(out))));
    return out;
  }

  private async groupFor(out: PayerOutput, type: ClaimType): Promise<GroupState> {
    let group = out.groups.get(type);
    if (group) return group;
    const gs06 = (await this.opts.controlNumbers.next(out.senderId, out.receiverId, 'GS')).toString();
    const guide = type === 'professional' ? GUIDE_P : GUIDE_I;
    // The core writer checks and writes the GS (groups are written side by side; the file's ISA is written
    // at the end by complete()).
    const writer = new InterchangeWriter({ delimiters: this.d, lineBreak: this.lineBreak });
    writer.beginInterchange(this.interchangeHeader(out));
    const { submitter, receiver } = out.payer;
    const buffer = writer.beginGroup({
      functionalId: 'HC', senderCode: submitter.applicationId, receiverCode: receiver.applicationId,
      date: this.createdAt.date, time: this.createdAt.time, controlNumber: gs06, version: guide,
    });
    const direct = out.groups.size === 0;
    const spoolPath = direct ? null : path.join(this.partDir, `${out.fileName}.${type}`);
    group = {
      body: new SegmentText(this.d, this.lineBreak), guide, gs06, sets: 0, setClaims: null, hierarchy: new Hierarchy(), st02: '', direct, spoolPath,
      stream: spoolPath === null ? out.stream : openOutputStream(spoolPath, { mode: OWNER_ONLY }), buffer,
    };
    out.groups.set(type, group);
    return group;
  }

  private interchangeHeader(out: PayerOutput): InterchangeHeader {
    const { submitter, receiver } = out.payer;
    // ISA14 0: no TA1 requested; the 999 is the acknowledgement.
    return {
      senderQualifier: submitter.interchangeQualifier, senderId: submitter.interchangeId,
      receiverQualifier: receiver.interchangeQualifier, receiverId: receiver.interchangeId,
      date: this.createdAt.date.slice(2), time: this.createdAt.time, controlNumber: out.isa13, ackRequested: false, usage: out.payer.usage,
    };
  }

  /** SE01 counts every segment from ST to SE inclusive. */
  private endSet(group: GroupState): string {
    return this.envelope(['SE', String(group.body.count + 1), group.st02]);
  }

  private envelope(values: [string, ...string[]]): string {
    return serializeSegment(values, this.d) + this.lineBreak;
  }

  private async flush(out: PayerOutput, group: GroupState): Promise<void> {
    const text = group.buffer;
    group.buffer = '';
    if (text.length === 0) return;
    const bytes = Buffer.from(text);
    if (group.direct) await this.writeOut(out, bytes);
    else await writeOutput(group.stream, bytes);
  }

  /** Into the interchange file, and its hash. */
  private async writeOut(out: PayerOutput, bytes: Buffer): Promise<void> {
    out.hash.update(bytes);
    await writeOutput(out.stream, bytes);
  }

  private async complete(out: PayerOutput): Promise<OutboundFile> {
    const finalPath = path.join(this.opts.dir, out.fileName);
    const hiddenPath = out.joinedPath;
    // The first group is in the file already: close it, then append the others from their part files.
    for (const group of out.groups.values()) {
      if (group.setClaims !== null) group.buffer += this.endSet(group);
      group.buffer += this.envelope(['GE', String(group.sets), group.gs06]);
      await this.flush(out, group);
      if (group.direct) continue;
      await closeOutput(group.stream);
      for await (const chunk of createReadStream(group.spoolPath!)) await this.writeOut(out, chunk as Buffer);
    }
    // The groups' writers each saw one group: the file's IEA counts them all.
    await this.writeOut(out, Buffer.from(this.envelope(['IEA', String(out.groups.size), out.isa13])));
    await closeOutput(out.stream);
    const fh = await open(hiddenPath, 'r');
    await fh.sync();
    await fh.close();
    // createWriteStream's mode applies only to a new file: a leftover from a crashed run keeps its own.
    await chmod(hiddenPath, OWNER_ONLY);
    // Complete and synced: into the ready folder under its final name, where a crashed run's recovery
    // finds it. Not into the outbox yet: that waits for the database (see `publish`).
    await mkdir(this.readyDir, { recursive: true, mode: 0o700 });
    const readyPath = path.join(this.readyDir, out.fileName);
    await rename(hiddenPath, readyPath);
    this.unpublished.add(readyPath);
    return {
      fileName: out.fileName,
      path: finalPath,
      payerId: out.payer.payerId,
      senderId: out.senderId,
      receiverId: out.receiverId,
      isa13: out.isa13,
      sha256: out.hash.digest('hex'),
      claimCount: out.claimCount,
      readyPath,
    };
  }
}
