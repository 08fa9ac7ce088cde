#ifndef CBUILDINFO_H
#define CBUILDINFO_H
// What the build tells the program about itself. C because Swift's -D defines carry no value:
// Package.swift defines SHADOW_GIT_COMMIT (a string literal) for this target only when the
// environment variable of that name is set at build time (scripts/package, scripts/install), so a
// new commit recompiles one C file and relinks, nothing else.

/// The git commit the binaries were built from ("1a2b3c4d5e6f", "1a2b3c4d5e6f-dirty"), or NULL
/// when the build did not say (a plain `swift build`).
const char *cbuildinfo_git_commit(void);

#endif
