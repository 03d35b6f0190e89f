// The vectorised core of ScoreAll: PSI, Jensen-Shannon distance, Hellinger
// and KS of many features at once, one feature per vector lane (Highway,
// compiled for every x86 target and dispatched at run time to the best the
// CPU has). The definitions are drift_stats.h's; shares are counts times the
// reciprocal of their total, logarithms Highway's (at most 4 ULP).
//
// Highway re-includes this file once per target; the order of the includes
// below is Highway's protocol, not to be sorted.
// clang-format off
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "daemon/monitoring/drift_simd.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"
#include "daemon/monitoring/drift_stats.h"
// clang-format on

HWY_BEFORE_NAMESPACE();
namespace aigov::monitoring {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// A batch's stride is a whole number of this target's vectors.
static_assert(kBatchLanes % (HWY_MAX_BYTES / sizeof(double)) == 0);

void ScoreCoreLanes(const CoreBatch& batch, CoreScores* out) {
  const hn::ScalableTag<double> d;
  using V = hn::Vec<decltype(d)>;
  const size_t lanes = hn::Lanes(d);
  const size_t stride = batch.stride;
  const V zero = hn::Zero(d);
  const V one = hn::Set(d, 1.0);
  const V half = hn::Set(d, 0.5);
  const V floor = hn::Set(d, kPsiFloor);
  const V inv_2ln2 = hn::Set(d, 0.5 / 0.693147180559945309417232121458);
  const V nan = hn::Set(d, std::numeric_limits<double>::quiet_NaN());
  for (size_t f = 0; f < stride; f += lanes) {
    const double* ref = batch.reference.data() + f;
    const double* win = batch.window.data() + f;
    V m = zero;
    V n = zero;
    for (size_t b = 0; b < batch.bins; ++b) {
      m = hn::Add(m, hn::LoadU(d, ref + b * stride));
      n = hn::Add(n, hn::LoadU(d, win + b * stride));
    }
    const V inv_m = hn::Div(one, m);
    const V inv_n = hn::Div(one, n);
    V psi = zero;
    V kl = zero;  // KL(p || a) + KL(q || a), natural log
    V hellinger = zero;
    V ks = zero;
    V cum_ref = zero;
    V cum_win = zero;
    for (size_t b = 0; b < batch.bins; ++b) {
      const V r = hn::LoadU(d, ref + b * stride);
      const V w = hn::LoadU(d, win + b * stride);
      const V p = hn::Mul(r, inv_m);
      const V q = hn::Mul(w, inv_n);
      const V pf = hn::Max(p, floor);
      const V qf = hn::Max(q, floor);
      psi = hn::MulAdd(hn::Sub(qf, pf), hn::Log(d, hn::Div(qf, pf)), psi);
      const V a = hn::Mul(hn::Add(p, q), half);
      const auto p_pos = hn::Gt(p, zero);
      const auto q_pos = hn::Gt(q, zero);
      // Where a share is 0 its term is 0; Log gets 1 there, not 0.
      const V lp = hn::Log(d, hn::IfThenElse(p_pos, hn::Div(p, a), one));
      const V lq = hn::Log(d, hn::IfThenElse(q_pos, hn::Div(q, a), one));
      kl = hn::Add(kl, hn::Add(hn::Mul(p, lp), hn::Mul(q, lq)));
      const V diff = hn::Sub(hn::Sqrt(p), hn::Sqrt(q));
      hellinger = hn::MulAdd(diff, diff, hellinger);
      cum_ref = hn::Add(cum_ref, r);
      cum_win = hn::Add(cum_win, w);
      ks = hn::Max(ks, hn::Abs(hn::Sub(hn::Mul(cum_ref, inv_m),
                                       hn::Mul(cum_win, inv_n))));
    }
    // A side with no non-null count scores NaN.
    const auto empty = hn::Or(hn::Eq(m, zero), hn::Eq(n, zero));
    const V js = hn::Sqrt(hn::Mul(hn::Max(kl, zero), inv_2ln2));
    hn::StoreU(hn::IfThenElse(empty, nan, psi), d, out->psi.data() + f);
    hn::StoreU(hn::IfThenElse(empty, nan, js), d, out->js_distance.data() + f);
    hn::StoreU(hn::IfThenElse(empty, nan, hn::Sqrt(hn::Mul(hellinger, half))),
               d, out->hellinger.data() + f);
    hn::StoreU(hn::IfThenElse(empty, nan, ks), d, out->ks.data() + f);
  }
}

}  // namespace HWY_NAMESPACE
}  // namespace aigov::monitoring
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace aigov::monitoring {

HWY_EXPORT(ScoreCoreLanes);

void ScoreCore(const CoreBatch& batch, CoreScores* out) {
  out->psi.resize(batch.stride);
  out->js_distance.resize(batch.stride);
  out->hellinger.resize(batch.stride);
  out->ks.resize(batch.stride);
  HWY_DYNAMIC_DISPATCH(ScoreCoreLanes)(batch, out);
}

}  // namespace aigov::monitoring
#endif  // HWY_ONCE
