// The DAC side of the fused analog-tile periphery (analogInput: noise management, DAC quantisation, clipping),
// split out of analog.h, whose conventions it shares: float32 values, products rounded to float32 where the
// reference (src/core/kernels/js/analog.ts) calls Math.fround, round half to EVEN by the 1.5·2^52 magic number
// in double, FMA contraction disabled. Rows are independent and split over the thread pool. The NM maxima and
// DAC scales are in analog_nm.h.
#pragma once
#include "analog_nm.h"
#include "prelude.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace kh {
namespace KH_NS {

constexpr double kRintMagic = 6755399441055744.0;  // 1.5·2^52
constexpr double kRintLimit = 2251799813685248.0;  // 2^51

/** float32 quantisation of v to `step` (double) as in the reference: fround(rint(fround(v/step))·step). */
static inline float quantStep(float v, double invStep, double step) {
  const double t = static_cast<float>(static_cast<double>(v) * invStep);
  // no -ffast-math in this build: (t + M) − M is not reassociated; |t| ≥ 2^51 is already an integer
  const double r = std::fabs(t) < kRintLimit ? (t + kRintMagic) - kRintMagic : t;
  return static_cast<float>(r * step);
}

/** `bound` rounded down to float: for float q, q > bound ⟺ q > bDown and q < −bound ⟺ q < −bDown (exact). */
static inline float floatBelow(double bound) {
  float b = static_cast<float>(bound);
  if (static_cast<double>(b) > bound) b = std::nextafter(b, -INFINITY);
  return b;
}

/** Round half to even by the magic number 1.5·2^23 in float (exact for |t| ≤ 2^22). */
static inline float rintF(float t) { return (t + 12582912.f) - 12582912.f; }

/**
 * The all-float quantisation of quantLoopF / adcRowF: a float step (as every preset's effectiveStep is) with
 * bound/step < 2^21 levels per side, where r·step is exact in double, so fround(r·step) = r·fround(step).
 */
static inline bool floatStepLevels(double step, double bound) {
  return static_cast<double>(static_cast<float>(step)) == step && bound / step < 2097152.0;
}

/** floatStepLevels with a float bound: quantLoopF<·, FB = true>, the presets' DAC. */
static inline bool floatBoundLevels(double step, double bound) {
  return floatStepLevels(step, bound) && static_cast<double>(static_cast<float>(bound)) == bound;
}

/** c for clampLevel: the first integer ≥ bound/step + 2, beyond which every value clips either way. */
static inline float levelLimit(double step, double bound) {
  return static_cast<float>(std::ceil(bound / step) + 2.0);
}

/** t clamped to ±c for rintF (NaN passes). */
static inline float clampLevel(float t, float c) { return t > c ? c : (t < -c ? -c : t); }

/** Whether the clamped tc lies within `slack` of a half-integer: its float level r may differ from the reference's. */
static inline bool nearTie(float tc, float r, float slack) { return 0.5f - std::fabs(tc - r) <= slack; }

/**
 * DAC loop: v_j = clip(quantise(x_j·s_j), ±bound) with s_j = PER ? s[j] : s0, branch-free so that it
 * vectorises. FAST (only when bound/step < 2^21): the rint of t = fround(q/step) in float by the magic
 * number 1.5·2^23, exact for |t| < 2^22; a larger |t| is left as is, which changes nothing: its quantised
 * value lies beyond ±bound either way and is clipped to the same value. The bound test runs in float
 * (floatBelow), which is exact.
 */
template <bool QUANT, bool FAST, bool PER>
static void quantLoop(const float* __restrict x, float s0, const float* __restrict s, int64_t k, double invStep,
                      double step, double bound, float* __restrict v) {
  const float hi = static_cast<float>(bound), lo = static_cast<float>(-bound), bDown = floatBelow(bound);
  for (int64_t j = 0; j < k; j++) {
    float q = x[j] * (PER ? s[j] : s0);
    if (QUANT && FAST) {
      const float t = static_cast<float>(static_cast<double>(q) * invStep);
      const float r = std::fabs(t) < 4194304.f ? rintF(t) : t;
      q = static_cast<float>(static_cast<double>(r) * step);
    } else if (QUANT) {
      q = quantStep(q, invStep, step);
    }
    v[j] = q > bDown ? hi : (q < -bDown ? lo : q);
  }
}

/**
 * The level argument and its rint for quantLoopF: where the ISA rounds to nearest even in one instruction
 * (vrndscaleps/vroundps: exact for every float; NaN and ±∞ pass), t itself; else t clamped to ±c (levelLimit)
 * and rintF. Either way the level is rint(t) wherever the value does not clip.
 */
static inline float levelArg(float t, float c) {
#if defined(__SSE4_1__)
  (void)c;
  return t;
#else
  return clampLevel(t, c);
#endif
}
static inline float levelRint(float t) {
#if defined(__SSE4_1__)
  return __builtin_rintf(t) + 0.f;  // + 0: the magic-number rint of the reference gives +0 where rintf gives −0
#else
  return rintF(t);
#endif
}
/** levelArg on W lanes (the rint on W lanes is vrint, whose −0 results levelRint's + 0 turns into +0). */
static inline vf levelArgV(vf t, float c) {
#if defined(__SSE4_1__)
  (void)c;
  return t;
#else
  const vf cv = vbcast(c);
  return vmax(-cv, vmin(cv, t));  // NaN passes (the second operand)
#endif
}

/**
 * quantLoopF's constants: fround(1/step), the float step, ±bound, bound rounded down, the level limit c and the
 * tie slack (a level argument nearer a half-integer than 0.5 − c·2^-21 is suspect).
 */
struct DacF {
  float invF, stepF, hi, lo, bDown, c, tie;
  DacF(double invStep, double step, double bound)
      : invF(static_cast<float>(invStep)), stepF(static_cast<float>(step)), hi(static_cast<float>(bound)),
        lo(static_cast<float>(-bound)), bDown(floatBelow(bound)), c(levelLimit(step, bound)),
        tie(0.5f - c * 4.76837158203125e-7f), unclippedAtAbsMax(unclippedAtAbsMaxOf()) {}
  /** Whether a running maximum of |t' − rint t'| (dacLanes' near) reached the tie slack. */
  bool suspect(vf near) const { return vany(near >= vbcast(tie)); }
  /**
   * Whether the one-product level argument x·fround(s·invF) applies to DAC scale s: s·invF is a finite float.
   * It overflows for NM maxima below about invF/FLT_MAX (~4e-37 for 8 bits), where the reference's
   * fround(x·s)·(1/step) is still finite: then the level argument is fround(x·s)·invF (quantLoopF's PER form).
   */
  bool scaleFits(float s) const { return std::fabs(s * invF) <= kFloatMax; }
  /** scaleFits for every lane of s. */
  bool scalesFit(vf s) const { return !vany(vabs(s * vbcast(invF)) > vbcast(kFloatMax)); }
  static constexpr float kFloatMax = 3.40282346638528859812e+38f;  // FLT_MAX
  /**
   * Whether the clip to ±bound is the identity on a vector scaled by its own uncapped abs-max m (s = fround(1/m),
   * level argument x·fround(s·invF)): |x| ≤ m bounds every level argument by invF·(1 + 2^-24)^3 (three float
   * roundings), so no level exceeds rMax = ⌊invF·(1 + 2^-21) + ½⌋, whose exact float value rMax·step must not
   * pass the bound. True for 2^n − 2 levels over ±1 (rMax·step = 1: the presets' 8-bit DAC); false where the top
   * level lies beyond the bound (e.g. 1/step = 127.8: 128·step > 1).
   */
  bool unclippedAtAbsMax;

