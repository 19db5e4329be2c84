// libnfs's own mount_getexports() always asks the portmapper and has no deadline; a test server
// (and a locked-down real one) is reached on an explicit port, and the agent must never hang.
#include <sys/time.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include "nfsk_shim.h"

struct exchange {
    int done;              // set by the callback
    int status;            // RPC_STATUS_*
    struct nfsk_export *list;
    char err[256];
};

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void copy_exports(struct exchange *x, exports list) {
    struct nfsk_export **tail = &x->list;
    for (; list != NULL; list = list->ex_next) {
        struct nfsk_export *e = calloc(1, sizeof(*e));
        if (e == NULL) return;
        e->dir = strdup(list->ex_dir ? list->ex_dir : "");
        size_t len = 1;
        for (groups g = list->ex_groups; g != NULL; g = g->gr_next) len += strlen(g->gr_name) + 1;
        e->groups = calloc(1, len);
        for (groups g = list->ex_groups; g != NULL && e->groups; g = g->gr_next) {
            if (e->groups[0]) strcat(e->groups, " ");
            strcat(e->groups, g->gr_name);
        }
        *tail = e;
        tail = &e->next;
    }
}

static void on_export(struct rpc_context *rpc, int status, void *data, void *private_data) {
    struct exchange *x = private_data;
    x->done = 1;
    x->status = status;
    if (status == RPC_STATUS_SUCCESS) {
        exports *reply = data;
        copy_exports(x, reply ? *reply : NULL);
    } else {
        snprintf(x->err, sizeof(x->err), "MOUNT EXPORT failed: %s",
                 data ? (const char *)data : rpc_get_error(rpc));
    }
}

static void on_connect(struct rpc_context *rpc, int status, void *data, void *private_data) {
    struct exchange *x = private_data;
    if (status != RPC_STATUS_SUCCESS) {
        x->done = 1;
        x->status = status;
        snprintf(x->err, sizeof(x->err), "connect to MOUNT failed: %s",
                 data ? (const char *)data : rpc_get_error(rpc));
        return;
    }
    if (rpc_mount3_export_async(rpc, on_export, x) != 0) {
        x->done = 1;
        x->status = RPC_STATUS_ERROR;
        snprintf(x->err, sizeof(x->err), "could not queue MOUNT EXPORT: %s", rpc_get_error(rpc));
    }
}

// Runs the event loop until the exchange completes or the deadline passes.
static int drive(struct rpc_context *rpc, struct exchange *x, long long deadline) {
    while (!x->done) {
        long long left = deadline - now_ms();
        if (left <= 0) return -ETIMEDOUT;
        struct pollfd pfd = { .fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc) };
        int slice = left < 100 ? (int)left : 100;
        int n = poll(&pfd, 1, slice);
        if (n < 0 && errno != EINTR) return -errno;
        if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0) {
            if (!x->done) snprintf(x->err, sizeof(x->err), "%s", rpc_get_error(rpc));
            return -ECONNRESET;
        }
    }
    return 0;
}

int nfsk_getexports(const char *server, int mountport, int timeout_ms,
                    struct nfsk_export **out, char *err, size_t errlen) {
    *out = NULL;
    struct rpc_context *rpc = rpc_init_context();
    if (rpc == NULL) {
        snprintf(err, errlen, "could not create an RPC context");
        return -ENOMEM;
    }
    struct exchange x = { 0 };
    long long deadline = now_ms() + timeout_ms;
    int rc = mountport > 0
        ? rpc_connect_port_async(rpc, server, mountport, MOUNT_PROGRAM, MOUNT_V3, on_connect, &x)
        : rpc_connect_program_async(rpc, server, MOUNT_PROGRAM, MOUNT_V3, on_connect, &x);
    if (rc != 0) {
        snprintf(err, errlen, "could not start connecting to %s: %s", server, rpc_get_error(rpc));
        rpc_destroy_context(rpc);
        return -EHOSTUNREACH;
    }
    rc = drive(rpc, &x, deadline);
    if (rc == 0 && x.status != RPC_STATUS_SUCCESS) rc = x.status == RPC_STATUS_TIMEOUT ? -ETIMEDOUT : -EIO;
    if (rc == 0) {
        *out = x.list;
    } else {
        snprintf(err, errlen, "%s", x.err[0] ? x.err : (rc == -ETIMEDOUT ? "timed out" : "failed"));
        nfsk_free_exports(x.list);
    }
    rpc_destroy_context(rpc);
    return rc;
}

void nfsk_free_exports(struct nfsk_export *list) {
    while (list != NULL) {
        struct nfsk_export *next = list->next;
        free(list->dir);
        free(list->groups);
        free(list);
        list = next;
    }
}
