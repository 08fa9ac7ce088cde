#ifndef CSHIM_H
#define CSHIM_H
// Wrappers for what Swift cannot call directly: _GNU_SOURCE-only functions, variadic prctl and
// the CMSG_* macros. Every declaration uses plain C types only, so Swift never sees a GNU struct.
// Each wrapper returns what the underlying call returns and leaves errno as the call set it;
// the caller (ShadowSystem) reads errno immediately and retries EINTR itself.
#include <stddef.h>
#include <stdint.h>
#include <spawn.h>
#include <sys/types.h>

// MARK: prctl(2)

/// prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
int cshim_set_no_new_privs(void);
/// prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0): 1, 0, or -1 with errno.
int cshim_get_no_new_privs(void);
/// prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
int cshim_set_parent_death_signal(int sig);
/// prctl(PR_SET_DUMPABLE, on, 0, 0, 0)
int cshim_set_dumpable(int on);
/// prctl(PR_GET_DUMPABLE, 0, 0, 0, 0)
int cshim_get_dumpable(void);
/// prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
int cshim_clear_ambient_capabilities(void);
/// prctl(PR_SET_KEEPCAPS, on, 0, 0, 0)
int cshim_set_keep_capabilities(int on);

// MARK: memfd_create(2) and file seals

/// memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)
int cshim_memfd_create_sealable(const char *name);
/// fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)
int cshim_seal_all(int fd);
/// fcntl(fd, F_GET_SEALS)
int cshim_get_seals(int fd);
/// The seal mask cshim_seal_all() adds (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL).
int cshim_all_seals(void);

// MARK: sendmsg(2) / recvmsg(2) with one descriptor (SCM_RIGHTS)

/// sendmsg(sock, one iovec of buf/len, SCM_RIGHTS carrying fd when fd >= 0, flags).
ssize_t cshim_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags);

/// recvmsg(sock, one iovec of buf/len, flags | MSG_CMSG_CLOEXEC).
/// On success: *fd_out is the first received descriptor or -1; *fd_count_out how many arrived
/// (every descriptor after the first is closed here); *msg_flags_out the returned msg_flags
/// (MSG_TRUNC: the message was longer than len; MSG_CTRUNC: descriptors were lost).
ssize_t cshim_recv_with_fd(int sock, void *buf, size_t len, int flags,
                           int *fd_out, int *fd_count_out, int *msg_flags_out);

/// MSG_TRUNC, MSG_CTRUNC, MSG_WAITFORONE, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_CMSG_CLOEXEC.
int cshim_msg_trunc(void);
int cshim_msg_ctrunc(void);
int cshim_msg_waitforone(void);
int cshim_msg_dontwait(void);
int cshim_msg_nosignal(void);

// MARK: recvmmsg(2) / sendmmsg(2) over caller-provided flat buffers

/// Bytes of scratch memory per message that cshim_recvmmsg/cshim_sendmmsg need for their
/// struct mmsghdr + struct iovec (the caller allocates vlen * this once, 16-byte aligned).
size_t cshim_mmsg_scratch_size(void);
/// sizeof(struct sockaddr_storage): the size of one address slot.
size_t cshim_sockaddr_storage_size(void);

/// Lays out the vlen mmsghdrs and iovecs of cshim_recvmmsg in scratch, once: message i lands in
/// bufs + i*slot_size (at most slot_size bytes) and its source address in
/// addrs + i*cshim_sockaddr_storage_size().
void cshim_recvmmsg_prepare(unsigned int vlen, void *bufs, size_t slot_size, void *addrs, void *scratch);

/// recvmmsg(fd, vlen messages, flags | MSG_TRUNC, NULL) over a scratch laid out by
/// cshim_recvmmsg_prepare. The kernel overwrites the address length of each message it fills, so
/// the first `dirty` messages (those the previous call filled) get theirs back first. For each
/// received message: lengths[i] is the datagram's real length (it may exceed slot_size),
/// addr_lens[i] the address length and msg_flags[i] the returned flags (MSG_TRUNC when the
/// datagram did not fit).
int cshim_recvmmsg(int fd, unsigned int vlen, uint32_t *lengths, uint32_t *addr_lens, int *msg_flags,
                   void *scratch, unsigned int dirty, int flags);

/// sendmmsg(fd, vlen messages, flags): message i is lengths[i] bytes at bufs + i*slot_size,
/// sent to the address at addrs + i*cshim_sockaddr_storage_size() of length addr_lens[i].
/// Returns the number of messages sent (see sendmmsg(2) for partial results).
int cshim_sendmmsg(int fd, unsigned int vlen, const void *bufs, size_t slot_size,
                   const uint32_t *lengths, const void *addrs, const uint32_t *addr_lens,
                   void *scratch, int flags);

