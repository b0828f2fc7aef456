// Non-variadic wrappers for the Linux calls the probes need: Swift cannot call C variadic functions
// (`prctl`, `syscall`).
#ifndef DOCTOR_CLINUX_SHIM_H
#define DOCTOR_CLINUX_SHIM_H

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <spawn.h>

// glibc declares these only under _GNU_SOURCE, which a shim must not define (it changes other headers' meaning
// for every Swift module that imports them). They exist in glibc 2.29+ (Debian 12 has 2.36).
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *__restrict actions, const char *__restrict path);

/// pipe2(2): both ends created with `flags` (O_CLOEXEC) atomically.
static inline int doctor_pipe2(int fds[2], int flags) { return (int)syscall(SYS_pipe2, fds, flags); }

/// pidfd_open(2) (Linux 5.3): a descriptor that becomes readable when the process exits; -1 with errno.
static inline int doctor_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    return (int)syscall(434, pid, 0);
#endif
}

/// posix_spawn_file_actions_addchdir_np: the child changes directory before exec.
static inline int doctor_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// PR_GET_DUMPABLE for the calling process: 0, 1 or 2, or -1 with errno.
static inline int doctor_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/// The Landlock ABI version (landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)), or -1 with errno
/// (ENOSYS: not built in; EOPNOTSUPP: built in but disabled at boot).
static inline long doctor_landlock_abi_version(void) {
#ifdef SYS_landlock_create_ruleset
    return syscall(SYS_landlock_create_ruleset, (void *)0, (unsigned long)0, (unsigned int)1);
#else
    return syscall(444, (void *)0, (unsigned long)0, (unsigned int)1);
#endif
}

/// getrlimit(RLIMIT_MEMLOCK) (the resource constant is an enum Swift imports awkwardly).
static inline int doctor_memlock_limit(struct rlimit *out) { return getrlimit(RLIMIT_MEMLOCK, out); }

/// major() and minor() of a device number (macros in glibc).
static inline unsigned int doctor_major(dev_t device) { return major(device); }
static inline unsigned int doctor_minor(dev_t device) { return minor(device); }

/// SO_PEERCRED of a connected Unix socket: 0, or -1 with errno. The kernel's struct ucred is declared here
/// with its layout, since glibc shows it only under _GNU_SOURCE, which must not differ between modules.
static inline int doctor_peer_credentials(int fd, int *pid, unsigned int *uid, unsigned int *gid) {
    struct { int pid; unsigned int uid; unsigned int gid; } credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return -1;
    *pid = credentials.pid;
    *uid = credentials.uid;
    *gid = credentials.gid;
    return 0;
}

/// memfd_secret(flags): a file descriptor of secret memory, or -1 with errno (ENOSYS: not available).
static inline int doctor_memfd_secret(unsigned int flags) {
#ifdef SYS_memfd_secret
    return (int)syscall(SYS_memfd_secret, flags);
#else
    return (int)syscall(447, flags);
#endif
}

#endif