 private:
  bool unclippedAtAbsMaxOf() const {
    const double rMax = std::floor(static_cast<double>(invF) * (1.0 + 4.76837158203125e-7) + 0.5);
    return static_cast<float>(rMax) * stepF <= hi;
  }
};

/**
 * quantLoopF's arithmetic on W lanes: the DAC values of the level arguments t' (x·s·fround(1/step)), clipped
 * to ±bound (FB: by min/max, `bound` being a float); near = max(near, |t' − rint t'|) (NaN never wins the max:
 * a NaN level is no tie, as in the scalar test). PLUS0: see quantLoopF.
 */
template <bool FB, bool PLUS0, bool CLIP = true>
static inline vf dacLanes(vf t, const DacF& d, vf& near) {
  t = levelArgV(t, d.c);
  const vf r = PLUS0 ? vrint(t) + vf{} : vrint(t);
  near = vmax(vabs(t - r), near);
  const vf q = r * vbcast(d.stepF), hi = vbcast(d.hi), lo = vbcast(d.lo), bDown = vbcast(d.bDown);
  if (!CLIP) return q;  // the caller proved the clip an identity (DacF::unclippedAtAbsMax)
  return FB ? vmax(lo, vmin(hi, q)) : (q > bDown ? hi : (q < -bDown ? lo : q));
}

/**
 * quantLoopF's value for one element: t its level argument (levelArg of x·s·fround(1/step)), xs = fround(x·s).
 * The float level rint(t)·step clipped to ±bound (FB: by min/max), or, where t lies nearer a half-integer than
 * the tie slack, the reference's exact double path (quantStep) clipped.
 */
template <bool FB>
static inline float dacOne(float t, float xs, const DacF& d, double invStep, double step) {
  const float r = levelRint(t);
  if (std::fabs(t - r) >= d.tie) {
    const float e = quantStep(xs, invStep, step);
    return e > d.bDown ? d.hi : (e < -d.bDown ? d.lo : e);
  }
  const float q = r * d.stepF;
  if (!FB) return q > d.bDown ? d.hi : (q < -d.bDown ? d.lo : q);
  const float a = d.hi < q ? d.hi : q;  // vminps/vmaxps order: a NaN q passes, as in the reference
  return d.lo > a ? d.lo : a;
}

/**
 * The DAC loop of quantLoop<true, true, PER> in float arithmetic only, for a float `step` (as every preset's
 * effectiveStep is) with bound/step < 2^21 levels. Then r·step is exact in double, so fround(r·step) = r·stepF,
 * and the level argument t' = x·fround(s·fround(1/step)) (one scale per vector) or fround(x·s_j)·fround(1/step)
 * (PER) replaces the reference's t = fround(fround(x·s)·(1/step)) in double. They differ by at most 5.01·2^-24·|t|
 * (five float roundings at most), so rint(t') = rint(t) unless t' lies that close to a half-integer. Values with
 * |t| > c (the first integer ≥ bound/step + 2) clip either way, so one constant slack c·2^-21 = 8c·2^-24 covers
 * every value that does not clip: elements nearer a tie (about c·2^-20 of them, one in 10^4 for 8-bit) are
 * recomputed by the exact double path in a second pass. FB: `bound` is a float, so the clip to ±bound is a
 * min/max. PLUS0: zero levels are +0, as in the reference; without it, whole vectors keep vrint's −0 (for DAC
 * outputs that only feed an MVM whose sums start from +0, where the sign of a zero cannot show: +0 + −0 = +0).
 */
template <bool PER, bool FB, bool PLUS0 = true, bool SPLIT = false>
static void quantLoopF(const float* __restrict x, float s0, const float* __restrict s, int64_t k, double invStep,
                       double step, double bound, float* __restrict v) {
  const DacF d(invStep, step, bound);
  // a scale too large for one product (DacF::scaleFits) takes the per-element form (SPLIT), s0 for every element
  if constexpr (!PER && !SPLIT)
    if (!d.scaleFits(s0)) return quantLoopF<false, FB, PLUS0, true>(x, s0, s, k, invStep, step, bound, v);
  constexpr bool TWO = PER || SPLIT;  // t' = fround(x·s)·fround(1/step), else x·fround(s·fround(1/step))
  const float sInv = s0 * d.invF;
  auto level = [&](int64_t j) { return levelArg(TWO ? x[j] * (PER ? s[j] : s0) * d.invF : x[j] * sInv, d.c); };
  // whole vectors, with the largest |t' − rint t'| kept instead of a flag
  const vf invV = vbcast(d.invF), sInvV = vbcast(sInv), s0V = vbcast(s0);
  auto args = [&](vf xv, vf sv) { return TWO ? xv * (PER ? sv : s0V) * invV : xv * sInvV; };
  vf near{};
  int64_t j0 = 0;
  for (; j0 + W <= k; j0 += W)
    vstore(v + j0, dacLanes<FB, PLUS0>(args(vload(x + j0), PER ? vload(s + j0) : vf{}), d, near));
  if (kMaskedTail && j0 < k) {  // the tail as one masked vector (its other lanes are +0 inputs: level +0, no tie)
    const int64_t n = k - j0;
    const vf sv = PER ? tailLoad(s + j0, n, 0.f) : vf{};
    tailStore(v + j0, n, dacLanes<FB, PLUS0>(args(tailLoad(x + j0, n, 0.f), sv), d, near));
    j0 = k;
  }
  for (int64_t j = j0; j < k; j++) v[j] = dacOne<FB>(level(j), x[j] * (PER ? s[j] : s0), d, invStep, step);
  if (!d.suspect(near)) return;
  for (int64_t j = 0; j < j0; j++) {  // the exact path for the vectors' elements near a tie
    const float t = level(j);
    if (std::fabs(t - levelRint(t)) >= d.tie) v[j] = dacOne<FB>(t, x[j] * (PER ? s[j] : s0), d, invStep, step);
  }
}

/**
 * quantLoop dispatch: quantise when step ≠ 0; with < 2^21 levels per side by the float rint, in float only
 * when the step is a float (quantLoopF). forMvm: v only feeds an MVM (quantLoopF without PLUS0).
 */
template <bool PER>
static void quantAny(const float* x, float s0, const float* s, int64_t k, double step, double bound, float* v,
                     bool forMvm = false) {
  const double invStep = 1.0 / step;
  if (step == 0.0) return quantLoop<false, false, PER>(x, s0, s, k, invStep, step, bound, v);
  if (!(bound / step < 2097152.0)) return quantLoop<true, false, PER>(x, s0, s, k, invStep, step, bound, v);
  if (floatBoundLevels(step, bound)) {
    if (forMvm) return quantLoopF<PER, true, false>(x, s0, s, k, invStep, step, bound, v);
    return quantLoopF<PER, true>(x, s0, s, k, invStep, step, bound, v);
  }
  if (floatStepLevels(step, bound)) return quantLoopF<PER, false>(x, s0, s, k, invStep, step, bound, v);
  quantLoop<true, true, PER>(x, s0, s, k, invStep, step, bound, v);
}

/** One DAC row: v = clip(quantise(x·s), ±bound). */
static void quantRow(const float* x, float s, int64_t k, double step, double bound, float* v, bool forMvm) {
  quantAny<false>(x, s, nullptr, k, step, bound, v, forMvm);
}

/**
 * The DAC of xr[k] into vr[k] at the vector's NM value nm (scale nmScale); returns the scale. forMvm: vr only
 * feeds an MVM (quantAny).
 */
static inline float dacScaled(const float* xr, int64_t k, const AnalogIn& p, double nm, double red, float* vr,
                              bool forMvm = false) {
  const float s = nmScale(p, nm, red);
  quantRow(xr, s, k, p.step, p.bound, vr, forMvm);
  return s;
}

/**
 * The DAC stage of one input vector xr[k] into vr[k] from its NM maximum m (rowMax of xr: abs-max or max as
 * nmMode says): nm = min(m, nmCap), then dacScaled; returns s (0 marks an exact-zero vector).
 */
static inline float dacFromMax(const float* xr, int64_t k, const AnalogIn& p, float m, double& nm, double red,
                               float* vr, bool forMvm = false) {
  if (zeroVector(p, m, nm) && !hasNaN(xr, k)) {
    zeroFloats(vr, k);
    return 0.f;
  }
  return dacScaled(xr, k, p, nm, red, vr, forMvm);
}

/**
 * The DAC stage of one input vector xr[k] into vr[k] (see analogInput): the NM maximum computed when
 * `computeNm` (dacFromMax), else the NM value read from nm (dacScaled); returns s (0: an exact-zero vector).
 */
static inline float dacRow(const float* xr, int64_t k, const AnalogIn& p, bool computeNm, double& nm, double red,
                           float* vr, bool forMvm = false) {
  if (computeNm) return dacFromMax(xr, k, p, rowMax(xr, k, p.nmMode != 2), nm, red, vr, forMvm);
  return dacScaled(xr, k, p, nm, red, vr, forMvm);
}

static void analogInput(const float* x, int64_t rows, int64_t k, const AnalogIn& p, double* nm, const double* red,
                        float* v, float* scales) {
  const bool computeNm = p.computeNm && (p.nmMode == 1 || p.nmMode == 2);
  const int64_t perTask = imax(1, 16384 / imax(k, 1));
  auto f = [&](int64_t t, int) {
    for (int64_t r = t * perTask; r < imin(rows, (t + 1) * perTask); r++)
      scales[r] = dacRow(x + r * k, k, p, computeNm, nm[r], red ? red[r] : 1.0, v + r * k);
  };
  prun(ceilDiv(rows, perTask), 10.0 * static_cast<double>(rows * k), f);
}

}  // namespace KH_NS
}  // namespace kh

#pragma GCC pop_options
