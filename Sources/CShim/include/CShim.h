#ifndef CSHIM_H
#define CSHIM_H
// Wrappers for what Swift cannot call directly: _GNU_SOURCE-only functions, variadic prctl and
// the CMSG_* macros. Every declaration uses plain C types only.
#include <stddef.h>
#include <sys/types.h>

/// prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
int cshim_set_no_new_privs(void);

#endif
