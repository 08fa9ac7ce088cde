#ifndef CCONCURRENCYHOOK_H
#define CCONCURRENCYHOOK_H
// Nothing to call: this target only provides __wrap_dlsym for shadow-ops (see the .c file).
#endif
