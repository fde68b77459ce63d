// Group quantizers of the k-quant reference quantizers (see quant_k_search.cc).
#pragma once

#include <cstdint>

namespace densing::quant {

// Groups whose largest magnitude is below this are all-zero.
inline constexpr float kGroupMaxEps = 1e-15f;

// Symmetric quants l in [-nmax, nmax) for x ≈ scale·l, weighted by x², stored as l + nmax.
// Tries 19 scales around nmax/max and keeps the best weighted fit. Returns the scale.
float MakeQxQuants(int n, int nmax, const float* x, int8_t* L);

// Q3_K's group quantizer: from nmax/max, moves single quants while the x²-weighted fit
// improves (at most 5 passes). Stores l + nmax; returns the scale.
float MakeQ3Quants(int n, int nmax, const float* x, int8_t* L);

// Asymmetric quants l in [0, nmax] for x ≈ scale·l - the_min (n ≤ 32): tries nstep + 1 scales
// from (rmin + nmax)/(max - min) in steps of rdelta, solving the weighted least squares for
// scale and min at each, and keeps the best by weighted squared (or absolute, use_mad) error.
// The min is never positive. Returns the scale.
float MakeQkx2Quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                     float* the_min, float rmin, float rdelta, int nstep, bool use_mad);

}  // namespace densing::quant
