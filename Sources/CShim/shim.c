#define _GNU_SOURCE
#include "CShim.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <signal.h>
#include <stdlib.h>

// MARK: prctl

int cshim_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int cshim_get_no_new_privs(void) { return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }
int cshim_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
int cshim_set_dumpable(int on) { return prctl(PR_SET_DUMPABLE, on ? 1 : 0, 0, 0, 0); }
int cshim_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
int cshim_clear_ambient_capabilities(void) {
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}
int cshim_set_keep_capabilities(int on) { return prctl(PR_SET_KEEPCAPS, on ? 1 : 0, 0, 0, 0); }

// MARK: memfd

int cshim_memfd_create_sealable(const char *name) {
    return memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}
int cshim_all_seals(void) { return F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL; }
int cshim_seal_all(int fd) { return fcntl(fd, F_ADD_SEALS, cshim_all_seals()); }
int cshim_get_seals(int fd) { return fcntl(fd, F_GET_SEALS); }

// MARK: SCM_RIGHTS

ssize_t cshim_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags) {
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
    union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int))]; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&control, 0, sizeof control);
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    return sendmsg(sock, &msg, flags);
}

/// Room for a few descriptors, so that a peer sending more than one is detected, not silently cut.
#define CSHIM_MAX_FDS 8

ssize_t cshim_recv_with_fd(int sock, void *buf, size_t len, int flags,
                           int *fd_out, int *fd_count_out, int *msg_flags_out) {
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    union { struct cmsghdr align; char buf[CMSG_SPACE(CSHIM_MAX_FDS * sizeof(int))]; } control;
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    memset(&control, 0, sizeof control);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.buf;
    msg.msg_controllen = sizeof control.buf;
    *fd_out = -1;
    *fd_count_out = 0;
    *msg_flags_out = 0;
    ssize_t n = recvmsg(sock, &msg, flags | MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    *msg_flags_out = msg.msg_flags;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            if (*fd_out < 0) *fd_out = fd; else close(fd);
            (*fd_count_out)++;
        }
    }
    return n;
}

int cshim_msg_trunc(void) { return MSG_TRUNC; }
int cshim_msg_ctrunc(void) { return MSG_CTRUNC; }
int cshim_msg_waitforone(void) { return MSG_WAITFORONE; }
int cshim_msg_dontwait(void) { return MSG_DONTWAIT; }
int cshim_msg_nosignal(void) { return MSG_NOSIGNAL; }

// MARK: mmsg

struct cshim_mmsg_slot { struct mmsghdr hdr; struct iovec iov; };

size_t cshim_mmsg_scratch_size(void) { return sizeof(struct cshim_mmsg_slot); }
size_t cshim_sockaddr_storage_size(void) { return sizeof(struct sockaddr_storage); }

