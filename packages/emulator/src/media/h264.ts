/**
 * A deliberately tiny H.264 encoder (ITU-T H.264, Constrained Baseline profile).
 *
 * Every coded macroblock is I_PCM: the raw 8-bit Y/Cb/Cr samples are written
 * verbatim, so there is no prediction, transform, quantisation or entropy-coded
 * residual to get wrong, and decoding is lossless. To keep files small, P frames
 * mark macroblocks that are identical to the previous frame as skipped
 * (`mb_skip_run`); P_Skip with the motion vectors our streams produce is an exact
 * copy of the co-located reference macroblock (see `encodeFrame`).
 *
 * Stream layout: one slice per picture, an IDR picture every `keyframeInterval`
 * frames, every picture is a reference picture (nal_ref_idc = 3), picture order
 * count type 2 (output order = decode order, no B frames), deblocking disabled.
 * The coded size is rounded up to whole 16x16 macroblocks and the SPS frame
 * cropping window brings the display size back to the requested (even) size.
 */
import { annexBNalUnit, BitWriter, NalType } from "./bitwriter.js";

/** A 4:2:0 8-bit picture at the *coded* size (multiples of 16). */
export interface Yuv420Picture {
  /** Luma plane, `codedWidth * codedHeight` bytes, row-major. */
  y: Uint8Array;
  /** Chroma planes, `(codedWidth / 2) * (codedHeight / 2)` bytes each. */
  cb: Uint8Array;
  cr: Uint8Array;
}

export interface H264EncoderOptions {
  /** Display width in pixels (even, >= 2). */
  width: number;
  /** Display height in pixels (even, >= 2). */
  height: number;
  /** Frames per second; only used to pick a level. */
  fps: number;
  /** Distance between IDR pictures, in frames (1 = all intra). */
  keyframeInterval: number;
}

export interface EncodedAccessUnit {
  /** Annex-B bytes of the access unit (start code + NAL unit, ...). */
  data: Uint8Array;
  /** True for IDR pictures. */
  key: boolean;
}

/** frame_num is coded with log2_max_frame_num_minus4 + 4 bits; it wraps modulo 2^bits. */
const LOG2_MAX_FRAME_NUM = 4;
const PROFILE_BASELINE = 66;
/** constraint_set0_flag + constraint_set1_flag: "Constrained Baseline". */
const CONSTRAINT_FLAGS = 0b1100_0000;
/** I_PCM mb_type in I slices (Table 7-11); in P slices intra types are offset by 5 (Table 7-13). */
const MB_TYPE_I_PCM_IN_I_SLICE = 25;
const MB_TYPE_I_PCM_IN_P_SLICE = 5 + 25;
/** slice_type values 5..9 state that all slices of the picture share the type. */
const SLICE_TYPE_P_ALL = 5;
const SLICE_TYPE_I_ALL = 7;
/** Bytes of sample data in one 4:2:0 I_PCM macroblock: 16*16 luma + 2 * 8*8 chroma. */
const PCM_BYTES_PER_MB = 384;

/**
 * Level limits from Table A-1: [level_idc, MaxMBPS (MB/s), MaxFS (MBs), MaxBR (kbit/s, Baseline)].
 * Level 1b is skipped (it needs constraint_set3_flag tricks and we never need it).
 */
const LEVELS: ReadonlyArray<readonly [number, number, number, number]> = [
  [10, 1485, 99, 64],
  [11, 3000, 396, 192],
  [12, 6000, 396, 384],
  [13, 11880, 396, 768],
  [20, 11880, 396, 2000],
  [21, 19800, 792, 4000],
  [22, 20250, 1620, 4000],
  [30, 40500, 1620, 10000],
  [31, 108000, 3600, 14000],
  [32, 216000, 5120, 20000],
  [40, 245760, 8192, 20000],
  [41, 245760, 8192, 50000],
  [42, 522240, 8704, 50000],
  [50, 589824, 22080, 135000],
  [51, 983040, 36864, 240000],
  [52, 2073600, 36864, 240000],
];

