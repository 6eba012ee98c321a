/*
 * vbd.h: virtual block devices in xenstore mode, as blkback serves them
 * (shared/XEN-FACTS.md section 8): the device number of an xl vdev name,
 * and what chaos checks of a disk before it asks xendevd to back it.
 */
#ifndef CHAOS_VBD_H
#define CHAOS_VBD_H

#include <stdint.h>

#define VBD_MAX 32 /* disks one guest may have */

/*
 * The number libxl gives vdev (its devid and the frontend's
 * virtual-device): xvd<letters>[P] and d<D>p<P> as Xen's own
 * (202<<8 | disk<<4 | P, or 1<<28 | disk<<8 | P past disk 15 or
 * partition 15), hd[a-d][P] as IDE, sd[a-p][P] as SCSI, or a plain
 * number.  0, or -1 when vdev names no disk.
 */
int vbd_devnum(const char *vdev, uint32_t *num);

#endif
