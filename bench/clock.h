/* The benchmark tools' one clock: milliseconds of CLOCK_BOOTTIME, which
 * dom0's processes share, so stamps from different tools compare. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H

#include <time.h>

static inline long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
