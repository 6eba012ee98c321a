/*
 * clock.h: the one clock of chaos, its daemons and its benchmarks:
 * milliseconds of CLOCK_BOOTTIME.  It never jumps (deadlines) and every
 * process in dom0 shares it (log stamps and measurements compare).
 */
#ifndef CHAOS_CLOCK_H
#define CHAOS_CLOCK_H

#include <stdint.h>

/* Milliseconds since boot. */
int64_t clk_now_ms(void);

/* Microseconds since boot, for measurements finer than a millisecond. */
int64_t clk_now_us(void);

#endif
