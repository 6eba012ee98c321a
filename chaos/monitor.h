/*
 * monitor.h: one process per host carries out on_poweroff, on_reboot and
 * on_crash for every domain chaos made, and clears the registry and
 * XenStore entries of dead ones.  xl keeps one monitor process per guest;
 * chaos keeps one in all, woken by XenStore's @releaseDomain watch (which
 * xenstored fires when a domain it knows shuts down or dies) and by noxs
 * guests' notice channels, so a guest costs no process and no work until
 * its state changes.  It outlives xenstored (docs/architecture.md).
 */
#ifndef CHAOS_MONITOR_H
#define CHAOS_MONITOR_H

/* Start the monitor in the background unless one runs.  0, or -1. */
int monitor_ensure(void);

/* Run the monitor in this process until it fails; returns an exit code. */
int monitor_run(void);

#endif
