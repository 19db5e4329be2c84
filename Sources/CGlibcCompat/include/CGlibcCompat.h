// This target defines symbols the static Swift runtime would otherwise take
// from a newer glibc than RHEL 9's 2.34 (see hypot.c).

// Declarations Swift's Glibc module does not export.
#include <sys/xattr.h>