/** Smallest level whose frame size, macroblock rate and (worst case, all-PCM) bit rate fit. */
export function chooseLevel(mbCount: number, fps: number): number {
  const mbPerSecond = mbCount * fps;
  const worstCaseKbps = (mbPerSecond * (PCM_BYTES_PER_MB * 8 + 16)) / 1000;
  for (const [levelIdc, maxMbps, maxFs, maxBr] of LEVELS) {
    if (mbCount <= maxFs && mbPerSecond <= maxMbps && worstCaseKbps <= maxBr) return levelIdc;
  }
  return 52;
}

export class H264PcmEncoder {
  readonly width: number;
  readonly height: number;
  readonly codedWidth: number;
  readonly codedHeight: number;
  readonly mbWidth: number;
  readonly mbHeight: number;
  readonly levelIdc: number;
  /** RFC 6381 codec string, e.g. "avc1.42c01e". */
  readonly codecString: string;
  /** Annex-B SPS and PPS NAL units (with start codes). */
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;

  private readonly keyframeInterval: number;
  private frameIndex = 0;
  private frameNum = 0;
  private idrPicId = 0;
  private previous: Yuv420Picture | null = null;
  /** Scratch buffer for one macroblock's PCM samples. */
  private readonly mbSamples = new Uint8Array(PCM_BYTES_PER_MB);

  constructor(options: H264EncoderOptions) {
    const { width, height, fps, keyframeInterval } = options;
    for (const [name, v] of [
      ["width", width],
      ["height", height],
    ] as const) {
      if (!Number.isInteger(v) || v < 2 || v % 2 !== 0) {
        throw new RangeError(`${name} must be an even integer >= 2 (got ${v})`);
      }
    }
    if (!Number.isInteger(keyframeInterval) || keyframeInterval < 1) {
      throw new RangeError(`keyframeInterval must be a positive integer (got ${keyframeInterval})`);
    }
    this.width = width;
    this.height = height;
    this.mbWidth = Math.ceil(width / 16);
    this.mbHeight = Math.ceil(height / 16);
    this.codedWidth = this.mbWidth * 16;
    this.codedHeight = this.mbHeight * 16;
    this.keyframeInterval = keyframeInterval;
    this.levelIdc = chooseLevel(this.mbWidth * this.mbHeight, fps);
    this.codecString = `avc1.${hex2(PROFILE_BASELINE)}${hex2(CONSTRAINT_FLAGS)}${hex2(this.levelIdc)}`;
    this.sps = this.buildSps();
    this.pps = this.buildPps();
  }

  /** Sequence parameter set (section 7.3.2.1.1). */
  private buildSps(): Uint8Array {
    const w = new BitWriter(64);
    w.u(8, PROFILE_BASELINE); // profile_idc
    w.u(8, CONSTRAINT_FLAGS); // constraint_set0..5_flag + reserved_zero_2bits
    w.u(8, this.levelIdc); // level_idc
    w.ue(0); // seq_parameter_set_id
    w.ue(LOG2_MAX_FRAME_NUM - 4); // log2_max_frame_num_minus4
    w.ue(2); // pic_order_cnt_type: POC follows frame_num (no B frames)
    w.ue(1); // max_num_ref_frames
    w.bit(0); // gaps_in_frame_num_value_allowed_flag
    w.ue(this.mbWidth - 1); // pic_width_in_mbs_minus1
    w.ue(this.mbHeight - 1); // pic_height_in_map_units_minus1
    w.bit(1); // frame_mbs_only_flag (progressive)
    w.bit(1); // direct_8x8_inference_flag
    // Cropping offsets are in units of 2 luma samples for 4:2:0 progressive video.
    const cropRight = (this.codedWidth - this.width) / 2;
    const cropBottom = (this.codedHeight - this.height) / 2;
    const cropping = cropRight > 0 || cropBottom > 0;
    w.bit(cropping); // frame_cropping_flag
    if (cropping) {
      w.ue(0); // frame_crop_left_offset
      w.ue(cropRight); // frame_crop_right_offset
      w.ue(0); // frame_crop_top_offset
      w.ue(cropBottom); // frame_crop_bottom_offset
    }
    w.bit(1); // vui_parameters_present_flag
    this.writeVui(w);
    w.trailingBits();
    return annexBNalUnit(3, NalType.Sps, w.finish());
  }

