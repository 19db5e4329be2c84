// glibc 2.35 gave hypot and hypotf a new symbol version (hypot@GLIBC_2.35), so a binary linked on
// Debian 12 with the Swift runtime static (Foundation references them) would refuse to start on glibc
// 2.34 (RHEL 9). Defining them here resolves those references inside the binary: its highest glibc
// requirement drops to 2.34. Overflow-safe (scaled), exact for a zero side, IEEE rules for inf/NaN.
#include <math.h>

double hypot(double x, double y) {
    if (isinf(x) || isinf(y)) return INFINITY;
    if (isnan(x) || isnan(y)) return NAN;
    x = fabs(x);
    y = fabs(y);
    double big = x > y ? x : y, small = x > y ? y : x;
    if (big == 0) return 0;
    double r = small / big;
    return big * sqrt(1 + r * r);
}

float hypotf(float x, float y) {
    return (float)hypot((double)x, (double)y);
}
