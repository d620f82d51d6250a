// Packed SGEMM building blocks (BLIS-style): register-blocked micro-kernels, B packing into NR-wide
// slivers, the macro-kernel over an (mc × nc) block, and the threaded sgemm entry point.
//
// Micro-kernel: C[MR × NV·W] (+)= A[MR × kc] · Bp[kc × NV·W]. A is read in place, row-major with stride
// lda (broadcast one element per row per k step); B is pre-packed so each k step is NV aligned vector loads.
// Tile shapes: AVX-512 12×32 ("wide", 24 zmm accumulators) and 24×16 ("narrow"); AVX2 6×16 and 12×8;
// SSE 6×8 and 12×4. Narrow tiles are used when n fits in one vector (conv layers with 8-16 channels).
#pragma once
#include "prelude.h"

namespace kh {
namespace KH_NS {

#if KH_VBYTES == 64
constexpr int kMrWide = 12, kMrNarrow = 12;
#else
constexpr int kMrWide = 6, kMrNarrow = 12;
#endif

/**
 * Distance in floats between consecutive packed B slivers: kc·NR plus one cache line, so that slivers
 * written or read in lockstep never alias to the same L1 set (kc·NR·4 bytes is often a multiple of 4 KiB).
 */
static inline int64_t sliverStride(int64_t kc, int nr) { return kc * nr + 16; }

/** Floats needed for nc columns of packed B with kc rows. */
static inline int64_t packedBSize(int64_t kc, int64_t nc, int nr) { return ceilDiv(nc, nr) * sliverStride(kc, nr); }

/** Store modes of a micro-kernel tile: overwrite with alpha·AB + beta·C (beta 0 ignores C), or accumulate. */
struct Store {
  float alpha;
  float beta;
  bool overwrite;
};

template <int MR, int NV, bool PA = false>
static inline void microKernel(int64_t kc, const float* __restrict a, int64_t lda, const float* __restrict b,
                               float* __restrict c, int64_t ldc, Store st, int64_t ldb = NV * W) {
  // PA: A packed MR-interleaved (a[p*MR + i], one pointer, constant offsets); else row-major a[i*lda + p].
  // B rows are ldb floats apart (NR when packed; the activation's pixel stride when read in place).
  vf acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[i][v] = vf{};
  for (int64_t p = 0; p < kc; p++) {
    vf bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) bv[v] = vload(b + p * ldb + v * W);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
      const vf av = vbcast(PA ? a[p * MR + i] : a[i * lda + p]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[i][v] += av * bv[v];
    }
  }
  const vf al = vbcast(st.alpha);
#pragma GCC unroll 32
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) {
      float* cp = c + i * ldc + v * W;
      if (!st.overwrite) {
        vstore(cp, vload(cp) + al * acc[i][v]);
      } else if (st.beta == 0.f) {
        vstore(cp, al * acc[i][v]);
      } else {
        vstore(cp, al * acc[i][v] + vbcast(st.beta) * vload(cp));
      }
    }
  }
}

/** Packs B(p, j) for p in [0,kc), j in [0,nc) into NR-wide slivers, zero padded: dst[(j/NR)*sliverStride + p*NR + j%NR]. */
template <int NR>
static void packB(bool trans, const float* b, int64_t ldb, int64_t kc, int64_t nc, float* dst) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t nr = imin(NR, nc - j0);
    float* d = dst + (j0 / NR) * sliverStride(kc, NR);
    if (!trans) {
      for (int64_t p = 0; p < kc; p++) {
        const float* s = b + p * ldb + j0;
        float* dp = d + p * NR;
        int64_t j = 0;
        for (; j < nr; j++) dp[j] = s[j];
        for (; j < NR; j++) dp[j] = 0.f;
      }
    } else {
      if (nr < NR) memset(d, 0, sizeof(float) * kc * NR);
      for (int64_t j = 0; j < nr; j++) {
        const float* s = b + (j0 + j) * ldb;
        for (int64_t p = 0; p < kc; p++) d[p * NR + j] = s[p];
      }
    }
  }
}