  /** VUI (Annex E.1.1): square pixels, BT.601 limited range, no frame reordering. */
  private writeVui(w: BitWriter): void {
    w.bit(1); // aspect_ratio_info_present_flag
    w.u(8, 1); // aspect_ratio_idc: 1 = 1:1 (square samples)
    w.bit(0); // overscan_info_present_flag
    w.bit(1); // video_signal_type_present_flag
    w.u(3, 5); // video_format: unspecified
    w.bit(0); // video_full_range_flag: limited (16..235 / 16..240)
    w.bit(1); // colour_description_present_flag
    w.u(8, 6); // colour_primaries: SMPTE 170M (BT.601)
    w.u(8, 6); // transfer_characteristics: SMPTE 170M
    w.u(8, 6); // matrix_coefficients: SMPTE 170M (BT.601)
    w.bit(0); // chroma_loc_info_present_flag
    w.bit(0); // timing_info_present_flag (the container carries timing)
    w.bit(0); // nal_hrd_parameters_present_flag
    w.bit(0); // vcl_hrd_parameters_present_flag
    w.bit(0); // pic_struct_present_flag
    w.bit(1); // bitstream_restriction_flag
    w.bit(1); // motion_vectors_over_pic_boundaries_flag
    w.ue(0); // max_bytes_per_pic_denom: no limit
    w.ue(0); // max_bits_per_mb_denom: no limit (I_PCM macroblocks are large)
    w.ue(16); // log2_max_mv_length_horizontal
    w.ue(16); // log2_max_mv_length_vertical
    w.ue(0); // max_num_reorder_frames: output order == decode order
    w.ue(1); // max_dec_frame_buffering
  }

  /** Picture parameter set (section 7.3.2.2). */
  private buildPps(): Uint8Array {
    const w = new BitWriter(16);
    w.ue(0); // pic_parameter_set_id
    w.ue(0); // seq_parameter_set_id
    w.bit(0); // entropy_coding_mode_flag: CAVLC
    w.bit(0); // bottom_field_pic_order_in_frame_present_flag
    w.ue(0); // num_slice_groups_minus1
    w.ue(0); // num_ref_idx_l0_default_active_minus1
    w.ue(0); // num_ref_idx_l1_default_active_minus1
    w.bit(0); // weighted_pred_flag
    w.u(2, 0); // weighted_bipred_idc
    w.se(0); // pic_init_qp_minus26 (irrelevant: PCM has no residual)
    w.se(0); // pic_init_qs_minus26
    w.se(0); // chroma_qp_index_offset
    w.bit(1); // deblocking_filter_control_present_flag (so slices can disable it)
    w.bit(0); // constrained_intra_pred_flag
    w.bit(0); // redundant_pic_cnt_present_flag
    w.trailingBits();
    return annexBNalUnit(3, NalType.Pps, w.finish());
  }

