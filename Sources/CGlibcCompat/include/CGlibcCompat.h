// This target defines symbols the static Swift runtime would otherwise take
// from a newer glibc than RHEL 9's 2.34 (see hypot.c).

// Declarations Swift's Glibc module does not export.
#include <sys/xattr.h>

// Per-thread credentials, as raw system calls: glibc's setgroups(3) changes every thread of the process,
// the kernel's setgroups(2) only the caller. The NFS client sends a thread's fsuid, fsgid and groups in
// AUTH_SYS, so one thread can act as a service account without touching the rest of the process.
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
static inline int nfsk_thread_setgroups(size_t n, const gid_t *list) { return (int)syscall(SYS_setgroups, n, list); }
static inline int nfsk_thread_setfsuid(uid_t id) { return (int)syscall(SYS_setfsuid, id); }
static inline int nfsk_thread_setfsgid(gid_t id) { return (int)syscall(SYS_setfsgid, id); }
