// libnfs's headers use struct timeval without including <sys/time.h> themselves.
#include <sys/time.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdint.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>