void cshim_recvmmsg_prepare(unsigned int vlen, void *bufs, size_t slot_size, void *addrs, void *scratch) {
    struct mmsghdr *hdrs = scratch;
    // mmsghdr entries must be contiguous: lay them out first, the iovecs after them.
    struct iovec *iovs = (struct iovec *)((char *)scratch + vlen * sizeof(struct mmsghdr));
    for (unsigned int i = 0; i < vlen; i++) {
        iovs[i].iov_base = (char *)bufs + i * slot_size;
        iovs[i].iov_len = slot_size;
        memset(&hdrs[i], 0, sizeof hdrs[i]);
        hdrs[i].msg_hdr.msg_iov = &iovs[i];
        hdrs[i].msg_hdr.msg_iovlen = 1;
        hdrs[i].msg_hdr.msg_name = (char *)addrs + i * sizeof(struct sockaddr_storage);
        hdrs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
}

int cshim_recvmmsg(int fd, unsigned int vlen, uint32_t *lengths, uint32_t *addr_lens, int *msg_flags,
                   void *scratch, unsigned int dirty, int flags) {
    struct mmsghdr *hdrs = scratch;
    // The kernel writes msg_len, msg_namelen, msg_flags and msg_controllen (0, as there is no
    // control buffer) of the messages it fills; iovecs and buffers stay as laid out.
    for (unsigned int i = 0; i < dirty && i < vlen; i++) {
        hdrs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
    int n = recvmmsg(fd, hdrs, vlen, flags | MSG_TRUNC, NULL);
    for (int i = 0; i < n; i++) {
        lengths[i] = hdrs[i].msg_len;
        addr_lens[i] = hdrs[i].msg_hdr.msg_namelen;
        msg_flags[i] = hdrs[i].msg_hdr.msg_flags;
    }
    return n;
}

int cshim_sendmmsg(int fd, unsigned int vlen, const void *bufs, size_t slot_size,
                   const uint32_t *lengths, const void *addrs, const uint32_t *addr_lens,
                   void *scratch, int flags) {
    struct mmsghdr *hdrs = scratch;
    struct iovec *iovs = (struct iovec *)((char *)scratch + vlen * sizeof(struct mmsghdr));
    for (unsigned int i = 0; i < vlen; i++) {
        iovs[i].iov_base = (char *)bufs + i * slot_size;
        iovs[i].iov_len = lengths[i];
        memset(&hdrs[i], 0, sizeof hdrs[i]);
        hdrs[i].msg_hdr.msg_iov = &iovs[i];
        hdrs[i].msg_hdr.msg_iovlen = 1;
        hdrs[i].msg_hdr.msg_name = (char *)addrs + i * sizeof(struct sockaddr_storage);
        hdrs[i].msg_hdr.msg_namelen = addr_lens[i];
    }
    return sendmmsg(fd, hdrs, vlen, flags);
}

// MARK: descriptors, processes, credentials

int cshim_spawn_addclosefrom(posix_spawn_file_actions_t *fa, int from) {
    return posix_spawn_file_actions_addclosefrom_np(fa, from);
}
int cshim_spawn_setsid_flag(void) {
    return POSIX_SPAWN_SETSID;
}
int cshim_pipe2_cloexec(int fds[2], int nonblocking) {
    return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}
int cshim_open_pty(int fds[2]) {
    int controller = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (controller < 0) return -1;
    char name[128];
    int failed = grantpt(controller) != 0 || unlockpt(controller) != 0;
    if (!failed) {
        int e = ptsname_r(controller, name, sizeof name);
        if (e != 0) { errno = e; failed = 1; }
    }
    int terminal = failed ? -1 : open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (terminal < 0) {
        int saved = errno;
        close(controller);
        errno = saved;
        return -1;
    }
    fds[0] = controller;
    fds[1] = terminal;
    return 0;
}
int cshim_accept4_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }
int cshim_close_range(unsigned int first, unsigned int last) { return close_range(first, last, 0); }

#include <sys/resource.h>
int cshim_set_thread_nice(int nice) { return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice); }
int cshim_setresuid(uid_t r, uid_t e, uid_t s) { return setresuid(r, e, s); }
int cshim_setresgid(gid_t r, gid_t e, gid_t s) { return setresgid(r, e, s); }
int cshim_getresuid(uid_t *r, uid_t *e, uid_t *s) { return getresuid(r, e, s); }
int cshim_getresgid(gid_t *r, gid_t *e, gid_t *s) { return getresgid(r, e, s); }
int cshim_errno(void) { return errno; }

// MARK: signals as a descriptor

#include <signal.h>
#include <sys/signalfd.h>
#include <pthread.h>

int cshim_signalfd_block(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    int rc = pthread_sigmask(SIG_BLOCK, &set, NULL);
    if (rc != 0) { errno = rc; return -1; }
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int cshim_signalfd_read(int fd, int *pid_out) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    if (n != sizeof info) { errno = EIO; return -1; }
    if (pid_out) *pid_out = (int)info.ssi_pid;
    return (int)info.ssi_signo;
}

// MARK: socket introspection

int cshim_socket_type(int fd) {
    int v = 0; socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 ? v : -1;
}