  /**
   * Encodes the next picture in decode (= display) order. The first access unit
   * is prefixed with the SPS and PPS so it is self-describing.
   */
  encodeFrame(picture: Yuv420Picture): EncodedAccessUnit {
    const lumaSize = this.codedWidth * this.codedHeight;
    if (picture.y.length !== lumaSize || picture.cb.length !== lumaSize / 4 || picture.cr.length !== lumaSize / 4) {
      throw new RangeError("picture planes do not match the coded size");
    }
    const isIdr = this.frameIndex % this.keyframeInterval === 0;
    if (isIdr) this.frameNum = 0;

    const mbCount = this.mbWidth * this.mbHeight;
    const w = new BitWriter(mbCount * (PCM_BYTES_PER_MB + 4) + 32);

    // --- slice_header() (section 7.3.3) ---
    w.ue(0); // first_mb_in_slice
    w.ue(isIdr ? SLICE_TYPE_I_ALL : SLICE_TYPE_P_ALL); // slice_type
    w.ue(0); // pic_parameter_set_id
    w.u(LOG2_MAX_FRAME_NUM, this.frameNum); // frame_num
    if (isIdr) w.ue(this.idrPicId); // idr_pic_id (consecutive IDRs must differ)
    // pic_order_cnt_type == 2: no POC syntax elements.
    if (!isIdr) {
      w.bit(0); // num_ref_idx_active_override_flag (1 reference, the previous frame)
      w.bit(0); // ref_pic_list_modification_flag_l0
    }
    // dec_ref_pic_marking() (nal_ref_idc != 0)
    if (isIdr) {
      w.bit(0); // no_output_of_prior_pics_flag
      w.bit(0); // long_term_reference_flag
    } else {
      w.bit(0); // adaptive_ref_pic_marking_mode_flag: sliding window
    }
    w.se(0); // slice_qp_delta
    w.ue(1); // disable_deblocking_filter_idc: off, so decoded samples are exactly our PCM samples

    // --- slice_data() (section 7.3.4), CAVLC ---
    // In P slices a run of skipped macroblocks precedes every coded macroblock
    // (mb_skip_run, may be 0) and a final run covers trailing skipped ones.
    // P_Skip predicts its motion vector from neighbours A/B/C (8.4.1.1); since
    // every non-skipped macroblock here is intra (treated as mv 0) and every
    // skipped one has mv 0 by induction, the prediction is always (0,0), i.e. a
    // straight copy from the previous picture.
    const prev = isIdr ? null : this.previous;
    let skipRun = 0;
    for (let mbY = 0; mbY < this.mbHeight; mbY++) {
      for (let mbX = 0; mbX < this.mbWidth; mbX++) {
        if (prev && this.macroblockUnchanged(picture, prev, mbX, mbY)) {
          skipRun++;
          continue;
        }
        if (!isIdr) {
          w.ue(skipRun); // mb_skip_run
          skipRun = 0;
        }
        // macroblock_layer() for I_PCM (section 7.3.5)
        w.ue(isIdr ? MB_TYPE_I_PCM_IN_I_SLICE : MB_TYPE_I_PCM_IN_P_SLICE); // mb_type
        w.alignWithZeros(); // pcm_alignment_zero_bit(s)
        this.copyMacroblock(picture, mbX, mbY);
        w.bytes(this.mbSamples); // pcm_sample_luma[256], pcm_sample_chroma[128]
      }
    }
    if (skipRun > 0) w.ue(skipRun); // trailing mb_skip_run
    w.trailingBits(); // rbsp_slice_trailing_bits

    const slice = annexBNalUnit(3, isIdr ? NalType.IdrSlice : NalType.NonIdrSlice, w.finish());
    const data = this.frameIndex === 0 ? concat([this.sps, this.pps, slice]) : slice;

    // Advance state.
    if (isIdr) this.idrPicId = (this.idrPicId + 1) % 2;
    this.frameNum = (this.frameNum + 1) % 2 ** LOG2_MAX_FRAME_NUM;
    this.frameIndex++;
    this.previous = picture;
    return { data, key: isIdr };
  }

  /** Copies one macroblock's samples (Y 16x16, then Cb 8x8, then Cr 8x8) into `mbSamples`. */
  private copyMacroblock(p: Yuv420Picture, mbX: number, mbY: number): void {
    const out = this.mbSamples;
    const lumaStride = this.codedWidth;
    let o = 0;
    for (let row = 0; row < 16; row++) {
      const start = (mbY * 16 + row) * lumaStride + mbX * 16;
      out.set(p.y.subarray(start, start + 16), o);
      o += 16;
    }
    const chromaStride = this.codedWidth / 2;
    for (const plane of [p.cb, p.cr]) {
      for (let row = 0; row < 8; row++) {
        const start = (mbY * 8 + row) * chromaStride + mbX * 8;
        out.set(plane.subarray(start, start + 8), o);
        o += 8;
      }
    }
  }

  private macroblockUnchanged(a: Yuv420Picture, b: Yuv420Picture, mbX: number, mbY: number): boolean {
    const lumaStride = this.codedWidth;
    for (let row = 0; row < 16; row++) {
      const start = (mbY * 16 + row) * lumaStride + mbX * 16;
      for (let i = start; i < start + 16; i++) if (a.y[i] !== b.y[i]) return false;
    }
    const chromaStride = this.codedWidth / 2;
    for (let row = 0; row < 8; row++) {
      const start = (mbY * 8 + row) * chromaStride + mbX * 8;
      for (let i = start; i < start + 8; i++) {
        if (a.cb[i] !== b.cb[i] || a.cr[i] !== b.cr[i]) return false;
      }
    }
    return true;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