// MARK: descriptors and processes

/// posix_spawn_file_actions_addclosefrom_np(fa, from)
int cshim_spawn_addclosefrom(posix_spawn_file_actions_t *fa, int from);
/// POSIX_SPAWN_SETSID (a GNU extension, glibc 2.26+): the child calls setsid(2).
int cshim_spawn_setsid_flag(void);
/// pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0))
int cshim_pipe2_cloexec(int fds[2], int nonblocking);
/// posix_openpt(O_RDWR|O_NOCTTY|O_CLOEXEC|O_NONBLOCK), grantpt, unlockpt, ptsname_r, then open of
/// the terminal side (O_RDWR|O_NOCTTY|O_CLOEXEC): fds[0] the controller, fds[1] the terminal.
/// -1 with errno on failure (nothing left open).
int cshim_open_pty(int fds[2]);
/// accept4(fd, NULL, NULL, SOCK_CLOEXEC)
int cshim_accept4_cloexec(int fd);
/// close_range(first, last, 0)
int cshim_close_range(unsigned int first, unsigned int last);
/// setpriority(PRIO_PROCESS, gettid(), nice): the calling thread only.
int cshim_set_thread_nice(int nice);
/// setresuid(r, e, s)
int cshim_setresuid(uid_t r, uid_t e, uid_t s);
/// setresgid(r, e, s)
int cshim_setresgid(gid_t r, gid_t e, gid_t s);
/// getresuid(r, e, s)
int cshim_getresuid(uid_t *r, uid_t *e, uid_t *s);
/// getresgid(r, e, s)
int cshim_getresgid(gid_t *r, gid_t *e, gid_t *s);
/// The value of errno (for callers that cannot see the thread-local errno).
int cshim_errno(void);

// MARK: signals as a descriptor
/// Blocks `signals` (count entries) in the calling thread with pthread_sigmask(SIG_BLOCK) and
/// returns signalfd(-1, that set, SFD_CLOEXEC | SFD_NONBLOCK). Threads created afterwards inherit
/// the mask, so the signals arrive only through the descriptor.
int cshim_signalfd_block(const int *signals, int count);
/// Reads one signalfd_siginfo from fd; returns its ssi_signo (and its ssi_pid in *pid_out), 0 when
/// none is pending (EAGAIN), or -1 with errno.
int cshim_signalfd_read(int fd, int *pid_out);

// MARK: socket introspection
/// getsockopt(fd, SOL_SOCKET, SO_TYPE): SOCK_DGRAM, SOCK_SEQPACKET, … or -1 with errno.
int cshim_socket_type(int fd);
/// getsockopt(fd, SOL_SOCKET, SO_DOMAIN): AF_INET, AF_INET6, AF_UNIX, … or -1 with errno.
int cshim_socket_domain(int fd);
/// accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC) (glibc declares accept4 only with _GNU_SOURCE).
int cshim_accept_nonblocking(int fd, void *addr, unsigned int *len);

// MARK: seccomp reporting (SIGSYS)
/// Records the name of system call `number` (0 ≤ number < 1024) for the SIGSYS reporter; copies
/// `name`. Call before cshim_sigsys_install: the handler only reads this table.
void cshim_sigsys_set_name(int number, const char *name);
/// Installs a SIGSYS handler (SA_SIGINFO | SA_RESETHAND) that writes
/// "`process`: killed by seccomp: syscall N (name)\n" to fd 2 with write(2) only, then re-raises
/// SIGSYS with the default action (tgkill to itself), so the process dies by SIGSYS. Runs for a
/// SECCOMP_RET_TRAP verdict. `process` is copied (at most 31 bytes). 0 or -1 with errno.
int cshim_sigsys_install(const char *process);

// MARK: raw calls for the sandbox probe (test support)
/// int $0x80 with eax = `number` (an i386 system call from a 64-bit process); returns eax.
long cshim_i386_syscall(long number);
/// syscall(2) with up to four arguments, returning -errno on failure.
long cshim_syscall4(long number, long a, long b, long c, long d);

/// CPUs this process may run on (sched_getaffinity(2)); 1 when that fails.
int cshim_available_cpus(void);

/// malloc_trim(3) with no padding: gives the free pages of every malloc arena back to the kernel.
/// 1 when memory was released.
int cshim_malloc_trim(void);

/// madvise(2) MADV_DONTNEED over the read-only segments (code, constants, metadata) of every
/// loaded object, the vDSO and objects with text relocations excepted: their pages leave this
/// process's page tables and come back from the page cache on the next access. Nothing written
/// is lost (those segments are never written). Returns the bytes advised.
unsigned long cshim_release_code_pages(void);

#endif