int cshim_accept_nonblocking(int fd, void *addr, unsigned int *len) {
    return accept4(fd, (struct sockaddr *)addr, (socklen_t *)len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cshim_socket_domain(int fd) {
    int v = 0; socklen_t len = sizeof v;
    return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 ? v : -1;
}

// MARK: seccomp reporting (SIGSYS)

enum { sigsys_names = 1024 };
static char *sigsys_name_table[sigsys_names];
static char sigsys_process[32];

void cshim_sigsys_set_name(int number, const char *name) {
    if (number < 0 || number >= sigsys_names || name == NULL) return;
    free(sigsys_name_table[number]);
    sigsys_name_table[number] = strdup(name);
}

static size_t sigsys_append(char *buffer, size_t at, size_t size, const char *text) {
    while (*text != 0 && at < size) buffer[at++] = *text++;
    return at;
}

static void sigsys_handler(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved = errno;
    char line[160];
    size_t n = sigsys_append(line, 0, sizeof line, sigsys_process);
    n = sigsys_append(line, n, sizeof line, ": killed by seccomp: syscall ");
    int number = info->si_syscall;
    char digits[16];
    int d = 0;
    unsigned int value = number < 0 ? (unsigned int)-number : (unsigned int)number;
    do { digits[d++] = (char)('0' + value % 10); value /= 10; } while (value != 0 && d < 15);
    if (number < 0 && n < sizeof line) line[n++] = '-';
    while (d > 0 && n < sizeof line) line[n++] = digits[--d];
    const char *name = number >= 0 && number < sigsys_names && sigsys_name_table[number] ? sigsys_name_table[number] : "?";
    n = sigsys_append(line, n, sizeof line, " (");
    n = sigsys_append(line, n, sizeof line, name);
    n = sigsys_append(line, n, sizeof line, ")\n");
    ssize_t ignored = write(2, line, n);
    (void)ignored;
    // SA_RESETHAND restored the default action; SIGSYS stays blocked until the handler returns,
    // then it is delivered and ends the process before the trapped call's caller runs again.
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
    errno = saved;
}

int cshim_sigsys_install(const char *process) {
    strncpy(sigsys_process, process, sizeof sigsys_process - 1);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = sigsys_handler;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGSYS, &action, NULL);
}

// MARK: raw calls for the sandbox probe

long cshim_i386_syscall(long number) {
    long result;
    __asm__ volatile("int $0x80" : "=a"(result) : "a"(number) : "memory");
    return result;
}

long cshim_syscall4(long number, long a, long b, long c, long d) {
    long rc = syscall(number, a, b, c, d);
    return rc == -1 ? -errno : rc;
}

// MARK: CPUs

#include <sched.h>

int cshim_available_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int n = CPU_COUNT(&set);
    return n > 0 ? n : 1;
}

// MARK: memory
#include <malloc.h>
int cshim_malloc_trim(void) { return malloc_trim(0); }

// MARK: code pages
#include <link.h>

/// Whether the object's dynamic section asks for relocations in its text (DT_TEXTREL, or
/// DF_TEXTREL in DT_FLAGS): its read-only segments may then hold written (copied) pages.
static int cshim_has_text_relocations(struct dl_phdr_info *info) {
    for (int i = 0; i < info->dlpi_phnum; i++) {
        if (info->dlpi_phdr[i].p_type != PT_DYNAMIC) continue;
        const ElfW(Dyn) *d = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
        for (; d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_TEXTREL) return 1;
            if (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_TEXTREL)) return 1;
        }
    }
    return 0;
}

static int cshim_release_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    unsigned long *released = data;
    // The vDSO is the kernel's, not a file's.
    if (info->dlpi_name != NULL && strstr(info->dlpi_name, "linux-vdso") != NULL) return 0;
    if (cshim_has_text_relocations(info)) return 0;
    long page = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) != 0) continue;
        uintptr_t start = (uintptr_t)(info->dlpi_addr + ph->p_vaddr);
        uintptr_t end = start + ph->p_memsz;
        // Whole pages only: a page shared with a writable segment's start stays.
        uintptr_t first = start & ~(uintptr_t)(page - 1);
        uintptr_t last = (end + page - 1) & ~(uintptr_t)(page - 1);
        // A writable segment starting on the last page (it never should) keeps that page.
        for (int j = 0; j < info->dlpi_phnum; j++) {
            const ElfW(Phdr) *w = &info->dlpi_phdr[j];
            if (w->p_type != PT_LOAD || (w->p_flags & PF_W) == 0) continue;
            uintptr_t ws = (uintptr_t)(info->dlpi_addr + w->p_vaddr) & ~(uintptr_t)(page - 1);
            if (ws < last && ws >= first) last = ws;
        }
        if (last <= first) continue;
        if (madvise((void *)first, last - first, MADV_DONTNEED) == 0) *released += last - first;
    }
    return 0;
}

unsigned long cshim_release_code_pages(void) {
    unsigned long released = 0;
    dl_iterate_phdr(cshim_release_object, &released);
    return released;
}
