#ifndef NFSK_SHIM_H
#define NFSK_SHIM_H
#include <stddef.h>

/// One line of a MOUNT EXPORT reply: the exported path and the client groups allowed to mount it
/// (joined by spaces; empty when the server sent none, which means "everyone").
struct nfsk_export {
    char *dir;
    char *groups;
    struct nfsk_export *next;
};

/// Sends MOUNTPROC3_EXPORT to `server`. `mountport` 0 asks the server's portmapper for the MOUNT
/// program; any other value connects to that port directly. The whole exchange (connect, call,
/// reply) is bounded by `timeout_ms`. Returns 0 and a list to free with `nfsk_free_exports`, or a
/// negative errno with a message in `err`.
int nfsk_getexports(const char *server, int mountport, int timeout_ms,
                    struct nfsk_export **out, char *err, size_t errlen);

void nfsk_free_exports(struct nfsk_export *list);

#endif