/**
 * Macro-kernel: C[mc × nc] (op)= A[mc × kc] · Bp, Bp packed by packB<NV*W>. A is row-major with stride lda
 * (read in place; partial row tiles are copied to zero-padded scratch slot 6) or, with PA, packed in
 * MR-row slivers a[(i/MR)*kc*MR + p*MR + i%MR], zero padded to a multiple of MR rows.
 */
template <int MR, int NV, bool PA = false>
static void macroKernel(int64_t mc, int64_t nc, int64_t kc, const float* a, int64_t lda, const float* bp, float* c,
                        int64_t ldc, Store st, int tid) {
  constexpr int NR = NV * W;
  alignas(64) float tile[MR * NR];
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t mr = imin(MR, mc - i0);
    const float* ap = PA ? a + i0 * kc : a + i0 * lda;
    int64_t la = lda;
    if (!PA && mr < MR) {
      float* edge = scratch(tid, 6, static_cast<size_t>(MR) * kc);
      for (int64_t i = 0; i < MR; i++) {
        if (i < mr) memcpy(edge + i * kc, ap + i * lda, sizeof(float) * kc);
        else memset(edge + i * kc, 0, sizeof(float) * kc);
      }
      ap = edge;
      la = kc;
    }
    for (int64_t j0 = 0; j0 < nc; j0 += NR) {
      const int64_t nr = imin(NR, nc - j0);
      const float* bj = bp + (j0 / NR) * sliverStride(kc, NR);
      float* cp = c + i0 * ldc + j0;
      if (mr == MR && nr == NR) {
        microKernel<MR, NV, PA>(kc, ap, la, bj, cp, ldc, st);
        continue;
      }
      microKernel<MR, NV, PA>(kc, ap, la, bj, tile, NR, Store{1.f, 0.f, true});
      for (int64_t i = 0; i < mr; i++) {
        for (int64_t j = 0; j < nr; j++) {
          float* cv = cp + i * ldc + j;
          const float t = st.alpha * tile[i * NR + j];
          if (!st.overwrite) *cv += t;
          else *cv = st.beta == 0.f ? t : t + st.beta * *cv;
        }
      }
    }
  }
}

constexpr int64_t kKc = 256;  // k block: A sliver 12×256 floats = 12 KiB stays in L1
constexpr int64_t kNc = 512;  // n block: packed B panel 256×512 floats = 512 KiB stays in L2

/** Serial GEMM on C[m × n] with explicit tile shape; rows of op(A) are packed (transposed) only when tA. */
template <int MR, int NV>
static void gemmSerial(bool tA, bool tB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                       const float* b, int64_t ldb, float beta, float* c, int64_t ldc, int tid) {
  constexpr int NR = NV * W;
  if (k == 0) {
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) c[i * ldc + j] = beta == 0.f ? 0.f : beta * c[i * ldc + j];
    return;
  }
  const int64_t kcMax = k <= kKc + kKc / 4 ? k : kKc;
  // A is read in place unless transposed or its row stride is a multiple of 2 KiB: then the MR rows of a
  // micro-tile alias to few L1 sets, so rows are copied with a padded stride (one extra cache line).
  // Narrow outputs (n ≤ 2 vectors) of a large A (beyond the caches) read each A row once: a sequential
  // copy lets the hardware prefetcher run ahead instead of stalling on MR interleaved row streams.
  const bool packA = tA || lda % 512 == 0 || (n <= 2 * W && m * lda > (int64_t{2} << 20));  // A > 8 MiB
  const int64_t mcMax = packA ? 8 * MR : m;
  const int64_t ldp = ceilDiv(kcMax, 16) * 16 + 16;
  float* bp = scratch(tid, 0, static_cast<size_t>(packedBSize(kcMax, imin(n, kNc), NR)));
  float* at = packA ? scratch(tid, 1, static_cast<size_t>(mcMax) * ldp) : nullptr;
  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = imin(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kcMax) {
      const int64_t kc = imin(kcMax, k - pc);
      const Store st{alpha, beta, pc == 0};
      packB<NR>(tB, tB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, kc, nc, bp);
      for (int64_t ic = 0; ic < m; ic += mcMax) {
        const int64_t mc = imin(mcMax, m - ic);
        if (!packA) {
          macroKernel<MR, NV>(mc, nc, kc, a + ic * lda + pc, lda, bp, c + ic * ldc + jc, ldc, st, tid);
          continue;
        }
        if (tA) {
          for (int64_t p = 0; p < kc; p++) {
            const float* s = a + (pc + p) * lda + ic;
            for (int64_t i = 0; i < mc; i++) at[i * ldp + p] = s[i];
          }
        } else {
          for (int64_t i = 0; i < mc; i++) memcpy(at + i * ldp, a + (ic + i) * lda + pc, sizeof(float) * kc);
        }
        macroKernel<MR, NV>(mc, nc, kc, at, ldp, bp, c + ic * ldc + jc, ldc, st, tid);
      }
    }
  }
}

