/*
 * pv.h: the little a PV guest needs from Xen: hypercalls, the console ring,
 * event channels, and shutdown.  Freestanding: no libc.
 */
#ifndef CHAOS_GUEST_PV_H
#define CHAOS_GUEST_PV_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/io/console.h>

extern char hypercall_page[];
extern start_info_t *pv_start_info;

#define barrier() __asm__ __volatile__("" ::: "memory")

static inline long
hypercall3(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
	register unsigned long rdi __asm__("rdi") = a1;
	register unsigned long rsi __asm__("rsi") = a2;
	register unsigned long rdx __asm__("rdx") = a3;
	long ret;

	__asm__ __volatile__("call *%[stub]"
			     : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			     : [stub] "r"(hypercall_page + nr * 32)
			     : "memory", "rcx", "r11", "r10", "r8");
	return ret;
}

static inline uint64_t
pv_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* Booted as PVH (pvh.c): frames are guest frames, VA == PA. */
extern int pv_translated;

/* The VA of a machine frame we were given (M2P lookup, VA == pfn << 12;
 * PVH: the frame is a guest frame). */
void *pv_mfn_to_virt(xen_pfn_t mfn);

/* PVH: put shared_info where page is; 0 or Xen's error. */
int pv_map_shared_info(void *page);

/* Set up the console, map shared_info and publish the p2m frame lists a
 * save needs; call first. */
void pv_init(start_info_t *si);

/*
 * Suspend for a save: SCHEDOP_shutdown(SHUTDOWN_suspend) with start_info's
 * MFN in rdx, after making the domain saveable (no mapping of a frame not
 * ours; start_info's store and console frames as PFNs, which is how
 * libxenguest's restore reads them).  Returns once resumed, with the
 * console, shared_info and the frame lists set up again from start_info:
 * 1 when the save was cancelled (same domain, everything as before), 0 in
 * a new domain (new frames, new ports: the caller finds its devices again).
 * The caller flushes the console first: a flush needs shared_info, which
 * this unmaps.
 */
int pv_suspend(void);

/* Write to the console ring (blocks while it is full). */
void pv_write(const char *s, size_t n);
void pv_puts(const char *s);
void pv_putu(unsigned long v);

/* Wait until the console reader has taken everything we wrote, at most
 * pv_console_patience_ms (default 20). */
void pv_console_flush(void);
extern unsigned pv_console_patience_ms;

/* Notify the other end of an event channel. */
void pv_notify(evtchn_port_t port);

/* Block until port is pending (or timeout_ns of system time pass, 0:
 * forever), then clear it.  Returns 1 if it was pending. */
int pv_wait(evtchn_port_t port, uint64_t timeout_ns);

/* Clear and return whether port was pending, without blocking. */
int pv_test_and_clear(evtchn_port_t port);

/* Block until one of ports[0..n) is pending (or timeout_ns of system
 * time pass, 0: forever), clearing none: the caller tests and clears each
 * (pv_test_and_clear) before it looks at what the port stands for. */
void pv_wait_any(const evtchn_port_t *ports, unsigned n, uint64_t timeout_ns);

/* Xen system time now, in ns (0 before pv_init mapped shared_info). */
uint64_t pv_now_ns(void);

/* Seconds since 1970 (UTC) by Xen's wallclock. */
uint64_t pv_wallclock(void);

/* The frame a grant names for one of our pages: its MFN (PV, from the
 * p2m) or its guest frame (PVH). */
xen_pfn_t pv_virt_to_frame(const void *va);

/* Grant table v1 (gnttab.c): map our table's first frame (512 entries)
 * onto a page of ours; 0, or -1 when Xen refused. */
int pv_gnttab_init(void);

/* Let domid map or copy page (page-aligned, ours) through ref (8..511:
 * 0..7 are reserved, 0 and 1 the builder's), read-only or writable. */
void pv_grant(uint32_t ref, uint16_t domid, const void *page, int readonly);

/* SCHEDOP_shutdown with SHUTDOWN_* reason, once the console is flushed;
 * does not return.  pv_shutdown_now does not wait for the console. */
__attribute__((noreturn)) void pv_shutdown(unsigned reason);
__attribute__((noreturn)) void pv_shutdown_now(unsigned reason);

size_t pv_strlen(const char *s);
int pv_memcmp(const void *a, const void *b, size_t n);
void *pv_memcpy(void *d, const void *s, size_t n);
void *pv_memset(void *d, int c, size_t n);

#endif
