#!/usr/bin/env bash
# The data-parallel tests (--nproc, torchrun --standalone) on a machine whose host name does not
# resolve: the test binary runs in a UTS namespace of its own under a host name that no
# /etc/hosts entry or DNS server knows. Exits 77 (skipped) where namespaces are not permitted.
set -euo pipefail
binary=$1
filter=${2:-DataParallel.TwoRanks*:DataParallel.Torchrun*}
name=odenet-unresolvable-host
if unshare --uts true 2>/dev/null; then
  namespace=(unshare --uts)
elif unshare --user --map-root-user --uts true 2>/dev/null; then
  namespace=(unshare --user --map-root-user --uts)
else
  echo "skipped: this machine permits no UTS namespace (unshare --uts)"
  exit 77
fi
exec "${namespace[@]}" bash -c '
  hostname "$1" || exit 77
  if getent hosts "$1" >/dev/null; then echo "$1 resolves here: nothing to test"; exit 77; fi
  echo "host name $(hostname), which does not resolve"
  exec "$2" --gtest_filter="$3"' bash "$name" "$binary" "$filter"
