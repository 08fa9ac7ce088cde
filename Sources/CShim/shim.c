#define _GNU_SOURCE
#include "CShim.h"
#include <sys/prctl.h>

int cshim_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