static void gemmSerialAuto(bool tA, bool tB, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc, int tid) {
  if (n <= W) gemmSerial<kMrNarrow, 1>(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, tid);
  else gemmSerial<kMrWide, 2>(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, tid);
}

/** Threaded SGEMM: splits M (or N) across threads; when both are small it splits K into partial sums. */
static void sgemm(bool tA, bool tB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                  const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  const double flops = 2.0 * m * n * k;
  const int nt = flops < 2e6 ? 1 : threadCount();
  if (nt <= 1) return gemmSerialAuto(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 0);
  const int64_t mr = n <= W ? kMrNarrow : kMrWide;
  if (m >= 2 * nt * mr || (m >= nt * mr && m >= n)) {
    const int64_t chunk = ceilDiv(ceilDiv(m, nt), mr) * mr;
    auto f = [&](int64_t t, int tid) {
      const int64_t i0 = t * chunk, mc = imin(chunk, m - i0);
      if (mc <= 0) return;
      const float* at = tA ? a + i0 : a + i0 * lda;
      gemmSerialAuto(tA, tB, mc, n, k, alpha, at, lda, b, ldb, beta, c + i0 * ldc, ldc, tid);
    };
    return pfor(nt, f);
  }
  if (n >= 2 * nt * W) {
    const int64_t chunk = ceilDiv(ceilDiv(n, nt), 2 * W) * 2 * W;
    auto f = [&](int64_t t, int tid) {
      const int64_t j0 = t * chunk, nc = imin(chunk, n - j0);
      if (nc <= 0) return;
      const float* bt = tB ? b + j0 * ldb : b + j0;
      gemmSerialAuto(tA, tB, m, nc, k, alpha, a, lda, bt, ldb, beta, c + j0, ldc, tid);
    };
    return pfor(nt, f);
  }
  // Small m·n, long k: each thread computes a partial product over its k range; then reduce into C.
  const int64_t chunk = ceilDiv(k, nt);
  float* parts[256];
  auto f = [&](int64_t t, int tid) {
    const int64_t p0 = t * chunk, kc = imax(0, imin(chunk, k - p0));
    float* part = scratch(static_cast<int>(t), 3, static_cast<size_t>(m) * n);  // owned by task t
    parts[t] = part;
    const float* at = tA ? a + p0 * lda : a + p0;
    const float* bt = tB ? b + p0 : b + p0 * ldb;
    gemmSerialAuto(tA, tB, m, n, kc, 1.f, at, lda, bt, ldb, 0.f, part, n, tid);
  };
  pfor(nt, f);
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j = 0; j < n; j++) {
      float s = 0.f;
      for (int t = 0; t < nt; t++) s += parts[t][i * n + j];
      float* cv = c + i * ldc + j;
      *cv = beta == 0.f ? alpha * s : alpha * s + beta * *cv;
    }
  }
}

}  // namespace KH_NS
}  // namespace kh
