#!/usr/bin/env bash
# Micro-benchmarks behind the ShadowCore figures of docs/performance.md, built in release against
# the ShadowCore of any revision (default HEAD) in a temporary copy of the package:
#
#   bench/micro/run.sh [REV]     e.g. bench/micro/run.sh c76d3cc  (before the ShadowCore fixes)
#
#   micro-ipv6     A/B in one process: the previous String-based IPv6 parser vs IPv6Address(_:)
#                  (and MACExtractor.fromEUI64 vs the previous array-building version)
#   micro-helpers  cross-module calls of the small ShadowCore helpers from a client module
set -euo pipefail
cd "$(dirname "$0")/../.."
REV=${1:-HEAD}
HERE=bench/micro
TMP=$(mktemp -d /tmp/shadow-micro.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
git archive "$REV" | tar -x -C "$TMP"
mkdir -p "$TMP/Benchmarks/micro-ipv6" "$TMP/Benchmarks/micro-helpers"
cp "$HERE/ipv6-main.swift" "$TMP/Benchmarks/micro-ipv6/main.swift"
cp "$HERE/ipv6-reference.swift" "$TMP/Benchmarks/micro-ipv6/Reference.swift"
cp "$HERE/eui64-reference.swift" "$TMP/Benchmarks/micro-ipv6/eui.swift"
cp "$HERE/helpers.swift" "$TMP/Benchmarks/micro-helpers/main.swift"
cat >> "$TMP/Package.swift" <<'SWIFT'
package.targets.append(.executableTarget(name: "micro-ipv6", dependencies: ["ShadowCore"], path: "Benchmarks/micro-ipv6"))
package.targets.append(.executableTarget(name: "micro-helpers", dependencies: ["ShadowCore"], path: "Benchmarks/micro-helpers"))
SWIFT
# Reuse resolved dependencies when there are any.
[ -f Package.resolved ] && cp Package.resolved "$TMP/"
cd "$TMP"
for p in micro-ipv6 micro-helpers; do nice swift build -c release --product "$p" >&2; done
echo "== ShadowCore at $(git -C "$OLDPWD" rev-parse --short "$REV")"
.build/release/micro-ipv6
.build/release/micro-helpers
