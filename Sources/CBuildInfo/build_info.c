#include "CBuildInfo.h"
#include <stddef.h>

const char *cbuildinfo_git_commit(void) {
#ifdef SHADOW_GIT_COMMIT
    return SHADOW_GIT_COMMIT;
#else
    return NULL;
#endif
}
