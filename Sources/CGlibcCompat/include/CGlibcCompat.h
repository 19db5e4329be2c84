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

// The new mount API and openat2(2), which glibc wraps only from 2.36 (fsopen) or not at all (openat2): a
// private NFS mount made with fsopen/fsconfig/fsmount is attached to no mount namespace, shows in no mount
// table, and goes when its last descriptor closes. Constants from <linux/mount.h>, which clashes with
// <sys/mount.h>'s MS_* macros if both are seen.
#include <linux/openat2.h>
static inline int nfsk_fsopen(const char *fs_name) { return (int)syscall(SYS_fsopen, fs_name, 1 /* CLOEXEC */); }
/// FSCONFIG_SET_STRING with a value, FSCONFIG_SET_FLAG without.
static inline int nfsk_fsconfig_set(int fd, const char *key, const char *value) {
    return (int)syscall(SYS_fsconfig, fd, value ? 1 : 0, key, value, 0);
}
/// FSCONFIG_CMD_CREATE: the superblock is made (for NFS: the server is contacted) now.
static inline int nfsk_fsconfig_create(int fd) { return (int)syscall(SYS_fsconfig, fd, 6, NULL, NULL, 0); }
/// A detached mount of the configured superblock: nosuid, nodev, noexec, close-on-exec.
static inline int nfsk_fsmount(int fd) { return (int)syscall(SYS_fsmount, fd, 1, 0x2 | 0x4 | 0x8); }
/// `path` opened beneath `dirfd` with no symlink (nor /proc magic link) followed and no mount crossed.
static inline int nfsk_openat_beneath(int dirfd, const char *path, int flags, unsigned int mode) {
    struct open_how how = {.flags = (unsigned long long)flags, .mode = mode,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV};
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}
/// A file-system context (umask, cwd, root) of the calling thread's own: unshare(CLONE_FS) as a system call.
static inline int nfsk_thread_unshare_fs(void) { return (int)syscall(SYS_unshare, 0x00000200 /* CLONE_FS */); }
// _GNU_SOURCE names Swift's Glibc module does not export.
static const int nfsk_O_PATH = 010000000;
static const int nfsk_AT_EMPTY_PATH = 0x1000;
