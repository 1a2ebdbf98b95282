/**
 * A tiny MSB-first bit writer for H.264 RBSP (raw byte sequence payload) data,
 * plus the NAL-unit helpers that wrap an RBSP for an Annex-B byte stream.
 *
 * Terminology follows ITU-T H.264 section 7.2:
 * - u(n): unsigned integer using n bits, most significant bit first
 * - ue(v): unsigned Exp-Golomb code
 * - se(v): signed Exp-Golomb code
 */
export class BitWriter {
  private buf: Uint8Array;
  /** Number of complete bytes written to `buf`. */
  private len = 0;
  /** Bits of the byte currently being assembled (right-aligned). */
  private cur = 0;
  /** How many bits of `cur` are in use (0..7). */
  private nbits = 0;

  constructor(initialCapacity = 256) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** True when the next bit would start a new byte. */
  get byteAligned(): boolean {
    return this.nbits === 0;
  }

  private ensure(extraBytes: number): void {
    if (this.len + extraBytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extraBytes) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** u(1) */
  bit(value: boolean | number): void {
    this.cur = (this.cur << 1) | (value ? 1 : 0);
    this.nbits++;
    if (this.nbits === 8) {
      this.ensure(1);
      this.buf[this.len++] = this.cur;
      this.cur = 0;
      this.nbits = 0;
    }
  }

  /** u(n) for 0 <= n <= 32. */
  u(n: number, value: number): void {
    if (n < 0 || n > 32) throw new RangeError(`u(${n}) is out of range`);
    if (n < 32 && (value < 0 || value >= 2 ** n)) {
      throw new RangeError(`value ${value} does not fit in u(${n})`);
    }
    for (let i = n - 1; i >= 0; i--) {
      // Use division rather than `>>` so that 32-bit values stay unsigned.
      this.bit(Math.floor(value / 2 ** i) & 1);
    }
  }

  /**
   * ue(v): Exp-Golomb. codeNum is written as `leadingZeros` zero bits, then
   * (codeNum + 1) in binary, which has exactly leadingZeros + 1 bits.
   */
  ue(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xfffffffe) {
      throw new RangeError(`ue(v) value ${value} is out of range`);
    }
    const codeNumPlusOne = value + 1;
    const bits = Math.floor(Math.log2(codeNumPlusOne)) + 1;
    this.u(bits - 1, 0);
    this.u(bits, codeNumPlusOne);
  }

  /** se(v): maps 0, 1, -1, 2, -2, ... onto codeNum 0, 1, 2, 3, 4, ... */
  se(value: number): void {
    if (!Number.isInteger(value)) throw new RangeError(`se(v) value ${value} is not an integer`);
    this.ue(value > 0 ? 2 * value - 1 : -2 * value);
  }

  /** Writes zero bits until byte aligned (e.g. pcm_alignment_zero_bit). */
  alignWithZeros(): void {
    while (this.nbits !== 0) this.bit(0);
  }

  /** Appends raw bytes; the writer must be byte aligned. */
  bytes(data: Uint8Array): void {
    if (this.nbits !== 0) throw new Error("BitWriter.bytes() requires byte alignment");
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /**
   * rbsp_trailing_bits(): a single stop bit `1` followed by zero bits up to the
   * next byte boundary (section 7.3.2.11). Also used as rbsp_slice_trailing_bits
   * since we never use CABAC (so there are no cabac_zero_words).
   */
  trailingBits(): void {
    this.bit(1);
    this.alignWithZeros();
  }

  /** The written bytes; the writer must be byte aligned (call trailingBits first). */
  finish(): Uint8Array {
    if (this.nbits !== 0) throw new Error("BitWriter.finish() requires byte alignment");
    return this.buf.slice(0, this.len);
  }
}

/**
 * Turns an RBSP into a NAL unit payload by inserting emulation_prevention_three_byte
 * (0x03) wherever two zero bytes would be followed by a byte <= 0x03 (section 7.4.1),
 * so that no start code (0x000001) can appear inside the NAL unit.
 */
export function addEmulationPrevention(rbsp: Uint8Array): Uint8Array {
  // Worst case: one extra byte for every two input bytes.
  const out = new Uint8Array(rbsp.length + Math.ceil(rbsp.length / 2) + 1);
  let o = 0;
  let zeros = 0;
  for (let i = 0; i < rbsp.length; i++) {
    const b = rbsp[i]!;
    if (zeros >= 2 && b <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  // A NAL unit must not end in 0x00; our RBSPs always end with the stop bit, so
  // this is only a safety net.
  if (o > 0 && out[o - 1] === 0) out[o++] = 3;
  return out.slice(0, o);
}

/** NAL unit types used by this encoder (Table 7-1). */
export const NalType = {
  NonIdrSlice: 1,
  IdrSlice: 5,
  Sps: 7,
  Pps: 8,
} as const;

/**
 * Builds one Annex-B NAL unit: 4-byte start code, the one-byte NAL header
 * (forbidden_zero_bit, nal_ref_idc, nal_unit_type) and the escaped RBSP.
 */
export function annexBNalUnit(nalRefIdc: number, nalUnitType: number, rbsp: Uint8Array): Uint8Array {
  const payload = addEmulationPrevention(rbsp);
  const out = new Uint8Array(5 + payload.length);
  out.set([0, 0, 0, 1, ((nalRefIdc & 3) << 5) | (nalUnitType & 31)], 0);
  out.set(payload, 5);
  return out;
}
