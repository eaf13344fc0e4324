// Where this build of odenet comes from: its version and the source commit it was built from,
// recorded with every run (summary.json, TensorBoard) for provenance.
#pragma once
#include "core/version.h"

namespace odenet {

/// The git commit of the build's source tree ("<hash>", "<hash>-dirty" where tracked files had
/// uncommitted changes, "unknown" outside a git checkout); generated at build time.
const char* source_commit();

}  // namespace odenet
