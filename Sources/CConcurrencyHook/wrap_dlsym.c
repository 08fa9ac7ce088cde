// shadow-ops runs its Swift tasks on NIO's event loop: NIO finds the Swift runtime's
// swift_task_enqueueGlobal_hook with dlsym(). With --static-swift-stdlib (the Debian package,
// scripts/install) the runtime is linked with --exclude-libs ALL, so that symbol is not in the
// dynamic symbol table, dlsym() returns NULL and shadow-ops would refuse to serve.
//
// shadow-ops is linked with --wrap=dlsym (Package.swift): every dlsym() call in it comes here.
// We ask the real dlsym() first, so a dynamically linked build behaves exactly as before; only
// when it finds nothing for that one name do we return the address the static link resolved.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

extern void *swift_task_enqueueGlobal_hook;
void *__real_dlsym(void *handle, const char *name);
void *__wrap_dlsym(void *handle, const char *name);

void *__wrap_dlsym(void *handle, const char *name) {
    void *found = __real_dlsym(handle, name);
    if (found == NULL && name != NULL && strcmp(name, "swift_task_enqueueGlobal_hook") == 0) {
        return (void *)&swift_task_enqueueGlobal_hook;
    }
    return found;
}
