// The baseline for scripts/bench: the least code that times GETATTR through libnfs.
// usage: getattr_loop URL CALLS — prints one round trip per line, in nanoseconds.
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <nfsc/libnfs.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s URL CALLS\n", argv[0]); return 2; }
    int calls = atoi(argv[2]);
    struct nfs_context *nfs = nfs_init_context();
    struct nfs_url *url = nfs_parse_url_dir(nfs, argv[1]);
    if (url == NULL || nfs_mount(nfs, url->server, url->path) != 0) {
        fprintf(stderr, "mount failed: %s\n", nfs_get_error(nfs));
        return 1;
    }
    long long *ns = calloc(calls, sizeof(*ns));
    struct nfs_stat_64 st;
    for (int i = 0; i < calls; i++) {
        long long t0 = now_ns();
        if (nfs_lstat64(nfs, "/", &st) != 0) { fprintf(stderr, "GETATTR failed: %s\n", nfs_get_error(nfs)); return 1; }
        ns[i] = now_ns() - t0;
    }
    for (int i = 0; i < calls; i++) printf("%lld\n", ns[i]);
    nfs_destroy_url(url);
    nfs_destroy_context(nfs);
    return 0;
}
