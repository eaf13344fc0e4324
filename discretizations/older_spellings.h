// Scheme names of earlier odenet versions, kept so that every experiment file and run directory
// written with them still loads. Each is a registry alias: it reads the key that used to select
// the update rule and builds today's entry, whose to_json writes today's name.
//   {"name": "euler_maruyama", "variant": V}          → gaussian_noise (V gaussian, the default),
//                                                        stochastic_depth, shake_shake, stochastic_lm
//   {"name": "backward_euler_neumann", "form": F}     → neumann_fixed_point (F fixed_point, the default),
//                                                        polynet_literal, polynet_mpoly, polynet_way
//   {"name": "fractal", "form": F}                    → fractal_rk2 (F rk2, the default), fractal_expansion
#pragma once
#include "discretizations/scheme.h"

namespace odenet {

/// Adds the aliases; the entries they name must be registered first.
void register_older_spellings(SchemeRegistry& registry);

}  // namespace odenet
